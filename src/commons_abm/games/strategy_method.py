"""Conditional-cooperation types measured as in the lab (Fischbacher, Gächter & Fehr 2001).

Fischbacher, U., Gächter, S. and Fehr, E. (2001) "Are people conditionally cooperative?
Evidence from a public goods experiment", *Economics Letters* 71(3): 397-404. Subjects
state, with the strategy method, how many of their 20 tokens they would contribute for
each average contribution of the others, 0 to 20 (a "contribution table"), and are
classified from it: *free riders* contribute 0 whatever the others do; *conditional
cooperators* show a weakly increasing table or a significantly positive Spearman
correlation with the others' contribution; *hump-shaped* ("triangle") contributors
increase up to a point and decrease beyond; the rest are *other*.

The model's subjects fill the table with the territory's intrinsic cooperation
(:func:`commons_abm.behaviour.decisions.intrinsic_cooperation`: type response plus motive), times 20,
rounded to whole tokens. The classifier is this module's reading of FGF's rules: free
rider if the table is all zeros; hump-shaped if its peak lies strictly inside (others'
average 3 to 17) and both ends are at least 3 tokens below it; conditional if, otherwise,
its Spearman correlation with the others' average is above 0.5 (significant at 1 % for 21
points); other else.
"""

from __future__ import annotations

import numpy as np

from commons_abm.behaviour.decisions import intrinsic_cooperation
from commons_abm.core.scenario import Behaviour
from commons_abm.games.lab import draw_subjects

__all__ = ["TYPE_NAMES", "classify_tables", "contribution_tables", "measured_type_shares"]

TYPE_NAMES = ("conditional", "free_rider", "hump_shaped", "other")
LEVELS = np.arange(21)  # others' average contribution asked about [tokens]
SPEARMAN_THRESHOLD = 0.5
HUMP_DROP = 3


def contribution_tables(cc_type: np.ndarray, group_weight: np.ndarray, behaviour: Behaviour) -> np.ndarray:
    """Each subject's contribution (whole tokens) for each others' average 0..20: (n, 21)."""
    n = cc_type.size
    b = np.broadcast_to(LEVELS / 20.0, (n, LEVELS.size)).ravel()
    share = intrinsic_cooperation(np.repeat(cc_type, LEVELS.size), b, np.repeat(group_weight, LEVELS.size), behaviour)
    return np.rint(20.0 * share).reshape(n, LEVELS.size)


def _ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks along the last axis (ties share their mean rank)."""
    order = np.argsort(x, axis=-1, kind="stable")
    ranks = np.empty_like(x, dtype=float)
    sorted_x = np.take_along_axis(x, order, axis=-1)
    for row in range(x.shape[0]):
        _, inverse, counts = np.unique(sorted_x[row], return_inverse=True, return_counts=True)
        ends = np.cumsum(counts)
        mean_rank = ends - (counts - 1) / 2.0
        ranks[row, order[row]] = mean_rank[inverse]
    return ranks


def classify_tables(tables: np.ndarray) -> np.ndarray:
    """FGF 2001 type (index into :data:`TYPE_NAMES`) of each contribution table (rows)."""
    tables = np.asarray(tables, dtype=float)
    n = tables.shape[0]
    kind = np.full(n, 3, dtype=np.int8)
    zero = (tables == 0).all(axis=1)
    peak = tables.argmax(axis=1)
    top = tables.max(axis=1)
    hump = (peak >= 3) & (peak <= 17) & (tables[:, 0] <= top - HUMP_DROP) & (tables[:, -1] <= top - HUMP_DROP)
    r = _ranks(tables)
    x = LEVELS - LEVELS.mean()
    y = r - r.mean(axis=1, keepdims=True)
    den = np.sqrt((y * y).sum(axis=1) * (x * x).sum())
    rho = np.divide((y * x).sum(axis=1), den, out=np.zeros(n), where=den > 0)
    kind[rho > SPEARMAN_THRESHOLD] = 0
    kind[hump] = 2
    kind[zero] = 1
    return kind


def measured_type_shares(
    behaviour: Behaviour, subjects: int = 2000, seed: int | np.random.SeedSequence = 0
) -> np.ndarray:
    """Shares of the four FGF types among ``subjects`` drawn subjects, as the lab measures them."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed) if isinstance(seed, int) else seed))
    s = draw_subjects(subjects, behaviour, rng)
    kinds = classify_tables(contribution_tables(s.cc_type, s.group_weight, behaviour))
    return np.bincount(kinds, minlength=4) / subjects
