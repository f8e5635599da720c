"""Conflict resolution (design principle 6): cheap mediation of contested sanctions.

Every wrongful sanction is a dispute. A share ``access_probability`` of disputes reaches
mediation and a share ``success_rate`` of those is settled: the fine is refunded, the
offence struck off the ladder, and the victim's institutional trust, instead of falling,
rises a little (procedural justice: Tyler 1990; Ostrom 1990 ch. 3, "rapid access to
low-cost local arenas to resolve conflicts"). Each case costs ``cost_eur_per_case``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commons_abm.rulebook import Institutions
from commons_abm.sanctions import SanctionDay
from commons_abm.state import State

__all__ = ["MediationDay", "mediate"]


@dataclass
class MediationDay:
    """Disputes and their settlement today."""

    disputes: np.ndarray  # bool: wrongly sanctioned
    settled: np.ndarray   # bool: dispute settled by mediation
    cost_eur: float

    @property
    def unsettled(self) -> np.ndarray:
        """Wrongful sanctions that stand."""
        return self.disputes & ~self.settled


def mediate(state: State, inst: Institutions, sanctions: SanctionDay, wrongly_accused: np.ndarray,
            rng: np.random.Generator) -> MediationDay:
    """Bring disputes to mediation and undo the settled wrongful sanctions (stream ``governance``)."""
    disputes = sanctions.sanctioned & wrongly_accused
    if not inst.mediation or not disputes.any():
        return MediationDay(disputes, np.zeros(state.n, dtype=bool), 0.0)
    u = rng.random(state.n)
    brought = disputes & (u < inst.mediation_access)
    settled = brought & (rng.random(state.n) < inst.mediation_success)
    sanctions.fines_eur[settled] = 0.0
    state.offence_level[settled] = np.maximum(state.offence_level[settled] - 1, 0)
    readmit = settled & sanctions.excluded
    state.member[readmit] = True
    state.excluded_until[readmit] = 0
    return MediationDay(disputes, settled, inst.mediation_cost_eur * float(brought.sum()))
