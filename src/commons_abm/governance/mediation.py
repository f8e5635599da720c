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

from commons_abm.core.kernels import kernel
from commons_abm.core.state import State
from commons_abm.governance.institutions import Institutions
from commons_abm.governance.sanctions import SanctionDay

__all__ = ["MediationDay", "mediate"]


@dataclass
class MediationDay:
    """Disputes and their settlement today."""

    disputes: np.ndarray  # bool: wrongly sanctioned
    settled: np.ndarray  # bool: dispute settled by mediation
    cost_eur: float

    @property
    def unsettled(self) -> np.ndarray:
        """Wrongful sanctions that stand."""
        return self.disputes & ~self.settled


def mediate(
    state: State, inst: Institutions, sanctions: SanctionDay, wrongly_accused: np.ndarray, rng: np.random.Generator
) -> MediationDay:
    """Bring disputes to mediation and undo the settled wrongful sanctions (stream
    ``governance``: two uniforms per agent on a day with disputes)."""
    disputes = sanctions.sanctioned & wrongly_accused
    if not inst.mediation or not disputes.any():
        return MediationDay(disputes, np.zeros(state.n, dtype=bool), 0.0)
    u = rng.random((2, state.n))
    settled, brought = mediate_arrays(
        disputes,
        u,
        inst.mediation_access,
        inst.mediation_success,
        sanctions.fines_eur,
        sanctions.excluded,
        state.offence_level,
        state.member,
        state.excluded_until,
    )
    return MediationDay(disputes, settled, inst.mediation_cost_eur * float(brought))


@kernel
def mediate_arrays(
    disputes, u, access, success, fines, excluded, offence_level, member, excluded_until
):  # pragma: no cover - compiled
    """Settle disputes: refund, strike the offence off, readmit the excluded; returns the
    settled disputes and the number brought to mediation."""
    settled = np.zeros(disputes.size, dtype=np.bool_)
    brought = 0
    for i in range(disputes.size):
        if disputes[i] and u[0, i] < access:
            brought += 1
            if u[1, i] < success:
                settled[i] = True
                fines[i] = 0.0
                offence_level[i] = max(offence_level[i] - 1, 0)
                if excluded[i]:
                    member[i] = True
                    excluded_until[i] = 0
    return settled, brought
