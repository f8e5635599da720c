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
``materials`` stream). It splits by the composition into recyclable, food (bio-), reusable,
repairable and residual waste, and goes where the household's decisions of the day send it
(:mod:`commons_abm.behaviour.waste_choices`): recyclables sorted, food waste composted,
goods brought to the hub; the goods it keeps (and those the hub refuses: every household
sees the same acceptance share) go to the recycling centre's residual stream, or to the
street if it dumps them today; the rest is bagged, in its bin (energy recovery at
``energy_recovery_share``, or landfill) or, if it dumps its bag today, in the street or, with
chipped bins, partly in the bins of its tied households (:func:`displace`), which collect and
pay for it.

**Firms**, each day: by-products = ``byproduct_kg_per_day`` x noise go first to
symbiosis; what is left is recycled at ``byproduct_recycling_share`` and the rest goes to
energy recovery or landfill by the same split as households' residual waste (firms do not
dump). Input demand is ``input_kg_per_day`` (no noise); virgin input = demand minus the
secondary material received.

**Costs** [EUR/day], written to ``state.material_cost_eur`` (overwritten each day): a
household pays the charging scheme (its flat part, and the marginal price of each kg in its
bin: :mod:`commons_abm.behaviour.waste_choices`) and the hub's price for what the hub
accepts from it (reuse or repair price, paid at intake; the price covers the hub's later
recycling of failed repairs); the commune pays the routes. Dumped waste costs the dumper
nothing: its clean-up is paid by the commune and reported as the territory total
``dumping_cleanup_eur``. Firms pay their recycling, recovery and landfill, the
reuse price on by-products they give to other firms, ``virgin_eur_per_kg`` per kg of
virgin input and ``secondary_eur_per_kg`` per kg of secondary material received; the
seller earns ``secondary_eur_per_kg`` per kg given. ``reference_cost_eur`` is what each
agent would pay with no hub and no symbiosis: the same bin, firms' whole demand bought
virgin and all by-products down the hierarchy. The model derives net benefits from the two.

**Circularity** follows the spirit of Eurostat's circular material use rate (CMU,
indicator ``cei_srm030``): CMU = U / (U + V), where U is circular use = reuse (hub reuse
plus symbiosis exchange) + successful repair + recycling + composting, and V is virgin material =
households' new goods + firms' virgin input. Households' new goods are taken equal to
the waste they generate (a steady-state assumption: what is discarded is replaced)
minus the goods the hub returns to use (reuse and successful repair), floored at zero.
Recycled material counts as circular use whether or not it is used inside the
territory, as in Eurostat's indicator. CMU is 0 on a day with no material at all.

**Mass balance** ("rien ne se perd, rien ne se crée", every kg accounted for each day):
inputs = household waste + firms' by-products = reuse + repair + recycling + composting +
recovery + landfill + dumping + change of hub stocks; ``residual`` is the difference (zero up to
rounding).

**One agent's routes** are written once, in two one-agent forms that the population
kernel :func:`route_arrays` calls agent by agent and the reference engine's agents call one
at a time (``HouseholdRules`` and ``FirmRules`` in :mod:`commons_abm.agents.rules`):
:func:`plan_routes` (the day's goods or by-products and input demand, what is sorted,
composted and brought to the hub, the bag and what of it is dumped; :class:`MaterialPlan`)
and :func:`settle_routes` (once the hub and symbiosis have taken their part and neighbours'
dumped bags have landed: dumping, recycling, recovery, landfill, virgin input, the cost and
the reference cost; :class:`MaterialSettlement`). ``docs/ODD.md`` 7.5.1 writes them out.

Over 400 lines: the day's routes, the named records their kernel takes and returns
(:class:`RoutingParameters`, :class:`MaterialRoutes`, :class:`MaterialTotals`), the
one-agent forms and their records and the :class:`MaterialsDay` built from them are read
together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from commons_abm.behaviour.waste_choices import WasteChoices, no_choices
from commons_abm.core.calendar import Day
from commons_abm.core.kernels import kernel
from commons_abm.core.kinds import DISCARDS_GOODS, MATERIAL_ROLE_OF, TRADES_BYPRODUCTS, has_role
from commons_abm.core.scenario import Materials, Scenario
from commons_abm.core.state import GEOGRAPHIC, State
from commons_abm.governance.institutions import Institutions
from commons_abm.materials.byproduct_matches import (
    MatchParameters,
    delivering,
    match_day,
    match_parameters,
    matches_of,
)
from commons_abm.materials.hub_organisation import (
    HubOrganisation,
    HubStaffing,
    hub_account,
    hub_capacity,
    organisation_parameters,
    staff_hours,
    volunteers_day,
)
from commons_abm.materials.repair_hub import HubCapacities, accepted_goods, capacities, hub_flows
from commons_abm.materials.symbiosis import exchange
from commons_abm.territory.build import lognormal_noise

