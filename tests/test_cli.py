"""The command line: a run writes its files; bad input is one line, exit 2, nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from commons_abm.core.indicators import REQUIRED_COLUMNS

from .conftest import DEFAULT_SCENARIO, ROOT


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "commons_abm", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=300,
    )


def test_run_writes_every_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _cli("run", str(DEFAULT_SCENARIO), "--steps", "20", "--seed", "3", "--out", str(out), "--no-progress")
    assert result.returncode == 0, result.stderr
    names = {p.name for p in out.iterdir()}
    assert {"timeseries.csv", "timeseries.parquet", "summary.json", "indicators.png", "energy_day.png"} <= names
    csv = pd.read_csv(out / "timeseries.csv")
    parquet = pd.read_parquet(out / "timeseries.parquet")
    assert len(csv) == len(parquet) == 20
    assert set(REQUIRED_COLUMNS) <= set(csv.columns)
    pd.testing.assert_frame_equal(
        csv[list(REQUIRED_COLUMNS)], parquet[list(REQUIRED_COLUMNS)], check_exact=False, rtol=1e-9, check_dtype=False
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["steps"] == 20
    for png in ("indicators.png", "energy_day.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*partial*")), "staging folder left behind"


def test_run_without_scenario_uses_default(tmp_path: Path) -> None:
    result = _cli("run", "--steps", "2", "--out", str(tmp_path / "o"), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["scenario"] == "default"


def test_same_seed_same_output(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert (
            _cli("run", "--steps", "5", "--seed", "11", "--out", str(tmp_path / name), "--no-progress").returncode == 0
        )
    assert (tmp_path / "a" / "timeseries.csv").read_bytes() == (tmp_path / "b" / "timeseries.csv").read_bytes()


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BAD_SCENARIOS = {
    # case: (file content, words the message must contain)
    "malformed_toml": ("[territory\nhouseholds = 3\n", ["malformed TOML"]),
    "unknown_key": ("[territory]\nhousholds = 30\n", ["territory.housholds", "unknown key", "households"]),
    "unknown_section": ("[teritory]\nhouseholds = 30\n", ["teritory", "unknown key", "territory"]),
    "wrong_type": ('[territory]\nhouseholds = "many"\n', ["territory.households", "integer"]),
    "out_of_range": (
        "[energy.battery]\nround_trip_efficiency = 1.5\n",
        ["energy.battery.round_trip_efficiency", "less than or equal to 1"],
    ),
    "bad_choice": ('[rules]\nallocation_key = "lottery"\n', ["rules.allocation_key", "pro_rata_consumption"]),
    "shares_too_large": (
        "[materials.households]\nreusable_share = 0.6\nrecyclable_share = 0.6\n",
        ["materials.households", "<= 1"],
    ),
    "graph_unparsable": (
        '[territory]\nhouseholds = 3\nfirms = 0\nofficials = 0\n[network]\ngenerator = "file"\nfile = "bad.graphml"\n',
        ["network.file", "cannot parse", "bad.graphml"],
    ),
    "graph_wrong_size": (
        '[territory]\nhouseholds = 5\nfirms = 0\nofficials = 0\n[network]\ngenerator = "file"\nfile = "ok.edges"\n',
        ["network.file", "exactly 5"],
    ),
    "graph_missing": ('[network]\ngenerator = "file"\nfile = "nowhere.graphml"\n', ["network.file", "not found"]),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_scenario_is_one_line_exit_2_nothing_written(case: str, tmp_path: Path) -> None:
    content, words = BAD_SCENARIOS[case]
    _write(tmp_path / "bad.graphml", "<graphml><this is not xml")
    _write(tmp_path / "ok.edges", "0 1\n1 2\n")
    scenario = _write(tmp_path / "scenario.toml", content)
    out = tmp_path / "out"
    result = _cli("run", str(scenario), "--steps", "2", "--out", str(out))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert str(scenario) in lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert not out.exists()
    assert not list(tmp_path.glob(".*partial*"))


def test_missing_scenario_file(tmp_path: Path) -> None:
    result = _cli("run", str(tmp_path / "absent.toml"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "absent.toml" in result.stderr and "not found" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--steps", "0"], ["--steps", "integer >= 1"]),
        (["--steps", "ten"], ["--steps", "not a whole number"]),
        (["--seed", "-4"], ["--seed", "integer >= 0"]),
        (["--steps", "+5"], ["--steps", "not a whole number"]),
        (["--steps", "1e3"], ["--steps", "not a whole number"]),
        (["--steps", "5_0"], ["--steps", "not a whole number"]),
        (["--seed", "99999999999999999999999"], ["--seed", "not a whole number"]),
        (["--colour", "red"], ["unrecognized arguments", "--colour"]),
    ],
)
def test_bad_arguments(args: list[str], words: list[str], tmp_path: Path) -> None:
    result = _cli("run", *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]
    assert not (tmp_path / "out").exists()


def test_out_is_a_file(tmp_path: Path) -> None:
    target = _write(tmp_path / "taken", "keep me")
    result = _cli("run", "--steps", "2", "--out", str(target))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert target.read_text() == "keep me"


def test_existing_output_folder_untouched_on_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _write(out / "timeseries.csv", "old")
    scenario = _write(tmp_path / "s.toml", "[run]\nsteps = -1\n")
    result = _cli("run", str(scenario), "--out", str(out))
    assert result.returncode == 2 and "run.steps" in result.stderr
    assert [p.name for p in out.iterdir()] == ["timeseries.csv"]
    assert (out / "timeseries.csv").read_text() == "old"


def test_run_with_the_reference_engine(tmp_path: Path) -> None:
    out = tmp_path / "agents"
    result = _cli(
        "run", str(DEFAULT_SCENARIO), "--steps", "3", "--engine", "agents", "--out", str(out), "--no-progress"
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["engine"] == "agents"
    frame = pd.read_csv(out / "timeseries.csv")
    assert len(frame) == 3 and set(REQUIRED_COLUMNS) <= set(frame.columns)
    assert frame["energy_balance_residual_kwh"].abs().max() < 1e-6


# ---------------------------------------------------------------- output folders and names
def _one_line_refusal(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("command", ["run", "sweep", "game"])
@pytest.mark.parametrize("case", ["sys", "through_file", "long", "empty", "package"])
def test_unwritable_output_folder_is_refused_before_any_work(command: str, case: str, tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("x")
    out = {
        "sys": "/sys/commons-abm-test",
        "through_file": str(tmp_path / "a_file" / "sub"),
        "long": str(tmp_path / ("x" * 5000)),
        "empty": "",
        "package": str(ROOT / "src" / "commons_abm" / "results"),
    }[case]
    args = {
        "run": ["run", "--steps", "400", "--out", out, "--no-progress"],
        "sweep": ["sweep", str(ROOT / "experiments" / "smoke_sobol.toml"), "--out", out, "--workers", "1"],
        "game": ["game", "public-goods", "--out", out],
    }[command]
    result = _cli(*args, cwd=tmp_path)
    _one_line_refusal(result, "--out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]  # nothing written anywhere
    assert not (ROOT / "src" / "commons_abm" / "results").exists()


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/absolute-commons-abm", "$\\frac$", "x" * 100_000])
def test_a_scenario_name_is_a_label_never_a_path(name: str, tmp_path: Path) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    scenario = work / "named.toml"
    scenario.write_text(
        f"name = {json.dumps(name)}\n[territory]\nhouseholds = 20\nfirms = 2\nofficials = 1\n", encoding="utf-8"
    )
    result = _cli("run", str(scenario), "--steps", "5", "--no-progress", cwd=work)
    assert result.returncode == 0, result.stderr[-2000:]
    (folder,) = (work / "results").iterdir()  # one folder, inside results/
    assert "/" not in folder.name and not folder.name.startswith(".") and len(folder.name) <= 80
    assert {"indicators.png", "summary.json"} <= {p.name for p in folder.iterdir()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"] and sorted(
        p.name for p in (tmp_path / "a").iterdir()
    ) == ["b"]
    assert not Path("/tmp/absolute-commons-abm").exists()


def test_staging_folders_of_a_killed_run_are_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = tmp_path / ".out.partial-999999999-abcd"  # a process id that cannot be alive
    dead.mkdir()
    (dead / "timeseries.csv").write_text("half")
    result = _cli("run", "--steps", "5", "--out", str(out), "--no-progress", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not dead.exists()
    assert not list(tmp_path.glob(".out.partial-*"))


def test_workers_beyond_the_machine_are_refused(tmp_path: Path) -> None:
    result = _cli(
        "sweep", str(ROOT / "experiments" / "smoke_sobol.toml"), "--out", str(tmp_path / "o"), "--workers", "1000"
    )
    _one_line_refusal(result, "--workers", "too large")
    assert not (tmp_path / "o").exists()


def test_a_scheduler_address_that_is_none_is_refused_before_the_store(tmp_path: Path) -> None:
    result = _cli(
        "sweep",
        str(ROOT / "experiments" / "smoke_sobol.toml"),
        "--out",
        str(tmp_path / "o"),
        "--dask-scheduler",
        "not a url",
    )
    _one_line_refusal(result, "--dask-scheduler", "tcp://")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["sweep", "sensitivity"])
def test_a_design_too_big_for_the_machine_is_refused_with_its_numbers(command: str, tmp_path: Path) -> None:
    experiment = str(ROOT / "experiments" / "smoke_sobol.toml")
    result = _cli(command, experiment, "--out", str(tmp_path / "o"), "--base-samples", "1000000000", "--workers", "1")
    words = ["--base-samples", "1,000,000,000 base samples", "runs", "GiB", "allowed: at most 10,000,000"]
    _one_line_refusal(result, *words)
    assert not (tmp_path / "o").exists()
