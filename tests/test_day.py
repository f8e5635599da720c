"""The day is declared once (``engines.day.DAY``) and every engine follows it."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from commons_abm.core.scenario import Scenario
from commons_abm.core.seeding import STREAMS
from commons_abm.engines import compiled, staged
from commons_abm.engines.day import DAY, STAGE_NAMES
from commons_abm.model import CommonsModel

RULEBOOKS = ("experiments/rulebooks/full_ostrom.toml", "tests/data/stress_rulebook.toml", None)


def _small() -> Scenario:
    sc = Scenario(name="day")
    sc.territory.households, sc.territory.firms, sc.territory.officials = 40, 4, 2
    return sc


def test_the_declared_day() -> None:
    assert STAGE_NAMES == tuple(stage.name for stage in DAY)
    assert len(set(STAGE_NAMES)) == len(STAGE_NAMES)
    for stage in DAY:
        assert set(stage.streams) <= set(STREAMS), stage.name
        assert stage.does, stage.name
        for mechanism in stage.mechanisms:
            importlib.import_module(f"commons_abm.{mechanism}")  # a real module


def test_staged_engine_runs_the_declared_stages_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    for name, stage in list(staged.STAGES.items()):
        monkeypatch.setitem(
            staged.STAGES, name, lambda sim, day, name=name, stage=stage: (seen.append(name), stage(sim, day))
        )
    model = CommonsModel(_small(), seed=1, create_agents=False)
    model.step()
    model.step()
    assert seen == list(STAGE_NAMES) * 2
    assert [name for name, _ in model.stages] == list(STAGE_NAMES)


def test_compiled_loop_marks_the_declared_stages_in_order() -> None:
    source = inspect.getsource(compiled.simulate_days.py_func)
    marked = re.findall(r"^\s+# ([a-z_]+)$", source, flags=re.M)
    assert tuple(marked) == STAGE_NAMES
    assert compiled.STAGES == STAGE_NAMES


def test_reference_engine_runs_the_declared_stages_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    model = CommonsModel(_small(), seed=1, engine="agents")
    engine = model.reference
    seen: list[str] = []
    for name in STAGE_NAMES:
        method = getattr(engine, name)
        monkeypatch.setattr(engine, name, lambda day, name=name, method=method: (seen.append(name), method(day)))
    model.step()
    assert seen == list(STAGE_NAMES)


@pytest.mark.parametrize("rulebook", RULEBOOKS)
def test_each_stage_draws_only_from_the_streams_it_declares(rulebook: str | None) -> None:
    model = CommonsModel(_small(), seed=2, create_agents=False, rulebook=rulebook)
    declared = {stage.name: set(stage.streams) for stage in DAY}
    used: dict[str, set[str]] = {name: set() for name in STAGE_NAMES}
    for _ in range(40):
        day = model.calendar_day(model.steps)
        for name, stage in model.stages:
            before = {s: rng.bit_generator.state for s, rng in model.rngs.items()}
            stage(day)
            used[name] |= {s for s, rng in model.rngs.items() if rng.bit_generator.state != before[s]}
        model.steps += 1
    for name in STAGE_NAMES:
        assert used[name] <= declared[name], (name, used[name] - declared[name])
    # and the declaration is not wider than it needs: each declared stream is drawn from
    if rulebook is not None:
        for name in ("decide", "exchange_energy", "route_materials", "enforce_rules", "review_membership"):
            assert used[name] == declared[name], name
