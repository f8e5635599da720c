"""The shared battery (:mod:`commons_abm.energy.battery`): the day's dispatch equals its
one-hour form stepped hour after hour, as the reference engine steps it. The battery is
no agent: its one-agent form is the one-hour step, its population the day's hours."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.core.scenario import Battery
from commons_abm.energy import battery
from tests.contract import MechanismContract

HOURS = 24
ROUNDING = 1e-12  # relative rounding allowed at the capacity and in the hourly balance


class TestBatteryHour(MechanismContract):
    """Charge from the pool's surplus, discharge to cover its deficit, hour by hour."""

    module = battery
    stream = None
    parameters = battery.BatteryParameters
    agents = HOURS  # the battery's day: one step per hour
    bounds = {
        "charge_in": (0.0, np.inf),
        "discharge_out": (0.0, np.inf),
        "losses": (0.0, np.inf),
        "of_power": (0.0, 1.0),  # charge and discharge over the power rating (0 without power)
        "of_capacity": (0.0, 1.0 + ROUNDING),  # stored energy over the capacity (0 without capacity)
        "of_offer": (0.0, 1.0),  # charge over the surplus offered (0 when none)
        "of_need": (0.0, 1.0),  # discharge over the deficit (0 when none)
        "balance": (-ROUNDING, ROUNDING),  # charge - discharge - stored change - losses, per kWh moved
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        capacity = rng.choice([0.0, rng.uniform(5.0, 500.0)], p=[0.1, 0.9])
        sun = np.clip(np.sin(np.pi * (np.arange(HOURS) + 0.5 - 6.5) / 13.0), 0.0, None)
        flow = rng.uniform(-80.0, 80.0, HOURS) + 120.0 * sun * rng.uniform(0.0, 1.0)
        surplus, deficit = np.maximum(flow, 0.0), np.maximum(-flow, 0.0)
        both = rng.random(HOURS) < 0.1  # now and then both (dispatch charges first, then discharges)
        deficit[both] = rng.uniform(0.0, 60.0, both.sum())
        return {
            "surplus": surplus,
            "deficit": deficit,
            "soc": capacity * rng.uniform(-0.1, 1.2),  # sometimes outside [0, capacity]
            "evening_only": bool(rng.random() < 0.5),  # the operator's evening_peak dispatch
            "p": battery.battery_parameters(
                Battery(
                    capacity_kwh=capacity,
                    power_kw=rng.choice([0.0, rng.uniform(1.0, 150.0)], p=[0.1, 0.9]),
                    round_trip_efficiency=rng.uniform(0.7, 1.0),
                )
            ),
        }

    @staticmethod
    def outputs(fixture: dict[str, Any], charge, discharge, soc, losses, start) -> dict[str, np.ndarray]:
        p, surplus, deficit = fixture["p"], fixture["surplus"], fixture["deficit"]
        before = np.concatenate([[start], soc[:-1]])
        moved = 1.0 + charge + discharge + np.maximum(before, soc)

        def share(x: np.ndarray, of: np.ndarray | float) -> np.ndarray:
            of = np.broadcast_to(of, x.shape)
            return np.divide(x, of, out=np.zeros_like(x), where=of > 0)

        return {
            "charge_in": charge,
            "discharge_out": discharge,
            "losses": losses,
            "of_power": np.concatenate([share(charge, p.power_kw), share(discharge, p.power_kw)]),
            "of_capacity": share(soc, p.capacity_kwh),
            "of_offer": share(charge, surplus),
            "of_need": share(discharge, deficit),
            "balance": (charge - discharge - (soc - before) - losses) / moved,
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        p = fixture["p"]
        charge, discharge, soc, losses, start = battery.dispatch_hours(
            fixture["surplus"],
            fixture["deficit"],
            fixture["soc"],
            p.capacity_kwh,
            p.power_kw,
            p.one_way_efficiency,
            fixture["evening_only"],
        )
        return self.outputs(fixture, charge, discharge, soc, losses, start)

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        p = fixture["p"]
        soc = start = battery.stored_at_start(fixture["soc"], p.capacity_kwh)
        hours = []
        for h in range(HOURS):
            need = float(fixture["deficit"][h]) if battery.may_discharge(h, fixture["evening_only"]) else 0.0
            charge, discharge, soc, losses = battery.battery_hour(float(fixture["surplus"][h]), need, soc, p)
            hours.append((charge, discharge, soc, losses))
        charge, discharge, path, losses = (np.array(flow) for flow in zip(*hours))
        return self.outputs(fixture, charge, discharge, path, losses, start)

    def test_fills_up_and_runs_empty_exactly(self) -> None:
        p = battery.BatteryParameters(capacity_kwh=10.0, power_kw=50.0, one_way_efficiency=0.9)
        charge, discharge, soc, losses = battery.battery_hour(40.0, 0.0, 5.0, p)
        assert soc == 10.0 and charge == 5.0 / 0.9 and discharge == 0.0
        charge, discharge, soc, losses = battery.battery_hour(0.0, 40.0, 5.0, p)
        assert soc == 0.0 and discharge == 5.0 * 0.9 and losses == 5.0 - 5.0 * 0.9

    def test_the_day_starts_inside_the_capacity(self) -> None:
        assert battery.stored_at_start(-3.0, 10.0) == 0.0
        assert battery.stored_at_start(12.0, 10.0) == 10.0
        assert battery.stored_at_start(4.0, -1.0) == 0.0