__all__ = [
    "MaterialPlan",
    "MaterialRoutes",
    "MaterialSettlement",
    "MaterialTotals",
    "MaterialsDay",
    "RoutingParameters",
    "displace",
    "household_neighbours",
    "material_totals",
    "materials_day",
    "plan_routes",
    "route_arrays",
    "route_materials",
    "routing_parameters",
    "settle_routes",
]


class RoutingParameters(NamedTuple):
    """Households' waste composition, firms' shares, the prices of the routes and the hub's
    capacities, as :func:`route_arrays` takes them (:func:`routing_parameters` reads them
    from the scenario)."""

    recyclable_share: float  # share of household waste that can be sorted for recycling [0-1]
    biowaste_share: float  # share of household waste that is food and kitchen waste [0-1]
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
    storage_kg: float  # goods the hub can hold [kg]
    repair_success_rate: float  # share of repaired goods that work again [0-1]
    parts_recycled_share: float  # share of the goods the hub cannot repair that it recycles [0-1]


class MaterialPlan(NamedTuple):
    """One agent's material plan of the day, as :func:`plan_routes` returns it [kg/day]."""

    waste_kg: float  # household waste generated
    byproduct_kg: float  # firm's by-product generated
    demand_kg: float  # firm's input demand
    sorted_kg: float  # recyclables sorted
    composted_kg: float  # food and kitchen waste composted
    brought_reuse_kg: float  # reusable goods brought to the hub
    brought_repair_kg: float  # goods needing repair brought to the hub
    goods_kept_kg: float  # reusable and repairable goods not brought to the hub
    bagged_kg: float  # bagged residual waste (unsorted recyclables, uncomposted food waste, residual)
    bag_dumped_kg: float  # bagged waste dumped (in the street or in neighbours' bins)
    to_neighbours_kg: float  # ... of which put in neighbours' bins


class MaterialSettlement(NamedTuple):
    """Where one agent's goods and by-products end, once the hub and symbiosis have taken
    their part, as :func:`settle_routes` returns it [kg/day; costs EUR/day]."""

    dumped_kg: float  # dumped illegally in the street (goods and bagged waste)
    virgin_kg: float  # virgin input bought
    recycled_kg: float  # sorted recyclables + recycled by-products
    recovered_kg: float  # energy recovery
    landfilled_kg: float  # landfill
    cost_eur: float  # what the agent pays for its waste, routes and inputs
    reference_cost_eur: float  # cost with no hub and no symbiosis


