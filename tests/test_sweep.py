"""Sweeps: identical results on any engine, resume after SIGKILL, failures recorded, refusal of
another experiment's folder, and the sensitivity analysis of the shipped smoke experiment."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commons_abm.core.errors import InputError
from commons_abm.sweeps.executors import Executor, sweep
from commons_abm.sweeps.experiment import load_experiment
from commons_abm.sweeps.runs import plan, schema
from commons_abm.sweeps.store import RunStore

from .conftest import ROOT
from .test_cli import _one_line_refusal
from .test_experiment import TINY, write_experiment


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "commons_abm", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout
    )


def _runs(out: Path) -> pd.DataFrame:
    frame = pd.read_parquet(out / "runs")
    return frame.sort_values(["sample_id", "replicate"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return write_experiment(tmp_path_factory.mktemp("experiment"))


@pytest.fixture(scope="module")
def reference(tiny, tmp_path_factory) -> pd.DataFrame:
    """The tiny experiment swept in this process, uninterrupted."""
    out = tmp_path_factory.mktemp("reference") / "out"
    report = sweep(load_experiment(tiny), out, Executor(workers=1), progress=False)
    assert report.runs_computed == report.runs_total == 4 * 6 * 2 and report.runs_failed == 0
    return _runs(out)


def test_one_row_per_run_with_keys_parameters_and_outputs(reference) -> None:
    assert list(reference.columns) == [
        "sample_id",
        "replicate",
        "seed",
        "status",
        "error",
        "rulebook.monitor.detection_probability",
        "rulebook.allocate_energy.key",
        "mean_trust_institutional_last5d",
        "final_members_share",
    ]
    assert len(reference) == 48 and not reference.duplicated(["sample_id", "replicate"]).any()
    assert (reference["status"] == "ok").all() and (reference["error"] == "").all()
    # common random numbers (the default): replicate r of every sample runs with the same seed
    assert reference["seed"].nunique() == 2
    assert (reference.groupby("replicate")["seed"].nunique() == 1).all()
    # replicates of a sample share its parameters, not their seeds or (generally) outputs
    pair = reference[reference["sample_id"] == 3]
    assert pair["rulebook.monitor.detection_probability"].nunique() == 1
    assert reference.groupby("sample_id")["mean_trust_institutional_last5d"].nunique().max() == 2
    assert reference["mean_trust_institutional_last5d"].between(0, 1).all()


def test_local_processes_give_identical_results(tiny, reference, tmp_path) -> None:
    sweep(load_experiment(tiny), tmp_path / "out", Executor(workers=2), batch=5, progress=False)
    pd.testing.assert_frame_equal(_runs(tmp_path / "out"), reference, check_exact=True)


def test_dask_local_cluster_gives_identical_results(tiny, reference, tmp_path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        report = sweep(
            load_experiment(tiny),
            tmp_path / "out",
            Executor(dask_scheduler=cluster.scheduler_address),
            batch=4,
            progress=False,
        )
    assert report.runs_computed == 48
    pd.testing.assert_frame_equal(_runs(tmp_path / "out"), reference, check_exact=True)


def test_rerun_resumes_and_grows_without_duplicates(tiny, reference, tmp_path) -> None:
    experiment = load_experiment(tiny)
    out = tmp_path / "out"
    first = sweep(experiment, out, Executor(workers=1), base_samples=2, progress=False)
    assert first.runs_computed == 2 * 6 * 2
    again = sweep(experiment, out, Executor(workers=1), base_samples=2, progress=False)
    assert again.runs_computed == 0 and again.runs_before == 24
    grown = sweep(experiment, out, Executor(workers=1), progress=False)
    assert grown.runs_before == 24 and grown.runs_computed == 24
    pd.testing.assert_frame_equal(_runs(out), reference, check_exact=True)


def _sweep_command(experiment: Path, out: Path, *extra: str) -> list[str]:
    """The command line of a one-worker sweep of ``experiment`` into ``out``, without progress bar."""
    return [sys.executable, "-m", "commons_abm", "sweep", str(experiment), "--out", str(out), "--workers", "1",
            "--no-progress", *extra]  # fmt: skip


def test_sigkill_mid_sweep_then_rerun_finds_every_run_once(tiny, reference, tmp_path) -> None:
    out = tmp_path / "out"
    command = _sweep_command(tiny, out, "--batch-size", "1")
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    chunks = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            chunks = len(json.loads((out / "manifest.json").read_text())["chunks"])
        except (FileNotFoundError, json.JSONDecodeError):
            chunks = 0
        if chunks >= 5:
            break
        time.sleep(0.01)
    assert process.poll() is None, "the sweep finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    stored = len(pd.read_parquet(out / "runs"))
    assert 5 <= stored < 48
    result = _cli("sweep", str(tiny), "--out", str(out), "--workers", "2", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert f"{stored} already stored" in result.stdout or f"{stored + 1} already stored" in result.stdout
    pd.testing.assert_frame_equal(_runs(out), reference, check_exact=True)
    assert not list((out / "runs").glob(".*"))


def test_chunk_renamed_but_not_in_manifest_is_adopted(tiny, reference, tmp_path) -> None:
    """A kill between a chunk's rename and the manifest's: the chunk is whole and is kept."""
    experiment = load_experiment(tiny)
    out = tmp_path / "out"
    sweep(experiment, out, Executor(workers=1), base_samples=2, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    lost = manifest["chunks"].pop()
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "runs" / ".part-half-written.parquet.tmp").write_bytes(b"PAR1 truncated")
    with RunStore.open(out, experiment.fingerprint(False), schema(experiment), "", {}) as store:
        assert lost["file"] in {c["file"] for c in store.manifest["chunks"]}
    assert not (out / "runs" / ".part-half-written.parquet.tmp").exists()
    report = sweep(experiment, out, Executor(workers=1), progress=False)
    assert report.runs_before == 24
    pd.testing.assert_frame_equal(_runs(out), reference, check_exact=True)


def test_another_experiment_is_refused_on_the_same_folder(tiny, tmp_path) -> None:
    out = tmp_path / "out"
    sweep(load_experiment(tiny), out, Executor(workers=1), base_samples=1, progress=False)
    before = sorted(p.name for p in (out / "runs").iterdir())
    manifest = (out / "manifest.json").read_bytes()
    other = write_experiment(tmp_path, TINY.replace("seed = 7", "seed = 8"), "other.toml")
    result = _cli("sweep", str(other), "--out", str(out), "--no-progress")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "different experiment" in result.stderr
    assert "'tiny'" in result.stderr
    assert sorted(p.name for p in (out / "runs").iterdir()) == before
    assert (out / "manifest.json").read_bytes() == manifest


def test_failing_runs_are_recorded_and_the_rest_completed(tmp_path) -> None:
    # detection probabilities above 1 are refused by the rulebook model: those runs fail
    text = TINY.replace("bounds = [0.05, 0.6]", "bounds = [0.5, 1.5]")
    path = write_experiment(tmp_path, text)
    out = tmp_path / "out"
    result = _cli("sweep", str(path), "--out", str(out), "--workers", "2", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr and "1.5" in result.stderr
    runs = _runs(out)
    too_high = runs["rulebook.monitor.detection_probability"] > 1.0
    assert 0 < too_high.sum() < len(runs) and len(runs) == 48
    assert (runs.loc[too_high, "status"] == "failed").all()
    assert runs.loc[too_high, "error"].str.contains("detection_probability").all()
    assert runs.loc[too_high, "mean_trust_institutional_last5d"].isna().all()
    assert (runs.loc[~too_high, "status"] == "ok").all() and (runs.loc[~too_high, "error"] == "").all()
    assert runs.loc[~too_high, "mean_trust_institutional_last5d"].notna().all()
    assert f"{int(too_high.sum())} failed" in result.stdout


def test_sensitivity_of_the_smoke_experiment(tmp_path) -> None:
    experiment = ROOT / "experiments" / "smoke_sobol.toml"
    out = tmp_path / "out"
    result = _cli("sensitivity", str(experiment), "--out", str(out), "--no-progress")
    assert result.returncode == 0, result.stderr
    indices = pd.read_csv(out / "indices.csv")
    spec = load_experiment(experiment)
    factors = indices[indices["level"] == "parameter"]
    assert set(factors["output"]) == set(spec.outputs)
    assert len(factors) == len(spec.outputs) * len(spec.names)
    assert factors[["S1", "ST", "S1_conf", "ST_conf", "S1_half", "ST_half"]].notna().all().all()
    # bootstrap intervals; under common random numbers a factor that moves an output not at all
    # has exactly no variance to explain there (an interval of 0)
    assert (factors["ST_conf"] >= 0).all() and (factors["ST_conf"] > 0).any()
    pairs = indices[indices["level"] == "pair"]
    assert len(pairs) == len(spec.outputs) * 3 and pairs["S2"].notna().all()
    assert indices["noise_share"].between(0, 1).all()
    for png in ("heatmap.png", "bars.png", "scatter.png", "convergence.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((out / "sensitivity.json").read_text())
    assert summary["runs"] == 128 and summary["failed_runs"] == 0


def test_analysis_recovers_a_known_function(tmp_path) -> None:
    """Sobol indices of Y = 4 x1 + x2 (+ noise between replicates) on the tiny design."""
    from commons_abm.sweeps.sensitivity import analyse, noise_share

    experiment = load_experiment(write_experiment(tmp_path, TINY.replace("base_samples = 4", "base_samples = 512")))
    tasks = plan(experiment)
    rng = np.random.default_rng(0)
    x1 = np.array([t.values["rulebook.monitor.detection_probability"] for t in tasks])
    x2 = np.array(
        [
            ["equal", "needs_first", "pro_rata_contribution"].index(t.values["rulebook.allocate_energy.key"])
            for t in tasks
        ],
        dtype=float,
    )
    signal_ = 4 * (x1 - 0.05) / 0.55 + x2 / 2
    runs = pd.DataFrame(
        {
            "sample_id": [t.sample_id for t in tasks],
            "replicate": [t.replicate for t in tasks],
            "status": "ok",
            "mean_trust_institutional_last5d": signal_ + rng.normal(0, 0.5, len(tasks)),
            "final_members_share": signal_,
        }
    )
    table = analyse(experiment, runs)
    trust = table[(table["output"] == "mean_trust_institutional_last5d") & (table["level"] == "parameter")]
    exact = table[(table["output"] == "final_members_share") & (table["level"] == "parameter")]
    # variances: x1 term 16/12 = 1.333, x2 term (levels 0, .5, 1) 1/6 = 0.167; S1 = 0.889, 0.111
    np.testing.assert_allclose(exact["S1"], [0.889, 0.111], atol=0.05)
    np.testing.assert_allclose(exact["ST"], [0.889, 0.111], atol=0.05)
    assert trust["ST"].to_numpy()[0] > trust["ST"].to_numpy()[1]
    # noise 0.25 against parametric variance 1.5: share 0.143
    assert noise_share(runs, "mean_trust_institutional_last5d") == pytest.approx(0.25 / 1.75, abs=0.03)
    assert noise_share(runs, "final_members_share") == 0.0
    # common random numbers: a territory effect shared by every sample's replicate r (variance
    # 4) is not noise in the comparison of samples; the residual (0.25) is
    territory = rng.normal(0, 2.0, 2)[runs["replicate"].to_numpy()]
    shared = runs.assign(
        mean_trust_institutional_last5d=runs["final_members_share"] + territory + rng.normal(0, 0.5, len(runs))
    )
    assert noise_share(shared, "mean_trust_institutional_last5d", common=True) == pytest.approx(0.25 / 1.75, abs=0.03)
    assert noise_share(shared, "mean_trust_institutional_last5d") > 0.5  # one-way: the territory counted as noise


def test_analysis_needs_a_finished_sweep(tiny, tmp_path) -> None:
    from commons_abm.sweeps.sensitivity import analyse_sweep

    experiment = load_experiment(tiny)
    out = tmp_path / "out"
    sweep(experiment, out, Executor(workers=1), base_samples=1, progress=False)
    with pytest.raises(InputError, match="not stored yet"):
        analyse_sweep(experiment, out)


def test_cli_dask_local_gives_identical_results(tiny, reference, tmp_path) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    result = _cli("sweep", str(tiny), "--out", str(out), "--dask-local", "2", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "Dask LocalCluster, 2 worker processes" in result.stdout
    pd.testing.assert_frame_equal(_runs(out), reference, check_exact=True)


def test_engine_options_are_exclusive(tiny, tmp_path) -> None:
    result = _cli("sweep", str(tiny), "--out", str(tmp_path / "out"), "--workers", "2", "--dask-local", "2")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "not allowed with" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_folder_grown_across_model_versions_says_so(tiny, tmp_path) -> None:
    experiment = load_experiment(tiny)
    out = tmp_path / "out"
    first = sweep(experiment, out, Executor(workers=1), base_samples=1, progress=False)
    assert not first.mixed_models
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["sessions"][0]["model_sources_sha256"] = "an older model"
    (out / "manifest.json").write_text(json.dumps(manifest))
    grown = sweep(experiment, out, Executor(workers=1), base_samples=2, progress=False)
    assert grown.mixed_models and grown.model_versions == 2


# ---------------------------------------------------------------- a store as a database keeps it
def _damaged_copy(reference_out: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(reference_out, out)
    return out


@pytest.fixture(scope="module")
def swept(tiny, tmp_path_factory) -> Path:
    """A finished sweep of the tiny experiment, to copy and damage."""
    out = tmp_path_factory.mktemp("swept") / "out"
    sweep(load_experiment(tiny), out, Executor(workers=1), batch=8, progress=False)
    return out


def test_two_sweeps_on_one_folder_store_every_run_once(tiny, reference, tmp_path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    commands = [_sweep_command(tiny, out), _sweep_command(tiny, out, "--batch-size", "7")]
    processes = [
        subprocess.Popen(c, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    results = [p.communicate(timeout=600) + (p.returncode,) for p in processes]
    for _, stderr, code in results:
        assert code in (0, 2), stderr
        if code == 2:
            assert "is being written by" in stderr and len(stderr.strip().splitlines()) == 1
    runs = _runs(out)
    assert not runs.duplicated(["sample_id", "replicate"]).any()
    pd.testing.assert_frame_equal(runs, reference, check_exact=True)


def test_a_held_folder_is_refused_with_one_line(tiny, swept, tmp_path) -> None:
    out = _damaged_copy(swept, tmp_path)
    experiment = load_experiment(tiny)
    with RunStore.open(out, experiment.fingerprint(False), schema(experiment), "", {}):
        _one_line_refusal(_cli("sweep", str(tiny), "--out", str(out), "--workers", "1"), "is being written by", "--out")
    assert _cli("sweep", str(tiny), "--out", str(out), "--workers", "1", "--no-progress").returncode == 0


@pytest.mark.parametrize("damage", ["empty", "half", "flipped", "deleted"])
def test_a_damaged_chunk_is_found_repaired_and_recomputed(tiny, reference, swept, tmp_path, damage) -> None:
    out = _damaged_copy(swept, tmp_path)
    chunk = sorted((out / "runs").glob("part-*.parquet"))[1]
    data = chunk.read_bytes()
    if damage == "empty":
        chunk.write_bytes(b"")
    elif damage == "half":
        chunk.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":
        middle = len(data) // 2
        chunk.write_bytes(data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 16]) + data[middle + 16 :])
    else:
        chunk.unlink()
    _one_line_refusal(_cli("sweep", str(tiny), "--out", str(out), "--workers", "1"), chunk.name, "store repair")
    _one_line_refusal(_cli("sensitivity", str(tiny), "--out", str(out), "--workers", "1"), chunk.name, "store repair")
    assert _cli("store", "check", str(out)).returncode == 1
    repaired = _cli("store", "repair", str(out), str(tiny))
    assert repaired.returncode == 0, repaired.stderr
    assert "runs of the design to compute" in repaired.stdout
    if damage != "deleted":
        assert len(list((out / "quarantine").rglob(chunk.name))) == 1  # kept aside, not deleted
    assert _cli("store", "check", str(out)).returncode == 0
    again = _cli("sweep", str(tiny), "--out", str(out), "--workers", "1", "--no-progress")
    assert again.returncode == 0, again.stderr
    pd.testing.assert_frame_equal(_runs(out), reference, check_exact=True)


def test_a_copied_chunk_is_not_adopted(tiny, reference, swept, tmp_path) -> None:
    out = _damaged_copy(swept, tmp_path)
    chunk = sorted((out / "runs").glob("part-*.parquet"))[0]
    shutil.copy(chunk, chunk.with_name("part-999999999-9999-999999999-9999.parquet"))
    _one_line_refusal(_cli("sweep", str(tiny), "--out", str(out), "--workers", "1"), "already stored", "store repair")
    assert _cli("store", "repair", str(out)).returncode == 0
    assert _cli("sweep", str(tiny), "--out", str(out), "--workers", "1", "--no-progress").returncode == 0
    pd.testing.assert_frame_equal(_runs(out), reference, check_exact=True)


@pytest.mark.parametrize("manifest", ["[]", '{"format": 2}', "deleted", "garbage{"])
def test_a_lost_manifest_is_rebuilt_from_the_chunks(tiny, reference, swept, tmp_path, manifest) -> None:
    out = _damaged_copy(swept, tmp_path)
    if manifest == "deleted":
        (out / "manifest.json").unlink()
    else:
        (out / "manifest.json").write_text(manifest)
    _one_line_refusal(_cli("sweep", str(tiny), "--out", str(out), "--workers", "1"), "store repair")
    _one_line_refusal(_cli("store", "repair", str(out)), "EXPERIMENT")  # which experiment the runs are of: say it
    fixed = _cli("store", "repair", str(out), str(tiny))
    assert fixed.returncode == 0, fixed.stderr
    assert "0 runs of the design to compute" in fixed.stdout
    done = _cli("sweep", str(tiny), "--out", str(out), "--workers", "1", "--no-progress")
    assert done.returncode == 0 and "48 already stored" in done.stdout, done.stdout + done.stderr
    pd.testing.assert_frame_equal(_runs(out), reference, check_exact=True)


# ------------------------------------------------------------------ common random numbers
def _territory(experiment, task):
    """The territory a run draws: its agents' kinds, PV, demand levels and network."""
    from commons_abm.model import CommonsModel

    scenario, institutions = experiment.build(task.values)
    world = {} if task.world_seed is None else {"run.world_seed": task.world_seed}
    model = CommonsModel(scenario, seed=task.seed, create_agents=False, rulebook=institutions, overrides=world)
    s = model.state
    return model, (s.kind, s.pv_kwp, s.annual_demand_kwh, s.ties.indptr, s.ties.indices)


