"""The energy stage: one day of hourly electricity exchange in the community.

Each hour, every agent first uses its own PV (self-consumption). Members offer the share
``share_fraction`` of their surplus to the community pool; the rest of any surplus is
exported to the grid. The pool serves the eligible agents' deficits (members only, or
everyone under open access: design principle 1, clearly defined boundaries) directly,
stores what is left in the shared battery and exports the remainder; what the pool cannot
cover directly is drawn from the battery; the allocation key (design principle 2) shares
what is delivered; the remaining deficits are imported. This is the order of French
collective self-consumption (Code de l'énergie, art. L315-2 ff.): local production is
shared first, the supplier covers the complement.

Money: imports at the import tariff, exports at the export price, community energy at the
community price. Contributors are paid the community price for the offered energy the
community used (directly or stored) and the export price for their share of the pool's
export; the community account takes in the community price for delivered energy and pays
the contributors (battery losses and stock changes show up there).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from commons_abm.allocation import KEYS, KeyInputs
from commons_abm.battery import dispatch
from commons_abm.calendar import Day
from commons_abm.profiles import daily_demand
from commons_abm.scenario import Scenario
from commons_abm.solar import hourly_output
from commons_abm.state import State

__all__ = ["EnergyDay", "HOURLY_FLOWS", "exchange_energy", "shift_load"]

HOURLY_FLOWS = (
    "pv", "demand", "self_consumed", "pool_direct", "battery_charge", "battery_discharge",
    "import", "export", "soc_kwh",
)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else float("nan")


@dataclass
class EnergyDay:
    """What the energy stage did in one day.

    Territory totals [kWh/day]: ``production``, ``consumption``, ``self_consumed``,
    ``pool_direct`` (pool energy delivered without storage), ``battery_charge_in`` (drawn
    from the pool into the battery), ``battery_discharge_out`` (delivered to agents),
    ``battery_change`` (stored energy at the end minus at the start), ``losses`` (battery),
    ``import_``, ``export``, ``offered`` (to the pool), ``pool_export`` (offered energy
    exported) and ``residual`` = production + import - (consumption + export +
    battery_change + losses), zero up to rounding.

    Per agent, ``(n,)`` arrays [kWh/day]: ``agent_import``, ``agent_export`` (own surplus
    not offered plus the share of the pool's export), ``agent_received`` (from the pool and
    battery), ``agent_offered``; [EUR/day]: ``agent_cost_eur`` (net energy bill inside the
    community), ``agent_reference_cost_eur`` (bill alone: deficit imported, surplus
    exported). ``community_account_eur``: the day's change of the community account.

    ``hourly``: 24-value arrays of the territory's flows [kWh], keys :data:`HOURLY_FLOWS`
    (``soc_kwh`` is the battery's stored energy at the end of each hour).
    """

    production: float
    consumption: float
    self_consumed: float
    pool_direct: float
    battery_charge_in: float
    battery_discharge_out: float
    battery_change: float
    losses: float
    import_: float
    export: float
    offered: float
    pool_export: float
    residual: float
    agent_import: np.ndarray
    agent_export: np.ndarray
    agent_received: np.ndarray
    agent_offered: np.ndarray
    agent_cost_eur: np.ndarray
    agent_reference_cost_eur: np.ndarray
    community_account_eur: float
    hourly: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def self_sufficiency(self) -> float:
        """Share of consumption not imported, (consumption - import) / consumption (NaN if 0)."""
        return _ratio(self.consumption - self.import_, self.consumption)

    @property
    def self_consumption(self) -> float:
        """Share of production used in the territory, (production - export) / production
        (NaN if 0)."""
        return _ratio(self.production - self.export, self.production)

    @property
    def throughput(self) -> float:
        """Scale of the day's flows for relative checks [kWh]: production + import +
        consumption + export."""
        return self.production + self.import_ + self.consumption + self.export


def exchange_energy(
    state: State, scenario: Scenario, day: Day, rngs: dict[str, np.random.Generator], *,
    boundary: str | None = None, allocation_key: str | None = None, claim: np.ndarray | None = None,
    load_shift: np.ndarray | None = None,
) -> EnergyDay:
    """Run one day of the energy commons (streams ``demand`` and ``weather``).

    ``boundary`` and ``allocation_key`` default to the scenario's ``rules`` (a rulebook
    sets them otherwise); ``claim`` is each agent's claim multiplier on pooled energy
    (more than 1 for members who overdraw, see :class:`~commons_abm.allocation.KeyInputs`);
    ``load_shift`` the share of each agent's daily demand that the community operator
    schedules into the hours of the day's PV output (:func:`shift_load`).

    Updates ``state.contributed_kwh`` (+ the day's offer), ``state.commons.battery_soc_kwh``,
    ``state.commons.community_account_eur`` and overwrites ``state.energy_cost_eur`` with
    each agent's net energy cost of the day.
    """
    energy, tariffs = scenario.energy, scenario.energy.tariffs
    boundary = boundary or scenario.rules.boundary
    allocation_key = allocation_key or scenario.rules.allocation_key
    n = state.n
    # Hourly arrays are (24, agents), C-ordered. Only PV owners can have a surplus and only
    # eligible agents draw from the pool, so the work is done on those columns.
    demand = daily_demand(state, energy, day, rngs["demand"]).T
    kwp = state.pv_kwp * state.pv_performance
    owners = np.flatnonzero(kwp > 0)
    pv = hourly_output(kwp[owners], energy.pv, day, rngs["weather"])  # (24, owners)
    if load_shift is not None:
        shift_load(demand, pv.sum(axis=1), load_shift)
    # (np.take keeps the (24, k) selections C-ordered like everything else; fancy indexing
    # of columns would give Fortran-ordered arrays, slow to mix with C-ordered ones)
    own_deficit = np.take(demand, owners, axis=1)  # a copy, made the owners' net demand in place
    own_deficit -= pv
    surplus = np.maximum(-own_deficit, 0.0)  # (24, owners)
    np.maximum(own_deficit, 0.0, out=own_deficit)
    member = state.member.astype(bool, copy=False)
    offer_share = state.share_fraction[owners] * member[owners]
    offer = surplus * offer_share  # (24, owners)
    pool_supply = offer.sum(axis=1)  # S per hour

    if boundary == "open_access":
        eligible = np.arange(n)
    else:
        eligible = np.flatnonzero(member)
    position = np.full(n, -1)
    position[eligible] = np.arange(eligible.size)
    at = position[owners]
    owner_eligible = at >= 0
    weights = np.take(demand, eligible, axis=1) if eligible.size < n else demand
    caps = weights.copy()  # eligible agents' deficits
    caps[:, at[owner_eligible]] = np.take(own_deficit, np.flatnonzero(owner_eligible), axis=1)
    pool_need = caps.sum(axis=1)  # D per hour

    direct = np.minimum(pool_supply, pool_need)
    batt = dispatch(pool_supply - direct, pool_need - direct,
                    state.commons.battery_soc_kwh, energy.battery)
    delivered = direct + batt.discharge_out
    with np.errstate(divide="ignore", invalid="ignore"):
        used_share = np.where(pool_supply > 0, (direct + batt.charge_in) / pool_supply, 0.0)

    # the allocation key shares what is delivered among the eligible agents
    offering = np.flatnonzero(offer_share > 0)
    inputs = KeyInputs(
        demand=weights,
        energy_poor=state.energy_poor[eligible],
        contributed_before=state.contributed_kwh[eligible],
        offer=np.take(offer, offering, axis=1),
        offer_columns=at[offering],
        claim=None if claim is None else claim[eligible],
    )
    received = KEYS[allocation_key](delivered, caps, inputs)

    # per-agent daily totals [kWh]
    agent_consumption = demand.sum(axis=0)
    agent_production = _spread(n, owners, pv.sum(axis=0))
    agent_surplus = _spread(n, owners, surplus.sum(axis=0))
    agent_deficit = agent_consumption.copy()
    agent_deficit[owners] = own_deficit.sum(axis=0)
    agent_offered = _spread(n, owners, offer.sum(axis=0))
    agent_used = _spread(n, owners, used_share @ offer)  # offered energy the community used
    agent_received = _spread(n, eligible, received.sum(axis=0))
    agent_import = np.maximum(agent_deficit - agent_received, 0.0)
    agent_export = agent_surplus - agent_used

    p_imp, p_exp, p_com = (tariffs.import_eur_per_kwh, tariffs.export_eur_per_kwh,
                           tariffs.community_eur_per_kwh)
    cost = agent_import * p_imp - agent_export * p_exp + (agent_received - agent_used) * p_com
    reference = agent_deficit * p_imp - agent_surplus * p_exp
    account = float(p_com * (agent_received.sum() - agent_used.sum()))

    state.contributed_kwh += agent_offered
    state.commons.battery_soc_kwh = batt.soc_end
    state.commons.community_account_eur += account
    state.energy_cost_eur[:] = cost

    # territory totals [kWh]
    hour_pv = pv.sum(axis=1)
    hour_demand = demand.sum(axis=1)
    hour_self = hour_pv - surplus.sum(axis=1)
    hour_import = (hour_demand - hour_self) - received.sum(axis=1)
    hour_export = (hour_pv - hour_self) - direct - batt.charge_in
    production = float(agent_production.sum())
    consumption = float(agent_consumption.sum())
    import_ = float(agent_import.sum())
    export = float(agent_export.sum())
    losses = float(batt.losses.sum())
    battery_change = batt.soc_end - batt.soc_start
    return EnergyDay(
        production=production,
        consumption=consumption,
        self_consumed=float(hour_self.sum()),
        pool_direct=float(direct.sum()),
        battery_charge_in=float(batt.charge_in.sum()),
        battery_discharge_out=float(batt.discharge_out.sum()),
        battery_change=battery_change,
        losses=losses,
        import_=import_,
        export=export,
        offered=float(agent_offered.sum()),
        pool_export=float((pool_supply - direct - batt.charge_in).sum()),
        residual=production + import_ - (consumption + export + battery_change + losses),
        agent_import=agent_import,
        agent_export=agent_export,
        agent_received=agent_received,
        agent_offered=agent_offered,
        agent_cost_eur=cost,
        agent_reference_cost_eur=reference,
        community_account_eur=account,
        hourly={
            "pv": hour_pv,
            "demand": hour_demand,
            "self_consumed": hour_self,
            "pool_direct": direct,
            "battery_charge": batt.charge_in,
            "battery_discharge": batt.discharge_out,
            "import": hour_import,
            "export": hour_export,
            "soc_kwh": batt.soc,
        },
    )


def shift_load(demand: np.ndarray, pv_by_hour: np.ndarray, share: np.ndarray) -> None:
    """Move the share ``share[i]`` of each agent's daily demand into the hours of the day's
    PV output, in proportion to the territory's production in each hour (in place).

    The community operator synchronises flows (000: "la synchronisation et la coopération
    entre acteurs"): it schedules members' flexible loads (water heating, washing) when
    the community produces. Each agent's daily demand is unchanged; on a day without PV
    nothing moves. ``demand`` is ``(24, agents)``.
    """
    total = float(pv_by_hour.sum())
    shifting = np.flatnonzero(share > 0)
    if total <= 0.0 or not shifting.size:
        return
    # only the agents who shift load change (the others' demand is multiplied by 1, plus 0)
    part = np.take(demand, shifting, axis=1)
    movable = part.sum(axis=0) * share[shifting]
    part *= 1.0 - share[shifting]
    part += np.outer(pv_by_hour / total, movable)
    demand[:, shifting] = part


def _spread(n: int, index: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A length-``n`` array holding ``values`` at ``index`` and 0 elsewhere."""
    out = np.zeros(n)
    out[index] = values
    return out
