"""The shared reuse-and-repair hub: one day of intake, reuse and repair.

The hub holds two stocks, goods reusable as they are and goods that need repair
(``State.commons.hub_reusable_kg`` and ``hub_repairable_kg``). It serves the two upper
rungs of the waste hierarchy of the EU Waste Framework Directive (2008/98/EC, art. 4):
prevention by re-use, and preparing for re-use (repair), as repair cafés and
ressourceries do (Fing's Kit AgirLocal, ``002_2c516223579a919e.txt``). Goods it refuses go
back to the households' residual stream (see :mod:`commons_abm.materials.routing`).

One day, in this order:

1. **intake**: of the goods offered, the hub accepts at most ``intake_kg_per_day`` and at
   most its free storage (``storage_kg`` minus the stock at the start of the day);
   reusable and repairable goods are accepted in proportion to what is offered, so every
   household sees the same acceptance share;
2. **reuse**: ``min(reusable stock, reuse_demand_kg_per_day)`` goes back into use;
3. **repair**: ``min(repairable stock, repair_kg_per_day)`` is repaired; a share
   ``repair_success_rate`` works again and goes back into use; of the rest the hub takes
   apart and recycles ``parts_recycled_share``, and sends the remainder to the residual
   stream (:mod:`commons_abm.materials.routing`).

The capacities are those of the day: what the hub's volunteers and staff can do
(:mod:`commons_abm.materials.hub_organisation`).

In equations, with stocks ``R_u, R_r`` at the start of the day, goods offered
``B_u, B_r`` (the sums of every household's ``b_u,i, b_r,i``) and the capacities::

    a     = min(B_u + B_r, intake, max(storage - R_u - R_r, 0)) / (B_u + B_r)   (1 if nothing offered)
    reused   = min(R_u + a B_u, reuse_demand)
    repaired = success min(R_r + a B_r, repair),   failed = min(R_r + a B_r, repair) - repaired

and household ``i`` sees ``a b_u,i`` and ``a b_r,i`` of its goods accepted. Stocks
therefore never go below zero, and never above ``storage_kg`` if they started at or below
it. The functions here are pure: they return the flows and the new stocks and leave the
caller to store them.

The hub is no agent: its day, :func:`hub_flows`, is one call that both engines make, with
the day's capacities (:func:`capacities`); :func:`hub_day` is the same day as a named
record, for inspection and tests. What a household sees of it is its one-agent
form :func:`hub_accepts`, the share ``a`` of the goods it brought; the population kernel
:func:`accepted_goods` calls it for every household (in
:func:`commons_abm.materials.routing.route_arrays`), and the reference engine's households
call it one at a time (``HouseholdRules.settle_materials``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel

__all__ = [
    "HubCapacities",
    "HubDay",
    "HubFlows",
    "accepted_goods",
    "capacities",
    "hub_accepts",
    "hub_day",
    "hub_flows",
]


class HubCapacities(NamedTuple):
    """The hub's capacities, as :func:`hub_flows` takes them (:func:`capacities` reads them
    from the scenario)."""

    intake_kg_per_day: float  # goods the hub can accept per day [kg/day]
    storage_kg: float  # goods the hub can hold [kg]
    reuse_demand_kg_per_day: float  # reusable goods taken back into use per day [kg/day]
    repair_kg_per_day: float  # goods the hub can repair per day [kg/day]
    repair_success_rate: float  # share of repaired goods that work again [0-1]


class HubFlows(NamedTuple):
    """One day of the hub as :func:`hub_flows` returns it (:class:`HubDay`'s fields, with
    units)."""

    offered_reusable_kg: float  # reusable goods brought
    offered_repairable_kg: float  # goods needing repair brought
    accepted_reusable_kg: float  # reusable goods taken into stock
    accepted_repairable_kg: float  # repairable goods taken into stock
    refused_kg: float  # goods turned away (back to the households' residual stream)
    accept_share: float  # accepted / offered (1 when nothing was offered) [0-1]
    reused_kg: float  # reusable goods taken back into use
    repaired_kg: float  # repaired goods that work again (back into use)
    repair_failed_kg: float  # repaired goods that do not work (taken apart, or residual)
    reusable_start_kg: float  # reusable stock at the start of the day
    repairable_start_kg: float  # repairable stock at the start of the day
    reusable_end_kg: float  # reusable stock at the end of the day
    repairable_end_kg: float  # repairable stock at the end of the day


@dataclass(frozen=True)
class HubDay:
    """One day of the hub [kg, or kg/day for flows]."""

    offered_reusable: float  # reusable goods brought
    offered_repairable: float  # goods needing repair brought
    accepted_reusable: float  # reusable goods taken into stock
    accepted_repairable: float  # repairable goods taken into stock
    refused: float  # goods turned away (back to the households' residual stream)
    accept_share: float  # accepted / offered (1 when nothing was offered) [0-1]
    reused: float  # reusable goods taken back into use
    repaired: float  # repaired goods that work again (back into use)
    repair_failed: float  # repaired goods that do not work (sent to recycling)
    reusable_start: float  # reusable stock at the start of the day
    repairable_start: float  # repairable stock at the start of the day
    reusable_end: float  # reusable stock at the end of the day
    repairable_end: float  # repairable stock at the end of the day

    @property
    def stock_change(self) -> float:
        """Stocks at the end minus stocks at the start [kg]."""
        return (self.reusable_end - self.reusable_start) + (self.repairable_end - self.repairable_start)


def hub_day(
    reusable_kg: float,
    repairable_kg: float,
    offered_reusable_kg: float,
    offered_repairable_kg: float,
    hub: HubCapacities,
) -> HubDay:
    """One day of the hub, from its stocks at the start of the day and the goods offered.

    ``hub`` gives the day's capacities (:class:`HubCapacities`: what its volunteers and
    staff can do today, :mod:`commons_abm.materials.hub_organisation`). Negative stocks or
    offers are treated as zero.
    """
    f = hub_flows(
        float(reusable_kg),
        float(repairable_kg),
        float(offered_reusable_kg),
        float(offered_repairable_kg),
        hub,
    )
    return HubDay(
        offered_reusable=f.offered_reusable_kg,
        offered_repairable=f.offered_repairable_kg,
        accepted_reusable=f.accepted_reusable_kg,
        accepted_repairable=f.accepted_repairable_kg,
        refused=f.refused_kg,
        accept_share=f.accept_share,
        reused=f.reused_kg,
        repaired=f.repaired_kg,
        repair_failed=f.repair_failed_kg,
        reusable_start=f.reusable_start_kg,
        repairable_start=f.repairable_start_kg,
        reusable_end=f.reusable_end_kg,
        repairable_end=f.repairable_end_kg,
    )


@kernel
def capacities(storage_kg, repair_success_rate, staffing):  # pragma: no cover - compiled
    """The hub's capacities of the day as :func:`hub_flows` takes them: its storage and
    success rate, and what its people can do today (``staffing``:
    :class:`~commons_abm.materials.hub_organisation.HubStaffing`)."""
    return HubCapacities(
        intake_kg_per_day=staffing.intake_kg_per_day,
        storage_kg=storage_kg,
        reuse_demand_kg_per_day=staffing.reuse_demand_kg_per_day,
        repair_kg_per_day=staffing.repair_kg_per_day,
        repair_success_rate=repair_success_rate,
    )


@kernel
def hub_flows(
    reusable_kg,
    repairable_kg,
    offered_reusable_kg,
    offered_repairable_kg,
    c,
):  # pragma: no cover - compiled
    """:func:`hub_day` on plain numbers (``c``: :class:`HubCapacities`), as :class:`HubFlows`."""
    reusable = max(0.0, reusable_kg)
    repairable = max(0.0, repairable_kg)
    off_reuse = max(0.0, offered_reusable_kg)
    off_repair = max(0.0, offered_repairable_kg)
    offered = off_reuse + off_repair

    free = max(0.0, c.storage_kg - reusable - repairable)
    accepted = min(offered, c.intake_kg_per_day, free)
    share = accepted / offered if offered > 0.0 else 1.0
    acc_reuse = off_reuse * share
    acc_repair = accepted - acc_reuse if off_repair > 0.0 else 0.0
    acc_repair = max(0.0, acc_repair)

    stock_reuse = reusable + acc_reuse
    stock_repair = repairable + acc_repair
    reused = min(stock_reuse, c.reuse_demand_kg_per_day)
    processed = min(stock_repair, c.repair_kg_per_day)
    repaired = processed * c.repair_success_rate
    return HubFlows(
        offered_reusable_kg=off_reuse,
        offered_repairable_kg=off_repair,
        accepted_reusable_kg=acc_reuse,
        accepted_repairable_kg=acc_repair,
        refused_kg=offered - acc_reuse - acc_repair,
        accept_share=share,
        reused_kg=reused,
        repaired_kg=repaired,
        repair_failed_kg=processed - repaired,
        reusable_start_kg=reusable,
        repairable_start_kg=repairable,
        reusable_end_kg=stock_reuse - reused,
        repairable_end_kg=stock_repair - processed,
    )


@kernel
def hub_accepts(brought_kg, accept_share):  # pragma: no cover - compiled
    """What the hub accepts of the goods one household brought [kg/day]: the day's
    acceptance share ``accept_share`` (:class:`HubFlows`) of them."""
    return brought_kg * accept_share


@kernel
def accepted_goods(brought_kg, accept_share):  # pragma: no cover - compiled
    """:func:`hub_accepts` for every household: what the hub accepts of the goods each
    brought [kg/day]."""
    out = np.empty(brought_kg.size)
    for i in range(brought_kg.size):
        out[i] = hub_accepts(brought_kg[i], accept_share)
    return out
