"""The materials stage: one day of end-of-life goods and by-products down the waste hierarchy.

Routes follow the waste hierarchy of the EU Waste Framework Directive (2008/98/EC,
art. 4): prevention and re-use, preparing for re-use (repair), recycling, other recovery
(here energy recovery) and disposal (landfill), plus illegal dumping outside it. Firms
exchange by-products over their ties (industrial symbiosis, Chertow 2000; "one's waste is
another's resource", Fing's Kit AgirLocal, ``002_2c516223579a919e.txt``):
:mod:`commons_abm.materials.symbiosis`. The shared reuse-and-repair hub is
:mod:`commons_abm.materials.repair_hub`.

**Households**, each day: waste = ``waste_kg_per_day`` x log-normal noise (mean 1,
coefficient of variation ``materials.daily_cv``, one draw per agent from the
``materials`` stream). It splits by the shares into reusable, repairable, recyclable and
other (residual) waste. A share ``hub_bring_rate`` of the reusable and repairable goods
is brought to the hub; the rest joins the residual stream. Recyclables are sorted at
``sorting_rate``; unsorted ones join the residual stream. Goods the hub refuses (intake or
storage full; every household sees the same acceptance share) also join the residual
stream of the household that brought them. Of the residual stream a share
``dumping_rate`` is dumped illegally; the rest goes to energy recovery
(``energy_recovery_share``) or landfill.

**Firms**, each day: by-products = ``byproduct_kg_per_day`` x noise go first to
symbiosis; what is left is recycled at ``byproduct_recycling_share`` and the rest goes to
energy recovery or landfill by the same split as households' residual waste (firms do not
dump). Input demand is ``input_kg_per_day`` (no noise); virgin input = demand minus the
secondary material received.

**Costs** [EUR/day], written to ``state.material_cost_eur`` (overwritten each day): whoever
sends material down a route pays that route's price per kg (``materials.costs``).
Households pay for what they sort (recycling), for what the hub accepts from them (reuse
or repair price, paid at intake; the price covers the hub's later recycling of failed
repairs) and for their residual waste that is recovered or landfilled. Dumped waste costs
the dumper nothing: its clean-up is paid by the commune and reported as the territory
total ``dumping_cleanup_eur``. Firms pay their recycling, recovery and landfill, the
reuse price on by-products they give to other firms, ``virgin_eur_per_kg`` per kg of
virgin input and ``secondary_eur_per_kg`` per kg of secondary material received; the
seller earns ``secondary_eur_per_kg`` per kg given. ``reference_cost_eur`` is what each
agent would pay with no hub and no symbiosis: same sorting and dumping, all reusable and
repairable goods in the residual stream, firms' whole demand bought virgin and all
by-products down the hierarchy. The model derives net benefits from the two.

**Circularity** follows the spirit of Eurostat's circular material use rate (CMU,
indicator ``cei_srm030``): CMU = U / (U + V), where U is circular use = reuse (hub reuse
plus symbiosis exchange) + successful repair + recycling, and V is virgin material =
households' new goods + firms' virgin input. Households' new goods are taken equal to
the waste they generate (a steady-state assumption: what is discarded is replaced)
minus the goods the hub returns to use (reuse and successful repair), floored at zero.
Recycled material counts as circular use whether or not it is used inside the
territory, as in Eurostat's indicator. CMU is 0 on a day with no material at all.

**Mass balance** ("rien ne se perd, rien ne se crée", every kg accounted for each day):
inputs = household waste + firms' by-products = reuse + repair + recycling + recovery +
landfill + dumping + change of hub stocks; ``residual`` is the difference (zero up to
rounding).

**One agent's routes** are written once, in two one-agent forms that the population
kernel :func:`route_arrays` calls agent by agent and the reference engine's agents call one
at a time (``HouseholdRules`` and ``FirmRules`` in :mod:`commons_abm.agents.rules`):
:func:`plan_routes` (the day's goods or by-products and input demand, what is sorted and
brought to the hub, the dumping share; :class:`MaterialPlan`) and :func:`settle_routes`
(once the hub and symbiosis have taken their part: dumping, recycling, recovery, landfill,
virgin input, the cost and the reference cost; :class:`MaterialSettlement`). For
household ``i`` with waste ``W_i`` and today's multipliers ``sigma_i, beta_i, delta_i``::

    sorted_i  = W_i rho_c min(sorting_rate sigma_i, 1)
    brought_i = W_i rho_u min(hub_bring_rate beta_i, 1) + W_i rho_r min(hub_bring_rate beta_i, 1)
    residual_i = max(W_i - sorted_i - a brought_i, 0),   dumped_i = residual_i min(dumping_rate delta_i, 1)
    recovered_i = e (residual_i - dumped_i),              landfilled_i = (residual_i - dumped_i) - recovered_i

(``a`` the hub's acceptance share, :mod:`commons_abm.materials.repair_hub`).

Over 400 lines: the day's routes, the named records their kernel takes and returns
(:class:`RoutingParameters`, :class:`MaterialRoutes`, :class:`MaterialTotals`), the
one-agent forms and their records and the :class:`MaterialsDay` built from them are read
together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from commons_abm.core.calendar import Day
from commons_abm.core.kernels import flat, kernel
from commons_abm.core.kinds import DISCARDS_GOODS, MATERIAL_ROLE_OF, TRADES_BYPRODUCTS, has_role
from commons_abm.core.scenario import Materials, Scenario
from commons_abm.core.state import State
from commons_abm.materials.repair_hub import HubCapacities, accepted_goods, capacities, hub_flows
from commons_abm.materials.symbiosis import exchange, symbiosis_pairs
from commons_abm.territory.build import lognormal_noise

__all__ = [
    "MaterialPlan",
    "MaterialRoutes",
    "MaterialSettlement",
    "MaterialTotals",
    "MaterialsDay",
    "RoutingParameters",
    "exchange_pairs",
    "materials_day",
    "plan_routes",
    "route_arrays",
    "route_materials",
    "routing_parameters",
    "settle_routes",
]


class RoutingParameters(NamedTuple):
    """Households' and firms' shares and rates, the prices of the routes and the hub's
    capacities, as :func:`route_arrays` takes them (:func:`routing_parameters` reads them
    from the scenario)."""

    sorting_rate: float  # share of recyclable waste sorted [0-1]
    hub_bring_rate: float  # share of reusable and repairable goods brought to the hub [0-1]
    dumping_rate: float  # share of unsorted waste dumped illegally [0-1]
    recyclable_share: float  # share of household waste that is recyclable [0-1]
    reusable_share: float  # share of household waste reusable as is [0-1]
    repairable_share: float  # share of household waste that is repairable [0-1]
    energy_recovery_share: float  # share of residual waste incinerated with energy recovery [0-1]
    byproduct_recycling_share: float  # share of firms' unexchanged by-products recycled [0-1]
    recycling_eur_per_kg: float  # price of recycling [EUR/kg]
    recovery_eur_per_kg: float  # price of energy recovery [EUR/kg]
    landfill_eur_per_kg: float  # price of landfill [EUR/kg]
    reuse_eur_per_kg: float  # price of reuse [EUR/kg]
    repair_eur_per_kg: float  # price of repair [EUR/kg]
    virgin_eur_per_kg: float  # price of virgin input [EUR/kg]
    secondary_eur_per_kg: float  # price of secondary material [EUR/kg]
    residual_eur_per_kg: float  # price of residual waste, recovery and landfill by their shares [EUR/kg]
    hub: HubCapacities  # the reuse-and-repair hub's capacities


class MaterialPlan(NamedTuple):
    """One agent's material plan of the day, as :func:`plan_routes` returns it [kg/day]."""

    waste_kg: float  # household waste generated
    byproduct_kg: float  # firm's by-product generated
    demand_kg: float  # firm's input demand
    sorted_kg: float  # recyclables sorted
    brought_reuse_kg: float  # reusable goods brought to the hub
    brought_repair_kg: float  # goods needing repair brought to the hub
    dumping_share: float  # share of the residual stream dumped illegally [0-1]


