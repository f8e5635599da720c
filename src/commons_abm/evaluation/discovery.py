"""Where a proposal fails: scenario discovery over what a community cannot know in advance.

The behavioural and territorial parameters a community cannot measure before a trial
(:data:`UNCERTAINTIES`: the share of cooperative households, the free riders' share,
initial trust, how connected neighbours are, the sun and the grid price) are sampled in a
Latin hypercube over their ranges (each with its source); each sample is run under both rulebooks on the
same seed (common random numbers). For each verdict indicator, a sample is a *failure*
when the proposal does worse than today's rulebook. PRIM (Friedman & Fisher 1999, the
Patient Rule Induction Method; Bryant & Lempert 2010 for its use in scenario discovery), as
implemented in the EMA Workbench (Kwakkel 2017), then finds a box of parameter values where
failures concentrate, which :class:`FailureBox` states as conditions a person can check
("if fewer than 35 % of households are cooperative and ..."), with its density (the share
of failures inside the box), coverage (the share of all failures the box holds) and the
failure rate over every sample.

A box is chosen on PRIM's peeling trajectory as the densest of those that restrict at most
:data:`MAX_CONDITIONS` parameters and cover at least :data:`MIN_COVERAGE` of the failures;
none is reported when failures are no more than :data:`MIN_FAILURES` of the samples or at
least ``1 - MIN_FAILURES`` (the proposal then fails nowhere in particular, or
everywhere), or when no box is dense enough: inside it, the futures where the proposal
does not fail must be at most :data:`MAX_SUCCESS_RATIO` times as frequent as over all
samples (density ``>= rate + (1 - rate) * (1 - MAX_SUCCESS_RATIO)``; with a failure rate of
30 %, a box where it fails in at least 65 % of futures).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from commons_abm.sweeps.experiment import compensation

__all__ = [
    "MAX_CONDITIONS",
    "MIN_COVERAGE",
    "MIN_FAILURES",
    "MAX_SUCCESS_RATIO",
    "UNCERTAINTIES",
    "Condition",
    "FailureBox",
    "Uncertainty",
    "find_failure_box",
    "sample_uncertainties",
    "scenario_values",
]

MAX_CONDITIONS = 3
MIN_COVERAGE = 0.5
MIN_FAILURES = 0.05
MAX_SUCCESS_RATIO = 0.5


@dataclass(frozen=True)
class Uncertainty:
    """A scenario parameter a community cannot know before a trial: its range, the source of
    its range (in English and French), the share it is taken from when shares must keep
    their sum (``compensate``) and how it reads (``percent``: a 0-1 share written in percent)."""

    path: str
    low: float
    high: float
    source: str
    source_fr: str
    compensate: str | None = None
    percent: bool = False


UNCERTAINTIES: tuple[Uncertainty, ...] = (
    Uncertainty(
        "behaviour.motives.households.cooperative",
        0.2,
        0.7,
        "Van Lange et al. 1997 (46 % prosocials, the default); the share differs between "
        "populations, so a wide band around it",
        "Van Lange et al. 1997 : 46 % de prosociaux (la valeur par défaut) ; la part varie d'une "
        "population à l'autre, d'où une large plage",
        compensate="behaviour.motives.households.individualistic",
        percent=True,
    ),
    Uncertainty(
        "behaviour.conditional_cooperation.free_rider",
        0.1,
        0.45,
        "Fischbacher, Gächter & Fehr 2001; Thöni & Volk 2018: the free riders' share differs "
        "between studies; the calibrated default is 33 %",
        "Fischbacher, Gächter & Fehr 2001 ; Thöni & Volk 2018 : la part des passagers clandestins "
        "varie d'une étude à l'autre ; la valeur calibrée par défaut est 33 %",
        compensate="behaviour.conditional_cooperation.conditional",
        percent=True,
    ),
    Uncertainty(
        "behaviour.initial_trust_interpersonal",
        0.2,
        0.8,
        "not measured before a trial: a wide band around the default 0.5",
        "non mesurée avant un essai : une large plage autour de la valeur par défaut 0,5",
    ),
    Uncertainty(
        "behaviour.initial_trust_institutional",
        0.2,
        0.8,
        "not measured before a trial: a wide band around the default 0.5",
        "non mesurée avant un essai : une large plage autour de la valeur par défaut 0,5",
    ),
    Uncertainty(
        "network.average_degree",
        2.0,
        12.0,
        "not measured before a trial: a wide band around the default 6 ties",
        "non mesuré avant un essai : une large plage autour de la valeur par défaut, 6 liens",
    ),
    Uncertainty(
        "energy.pv.specific_yield_kwh_per_kwp",
        1000.0,
        1400.0,
        "PVGIS: about 1,000 kWh/kWp a year in the north of France to 1,400 in the south",
        "PVGIS : environ 1 000 kWh/kWc par an dans le nord de la France, 1 400 dans le sud",
    ),
    Uncertainty(
        "energy.tariffs.import_eur_per_kwh",
        0.18,
        0.35,
        "CRE: the regulated tariff since 2021, and deliberation 2023-19's price without the "
        "tariff shield, about twice the shielded one",
        "CRE : le tarif réglementé depuis 2021, et le prix sans bouclier tarifaire de la "
        "délibération 2023-19, environ le double du prix protégé",
    ),
)


def sample_uncertainties(n: int, seed: int, uncertainties=UNCERTAINTIES) -> pd.DataFrame:
    """``n`` points of a Latin hypercube over the uncertainties' ranges (scrambled, drawn from
    ``numpy.random.SeedSequence(seed)``); one column per parameter path."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    unit = qmc.LatinHypercube(d=len(uncertainties), rng=rng).random(n)
    low = np.array([u.low for u in uncertainties])
    high = np.array([u.high for u in uncertainties])
    return pd.DataFrame(low + unit * (high - low), columns=[u.path for u in uncertainties])


