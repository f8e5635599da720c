"""Shocks (commons_abm.shocks): data files that change what agents pay, receive or face
from a given day, applied the same way by every engine, with nothing moved before they begin.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from commons_abm.core.errors import InputError
from commons_abm.core.scenario import Scenario, with_overrides
from commons_abm.model import CommonsModel
from commons_abm.shocks import CHANGEABLE, Shock, ShockText, load_shock, shipped_shocks

from .conftest import ROOT

SHIPPED = shipped_shocks()
SEEDS = range(1, 6)
TEXT = {"en": ShockText(title="t", description="d"), "fr": ShockText(title="t", description="d")}


def shock(name: str = "test", start: int = 5, duration: int | None = 5, **fields) -> Shock:
    return Shock(name=name, start_day=start, duration_days=duration, **TEXT, **fields)


def small() -> Scenario:
    return with_overrides(
        Scenario(name="small"),
        **{"territory.households": 50, "territory.firms": 6, "territory.officials": 2, "territory.neighbourhoods": 2},
    )


def run(shocks=(), seed: int = 1, rulebook: str | None = None, steps: int = 365, **kwargs) -> pd.DataFrame:
    model = CommonsModel(seed=seed, rulebook=rulebook, create_agents=False, shocks=list(shocks), **kwargs)
    return model.run(steps)


@pytest.fixture(scope="module")
def baselines() -> dict[int, pd.DataFrame]:
    return {seed: run(seed=seed) for seed in SEEDS}


def test_the_issue_s_five_shocks_are_shipped_with_english_and_french_text():
    assert {"price_spike", "producer_leaves", "dark_month", "controlling_election", "hub_closes"} <= set(SHIPPED)
    for name in SHIPPED:
        s = load_shock(name)
        assert s.name == name
        assert s.en.title and s.fr.title and s.en.title != s.fr.title


@pytest.mark.parametrize("name", SHIPPED)
def test_nothing_moves_before_a_shock_begins(name, baselines):
    s = load_shock(name)
    if s.start_day == 0:
        s = s.starting(40)
    # officials' acts concern meetings, voted rules and subsidies, which the status quo lacks
    rulebook = "community_enforced" if s.election else None
    base = baselines[1] if rulebook is None else run(seed=1, rulebook=rulebook)
    shocked = run([s], seed=1, rulebook=rulebook)
    before = slice(0, s.start_day)
    pd.testing.assert_frame_equal(shocked.iloc[before], base.iloc[before], check_exact=True)
    assert not shocked.iloc[s.start_day :].equals(base.iloc[s.start_day :])


def window(s: Shock) -> slice:
    return slice(s.start_day, s.end_day or 365)


@pytest.mark.parametrize("name", ["dark_month", "dark_week"])
def test_a_dark_spell_scales_the_sun_and_nothing_else_of_the_weather(name, baselines):
    s = load_shock(name)
    s = s.starting(200) if s.start_day == 0 else s
    factor = s.scale["energy.pv.specific_yield_kwh_per_kwp"]
    for seed in SEEDS:
        shocked = run([s], seed=seed)
        ratio = shocked.production_kwh.iloc[window(s)].sum() / baselines[seed].production_kwh.iloc[window(s)].sum()
        # the same clouds are drawn; PV changes hands between members only through who is a member
        assert ratio == pytest.approx(factor, rel=0.02), (seed, ratio)
        assert (shocked.import_kwh.iloc[window(s)] >= baselines[seed].import_kwh.iloc[window(s)] - 1e-6).mean() > 0.9
        after = s.end_day
        assert shocked.production_kwh.iloc[after : after + 20].sum() == pytest.approx(
            baselines[seed].production_kwh.iloc[after : after + 20].sum(), rel=0.01
        )


def test_a_price_spike_makes_the_community_worth_more_to_its_members(baselines):
    s = load_shock("price_spike")
    for seed in SEEDS:
        shocked = run([s], seed=seed)
        saving = shocked.bill_saving_eur_per_participant.iloc[window(s)].mean()
        before = baselines[seed].bill_saving_eur_per_participant.iloc[window(s)].mean()
        assert saving > 1.5 * before, (seed, saving, before)


def test_a_closed_hub_opens_no_hour_and_recovers_less_then_reopens(baselines):
    s = load_shock("hub_closes")
    for seed in SEEDS:
        shocked = run([s], seed=seed)
        w = window(s)
        assert (shocked.hub_open_hours.iloc[w] == 0).all()
        assert (shocked.repair_kg.iloc[w] == 0).all()  # nobody to repair (goods given hand to hand still are)
        assert (
            shocked.household_waste_recovery_rate.iloc[w].mean()
            < baselines[seed].household_waste_recovery_rate.iloc[w].mean()
        )
        assert shocked.hub_open_hours.iloc[s.end_day + 30 :].mean() > 0.5


def test_the_largest_producer_leaves_and_may_not_come_back_while_the_shock_lasts():
    s = shock("leave", start=10, duration=60, leave={"largest_producers": 2})
    model = CommonsModel(seed=2, create_agents=False, shocks=[s], record_events=True)
    model.run(10)
    st = model.state
    power = np.where(st.member, st.pv_kwp * st.pv_performance, 0.0)
    top = np.sort(np.argsort(-power, kind="stable")[:2])
    model.run(1)
    assert not st.member[top].any()
    model.run(58)
    assert not st.member[top].any()  # barred until day 70
    shock_rows = model.events().query("event == 'shock'")
    assert shock_rows.agents.iloc[0] == " ".join(map(str, top))
    assert shock_rows.value.iloc[0] == 60


def test_an_election_brings_its_officials_who_then_act_as_controllers():
    s = shock("election", start=20, duration=None, election={"posture": "authority", "stance": "controller"})
    model = CommonsModel(seed=1, rulebook="community_enforced", create_agents=False, shocks=[s], record_events=True)
    model.run(20)
    assert (model.polity.posture, model.polity.stance) == ("participation", "distant")
    model.run(1)
    assert (model.polity.posture, model.polity.stance) == ("authority", "controller")
    model.run(344)
    events = model.events()
    after = events[events.day >= 20]
    assert "officials_at_meeting" not in set(after.event)  # a controller never comes to meetings


def test_a_run_split_at_the_shock_days_is_the_same_run_day_by_day():
    shocks = [
        load_shock("price_spike"),
        load_shock("hub_closes"),
        shock("d", 50, 3, scale={"energy.pv.specific_yield_kwh_per_kwp": 0.5}),
    ]
    whole = CommonsModel(seed=4, scenario=small(), create_agents=False, shocks=shocks).run(240)
    daily = CommonsModel(seed=4, scenario=small(), create_agents=False, shocks=shocks)
    for _ in range(240):
        daily.step()
    pd.testing.assert_frame_equal(whole, daily.timeseries(), check_exact=True)


def test_the_reference_engine_applies_a_shock_on_the_same_days():
    s = shock("dim", start=3, duration=4, scale={"energy.pv.specific_yield_kwh_per_kwp": 0.5})
    base = CommonsModel(seed=1, scenario=small(), engine="agents").run(10)
    ts = CommonsModel(seed=1, scenario=small(), engine="agents", shocks=[s]).run(10)
    assert ts.production_kwh.iloc[:3].tolist() == base.production_kwh.iloc[:3].tolist()
    np.testing.assert_allclose(ts.production_kwh.iloc[3:7], 0.5 * base.production_kwh.iloc[3:7], rtol=1e-9)


@pytest.mark.parametrize(
    "field, value, column, sign",
    [
        ("energy.tariffs.import_eur_per_kwh", 0.5, "bill_saving_eur_per_participant", 1),
        ("energy.pv.specific_yield_kwh_per_kwp", 2400.0, "production_kwh", 1),
        ("materials.hub.target_open_hours", 12.0, "hub_volunteer_hours", 1),
        ("materials.costs.repair_eur_per_kg", 2.0, "repair_kg", -1),
    ],
)
def test_every_changeable_section_acts_from_the_next_day(field, value, column, sign):
    assert field.startswith(CHANGEABLE)
    base = run(seed=3, steps=120)
    shocked = run([shock("x", 30, 60, set={field: value})], seed=3, steps=120)
    diff = shocked[column].iloc[30:90].mean() - base[column].iloc[30:90].mean()
    assert sign * diff > 0, (field, diff)


def test_a_live_shock_starts_on_the_next_day_and_is_logged():
    model = CommonsModel(seed=1, create_agents=False, record_events=True)
    for _ in range(12):
        model.step()
    added = model.add_shock("dark_week")
    assert added.start_day == 12 and model.active_shocks() == [added]
    for _ in range(10):
        model.step()
    assert model.active_shocks() == []
    events = model.events()
    assert events.query("event == 'shock'").day.tolist() == [12]
    assert events.query("event == 'shock_over'").day.tolist() == [19]
    assert model.scenario == model.base_scenario  # the sun is back


def test_a_shock_cannot_start_in_the_past():
    model = CommonsModel(seed=1, create_agents=False)
    model.run(5)
    with pytest.raises(ValueError, match="before day 5"):
        model.add_shock(shock(start=2), start=None)


@pytest.mark.parametrize(
    "text, message",
    [
        ("start_day = 1\nwhat = 2\n", "what"),
        ('start_day = 1\n[scale]\n"territory.households" = 2.0\n', "not read every day"),
        ('start_day = 1\n[scale]\n"energy.tariffs.import_eur_per_kwh" = -1.0\n', ">= 0"),
        ('start_day = 1\n[scale]\n"energy.tariffs.import_eur_per_kwh" = nan\n', "finite"),
        ('start_day = 1\n[election]\nposture = "king"\nstance = "ally"\n', "posture"),
        ("start_day = -3\n", "start_day"),
        ("start_day = 1\nduration_days = 0\n", "duration_days"),
    ],
)
def test_a_bad_shock_file_is_refused_in_one_line_naming_the_file(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    texts = '[en]\ntitle = "a"\ndescription = "b"\n[fr]\ntitle = "a"\ndescription = "b"\n'
    path.write_text(text + texts if "[" not in text else text.replace("[", texts + "[", 1))
    with pytest.raises(InputError) as info:
        load_shock(path)
    line = str(info.value)
    assert "\n" not in line and str(path) in line and message in line


def test_a_change_the_scenario_does_not_allow_names_the_shock():
    bad = shock("too_far", set={"energy.pv.latitude_deg": 1000.0})
    with pytest.raises(InputError, match="shock too_far: energy.pv.latitude_deg"):
        CommonsModel(seed=1, create_agents=False, shocks=[bad])


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "commons_abm", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


def test_commons_abm_run_applies_shocks_and_says_so(tmp_path):
    out = tmp_path / "out"
    result = _cli(
        "run", "--steps", "40", "--shock", "price_spike", "--shock", "dark_week", "--out", str(out), "--no-progress"
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert [s["name"] for s in summary["shocks"]] == ["price_spike", "dark_week"]
    events = pd.read_csv(out / "events.csv")
    assert sorted(events.query("event == 'shock'").day) == [0, 30]
    assert events.query("event == 'shock_over'").day.tolist() == [7]


@pytest.mark.parametrize("shock_arg", ["no_such_shock", "tests/data/nowhere.toml"])
def test_commons_abm_run_refuses_a_bad_shock_in_one_line(tmp_path, shock_arg):
    out = tmp_path / "out"
    result = _cli("run", "--steps", "5", "--shock", shock_arg, "--out", str(out), "--no-progress")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and shock_arg in result.stderr
    assert not out.exists()