class MaterialSettlement(NamedTuple):
    """Where one agent's goods and by-products end, once the hub and symbiosis have taken
    their part, as :func:`settle_routes` returns it [kg/day; costs EUR/day]."""

    dumped_kg: float  # dumped illegally
    virgin_kg: float  # virgin input bought
    recycled_kg: float  # sorted recyclables + recycled by-products
    recovered_kg: float  # energy recovery
    landfilled_kg: float  # landfill
    cost_eur: float  # what the agent pays for its routes
    reference_cost_eur: float  # cost with no hub and no symbiosis


class MaterialTotals(NamedTuple):
    """The territory's material totals of one day [kg] (:class:`MaterialsDay`'s totals, in
    its order), as :func:`route_arrays` returns them.

    Mass balance: ``inputs_kg = reuse_kg + repair_kg + recycling_kg + recovery_kg +
    landfill_kg + dumping_kg + stock_change_kg + residual_kg``, the residual zero up to
    rounding.
    """

    inputs_kg: float  # household waste + firms' by-products generated
    household_waste_kg: float  # household waste generated
    byproducts_kg: float  # firms' by-products generated
    reuse_kg: float  # hub reuse outflow + symbiosis exchange
    repair_kg: float  # successful repairs (back into use)
    recycling_kg: float  # sorted recyclables + failed repairs + recycled by-products
    recovery_kg: float  # energy recovery
    landfill_kg: float  # landfill
    dumping_kg: float  # illegal dumping
    stock_change_kg: float  # hub stocks at the end minus at the start
    residual_kg: float  # inputs - (all routes + stock change); ~0
    symbiosis_kg: float  # by-products exchanged between firms (included in reuse)
    virgin_input_kg: float  # firms' virgin input
    material_demand_kg: float  # households' new goods (= waste generated) + firms' input demand
    virgin_material_kg: float  # V of the circularity: households' new goods net of hub returns + virgin input
    circularity: float  # U / (U + V) [0-1]
    hub_refused_kg: float  # goods the hub turned away (sent to the residual stream)
    hub_reusable_end_kg: float  # hub reusable stock at the end of the day
    hub_repairable_end_kg: float  # hub repairable stock at the end of the day


