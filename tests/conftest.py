"""Shared fixtures: small scenarios and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from commons_abm.core.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = ROOT / "experiments" / "scenarios" / "default.toml"


@pytest.fixture
def default_scenario() -> Scenario:
    """The shipped default scenario."""
    return load_scenario(DEFAULT_SCENARIO)


@pytest.fixture
def small_scenario() -> Scenario:
    """A 60-agent territory for fast tests."""
    sc = Scenario(name="small")
    sc.territory.households = 50
    sc.territory.firms = 7
    sc.territory.officials = 3
    sc.territory.neighbourhoods = 2
    sc.run.steps = 30
    return sc


def governance_territory(name: str = "governance") -> Scenario:
    """A 110-agent territory in three neighbourhoods (the default mix, scaled down): where the
    design principles and governance's mechanisms are compared over many paired seeds."""
    sc = Scenario(name=name)
    sc.territory.households, sc.territory.firms, sc.territory.officials = 100, 8, 2
    sc.territory.neighbourhoods = 3
    return sc


# Effects measured by the stochastic tests (design principles, decay), printed at the end
# of the test report with their confidence intervals.
EFFECTS: list[str] = []


def pytest_terminal_summary(terminalreporter) -> None:  # pragma: no cover - reporting only
    if EFFECTS:
        terminalreporter.section("effects measured by the stochastic tests")
        for line in EFFECTS:
            terminalreporter.write_line(line)
