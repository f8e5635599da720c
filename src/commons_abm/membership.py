"""Membership (design principle 1, boundaries): joining, staying in and leaving the community.

Each agent reviews its membership on a day with probability ``1 / review_days``. A
member whose satisfaction is below ``leave_threshold`` leaves. A non-member, not barred
by a recent exclusion, joins when the members it is tied to are, on average (weighted by
its trust in them), satisfied above ``join_threshold`` and more satisfied than itself: it
expects to gain from joining (under open access it already draws from the pool, so the
gap is smaller). Members leave without notice; their ties stay.
"""

from __future__ import annotations

import numpy as np

from commons_abm.scenario import Participation
from commons_abm.state import State

__all__ = ["review_membership"]


def review_membership(state: State, p: Participation, step: int, rng: np.random.Generator) -> tuple[int, int]:
    """Joins and leaves of the day (stream ``behaviour``); returns their numbers."""
    n = state.n
    reviewing = rng.random(n) < 1.0 / p.review_days
    member = state.member
    leave = reviewing & member & (state.satisfaction < p.leave_threshold)
    ties = state.ties
    if ties.indices.size:
        w = ties.trust * member[ties.indices]
        num = ties.sum_over_ties(w * state.satisfaction[ties.indices])
        den = ties.sum_over_ties(w)
        expected = np.divide(num, den, out=np.zeros(n), where=den > 0)
    else:
        expected = np.zeros(n)
    join = (reviewing & ~member & (state.excluded_until <= step) & (expected > p.join_threshold)
            & (expected > state.satisfaction))
    member[leave] = False
    member[join] = True
    state.attended_last[leave] = False
    return int(join.sum()), int(leave.sum())
