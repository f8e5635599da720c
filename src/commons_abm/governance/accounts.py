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
from commons_abm.core.kinds import HOUSEHOLD
from commons_abm.core.state import State
from commons_abm.governance.institutions import Institutions

__all__ = [
    "HOUSEHOLD_GROUPS",
    "Ledger",
    "community_accounts",
    "household_groups",
    "daily_fixed_cost",
    "fixed_cost",
    "meetings_cost_per_day",
    "settle_accounts",
    "settle_agent",
    "settle_arrays",
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


@dataclass
class Ledger:
    """Each agent's money over the days it was kept [EUR]: its energy bill (inside the
    community when a member), what that bill would have been alone, its fees and its fines.
    ``saving = alone - bill``: what sharing saved it."""

    bill: np.ndarray
    alone: np.ndarray
    fees: np.ndarray
    fines: np.ndarray
    days: int = 0

    @classmethod
    def empty(cls, n: int) -> Ledger:
        """A ledger of ``n`` agents and no day yet."""
        return cls(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n))

    def add_day(self, bill: np.ndarray, alone: np.ndarray, fees: np.ndarray, fines: np.ndarray) -> None:
        """Add one day's per-agent amounts [EUR]."""
        self.bill += bill
        self.alone += alone
        self.fees += fees
        self.fines += fines
        self.days += 1

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