def scenario_values(scenario, point: dict[str, float], uncertainties=UNCERTAINTIES) -> dict[str, float]:
    """The scenario overrides of one sample: each parameter's value, and each compensating
    share moved the other way so that the shares keep their sum, as a sweep moves it
    (:func:`commons_abm.sweeps.experiment.compensation`)."""
    values: dict[str, float] = {}
    for u in uncertainties:
        value = float(point[u.path])
        values[u.path] = value
        if u.compensate:
            values[u.compensate] = float(compensation(scenario, u.path, value, u.compensate))
    return values


@dataclass(frozen=True)
class Condition:
    """One parameter restricted to ``low <= value <= high`` (``None``: no bound that side)."""

    path: str
    low: float | None
    high: float | None

    def holds(self, values: pd.Series | np.ndarray) -> np.ndarray:
        """Whether each value meets the condition."""
        v = np.asarray(values, float)
        ok = np.ones(v.shape, bool)
        if self.low is not None:
            ok &= v >= self.low
        if self.high is not None:
            ok &= v <= self.high
        return ok


@dataclass(frozen=True)
class FailureBox:
    """Where the proposal does worse on ``indicator``: the ``conditions`` (all of them hold
    inside the box), the box's ``density`` (share of its samples that fail) and
    ``coverage`` (share of all failures inside it), the ``failure_rate`` over every sample
    and the number of ``samples`` (``conditions`` is empty when no box was found)."""

    indicator: str
    conditions: tuple[Condition, ...]
    density: float
    coverage: float
    failure_rate: float
    samples: int

    @property
    def found(self) -> bool:
        """Whether a box was found."""
        return bool(self.conditions)

    def selects(self, points: pd.DataFrame) -> np.ndarray:
        """Whether each sample (one column per parameter path) lies inside the box."""
        inside = np.ones(len(points), bool)
        for c in self.conditions:
            inside &= c.holds(points[c.path])
        return inside


def find_failure_box(
    points: pd.DataFrame, failed: np.ndarray, indicator: str, uncertainties=UNCERTAINTIES
) -> FailureBox:
    """PRIM's box of the samples ``points`` where ``failed`` concentrates (see the module's
    text for how it is chosen)."""
    failed = np.asarray(failed, bool)
    rate = float(failed.mean()) if failed.size else float("nan")
    none = FailureBox(indicator, (), float("nan"), float("nan"), rate, int(failed.size))
    if failed.size == 0 or not (MIN_FAILURES < rate < 1 - MIN_FAILURES):
        return none
    dense = rate + (1.0 - rate) * (1.0 - MAX_SUCCESS_RATIO)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench's notes on optional packages it does not need here
        from ema_workbench.analysis import prim

        finder = prim.Prim(points.reset_index(drop=True), failed, threshold=dense, peel_alpha=0.05)
        box = finder.find_box()
    trajectory = box.peeling_trajectory
    eligible = trajectory[
        (trajectory["res_dim"] <= MAX_CONDITIONS)
        & (trajectory["res_dim"] > 0)
        & (trajectory["coverage"] >= MIN_COVERAGE)
        & (trajectory["density"] >= dense)
    ]
    if eligible.empty:
        return none
    chosen = int(eligible["density"].idxmax())
    limits, whole = box.box_lims[chosen], box.box_lims[0]
    conditions = []
    for u in uncertainties:
        low, high = float(limits[u.path].iloc[0]), float(limits[u.path].iloc[1])
        first_low, first_high = float(whole[u.path].iloc[0]), float(whole[u.path].iloc[1])
        if low > first_low or high < first_high:
            conditions.append(Condition(u.path, low if low > first_low else None, high if high < first_high else None))
    row = trajectory.loc[chosen]
    return FailureBox(
        indicator, tuple(conditions), float(row["density"]), float(row["coverage"]), rate, int(failed.size)
    )
