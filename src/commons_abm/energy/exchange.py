"""The energy stage: one day of hourly electricity exchange in the community, as French
collective self-consumption works (Code de l'énergie, art. L315-2 to L315-8 and D315-1 ff.;
``docs/ODD.md``, "Collective self-consumption as the law sets it").

Each hour (the model's hour stands for two 30-minute metering steps with the same load and
output):

1. every PV owner uses its own PV first, behind its meter;
2. the surplus of every PV owner who is a member is the operation's production: all of
   it, metered, with no daily decision to withhold any (the organising body declares the
   allocation key to the distribution operator, which applies it to metered data, L315-4);
   non-members' surplus is exported under their own contracts;
3. the allocation key (design principle 2; :mod:`commons_abm.energy.allocation_keys`)
   shares the operation's production among the participants' remaining deficits, each
   capped at what it still needs; participants are the members, or everyone under open
   access (no boundary rule: design principle 1). Under a federation of neighbourhood
   communities (design principle 8, "nested enterprises": appropriation organised in
   layers, Ostrom 1990 ch. 3) the key works in two layers (:func:`federated_allocation`):
   each neighbourhood's production goes first to its own participants, and the federation
   balances what is left over, commune-wide, among those still in need; without one, a
   single commune-wide layer;
4. what the key leaves unallocated charges the community battery (storage is a consumer
   of the operation when it charges), within its power, room and efficiency; the rest is
   exported, the operation's unallocated surplus;
5. the battery's discharge (storage is then a producer) covers participants' remaining
   deficits, shared by the same key (the static key's battery output is shared equally,
   with redistribution, so that nothing discharged is left unplaced); a member who breaks
   an ``overdraw`` rule claims more than its weight of the battery's output, the one flow
   an operator dispatches on request;
6. what is still missing is imported from the supplier.

Money: imports at the import tariff, exports at the export price, community energy at the
community price. Producers are paid the community price for the allocated or stored energy
and the export price for the operation's unallocated export; the community account takes
in the community price for delivered energy and pays the producers (battery losses and
stock changes show up there).

Indicators (:data:`~commons_abm.core.indicators.COLUMNS`): the operation's
``community_self_sufficiency`` (participants' demand met by their own PV, the key and the
battery) and ``community_self_consumption`` (member producers' output used by themselves,
allocated or stored), and the territory's physical self-sufficiency and self-consumption
from its hourly net exchange with the grid.

Over 400 lines: the hour-by-hour exchange (own use, offers, the pool, the battery, the
allocation key, the grid, bills and the community's account) is one computation over the
day's arrays; its records (parameters in; flows, totals and the ``EnergyDay`` a step keeps
out) are defined beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from commons_abm.core.calendar import Day
from commons_abm.core.indicators import ratio
from commons_abm.core.kernels import kernel, total
from commons_abm.core.scenario import Energy, Scenario
from commons_abm.core.state import State
from commons_abm.energy.allocation_keys import EQUAL, KEY_CODES, STATIC, allocate_by_key
from commons_abm.energy.battery import dispatch_hours, one_way_efficiency
from commons_abm.energy.load_shifting import shift_load_kernel
from commons_abm.territory.demand import daily_demand
from commons_abm.territory.solar import hourly_yield_today

__all__ = [
    "EnergyDay",
    "EnergyFlows",
    "EnergyParameters",
    "EnergyTotals",
    "HOURLY_FLOWS",
    "energy_parameters",
    "energy_day",
    "exchange_arrays",
    "exchange_energy",
]

HOURLY_FLOWS = (
    "pv",
    "demand",
    "self_consumed",
    "pool_direct",
    "battery_charge",
    "battery_discharge",
    "import",
    "export",
    "soc_kwh",
    "unallocated",
    "participants_import",
)


class EnergyParameters(NamedTuple):
    """The shared battery and the tariffs, as :func:`exchange_arrays` takes them
    (:func:`energy_parameters` reads them from the scenario)."""

    battery_capacity_kwh: float  # usable energy capacity [kWh]
    battery_power_kw: float  # maximum charge and discharge power [kW]
    battery_one_way_efficiency: float  # square root of the round-trip efficiency [0-1]
    battery_evening_only: bool  # the operator's evening_peak dispatch: discharge only 17:00-22:00
    import_eur_per_kwh: float  # price of grid electricity [EUR/kWh]
    export_eur_per_kwh: float  # price paid for surplus sold outside [EUR/kWh]
    community_eur_per_kwh: float  # price of energy exchanged inside the community [EUR/kWh]


class EnergyTotals(NamedTuple):
    """The territory's energy totals of one day (:class:`EnergyDay`'s scalar fields, with
    units), as :func:`exchange_arrays` returns them.

    Balance: ``production_kwh + import_kwh = consumption_kwh + export_kwh +
    battery_change_kwh + losses_kwh + residual_kwh``, the residual zero up to rounding.
    """

    production_kwh: float  # PV output
    consumption_kwh: float  # demand met (all of it is)
    self_consumed_kwh: float  # PV used by its owners
    pool_direct_kwh: float  # pool energy delivered without storage
    battery_charge_in_kwh: float  # drawn from the pool into the battery
    battery_discharge_out_kwh: float  # delivered from the battery to agents
    battery_change_kwh: float  # stored energy at the end of the day minus at its start
    losses_kwh: float  # battery losses
    import_kwh: float  # from the grid
    export_kwh: float  # to the grid
    offered_kwh: float  # offered to the pool
    pool_export_kwh: float  # offered energy exported
    residual_kwh: float  # production + import - (consumption + export + battery change + losses)
    community_account_change_eur: float  # the day's change of the community account [EUR]
    battery_soc_end_kwh: float  # stored energy at the end of the day
    grid_import_kwh: float  # physical: the territory's hourly net draw from the grid, summed
    grid_export_kwh: float  # physical: the territory's hourly net injection into the grid, summed
    participants_demand_kwh: float  # demand of the operation's participants
    participants_local_kwh: float  # of it, met by their own PV, the key and the battery
    operation_production_kwh: float  # PV output of the member producers
    operation_used_kwh: float  # of it, used by themselves, allocated to participants or stored
    participants: float  # participants and member producers [count]
    participants_saving_eur: float  # their bills alone minus their bills in the operation [EUR]


class EnergyFlows(NamedTuple):
    """What :func:`exchange_arrays` returns: per-agent flows [kWh/day] and costs
    [EUR/day], the territory's hourly flows and its :class:`EnergyTotals`."""

    agent_import_kwh: np.ndarray  # imported by each agent
    agent_export_kwh: np.ndarray  # own surplus not offered plus the share of the pool's export
    agent_received_kwh: np.ndarray  # received from the pool and battery
    agent_battery_kwh: np.ndarray  # of it, from the battery
    agent_offered_kwh: np.ndarray  # offered to the pool
    agent_cost_eur: np.ndarray  # net energy bill inside the community [EUR/day]
    agent_reference_cost_eur: np.ndarray  # bill alone: deficit imported, surplus exported [EUR/day]
    hourly_kwh: np.ndarray  # (11, 24): rows :data:`HOURLY_FLOWS` [kWh; soc_kwh: stored energy at the hour's end]
    totals: EnergyTotals


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

    Physical, from the territory's hourly net exchange: ``grid_import`` and ``grid_export``.
    The operation: ``participants_demand`` and ``participants_local`` (met by own PV, the
    key and the battery), ``operation_production`` (member producers' output) and
    ``operation_used`` (used by themselves, allocated or stored), ``participants`` (count)
    and ``participants_saving_eur`` (their bills alone minus in the operation).

    Per agent, ``(n,)`` arrays [kWh/day]: ``agent_import``, ``agent_export`` (own surplus
    not the operation's plus the share of its unallocated export), ``agent_received`` (from
    the key and the battery), ``agent_offered`` (its surplus, the operation's production),
    ``agent_battery`` (from the battery); [EUR/day]: ``agent_cost_eur`` (net energy bill
    inside the community), ``agent_reference_cost_eur`` (bill alone: deficit imported, surplus
    exported). ``community_account_eur``: the day's change of the community account.

    ``hourly``: 24-value arrays of the territory's flows [kWh], keys :data:`HOURLY_FLOWS`
    (``soc_kwh`` is the battery's stored energy at the end of each hour, ``unallocated``
    the operation's production the key left, ``participants_import`` what participants
    still import after the key and the battery).
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
    agent_battery: np.ndarray
    agent_cost_eur: np.ndarray
    agent_reference_cost_eur: np.ndarray
    community_account_eur: float
    grid_import: float = 0.0
    grid_export: float = 0.0
    participants_demand: float = 0.0
    participants_local: float = 0.0
    operation_production: float = 0.0
    operation_used: float = 0.0
    participants: float = 0.0
    participants_saving_eur: float = 0.0
    hourly: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def self_sufficiency(self) -> float:
        """Share of the territory's consumption not drawn from the grid, hour by hour,
        1 - grid_import / consumption (NaN if 0)."""
        return float(ratio(self.consumption - self.grid_import, self.consumption))

    @property
    def self_consumption(self) -> float:
        """Share of the territory's production not injected into the grid, hour by hour,
        1 - grid_export / production (NaN if 0)."""
        return float(ratio(self.production - self.grid_export, self.production))

    @property
    def community_self_sufficiency(self) -> float:
        """Participants' demand met by their own PV, the key and the battery (NaN if none)."""
        return float(ratio(self.participants_local, self.participants_demand))

    @property
    def community_self_consumption(self) -> float:
        """Member producers' output used by themselves, allocated or stored (NaN if none)."""
        return float(ratio(self.operation_used, self.operation_production))

    @property
    def throughput(self) -> float:
        """Scale of the day's flows for relative checks [kWh]: production + import +
        consumption + export."""
        return self.production + self.import_ + self.consumption + self.export


def exchange_energy(
    state: State,
    scenario: Scenario,
    day: Day,
    rngs: dict[str, np.random.Generator],
    *,
    boundary: str | None = None,
    allocation_key: str | None = None,
    claim: np.ndarray | None = None,
    load_shift: np.ndarray | None = None,
    community_of: np.ndarray | None = None,
) -> EnergyDay:
    """Run one day of the energy commons (streams ``demand`` and ``weather``).

    ``boundary`` and ``allocation_key`` default to the scenario's ``rules`` (a rulebook
    sets them otherwise); ``claim`` is each agent's claim multiplier on pooled energy
    (more than 1 for members who overdraw, see :class:`~commons_abm.energy.allocation_keys.KeyInputs`);
    ``load_shift`` the share of each agent's daily demand that the community operator
    schedules into the hours of the day's PV output (:func:`shift_load`);
    ``community_of`` each agent's neighbourhood community under a federation (the pool's
    two layers, :func:`federated_allocation`; one commune-wide layer when omitted).

    Updates ``state.contributed_kwh`` (+ the day's offer), ``state.battery_received_kwh``,
    ``state.commons.battery_soc_kwh``,
    ``state.commons.community_account_eur`` and overwrites ``state.energy_cost_eur`` with
    each agent's net energy cost of the day.
    """
    energy = scenario.energy
    boundary = boundary or scenario.rules.boundary
    allocation_key = allocation_key or scenario.rules.allocation_key
    n = state.n
    demand = daily_demand(state, energy, day, rngs["demand"]).T  # (24, n), C-ordered
    per_kwp = hourly_yield_today(energy.pv, day, rngs["weather"])
    flows = exchange_arrays(
        demand,
        state.pv_kwp,
        state.pv_performance,
        per_kwp,
        np.zeros(0) if load_shift is None else np.asarray(load_shift, dtype=float),
        state.member.astype(bool, copy=False),
        boundary == "open_access",
        KEY_CODES[allocation_key],
        state.energy_poor.astype(bool, copy=False),
        state.contributed_kwh,
        np.ones(n) if claim is None else np.asarray(claim, dtype=float),
        float(state.commons.battery_soc_kwh),
        energy_parameters(energy),
        np.zeros(n, dtype=np.int32) if community_of is None else np.asarray(community_of),
    )
    day_flows = energy_day(flows)
    state.contributed_kwh += day_flows.agent_offered
    state.commons.battery_soc_kwh = flows.totals.battery_soc_end_kwh
    state.commons.community_account_eur += day_flows.community_account_eur
    state.energy_cost_eur[:] = day_flows.agent_cost_eur
    state.battery_received_kwh[:] = day_flows.agent_battery
    return day_flows


def energy_day(flows: EnergyFlows) -> EnergyDay:
    """The :class:`EnergyDay` of what :func:`exchange_arrays` returned."""
    t = flows.totals
    return EnergyDay(
        production=t.production_kwh,
        consumption=t.consumption_kwh,
        self_consumed=t.self_consumed_kwh,
        pool_direct=t.pool_direct_kwh,
        battery_charge_in=t.battery_charge_in_kwh,
        battery_discharge_out=t.battery_discharge_out_kwh,
        battery_change=t.battery_change_kwh,
        losses=t.losses_kwh,
        import_=t.import_kwh,
        export=t.export_kwh,
        offered=t.offered_kwh,
        pool_export=t.pool_export_kwh,
        residual=t.residual_kwh,
        agent_import=flows.agent_import_kwh,
        agent_export=flows.agent_export_kwh,
        agent_received=flows.agent_received_kwh,
        agent_offered=flows.agent_offered_kwh,
        agent_battery=flows.agent_battery_kwh,
        agent_cost_eur=flows.agent_cost_eur,
        agent_reference_cost_eur=flows.agent_reference_cost_eur,
        community_account_eur=t.community_account_change_eur,
        grid_import=t.grid_import_kwh,
        grid_export=t.grid_export_kwh,
        participants_demand=t.participants_demand_kwh,
        participants_local=t.participants_local_kwh,
        operation_production=t.operation_production_kwh,
        operation_used=t.operation_used_kwh,
        participants=t.participants,
        participants_saving_eur=t.participants_saving_eur,
        hourly=dict(zip(HOURLY_FLOWS, flows.hourly_kwh)),
    )


@kernel
def exchange_arrays(
    demand,
    pv_kwp,
    pv_performance,
    per_kwp,
    shift,
    member,
    open_access,
    key,
    energy_poor,
    contributed,
    claim,
    soc,
    p,
    community_of,
):  # pragma: no cover - compiled
    """The day's flows of :func:`exchange_energy` on plain arrays (``demand`` ``(24, n)`` is
    changed by the operator's load shifting; ``p``: :class:`EnergyParameters`;
    ``community_of``: each agent's neighbourhood community under a federation, all 0
    without one): per-agent flows and costs, the territory's hourly flows (rows
    :data:`HOURLY_FLOWS`) and totals, as :class:`EnergyFlows`."""
    p_imp, p_exp, p_com = p.import_eur_per_kwh, p.export_eur_per_kwh, p.community_eur_per_kwh
    hours, n = demand.shape
    # Only PV owners can have a surplus and only eligible agents draw from the pool.
    kwp = pv_kwp * pv_performance
    owners = np.flatnonzero(kwp > 0)
    m = owners.size
    pv = np.empty((hours, m))
    hour_pv = np.empty(hours)
    for h in range(hours):
        for o in range(m):
            pv[h, o] = per_kwp[h] * kwp[owners[o]]
        hour_pv[h] = total(pv[h])
    if shift.size:
        shift_load_kernel(demand, hour_pv, shift)

    # own PV first: each owner's deficit and surplus; members' surplus is the operation's production
    own_deficit = np.empty((hours, m))
    surplus = np.empty((hours, m))
    offer = np.empty((hours, m))
    offer_share = np.empty(m)
    for o in range(m):
        offer_share[o] = 1.0 if member[owners[o]] else 0.0
    pool_supply = np.empty(hours)
    hour_spare = np.empty(hours)
    for h in range(hours):
        for o in range(m):
            net = demand[h, owners[o]] - pv[h, o]
            surplus[h, o] = max(-net, 0.0)
            own_deficit[h, o] = max(net, 0.0)
            offer[h, o] = surplus[h, o] * offer_share[o]
        pool_supply[h] = total(offer[h])
        hour_spare[h] = total(surplus[h])

    eligible = np.arange(n) if open_access else np.flatnonzero(member)
    k = eligible.size
    position = np.full(n, -1)
    for e in range(k):
        position[eligible[e]] = e
    caps = np.empty((hours, k))  # participants' deficits after their own PV: their metered consumption
    for h in range(hours):
        for e in range(k):
            caps[h, e] = demand[h, eligible[e]]
    for o in range(m):
        e = position[owners[o]]
        if e >= 0:
            caps[:, e] = own_deficit[:, o]
    weights = caps.copy()  # the keys weigh metered consumption (D315-6: pro rata consumption)

    # the key shares the operation's production among the participants' deficits
    offering = np.flatnonzero(offer_share > 0)
    offer_columns = np.empty(offering.size, dtype=np.int64)
    offered_hourly = np.empty((hours, offering.size))
    for j in range(offering.size):
        offer_columns[j] = position[owners[offering[j]]]
        offered_hourly[:, j] = offer[:, offering[j]]
    poor, before, no_claim = energy_poor[eligible], contributed[eligible], np.ones(k)
    if community_of.size and community_of.max() > 0:
        allocated = federated_allocation(
            key,
            offer,
            owners,
            community_of,
            eligible,
            caps,
            weights,
            poor,
            before,
            offered_hourly,
            offer_columns,
            offering,
        )
    else:
        allocated = allocate_by_key(
            key, pool_supply, caps, weights, poor, before, offered_hourly, offer_columns, no_claim
        )
    direct = np.empty(hours)
    need_after = np.empty(hours)
    for h in range(hours):
        direct[h] = total(allocated[h])
        for e in range(k):
            caps[h, e] = max(caps[h, e] - allocated[h, e], 0.0)
        need_after[h] = total(caps[h])

    # the battery stores what the key left unallocated and covers what is still missing
    charge_in, discharge_out, soc_path, losses, soc_start = dispatch_hours(
        pool_supply - direct,
        need_after,
        soc,
        p.battery_capacity_kwh,
        p.battery_power_kw,
        p.battery_one_way_efficiency,
        p.battery_evening_only,
    )
    used_share = np.zeros(hours)
    for h in range(hours):
        if pool_supply[h] > 0:
            used_share[h] = (direct[h] + charge_in[h]) / pool_supply[h]
    battery_key = EQUAL if key == STATIC else key
    from_battery = allocate_by_key(
        battery_key, discharge_out, caps, weights, poor, before, offered_hourly, offer_columns, claim[eligible]
    )
    received = allocated + from_battery

    # per-agent daily totals [kWh]
    agent_consumption = np.zeros(n)
    hour_demand = np.empty(hours)
    for h in range(hours):
        row = demand[h]
        for i in range(n):
            agent_consumption[i] += row[i]
        hour_demand[h] = total(row)
    agent_production = np.zeros(n)
    agent_surplus = np.zeros(n)
    agent_deficit = agent_consumption.copy()
    agent_offered = np.zeros(n)
    agent_used = np.zeros(n)  # offered energy the community used
    for o in range(m):
        i = owners[o]
        produced = 0.0
        spare = 0.0
        short = 0.0
        given = 0.0
        used = 0.0
        for h in range(hours):
            produced += pv[h, o]
            spare += surplus[h, o]
            short += own_deficit[h, o]
            given += offer[h, o]
            used += used_share[h] * offer[h, o]
        agent_production[i] = produced
        agent_surplus[i] = spare
        agent_deficit[i] = short
        agent_offered[i] = given
        agent_used[i] = used
    agent_received = np.zeros(n)
    agent_battery = np.zeros(n)
    hour_received = np.zeros(hours)
    for h in range(hours):
        if direct[h] + discharge_out[h] > 0:  # (nothing is received in the other hours)
            for e in range(k):
                agent_received[eligible[e]] += received[h, e]
                agent_battery[eligible[e]] += from_battery[h, e]
            hour_received[h] = total(received[h])
    agent_import = np.maximum(agent_deficit - agent_received, 0.0)
    agent_export = agent_surplus - agent_used
    cost = agent_import * p_imp - agent_export * p_exp + (agent_received - agent_used) * p_com
    reference = agent_deficit * p_imp - agent_surplus * p_exp
    account = p_com * (total(agent_received) - total(agent_used))

    # the territory's hourly flows and totals [kWh]
    hourly = np.zeros((11, hours))  # rows: HOURLY_FLOWS
    for h in range(hours):
        hourly[0, h] = hour_pv[h]
        hourly[1, h] = hour_demand[h]
        hourly[2, h] = hour_pv[h] - hour_spare[h]
        hourly[3, h] = direct[h]
        hourly[4, h] = charge_in[h]
        hourly[5, h] = discharge_out[h]
        hourly[6, h] = (hourly[1, h] - hourly[2, h]) - hour_received[h]
        hourly[7, h] = (hour_pv[h] - hourly[2, h]) - direct[h] - charge_in[h]
        hourly[8, h] = soc_path[h]
        hourly[9, h] = pool_supply[h] - direct[h]
        hourly[10, h] = max(need_after[h] - discharge_out[h], 0.0)
    soc_end = soc_path[-1] if hours else soc_start
    grid_in = np.empty(hours)  # the territory's net exchange with the grid, hour by hour
    grid_out = np.empty(hours)
    for h in range(hours):
        net = hour_demand[h] + charge_in[h] - hour_pv[h] - discharge_out[h]
        grid_in[h] = max(net, 0.0)
        grid_out[h] = max(-net, 0.0)
    # the operation: participants (consumers) and member producers
    in_operation = np.zeros(n, dtype=np.bool_)
    participants_demand = 0.0
    participants_local = 0.0
    for e in range(k):
        i = eligible[e]
        in_operation[i] = True
        participants_demand += agent_consumption[i]
        participants_local += agent_consumption[i] - agent_deficit[i] + agent_received[i]
    operation_production = 0.0
    operation_own = 0.0
    for o in range(m):
        i = owners[o]
        if offer_share[o] > 0:
            in_operation[i] = True
            operation_production += agent_production[i]
            operation_own += agent_production[i] - agent_surplus[i]
    production, consumption = total(agent_production), total(agent_consumption)
    import_, export, lost = total(agent_import), total(agent_export), total(losses)
    battery_change = soc_end - soc_start
    totals = EnergyTotals(
        production_kwh=production,
        consumption_kwh=consumption,
        self_consumed_kwh=total(hourly[2]),
        pool_direct_kwh=total(direct),
        battery_charge_in_kwh=total(charge_in),
        battery_discharge_out_kwh=total(discharge_out),
        battery_change_kwh=battery_change,
        losses_kwh=lost,
        import_kwh=import_,
        export_kwh=export,
        offered_kwh=total(agent_offered),
        pool_export_kwh=total(pool_supply - direct - charge_in),
        residual_kwh=production + import_ - (consumption + export + battery_change + lost),
        community_account_change_eur=account,
        battery_soc_end_kwh=soc_end,
        grid_import_kwh=total(grid_in),
        grid_export_kwh=total(grid_out),
        participants_demand_kwh=participants_demand,
        participants_local_kwh=participants_local,
        operation_production_kwh=operation_production,
        operation_used_kwh=operation_own + total(direct) + total(charge_in),
        participants=float(in_operation.sum()),
        participants_saving_eur=total((reference - cost)[in_operation]),
    )
    return EnergyFlows(
        agent_import_kwh=agent_import,
        agent_export_kwh=agent_export,
        agent_received_kwh=agent_received,
        agent_battery_kwh=agent_battery,
        agent_offered_kwh=agent_offered,
        agent_cost_eur=cost,
        agent_reference_cost_eur=reference,
        hourly_kwh=hourly,
        totals=totals,
    )


@kernel
def federated_allocation(
    key, offer, owners, community_of, eligible, caps, weights, poor, before, offered_hourly, offer_columns, offering
):  # pragma: no cover - compiled
    """The pool's allocation ``(H, k)`` among the ``eligible`` participants under a federation:
    each neighbourhood community's production (``offer`` ``(H, m)`` of the ``owners``) shared
    by the key among its own participants first, then what all of them left over shared by the
    key, commune-wide, among the participants still in need (``caps`` ``(H, k)`` their
    deficits; ``offered_hourly`` and ``offer_columns`` the offering owners' offers and
    positions, ``offering`` which owners offer)."""
    hours, k = caps.shape
    allocated = np.zeros((hours, k))
    leftover = np.zeros(hours)
    layer_of = np.empty(k, dtype=np.int64)
    for e in range(k):
        layer_of[e] = community_of[eligible[e]]
    for g in range(community_of.max() + 1):
        members = np.flatnonzero(layer_of == g)
        index = np.full(k, -1)
        for j in range(members.size):
            index[members[j]] = j
        supply = np.zeros(hours)
        for o in range(owners.size):
            if community_of[owners[o]] == g:
                for h in range(hours):
                    supply[h] += offer[h, o]
        if members.size == 0:
            leftover += supply
            continue
        here = np.zeros(offering.size, dtype=np.bool_)
        for j in range(offering.size):
            here[j] = community_of[owners[offering[j]]] == g
        local = np.flatnonzero(here)
        columns = np.empty(local.size, dtype=np.int64)
        for j in range(local.size):
            columns[j] = index[offer_columns[local[j]]]
        got = allocate_by_key(
            key,
            supply,
            caps[:, members],
            weights[:, members],
            poor[members],
            before[members],
            offered_hourly[:, local],
            columns,
            np.ones(members.size),
        )
        for h in range(hours):
            for j in range(members.size):
                allocated[h, members[j]] = got[h, j]
            leftover[h] += supply[h] - total(got[h])
    if not leftover.max() > 0.0:  # every neighbourhood used all it produced
        return allocated
    needs = np.empty((hours, k))
    for h in range(hours):
        for e in range(k):
            needs[h, e] = max(caps[h, e] - allocated[h, e], 0.0)
    allocated += allocate_by_key(key, leftover, needs, weights, poor, before, offered_hourly, offer_columns, np.ones(k))
    return allocated


def energy_parameters(energy: Energy) -> EnergyParameters:
    """The battery's capacity, power and one-way efficiency, and the import, export and
    community tariffs, as :func:`exchange_arrays` takes them."""
    battery, tariffs = energy.battery, energy.tariffs
    return EnergyParameters(
        battery_capacity_kwh=float(battery.capacity_kwh),
        battery_power_kw=float(battery.power_kw),
        battery_one_way_efficiency=float(one_way_efficiency(battery.round_trip_efficiency)),
        battery_evening_only=battery.dispatch == "evening_peak",
        import_eur_per_kwh=float(tariffs.import_eur_per_kwh),
        export_eur_per_kwh=float(tariffs.export_eur_per_kwh),
        community_eur_per_kwh=float(tariffs.community_eur_per_kwh),
    )
