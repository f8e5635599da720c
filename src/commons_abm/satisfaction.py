"""Satisfaction: each agent's benefit in return for its commitments, short and long run (000).

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

import numpy as np

from commons_abm.scenario import SatisfactionDynamics
from commons_abm.state import State

__all__ = ["fairness", "update_satisfaction"]


def fairness(received: np.ndarray, offered: np.ndarray) -> np.ndarray:
    """Each contributor's return per kWh offered relative to all contributors' [-1, 1]."""
    contributors = offered > 0
    total_offered = float(offered[contributors].sum())
    if total_offered <= 0:
        return np.zeros_like(offered)
    r = float(received[contributors].sum()) / total_offered
    if r <= 0:
        return np.zeros_like(offered)
    ratio = np.divide(received, offered, out=np.zeros_like(offered), where=contributors)
    return np.where(contributors, np.clip(ratio / r - 1.0, -1.0, 1.0), 0.0)


def update_satisfaction(state: State, s: SatisfactionDynamics, gain_eur: np.ndarray,
                        fair: np.ndarray) -> None:
    """Move short- and long-run satisfaction toward today's experience."""
    z = np.clip(gain_eur / s.benefit_scale_eur_per_day + s.fairness_weight * fair, -50, 50)
    target = 1.0 / (1.0 + np.exp(-z))
    state.satisfaction_short += s.short_rate * (target - state.satisfaction_short)
    state.satisfaction_long += s.long_rate * (target - state.satisfaction_long)
    state.satisfaction[:] = (1.0 - s.long_run_weight) * state.satisfaction_short + (
        s.long_run_weight * state.satisfaction_long)
