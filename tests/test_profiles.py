"""Demand profiles: daily shapes, weekly and seasonal factors, noise, annual totals."""

from __future__ import annotations

import numpy as np
import pytest

from commons_abm.core.calendar import HOURS, Day, day_of_step
from commons_abm.core.kinds import FIRM, HOUSEHOLD, OFFICIAL
from commons_abm.core.kinds import KINDS as KIND_TABLE
from commons_abm.core.scenario import Scenario
from commons_abm.core.seeding import streams
from commons_abm.territory.build import build_state
from commons_abm.territory.demand import (
    SEASONAL_AMPLITUDE,
    daily_demand,
    daily_factor,
    hourly_shape,
    seasonal_factor,
    weekly_factor,
)

KINDS = (HOUSEHOLD, FIRM, OFFICIAL)
MONDAY, SATURDAY = Day(0, 100, 0), Day(5, 105, 5)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("weekend", [False, True])
def test_shapes_are_positive_and_sum_to_one(kind: int, weekend: bool) -> None:
    shape = hourly_shape(kind, weekend)
    assert shape.shape == (HOURS,)
    assert (shape > 0).all()
    assert shape.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("weekend", [False, True])
def test_households_peak_in_the_morning_and_the_evening(weekend: bool) -> None:
    shape = hourly_shape(HOUSEHOLD, weekend)
    evening = shape[18:23].max()
    assert shape.argmax() in range(18, 23)  # the daily peak is in the evening
    assert evening > 1.5 * shape[2:5].mean()  # far above the night
    if not weekend:
        morning = shape[7:10].max()
        assert morning > shape[4] and morning > shape[11] and morning > shape[14]


def test_households_use_a_little_more_in_the_daytime_on_weekends() -> None:
    day = slice(10, 17)
    assert hourly_shape(HOUSEHOLD, True)[day].sum() > hourly_shape(HOUSEHOLD, False)[day].sum()
    assert 1.0 <= weekly_factor(HOUSEHOLD, True) / weekly_factor(HOUSEHOLD, False) < 1.15


@pytest.mark.parametrize("kind", [FIRM, OFFICIAL])
def test_firms_and_public_buildings_work_in_the_daytime_on_weekdays(kind: int) -> None:
    shape = hourly_shape(kind, False)
    assert shape.argmax() in range(8, 18)
    assert shape[8:18].sum() > 0.6  # most of the day's energy in working hours
    assert shape[8:18].min() > 2 * shape[0:5].max()
    # weekends: low base load only
    assert weekly_factor(kind, True) < 0.5 * weekly_factor(kind, False)
    weekend = hourly_shape(kind, True) * weekly_factor(kind, True)
    assert weekend.max() < 0.5 * (shape * weekly_factor(kind, False))[9:17].min()


@pytest.mark.parametrize("kind", KINDS)
def test_week_and_year_average_to_one(kind: int) -> None:
    week = (5 * weekly_factor(kind, False) + 2 * weekly_factor(kind, True)) / 7
    assert week == pytest.approx(1.0, abs=1e-12)
    year = seasonal_factor(kind, np.arange(1, 366))
    assert year.mean() == pytest.approx(1.0, abs=1e-12)
    assert seasonal_factor(kind, 15) > seasonal_factor(kind, 196)  # January above July
    assert seasonal_factor(kind, 15) == pytest.approx(1 + SEASONAL_AMPLITUDE[KIND_TABLE[kind].load_curve])


def test_households_are_more_seasonal_than_firms() -> None:
    assert SEASONAL_AMPLITUDE["residential"] > SEASONAL_AMPLITUDE["business"] > 0


def _state(households: int = 60, firms: int = 10, officials: int = 3, seed: int = 5):
    sc = Scenario()
    sc.territory.households = households
    sc.territory.firms = firms
    sc.territory.officials = officials
    return sc, build_state(sc, streams(seed))


def test_daily_demand_without_noise_is_the_profile() -> None:
    sc, state = _state()
    sc.energy.noise.daily_cv = 0.0
    sc.energy.noise.hourly_cv = 0.0
    for day in (MONDAY, SATURDAY):
        out = daily_demand(state, sc.energy, day, np.random.default_rng(0))
        assert out.shape == (state.n, HOURS)
        for i in (0, 61, state.n - 1):
            kind = int(state.kind[i])
            expected = state.annual_demand_kwh[i] / 365 * daily_factor(kind, day) * hourly_shape(kind, day.is_weekend)
            np.testing.assert_allclose(out[i], expected, rtol=1e-6)  # float32 noise of 1


def test_noise_has_mean_one_and_the_requested_spread() -> None:
    sc, state = _state(households=400, firms=0, officials=0)
    sc.energy.noise.daily_cv = 0.2
    sc.energy.noise.hourly_cv = 0.3
    rng = np.random.default_rng(11)
    draws = np.stack([daily_demand(state, sc.energy, MONDAY, rng) for _ in range(30)])
    sc.energy.noise.daily_cv = sc.energy.noise.hourly_cv = 0.0
    base = daily_demand(state, sc.energy, MONDAY, rng)
    ratio = draws / base  # (days, agents, hours)
    assert ratio.mean() == pytest.approx(1.0, abs=0.01)
    expected_cv = np.sqrt((1 + 0.2**2) * (1 + 0.3**2) - 1)
    assert ratio.std() == pytest.approx(expected_cv, rel=0.05)
    assert (ratio > 0).all()


def test_demand_peaks_of_the_population() -> None:
    sc, state = _state(households=200, firms=20, officials=5)
    rng = np.random.default_rng(2)
    weekday = np.mean([daily_demand(state, sc.energy, Day(0, 100, d), rng) for d in range(5)], axis=0)
    homes = weekday[state.kind == HOUSEHOLD].sum(axis=0)
    firms = weekday[state.kind == FIRM].sum(axis=0)
    assert homes.argmax() in range(18, 23)
    assert homes[7:10].max() > homes[4] and homes[7:10].max() > homes[14]
    assert firms.argmax() in range(8, 18)
    saturday = daily_demand(state, sc.energy, SATURDAY, rng)[state.kind == FIRM].sum()
    assert saturday < 0.5 * firms.sum()


def test_annual_household_demand_matches_the_scenario() -> None:
    sc = Scenario()  # defaults: 300 households of 4,500 kWh/yr on average
    rngs = streams(42)
    state = build_state(sc, rngs)
    total = np.zeros(state.n)
    for step in range(365):
        total += daily_demand(state, sc.energy, day_of_step(step), rngs["demand"]).sum(axis=1)
    homes = state.kind == HOUSEHOLD
    assert total[homes].mean() == pytest.approx(4500.0, rel=0.05)
    # each agent's year matches its own annual demand (noise averages out)
    np.testing.assert_allclose(total, state.annual_demand_kwh, rtol=0.05)