class MaterialTotals(NamedTuple):
    """The territory's material totals of one day [kg] (:class:`MaterialsDay`'s totals, in
    its order), as :func:`route_arrays` returns them.

    Mass balance: ``inputs_kg = reuse_kg + repair_kg + recycling_kg + composting_kg +
    recovery_kg + landfill_kg + dumping_kg + stock_change_kg + residual_kg``, the residual
    zero up to rounding.
    """

    inputs_kg: float  # household waste + firms' by-products generated
    household_waste_kg: float  # household waste generated
    byproducts_kg: float  # firms' by-products generated
    reuse_kg: float  # hub reuse outflow + symbiosis exchange
    repair_kg: float  # successful repairs (back into use)
    recycling_kg: float  # sorted recyclables + failed repairs + recycled by-products
    composting_kg: float  # food and kitchen waste composted (organic recycling)
    recovery_kg: float  # energy recovery
    landfill_kg: float  # landfill
    dumping_kg: float  # illegal dumping in the street
    displaced_kg: float  # bagged waste dumped in neighbours' bins (included in recovery and landfill)
    stock_change_kg: float  # hub stocks at the end minus at the start
    residual_kg: float  # inputs - (all routes + stock change); ~0
    household_recovered_kg: float  # household waste reused, repaired, recycled or composted
    hub_reused_kg: float  # goods the hub sold back into use
    hub_fees_eur: float  # what households paid the hub at intake [EUR]
    household_sorted_kg: float  # household recyclables sorted
    household_recovery_rate: float  # household_recovered_kg / household_waste_kg [0-1]
    byproduct_exchange_rate: float  # symbiosis_kg / byproducts_kg [0-1]
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
    dumped_kg: np.ndarray  # waste dumped illegally in the street
    displaced_kg: np.ndarray  # waste others dumped in the agent's bin
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
    composting: float  # food and kitchen waste composted
    recovery: float  # energy recovery
    landfill: float  # landfill
    dumping: float  # illegal dumping in the street
    displaced: float  # bagged waste dumped in neighbours' bins (included in recovery and landfill)
    stock_change: float  # hub stocks at the end minus at the start
    residual: float  # inputs - (all routes + stock_change); ~0
    household_recovery_rate: float  # household waste reused, repaired, recycled or composted [0-1]
    household_sorted: float  # household recyclables sorted
    byproduct_exchange_rate: float  # firms' by-products used by other firms [0-1]
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
    dumped_kg: np.ndarray  # waste dumped illegally in the street [kg/day]
    displaced_kg: np.ndarray  # waste others dumped in the agent's bin [kg/day]
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
    waste: WasteChoices | None = None,
    matching: MatchParameters | None = None,
    organisation: HubOrganisation | None = None,
    hub: HubCapacities | None = None,
    funding: float = 1.0,
) -> MaterialsDay:
    """Route one day of household waste and firms' by-products (see the module docstring).

    ``waste`` holds each household's decisions of the day
    (:mod:`commons_abm.behaviour.waste_choices`); without it nobody sorts, composts, brings
    goods to the hub or dumps, and nobody pays for the bin. ``matching``: how firms'
    by-product matches form, deliver and break (:mod:`commons_abm.materials.byproduct_matches`;
    the scenario's, without a platform, when not given). ``organisation``: the hub's people
    and money (:mod:`commons_abm.materials.hub_organisation`; the scenario's, without a
    subsidy, when not given), of whose subsidy the commune pays the share ``funding``
    (:mod:`commons_abm.governance.officials`), or ``hub``: fixed capacities for the day
    instead (volunteers and the hub's account then stay as they are).

    Updates the matches, the volunteers, the hub's stocks and account in the state and
    overwrites ``state.material_cost_eur``; draws from ``rngs["materials"]`` (or from
    ``rngs`` if it is a generator). ``day`` is the calendar day; material flows do not
    depend on it yet.
    """
    del day  # no seasonality in material flows (yet)
    rng = rngs if isinstance(rngs, np.random.Generator) else rngs["materials"]
    m = scenario.materials
    n = state.n
    choices = waste if waste is not None else no_choices(n)
    p = matching if matching is not None else match_parameters(scenario, Institutions())
    matches = matches_of(state, scenario, rng)
    u = rng.random((3, matches.seller.size))
    delivered, setup = match_day(
        u,
        matches.active,
        matches.trust,
        matches.tied,
        matches.seller,
        matches.buyer,
        state.byproduct_kg_per_day,
        state.input_kg_per_day,
        p,
    )
    seller, buyer = delivering(matches, delivered)
    commons = state.commons
    org = organisation if organisation is not None else organisation_parameters(scenario, Institutions())
    organised = hub is None
    if organised:
        staff = staff_hours(commons.hub_account_eur, org)
        role = MATERIAL_ROLE_OF[state.kind]
        u_volunteers = rng.random((2, n))
        hours = volunteers_day(role, choices.motive, state.volunteer, state.volunteer_stamina, staff, u_volunteers, org)
        staffing = hub_capacity(hours, staff, org)
        hub = capacities(m.hub.storage_kg, m.hub.repair_success_rate, staffing)
    else:
        staffing = HubStaffing(0.0, 0.0, 0.0, hub.intake_kg_per_day, hub.reuse_demand_kg_per_day, hub.repair_kg_per_day)
    routes = route_arrays(
        lognormal_noise(rng, m.daily_cv, n),
        state.kind,
        state.waste_kg_per_day,
        state.byproduct_kg_per_day,
        state.input_kg_per_day,
        choices,
        state.ties.indptr,
        state.ties.indices,
        state.ties.carries(GEOGRAPHIC),
        seller,
        buyer,
        float(commons.hub_reusable_kg),
        float(commons.hub_repairable_kg),
        setup,
        p.transaction_eur_per_kg,
        hub,
        routing_parameters(m),
    )
    state.material_cost_eur[:] = routes.cost_eur
    t = routes.totals
    if organised:
        commons.hub_account_eur = hub_account(
            commons.hub_account_eur, t.hub_fees_eur, t.hub_reused_kg, staffing.staff_hours, funding, org
        )
    commons.hub_volunteer_hours = staffing.volunteer_hours
    commons.hub_staff_hours = staffing.staff_hours
    commons.hub_open_hours = staffing.open_hours
    day_totals = materials_day(routes, m.costs.dumping_eur_per_kg)
    commons.hub_reusable_kg = day_totals.hub_reusable_kg
    commons.hub_repairable_kg = day_totals.hub_repairable_kg
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
        composting=t.composting_kg,
        recovery=t.recovery_kg,
        landfill=t.landfill_kg,
        dumping=t.dumping_kg,
        displaced=t.displaced_kg,
        stock_change=t.stock_change_kg,
        residual=t.residual_kg,
        household_recovery_rate=t.household_recovery_rate,
        household_sorted=t.household_sorted_kg,
        byproduct_exchange_rate=t.byproduct_exchange_rate,
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
        displaced_kg=routes.displaced_kg,
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
        recyclable_share=float(hh.recyclable_share),
        biowaste_share=float(hh.biowaste_share),
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
        storage_kg=float(m.hub.storage_kg),
        repair_success_rate=float(m.hub.repair_success_rate),
        parts_recycled_share=float(m.hub.parts_recycled_share),
    )


