"""The whole model: outputs, conservation over a year, plausibility, reproducibility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from commons_abm.core.indicators import COLUMNS, REQUIRED_COLUMNS
from commons_abm.core.scenario import Scenario
from commons_abm.energy.exchange import HOURLY_FLOWS
from commons_abm.model import CommonsModel

from .conftest import ROOT


def test_timeseries_has_one_row_per_step_and_every_column(small_scenario: Scenario) -> None:
    frame = CommonsModel(small_scenario).run(12)
    assert list(frame.columns) == list(COLUMNS)
    assert set(REQUIRED_COLUMNS) <= set(frame.columns)
    assert frame["step"].tolist() == list(range(12))
    assert not frame[list(REQUIRED_COLUMNS)].drop(columns="energy_self_consumption").isna().any().any()


def test_neutral_social_columns_without_rules(small_scenario: Scenario) -> None:
    """Without community rules nobody meets, breaks a rule, is sanctioned or pays for governance."""
    frame = CommonsModel(small_scenario).run(5)
    assert (frame["attendance_rate"] == 0).all()
    # no rule binds anyone: compliance is compliance with the norms, i.e. cooperation
    assert np.array_equal(frame["compliance_rate"], frame["cooperation_rate"])
    assert (frame["sanctions"] == 0).all() and (frame["governance_cost"] == 0).all()
    # nobody is sanctioned or overridden: only members' experience moves institutional trust
    model = CommonsModel(small_scenario, rulebook=ROOT / "experiments" / "rulebooks" / "open_access.toml")
    model.run(20)
    outsiders = ~model.state.member
    assert np.all(model.state.trust_institutional[outsiders] == small_scenario.behaviour.initial_trust_institutional)


@pytest.fixture(scope="module")
def default_year() -> pd.DataFrame:
    return CommonsModel(None, create_agents=False).run(365)


def test_default_year_conserves_energy_and_mass(default_year: pd.DataFrame) -> None:
    assert default_year["energy_balance_residual_kwh"].abs().max() < 1e-6
    assert default_year["material_balance_residual_kg"].abs().max() < 1e-6


def test_default_year_is_plausible(default_year: pd.DataFrame) -> None:
    total = default_year.sum()
    sufficiency = 1 - total["import_kwh"] / total["consumption_kwh"]
    assert 0.05 < sufficiency < 0.35, sufficiency
    # Eurostat: France's circular material use rate 17.6-19.3 % (2022-2024)
    assert 0.12 < default_year["material_circularity"].mean() < 0.25
    # summer days are more self-sufficient than winter days
    summer = default_year["energy_self_sufficiency"].iloc[150:240].mean()
    winter = pd.concat(
        [default_year["energy_self_sufficiency"].iloc[:45], default_year["energy_self_sufficiency"].iloc[320:]]
    ).mean()
    assert summer > 1.5 * winter


def test_same_seed_bit_identical(small_scenario: Scenario) -> None:
    a = CommonsModel(small_scenario, seed=5).run(20)
    b = CommonsModel(small_scenario, seed=5, create_agents=False).run(20)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_different_seeds_differ(small_scenario: Scenario) -> None:
    a = CommonsModel(small_scenario, seed=1).run(5)
    b = CommonsModel(small_scenario, seed=2).run(5)
    assert not np.allclose(a["production_kwh"], b["production_kwh"])


def test_hourly_flows_recorded(small_scenario: Scenario) -> None:
    model = CommonsModel(small_scenario, record_hourly=True)
    model.run(3)
    flows = model.hourly_flows(2)
    assert flows.shape == (24, len(HOURLY_FLOWS))
    assert flows["demand"].sum() == pytest.approx(model.timeseries()["consumption_kwh"].iloc[2])


def test_step_is_a_named_sequence_of_stages(small_scenario: Scenario) -> None:
    names = [name for name, _ in CommonsModel(small_scenario).stages]
    assert names == [
        "decide",
        "exchange_energy",
        "route_materials",
        "enforce_rules",
        "collective_choice",
        "officials",
        "settle_accounts",
        "learn",
        "review_membership",
        "record",
    ]


def test_a_world_seed_sets_only_the_worlds_streams() -> None:
    """``run.world_seed`` draws the territory, network, weather and demand from another seed,
    and leaves behaviour, governance and materials on the run's seed; equal to the run's
    seed, it changes nothing."""
    from commons_abm.core.seeding import STREAMS, WORLD_STREAMS, streams

    same, alone, other = streams(5, world_seed=5), streams(5), streams(5, world_seed=9)
    for name in STREAMS:
        first = alone[name].random(4)
        assert np.array_equal(same[name].random(4), first)
        assert np.array_equal(other[name].random(4), first) is (name not in WORLD_STREAMS)
    a = CommonsModel(seed=5, create_agents=False, overrides={"run.world_seed": 9})
    b = CommonsModel(seed=9, create_agents=False)
    assert np.array_equal(a.state.pv_kwp, b.state.pv_kwp) and np.array_equal(a.state.ties.indices, b.state.ties.indices)


def test_a_rulebook_adopted_mid_run_acts_from_that_day_and_changes_nothing_before() -> None:
    """CommonsModel.adopt_rulebook: the new rules are in force from the next day, the levels
    members vote start at its own, and the days before are the run without it."""
    kwargs = dict(scenario="default", seed=8, rulebook="status_quo", create_agents=False, record_events=True)
    plain = CommonsModel(**kwargs)
    plain.run(60)
    changed = CommonsModel(**kwargs)
    changed.run(30)
    changed.adopt_rulebook("community_enforced")
    assert changed.rules.name == "community_enforced" and changed.rules.monitored
    assert changed.levels.fee_eur_per_day == pytest.approx(changed.rules.fee_eur_per_day)
    changed.run(30)
    a, b = plain.timeseries(), changed.timeseries()
    pd.testing.assert_frame_equal(a.iloc[:30], b.iloc[:30], check_exact=True)
    assert b.sanctions.iloc[30:].sum() > 0 and a.sanctions.sum() == 0, "monitors and sanctions only after day 30"
    assert ("rules_adopted", "name=community_enforced") in {(r[1], r[5]) for r in changed.events_log.rows}
