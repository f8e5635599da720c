"""The community's shared battery over one day of hourly slots.

It stores what the pool has left after direct sharing and gives it back when the
eligible agents' deficit exceeds the pool. Charge and discharge are each limited by the
power rating (energy per one-hour slot, measured on the community side), by the free
capacity and by the stored energy. The round-trip efficiency is split evenly between
charging and discharging, ``sqrt(rte)`` each, a usual simplification for lithium-ion
stationary storage (e.g. Schmidt et al. 2019, *Joule* 3: 81); the losses are returned.

One hour (:func:`battery_hour`, the battery's one-agent form: the battery is no agent, its
step is the hour), with ``S`` the stored energy, ``C`` the capacity, ``P`` the power and
``eta = sqrt(rte)``: it first charges from the pool's surplus ``s``, then discharges to
cover the pool's deficit ``d``::

    charge_in  = min(s, P, (C - S) / eta),   S <- S + eta charge_in
    discharge  = min(d, P, eta S),           S <- S - discharge / eta
    losses     = (1 - eta) charge_in + (1/eta - 1) discharge

(when the battery fills up or runs empty, ``S`` is set to ``C`` or 0 exactly). Under the
operator's ``evening_peak`` dispatch (``energy.battery.dispatch``) it discharges only in the
hours :data:`EVENING_PEAK` (17:00-22:00, when the default territory's grid import peaks),
keeping its charge for them: ``d`` counts as 0 in the other hours
(:func:`may_discharge`). The day
(:func:`dispatch_hours`, the whole-population form over the day's hours) brings the
starting ``S`` into ``[0, C]`` (:func:`stored_at_start`) and steps the hours in order;
the reference engine steps the same :func:`battery_hour` hour by hour
(``ReferenceEngine.pool_energy``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.scenario import Battery

__all__ = [
    "EVENING_PEAK",
    "BatteryDay",
    "BatteryParameters",
    "battery_hour",
    "battery_parameters",
    "dispatch",
    "dispatch_hours",
    "may_discharge",
    "one_way_efficiency",
    "stored_at_start",
]


EVENING_PEAK = (17, 22)  # hours [first, last + 1) the evening_peak dispatch discharges in


@kernel
def may_discharge(hour, evening_only):  # pragma: no cover - compiled
    """Whether the battery may discharge in ``hour`` (always, or only in :data:`EVENING_PEAK`)."""
    return not evening_only or EVENING_PEAK[0] <= hour < EVENING_PEAK[1]


def one_way_efficiency(round_trip_efficiency: float) -> float:
    """Efficiency of charging alone and of discharging alone [-]."""
    return math.sqrt(round_trip_efficiency)


class BatteryParameters(NamedTuple):
    """The battery as :func:`battery_hour` takes it (:func:`battery_parameters` reads it
    from the scenario)."""

    capacity_kwh: float  # energy it can store [kWh]
    power_kw: float  # energy it can take or give in a one-hour slot [kWh/h]
    one_way_efficiency: float  # efficiency of charging alone and of discharging alone [-]


def battery_parameters(battery: Battery) -> BatteryParameters:
    """The scenario's battery as :func:`battery_hour` takes it."""
    return BatteryParameters(
        capacity_kwh=float(battery.capacity_kwh),
        power_kw=float(battery.power_kw),
        one_way_efficiency=one_way_efficiency(battery.round_trip_efficiency),
    )


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
    p = battery_parameters(battery)
    charge_in, discharge_out, soc, losses, start = dispatch_hours(
        np.asarray(surplus, dtype=float),
        np.asarray(deficit, dtype=float),
        float(soc_kwh),
        p.capacity_kwh,
        p.power_kw,
        p.one_way_efficiency,
        battery.dispatch == "evening_peak",
    )
    return BatteryDay(charge_in=charge_in, discharge_out=discharge_out, soc=soc, losses=losses, soc_start=start)


@kernel
def stored_at_start(soc_kwh, capacity):  # pragma: no cover - compiled
    """The stored energy ``soc_kwh`` brought inside ``[0, capacity]`` (after the capacity
    was lowered, say) [kWh]."""
    return min(max(soc_kwh, 0.0), max(capacity, 0.0))


@kernel
def battery_hour(offer, need, soc, p):  # pragma: no cover - compiled
    """One hour of the battery (its one-agent form; ``p``: :class:`BatteryParameters`):
    charge from the pool's ``offer``, then discharge to cover its ``need`` [kWh], starting
    with ``soc`` stored. Returns ``(charge_in, discharge_out, soc, losses)`` [kWh]."""
    capacity, power, eta = p.capacity_kwh, p.power_kw, p.one_way_efficiency
    taken = 0.0
    delivered = 0.0
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
        lost += drawn - delivered
    return taken, delivered, soc, lost


@kernel
def dispatch_hours(surplus, deficit, soc_kwh, capacity, power, eta, evening_only):  # pragma: no cover - compiled
    """:func:`dispatch` on plain numbers: ``(charge_in, discharge_out, soc, losses, soc_start)``,
    :func:`battery_hour` hour after hour (discharging only in :data:`EVENING_PEAK` when
    ``evening_only``)."""
    hours = surplus.size
    charge_in = np.zeros(hours)
    discharge_out = np.zeros(hours)
    losses = np.zeros(hours)
    soc_path = np.zeros(hours)
    p = BatteryParameters(capacity, power, eta)
    soc = stored_at_start(soc_kwh, capacity)
    start = soc
    for h in range(hours):
        need = deficit[h] if may_discharge(h, evening_only) else 0.0
        charge_in[h], discharge_out[h], soc, losses[h] = battery_hour(surplus[h], need, soc, p)
        soc_path[h] = soc
    return charge_in, discharge_out, soc_path, losses, start