@kernel
def plan_routes(
    role,
    noise,
    waste_kg_per_day,
    byproduct_kg_per_day,
    input_kg_per_day,
    sort,
    compost,
    bring_reuse,
    bring_repair,
    dump_bag,
    to_neighbours,
    p,
):  # pragma: no cover - compiled
    """One agent's day before the hub and symbiosis (one-agent form; ``role``: its kind's
    material role, ``noise``: its draw of the day's log-normal factor; ``sort``,
    ``compost``, ``bring_reuse``, ``bring_repair``, ``dump_bag``, ``to_neighbours``: its
    waste decisions, :class:`~commons_abm.behaviour.waste_choices.WasteChoice`; ``p``:
    :class:`RoutingParameters`), as :class:`MaterialPlan`."""
    waste = 0.0
    byproduct = 0.0
    demand = 0.0
    if role == DISCARDS_GOODS:
        waste = waste_kg_per_day * noise
    elif role == TRADES_BYPRODUCTS:
        byproduct = byproduct_kg_per_day * noise
        demand = input_kg_per_day
    sorted_kg = waste * (p.recyclable_share * sort)
    composted = waste * (p.biowaste_share * compost)
    brought_reuse = waste * (p.reusable_share * bring_reuse)
    brought_repair = waste * (p.repairable_share * bring_repair)
    kept = waste * (p.reusable_share * (1.0 - bring_reuse) + p.repairable_share * (1.0 - bring_repair))
    bagged = max(waste - sorted_kg - composted - brought_reuse - brought_repair - kept, 0.0)
    bag_dumped = bagged * dump_bag
    return MaterialPlan(
        waste_kg=waste,
        byproduct_kg=byproduct,
        demand_kg=demand,
        sorted_kg=sorted_kg,
        composted_kg=composted,
        brought_reuse_kg=brought_reuse,
        brought_repair_kg=brought_repair,
        goods_kept_kg=kept,
        bagged_kg=bagged,
        bag_dumped_kg=bag_dumped,
        to_neighbours_kg=bag_dumped * to_neighbours,
    )


@kernel
def household_neighbours(indptr, indices, near, role, i):  # pragma: no cover - compiled
    """How many of agent ``i``'s ties in its neighbourhood (``near``: per tie entry, a
    geographic tie) discard goods (whose bins it could use)."""
    count = 0
    for k in range(indptr[i], indptr[i + 1]):
        if near[k] and role[indices[k]] == DISCARDS_GOODS:
            count += 1
    return count


