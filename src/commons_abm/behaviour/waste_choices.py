"""A household's waste decisions: sort, compost, bring goods to the hub, dump.

Each decision weighs, per kg, what it gains the household against what it costs it, in
EUR from the model's own numbers; none shares the coin flip of the energy decision
(:mod:`commons_abm.behaviour.decisions`). A kg of waste is an item with its own effort:
efforts are spread over the items of a fraction as an exponential distribution with the
fraction's mean effort ``e`` [EUR/kg], so the household takes the item down the effortful
route when the item's effort is below what the route gains it, ``g``::

    share = 1 - exp(-max(g, 0) / e)

(a random-utility model with exponentially distributed costs; the share is an expected
share, not a draw). Dumping is an act on a given day: the two dumping terms below are the
probabilities that the household dumps, today, all the goods it keeps or all its bagged
waste (:func:`dumping_today`, two uniform draws per household and day from the stream
``behaviour``), so that a breach of a dumping ban is an event monitors can see.

For household ``i`` with today's intrinsic cooperation ``q_i``
(its conditional cooperation, motive and the legitimacy of the rules, less crowding out
under controlling officials: :func:`~commons_abm.behaviour.decisions.intrinsic_cooperation`)
and ``pi_i`` the price it pays for one more kg in its residual-waste bin::

    m_i        = warm_glow x q_i                                   what doing right is worth to it [EUR/kg]
    sort_i     = 1 - exp(-max(m_i + pi_i, 0) / sorting_effort)      of its recyclables
    compost_i  = 1 - exp(-max(m_i + pi_i, 0) / composting_effort)   of its food and kitchen waste
    bring_i    = 1 - exp(-max(m_i - hub_price, 0) / hub_extra_effort)          of its reusable and repairable goods
    dump_goods = 1 - exp(-max(trip - m_i - F_i / G_i, 0) / dumping_hassle)  P(it dumps the goods it keeps today)
    dump_bag   = 1 - exp(-max(pi_i - m_i - F_i / K_i, 0) / dumping_hassle)  P(it dumps its bagged waste today)

Goods it does not bring to the hub need a trip to the recycling centre (*déchèterie*),
``trip`` [EUR/kg], which dumping saves; bagged waste costs nothing to put in one's bin
but ``pi_i``. ``F_i`` is the fine it expects for dumping on a day: its perceived detection
times the fine at its next rung, when a sanctioned dumping ban binds it (Becker 1968); 0
otherwise. For its bag under pay-per-lift bins the detection is that of a bag partly put in
a neighbour's bin, which officials and the operator do not see, only the neighbours
(:mod:`commons_abm.governance.monitoring`). It weighs against what the act would gain on
the kg at stake: ``G_i`` the goods it keeps on a usual day, ``K_i`` its usual bag (from
its usual waste and the shares above). Under pay-per-lift bins the household puts the bag
it dumps in a neighbour's bin when that is less watched than the street
(:func:`commons_abm.behaviour.decisions.bag_destination`).

**Charging schemes** (rule ``charge_waste``, :mod:`commons_abm.governance.rulebook`): the
French household pays for its waste by a flat tax or charge (TEOM or REOM: ``pi = 0``, the
status quo of most of France), by weight (``pi = eur_per_kg``) or by the number of times
its chipped bin is emptied (*redevance incitative* per lift, ``002_2c516223579a919e.txt``
l. 680: ``pi = eur_per_lift / kg_per_lift`` once the lifts included in the fixed part are
used up, i.e. when the household's yearly residual waste, the part no one can sort,
exceeds ``lifts_included x kg_per_lift``). With chipped bins a share
``neighbour_bin_share`` of dumped bagged waste goes into a neighbour's bin, the rest in the
street (``002_2c516223579a919e.txt`` l. 702); without them all dumping lands in the street.

**What sources set the numbers** (``docs/ODD.md`` 7.B.3b): the sorting effort from
Bruvoll, Halvorsen & Nyborg (2002): Norwegian households' willingness to pay to have
someone else sort their waste; the trip from the French value of non-work time and car
costs; ``warm_glow`` and ``dumping_hassle`` are set so that the status quo sorts the
share of recyclables Citeo reports and dumps a few kg per inhabitant a year (ADEME 2019:
about 21 kg for every kind of dumping), and the response to a price is not fitted.

:func:`household_choice` is the one-agent form that the population kernel
:func:`choice_arrays` calls for every agent and the reference engine's households call
one at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.kinds import DISCARDS_GOODS

if TYPE_CHECKING:
    from commons_abm.core.scenario import Scenario
    from commons_abm.governance.institutions import Institutions

__all__ = [
    "FLAT",
    "PER_KG",
    "PER_LIFT",
    "SCHEMES",
    "ChoiceParameters",
    "WasteCharge",
    "WasteChoice",
    "WasteChoices",
    "choice_arrays",
    "choice_parameters",
    "dumping_today",
    "exponential_share",
    "household_choice",
    "marginal_price",
    "no_choices",
    "waste_charge",
]

FLAT, PER_KG, PER_LIFT = 0, 1, 2
SCHEMES = {"flat": FLAT, "per_kg": PER_KG, "per_lift": PER_LIFT}


class WasteCharge(NamedTuple):
    """How households pay for their waste (rule ``charge_waste``; flat when no rule says otherwise)."""

    scheme: int  # FLAT, PER_KG or PER_LIFT
    fixed_eur_per_inhabitant_year: float  # the flat part [EUR/inhabitant/yr]
    eur_per_kg: float  # per kg of residual waste collected (PER_KG) [EUR/kg]
    eur_per_lift: float  # per lift of the bin beyond those included (PER_LIFT) [EUR]
    kg_per_lift: float  # residual waste in one full bin [kg]
    lifts_included: float  # lifts a year paid by the flat part (PER_LIFT) [1/yr]


class ChoiceParameters(NamedTuple):
    """The efforts and values households weigh, as :func:`household_choice` takes them
    (:func:`choice_parameters` reads them from the scenario)."""

    warm_glow_eur_per_kg: float  # what doing right by the commons is worth to a fully cooperative household
    sorting_effort_eur_per_kg: float  # mean effort of sorting a kg of recyclables
    composting_effort_eur_per_kg: float  # mean effort of composting a kg of food waste
    hub_extra_effort_eur_per_kg: float  # mean extra effort of the hub over the recycling centre
    trip_eur_per_kg: float  # a trip to the recycling centre, per kg of goods
    dumping_hassle_eur_per_kg: float  # mean hassle (and shame) of dumping a kg
    neighbour_bin_share: float  # share of dumped bagged waste put in a neighbour's chipped bin [0-1]
    residual_share: float  # share of waste no one can sort [0-1]
    recyclable_share: float  # share of waste that can be sorted for recycling [0-1]
    biowaste_share: float  # share of waste that is food and kitchen waste [0-1]
    reusable_share: float  # share of waste reusable as is [0-1]
    repairable_share: float  # share of waste that is repairable [0-1]
    kg_per_inhabitant_year: float  # household waste per inhabitant [kg/yr]
    reuse_eur_per_kg: float  # the hub's price for reusable goods [EUR/kg]
    repair_eur_per_kg: float  # the hub's price for goods to repair [EUR/kg]


class WasteChoice(NamedTuple):
    """One household's waste decisions of the day: shares [0-1] and its prices [EUR]."""

    sort: float  # share of its recyclables sorted
    compost: float  # share of its food and kitchen waste composted
    bring_reuse: float  # share of its reusable goods brought to the hub
    bring_repair: float  # share of its repairable goods brought to the hub
    dump_goods: float  # probability that it dumps today the goods it keeps (1 or 0 once drawn)
    dump_bag: float  # probability that it dumps today its bagged residual waste (1 or 0 once drawn)
    to_neighbours: float  # share of its dumped bagged waste that lands in neighbours' bins
    marginal_eur_per_kg: float  # what one more kg in its bin costs it [EUR/kg]
    fixed_eur_per_day: float  # its flat charge [EUR/day]
    motive: float  # its intrinsic cooperation today, behind these decisions [0-1]


