"""The shared reuse-and-repair hub: one day of intake, reuse and repair.

The hub holds two stocks, goods reusable as they are and goods that need repair
(``State.commons.hub_reusable_kg`` and ``hub_repairable_kg``). It serves the two upper
rungs of the waste hierarchy of the EU Waste Framework Directive (2008/98/EC, art. 4):
prevention by re-use, and preparing for re-use (repair). Goods it refuses go back to the
households' residual stream (see :mod:`commons_abm.materials.routing`).

One day, in this order:

1. **intake**: of the goods offered, the hub accepts at most ``intake_kg_per_day`` and at
   most its free storage (``storage_kg`` minus the stock at the start of the day);
   reusable and repairable goods are accepted in proportion to what is offered, so every
   household sees the same acceptance share;
2. **reuse**: ``min(reusable stock, reuse_demand_kg_per_day)`` goes back into use;
3. **repair**: ``min(repairable stock, repair_kg_per_day)`` is repaired; a share
   ``repair_success_rate`` works again and goes back into use, the rest is recycled.

Stocks therefore never go below zero, and never above ``storage_kg`` if they started at
or below it. The functions here are pure: they return the flows and the new stocks and
leave the caller to store them.
"""

from __future__ import annotations

from dataclasses import dataclass

from commons_abm.core.kernels import kernel
from commons_abm.core.scenario import Hub

__all__ = ["HubDay", "capacities", "hub_day", "hub_flows"]


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
    hub: Hub,
) -> HubDay:
    """One day of the hub, from its stocks at the start of the day and the goods offered.

    ``hub`` gives the capacities (``intake_kg_per_day``, ``storage_kg``,
    ``reuse_demand_kg_per_day``, ``repair_kg_per_day``, ``repair_success_rate``).
    Negative stocks or offers are treated as zero.
    """
    return HubDay(
        *hub_flows(
            float(reusable_kg),
            float(repairable_kg),
            float(offered_reusable_kg),
            float(offered_repairable_kg),
            *capacities(hub),
        )
    )


def capacities(hub: Hub) -> tuple[float, float, float, float, float]:
    """The hub's capacities as :func:`hub_flows` takes them."""
    return (
        float(hub.intake_kg_per_day),
        float(hub.storage_kg),
        float(hub.reuse_demand_kg_per_day),
        float(hub.repair_kg_per_day),
        float(hub.repair_success_rate),
    )


@kernel
def hub_flows(
    reusable_kg,
    repairable_kg,
    offered_reusable_kg,
    offered_repairable_kg,
    intake,
    storage,
    reuse_demand,
    repair_capacity,
    success_rate,
):  # pragma: no cover - compiled
    """:func:`hub_day` on plain numbers: the fields of :class:`HubDay`, in order."""
    reusable = max(0.0, reusable_kg)
    repairable = max(0.0, repairable_kg)
    off_reuse = max(0.0, offered_reusable_kg)
    off_repair = max(0.0, offered_repairable_kg)
    offered = off_reuse + off_repair

    free = max(0.0, storage - reusable - repairable)
    accepted = min(offered, intake, free)
    share = accepted / offered if offered > 0.0 else 1.0
    acc_reuse = off_reuse * share
    acc_repair = accepted - acc_reuse if off_repair > 0.0 else 0.0
    acc_repair = max(0.0, acc_repair)

    stock_reuse = reusable + acc_reuse
    stock_repair = repairable + acc_repair
    reused = min(stock_reuse, reuse_demand)
    processed = min(stock_repair, repair_capacity)
    repaired = processed * success_rate
    return (
        off_reuse,
        off_repair,
        acc_reuse,
        acc_repair,
        offered - acc_reuse - acc_repair,
        share,
        reused,
        repaired,
        processed - repaired,
        reusable,
        repairable,
        stock_reuse - reused,
        stock_repair - processed,
    )