@kernel
def displace(indptr, indices, near, role, to_neighbours_kg):  # pragma: no cover - compiled
    """Where dumped bagged waste meant for neighbours' bins lands: shared equally among the
    households each dumper is tied to in its neighbourhood (``near``: per tie entry, a
    geographic tie; ``displaced_in``, per receiver); a dumper with none leaves it in the
    street (``unplaced``, per dumper) [kg/day]."""
    n = role.size
    displaced_in = np.zeros(n)
    unplaced = np.zeros(n)
    for i in range(n):
        kg = to_neighbours_kg[i]
        if not kg > 0.0:
            continue
        count = household_neighbours(indptr, indices, near, role, i)
        if count == 0:
            unplaced[i] = kg
            continue
        each = kg / count
        for k in range(indptr[i], indptr[i + 1]):
            if near[k] and role[indices[k]] == DISCARDS_GOODS:
                displaced_in[indices[k]] += each
    return displaced_in, unplaced


@kernel
def settle_routes(
    plan,
    accepted_reuse,
    accepted_repair,
    dump_goods,
    unplaced,
    displaced_in,
    marginal_eur_per_kg,
    fixed_eur_per_day,
    secondary,
    sold,
    left,
    setup_eur,
    transaction_eur_per_kg,
    p,
):  # pragma: no cover - compiled
    """One agent's routes once the hub accepted ``accepted_reuse`` and ``accepted_repair``
    of the goods it brought, symbiosis gave it ``secondary``, took ``sold`` of its
    by-product and left it ``left``, and others put ``displaced_in`` in its bin (one-agent
    form; ``plan``: its :class:`MaterialPlan`; ``dump_goods``: the share of the goods it
    keeps that it dumps; ``unplaced``: what it meant for neighbours' bins but had none to
    use; ``marginal_eur_per_kg``, ``fixed_eur_per_day``: what its bin costs it;
    ``setup_eur``: its share of the set-up of matches formed today; ``transaction_eur_per_kg``:
    the cost of handling a kg it gives another firm; ``p``: :class:`RoutingParameters`), as
    :class:`MaterialSettlement`.

    A household pays the charging scheme (its flat part, and the marginal price of what is
    in its bin) and the hub's prices; the commune pays the routes. A firm pays its routes,
    its virgin input and the secondary material it buys."""
    refused = (plan.brought_reuse_kg - accepted_reuse) + (plan.brought_repair_kg - accepted_repair)
    goods = plan.goods_kept_kg + refused  # to the recycling centre, or dumped
    goods_dumped = goods * dump_goods
    in_bin = (plan.bagged_kg - plan.bag_dumped_kg) + displaced_in
    street = goods_dumped + (plan.bag_dumped_kg - plan.to_neighbours_kg) + unplaced
    recycled_by = left * p.byproduct_recycling_share
    virgin = max(plan.demand_kg - secondary, 0.0)
    # residual streams (households' bins and goods at the recycling centre, firms' unrecycled by-products)
    disposed = in_bin + (goods - goods_dumped) + (left - recycled_by)
    recovered = disposed * p.energy_recovery_share
    landfilled = disposed - recovered
    recycled = plan.sorted_kg + recycled_by
    household = (
        fixed_eur_per_day
        + in_bin * marginal_eur_per_kg
        + accepted_reuse * p.reuse_eur_per_kg
        + accepted_repair * p.repair_eur_per_kg
    )
    firm = (
        recycled_by * p.recycling_eur_per_kg
        + (left - recycled_by) * p.residual_eur_per_kg
        + virgin * p.virgin_eur_per_kg
        + secondary * p.secondary_eur_per_kg
        + sold * (p.reuse_eur_per_kg - p.secondary_eur_per_kg + transaction_eur_per_kg)
        + setup_eur
    )
    r = p.byproduct_recycling_share
    reference = (
        fixed_eur_per_day
        + in_bin * marginal_eur_per_kg
        + plan.demand_kg * p.virgin_eur_per_kg
        + plan.byproduct_kg * (r * p.recycling_eur_per_kg + (1.0 - r) * p.residual_eur_per_kg)
    )
    return MaterialSettlement(
        dumped_kg=street,
        virgin_kg=virgin,
        recycled_kg=recycled,
        recovered_kg=recovered,
        landfilled_kg=landfilled,
        cost_eur=household + firm,
        reference_cost_eur=reference,
    )


