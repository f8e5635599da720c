"""The community's shared battery over one day of hourly slots.

It stores what the pool has left after direct sharing and gives it back when the
eligible agents' deficit exceeds the pool. Charge and discharge are each limited by the
power rating (energy per one-hour slot, measured on the community side), by the free
capacity and by the stored energy. The round-trip efficiency is split evenly between
charging and discharging, ``sqrt(rte)`` each, a usual simplification for lithium-ion
stationary storage (e.g. Schmidt et al. 2019, *Joule* 3: 81); the losses are returned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.scenario import Battery

__all__ = ["BatteryDay", "dispatch", "dispatch_hours", "one_way_efficiency"]


def one_way_efficiency(round_trip_efficiency: float) -> float:
    """Efficiency of charging alone and of discharging alone [-]."""
    return math.sqrt(round_trip_efficiency)


@dataclass(frozen=True)
class BatteryDay:
    """Hourly battery flows [kWh], arrays of the day's hours.

    ``charge_in``: energy taken from the pool; ``discharge_out``: energy delivered to the
    agents; ``soc``: stored energy at the end of each hour; ``losses``: conversion losses.
    Balance: ``sum(charge_in) - sum(discharge_out) = soc_end - soc_start + sum(losses)``.
    """

    charge_in: np.ndarray
    discharge_out: np.ndarray
    soc: np.ndarray
    losses: np.ndarray
    soc_start: float

    @property
    def soc_end(self) -> float:
        """Stored energy at the end of the day [kWh]."""
        return float(self.soc[-1]) if self.soc.size else self.soc_start


def dispatch(surplus: np.ndarray, deficit: np.ndarray, soc_kwh: float, battery: Battery) -> BatteryDay:
    """Charge from the pool's hourly ``surplus`` and discharge to cover its hourly ``deficit``
    [kWh], starting with ``soc_kwh`` stored. Inputs below 0 count as 0.

    In each hour the battery first charges (if there is surplus), then discharges (if there
    is deficit); the energy pool settles its own surplus against its own deficit before
    calling this, so at most one of them is positive in an hour. A starting ``soc_kwh``
    outside ``[0, capacity]`` (e.g. after the capacity was lowered) is first brought inside;
    ``soc_start`` of the result is the value after that.
    """
    charge_in, discharge_out, soc, losses, start = dispatch_hours(
        np.asarray(surplus, dtype=float),
        np.asarray(deficit, dtype=float),
        float(soc_kwh),
        float(battery.capacity_kwh),
        float(battery.power_kw),
        one_way_efficiency(battery.round_trip_efficiency),
    )
    return BatteryDay(charge_in=charge_in, discharge_out=discharge_out, soc=soc, losses=losses, soc_start=start)


@kernel
def dispatch_hours(surplus, deficit, soc_kwh, capacity, power, eta):  # pragma: no cover - compiled
    """:func:`dispatch` on plain numbers: ``(charge_in, discharge_out, soc, losses, soc_start)``."""
    hours = surplus.size
    charge_in = np.zeros(hours)
    discharge_out = np.zeros(hours)
    losses = np.zeros(hours)
    soc_path = np.zeros(hours)
    soc = min(max(soc_kwh, 0.0), max(capacity, 0.0))
    start = soc
    for h in range(hours):
        offer = surplus[h]
        need = deficit[h]
        lost = 0.0
        if offer > 0.0 and power > 0.0 and soc < capacity:
            room = capacity - soc
            taken = min(offer, power)
            if taken * eta >= room:  # the battery fills up
                taken = room / eta
                stored = room
                soc = capacity
            else:
                stored = taken * eta
                soc += stored
            charge_in[h] = taken
            lost += taken - stored
        if need > 0.0 and power > 0.0 and soc > 0.0:
            delivered = min(need, power)
            if delivered >= soc * eta:  # the battery runs empty
                delivered = soc * eta
                drawn = soc
                soc = 0.0
            else:
                drawn = delivered / eta
                soc -= drawn
            discharge_out[h] = delivered
            lost += drawn - delivered
        losses[h] = lost
        soc_path[h] = soc
    return charge_in, discharge_out, soc_path, losses, start
