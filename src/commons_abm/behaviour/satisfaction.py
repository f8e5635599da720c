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

The one-agent forms hold these equations once: :func:`agent_fairness` (one agent's ``f``,
given ``r`` from :func:`pool_return`) and :func:`agent_satisfaction` (one agent's short-run,
long-run and overall satisfaction). The whole-population kernels (:func:`fairness_arrays`,
:func:`member_fairness`, :func:`satisfaction_arrays`) call them in their loops, and the
reference engine's agents call them one at a time (:mod:`commons_abm.agents.rules`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import flat, kernel
from commons_abm.core.scenario import SatisfactionDynamics
from commons_abm.core.state import State

__all__ = [
    "SatisfactionParameters",
    "agent_fairness",
    "agent_satisfaction",
    "fairness",
    "fairness_arrays",
    "member_fairness",
    "pool_return",
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
def pool_return(received, offered):  # pragma: no cover - compiled
    """``r``: what all contributors together received from the pool per kWh they offered
    (0 when nobody offered)."""
    total_offered = 0.0
    total_received = 0.0
    for i in range(offered.size):
        if offered[i] > 0:
            total_offered += offered[i]
            total_received += received[i]
    if total_offered <= 0:
        return 0.0
    return total_received / total_offered


@kernel
def agent_fairness(received, offered, r):  # pragma: no cover - compiled
    """The one-agent form of fairness: ``clip(received / offered / r - 1, -1, 1)`` for a
    contributor (``offered > 0``) when the pool returned something (``r > 0``), else 0."""
    if offered > 0 and r > 0:
        return min(max(received / offered / r - 1.0, -1.0), 1.0)
    return 0.0


@kernel
def fairness_arrays(received, offered):  # pragma: no cover - compiled
    """:func:`fairness` on arrays: :func:`agent_fairness` for every agent."""
    r = pool_return(received, offered)
    out = np.zeros(offered.size)
    for i in range(offered.size):
        out[i] = agent_fairness(received[i], offered[i], r)
    return out


@kernel
def member_fairness(received, offered, member):  # pragma: no cover - compiled
    """:func:`fairness` for members, 0 for everyone else (they did not share by the rules)."""
    r = pool_return(received, offered)
    out = np.zeros(offered.size)
    for i in range(offered.size):
        if member[i]:
            out[i] = agent_fairness(received[i], offered[i], r)
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
def agent_satisfaction(short, long, gain, fair, p):  # pragma: no cover - compiled
    """The one-agent form: ``(satisfaction, short, long)`` after today's net ``gain``
    [EUR/day] and fairness ``fair``, from yesterday's ``short`` and ``long``
    (``p``: :class:`SatisfactionParameters`)."""
    z = min(max(gain / p.benefit_scale_eur_per_day + p.fairness_weight * fair, -50.0), 50.0)
    target = 1.0 / (1.0 + np.exp(-z))
    short += p.short_rate * (target - short)
    long += p.long_rate * (target - long)
    return (1.0 - p.long_run_weight) * short + p.long_run_weight * long, short, long


@kernel
def satisfaction_arrays(satisfaction, short, long, gain, fair, p):  # pragma: no cover - compiled
    """:func:`update_satisfaction` on arrays (``p``: :class:`SatisfactionParameters`):
    :func:`agent_satisfaction` for every agent."""
    for i in range(satisfaction.size):
        satisfaction[i], short[i], long[i] = agent_satisfaction(short[i], long[i], gain[i], fair[i], p)