@kernel
def route_arrays(
    noise,
    kind,
    waste_kg_per_day,
    byproduct_kg_per_day,
    input_kg_per_day,
    choices,
    indptr,
    indices,
    near,
    seller,
    buyer,
    reusable_kg,
    repairable_kg,
    setup_eur,
    transaction_eur_per_kg,
    hub_today,
    p,
):  # pragma: no cover - compiled
    """The day's routes of :func:`route_materials` (``hub_today``: the hub's capacities of
    the day, :class:`~commons_abm.materials.repair_hub.HubCapacities`; ``seller``, ``buyer``: today's
    delivering matches; ``setup_eur``: each agent's share of today's new matches' set-up
    [EUR]; ``transaction_eur_per_kg``: handling between firms; ``choices``: every agent's
    :class:`~commons_abm.behaviour.waste_choices.WasteChoices`; ``p``:
    :class:`RoutingParameters`): per-agent flows and costs and the territory's totals, as
    :class:`MaterialRoutes`."""
    n = kind.size
    role = np.empty(n, dtype=np.int64)
    plans = []
    offered_reuse = 0.0
    offered_repair = 0.0
    to_neighbours = np.zeros(n)
    byproduct = np.zeros(n)
    demand = np.zeros(n)
    brought_reuse = np.zeros(n)
    brought_repair = np.zeros(n)
    # households: sorting, composting, the hub and bagged dumping, at today's decisions
    for i in range(n):
        role[i] = MATERIAL_ROLE_OF[kind[i]]
        plan = plan_routes(
            role[i],
            noise[i],
            waste_kg_per_day[i],
            byproduct_kg_per_day[i],
            input_kg_per_day[i],
            choices.sort[i],
            choices.compost[i],
            choices.bring_reuse[i],
            choices.bring_repair[i],
            choices.dump_bag[i],
            choices.to_neighbours[i],
            p,
        )
        plans.append(plan)
        byproduct[i] = plan.byproduct_kg
        demand[i] = plan.demand_kg
        brought_reuse[i] = plan.brought_reuse_kg
        brought_repair[i] = plan.brought_repair_kg
        to_neighbours[i] = plan.to_neighbours_kg
        offered_reuse += plan.brought_reuse_kg
        offered_repair += plan.brought_repair_kg
    displaced_in, unplaced = displace(indptr, indices, near, role, to_neighbours)
    hub = hub_flows(reusable_kg, repairable_kg, offered_reuse, offered_repair, hub_today)
    accepted_reuse = accepted_goods(brought_reuse, hub.accept_share)
    accepted_repair = accepted_goods(brought_repair, hub.accept_share)
    # firms: symbiosis first, then down the hierarchy
    kg, secondary, sold, left = exchange(seller, buyer, byproduct, demand, has_role(kind, TRADES_BYPRODUCTS))
    waste = np.empty(n)
    dumped = np.empty(n)
    virgin = np.empty(n)
    cost = np.empty(n)
    reference = np.empty(n)
    household_waste = byproducts = recycled_total = recovery = landfill = dumping_kg = virgin_input = 0.0
    input_demand = sorted_total = composting = displaced = hub_fees = 0.0
    for i in range(n):
        plan = plans[i]
        routes = settle_routes(
            plan,
            accepted_reuse[i],
            accepted_repair[i],
            choices.dump_goods[i],
            unplaced[i],
            displaced_in[i],
            choices.marginal_eur_per_kg[i],
            choices.fixed_eur_per_day[i],
            secondary[i],
            sold[i],
            left[i],
            setup_eur[i],
            transaction_eur_per_kg,
            p,
        )
        waste[i] = plan.waste_kg
        dumped[i] = routes.dumped_kg
        virgin[i] = routes.virgin_kg
        cost[i] = routes.cost_eur
        reference[i] = routes.reference_cost_eur
        household_waste += plan.waste_kg
        byproducts += plan.byproduct_kg
        recycled_total += routes.recycled_kg
        sorted_total += plan.sorted_kg
        composting += plan.composted_kg
        displaced += displaced_in[i]
        hub_fees += accepted_reuse[i] * p.reuse_eur_per_kg + accepted_repair[i] * p.repair_eur_per_kg
        recovery += routes.recovered_kg
        landfill += routes.landfilled_kg
        dumping_kg += dumped[i]
        virgin_input += virgin[i]
        input_demand += demand[i]
    symbiosis = kg.sum()
    totals = material_totals(
        household_waste,
        byproducts,
        hub,
        symbiosis,
        recycled_total,
        sorted_total,
        composting,
        recovery,
        landfill,
        dumping_kg,
        displaced,
        virgin_input,
        input_demand,
        hub_fees,
        p.parts_recycled_share,
        p.energy_recovery_share,
    )
    return MaterialRoutes(
        waste_kg=waste,
        dumped_kg=dumped,
        displaced_kg=displaced_in,
        brought_kg=brought_reuse + brought_repair,
        byproduct_kg=byproduct,
        secondary_kg=secondary,
        virgin_kg=virgin,
        cost_eur=cost,
        reference_cost_eur=reference,
        totals=totals,
    )


