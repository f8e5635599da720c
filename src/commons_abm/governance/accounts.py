"""Each agent's accounts of the day, and the community's: what was paid and gained.

Fees (members who pay today, at their assembly's level), fines (after refunds by
mediation) and each peer monitor's share of the cost of watching are written to the
state; the net benefit is the day's saving against acting alone, energy and materials
(the stages' reference costs minus actual costs), minus those payments; fines go to the
community's account when the community sanctions, to the commune when officials do
(:mod:`commons_abm.behaviour.satisfaction` turns it into satisfaction). For agent ``i``::

    fee_i         = its assembly's fee if it pays the fee today, else 0
    net_benefit_i = (energy reference_i - energy cost_i) + (material reference_i - material cost_i)
                    - fee_i - fine_i - own monitoring cost_i
    cumulative_i  = cumulative_i + net_benefit_i

Each agent's money since day 0 is kept too (:func:`tally_agent`, :func:`tally_arrays`), after
the day is settled: its energy bill (inside the community when a member), that bill had it
acted alone (the energy reference), its fees and its fines::

    bill_total_i  = bill_total_i  + energy cost_i
    alone_total_i = alone_total_i + energy reference_i
    fees_total_i  = fees_total_i  + fee_i
    fines_total_i = fines_total_i + fine_i

:class:`Ledger` reads them, by group of agents (:func:`household_groups`,
:func:`participant_groups`).

``000_027160d2fbf9a985.txt`` names satisfaction, a psycho-socio-economic benefit in return
for commitments, as the success indicator; the net benefit is its economic part. One
agent's accounts are :func:`settle_agent` (the reference engine's), everyone's
:func:`settle_arrays`; the community's are :func:`community_accounts`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from commons_abm.core.kernels import kernel, total
from commons_abm.core.kinds import HOUSEHOLD, KINDS
from commons_abm.core.scenario import MEMBER_KINDS
from commons_abm.core.state import State
from commons_abm.governance.institutions import Institutions

__all__ = [
    "HOUSEHOLD_GROUPS",
    "PARTICIPANT_GROUPS",
    "Ledger",
    "community_accounts",
    "household_groups",
    "daily_fixed_cost",
    "fixed_cost",
    "meetings_cost_per_day",
    "participant_groups",
    "settle_accounts",
    "settle_agent",
    "settle_arrays",
    "tally_accounts",
    "tally_agent",
    "tally_arrays",
]


def meetings_cost_per_day(inst: Institutions, assemblies: int) -> float:
    """The meetings of each of the community's ``assemblies`` (one per neighbourhood under a
    federation), per day [EUR/day]."""
    return assemblies * inst.meeting_cost_eur / inst.meeting_every_days if inst.meetings else 0.0


def daily_fixed_cost(inst: Institutions, assemblies: int, commune_share: float = 0.0) -> float:
    """The community's fixed cost per day [EUR]: the operator, less the share
    ``commune_share`` of it the commune pays (:mod:`commons_abm.governance.officials`), and
    its meetings (:func:`meetings_cost_per_day`)."""
    return fixed_cost(inst.operator_cost_eur_per_day, commune_share, meetings_cost_per_day(inst, assemblies))


@kernel
def fixed_cost(operator_cost, commune_share, meetings_cost):  # pragma: no cover - compiled
    """The community's fixed cost per day [EUR]: its part of the operator's cost and its meetings'."""
    return operator_cost * (1.0 - commune_share) + meetings_cost


def settle_accounts(
    state: State,
    *,
    pays_fee: np.ndarray,
    fee_eur_per_day: np.ndarray,
    fines_eur: np.ndarray,
    monitoring_cost_eur: np.ndarray,
    energy_reference_eur: np.ndarray,
    material_reference_eur: np.ndarray,
) -> None:
    """Write the day's fees, fines, own monitoring cost and net benefit of every agent [EUR],
    and add the net benefit to the cumulative one. ``fee_eur_per_day``: each agent's
    assembly's fee."""
    settle_arrays(
        pays_fee,
        fee_eur_per_day,
        fines_eur,
        monitoring_cost_eur,
        energy_reference_eur,
        state.energy_cost_eur,
        material_reference_eur,
        state.material_cost_eur,
        state.fees_eur,
        state.fines_eur,
        state.governance_cost_eur,
        state.net_benefit_eur,
        state.cumulative_net_benefit_eur,
    )


