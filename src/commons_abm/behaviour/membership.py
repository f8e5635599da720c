"""Membership (design principle 1, boundaries): joining, staying in and leaving the community.

Each agent reviews its membership on a day with probability ``1 / review_days``. A
member whose satisfaction is below ``leave_threshold`` leaves. A non-member, not barred
by a recent exclusion, joins when the members it is tied to are, on average (weighted by
its trust in them), satisfied above ``join_threshold`` and more satisfied than itself: it
expects to gain from joining (under open access it already draws from the pool, so the
gap is smaller). Members leave without notice; their ties stay.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.scenario import Participation
from commons_abm.core.state import State

__all__ = ["ReviewParameters", "review_arrays", "review_membership", "review_parameters"]


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
def review_arrays(
    u, p, step, member, satisfaction, excluded_until, attended_last, indptr, indices, trust
):  # pragma: no cover - compiled
    """:func:`review_membership` on arrays (``u``: one uniform per agent; ``p``:
    :class:`ReviewParameters`)."""
    n = member.size
    leave = np.zeros(n, dtype=np.bool_)
    join = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if not u[i] < p.review_probability_per_day:
            continue
        if member[i]:
            leave[i] = satisfaction[i] < p.leave_threshold
        elif excluded_until[i] <= step:
            # what it expects from joining: its tied members' satisfaction, weighted by its trust
            num = 0.0
            den = 0.0
            for j in range(indptr[i], indptr[i + 1]):
                w = trust[j] * member[indices[j]]
                num += w * satisfaction[indices[j]]
                den += w
            expected = num / den if den > 0 else 0.0
            join[i] = expected > p.join_threshold and expected > satisfaction[i]
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
