"""Trust: interpersonal trust on each tie and institutional trust of each agent (000).

**Interpersonal** (reciprocity, built by repeated exchange and "mutual vigilance", 003):
each day agent ``i`` sees whether each neighbour ``j`` cooperated. Trust ``t_ij`` rises
by ``interpersonal_gain (1 - t_ij)`` after cooperation and falls by
``interpersonal_loss t_ij`` after defection, the loss larger than the gain: trust is
slow to build and quick to lose (Slovic 1993, "Perceived risk, trust, and democracy").
Confirmation bias: evidence on the side of 1/2 that ``t_ij`` is already on weighs
``1 + confirmation_bias``, evidence against it ``1 - confirmation_bias``.

**Institutional** (trust in the rules, the operator and the officials): each member gets
a daily signal ``s = 2 (short-run satisfaction - 1/2) + observed_compliance_weight
(2 c - 1)``: the benefits it received and the fairness of allocation
(:mod:`commons_abm.satisfaction`), and ``c``, the compliance it sees in its assembly
today: institutions are trusted when others are seen to keep the rules and the rules are
seen to be enforced (Levi 1988, *Of Rule and Revenue*, "quasi-voluntary compliance";
Rothstein 2005, *Social Traps and the Problem of Trust*). Trust rises by
``institutional_gain s (1 - T)`` for ``s > 0`` and falls by ``institutional_loss |s| T``
for ``s < 0``, with the same confirmation bias. Events act on top: a wrongful fine that
stands costs the victim ``wrongful_sanction_loss T``, a wrongful warning (a fine of 0, the
first rung of a graduated ladder) a quarter of that (Ostrom 1990: graduated sanctions
limit the harm of mistaken accusations); one settled by mediation gives
``institutional_gain (1 - T)`` x 5; a vote in which a member had a voice gives ``institutional_gain voice
(1 - T)``; overrides and officials' stance are in :mod:`commons_abm.officials`.
"""

from __future__ import annotations

import numpy as np

from commons_abm.scenario import TrustDynamics
from commons_abm.state import State, Ties

__all__ = ["update_institutional_trust", "update_interpersonal_trust"]

MEDIATION_REPAIR = 5.0
WARNING_SHARE = 0.25  # share of the wrongful-sanction loss that a wrongful warning costs


def _bias(prior: np.ndarray, towards_high: np.ndarray, cb: float) -> np.ndarray:
    confirms = (prior >= 0.5) == towards_high
    return np.where(confirms, 1.0 + cb, 1.0 - cb)


def update_interpersonal_trust(ties: Ties, cooperated: np.ndarray, t: TrustDynamics) -> None:
    """Every agent updates its trust in each neighbour from what the neighbour did today."""
    if not ties.indices.size:
        return
    seen = cooperated[ties.indices]
    trust = ties.trust
    cb = t.confirmation_bias
    # change = gain (1 - trust) after cooperation, -loss trust after defection, times the
    # confirmation bias, kept within [0, 1]: written with few temporaries, as it runs on
    # every tie every day (the same arithmetic as np.where / np.clip)
    room = 1.0 - trust
    change = np.multiply(trust, -t.interpersonal_loss)
    np.multiply(room, t.interpersonal_gain, out=change, where=seen)
    against = trust >= 0.5
    np.not_equal(against, seen, out=against)  # evidence against the side trust is on
    factor = np.where(against, 1.0 - cb, 1.0 + cb)
    change *= factor
    if max(t.interpersonal_gain, t.interpersonal_loss) * (1.0 + cb) >= 1.0 - 1e-9:
        # a step could overshoot 0 or 1 (otherwise it cannot, rounding included)
        np.negative(trust, out=factor)
        np.maximum(change, factor, out=change)
        np.minimum(change, room, out=change)
    trust += change


def update_institutional_trust(state: State, t: TrustDynamics, *, wrongful: np.ndarray,
                               settled: np.ndarray, voiced: np.ndarray, voice: float,
                               observed_compliance: np.ndarray | float) -> None:
    """Members' institutional trust follows their satisfaction, the compliance they see
    (``observed_compliance``: per agent, its assembly's, or one value) and today's events.
    ``wrongful``: wrongly sanctioned agents whose sanction stands (a fine of 0 is a warning)."""
    trust = state.trust_institutional
    member = state.member
    signal = 2.0 * (state.satisfaction_short - 0.5) + t.observed_compliance_weight * (
        2.0 * np.asarray(observed_compliance) - 1.0)
    bias = _bias(trust, signal > 0, t.confirmation_bias)
    change = np.where(signal > 0, t.institutional_gain * signal * (1.0 - trust),
                      t.institutional_loss * signal * trust)
    trust += np.where(member, change * bias, 0.0)
    loss = np.where(state.fines_eur > 0, t.wrongful_sanction_loss, WARNING_SHARE * t.wrongful_sanction_loss)
    trust[wrongful] *= 1.0 - loss[wrongful]
    trust[settled] += MEDIATION_REPAIR * t.institutional_gain * (1.0 - trust[settled])
    if voice > 0:
        trust[voiced] += t.institutional_gain * voice * (1.0 - trust[voiced])
    np.clip(trust, 0.0, 1.0, out=trust)