@kernel
def settle_arrays(
    pays_fee,
    fee_eur_per_day,
    fines_today,
    monitoring_cost,
    energy_reference,
    energy_cost,
    material_reference,
    material_cost,
    fees,
    fines,
    governance_cost,
    net_benefit,
    cumulative,
):  # pragma: no cover - compiled
    """The accounts of :func:`settle_accounts`, agent by agent (:func:`settle_agent`), in place."""
    for i in range(pays_fee.size):
        fees[i], fines[i], governance_cost[i], net_benefit[i], cumulative[i] = settle_agent(
            pays_fee[i],
            fee_eur_per_day[i],
            fines_today[i],
            monitoring_cost[i],
            energy_reference[i],
            energy_cost[i],
            material_reference[i],
            material_cost[i],
            cumulative[i],
        )


@kernel
def settle_agent(
    pays_fee,
    fee_eur_per_day,
    fine,
    monitoring_cost,
    energy_reference,
    energy_cost,
    material_reference,
    material_cost,
    cumulative,
):  # pragma: no cover - compiled
    """The one-agent form: one agent's (fee, fine, own monitoring cost, net benefit,
    cumulative net benefit) of the day [EUR]."""
    fee = fee_eur_per_day if pays_fee else 0.0
    net_benefit = (energy_reference - energy_cost) + (material_reference - material_cost) - fee - fine - monitoring_cost
    return fee, fine, monitoring_cost, net_benefit, cumulative + net_benefit


def tally_accounts(state: State, energy_reference_eur: np.ndarray) -> None:
    """Add the day's settled energy bill, energy reference ``energy_reference_eur``, fee and
    fine of every agent [EUR] to its totals since day 0 (``state.bill_total_eur``,
    ``alone_total_eur``, ``fees_total_eur``, ``fines_total_eur``)."""
    tally_arrays(
        state.energy_cost_eur,
        energy_reference_eur,
        state.fees_eur,
        state.fines_eur,
        state.bill_total_eur,
        state.alone_total_eur,
        state.fees_total_eur,
        state.fines_total_eur,
    )


@kernel
def tally_arrays(
    energy_cost, energy_reference, fees, fines, bill_total, alone_total, fees_total, fines_total
):  # pragma: no cover - compiled
    """The totals of :func:`tally_accounts`, agent by agent (:func:`tally_agent`), in place."""
    for i in range(energy_cost.size):
        bill_total[i], alone_total[i], fees_total[i], fines_total[i] = tally_agent(
            energy_cost[i],
            energy_reference[i],
            fees[i],
            fines[i],
            bill_total[i],
            alone_total[i],
            fees_total[i],
            fines_total[i],
        )


@kernel
def tally_agent(
    energy_cost, energy_reference, fee, fine, bill_total, alone_total, fees_total, fines_total
):  # pragma: no cover - compiled
    """The one-agent form: one agent's (energy bill, bill alone, fees, fines) since day 0
    [EUR], the day's settled amounts added::

        bill_total  + energy_cost, alone_total + energy_reference,
        fees_total  + fee,         fines_total + fine
    """
    return bill_total + energy_cost, alone_total + energy_reference, fees_total + fee, fines_total + fine


