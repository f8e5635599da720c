"""Sensitivity analysis of a finished sweep, with SALib.

The runs of each sample are averaged over replicates, and each output is analysed by
the method that matches the design:

- ``sobol``: first-order, total and second-order Sobol indices with bootstrap confidence
  intervals (Saltelli 2002; Saltelli et al. 2010; ``SALib.analyze.sobol``);
- ``morris``: elementary effects mu, mu* and sigma with a bootstrap interval of mu*
  (Morris 1991; Campolongo, Cariboni & Saltelli 2007; ``SALib.analyze.morris``);
- ``latin``: the moment-independent delta and first-order indices (Borgonovo 2007;
  Plischke, Borgonovo & Smith 2013; ``SALib.analyze.delta``);
- ``factorial``: main effects, the share of the variance of sample means explained by
  each factor's level means (exact first-order indices of a balanced full factorial).

Grouped indices: a design sampled ``by_group`` gives Sobol indices or Morris effects of
whole groups (for example every parameter of one design principle). A Sobol design
sampled by parameter also gets ``group_sum`` rows: the sum of the group's first-order
indices (at most the group's first-order index) and of its total indices (at least the
group's total index).

Stochastic noise: ``noise_share`` is the share of the output's variance between runs due
to the model's randomness rather than to the parameters (:func:`noise_share`). A convergence check repeats the
analysis on the first half of the base samples (``*_half`` columns).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from commons_abm.core.errors import InputError
from commons_abm.outputs.files import atomic_output_dir, write_json
from commons_abm.sweeps.experiment import Experiment
from commons_abm.sweeps.sampling import design_matrix, problem, rows_per_base_sample

__all__ = ["analyse", "analyse_sweep", "noise_share", "sample_means"]

CONFIDENCE = 0.95
RESAMPLES = 500
INDEX_COLUMNS = [
    "output",
    "level",
    "factor",
    "S1",
    "S1_conf",
    "ST",
    "ST_conf",
    "S2",
    "S2_conf",
    "mu_star",
    "mu_star_conf",
    "mu",
    "sigma",
    "delta",
    "delta_conf",
    "S1_half",
    "ST_half",
    "mu_star_half",
    "noise_share",
    "samples",
    "runs",
    "failed_runs",
    "note",
]


def sample_means(runs: pd.DataFrame, outputs: list[str], samples: int) -> pd.DataFrame:
    """Each output averaged over the successful replicates of each sample (NaN if none)."""
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby("sample_id")[outputs].mean()
    return means.reindex(range(samples))


def noise_share(runs: pd.DataFrame, output: str, common: bool = False) -> float:
    """Share of an output's variance between runs that is due to stochastic noise.

    Independent seeds: a one-way random-effects decomposition over samples: the noise
    variance is the mean variance between replicates of a sample, the parametric variance
    is the variance of sample means less the noise that remains in them (noise /
    replicates, at least 0). Common random numbers (``common``: replicate r of every sample
    shares its territory and draws): a two-way decomposition over samples and replicates,
    whose replicate effect (the territory every sample shares) cancels from the comparison
    of samples; the noise is the residual variance (sample x replicate), on the samples that
    have every replicate. The share is noise / (noise + parametric), in [0, 1]; NaN with a
    single replicate.
    """
    if common:
        return _common_noise_share(runs, output)
    ok = runs[runs["status"] == "ok"].dropna(subset=[output])
    groups = ok.groupby("sample_id")[output]
    counts = groups.count()
    counts = counts[counts >= 2]
    if counts.empty:
        return float("nan")
    within = float(groups.var(ddof=1).loc[counts.index].mean())
    replicates = float(len(counts) / (1.0 / counts).sum())  # harmonic mean
    between = max(float(groups.mean().loc[counts.index].var(ddof=1)) - within / replicates, 0.0)
    total = within + between
    return float(within / total) if total > 0 else float("nan")


def _common_noise_share(runs: pd.DataFrame, output: str) -> float:
    ok = runs[runs["status"] == "ok"].dropna(subset=[output])
    table = ok.pivot_table(index="sample_id", columns="replicate", values=output, aggfunc="first").dropna()
    samples, replicates = table.shape
    if samples < 2 or replicates < 2:
        return float("nan")
    y = table.to_numpy(dtype=float)
    residual = y - y.mean(axis=1, keepdims=True) - y.mean(axis=0, keepdims=True) + y.mean()
    noise = float((residual**2).sum() / ((samples - 1) * (replicates - 1)))
    between = max(float(y.mean(axis=1).var(ddof=1)) - noise / replicates, 0.0)
    total = noise + between
    return float(noise / total) if total > 0 else float("nan")


def _factor_names(experiment: Experiment) -> list[str]:
    if experiment.spec.design.by_group:
        return list(dict.fromkeys(experiment.groups))
    return experiment.names


def _sobol(experiment: Experiment, spec: dict, y: np.ndarray, seed: int) -> list[dict[str, Any]]:
    from SALib.analyze import sobol

    second = experiment.spec.design.second_order
    si = sobol.analyze(spec, y, calc_second_order=second, num_resamples=RESAMPLES, conf_level=CONFIDENCE, seed=seed)
    names = _factor_names(experiment)
    level = "group" if experiment.spec.design.by_group else "parameter"
    rows = [
        {
            "level": level,
            "factor": name,
            "S1": si["S1"][i],
            "S1_conf": si["S1_conf"][i],
            "ST": si["ST"][i],
            "ST_conf": si["ST_conf"][i],
        }
        for i, name in enumerate(names)
    ]
    if second:
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rows.append(
                    {
                        "level": "pair",
                        "factor": f"{names[i]} x {names[j]}",
                        "S2": si["S2"][i, j],
                        "S2_conf": si["S2_conf"][i, j],
                    }
                )
    if not experiment.spec.design.by_group:
        frame = pd.DataFrame(rows[: len(names)])
        frame["group"] = experiment.groups
        for group, members in frame.groupby("group", sort=False):
            if len(members) > 1:
                rows.append(
                    {"level": "group_sum", "factor": group, "S1": members["S1"].sum(), "ST": members["ST"].sum()}
                )
    return rows


def _morris(experiment: Experiment, spec: dict, x: np.ndarray, y: np.ndarray, seed: int) -> list[dict]:
    from SALib.analyze import morris

    mi = morris.analyze(
        spec,
        x,
        y,
        num_resamples=RESAMPLES,
        conf_level=CONFIDENCE,
        num_levels=experiment.spec.design.morris_levels,
        seed=seed,
    )
    level = "group" if experiment.spec.design.by_group else "parameter"
    return [
        {
            "level": level,
            "factor": str(name),
            "mu_star": mi["mu_star"][i],
            "mu_star_conf": mi["mu_star_conf"][i],
            "mu": mi["mu"][i],
            "sigma": mi["sigma"][i],
        }
        for i, name in enumerate(mi["names"])
    ]


def _delta(experiment: Experiment, spec: dict, x: np.ndarray, y: np.ndarray, seed: int) -> list[dict]:
    from SALib.analyze import delta

    di = delta.analyze(spec, x, y, num_resamples=RESAMPLES, conf_level=CONFIDENCE, seed=seed)
    return [
        {
            "level": "parameter",
            "factor": name,
            "delta": di["delta"][i],
            "delta_conf": di["delta_conf"][i],
            "S1": di["S1"][i],
            "S1_conf": di["S1_conf"][i],
        }
        for i, name in enumerate(experiment.names)
    ]


def _main_effects(experiment: Experiment, x: np.ndarray, y: np.ndarray) -> list[dict]:
    total = y.var()
    rows = []
    for i, name in enumerate(experiment.names):
        level_means = pd.Series(y).groupby(x[:, i]).transform("mean").to_numpy()
        rows.append(
            {
                "level": "parameter",
                "factor": name,
                "S1": float(level_means.var() / total) if total > 0 else float("nan"),
            }
        )
    return rows


def analyse(experiment: Experiment, runs: pd.DataFrame, base_samples: int | None = None) -> pd.DataFrame:
    """Sensitivity indices of every output, one row per (output, factor); see the module doc."""
    design = experiment.spec.design
    x = design_matrix(experiment, base_samples)
    spec = problem(experiment)
    means = sample_means(runs, experiment.outputs, len(x))
    seed = experiment.spec.seed % 2**32
    common = experiment.spec.seeding != "independent"  # common random numbers across samples
    n = base_samples or design.base_samples
    half_rows = (n // 2) * rows_per_base_sample(experiment)
    frames = []
    for output in experiment.outputs:
        y = means[output].to_numpy(dtype=float)
        info = {
            "output": output,
            "noise_share": noise_share(runs, output, common),
            "samples": len(x),
            "runs": int(runs[output].notna().sum()),
            "failed_runs": int((runs["status"] != "ok").sum()),
        }
        names = _factor_names(experiment) if design.method in ("sobol", "morris") else experiment.names
        if not np.all(np.isfinite(y)):
            missing = int((~np.isfinite(y)).sum())
            frames.append(
                pd.DataFrame(
                    [
                        {
                            **info,
                            "level": "parameter",
                            "factor": name,
                            "note": f"{missing} samples without a finite value; not analysed",
                        }
                        for name in names
                    ]
                )
            )
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib's advice on sample sizes, constant outputs
            if design.method == "sobol":
                rows = _sobol(experiment, spec, y, seed)
                if n >= 2:
                    half = {r["factor"]: r for r in _sobol(experiment, spec, y[:half_rows], seed)}
                    for r in rows:
                        if r["factor"] in half and r["level"] != "pair":
                            r["S1_half"], r["ST_half"] = half[r["factor"]].get("S1"), half[r["factor"]].get("ST")
            elif design.method == "morris":
                rows = _morris(experiment, spec, x, y, seed)
                if n >= 4:
                    half = {r["factor"]: r for r in _morris(experiment, spec, x[:half_rows], y[:half_rows], seed)}
                    for r in rows:
                        r["mu_star_half"] = half[r["factor"]]["mu_star"]
            elif design.method == "latin":
                rows = _delta(experiment, spec, x, y, seed)
            else:
                rows = _main_effects(experiment, x, y)
        frames.append(pd.DataFrame([{**info, **r} for r in rows]))
    table = pd.concat(frames, ignore_index=True)
    for column in INDEX_COLUMNS:
        if column not in table:
            table[column] = np.nan if column != "note" else ""
    table["note"] = table["note"].fillna("")
    return table[INDEX_COLUMNS]


def analyse_sweep(experiment: Experiment, out: Path, base_samples: int | None = None) -> list[Path]:
    """Analyse the sweep stored in ``out``: ``indices.csv``, ``sensitivity.json`` and figures."""
    from commons_abm.sweeps.executors import store_fingerprint
    from commons_abm.sweeps.figures import plot_bars, plot_convergence, plot_heatmap, plot_scatter
    from commons_abm.sweeps.runs import plan, schema
    from commons_abm.sweeps.store import RunStore

    out = Path(out)
    if not (out / "manifest.json").exists() and not (out / "runs").exists():
        raise InputError("--out", None, f"{out} holds no sweep; allowed: a folder written by `commons-abm sweep`")
    method = experiment.spec.design.method
    store = RunStore.open(out, store_fingerprint(experiment), schema(experiment), "", {}, write=False)
    runs = store.read()
    wanted = {(t.sample_id, t.replicate) for t in plan(experiment, base_samples)}
    keys = set(zip(runs["sample_id"], runs["replicate"]))
    if not wanted <= keys:
        raise InputError(
            "--out",
            None,
            f"{len(wanted - keys)} runs of the design are not stored yet; "
            "allowed: a folder whose sweep has finished (run `commons-abm sweep` again)",
        )
    runs = runs[[k in wanted for k in zip(runs["sample_id"], runs["replicate"])]].reset_index(drop=True)
    table = analyse(experiment, runs, base_samples)
    samples = sample_means(runs, experiment.outputs, int(runs["sample_id"].max()) + 1)
    x = design_matrix(experiment, base_samples)
    values = runs.drop_duplicates("sample_id").set_index("sample_id")[experiment.names]
    summary = {
        "experiment": experiment.spec.name,
        "design": method,
        "by_group": experiment.spec.design.by_group,
        "base_samples": base_samples or experiment.spec.design.base_samples,
        "samples": len(x),
        "replicates": experiment.spec.replicates,
        "runs": len(runs),
        "failed_runs": int((runs["status"] != "ok").sum()),
        "confidence": CONFIDENCE,
        "bootstrap_resamples": RESAMPLES,
        "noise_share": {o: noise_share(runs, o, experiment.spec.seeding != "independent") for o in experiment.outputs},
        "seeding": experiment.spec.seeding,
        "convergence_max_abs_change": _convergence(table),
        "model_sources_sha256": sorted(
            {
                s.get("model_sources_sha256", "?")
                for s in store.manifest.get("sessions", [])
                if s.get("runs_stored_before", 0) < len(wanted)
            }
        ),
    }

    def write(folder: Path) -> None:
        table.to_csv(folder / "indices.csv", index=False, float_format="%.6g")
        write_json(summary, folder / "sensitivity.json")
        plot_heatmap(table, method, folder / "heatmap.png", title=f"{experiment.spec.name}")
        plot_bars(table, method, folder / "bars.png", title=f"{experiment.spec.name}")
        plot_scatter(table, method, values, samples, experiment, folder / "scatter.png")
        if method in ("sobol", "morris"):
            plot_convergence(table, method, folder / "convergence.png")

    return atomic_output_dir(out, write)


def _convergence(table: pd.DataFrame) -> dict[str, float]:
    """Per output, the largest change of ST (or mu*) between half and all base samples."""
    result = {}
    for output, rows in table.groupby("output", sort=False):
        if rows["ST_half"].notna().any():
            result[output] = float((rows["ST"] - rows["ST_half"]).abs().max())
        elif rows["mu_star_half"].notna().any():
            result[output] = float((rows["mu_star"] - rows["mu_star_half"]).abs().max())
    return result
