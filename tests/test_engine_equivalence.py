"""The array engine and the reference engine (one Mesa agent at a time) are the same model.

Both engines run the same small territory (60 agents: 50 households, 7 firms, 3
officials in 2 neighbourhoods) under ``experiments/rulebooks/full_ostrom.toml`` for 60
daily steps, over 30 seeds each. For every indicator of the timeseries we compare the
distributions over seeds of its **final-window mean** (the mean of the last 10 steps,
days 51-60: daily flows are noisy, and the window keeps state and flow indicators
comparable) with

* two-sample Kolmogorov-Smirnov and Mann-Whitney U tests (scipy.stats), each at a
  family-wise significance level of 0.05 with Holm's step-down correction over the
  indicators (a failure needs Holm-adjusted p < 0.05);
* the difference of the means within three standard errors of that difference,
  ``|mean_a - mean_r| <= 3 sqrt(var_a / n + var_r / n)``.

The two balance residuals are not compared as distributions (they are rounding errors,
whose spread depends on the order of summation); both must close in every run.
``step`` and ``day_of_year`` must be equal. The table is printed (``pytest -s``).
Simultaneous and one-at-a-time updating differ by design in ways documented in
``docs/ODD.md`` ("Reference engine: one at a time"); the test shows those differences
do not move any indicator's distribution measurably at this size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from commons_abm.core.indicators import COLUMNS
from commons_abm.core.scenario import Scenario, with_overrides
from commons_abm.model import CommonsModel

ROOT = Path(__file__).resolve().parents[1]
RULEBOOK = ROOT / "experiments" / "rulebooks" / "full_ostrom.toml"
SEEDS = range(30)
STEPS = 60
WINDOW = 10
ALPHA = 0.05
BALANCES = ("energy_balance_residual_kwh", "material_balance_residual_kg")
CALENDAR = ("step", "day_of_year")


def small_scenario() -> Scenario:
    """The default scenario's mix and parameters on 60 agents."""
    return with_overrides(
        Scenario(name="equivalence"),
        **{"territory.households": 50, "territory.firms": 7, "territory.officials": 3, "territory.neighbourhoods": 2},
    )


@pytest.fixture(scope="module")
def runs() -> dict[str, list]:
    """Each engine's timeseries, one per seed."""
    scenario = small_scenario()
    out: dict[str, list] = {"arrays": [], "agents": []}
    for engine in out:
        for seed in SEEDS:
            model = CommonsModel(
                scenario, seed=seed, rulebook=RULEBOOK, engine=engine, create_agents=engine == "agents"
            )
            out[engine].append(model.run(STEPS))
    return out


def holm(pvalues: dict[str, float]) -> dict[str, float]:
    """Holm-adjusted p-values (step-down, monotone, capped at 1)."""
    names = sorted(pvalues, key=pvalues.get)
    m, running, adjusted = len(names), 0.0, {}
    for rank, name in enumerate(names):
        running = max(running, min(1.0, (m - rank) * pvalues[name]))
        adjusted[name] = running
    return adjusted


def comparison(runs: dict[str, list]) -> list[dict]:
    """One row per compared indicator: means, standard error of the difference, p-values."""
    rows = []
    for column in COLUMNS:
        if column in BALANCES + CALENDAR:
            continue
        a = np.array([np.nanmean(ts[column].to_numpy()[-WINDOW:]) for ts in runs["arrays"]])
        r = np.array([np.nanmean(ts[column].to_numpy()[-WINDOW:]) for ts in runs["agents"]])
        a, r = a[np.isfinite(a)], r[np.isfinite(r)]
        se = float(np.sqrt(a.var(ddof=1) / a.size + r.var(ddof=1) / r.size))
        # the same values (or one constant value in every run of both engines, whatever the
        # number of runs where it is defined)
        same = np.array_equal(np.sort(a), np.sort(r)) or bool(np.ptp(np.concatenate([a, r])) == 0)
        rows.append(
            {
                "indicator": column,
                "arrays": float(a.mean()),
                "agents": float(r.mean()),
                "se_diff": se,
                "z": 0.0 if same else float((a.mean() - r.mean()) / se) if se > 0 else np.inf,
                "ks_p": 1.0 if same else float(stats.ks_2samp(a, r).pvalue),
                "mw_p": 1.0 if same else float(stats.mannwhitneyu(a, r, alternative="two-sided").pvalue),
            }
        )
    ks, mw = (
        holm({row["indicator"]: row["ks_p"] for row in rows}),
        holm({row["indicator"]: row["mw_p"] for row in rows}),
    )
    for row in rows:
        row["ks_holm"], row["mw_holm"] = ks[row["indicator"]], mw[row["indicator"]]
    return rows