@kernel
def community_accounts(
    operator_cost,
    commune_share,
    meeting_cost,
    mediation_cost,
    sanction_cost,
    commune_sanctions,
    monitoring_cost,
    official_cost,
    peer_cost,
    fees,
    fines,
):  # pragma: no cover - compiled
    """The community's day [EUR]: what its account pays (the operator, less the share
    ``commune_share`` the commune pays, meetings, mediation, sanctioning unless officials
    sanction (``commune_sanctions``), and the monitoring neither officials nor peers pay), the
    change of its account (fees, and fines unless they go to the commune, in; that cost out)
    and the day's whole cost of governing (the commune's part of the operator, officials'
    sanctioning and monitoring and peers' monitoring included). ``peer_cost``, ``fees``,
    ``fines``: per agent."""
    peer = total(peer_cost)
    communes = sanction_cost if commune_sanctions else 0.0
    community = (
        operator_cost * (1.0 - commune_share)
        + meeting_cost
        + mediation_cost
        + sanction_cost
        - communes
        + monitoring_cost
        - official_cost
        - peer
    )
    whole = community + official_cost + peer + operator_cost * commune_share + communes
    takings = total(fees) + (0.0 if commune_sanctions else total(fines))
    return community, takings - community, whole


HOUSEHOLD_GROUPS = ("with_pv", "without_pv", "energy_poor")

# The other kinds by the name a members file gives them (core.scenario.MEMBER_KINDS): an
# official's agent is the public building it is responsible for, a participant of the operation.
_MEMBER_NAME = {model_kind: member_kind for member_kind, model_kind in MEMBER_KINDS.items()}
_OTHER_KINDS = tuple((kind.code, _MEMBER_NAME.get(kind.name, kind.name)) for kind in KINDS if kind.code != HOUSEHOLD)
PARTICIPANT_GROUPS = HOUSEHOLD_GROUPS + tuple(name for _, name in _OTHER_KINDS)


def household_groups(state: State) -> dict[str, np.ndarray]:
    """Households by what sets their bills apart, as masks over the agents: with PV,
    without PV, and in energy poverty (with or without PV)."""
    household = state.kind == HOUSEHOLD
    pv = state.pv_kwp > 0
    return {
        "with_pv": household & pv,
        "without_pv": household & ~pv,
        "energy_poor": household & state.energy_poor,
    }


def participant_groups(state: State) -> dict[str, np.ndarray]:
    """Every participant by group, as masks over the agents: the households' groups
    (:func:`household_groups`), then each other kind present, by its members-file name
    (``firm``; ``public``: the public buildings, an official's agent each). Names from
    :data:`PARTICIPANT_GROUPS`."""
    groups = household_groups(state)
    for code, name in _OTHER_KINDS:
        mask = state.kind == code
        if mask.any():
            groups[name] = mask
    return groups


@dataclass
class Ledger:
    """Each agent's money over the first ``days`` days [EUR]: its energy bill (inside the
    community when a member), what that bill would have been alone, its fees and its fines.
    ``saving = alone - bill``: what sharing saved it."""

    bill: np.ndarray
    alone: np.ndarray
    fees: np.ndarray
    fines: np.ndarray
    days: int = 0

    @classmethod
    def of(cls, state: State, days: int) -> Ledger:
        """The ledger of the totals kept in ``state`` over the ``days`` days simulated (copies)."""
        return cls(
            state.bill_total_eur.copy(),
            state.alone_total_eur.copy(),
            state.fees_total_eur.copy(),
            state.fines_total_eur.copy(),
            int(days),
        )

    def by_group(self, groups: dict[str, np.ndarray], per_days: float = 30.0) -> pd.DataFrame:
        """Mean amount per agent of each group per ``per_days`` days [EUR] (30: a month),
        rows the groups, columns ``bill``, ``fee``, ``fines``, ``saving`` and ``agents``."""
        rows = {}
        scale = per_days / max(self.days, 1)
        amounts = {"bill": self.bill, "fee": self.fees, "fines": self.fines, "saving": self.alone - self.bill}
        for name, mask in groups.items():
            count = int(mask.sum())
            rows[name] = {k: float(a[mask].mean()) * scale if count else np.nan for k, a in amounts.items()}
            rows[name]["agents"] = count
        table = pd.DataFrame.from_dict(rows, orient="index")
        table["agents"] = table["agents"].astype(int)
        return table
