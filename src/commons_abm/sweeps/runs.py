"""What a sweep runs: the plan of runs of an experiment (each sample's parameter values
and a seed spawned per run), one run, and the row it stores.

A run's seed is spawned from the experiment's seed with ``numpy.random.SeedSequence``
(:func:`run_seed`), so a run's result depends on its sample and seed alone, not on the
executor (:mod:`commons_abm.sweeps.executors`) that runs it. Which child it is follows the
experiment's ``seeding`` (:func:`run_seeds`): under common random numbers (``common``, the
default) replicate ``r`` of every sample takes child ``r``, the same territory, weather and
behaviour draws for every sample; ``common_world`` shares only the world's streams
(:data:`~commons_abm.core.seeding.WORLD_STREAMS`) of child ``r``, each run drawing its
behaviour from the child of its own index; ``independent`` gives every run the child of its
index.
A run that fails gives a row with ``status = "failed"`` and its error in one line.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from commons_abm.sweeps.experiment import Experiment, OutputSpec, ParameterSpec
from commons_abm.sweeps.sampling import decode, design_matrix
from commons_abm.sweeps.store import run_schema

__all__ = ["RunTask", "plan", "run_batch", "run_seed", "run_seeds", "schema", "summarise_output"]

MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class RunTask:
    """One run to do: its sample, replicate, seed and parameter values."""

    sample_id: int
    replicate: int
    seed: int
    values: dict[str, Any]
    world_seed: int | None = None  # the world's streams' seed, when it is not ``seed`` (``common_world``)


def run_seed(experiment_seed: int, index: int) -> int:
    """The model seed of run ``index``: from the ``index``-th spawned child of the experiment seed."""
    child = np.random.SeedSequence(experiment_seed, spawn_key=(index,))
    return int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))


def plan(experiment: Experiment, base_samples: int | None = None) -> list[RunTask]:
    """Every run of the experiment, in order of sample and replicate."""
    matrix = design_matrix(experiment, base_samples)
    replicates = experiment.spec.replicates
    tasks = []
    for sample_id, row in enumerate(matrix):
        values = decode(experiment, row)
        for replicate in range(replicates):
            seed, world_seed = run_seeds(
                experiment.spec.seed, experiment.spec.seeding, sample_id, replicate, replicates
            )
            tasks.append(RunTask(sample_id, replicate, seed, values, world_seed))
    return tasks


def run_seeds(experiment_seed: int, seeding: str, sample_id: int, replicate: int, replicates: int) -> tuple:
    """``(seed, world_seed)`` of a run under the experiment's ``seeding`` (module docstring);
    ``world_seed`` is None when the world follows ``seed``."""
    index = sample_id * replicates + replicate
    if seeding == "common":
        return run_seed(experiment_seed, replicate), None
    if seeding == "common_world":
        return run_seed(experiment_seed, index), run_seed(experiment_seed, replicate)
    return run_seed(experiment_seed, index), None


def _arrow_type(param: ParameterSpec) -> pa.DataType:
    if not param.categorical:
        return pa.int64() if param.integer else pa.float64()
    levels = param.levels or []
    if all(isinstance(v, bool) for v in levels):
        return pa.bool_()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in levels):
        return pa.int64()
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in levels):
        return pa.float64()
    return pa.string()


def schema(experiment: Experiment) -> pa.Schema:
    """The runs table's columns for this experiment."""
    return run_schema([(p.path, _arrow_type(p)) for p in experiment.spec.parameters], experiment.outputs)


# ------------------------------------------------------------------------------ one run
_NAN_STATISTICS = {
    "mean": np.nanmean,
    "median": np.nanmedian,
    "min": np.nanmin,
    "max": np.nanmax,
    "sum": np.nansum,
    "std": lambda values: np.nanstd(values, ddof=1),
}


def summarise_output(frame, output: OutputSpec) -> float:
    """An output's statistic over the last ``window`` steps of a run's timeseries (missing
    values left out, as pandas does; NaN when none is left)."""
    values = frame[output.column].to_numpy(dtype=float)
    if output.window:
        values = values[-output.window :]
    if output.statistic == "final":
        return float(values[-1])
    with warnings.catch_warnings():  # an all-NaN window gives NaN, which is what we want
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(_NAN_STATISTICS[output.statistic](values))


def _one_line(exc: BaseException) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


def _row(experiment: Experiment, task: RunTask) -> dict[str, Any]:
    from commons_abm.model import CommonsModel

    row: dict[str, Any] = {"sample_id": task.sample_id, "replicate": task.replicate, "seed": task.seed}
    for param in experiment.spec.parameters:
        value = task.values[param.path]
        row[param.path] = str(value) if _arrow_type(param) == pa.string() else value
    try:
        scenario, institutions = experiment.build(task.values)
        world = {} if task.world_seed is None else {"run.world_seed": task.world_seed}
        model = CommonsModel(scenario, seed=task.seed, create_agents=False, rulebook=institutions, overrides=world)
        frame = model.run(experiment.spec.steps)
        outputs = {o.label: summarise_output(frame, o) for o in experiment.spec.outputs}
        row.update(status="ok", error="", **outputs)
    except Exception as exc:  # noqa: BLE001 - a failing run is recorded, the sweep goes on
        row.update(status="failed", error=_one_line(exc), **{name: math.nan for name in experiment.outputs})
    return row


def run_batch(experiment: Experiment, tasks: Sequence[RunTask]) -> list[dict[str, Any]]:
    """Do a batch of runs; one row of results per run (failures included)."""
    return [_row(experiment, task) for task in tasks]


# ---------------------------------------------------------------------------- executors