class MaterialRoutes(NamedTuple):
    """What :func:`route_arrays` returns: per-agent flows [kg/day] and costs [EUR/day] and
    the territory's :class:`MaterialTotals`."""

    waste_kg: np.ndarray  # household waste generated
    dumped_kg: np.ndarray  # waste dumped illegally
    brought_kg: np.ndarray  # goods brought to the hub (accepted or not)
    byproduct_kg: np.ndarray  # firms' by-products generated
    secondary_kg: np.ndarray  # secondary material received by symbiosis
    virgin_kg: np.ndarray  # virgin input bought
    cost_eur: np.ndarray  # what each agent pays for its routes [EUR/day]
    reference_cost_eur: np.ndarray  # cost with no hub and no symbiosis [EUR/day]
    totals: MaterialTotals


@dataclass(frozen=True)
class MaterialsDay:
    """One day of materials for the whole territory.

    Totals are in kg (flows over the day); per-agent arrays in kg/day or EUR/day.
    """

    # --- totals [kg]
    inputs: float  # household waste + firms' by-products generated
    household_waste: float  # household waste generated
    byproducts: float  # firms' by-products generated
    reuse: float  # hub reuse outflow + symbiosis exchange
    repair: float  # successful repairs (back into use)
    recycling: float  # sorted recyclables + failed repairs + recycled by-products
    recovery: float  # energy recovery
    landfill: float  # landfill
    dumping: float  # illegal dumping
    stock_change: float  # hub stocks at the end minus at the start
    residual: float  # inputs - (all routes + stock_change); ~0
    symbiosis: float  # by-products exchanged between firms (included in reuse)
    virgin_input: float  # firms' virgin input
    material_demand: float  # households' new goods (= waste generated) + firms' input demand
    virgin_material: float  # V of the circularity: households' new goods net of hub returns + virgin input
    circularity: float  # U / (U + V) [0-1]
    hub_refused: float  # goods the hub turned away (sent to the residual stream)
    hub_reusable_kg: float  # hub reusable stock at the end of the day
    hub_repairable_kg: float  # hub repairable stock at the end of the day
    dumping_cleanup_eur: float  # clean-up of dumped waste, paid by the commune [EUR]
    # --- per agent
    waste_kg: np.ndarray  # household waste generated [kg/day]
    dumped_kg: np.ndarray  # waste dumped illegally [kg/day]
    brought_kg: np.ndarray  # goods brought to the hub (accepted or not) [kg/day]
    byproduct_kg: np.ndarray  # firms' by-products generated [kg/day]
    secondary_kg: np.ndarray  # secondary material received by symbiosis [kg/day]
    virgin_kg: np.ndarray  # virgin input bought [kg/day]
    reference_cost_eur: np.ndarray  # cost with no hub and no symbiosis [EUR/day]

    @property
    def agent_reference_cost_eur(self) -> np.ndarray:
        """Alias of ``reference_cost_eur`` (the energy stage's naming) [EUR/day]."""
        return self.reference_cost_eur


