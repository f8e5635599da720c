"""The compiled path: kernel helpers, the run loop's stretches, the kernels' cache."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import commons_abm.engines.compiled as simulate
from commons_abm.core.indicators import gini, gini_of_sorted, sorted_along
from commons_abm.core.kernels import cache_directory, flat, total
from commons_abm.core.scenario import Scenario
from commons_abm.model import CommonsModel

from .conftest import ROOT


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 1000])
def test_total_is_the_sum_to_rounding(n: int) -> None:
    values = np.random.default_rng(n).normal(size=n)
    assert total(values) == pytest.approx(math.fsum(values), abs=1e-12)


def test_flat_passes_kernel_ready_arrays_through_and_broadcasts_the_rest() -> None:
    ready = np.arange(4.0)
    assert flat(ready, (4,)) is ready
    np.testing.assert_array_equal(flat(2.0, (3,)), [2.0, 2.0, 2.0])
    assert flat(np.ones((2, 2)), (2, 2)).shape == (4,)


@pytest.mark.parametrize("spread", [1e-6, 1.0, 1e6])
def test_incremental_sort_gives_the_sorted_values(spread: float) -> None:
    """From yesterday's order, small moves (insertion) or large ones (a full sort)."""
    rng = np.random.default_rng(1)
    before = rng.normal(size=2000)
    order = np.argsort(before)
    after = before + spread * rng.normal(size=2000)
    after[:500] = 0.0  # ties, as agents without any benefit have
    np.testing.assert_array_equal(sorted_along(order, after), np.sort(after))
    assert sorted(order.tolist()) == list(range(2000))
    assert gini_of_sorted(np.sort(after)) == gini(after)


def test_run_does_not_depend_on_how_days_are_grouped(small_scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stretches of many days, of one day, or a run cut in two give the same timeseries."""
    rulebook = ROOT / "experiments" / "rulebooks" / "full_ostrom.toml"
    whole = CommonsModel(small_scenario, seed=3, rulebook=rulebook).run(70)
    monkeypatch.setattr(simulate, "NOISE_VALUES", 1)  # one day at a time
    daily = CommonsModel(small_scenario, seed=3, rulebook=rulebook).run(70)
    monkeypatch.undo()
    split = CommonsModel(small_scenario, seed=3, rulebook=rulebook)
    split.run(25)
    split = split.run(45)
    pd.testing.assert_frame_equal(whole, daily, check_exact=True)
    pd.testing.assert_frame_equal(whole, split, check_exact=True)


def test_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert cache_directory().parent == tmp_path  # one folder per version of the sources there too
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    folder = cache_directory()
    assert folder.name.startswith("numba-") and folder.is_dir()


STRESS_RULEBOOK = ROOT / "tests" / "data" / "stress_rulebook.toml"


@pytest.mark.parametrize(
    "book",
    ["status_quo", "open_access", "top_down", "community_enforced", "facilitated_commons", "full_ostrom", "stress"],
)
def test_run_and_step_give_the_same_run_exactly(book: str, small_scenario: Scenario) -> None:
    """Every column, the state, the rule levels, the posture and the last day's results,
    to the last bit; the stress rulebook has every mechanism fire often (official and peer
    monitoring with errors, exclusions and readmissions, monthly elections that move the
    posture, overrides, meetings every 9 days, federation, load shifting)."""
    path = STRESS_RULEBOOK if book == "stress" else ROOT / "experiments" / "rulebooks" / f"{book}.toml"
    ran = CommonsModel(small_scenario, seed=11, rulebook=path, record_hourly=True)
    stepped = CommonsModel(small_scenario, seed=11, rulebook=path, record_hourly=True)
    frame = ran.run(150)
    for _ in range(150):
        stepped.step()
    pd.testing.assert_frame_equal(frame, stepped.timeseries(), check_exact=True)
    for name in (
        "member",
        "trust_institutional",
        "belief",
        "offence_level",
        "excluded_until",
        "cumulative_net_benefit_eur",
        "meetings_attended",
        "contributed_kwh",
        "satisfaction",
    ):
        np.testing.assert_array_equal(getattr(ran.state, name), getattr(stepped.state, name), err_msg=name)
    np.testing.assert_array_equal(ran.state.ties.trust, stepped.state.ties.trust)
    assert ran.state.commons == stepped.state.commons
    for name in ("fine_scale", "fee_eur_per_day", "chosen"):
        np.testing.assert_array_equal(getattr(ran.levels, name), getattr(stepped.levels, name), err_msg=name)
    assert ran.polity.posture == stepped.polity.posture
    assert ran.last_governance == stepped.last_governance
    np.testing.assert_array_equal(ran.last_energy.agent_cost_eur, stepped.last_energy.agent_cost_eur)
    np.testing.assert_array_equal(np.array(ran.hourly), np.array(stepped.hourly))
    if book == "stress":  # the mechanisms did fire
        assert frame["sanctions"].sum() > 0 and frame["wrongful_sanctions"].sum() >= 0
        assert (ran.state.excluded_until > 0).any()
        assert frame["attendance_rate"].max() > 0