@pytest.mark.filterwarnings("ignore:ks_2samp. Exact calculation unsuccessful")
def test_final_window_distributions_agree(runs):
    rows = comparison(runs)
    print(
        f"\nfinal-window means (last {WINDOW} of {STEPS} steps), {len(SEEDS)} seeds per engine; "
        f"Holm-adjusted p-values, family-wise alpha {ALPHA}"
    )
    print(
        f"{'indicator':30s} {'arrays':>12s} {'agents':>12s} {'se(diff)':>10s} {'z':>6s} "
        f"{'KS p':>7s} {'KS holm':>7s} {'MW p':>7s} {'MW holm':>7s}"
    )
    for row in rows:
        print(
            f"{row['indicator']:30s} {row['arrays']:12.5g} {row['agents']:12.5g} {row['se_diff']:10.3g} "
            f"{row['z']:6.2f} {row['ks_p']:7.3f} {row['ks_holm']:7.3f} {row['mw_p']:7.3f} {row['mw_holm']:7.3f}"
        )
    assert len(rows) == len(COLUMNS) - len(BALANCES) - len(CALENDAR)
    far = [row["indicator"] for row in rows if abs(row["z"]) > 3.0]
    rejected = [row["indicator"] for row in rows if row["ks_holm"] < ALPHA or row["mw_holm"] < ALPHA]
    assert not far, f"means more than 3 standard errors apart: {far}"
    assert not rejected, f"distributions differ (Holm-adjusted p < {ALPHA}): {rejected}"


@pytest.mark.filterwarnings("ignore:ks_2samp. Exact calculation unsuccessful")
def test_the_comparison_tells_a_different_model_apart(runs):
    """The same comparison rejects the array engine against itself with conditional
    cooperators 40 % less responsive: the test has the power to see a real difference
    (at 20 % less, interpersonal trust alone is flagged, by the standard-error rule)."""
    scenario = with_overrides(
        small_scenario(),
        **{"behaviour.conditional_cooperation.slope": 0.6 * (small_scenario().behaviour.conditional_cooperation.slope)},
    )
    other = [CommonsModel(scenario, seed=seed, rulebook=RULEBOOK, create_agents=False).run(STEPS) for seed in SEEDS]
    rows = comparison({"arrays": runs["arrays"], "agents": other})
    flagged = {
        row["indicator"] for row in rows if abs(row["z"]) > 3.0 or row["ks_holm"] < ALPHA or row["mw_holm"] < ALPHA
    }
    assert "cooperation_rate" in flagged


def test_both_engines_close_the_balances_and_share_the_calendar(runs):
    for engine, series in runs.items():
        for ts in series:
            energy_scale = (ts["production_kwh"] + ts["import_kwh"] + ts["consumption_kwh"] + ts["export_kwh"]).max()
            assert ts["energy_balance_residual_kwh"].abs().max() <= 1e-9 * energy_scale, engine
            assert ts["material_balance_residual_kg"].abs().max() <= 1e-9 * ts["material_inputs_kg"].max(), engine
    for ta, tr in zip(runs["arrays"], runs["agents"]):
        for column in CALENDAR:
            assert ta[column].equals(tr[column])


MATERIAL_COLUMNS = (
    "household_waste_recovery_rate",
    "dumping_kg",
    "displaced_waste_kg",
    "byproduct_exchange_rate",
    "byproduct_matches",
    "hub_volunteers",
    "hub_open_hours",
    "repair_kg",
)


@pytest.mark.slow
@pytest.mark.parametrize("rulebook", ["pay_per_lift", "facilitated_commons"])
def test_the_materials_mechanisms_agree_between_engines(rulebook: str) -> None:
    """Households' dumping into neighbours' bins (per-lift bins), firms' matches with a
    platform and the hub's volunteers and staff, one agent at a time or as arrays: the
    means of the last 20 of 60 days over 12 seeds each lie within three standard errors
    of their difference (every same-kind pair of firms compatible, so that matches exist)."""
    scenario = with_overrides(small_scenario(), **{"materials.firms.matching.compatible_share": 1.0})
    book = ROOT / "experiments" / "rulebooks" / f"{rulebook}.toml"
    means = {
        engine: np.array(
            [
                CommonsModel(scenario, seed=seed, rulebook=book, engine=engine)
                .run(60)[list(MATERIAL_COLUMNS)]
                .iloc[-20:]
                .mean()
                .to_numpy()
                for seed in range(12)
            ]
        )
        for engine in ("arrays", "agents")
    }
    a, r = means["arrays"], means["agents"]
    gap = np.abs(a.mean(axis=0) - r.mean(axis=0))
    se = np.sqrt(a.var(axis=0, ddof=1) / len(a) + r.var(axis=0, ddof=1) / len(r))
    apart = [name for name, g, s in zip(MATERIAL_COLUMNS, gap, se) if g > 3 * s + 1e-12]
    assert not apart, apart