class WasteChoices(NamedTuple):
    """Every agent's :class:`WasteChoice` as arrays (zeros for those who discard no goods)."""

    sort: np.ndarray
    compost: np.ndarray
    bring_reuse: np.ndarray
    bring_repair: np.ndarray
    dump_goods: np.ndarray
    dump_bag: np.ndarray
    to_neighbours: np.ndarray
    marginal_eur_per_kg: np.ndarray
    fixed_eur_per_day: np.ndarray
    motive: np.ndarray


@kernel
def exponential_share(gain, effort):  # pragma: no cover - compiled
    """Share of items whose effort, exponential with mean ``effort``, is below ``gain``."""
    if not gain > 0.0:
        return 0.0
    if not effort > 0.0:
        return 1.0
    return 1.0 - np.exp(-gain / effort)


@kernel
def marginal_price(waste_kg_per_day, charge, p):  # pragma: no cover - compiled
    """What one more kg of residual waste in its bin costs a household [EUR/kg]."""
    if charge.scheme == PER_KG:
        return charge.eur_per_kg
    if charge.scheme == PER_LIFT and charge.kg_per_lift > 0.0:
        unavoidable = waste_kg_per_day * 365.0 * p.residual_share
        if unavoidable > charge.lifts_included * charge.kg_per_lift:
            return charge.eur_per_lift / charge.kg_per_lift
    return 0.0


