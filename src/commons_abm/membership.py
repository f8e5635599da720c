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
    # only the reviewing non-members who may re-join need what they expect from joining
    candidates = np.flatnonzero(reviewing & ~member & (state.excluded_until <= step))
    expected = _expected_satisfaction(state, candidates)
    join = np.zeros(n, dtype=bool)
    join[candidates] = (expected > p.join_threshold) & (expected > state.satisfaction[candidates])
    member[leave] = False
    member[join] = True
    state.attended_last[leave] = False
    return int(join.sum()), int(leave.sum())


def _expected_satisfaction(state: State, agents: np.ndarray) -> np.ndarray:
    """For each of ``agents``, the satisfaction of the members it is tied to, weighted by
    its trust in them (0 with no member among its ties)."""
    ties = state.ties
    start, stop = ties.indptr[agents], ties.indptr[agents + 1]
    count = stop - start
    if not count.sum():
        return np.zeros(agents.size)
    # the CSR entries of the agents' ties, in order, and whose they are (0..len(agents)-1)
    owner = np.repeat(np.arange(agents.size), count)
    entry = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count) + np.repeat(start, count)
    neighbour = ties.indices[entry]
    w = ties.trust[entry] * state.member[neighbour]
    num = np.bincount(owner, weights=w * state.satisfaction[neighbour], minlength=agents.size)
    den = np.bincount(owner, weights=w, minlength=agents.size)
    return np.divide(num, den, out=np.zeros(agents.size), where=den > 0)
