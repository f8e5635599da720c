"""Hourly electricity demand of each kind of actor over one day.

Each kind (household, firm, public building) has a typical load curve for a working day
and for a weekend day, a seasonal factor on its daily energy (French demand is
thermosensitive: electric heating makes winter days heavier), and random day-to-day and
hour-to-hour variation. Averaged over a year, an actor's demand equals its
``annual_demand_kwh``.

An agent follows a load profile (``State.load_profile``): by default its kind's named curve;
a participant of a community's members list may name another, or bring a year of metered
load (``State.metered_load``), whose shape is kept and whose total is scaled to its annual
demand. The demand tables have one column per named profile (the kinds' load curves,
:data:`~commons_abm.core.kinds.LOAD_PROFILES`), then one per metered load.

Sources for the shapes: Enedis, *Profils de consommation* (RES1 residential, PRO1/ENT
professional profiles, coefficients per half hour, 2023); RTE, *Bilan électrique 2023*
(daily load curves: residential morning peak 7-9 h and evening peak 18-22 h; demand
rises about 2.4 GW per degree of cold in winter). The curves below are rounded readings
of those profiles, not fitted data.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from commons_abm.core.calendar import HOURS, Day
from commons_abm.core.kernels import kernel
from commons_abm.core.kinds import KINDS, LOAD_PROFILES
from commons_abm.core.scenario import DemandNoise, Energy
from commons_abm.core.state import State

__all__ = [
    "DAYS_PER_YEAR",
    "LOAD_CURVES",
    "SEASONAL_AMPLITUDE",
    "SEASONAL_PEAK_DAY",
    "daily_demand",
    "daily_factor",
    "demand_noise",
    "demand_tables",
    "draw_noise",
    "hourly_shape",
    "profile_day",
    "scale_demand",
    "seasonal_factor",
    "weekly_factor",
]

DAYS_PER_YEAR = 365

# Relative hourly power of a typical day, slot h covering [h, h+1) local time.
# Only the shape matters within a day; the ratio of a weekend day's total to a working
# day's total sets how much of the week's energy falls on weekends.
# fmt: off
LOAD_CURVES: dict[str, dict[str, np.ndarray]] = {
    "residential": {
        "weekday": np.array([
            0.70, 0.58, 0.52, 0.50, 0.50, 0.55, 0.80, 1.30, 1.35, 1.05, 0.90, 0.90,
            0.95, 0.90, 0.80, 0.78, 0.85, 1.05, 1.45, 1.75, 1.80, 1.60, 1.25, 0.95,
        ]),
        "weekend": np.array([
            0.78, 0.62, 0.55, 0.52, 0.50, 0.50, 0.58, 0.80, 1.15, 1.30, 1.25, 1.25,
            1.30, 1.20, 1.05, 1.00, 1.00, 1.15, 1.45, 1.70, 1.70, 1.50, 1.20, 0.95,
        ]),
    },
    "business": {
        "weekday": np.array([
            0.35, 0.35, 0.35, 0.35, 0.35, 0.38, 0.50, 0.95, 1.70, 1.75, 1.75, 1.70,
            1.45, 1.60, 1.75, 1.75, 1.65, 1.35, 0.80, 0.50, 0.40, 0.38, 0.36, 0.35,
        ]),
        "weekend": np.array([
            0.35, 0.35, 0.35, 0.35, 0.35, 0.35, 0.35, 0.36, 0.40, 0.42, 0.42, 0.42,
            0.40, 0.40, 0.40, 0.40, 0.40, 0.38, 0.36, 0.35, 0.35, 0.35, 0.35, 0.35,
        ]),
    },
    "public_building": {  # town hall, school, gym
        "weekday": np.array([
            0.30, 0.30, 0.30, 0.30, 0.30, 0.35, 0.70, 1.30, 1.80, 1.80, 1.75, 1.70,
            1.50, 1.65, 1.75, 1.70, 1.55, 1.20, 0.90, 0.70, 0.50, 0.35, 0.30, 0.30,
        ]),
        "weekend": np.array([
            0.30, 0.30, 0.30, 0.30, 0.30, 0.30, 0.30, 0.32, 0.40, 0.45, 0.45, 0.45,
            0.40, 0.40, 0.40, 0.40, 0.38, 0.35, 0.32, 0.30, 0.30, 0.30, 0.30, 0.30,
        ]),
    },
}
# fmt: on

# Relative amplitude of the yearly cosine on daily energy (winter above summer).
# Households heat with electricity far more often than firms (CEREN, ADEME).
SEASONAL_AMPLITUDE: dict[str, float] = {"residential": 0.25, "business": 0.10, "public_building": 0.20}
SEASONAL_PEAK_DAY = 15  # mid-January, the coldest weeks in France (Météo-France normals)


def _curve_shape(curve: str, weekend: bool) -> np.ndarray:
    shape = LOAD_CURVES[curve]["weekend" if weekend else "weekday"]
    return shape / shape.sum()


def _curve_weekly_factor(curve: str, weekend: bool) -> float:
    curves = LOAD_CURVES[curve]
    work = curves["weekday"].sum()
    rest = curves["weekend"].sum()
    mean = (5.0 * work + 2.0 * rest) / 7.0
    return float((rest if weekend else work) / mean)


def _curve_seasonal_factor(curve: str, day_of_year: int | np.ndarray) -> float | np.ndarray:
    phase = 2.0 * np.pi * (np.asarray(day_of_year) - SEASONAL_PEAK_DAY) / DAYS_PER_YEAR
    return 1.0 + SEASONAL_AMPLITUDE[curve] * np.cos(phase)


def _curve_daily_factor(curve: str, day_of_year: int, weekend: bool) -> float:
    return float(_curve_seasonal_factor(curve, day_of_year)) * _curve_weekly_factor(curve, weekend)


def hourly_shape(kind: int, weekend: bool) -> np.ndarray:
    """Share of a day's energy used in each hourly slot by agents of ``kind`` (a code of
    :data:`~commons_abm.core.kinds.KINDS`; 24 values summing to 1)."""
    return _curve_shape(KINDS[kind].load_curve, weekend)


def weekly_factor(kind: int, weekend: bool) -> float:
    """A day's energy relative to the kind's mean day of the week (5 working + 2 weekend days
    average to 1)."""
    return _curve_weekly_factor(KINDS[kind].load_curve, weekend)


def seasonal_factor(kind: int, day_of_year: int | np.ndarray) -> float | np.ndarray:
    """A day's energy relative to the kind's mean day of the year (mean 1 over days 1..365)."""
    return _curve_seasonal_factor(KINDS[kind].load_curve, day_of_year)


def daily_factor(kind: int, day: Day) -> float:
    """A day's expected energy over the kind's mean daily energy (season times weekday)."""
    return _curve_daily_factor(KINDS[kind].load_curve, day.day_of_year, day.is_weekend)


def profile_day(profile: int, day: Day, metered: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """For load profile ``profile`` (a column of the demand tables: a named profile, then the
    columns of ``metered``, ``(365, 24, m)``), ``day``'s expected energy over the mean day
    and its share in each hour (24 values summing to 1)."""
    if profile < len(LOAD_PROFILES):
        curve = LOAD_PROFILES[profile]
        return _curve_daily_factor(curve, day.day_of_year, day.is_weekend), _curve_shape(curve, day.is_weekend)
    if metered is None:
        raise IndexError(f"load profile {profile} is metered, and the state has no metered load")
    hours = metered[day.day_of_year - 1, :, profile - len(LOAD_PROFILES)]
    factor = float(hours.sum())
    return factor, (hours / factor if factor > 0 else np.full(HOURS, 1.0 / HOURS))


@lru_cache(maxsize=1024)
def _hourly_table(day_of_year: int, weekend: bool) -> np.ndarray:
    """Expected kWh in each hour of the day per kWh/day of mean demand, ``(24, profile)``,
    for each named profile."""
    table = np.empty((HOURS, len(LOAD_PROFILES)))
    for column, curve in enumerate(LOAD_PROFILES):
        factor = float(_curve_seasonal_factor(curve, day_of_year)) * _curve_weekly_factor(curve, weekend)
        table[:, column] = _curve_shape(curve, weekend) * factor
    table.flags.writeable = False
    return table


def _day_table(state: State, day: Day) -> np.ndarray:
    """:func:`_hourly_table` with the state's metered loads as further columns."""
    named = _hourly_table(day.day_of_year, day.is_weekend)
    if state.metered_load is None:
        return named
    return np.concatenate([named, state.metered_load[day.day_of_year - 1]], axis=1)


