"""Lab games: the classic experiments as configurations of the territory's behavioural core.

* :func:`play_public_goods`: linear public goods game, with or without costly punishment,
  partner or stranger matching (Fehr & Gächter 2000).
* :func:`play_cpr`: common-pool appropriation game (Ostrom, Gardner & Walker 1994).
* :func:`classify_types`: conditional-cooperation types by the strategy method
  (Fischbacher, Gächter & Fehr 2001).
"""

from commons_abm.games.cpr import TREATMENTS, CPRResult, CPRRules, play_cpr
from commons_abm.games.public_goods import PublicGoodsResult, PublicGoodsRules, play_public_goods

__all__ = [
    "TREATMENTS",
    "CPRResult",
    "CPRRules",
    "PublicGoodsResult",
    "PublicGoodsRules",
    "play_cpr",
    "play_public_goods",
]