@pytest.mark.parametrize("seeding", ["common", "common_world", "independent"])
def test_a_replicate_draws_the_same_territory_for_every_sample(tmp_path, seeding) -> None:
    """Under common random numbers (the default) replicate r of every sample runs in the same
    territory, network, weather and demand, and with ``common`` the same behaviour draws too;
    ``independent`` gives every run its own territory. Rerunning sample 0's replicate 1
    under sample 5's parameters reproduces sample 5's territory."""
    text = (ROOT / "experiments" / "smoke_sobol.toml").read_text()
    path = tmp_path / "smoke.toml"
    path.write_text(re.sub(r"^seeding = .*$", f'seeding = "{seeding}"', text, flags=re.M))
    shutil.copytree(ROOT / "experiments" / "rulebooks", tmp_path / "rulebooks")
    experiment = load_experiment(path)
    tasks = {(t.sample_id, t.replicate): t for t in plan(experiment)}
    a, b = tasks[(0, 1)], tasks[(5, 1)]
    assert a.values != b.values
    moved = type(a)(a.sample_id, a.replicate, a.seed, b.values, a.world_seed)  # sample 0's seeds, 5's parameters
    model_a, world_a = _territory(experiment, moved)
    model_b, world_b = _territory(experiment, b)
    same = all(np.array_equal(x, y) for x, y in zip(world_a, world_b))
    assert same is (seeding != "independent")
    weather = [m.rngs["weather"].random(3) for m in (model_a, model_b)]
    behaviour = [m.rngs["behaviour"].random(3) for m in (model_a, model_b)]
    assert np.array_equal(*weather) is (seeding != "independent")
    assert np.array_equal(*behaviour) is (seeding == "common")
    other = tasks[(0, 0)]
    assert not np.array_equal(_territory(experiment, other)[1][1], world_a[1])  # replicates differ