def _lognormal_params(cv: float) -> tuple[float, float]:
    """``(mu, sigma)`` of a log-normal with mean 1 and coefficient of variation ``cv``."""
    sigma2 = float(np.log1p(cv * cv))
    return -sigma2 / 2.0, float(np.sqrt(sigma2))


def daily_demand(state: State, energy: Energy, day: Day, rng: np.random.Generator) -> np.ndarray:
    """Each agent's electricity demand in each hour of ``day`` [kWh], shape ``(n, 24)``.

    Expected value: ``annual_demand_kwh / 365`` times the agent's load profile's seasonal and
    weekday factors, spread over the hours by its load curve (for a metered load: its share of
    the metered year in that hour). It is multiplied by a
    per-agent daily and a per-agent-hour log-normal factor, both of mean 1, with the
    coefficients of variation ``energy.noise.daily_cv`` and ``energy.noise.hourly_cv``
    (:func:`demand_noise`).

    The result is the transpose of a C-ordered ``(24, n)`` array (hours are rows in memory).
    """
    daily, hourly = demand_noise(rng, energy.noise, state.n, 1)
    out = hourly[0]
    scale_demand(out, _day_table(state, day), state.load_profile, state.annual_demand_kwh, daily[0])
    return out.T


def demand_noise(rng: np.random.Generator, noise: DemandNoise, n: int, days: int) -> tuple[np.ndarray, np.ndarray]:
    """The demand stream's draws for ``days`` days: each day, ``n`` daily then ``24 n``
    hourly log-normal factors of mean 1 (both drawn even when a coefficient of variation
    is 0, so the stream stays aligned); ``(days, n)`` and ``(days, 24, n)``."""
    mu_d, sigma_d = _lognormal_params(noise.daily_cv)
    mu_h, sigma_h = _lognormal_params(noise.hourly_cv)
    daily = np.empty((days, n))
    hourly = np.empty((days, HOURS, n))
    draw_noise(rng, mu_d, sigma_d, daily, hourly)
    # the hourly factors from their normal draws (numpy's vectorised exp)
    hourly *= sigma_h
    hourly += mu_h
    np.exp(hourly, out=hourly)
    return daily, hourly


