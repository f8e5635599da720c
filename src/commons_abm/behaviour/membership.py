"""Membership (design principle 1, boundaries): joining, staying in and leaving the community.

Each agent reviews its membership on a day with probability ``1 / review_days``. A
member whose satisfaction is below ``leave_threshold`` leaves. A non-member, not barred
by a recent exclusion, joins when the members it is tied to are, on average (weighted by
its trust in them), satisfied above ``join_threshold`` and more satisfied than itself: it
expects to gain from joining (under open access it already draws from the pool, so the
gap is smaller). Members leave without notice; their ties stay. The expectation is

    expected_i = sum_j t_ij m_j s_j / sum_j t_ij m_j   (0 when no trusted member is tied),

over ``i``'s ties ``j`` (``t_ij`` its trust, ``m_j`` membership, ``s_j`` satisfaction); the
agent joins when ``expected_i > join_threshold`` and ``expected_i > s_i``. Sources: the
boundaries of design principle 1 (Ostrom 1990, *Governing the Commons*); satisfaction as
the measure of a member's success and interpersonal trust come from the seed document
``000_027160d2fbf9a985.txt``.

:func:`agent_review` is the one-agent form (one agent's draw, and whether it joins or
leaves); the whole-population kernel :func:`review_arrays` calls it for every agent on the
day's memberships and then applies the joins and leaves all at once, while the reference
engine's agents call it one at a time, each seeing the joins and leaves of those reviewed
before it (:mod:`commons_abm.agents.rules`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.scenario import Participation
from commons_abm.core.state import State

__all__ = ["ReviewParameters", "agent_review", "review_arrays", "review_membership", "review_parameters"]


class ReviewParameters(NamedTuple):
    """The membership review's parameters, as :func:`review_arrays` takes them
    (:func:`review_parameters` reads them from the scenario)."""

    review_probability_per_day: float  # chance that an agent reviews its membership on a day, 1 / review_days
    leave_threshold: float  # satisfaction below which a member leaves [0-1]
    join_threshold: float  # expected satisfaction above which a non-member joins [0-1]


def review_membership(state: State, p: Participation, step: int, rng: np.random.Generator) -> tuple[int, int]:
    """Joins and leaves of the day (stream ``behaviour``: one uniform per agent); returns their numbers."""
    ties = state.ties
    return review_arrays(
        rng.random(state.n),
        review_parameters(p),
        step,
        state.member,
        state.satisfaction,
        state.excluded_until,
        state.attended_last,
        ties.indptr,
        ties.indices,
        ties.trust,
    )


def review_parameters(p: Participation) -> ReviewParameters:
    """Daily probability of a review, leave and join thresholds."""
    return ReviewParameters(
        review_probability_per_day=1.0 / p.review_days,
        leave_threshold=float(p.leave_threshold),
        join_threshold=float(p.join_threshold),
    )


@kernel
def agent_review(
    u, is_member, own_satisfaction, excluded_until, step, member, satisfaction, neighbours, trust, p
):  # pragma: no cover - compiled
    """The one-agent form: ``(joins, leaves)`` of one agent today, from its uniform draw
    ``u``, whether it is a member, its satisfaction and the day its exclusion ends; its
    ``neighbours`` (their indices into ``member`` and ``satisfaction``) and its ``trust`` in
    each (on its ties, in the same order) (``p``: :class:`ReviewParameters`)."""
    if not u < p.review_probability_per_day:
        return False, False
    if is_member:
        return False, own_satisfaction < p.leave_threshold
    if excluded_until > step:
        return False, False
    # what it expects from joining: its tied members' satisfaction, weighted by its trust
    num = 0.0
    den = 0.0
    for k in range(neighbours.size):
        w = trust[k] * member[neighbours[k]]
        num += w * satisfaction[neighbours[k]]
        den += w
    expected = num / den if den > 0 else 0.0
    return expected > p.join_threshold and expected > own_satisfaction, False


@kernel
def review_arrays(
    u, p, step, member, satisfaction, excluded_until, attended_last, indptr, indices, trust
):  # pragma: no cover - compiled
    """:func:`review_membership` on arrays (``u``: one uniform per agent; ``p``:
    :class:`ReviewParameters`): :func:`agent_review` for every agent on the day's
    memberships, then the joins and leaves all at once."""
    n = member.size
    leave = np.zeros(n, dtype=np.bool_)
    join = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        lo = indptr[i]
        hi = indptr[i + 1]
        join[i], leave[i] = agent_review(
            u[i],
            member[i],
            satisfaction[i],
            excluded_until[i],
            step,
            member,
            satisfaction,
            indices[lo:hi],
            trust[lo:hi],
            p,
        )
    joins = 0
    leaves = 0
    for i in range(n):
        if leave[i]:
            member[i] = False
            attended_last[i] = False
            leaves += 1
        elif join[i]:
            member[i] = True
            joins += 1
    return joins, leaves
