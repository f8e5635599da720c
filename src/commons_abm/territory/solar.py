"""Rooftop PV output over one day: sun path, seasonal energy and the day's weather.

* Day length from the solar declination (Cooper 1969, *Solar Energy* 12: 333) and the
  sunset hour angle ``cos(ws) = -tan(lat) tan(decl)``; within the day, power follows a
  sine bell from sunrise to sunset, centred on solar noon (hour slots are read as local
  solar time; the 1-2 h offset of French legal time is neglected).
* Seasonal energy follows the daily extraterrestrial irradiation on a horizontal plane
  (Duffie & Beckman, *Solar Engineering of Thermal Processes*, 4th ed., eq. 1.10.3),
  scaled so that a year of days, averaged over the weather, yields
  ``pv.specific_yield_kwh_per_kwp`` per installed kWp (France: about 1,000 kWh/kWp in the
  north to 1,500 in the south, PVGIS).
* Weather: one clearness factor per day for the whole territory, mean 1, drawn from a
  Beta distribution, whose spread grows with ``pv.weather_variability`` (daily clearness
  indices are skewed and bounded: Liu & Jordan 1960, *Solar Energy* 4: 1; Hollands &
  Huget 1983, *Solar Energy* 30: 195).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from commons_abm.core.calendar import HOURS, Day
from commons_abm.core.kernels import kernel
from commons_abm.core.scenario import PV, Energy
from commons_abm.core.state import State

__all__ = [
    "CLEARNESS_BETA",
    "SOLAR_NOON_H",
    "clearness",
    "clearness_draw",
    "daily_pv",
    "daylight_hours",
    "declination_rad",
    "hourly_output",
    "hourly_shape",
    "hourly_yield",
    "hourly_yield_today",
    "relative_daily_energy",
    "yield_table",
]

DAYS_PER_YEAR = 365
SOLAR_NOON_H = 12.0
# Shape of the daily clearness distribution (mean a / (a + b) = 0.6, left-skewed):
# a clear day gives at most 1 / 0.6 = 1.67 times the average day.
CLEARNESS_BETA = (1.5, 1.0)


def declination_rad(day_of_year: int | np.ndarray) -> float | np.ndarray:
    """Solar declination [rad] (Cooper 1969)."""
    return np.radians(23.45) * np.sin(2.0 * np.pi * (284 + np.asarray(day_of_year)) / DAYS_PER_YEAR)


def _sunset_hour_angle(latitude_deg: float, day_of_year: int | np.ndarray) -> float | np.ndarray:
    """Sunset hour angle [rad], 0 in polar night and pi in polar day."""
    cos_ws = -np.tan(np.radians(latitude_deg)) * np.tan(declination_rad(day_of_year))
    return np.arccos(np.clip(cos_ws, -1.0, 1.0))


def daylight_hours(latitude_deg: float, day_of_year: int | np.ndarray) -> float | np.ndarray:
    """Time from sunrise to sunset [h]."""
    return 2.0 * np.degrees(_sunset_hour_angle(latitude_deg, day_of_year)) / 15.0


def relative_daily_energy(latitude_deg: float, day_of_year: int | np.ndarray) -> float | np.ndarray:
    """Daily extraterrestrial irradiation on a horizontal plane, up to a constant factor."""
    d = np.asarray(day_of_year)
    phi = np.radians(latitude_deg)
    decl = declination_rad(d)
    ws = _sunset_hour_angle(latitude_deg, d)
    eccentricity = 1.0 + 0.033 * np.cos(2.0 * np.pi * d / DAYS_PER_YEAR)
    h0 = eccentricity * (np.cos(phi) * np.cos(decl) * np.sin(ws) + ws * np.sin(phi) * np.sin(decl))
    return np.maximum(h0, 0.0)


def hourly_shape(latitude_deg: float, day_of_year: int) -> np.ndarray:
    """Share of the day's PV energy in each hourly slot (24 values summing to 1; all 0 in
    polar night): a sine bell over daylight integrated over each slot."""
    length = float(daylight_hours(latitude_deg, day_of_year))
    shape = np.zeros(HOURS)
    if length <= 0.0:
        return shape
    rise = SOLAR_NOON_H - length / 2.0
    edges = np.clip(np.arange(HOURS + 1, dtype=float), rise, rise + length)
    # integral of sin(pi (t - rise) / length) from rise to each edge, up to a factor
    cumulative = 1.0 - np.cos(np.pi * (edges - rise) / length)
    shape = np.diff(cumulative)
    total = shape.sum()
    return shape / total if total > 0 else np.zeros(HOURS)


@lru_cache(maxsize=64)
def _annual_energy(latitude_deg: float) -> float:
    """Sum of :func:`relative_daily_energy` over days 1..365."""
    return float(np.sum(relative_daily_energy(latitude_deg, np.arange(1, DAYS_PER_YEAR + 1))))


@lru_cache(maxsize=4096)
def _hourly_yield_cached(latitude_deg: float, specific_yield: float, day_of_year: int) -> np.ndarray:
    annual = _annual_energy(latitude_deg)
    share = float(relative_daily_energy(latitude_deg, day_of_year)) / annual if annual > 0 else 0.0
    out = hourly_shape(latitude_deg, day_of_year) * (specific_yield * share)
    out.flags.writeable = False
    return out


def hourly_yield(pv: PV, day_of_year: int) -> np.ndarray:
    """Expected output of 1 kWp in each hour of an average-weather day [kWh/kWp].

    Summed over days 1..365 it equals ``pv.specific_yield_kwh_per_kwp``. Read-only array.
    """
    return _hourly_yield_cached(float(pv.latitude_deg), float(pv.specific_yield_kwh_per_kwp), int(day_of_year))


def clearness(pv: PV, rng: np.random.Generator) -> float:
    """The day's territory-wide clearness factor [-]: mean 1, 1 exactly when
    ``pv.weather_variability`` is 0, between 0 and 1.67 when it is 1.

    ``(1 - v) + v * B / E[B]`` with ``B ~ Beta(1.5, 1.0)``; one draw per call whatever ``v``.
    """
    return float(clearness_draw(rng, *CLEARNESS_BETA, float(pv.weather_variability)))


@kernel
def clearness_draw(rng, a, b, variability):  # pragma: no cover - compiled
    """:func:`clearness` from the shape ``a, b`` of the Beta distribution and the variability."""
    draw = rng.beta(a, b) / (a / (a + b))
    return (1.0 - variability) + variability * draw


def yield_table(pv: PV) -> np.ndarray:
    """:func:`hourly_yield` of every day of the year, ``(365, 24)`` [kWh/kWp]."""
    return np.array([hourly_yield(pv, day) for day in range(1, DAYS_PER_YEAR + 1)])


def hourly_yield_today(pv: PV, day: Day, rng: np.random.Generator) -> np.ndarray:
    """Output of 1 kWp in each hour of ``day`` under the day's weather [kWh/kWp].

    Draws the day's clearness factor from ``rng`` (the weather stream), once per call.
    """
    return hourly_yield(pv, day.day_of_year) * clearness(pv, rng)


def hourly_output(kwp: np.ndarray, pv: PV, day: Day, rng: np.random.Generator) -> np.ndarray:
    """Output of PV systems of effective size ``kwp`` (installed kWp times performance) in
    each hour of ``day`` [kWh], C-ordered shape ``(24, len(kwp))``.

    Draws the day's clearness factor from ``rng`` (the weather stream), once per call.
    """
    return hourly_yield_today(pv, day, rng)[:, None] * np.asarray(kwp, dtype=float)[None, :]


def daily_pv(state: State, energy: Energy, day: Day, rng: np.random.Generator) -> np.ndarray:
    """Each agent's PV output in each hour of ``day`` [kWh], shape ``(n, 24)``.

    ``pv_kwp * pv_performance * hourly yield * clearness``; the transpose of a C-ordered
    ``(24, n)`` array. Draws one clearness factor from ``rng`` (the weather stream).
    """
    return hourly_output(state.pv_kwp * state.pv_performance, energy.pv, day, rng).T