@kernel
def material_totals(
    household_waste,
    byproducts,
    hub,
    symbiosis,
    recycled_total,
    sorted_total,
    composting,
    recovery,
    landfill,
    dumping_kg,
    displaced,
    virgin_input,
    input_demand,
    hub_fees,
    parts_recycled_share,
    energy_recovery_share,
):  # pragma: no cover - compiled
    """The territory's :class:`MaterialTotals` from the day's sums [kg], the hub's
    :class:`~commons_abm.materials.repair_hub.HubFlows` and what households paid it
    (``hub_fees`` [EUR]); of the goods the hub could not repair, ``parts_recycled_share`` is
    recycled and the rest joins the residual stream (energy recovery at
    ``energy_recovery_share``, else landfill). Both engines call it."""
    reused, repaired = hub.reused_kg, hub.repaired_kg
    inputs = household_waste + byproducts
    reuse = reused + symbiosis
    parts = hub.repair_failed_kg * parts_recycled_share
    rejects = hub.repair_failed_kg - parts
    recovery += rejects * energy_recovery_share
    landfill += rejects - rejects * energy_recovery_share
    recycling = recycled_total + parts
    stock_change = (hub.reusable_end_kg - hub.reusable_start_kg) + (hub.repairable_end_kg - hub.repairable_start_kg)
    residual = inputs - (reuse + repaired + recycling + composting + recovery + landfill + dumping_kg + stock_change)
    virgin_material = max(household_waste - reused - repaired, 0.0) + virgin_input
    circular = reuse + repaired + recycling + composting
    denominator = circular + virgin_material
    household_recovered = reused + repaired + parts + sorted_total + composting
    recovery_rate = household_recovered / household_waste if household_waste > 0.0 else 0.0
    exchange_rate = symbiosis / byproducts if byproducts > 0.0 else 0.0
    circularity = circular / denominator if denominator > 0.0 else 0.0
    return MaterialTotals(
        inputs_kg=inputs,
        household_waste_kg=household_waste,
        byproducts_kg=byproducts,
        reuse_kg=reuse,
        repair_kg=repaired,
        recycling_kg=recycling,
        composting_kg=composting,
        recovery_kg=recovery,
        landfill_kg=landfill,
        dumping_kg=dumping_kg,
        displaced_kg=displaced,
        stock_change_kg=stock_change,
        residual_kg=residual,
        household_recovered_kg=household_recovered,
        hub_reused_kg=reused,
        hub_fees_eur=hub_fees,
        household_sorted_kg=sorted_total,
        household_recovery_rate=recovery_rate,
        byproduct_exchange_rate=exchange_rate,
        symbiosis_kg=symbiosis,
        virgin_input_kg=virgin_input,
        material_demand_kg=household_waste + input_demand,
        virgin_material_kg=virgin_material,
        circularity=circularity,
        hub_refused_kg=hub.refused_kg,
        hub_reusable_end_kg=hub.reusable_end_kg,
        hub_repairable_end_kg=hub.repairable_end_kg,
    )