@kernel
def draw_noise(rng, mu_daily, sigma_daily, daily, hourly):  # pragma: no cover - compiled
    """Each day: ``n`` daily log-normal factors into ``daily[d]``, then ``24 n`` standard
    normals into ``hourly[d]``, hour by hour."""
    days, hours, n = hourly.shape
    for d in range(days):
        for i in range(n):
            daily[d, i] = np.exp(mu_daily + sigma_daily * rng.standard_normal())
        for h in range(hours):
            for i in range(n):
                hourly[d, h, i] = rng.standard_normal()


@kernel
def scale_demand(noise, table, profile, annual_demand_kwh, daily):  # pragma: no cover - compiled
    """Demand = the agent's load profile's expected share of the day in each hour (``table``,
    one column per profile) x its mean daily demand x its daily factor x the hourly ``noise``
    (in place)."""
    hours, n = noise.shape
    for i in range(n):
        level = annual_demand_kwh[i] * (daily[i] / DAYS_PER_YEAR)
        for h in range(hours):
            noise[h, i] = table[h, profile[i]] * level * noise[h, i]


def demand_tables(metered: np.ndarray | None = None) -> np.ndarray:
    """:func:`_hourly_table` of every day of the year, working day and weekend, with the
    columns of ``metered`` (``(365, 24, m)``, the same on both) after the named profiles,
    ``(365, 2, 24, profiles)``: the expected kWh in each hour per kWh/day of mean demand."""
    global _DEMAND_TABLES
    if _DEMAND_TABLES is None:
        _DEMAND_TABLES = np.array(
            [[_hourly_table(day, weekend) for weekend in (False, True)] for day in range(1, DAYS_PER_YEAR + 1)]
        )
        _DEMAND_TABLES.flags.writeable = False
    if metered is None or not metered.shape[2]:
        return _DEMAND_TABLES
    both = np.broadcast_to(metered[:, None], (DAYS_PER_YEAR, 2, HOURS, metered.shape[2]))
    return np.ascontiguousarray(np.concatenate([_DEMAND_TABLES, both], axis=3))


_DEMAND_TABLES: np.ndarray | None = None
