"""Fuzzing the three input files: scenario, rulebook and experiment dictionaries.

Each example mutates a valid dictionary (a field set to a value of any type, magnitude or
sign; an unknown key added; a section replaced by a scalar) and asks for one of two
outcomes: the input is refused with an :class:`InputError` of one line naming the field,
or the model runs on it with finite outputs (NaN only where ``docs/indicators.md`` says
so) and energy and mass balances closed to 1e-6 of their flows. Anything else (another
exception, a NaN, an open balance) is a bug.

Counts that set the territory's size draw small accepted values or refused ones, so that
an accepted example runs in a fraction of a second; the size limits themselves are tested
in ``test_scenario.py`` and ``test_experiment.py``.
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commons_abm.core.errors import InputError
from commons_abm.core.indicators import COLUMNS
from commons_abm.core.scenario import Scenario, describe_fields, scenario_from_dict, scenario_value
from commons_abm.core.tomlfile import validated
from commons_abm.energy.allocation_keys import KEYS
from commons_abm.governance.institutions import compile_rulebook
from commons_abm.governance.rulebook import POSTURES, STANCES, Rulebook
from commons_abm.model import CommonsModel
from commons_abm.sweeps.experiment import ExperimentSpec, experiment_from_spec
from commons_abm.sweeps.runs import plan, run_batch

from .conftest import ROOT

STEPS = 3
SMALL = {
    "name": "fuzz",
    "territory": {"households": 12, "firms": 2, "officials": 1, "neighbourhoods": 2},
    "run": {"steps": STEPS},
}
SIZE_FIELDS = {
    "territory.households",
    "territory.firms",
    "territory.officials",
    "territory.neighbourhoods",
    "network.average_degree",
    "materials.firms.material_types",
    "run.steps",
}
MAY_BE_NAN = {name for name, (_, text) in COLUMNS.items() if "NaN" in text}
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

any_value = st.one_of(
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.0, 1.0, 1e308, -1e-308, 0.5, "0.5", "", "equal", "small_world"]),
    st.text(max_size=8),
    st.none(),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
size_value = st.one_of(
    st.integers(-3, 25),
    st.integers(10**7 + 1, 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=3),
)


def like(example: Any) -> st.SearchStrategy:
    """Values of the same type as ``example``, often plausible, sometimes out of range."""
    if isinstance(example, bool):
        return st.booleans()
    if isinstance(example, int):
        return st.integers(-2, 40)
    if isinstance(example, float):
        return st.one_of(st.floats(-0.5, 1.5), st.floats(0, 2 * max(1.0, abs(example))), st.just(example))
    if isinstance(example, list) and example and all(isinstance(v, int | float) for v in example):
        return st.lists(st.floats(-1, 2 * max(abs(v) for v in example) + 1), min_size=0, max_size=len(example) + 1)
    return st.just(example)


def mutant(example: Any, choices: list[str] | None = None) -> st.SearchStrategy:
    """A new value for a field whose valid value is ``example``: twice as often of its type."""
    typed = st.sampled_from(choices) if choices else like(example)
    return st.one_of(typed, typed, any_value)


def _set(data: dict, path: str, value: Any) -> None:
    node = data
    *parents, leaf = path.split(".")
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[leaf] = value


def _refused_on_one_line(exc: InputError) -> None:
    text = str(exc)
    assert "\n" not in text and text.strip() and exc.message, text


def _check_run(model: CommonsModel) -> None:
    frame = model.run(STEPS)
    numbers = frame.drop(columns=sorted(MAY_BE_NAN & set(frame.columns)))
    assert np.isfinite(numbers.to_numpy(dtype=float)).all(), numbers.columns[~np.isfinite(numbers).all()].tolist()
    energy_scale = max(1.0, float(frame["consumption_kwh"].abs().max()), float(frame["production_kwh"].abs().max()))
    mass_scale = max(1.0, float(frame["material_inputs_kg"].abs().max()))
    assert (frame["energy_balance_residual_kwh"].abs() <= 1e-6 * energy_scale).all()
    assert (frame["material_balance_residual_kg"].abs() <= 1e-6 * mass_scale).all()


# ------------------------------------------------------------------------------ scenario
SCENARIO_FIELDS = [row[0] for row in describe_fields() if row[0] not in ("rules.rulebook", "network.file")]
SCENARIO_DEFAULTS = {path: scenario_value(Scenario(), path) for path in SCENARIO_FIELDS}
SCENARIO_CHOICES = {
    row[0]: re.findall(r"`([^`]+)`", row[2]) for row in describe_fields() if row[2].startswith("one of")
}


def scenario_value(path: str) -> st.SearchStrategy:
    if path in SIZE_FIELDS:
        return size_value
    return mutant(SCENARIO_DEFAULTS[path], SCENARIO_CHOICES.get(path))


@st.composite
def scenario_mutations(draw) -> dict:
    data = copy.deepcopy(SMALL)
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        kind = draw(st.sampled_from(["field"] * 8 + ["unknown", "section"]))
        if kind == "field":
            path = draw(st.sampled_from(SCENARIO_FIELDS))
            _set(data, path, draw(scenario_value(path)))
        elif kind == "unknown":
            section = draw(st.sampled_from(["territory", "energy.battery", "behaviour", "materials.hub"]))
            _set(data, f"{section}.{draw(st.text(min_size=1, max_size=6))}", draw(any_value))
        else:
            data[draw(st.sampled_from(["territory", "energy", "network", "materials"]))] = draw(any_value)
    return data


@SETTINGS
@given(scenario_mutations())
def test_a_mutated_scenario_is_refused_on_one_line_or_runs_with_closed_balances(data: dict) -> None:
    try:
        scenario = scenario_from_dict(data, source="fuzz.toml")
        model = CommonsModel(scenario, create_agents=False)
    except InputError as exc:
        _refused_on_one_line(exc)
        return
    _check_run(model)


# ------------------------------------------------------------------------------ rulebook
RULEBOOK_FILE = ROOT / "experiments" / "rulebooks" / "full_ostrom.toml"
RULEBOOK = tomllib.loads(RULEBOOK_FILE.read_text(encoding="utf-8"))
STATEMENT_KEYS = sorted({key for s in RULEBOOK["statements"] for key in s})
CONDITIONS = {(s["aim"], key): value for s in RULEBOOK["statements"] for key, value in s.get("parameters", {}).items()}
PARAM_KEYS = sorted(CONDITIONS)


@st.composite
def rulebook_mutations(draw) -> dict:
    data = copy.deepcopy(RULEBOOK)
    statements = data["statements"]
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        kind = draw(st.sampled_from(["statement", "param", "param", "param", "param", "officials", "drop", "unknown"]))
        index = draw(st.integers(0, len(statements) - 1)) if statements else None
        if kind == "statement" and index is not None:
            statements[index][draw(st.sampled_from(STATEMENT_KEYS))] = draw(any_value)
        elif kind == "param" and statements:
            aim, key = draw(st.sampled_from(PARAM_KEYS))
            for statement in statements:
                if statement.get("aim") == aim and isinstance(statement.get("parameters"), dict):
                    choices = sorted(KEYS) if key == "key" else None
                    statement["parameters"][key] = draw(mutant(CONDITIONS[(aim, key)], choices))
        elif kind == "officials":
            field = draw(st.sampled_from(["posture", "stance", "electoral_cycle_days", "posture_change_probability"]))
            choices = {"posture": list(POSTURES), "stance": list(STANCES)}.get(field)
            _set(data, f"officials.{field}", draw(mutant(0.5 if field.endswith("probability") else 900, choices)))
        elif kind == "drop" and index is not None:
            statements.pop(index)
        else:
            data[draw(st.text(min_size=1, max_size=6))] = draw(any_value)
    return data


@SETTINGS
@given(rulebook_mutations())
def test_a_mutated_rulebook_is_refused_on_one_line_or_runs_with_closed_balances(data: dict) -> None:
    try:
        institutions = compile_rulebook(validated(Rulebook, data, "fuzz_rules.toml"))
    except InputError as exc:
        _refused_on_one_line(exc)
        return
    _check_run(CommonsModel(scenario_from_dict(SMALL), rulebook=institutions, create_agents=False))


# ---------------------------------------------------------------------------- experiment
EXPERIMENT: dict[str, Any] = {
    "name": "fuzz",
    "rulebook": RULEBOOK_FILE.as_posix(),
    "seed": 3,
    "steps": STEPS,
    "replicates": 1,
    "scenario_overrides": {f"territory.{k}": v for k, v in SMALL["territory"].items()},
    "design": {"method": "latin", "base_samples": 2},
    "parameters": [
        {"path": "rulebook.monitor.detection_probability", "bounds": [0.1, 0.9]},
        {"path": "energy.households.pv_adoption", "bounds": [0.0, 0.5]},
        {"path": "rulebook.allocate_energy.key", "levels": ["equal", "needs_first"]},
    ],
    "outputs": [{"column": "trust_institutional", "window": 2}, {"column": "members_share", "statistic": "final"}],
}
EXPERIMENT_FIELDS = ["name", "seed", "steps", "replicates", "scenario_overrides", "design", "parameters", "outputs"]


@st.composite
def experiment_mutations(draw) -> dict:
    data = copy.deepcopy(EXPERIMENT)
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        kind = draw(st.sampled_from(["top", "design", "parameter", "output", "override", "override", "override"]))
        if kind == "top":
            field = draw(st.sampled_from(EXPERIMENT_FIELDS))
            data[field] = draw(size_value if field in ("steps", "replicates") else mutant(data[field]))
        elif kind == "design" and isinstance(data["design"], dict):
            field = draw(st.sampled_from(["method", "base_samples", "second_order", "morris_levels", "by_group"]))
            value = draw(st.sampled_from(["factorial", "latin", "sobol", "morris"]) | any_value)
            data["design"][field] = draw(size_value) if field == "base_samples" else value
        elif kind == "parameter" and isinstance(data["parameters"], list) and data["parameters"]:
            entry = data["parameters"][draw(st.integers(0, len(data["parameters"]) - 1))]
            field = draw(st.sampled_from(["path", "bounds", "levels", "points", "integer", "group", "compensate"]))
            if isinstance(entry, dict):
                entry[field] = draw(any_value)
        elif kind == "output" and isinstance(data["outputs"], list):
            field = draw(st.sampled_from(["name", "column", "statistic", "window"]))
            data["outputs"][0][field] = draw(any_value)
        elif isinstance(data["scenario_overrides"], dict):
            path = draw(st.sampled_from(SCENARIO_FIELDS))
            data["scenario_overrides"][path] = draw(scenario_value(path))
    return data


@SETTINGS
@given(experiment_mutations())
def test_a_mutated_experiment_is_refused_on_one_line_or_its_first_runs_complete(data: dict) -> None:
    path = Path("fuzz_experiment.toml")
    try:
        experiment = experiment_from_spec(validated(ExperimentSpec, data, path), path)
        tasks = plan(experiment)
    except InputError as exc:
        _refused_on_one_line(exc)
        return
    rows = run_batch(experiment, tasks[:2])
    for row in rows:
        # a sample whose values the scenario or rulebook refuses is stored as a failed run with its one-line error
        assert row["status"] in ("ok", "failed"), row
        if row["status"] == "failed":
            assert row["error"] and "\n" not in row["error"], row["error"]
        else:
            for output in experiment.spec.outputs:
                value = row[output.label]
                assert isinstance(value, float) and (math.isfinite(value) or output.column in MAY_BE_NAN), row


def _scenario_accepted(data: dict) -> bool:
    try:
        CommonsModel(scenario_from_dict(data, source="fuzz.toml"), create_agents=False)
    except InputError:
        return False
    return True


def _rulebook_accepted(data: dict) -> bool:
    try:
        compile_rulebook(validated(Rulebook, data, "fuzz_rules.toml"))
    except InputError:
        return False
    return True


def _experiment_accepted(data: dict) -> bool:
    path = Path("fuzz_experiment.toml")
    try:
        plan(experiment_from_spec(validated(ExperimentSpec, data, path), path))
    except InputError:
        return False
    return True


@pytest.mark.parametrize(
    ("strategy", "accepted"),
    [
        (scenario_mutations(), _scenario_accepted),
        (rulebook_mutations(), _rulebook_accepted),
        (experiment_mutations(), _experiment_accepted),
    ],
    ids=["scenario", "rulebook", "experiment"],
)
def test_the_mutations_reach_both_outcomes(strategy, accepted) -> None:
    """A fuzz whose mutants are all refused, or all accepted, tests one path only: both occur."""
    from hypothesis import find

    quick = settings(max_examples=200, database=None, derandomize=True)
    assert not accepted(find(strategy, lambda data: not accepted(data), settings=quick))
    assert accepted(find(strategy, accepted, settings=quick))
