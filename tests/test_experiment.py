"""Experiment files: validation errors, parameter paths, designs and seeds."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from commons_abm.core.errors import InputError
from commons_abm.governance.rulebook import load_rulebook
from commons_abm.sweeps.experiment import load_experiment, parameter_paths
from commons_abm.sweeps.runs import plan, run_seed
from commons_abm.sweeps.sampling import decode, design_matrix

from .conftest import ROOT

RULEBOOK = ROOT / "experiments" / "rulebooks" / "full_ostrom.toml"

TINY = f"""
name = "tiny"
rulebook = "{RULEBOOK.as_posix()}"
seed = 7
steps = 20
replicates = 2

[scenario_overrides]
"territory.households" = 30
"territory.firms" = 3
"territory.officials" = 2
"territory.neighbourhoods" = 1

[design]
method = "sobol"
base_samples = 4

[[parameters]]
path = "rulebook.monitor.detection_probability"
bounds = [0.05, 0.6]

[[parameters]]
path = "rulebook.allocate_energy.key"
levels = ["equal", "needs_first", "pro_rata_contribution"]

[[outputs]]
column = "trust_institutional"
window = 5

[[outputs]]
column = "members_share"
statistic = "final"
"""


def write_experiment(folder: Path, text: str = TINY, name: str = "exp.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "commons_abm", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            ('path = "rulebook.monitor.detection_probability"', 'path = "rulebook.monitor.detection_prob"'),
            "parameters.0.path",
            [
                "valid paths under 'rulebook.monitor'",
                "rulebook.monitor.detection_probability",
                "rulebook.monitor.error_rate",
            ],
        ),
        (
            ('path = "rulebook.monitor.detection_probability"', 'path = "behaviour.decisions.motive_wait"'),
            "parameters.0.path",
            ["behaviour.decisions.motive_weight"],
        ),
        (
            ('path = "rulebook.monitor.detection_probability"', 'path = "nowhere.at_all"'),
            "parameters.0.path",
            ["valid paths start with", "behaviour", "rulebook", "territory"],
        ),
        (
            ('column = "trust_institutional"', 'column = "trust"'),
            "outputs.0.column",
            ["unknown column 'trust'", "trust_institutional"],
        ),
        (("bounds = [0.05, 0.6]", "bounds = [0.6, 0.05]"), "parameters.0.bounds", ["low < high"]),
        (("bounds = [0.05, 0.6]", "bounds = [0.05, 0.6]\nlevels = [0.1, 0.2]"), "parameters.0", ["not both"]),
        (('method = "sobol"', 'method = "sobel"'), "design.method", ["'sobol'", "'morris'"]),
        (("replicates = 2", "replicates = 0"), "replicates", ["greater than or equal to 1"]),
        (("window = 5", "window = 500"), None, ["longer than steps"]),
        (("seed = 7", "seed = 7\nsteps_per_day = 3"), "steps_per_day", ["unknown key", "replicates"]),
    ],
)
def test_bad_experiment_is_one_line_exit_2_nothing_written(tmp_path, change, field, words) -> None:
    text = TINY.replace(*change)
    assert text != TINY
    path = write_experiment(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_experiment(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    if field:
        assert info.value.field == field
    for word in words:
        assert word in message, message
    out = tmp_path / "out"
    result = _cli("sweep", str(path), "--out", str(out), "--no-progress")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not out.exists()


def test_rulebook_paths_need_a_rulebook(tmp_path) -> None:
    (tmp_path / "bare.toml").write_text('name = "bare"\n', encoding="utf-8")  # no rules.rulebook
    text = TINY.replace(f'rulebook = "{RULEBOOK.as_posix()}"', 'scenario = "bare.toml"')
    with pytest.raises(InputError, match="rulebook paths need a rulebook"):
        load_experiment(write_experiment(tmp_path, text))


def test_parameter_paths_select_statements_by_id_or_aim() -> None:
    paths = parameter_paths(load_rulebook(RULEBOOK))
    assert "rulebook.peer-watch.detection_probability" in paths  # by id
    assert "rulebook.monitor.detection_probability" in paths  # by aim: both monitors
    assert "rulebook.officials.stance" in paths
    assert "rulebook.federate.enabled" in paths
    assert "behaviour.decisions.motive_weight" in paths
    assert "run.seed" not in paths and "run.steps" not in paths


def test_rulebook_values_reach_the_institutions(tmp_path) -> None:
    experiment = load_experiment(write_experiment(tmp_path))
    _, inst = experiment.build(
        {"rulebook.monitor.detection_probability": 0.42, "rulebook.allocate_energy.key": "needs_first"}
    )
    assert [m[1] for m in inst.monitors] == [0.42, 0.42]
    assert inst.allocation_key == "needs_first"
    with pytest.raises(InputError, match="detection_probability"):
        experiment.build({"rulebook.monitor.detection_probability": 1.5, "rulebook.allocate_energy.key": "equal"})


def test_disabling_statements_and_compensating_shares(tmp_path) -> None:
    text = TINY.replace(
        'path = "rulebook.allocate_energy.key"\nlevels = ["equal", "needs_first", "pro_rata_contribution"]',
        'path = "rulebook.sanction.enabled"\nlevels = [true, false]\n\n[[parameters]]\n'
        'path = "behaviour.motives.households.cooperative"\nbounds = [0.2, 0.7]\n'
        'compensate = "behaviour.motives.households.individualistic"',
    )
    experiment = load_experiment(write_experiment(tmp_path, text))
    assert experiment.groups == ("monitoring", "graduated_sanctions", "behaviour")
    scenario, inst = experiment.build(
        {
            "rulebook.monitor.detection_probability": 0.3,
            "rulebook.sanction.enabled": False,
            "behaviour.motives.households.cooperative": 0.7,
        }
    )
    assert inst.sanction_scheme == "none" and not inst.sanctioned
    mix = scenario.behaviour.motives.households
    assert mix.cooperative == 0.7 and mix.individualistic == pytest.approx(0.38 + 0.46 - 0.7)
    assert scenario.run.steps == 20


def test_seed_of_each_run_is_its_spawned_child() -> None:
    children = np.random.SeedSequence(123).spawn(10)
    for k, child in enumerate(children):
        expected = int(child.generate_state(1, np.uint64)[0]) >> 1
        assert run_seed(123, k) == expected
    assert len({run_seed(123, k) for k in range(1000)}) == 1000


def test_sobol_and_morris_samples_are_prefixes(tmp_path) -> None:
    experiment = load_experiment(write_experiment(tmp_path))
    small, large = design_matrix(experiment, 4), design_matrix(experiment, 16)
    assert small.shape == (4 * (2 * 2 + 2), 2)
    np.testing.assert_array_equal(small, large[: len(small)])
    tasks = plan(experiment, 4)
    assert [(t.sample_id, t.replicate) for t in tasks[:3]] == [(0, 0), (0, 1), (1, 0)]
    assert [t.seed for t in tasks] == [t.seed for t in plan(experiment, 16)[: len(tasks)]]
    morris = load_experiment(write_experiment(tmp_path, TINY.replace('"sobol"', '"morris"'), "m.toml"))
    np.testing.assert_array_equal(design_matrix(morris, 3), design_matrix(morris, 6)[: 3 * 3])


def test_decoded_values_respect_levels_integers_and_bounds(tmp_path) -> None:
    text = TINY.replace("bounds = [0.05, 0.6]", "bounds = [7, 120]\ninteger = true").replace(
        "rulebook.monitor.detection_probability", "rulebook.vote_rules.every_days"
    )
    experiment = load_experiment(write_experiment(tmp_path, text))
    values = [decode(experiment, row) for row in design_matrix(experiment, 64)]
    days = [v["rulebook.vote_rules.every_days"] for v in values]
    keys = [v["rulebook.allocate_energy.key"] for v in values]
    assert all(isinstance(d, int) and 7 <= d <= 120 for d in days)
    assert min(days) <= 12 and max(days) >= 115
    assert set(keys) == {"equal", "needs_first", "pro_rata_contribution"}


def test_factorial_design_is_every_combination(tmp_path) -> None:
    text = TINY.replace('"sobol"', '"factorial"').replace("bounds = [0.05, 0.6]", "bounds = [0.1, 0.5]\npoints = 3")
    experiment = load_experiment(write_experiment(tmp_path, text))
    values = [decode(experiment, row) for row in design_matrix(experiment)]
    combos = {(v["rulebook.monitor.detection_probability"], v["rulebook.allocate_energy.key"]) for v in values}
    assert len(values) == len(combos) == 9
    assert {c[0] for c in combos} == {0.1, 0.3, 0.5}


def test_integer_bounds_that_hold_no_whole_number_are_refused(tmp_path) -> None:
    text = TINY.replace(
        'path = "rulebook.monitor.detection_probability"\nbounds = [0.05, 0.6]',
        'path = "territory.neighbourhoods"\nbounds = [1.2, 1.8]\ninteger = true',
    )
    with pytest.raises(InputError, match="holds no whole number") as info:
        load_experiment(write_experiment(tmp_path, text))
    assert info.value.field == "parameters.0.bounds"


def test_design_size_is_computed_before_allocation_and_bounded(tmp_path) -> None:
    from commons_abm.sweeps.sampling import MAX_RUNS, check_design_size, design_size

    experiment = load_experiment(write_experiment(tmp_path))
    size = design_size(experiment)
    assert size.samples == 4 * (2 * 2 + 2) and size.runs == 2 * size.samples == len(plan(experiment))
    assert check_design_size(experiment, memory_bytes=2**40) == size
    with pytest.raises(InputError, match="half of this machine's memory"):
        check_design_size(experiment, memory_bytes=size.bytes)  # the design needs more than half of it
    with pytest.raises(InputError, match=f"at most {MAX_RUNS:,} runs") as info:
        design_matrix(experiment, base_samples=MAX_RUNS)
    assert info.value.source == "--base-samples"


def test_outputs_summarise_the_last_whole_year_by_default_and_say_so(tmp_path) -> None:
    """Without a window an output summarises the run's last whole year (no season weighs more
    than another), the whole run when it is shorter; the result column states its window."""
    body = TINY.replace("window = 5\n", "")
    for steps, expected in ((400, 365), (40, 40)):
        text = re.sub(r"^steps = .*$", f"steps = {steps}", body, flags=re.M)
        spec = load_experiment(write_experiment(tmp_path, text, f"exp{steps}.toml")).spec
        trust = spec.outputs[0]
        assert trust.window == expected and trust.label == f"mean_trust_institutional_last{expected}d"
        assert spec.outputs[1].label == "final_members_share"
    whole = re.sub(r"^window = 5$", "window = 0", TINY, flags=re.M)
    assert load_experiment(write_experiment(tmp_path, whole, "whole.toml")).spec.outputs[0].label == (
        "mean_trust_institutional_run"
    )


def test_every_factor_of_the_headline_acts_within_its_horizon() -> None:
    """The headline experiment runs a year: every factor it varies must be able to act in
    that time (a factor that waits for an election would not). Under common random numbers
    a factor that does nothing leaves every output unchanged to the last bit, so each factor
    moved from its lowest to its highest level, the others at their middle, must change at
    least one of the experiment's outputs (one seed, the experiment's own territory)."""
    from commons_abm.model import CommonsModel
    from commons_abm.sweeps.runs import summarise_output

    experiment = load_experiment(ROOT / "experiments" / "design_principles_sobol.toml")
    params = experiment.spec.parameters

    def extremes(param) -> tuple:
        if param.levels is not None:
            return param.levels[0], param.levels[-1]
        low, high = param.bounds
        return (int(low), int(high)) if param.integer else (low, high)

    middle = {}
    for param in params:
        low, high = extremes(param)
        middle[param.path] = low if param.levels is not None else (low + high) / 2
        if param.integer:
            middle[param.path] = int(middle[param.path])

    def outputs(values: dict) -> list[float]:
        scenario, institutions = experiment.build(values)
        frame = CommonsModel(scenario, seed=run_seed(experiment.spec.seed, 0), rulebook=institutions).run()
        return [summarise_output(frame, o) for o in experiment.spec.outputs]

    inert = []
    for param in params:
        low, high = extremes(param)
        if outputs({**middle, param.path: low}) == outputs({**middle, param.path: high}):
            inert.append(param.path)
    assert not inert, f"factors that change nothing within {experiment.spec.steps} days: {inert}"


def test_the_headline_analysis_on_record_is_the_design_and_not_noise() -> None:
    """The indices in docs/figures are those of the headline design as it is now (same
    outputs and number of runs, common random numbers, no failed run) and every output's
    noise share is below 0.5 (docs/experiments.md explains what makes them up)."""
    import json

    experiment = load_experiment(ROOT / "experiments" / "design_principles_sobol.toml")
    record = json.loads((ROOT / "docs" / "figures" / "design_principles_sobol_sensitivity.json").read_text())
    assert record["runs"] == len(plan(experiment)) and record["failed_runs"] == 0
    assert record["seeding"] == experiment.spec.seeding == "common"
    assert list(record["noise_share"]) == experiment.outputs
    assert all(0 <= share < 0.5 for share in record["noise_share"].values()), record["noise_share"]