def route_materials(
    state: State,
    scenario: Scenario,
    day: Day | int | None,
    rngs: dict[str, np.random.Generator] | np.random.Generator,
    *,
    sorting: np.ndarray | float = 1.0,
    hub_bring: np.ndarray | float = 1.0,
    dumping: np.ndarray | float = 1.0,
) -> MaterialsDay:
    """Route one day of household waste and firms' by-products (see the module docstring).

    ``sorting``, ``hub_bring`` and ``dumping`` multiply, per agent, the scenario's
    ``sorting_rate``, ``hub_bring_rate`` and ``dumping_rate`` (today's decisions,
    :mod:`commons_abm.behaviour.decisions`); each rate is capped at 1.

    Updates the hub stocks in ``state.commons`` and overwrites ``state.material_cost_eur``;
    draws from ``rngs["materials"]`` (or from ``rngs`` if it is a generator). ``day`` is
    the calendar day; material flows do not depend on it yet.
    """
    del day  # no seasonality in material flows (yet)
    rng = rngs if isinstance(rngs, np.random.Generator) else rngs["materials"]
    m = scenario.materials
    n = state.n
    seller, buyer = exchange_pairs(state, m.firms.symbiosis)
    routes = route_arrays(
        lognormal_noise(rng, m.daily_cv, n),
        state.kind,
        state.waste_kg_per_day,
        state.byproduct_kg_per_day,
        state.input_kg_per_day,
        flat(sorting, (n,)),
        flat(hub_bring, (n,)),
        flat(dumping, (n,)),
        seller,
        buyer,
        float(state.commons.hub_reusable_kg),
        float(state.commons.hub_repairable_kg),
        routing_parameters(m),
    )
    state.material_cost_eur[:] = routes.cost_eur
    day_totals = materials_day(routes, m.costs.dumping_eur_per_kg)
    state.commons.hub_reusable_kg = day_totals.hub_reusable_kg
    state.commons.hub_repairable_kg = day_totals.hub_repairable_kg
    return day_totals


