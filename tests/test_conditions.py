"""When-clauses: a statement's conditions are evaluated over the model's state each day,
and a statement applies only when they hold (Crawford & Ostrom 1995, the C of ADICO)."""

from __future__ import annotations

import numpy as np
import pytest

from commons_abm.core.calendar import day_of_step
from commons_abm.governance.conditions import DayContext, clause_holds, day_context, month_of, rules_in_force
from commons_abm.governance.institutions import compile_rulebook
from commons_abm.governance.rulebook import WhenClause, load_rulebook
from commons_abm.model import CommonsModel
from commons_abm.sweeps.compare import with_conditions

from .conftest import ROOT, governance_territory

FULL = load_rulebook(ROOT / "experiments" / "rulebooks" / "full_ostrom.toml")
WEEKEND = with_conditions(FULL, "monitor", weekdays=["saturday", "sunday"])


def test_month_of_a_365_day_year() -> None:
    assert [month_of(d) for d in (1, 31, 32, 59, 60, 334, 335, 365)] == [1, 1, 2, 2, 3, 11, 12, 12]


def test_day_context_reads_the_calendar_and_the_battery() -> None:
    today = day_context(day_of_step(5, start_day_of_year=58, start_weekday=2), 50.0, 200.0)
    assert today == DayContext(weekday=0, month=3, battery_share=0.25)
    assert day_context(day_of_step(0), 10.0, 0.0).battery_share == 0.0  # no battery


@pytest.mark.parametrize(
    ("clauses", "today", "holds"),
    [
        ({}, DayContext(0, 1, 0.0), True),
        ({"weekdays": ["saturday", "sunday"]}, DayContext(5, 1, 0.0), True),
        ({"weekdays": ["saturday", "sunday"]}, DayContext(4, 1, 0.0), False),
        ({"months": [12, 1, 2]}, DayContext(0, 2, 0.0), True),
        ({"months": [12, 1, 2]}, DayContext(0, 3, 0.0), False),
        ({"battery_below": 0.3}, DayContext(0, 1, 0.29), True),
        ({"battery_below": 0.3}, DayContext(0, 1, 0.3), False),
        ({"battery_above": 0.8}, DayContext(0, 1, 0.9), True),
        ({"battery_above": 0.2, "battery_below": 0.8}, DayContext(0, 1, 0.9), False),
        ({"weekdays": ["monday"], "months": [1]}, DayContext(0, 2, 0.0), False),  # all must hold
        ({"has_pv": True}, DayContext(3, 7, 0.5), True),  # not a day clause
    ],
)
def test_clause_holds(clauses, today, holds) -> None:
    assert clause_holds(WhenClause.model_validate(clauses), today) is holds


def test_a_rulebook_without_day_clauses_is_in_force_as_it_is() -> None:
    rules = compile_rulebook(FULL)
    assert not rules.conditional
    assert rules_in_force(rules, DayContext(2, 5, 0.1)) is rules


def test_the_rules_in_force_leave_out_the_statements_whose_clauses_fail() -> None:
    rules = compile_rulebook(WEEKEND)
    assert rules.conditional and len(rules.monitors) == 2
    weekday = rules_in_force(rules, DayContext(2, 5, 0.1))
    assert weekday.monitors == () and weekday.sanction_scheme == rules.sanction_scheme
    assert rules_in_force(rules, DayContext(6, 5, 0.1)) is rules
    assert rules_in_force(rules, DayContext(3, 1, 0.9)) is weekday  # compiled once per set in force


def test_an_unpaid_day_keeps_the_fee_level() -> None:
    """A fee out of force is not owed that day, but its level (which votes and overrides
    start from) stays the rulebook's."""
    rules = compile_rulebook(with_conditions(FULL, "pay_fee", months=[1]))
    june = rules_in_force(rules, DayContext(0, 6, 0.0))
    assert june.fee_eur_per_day == rules.fee_eur_per_day and not june.fee_charged and rules.fee_charged
    assert not june.binding().fee and rules.binding().fee


@pytest.mark.parametrize("engine", ["arrays", "agents"])
def test_monitors_on_weekends_sanction_only_on_weekends(engine) -> None:
    """With the monitors' statements in force on Saturdays and Sundays only, no breach is
    detected, so none sanctioned, on a weekday; some are on weekends (90 days, 2 seeds)."""
    weekend_sanctions = 0
    for seed in (1, 2):
        model = CommonsModel(governance_territory(), seed=seed, rulebook=WEEKEND, engine=engine)
        ts = model.run(90)
        weekday = np.array([model.calendar_day(s).weekday for s in range(90)])
        assert ts["sanctions"][weekday < 5].sum() == 0
        assert ts["wrongful_sanctions"][weekday < 5].sum() == 0
        weekend_sanctions += int(ts["sanctions"][weekday >= 5].sum())
    assert weekend_sanctions > 0


def test_a_battery_clause_follows_the_battery_each_day() -> None:
    """The ban on overdrawing applies on the days that start with the battery below half
    charged, and only on those (120 days, stepped)."""
    book = with_conditions(FULL, "overdraw", battery_below=0.5)
    model = CommonsModel(governance_territory(), seed=4, rulebook=book)
    capacity = model.scenario.energy.battery.capacity_kwh
    seen = set()
    for _ in range(120):
        low = model.state.commons.battery_soc_kwh / capacity < 0.5
        model.step()
        assert model.institutions.overdraw_forbidden is low
        seen.add(low)
    assert seen == {True, False}


def test_a_seasonal_subsidy_is_paid_in_its_months_only() -> None:
    book = with_conditions(FULL, "fund_hub", months=[1, 2])
    model = CommonsModel(governance_territory(), seed=5, rulebook=book)
    for _ in range(90):
        model.step()
        expected = 50.0 if month_of(model.calendar_day(model.steps - 1).day_of_year) in (1, 2) else 0.0
        assert model.institutions.hub_subsidy_eur_per_day == expected


def test_a_fee_for_members_with_pv_binds_only_them() -> None:
    """``has_pv = true`` on the fee: members without PV owe nothing, members with PV pay or
    breach it (60 days)."""
    book = with_conditions(FULL, "pay_fee", has_pv=True)
    model = CommonsModel(governance_territory(), seed=6, rulebook=book)
    paid = np.zeros(model.state.n)
    bound_without_pv = 0
    for _ in range(60):
        model.step()
        paid += model.state.fees_eur
        actions = model.results.actions
        without_pv = model.state.member & (model.state.pv_kwp == 0)
        bound_without_pv += int((actions.pays_fee & without_pv).sum())
    member_pv = model.state.member & (model.state.pv_kwp > 0)
    assert bound_without_pv == 0
    assert paid[model.state.pv_kwp == 0].sum() == 0.0
    assert paid[member_pv].sum() > 0.0


def test_both_array_engines_run_a_conditional_rulebook_alike() -> None:
    """The compiled loop (one day at a time under day clauses) and the staged step give the
    same run, every column to the last bit."""
    book = with_conditions(with_conditions(WEEKEND, "fund_hub", months=[1, 2]), "overdraw", battery_below=0.5)
    compiled = CommonsModel(governance_territory(), seed=7, rulebook=book).run(60)
    staged = CommonsModel(governance_territory(), seed=7, rulebook=book)
    for _ in range(60):
        staged.step()
    assert compiled.equals(staged.timeseries())
