"""The shared battery: limits, efficiency, losses and its energy balance."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons_abm.core.scenario import Battery
from commons_abm.energy.battery import dispatch, one_way_efficiency

ZEROS = np.zeros(24)


def _check(day, battery: Battery, surplus: np.ndarray, deficit: np.ndarray) -> None:
    tol = 1e-9 * (1 + battery.capacity_kwh + surplus.sum() + deficit.sum())
    assert (day.charge_in >= 0).all() and (day.discharge_out >= 0).all()
    assert (day.losses >= -1e-12).all()
    assert (day.charge_in <= battery.power_kw + tol).all()
    assert (day.discharge_out <= battery.power_kw + tol).all()
    assert (day.charge_in <= surplus + tol).all() and (day.discharge_out <= deficit + tol).all()
    assert (day.soc >= 0).all() and (day.soc <= battery.capacity_kwh + tol).all()
    balance = day.charge_in.sum() - day.discharge_out.sum() - (day.soc_end - day.soc_start) - day.losses.sum()
    assert abs(balance) <= tol


def test_efficiency_is_split_evenly() -> None:
    assert one_way_efficiency(0.81) == pytest.approx(0.9)
    assert one_way_efficiency(1.0) == 1.0


def test_charging_is_limited_by_power_and_capacity() -> None:
    battery = Battery(capacity_kwh=100.0, power_kw=30.0, round_trip_efficiency=0.81)
    surplus = np.zeros(24)
    surplus[10:16] = 50.0
    day = dispatch(surplus, ZEROS, 0.0, battery)
    assert day.charge_in[10] == pytest.approx(30.0)  # power-limited
    assert day.soc[10] == pytest.approx(27.0)  # 30 kWh in, 90 % stored
    assert day.soc_end == pytest.approx(100.0)  # then full
    assert day.charge_in.sum() == pytest.approx(100.0 / 0.9)
    assert day.losses.sum() == pytest.approx(100.0 / 0.9 - 100.0)
    _check(day, battery, surplus, ZEROS)


def test_discharging_is_limited_by_power_and_stored_energy() -> None:
    battery = Battery(capacity_kwh=100.0, power_kw=30.0, round_trip_efficiency=0.81)
    deficit = np.full(24, 40.0)
    day = dispatch(ZEROS, deficit, 50.0, battery)
    assert day.discharge_out[0] == pytest.approx(30.0)
    assert day.discharge_out.sum() == pytest.approx(50.0 * 0.9)  # empties at 90 %
    assert day.soc_end == 0.0
    _check(day, battery, ZEROS, deficit)


def test_round_trip_returns_the_round_trip_efficiency() -> None:
    battery = Battery(capacity_kwh=1000.0, power_kw=1000.0, round_trip_efficiency=0.85)
    surplus, deficit = np.zeros(24), np.zeros(24)
    surplus[12] = 100.0
    deficit[20] = 500.0
    day = dispatch(surplus, deficit, 0.0, battery)
    assert day.discharge_out.sum() == pytest.approx(85.0)
    assert day.losses.sum() == pytest.approx(15.0)
    assert day.soc_end == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("capacity, power", [(0.0, 100.0), (100.0, 0.0), (0.0, 0.0)])
def test_no_capacity_or_no_power_means_no_flows(capacity: float, power: float) -> None:
    battery = Battery(capacity_kwh=capacity, power_kw=power)
    surplus, deficit = np.full(24, 10.0), np.full(24, 10.0)
    day = dispatch(surplus, deficit, 0.5 * capacity, battery)
    assert day.charge_in.sum() == 0 and day.discharge_out.sum() == 0 and day.losses.sum() == 0
    assert day.soc_end == day.soc_start


def test_perfect_battery_loses_nothing() -> None:
    battery = Battery(capacity_kwh=50.0, power_kw=20.0, round_trip_efficiency=1.0)
    rng = np.random.default_rng(0)
    surplus, deficit = rng.random(24) * 30, rng.random(24) * 30
    day = dispatch(surplus, deficit, 10.0, battery)
    assert day.losses.sum() == 0.0
    _check(day, battery, surplus, deficit)


@settings(max_examples=200, deadline=None)
@given(
    capacity=st.sampled_from([0.0, 1.0, 50.0, 1000.0]),
    power=st.sampled_from([0.0, 0.5, 20.0, 1e6]),
    rte=st.floats(0.05, 1.0),
    soc_share=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_battery_properties(capacity: float, power: float, rte: float, soc_share: float, seed: int) -> None:
    battery = Battery(capacity_kwh=capacity, power_kw=power, round_trip_efficiency=rte)
    rng = np.random.default_rng(seed)
    surplus = rng.exponential(20.0, 24) * (rng.random(24) < 0.5)
    deficit = rng.exponential(20.0, 24) * (rng.random(24) < 0.5)
    day = dispatch(surplus, deficit, soc_share * capacity, battery)
    _check(day, battery, surplus, deficit)
    eta = math.sqrt(rte)
    stored = day.charge_in * eta
    drawn = day.discharge_out / eta
    np.testing.assert_allclose(day.losses, (day.charge_in - stored) + (drawn - day.discharge_out), rtol=1e-9, atol=1e-9)
