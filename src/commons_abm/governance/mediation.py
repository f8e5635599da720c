"""Conflict resolution (design principle 6): cheap mediation of contested sanctions.

Every wrongful sanction is a dispute. A wrongly sanctioned agent brings its case with
probability ``access_probability`` times its trust in the mediator the rulebook names (the
statement's attribute): 1 for the ``operator``, a neutral third party bound to hear every
case; its institutional trust ``T_i`` for ``official`` mediators; its mean interpersonal
trust over its ties ``t_i`` (0 without ties) for fellow ``member`` mediators (people take
disputes to arbiters they trust, and accept their decisions when they find the procedure
fair: Tyler 1990; Ostrom 1990 ch. 3, "rapid access to low-cost local arenas to resolve
conflicts"). A share ``success_rate`` of the cases brought is settled: the fine is refunded,
the offence struck off the ladder, and the victim's institutional trust, instead of
falling, rises a little. Each case costs ``cost_eur_per_case``. With two uniform draws
``u1_i``, ``u2_i`` per agent (stream ``governance``, drawn on a day with at least one
dispute) and the trust in the mediator ``m_i``::

    brought_i = dispute_i and u1_i < access_probability m_i
    settled_i = brought_i and u2_i < success_rate
    if settled_i: fine_i = 0, offence_i = max(offence_i - 1, 0), readmitted if excluded today
    cost      = cost_eur_per_case sum_i brought_i

Its parameters are :class:`MediationParameters`; one agent's trust in the mediator is
:func:`trust_in_mediator`, its dispute :func:`mediate_agent` (the reference engine's),
everyone's :func:`mediate_arrays`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.state import State
from commons_abm.governance.institutions import Institutions
from commons_abm.governance.sanctions import SanctionDay

__all__ = [
    "MEDIATORS",
    "MediationDay",
    "MediationParameters",
    "mediate",
    "mediate_agent",
    "mediation_parameters",
    "trust_in_mediator",
]

# Codes of who mediates (the ``mediate`` statement's attribute).
OPERATOR_MEDIATOR, OFFICIAL_MEDIATOR, PEER_MEDIATOR = range(3)
MEDIATORS = {"operator": OPERATOR_MEDIATOR, "official": OFFICIAL_MEDIATOR, "member": PEER_MEDIATOR}


class MediationParameters(NamedTuple):
    """Access to mediation, its success and its cost (:func:`mediation_parameters` reads
    them from the rulebook's ``mediation`` statement)."""

    access_probability: float  # chance that a dispute reaches a mediator one fully trusts [0-1]
    success_rate: float  # chance that a mediated dispute is settled [0-1]
    cost_eur_per_case: float  # cost of one case brought to mediation [EUR]
    mediator: int  # who mediates (:data:`MEDIATORS`)


def mediation_parameters(inst: Institutions) -> MediationParameters:
    """The rulebook's mediation, as :func:`mediate_agent` takes it."""
    return MediationParameters(
        float(inst.mediation_access),
        float(inst.mediation_success),
        float(inst.mediation_cost_eur),
        MEDIATORS[inst.mediator],
    )


@kernel
def trust_in_mediator(mediator, trust_institutional, tie_trust):  # pragma: no cover - compiled
    """One agent's trust in the mediator [0-1]: 1 in the operator, its institutional trust in
    officials, its mean trust over its ties (``tie_trust``, 0 without ties) in fellow members."""
    if mediator == OFFICIAL_MEDIATOR:
        return trust_institutional
    if mediator == PEER_MEDIATOR:
        return tie_trust.mean() if tie_trust.size else 0.0
    return 1.0


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
        mediation_parameters(inst),
        state.trust_institutional,
        state.ties.indptr,
        state.ties.trust,
        sanctions.fines_eur,
        sanctions.excluded,
        state.offence_level,
        state.member,
        state.excluded_until,
    )
    return MediationDay(disputes, settled, inst.mediation_cost_eur * float(brought))


@kernel
def mediate_arrays(
    disputes, u, p, trust_institutional, indptr, tie_trust, fines, excluded, offence_level, member, excluded_until
):  # pragma: no cover - compiled
    """Settle disputes (each agent's by :func:`mediate_agent`, with its :func:`trust_in_mediator`
    from its institutional trust and its ties' trust, CSR ``indptr``): refund, strike the
    offence off, readmit the excluded; returns the settled disputes and the number brought to
    mediation."""
    settled = np.zeros(disputes.size, dtype=np.bool_)
    brought = 0
    for i in range(disputes.size):
        if not disputes[i]:
            continue
        trust = trust_in_mediator(p.mediator, trust_institutional[i], tie_trust[indptr[i] : indptr[i + 1]])
        case, settled[i], fines[i], offence_level[i], member[i], excluded_until[i] = mediate_agent(
            True, u[0, i], u[1, i], p, trust, fines[i], excluded[i], offence_level[i], member[i], excluded_until[i]
        )
        brought += case
    return settled, brought


@kernel
def mediate_agent(
    dispute, u_access, u_success, p, trust, fine, excluded, offence_level, member, excluded_until
):  # pragma: no cover - compiled
    """The one-agent form: one agent's dispute, given its two uniform draws, the
    :class:`MediationParameters` ``p`` and its ``trust`` in the mediator
    (:func:`trust_in_mediator`); returns (brought to mediation, settled, fine [EUR], offence
    level, member, excluded until)."""
    brought = False
    settled = False
    if dispute and u_access < p.access_probability * trust:
        brought = True
        if u_success < p.success_rate:
            settled = True
            fine = 0.0
            offence_level = max(offence_level - 1, 0)
            if excluded:
                member = True
                excluded_until = 0
    return brought, settled, fine, offence_level, member, excluded_until