def materials_day(routes: MaterialRoutes, dumping_eur_per_kg: float) -> MaterialsDay:
    """The :class:`MaterialsDay` of what :func:`route_arrays` returned (the commune's
    clean-up of dumped waste at ``dumping_eur_per_kg``)."""
    t = routes.totals
    return MaterialsDay(
        inputs=t.inputs_kg,
        household_waste=t.household_waste_kg,
        byproducts=t.byproducts_kg,
        reuse=t.reuse_kg,
        repair=t.repair_kg,
        recycling=t.recycling_kg,
        recovery=t.recovery_kg,
        landfill=t.landfill_kg,
        dumping=t.dumping_kg,
        stock_change=t.stock_change_kg,
        residual=t.residual_kg,
        symbiosis=t.symbiosis_kg,
        virgin_input=t.virgin_input_kg,
        material_demand=t.material_demand_kg,
        virgin_material=t.virgin_material_kg,
        circularity=t.circularity,
        hub_refused=t.hub_refused_kg,
        hub_reusable_kg=t.hub_reusable_end_kg,
        hub_repairable_kg=t.hub_repairable_end_kg,
        dumping_cleanup_eur=t.dumping_kg * dumping_eur_per_kg,
        waste_kg=routes.waste_kg,
        dumped_kg=routes.dumped_kg,
        brought_kg=routes.brought_kg,
        byproduct_kg=routes.byproduct_kg,
        secondary_kg=routes.secondary_kg,
        virgin_kg=routes.virgin_kg,
        reference_cost_eur=routes.reference_cost_eur,
    )


def routing_parameters(m: Materials) -> RoutingParameters:
    """The households' and firms' shares and rates, the prices of the routes and the hub's
    capacities, as :func:`route_arrays` takes them."""
    hh, fm, c = m.households, m.firms, m.costs
    e = hh.energy_recovery_share
    return RoutingParameters(
        sorting_rate=float(hh.sorting_rate),
        hub_bring_rate=float(hh.hub_bring_rate),
        dumping_rate=float(hh.dumping_rate),
        recyclable_share=float(hh.recyclable_share),
        reusable_share=float(hh.reusable_share),
        repairable_share=float(hh.repairable_share),
        energy_recovery_share=float(e),
        byproduct_recycling_share=float(fm.byproduct_recycling_share),
        recycling_eur_per_kg=float(c.recycling_eur_per_kg),
        recovery_eur_per_kg=float(c.recovery_eur_per_kg),
        landfill_eur_per_kg=float(c.landfill_eur_per_kg),
        reuse_eur_per_kg=float(c.reuse_eur_per_kg),
        repair_eur_per_kg=float(c.repair_eur_per_kg),
        virgin_eur_per_kg=float(c.virgin_eur_per_kg),
        secondary_eur_per_kg=float(c.secondary_eur_per_kg),
        residual_eur_per_kg=float(e * c.recovery_eur_per_kg + (1.0 - e) * c.landfill_eur_per_kg),
        hub=capacities(m.hub),
    )


_NO_PAIRS = np.empty(0, dtype=np.int64)


@kernel
def plan_routes(
    role, noise, waste_kg_per_day, byproduct_kg_per_day, input_kg_per_day, sorting, hub_bring, dumping, p
):  # pragma: no cover - compiled
    """One agent's day before the hub and symbiosis (one-agent form; ``role``: its kind's
    material role, ``noise``: its draw of the day's log-normal factor, ``sorting``,
    ``hub_bring``, ``dumping``: today's multipliers of its rates; ``p``:
    :class:`RoutingParameters`), as :class:`MaterialPlan`."""
    waste = 0.0
    byproduct = 0.0
    demand = 0.0
    if role == DISCARDS_GOODS:
        waste = waste_kg_per_day * noise
    elif role == TRADES_BYPRODUCTS:
        byproduct = byproduct_kg_per_day * noise
        demand = input_kg_per_day
    bring = min(p.hub_bring_rate * hub_bring, 1.0)
    return MaterialPlan(
        waste_kg=waste,
        byproduct_kg=byproduct,
        demand_kg=demand,
        sorted_kg=waste * (p.recyclable_share * min(p.sorting_rate * sorting, 1.0)),
        brought_reuse_kg=waste * (p.reusable_share * bring),
        brought_repair_kg=waste * (p.repairable_share * bring),
        dumping_share=min(p.dumping_rate * dumping, 1.0),
    )


