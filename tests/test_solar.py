"""PV output: sun path, seasonal energy, weather and the annual specific yield."""

from __future__ import annotations

import numpy as np
import pytest

from commons_abm.core.calendar import HOURS, day_of_step
from commons_abm.core.scenario import PV, Scenario
from commons_abm.core.seeding import streams
from commons_abm.territory.build import build_state
from commons_abm.territory.solar import (
    clearness,
    daily_pv,
    daylight_hours,
    declination_rad,
    hourly_output,
    hourly_shape,
    hourly_yield,
    relative_daily_energy,
)

DAYS = np.arange(1, 366)


def test_declination_peaks_at_the_solstices() -> None:
    decl = np.degrees(declination_rad(DAYS))
    assert decl.max() == pytest.approx(23.45, abs=0.01)
    assert decl.min() == pytest.approx(-23.45, abs=0.01)
    assert abs(int(DAYS[decl.argmax()]) - 172) <= 2
    assert abs(int(DAYS[decl.argmin()]) - 355) <= 2


def test_day_length_at_47_degrees_north() -> None:
    assert daylight_hours(47.0, 172) == pytest.approx(15.6, abs=0.4)
    assert daylight_hours(47.0, 355) == pytest.approx(8.4, abs=0.4)
    assert daylight_hours(47.0, 80) == pytest.approx(12.0, abs=0.2)
    assert daylight_hours(0.0, 10) == pytest.approx(12.0, abs=1e-9)


@pytest.mark.parametrize("latitude", [-40.0, 0.0, 47.0, 66.0])
@pytest.mark.parametrize("day", [1, 80, 172, 266, 355])
def test_hourly_shape_is_a_symmetric_daylight_bell(latitude: float, day: int) -> None:
    shape = hourly_shape(latitude, day)
    assert shape.shape == (HOURS,)
    assert shape.sum() == pytest.approx(1.0, abs=1e-12)
    assert (shape >= 0).all()
    np.testing.assert_allclose(shape, shape[::-1], atol=1e-12)  # symmetric around noon
    length = daylight_hours(latitude, day)
    dark = np.arange(HOURS) + 1 <= 12 - length / 2  # slots wholly before sunrise
    assert (shape[dark] == 0).all()
    assert shape.argmax() in (11, 12)


def test_summer_days_carry_more_energy_than_winter_days() -> None:
    assert relative_daily_energy(47.0, 172) > 3 * relative_daily_energy(47.0, 355)
    # the southern hemisphere has its summer in December
    assert relative_daily_energy(-40.0, 355) > 2 * relative_daily_energy(-40.0, 172)


@pytest.mark.parametrize("latitude", [-30.0, 43.0, 47.0, 51.0, 66.0])
def test_expected_yield_sums_to_the_specific_yield(latitude: float) -> None:
    pv = PV(latitude_deg=latitude, specific_yield_kwh_per_kwp=1234.0)
    total = sum(hourly_yield(pv, d).sum() for d in DAYS)
    assert total == pytest.approx(1234.0, rel=1e-12)


def test_clearness_is_one_without_weather_variability() -> None:
    pv = PV(weather_variability=0.0)
    rng = np.random.default_rng(1)
    assert all(clearness(pv, rng) == 1.0 for _ in range(50))


def test_clearness_has_mean_one_and_spread_growing_with_variability() -> None:
    stds = []
    for v in (0.0, 0.3, 0.6, 1.0):
        rng = np.random.default_rng(7)
        draws = np.array([clearness(PV(weather_variability=v), rng) for _ in range(20_000)])
        assert draws.mean() == pytest.approx(1.0, abs=0.01)
        assert draws.min() >= 0.0 and draws.max() <= 1.0 / 0.6 + 1e-12
        stds.append(draws.std())
    assert stds[0] == 0.0
    assert stds[0] < stds[1] < stds[2] < stds[3]
    assert 0.3 < stds[3] < 0.6  # clear and overcast days differ a lot


@pytest.mark.parametrize("variability", [0.5, 1.0])
def test_annual_yield_with_weather_matches_the_specific_yield(variability: float) -> None:
    pv = PV(weather_variability=variability, specific_yield_kwh_per_kwp=1200.0)
    annual = []
    for seed in range(40):
        rng = streams(seed)["weather"]
        annual.append(sum(hourly_output(np.ones(1), pv, day_of_step(d), rng).sum() for d in range(365)))
    annual = np.array(annual)
    assert annual.mean() == pytest.approx(1200.0, rel=0.02)
    assert np.all(np.abs(annual / 1200.0 - 1.0) < 0.1)  # every single year is plausible


def test_daily_pv_scales_with_installed_power_and_performance() -> None:
    sc = Scenario()
    sc.territory.households = 40
    sc.energy.households.pv_adoption = 0.5
    state = build_state(sc, streams(3))
    out = daily_pv(state, sc.energy, day_of_step(170), streams(3)["weather"])
    assert out.shape == (state.n, HOURS)
    assert (out >= 0).all()
    assert (out[state.pv_kwp == 0] == 0).all()
    owners = state.pv_kwp > 0
    assert owners.any()
    per_kwp = out[owners].sum(axis=1) / (state.pv_kwp * state.pv_performance)[owners]
    np.testing.assert_allclose(per_kwp, per_kwp[0], rtol=1e-12)  # one weather for all
    # same weather stream state -> summer output well above winter output
    summer = daily_pv(state, sc.energy, day_of_step(171), np.random.default_rng(0)).sum()
    winter = daily_pv(state, sc.energy, day_of_step(354), np.random.default_rng(0)).sum()
    assert summer > 3 * winter
