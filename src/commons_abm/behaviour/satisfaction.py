"""Satisfaction: each agent's benefit in return for its commitments, short and long run
(``000_027160d2fbf9a985.txt``).

Today's net gain [EUR/day] is the saving against acting alone (energy and materials)
minus the fee, fines and own monitoring cost. Contributors to the pool also weigh the
*fairness* of allocation (equity, Adams 1965; Ostrom's principle 2, congruence of
appropriation and provision): ``f = clip(r_i / r - 1, -1, 1)``, where ``r_i`` is what the
agent received from the pool per kWh it offered and ``r`` the same ratio for all
contributors together; non-contributors have ``f = 0``. Then::

    target = sigmoid(gain / benefit_scale_eur_per_day + fairness_weight * f)
    short += short_rate (target - short);  long += long_rate (target - long)
    satisfaction = (1 - long_run_weight) short + long_run_weight long
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import flat, kernel
from commons_abm.core.scenario import SatisfactionDynamics
from commons_abm.core.state import State

__all__ = [
    "SatisfactionParameters",
    "fairness",
    "fairness_arrays",
    "member_fairness",
    "satisfaction_arrays",
    "satisfaction_parameters",
    "update_satisfaction",
]


class SatisfactionParameters(NamedTuple):
    """The satisfaction rule's parameters, as :func:`satisfaction_arrays` takes them
    (:func:`satisfaction_parameters` reads them from the scenario)."""

    benefit_scale_eur_per_day: float  # net daily gain that makes a member clearly satisfied [EUR/day]
    fairness_weight: float  # weight of the fairness of allocation against contribution [-]
    short_rate: float  # weight of today in the short-run satisfaction [0-1]
    long_rate: float  # weight of today in the long-run satisfaction [0-1]
    long_run_weight: float  # weight of the long run in satisfaction [0-1]


def fairness(received: np.ndarray, offered: np.ndarray) -> np.ndarray:
    """Each contributor's return per kWh offered relative to all contributors' [-1, 1]."""
    return fairness_arrays(np.asarray(received, dtype=float), np.asarray(offered, dtype=float))


@kernel
def fairness_arrays(received, offered):  # pragma: no cover - compiled
    total_offered = 0.0
    total_received = 0.0
    for i in range(offered.size):
        if offered[i] > 0:
            total_offered += offered[i]
            total_received += received[i]
    out = np.zeros(offered.size)
    if total_offered <= 0:
        return out
    r = total_received / total_offered
    if r <= 0:
        return out
    for i in range(offered.size):
        if offered[i] > 0:
            out[i] = min(max(received[i] / offered[i] / r - 1.0, -1.0), 1.0)
    return out


@kernel
def member_fairness(received, offered, member):  # pragma: no cover - compiled
    """:func:`fairness` for members, 0 for everyone else (they did not share by the rules)."""
    out = fairness_arrays(received, offered)
    for i in range(out.size):
        if not member[i]:
            out[i] = 0.0
    return out


def update_satisfaction(state: State, s: SatisfactionDynamics, gain_eur: np.ndarray, fair: np.ndarray) -> None:
    """Move short- and long-run satisfaction toward today's experience."""
    satisfaction_arrays(
        state.satisfaction,
        state.satisfaction_short,
        state.satisfaction_long,
        gain_eur,
        flat(fair, (state.n,)),
        satisfaction_parameters(s),
    )


def satisfaction_parameters(s: SatisfactionDynamics) -> SatisfactionParameters:
    """Benefit scale, fairness weight, short and long rates, long-run weight."""
    return SatisfactionParameters(
        benefit_scale_eur_per_day=float(s.benefit_scale_eur_per_day),
        fairness_weight=float(s.fairness_weight),
        short_rate=float(s.short_rate),
        long_rate=float(s.long_rate),
        long_run_weight=float(s.long_run_weight),
    )


@kernel
def satisfaction_arrays(satisfaction, short, long, gain, fair, p):  # pragma: no cover - compiled
    """:func:`update_satisfaction` on arrays (``p``: :class:`SatisfactionParameters`)."""
    for i in range(satisfaction.size):
        z = min(max(gain[i] / p.benefit_scale_eur_per_day + p.fairness_weight * fair[i], -50.0), 50.0)
        target = 1.0 / (1.0 + np.exp(-z))
        short[i] += p.short_rate * (target - short[i])
        long[i] += p.long_rate * (target - long[i])
        satisfaction[i] = (1.0 - p.long_run_weight) * short[i] + p.long_run_weight * long[i]