@kernel
def settle_routes(
    waste, sorted_kg, accepted_reuse, accepted_repair, dumping_share, byproduct, demand, secondary, sold, left, p
):  # pragma: no cover - compiled
    """One agent's routes once the hub accepted ``accepted_reuse`` and ``accepted_repair``
    of its goods and symbiosis gave it ``secondary``, took ``sold`` of its by-product and
    left it ``left`` (one-agent form; the other inputs from :class:`MaterialPlan`; ``p``:
    :class:`RoutingParameters`), as :class:`MaterialSettlement`."""
    residual_stream = max(waste - sorted_kg - accepted_reuse - accepted_repair, 0.0)
    dumped = residual_stream * dumping_share
    recycled_by = left * p.byproduct_recycling_share
    virgin = max(demand - secondary, 0.0)
    # residual streams (households' kept waste, firms' unrecycled by-products): recovery or landfill
    disposed = (residual_stream - dumped) + (left - recycled_by)
    recovered = disposed * p.energy_recovery_share
    landfilled = disposed - recovered
    recycled = sorted_kg + recycled_by
    cost = (
        recycled * p.recycling_eur_per_kg
        + recovered * p.recovery_eur_per_kg
        + landfilled * p.landfill_eur_per_kg
        + accepted_reuse * p.reuse_eur_per_kg
        + accepted_repair * p.repair_eur_per_kg
        + virgin * p.virgin_eur_per_kg
        + secondary * p.secondary_eur_per_kg
        + sold * (p.reuse_eur_per_kg - p.secondary_eur_per_kg)
    )
    r = p.byproduct_recycling_share
    reference = (
        sorted_kg * p.recycling_eur_per_kg
        + (waste - sorted_kg) * ((1.0 - dumping_share) * p.residual_eur_per_kg)
        + demand * p.virgin_eur_per_kg
        + byproduct * (r * p.recycling_eur_per_kg + (1.0 - r) * p.residual_eur_per_kg)
    )
    return MaterialSettlement(
        dumped_kg=dumped,
        virgin_kg=virgin,
        recycled_kg=recycled,
        recovered_kg=recovered,
        landfilled_kg=landfilled,
        cost_eur=cost,
        reference_cost_eur=reference,
    )