@kernel
def household_choice(
    role, q, q_dumping, waste_kg_per_day, fine_goods_eur, fine_bag_eur, charge, p
):  # pragma: no cover - compiled
    """One agent's :class:`WasteChoice` from its material ``role``, today's intrinsic
    cooperation ``q`` [0-1] (``q_dumping`` in its dumping decisions, which a dumping ban may
    bind), its usual waste [kg/day], the fines it expects for dumping its goods and its bag on
    a day [EUR] and the charging scheme (``p``: :class:`ChoiceParameters`). An agent that
    discards no goods makes no waste decision."""
    if role != DISCARDS_GOODS:
        return WasteChoice(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    price = marginal_price(waste_kg_per_day, charge, p)
    glow = p.warm_glow_eur_per_kg * q
    dumping_glow = p.warm_glow_eur_per_kg * q_dumping
    inhabitants = 0.0
    if p.kg_per_inhabitant_year > 0:
        inhabitants = waste_kg_per_day * 365.0 / p.kg_per_inhabitant_year
    to_neighbours = p.neighbour_bin_share if charge.scheme == PER_LIFT else 0.0
    sort = exponential_share(glow + price, p.sorting_effort_eur_per_kg)
    compost = exponential_share(glow + price, p.composting_effort_eur_per_kg)
    bring_reuse = exponential_share(glow - p.reuse_eur_per_kg, p.hub_extra_effort_eur_per_kg)
    bring_repair = exponential_share(glow - p.repair_eur_per_kg, p.hub_extra_effort_eur_per_kg)
    # the kg at stake in each act of dumping, on a usual day
    goods_kg = waste_kg_per_day * (p.reusable_share * (1.0 - bring_reuse) + p.repairable_share * (1.0 - bring_repair))
    bag_kg = waste_kg_per_day * (
        p.residual_share + p.recyclable_share * (1.0 - sort) + p.biowaste_share * (1.0 - compost)
    )
    fine_goods = fine_goods_eur / goods_kg if goods_kg > 0.0 else 0.0
    fine_bag = fine_bag_eur / bag_kg if bag_kg > 0.0 else 0.0
    return WasteChoice(
        sort=sort,
        compost=compost,
        bring_reuse=bring_reuse,
        bring_repair=bring_repair,
        dump_goods=exponential_share(p.trip_eur_per_kg - dumping_glow - fine_goods, p.dumping_hassle_eur_per_kg),
        dump_bag=exponential_share(price - dumping_glow - fine_bag, p.dumping_hassle_eur_per_kg),
        to_neighbours=to_neighbours,
        marginal_eur_per_kg=price,
        fixed_eur_per_day=charge.fixed_eur_per_inhabitant_year * inhabitants / 365.0,
        motive=q,
    )


@kernel
def choice_arrays(
    role, q, q_dumping, waste_kg_per_day, fine_goods_eur, fine_bag_eur, charge, p
):  # pragma: no cover - compiled
    """:func:`household_choice` of every agent (``role``: each agent's material role), as
    :class:`WasteChoices`."""
    n = q.size
    out = WasteChoices(
        np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n),
        np.zeros(n), np.zeros(n),
    )  # fmt: skip
    for i in range(n):
        c = household_choice(
            role[i], q[i], q_dumping[i], waste_kg_per_day[i], fine_goods_eur[i], fine_bag_eur[i], charge, p
        )
        out.sort[i] = c.sort
        out.compost[i] = c.compost
        out.bring_reuse[i] = c.bring_reuse
        out.bring_repair[i] = c.bring_repair
        out.dump_goods[i] = c.dump_goods
        out.dump_bag[i] = c.dump_bag
        out.to_neighbours[i] = c.to_neighbours
        out.marginal_eur_per_kg[i] = c.marginal_eur_per_kg
        out.fixed_eur_per_day[i] = c.fixed_eur_per_day
        out.motive[i] = c.motive
    return out