@kernel
def route_arrays(
    noise,
    kind,
    waste_kg_per_day,
    byproduct_kg_per_day,
    input_kg_per_day,
    sorting,
    hub_bring,
    dumping,
    seller,
    buyer,
    reusable_kg,
    repairable_kg,
    p,
):  # pragma: no cover - compiled
    """The day's routes of :func:`route_materials` (``p``: :class:`RoutingParameters`):
    per-agent flows and costs and the territory's totals, as :class:`MaterialRoutes`."""
    n = kind.size
    waste = np.zeros(n)
    byproduct = np.zeros(n)
    demand = np.zeros(n)
    sorted_kg = np.zeros(n)
    brought_reuse = np.zeros(n)
    brought_repair = np.zeros(n)
    dumping_share = np.zeros(n)
    offered_reuse = 0.0
    offered_repair = 0.0
    # households: sorting and the hub, at today's behaviour
    for i in range(n):
        plan = plan_routes(
            MATERIAL_ROLE_OF[kind[i]],
            noise[i],
            waste_kg_per_day[i],
            byproduct_kg_per_day[i],
            input_kg_per_day[i],
            sorting[i],
            hub_bring[i],
            dumping[i],
            p,
        )
        waste[i] = plan.waste_kg
        byproduct[i] = plan.byproduct_kg
        demand[i] = plan.demand_kg
        sorted_kg[i] = plan.sorted_kg
        brought_reuse[i] = plan.brought_reuse_kg
        brought_repair[i] = plan.brought_repair_kg
        dumping_share[i] = plan.dumping_share
        offered_reuse += brought_reuse[i]
        offered_repair += brought_repair[i]
    hub = hub_flows(reusable_kg, repairable_kg, offered_reuse, offered_repair, p.hub)
    accepted_reuse = accepted_goods(brought_reuse, hub.accept_share)
    accepted_repair = accepted_goods(brought_repair, hub.accept_share)
    # firms: symbiosis first, then down the hierarchy
    kg, secondary, sold, left = exchange(seller, buyer, byproduct, demand, has_role(kind, TRADES_BYPRODUCTS))
    dumped = np.empty(n)
    virgin = np.empty(n)
    cost = np.empty(n)
    reference = np.empty(n)
    household_waste = byproducts = recycled_total = recovery = landfill = dumping_kg = virgin_input = 0.0
    input_demand = 0.0
    for i in range(n):
        routes = settle_routes(
            waste[i],
            sorted_kg[i],
            accepted_reuse[i],
            accepted_repair[i],
            dumping_share[i],
            byproduct[i],
            demand[i],
            secondary[i],
            sold[i],
            left[i],
            p,
        )
        dumped[i] = routes.dumped_kg
        virgin[i] = routes.virgin_kg
        cost[i] = routes.cost_eur
        reference[i] = routes.reference_cost_eur
        household_waste += waste[i]
        byproducts += byproduct[i]
        recycled_total += routes.recycled_kg
        recovery += routes.recovered_kg
        landfill += routes.landfilled_kg
        dumping_kg += dumped[i]
        virgin_input += virgin[i]
        input_demand += demand[i]
    symbiosis = kg.sum()
    reused, repaired = hub.reused_kg, hub.repaired_kg
    # totals [kg]
    inputs = household_waste + byproducts
    reuse = reused + symbiosis
    recycling = recycled_total + hub.repair_failed_kg
    stock_change = (hub.reusable_end_kg - hub.reusable_start_kg) + (hub.repairable_end_kg - hub.repairable_start_kg)
    residual = inputs - (reuse + repaired + recycling + recovery + landfill + dumping_kg + stock_change)
    virgin_material = max(household_waste - reused - repaired, 0.0) + virgin_input
    circular = reuse + repaired + recycling
    denominator = circular + virgin_material
    circularity = circular / denominator if denominator > 0.0 else 0.0
    totals = MaterialTotals(
        inputs_kg=inputs,
        household_waste_kg=household_waste,
        byproducts_kg=byproducts,
        reuse_kg=reuse,
        repair_kg=repaired,
        recycling_kg=recycling,
        recovery_kg=recovery,
        landfill_kg=landfill,
        dumping_kg=dumping_kg,
        stock_change_kg=stock_change,
        residual_kg=residual,
        symbiosis_kg=symbiosis,
        virgin_input_kg=virgin_input,
        material_demand_kg=household_waste + input_demand,
        virgin_material_kg=virgin_material,
        circularity=circularity,
        hub_refused_kg=hub.refused_kg,
        hub_reusable_end_kg=hub.reusable_end_kg,
        hub_repairable_end_kg=hub.repairable_end_kg,
    )
    return MaterialRoutes(
        waste_kg=waste,
        dumped_kg=dumped,
        brought_kg=brought_reuse + brought_repair,
        byproduct_kg=byproduct,
        secondary_kg=secondary,
        virgin_kg=virgin,
        cost_eur=cost,
        reference_cost_eur=reference,
        totals=totals,
    )


def exchange_pairs(state: State, enabled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The firms that may exchange by-products (:func:`~commons_abm.materials.symbiosis.symbiosis_pairs`;
    none when symbiosis is not ``enabled``), kept on the state while its network, kinds and
    material types stay the same."""
    if not enabled:
        return _NO_PAIRS, _NO_PAIRS
    key = (
        id(state.ties),
        state.ties.n_ties,
        state.kind.tobytes(),
        state.byproduct_type.tobytes(),
        state.input_type.tobytes(),
    )
    cached = getattr(state, "_symbiosis_pairs", None)
    if cached is None or cached[0] != key:
        cached = (key, symbiosis_pairs(state.kind, state.ties, state.byproduct_type, state.input_type))
        state._symbiosis_pairs = cached
    return cached[1]