@kernel
def dumping_today(choices, u):  # pragma: no cover - compiled
    """Draw today's dumping: ``choices``' two dumping probabilities become 1 (the household
    dumps all the goods it keeps, or all its bagged waste, today) or 0, from the uniforms
    ``u`` (shape ``(2, n)``); returns whether each agent dumps anything."""
    dumps = np.zeros(u.shape[1], dtype=np.bool_)
    for i in range(u.shape[1]):
        goods = u[0, i] < choices.dump_goods[i]
        bag = u[1, i] < choices.dump_bag[i]
        choices.dump_goods[i] = 1.0 if goods else 0.0
        choices.dump_bag[i] = 1.0 if bag else 0.0
        dumps[i] = goods or bag
    return dumps


def no_choices(n: int) -> WasteChoices:
    """Choices of ``n`` agents that sort, compost, bring and dump nothing and pay nothing."""
    return WasteChoices(*(np.zeros(n) for _ in WasteChoices._fields))


def waste_charge(inst: Institutions) -> WasteCharge:
    """The charging scheme the rulebook sets (``charge_waste``)."""
    return WasteCharge(
        scheme=SCHEMES[inst.waste_scheme],
        fixed_eur_per_inhabitant_year=float(inst.waste_fixed_eur_per_inhabitant_year),
        eur_per_kg=float(inst.waste_eur_per_kg),
        eur_per_lift=float(inst.waste_eur_per_lift),
        kg_per_lift=float(inst.waste_kg_per_lift),
        lifts_included=float(inst.waste_lifts_included),
    )


def choice_parameters(scenario: Scenario) -> ChoiceParameters:
    """The efforts and values of :func:`household_choice`, from the scenario."""
    hh, c = scenario.materials.households, scenario.materials.costs
    e = hh.effort
    return ChoiceParameters(
        warm_glow_eur_per_kg=float(e.warm_glow_eur_per_kg),
        sorting_effort_eur_per_kg=float(e.sorting_eur_per_kg),
        composting_effort_eur_per_kg=float(e.composting_eur_per_kg),
        hub_extra_effort_eur_per_kg=float(e.hub_extra_eur_per_kg),
        trip_eur_per_kg=float(e.trip_eur_per_kg),
        dumping_hassle_eur_per_kg=float(e.dumping_hassle_eur_per_kg),
        neighbour_bin_share=float(e.neighbour_bin_share),
        residual_share=float(hh.residual_share),
        recyclable_share=float(hh.recyclable_share),
        biowaste_share=float(hh.biowaste_share),
        reusable_share=float(hh.reusable_share),
        repairable_share=float(hh.repairable_share),
        kg_per_inhabitant_year=float(hh.kg_per_inhabitant_year),
        reuse_eur_per_kg=float(c.reuse_eur_per_kg),
        repair_eur_per_kg=float(c.repair_eur_per_kg),
    )
