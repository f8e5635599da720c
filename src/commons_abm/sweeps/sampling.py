"""Sampling an experiment's parameter space: full factorial, Latin hypercube, Sobol, Morris.

The design is a matrix ``X`` in SALib's problem space (one row per sample, one column
per parameter) and :func:`decode` turns a row into the values a run uses. A categorical
parameter of ``k`` levels spans ``[0, k)`` in that space and takes the level whose index
is the integer part; an ``integer`` parameter spans ``[low - 0.5, high + 0.5)`` and is
rounded, so every whole number between the bounds is equally likely.

Sobol (Saltelli's scheme with a scrambled Sobol' sequence) and Morris samples come from
SALib (Herman & Usher 2017; Iwanaga, Usher & Herman 2022) and are prefixes of each other:
the samples for ``N`` base samples are the first rows of those for ``2N``, so a sweep
can be extended on the same output folder.
"""

from __future__ import annotations

import itertools
import math
import os
import warnings
from typing import Any, NamedTuple

import numpy as np

from commons_abm.core.errors import InputError
from commons_abm.sweeps.experiment import Experiment, ParameterSpec

__all__ = [
    "MAX_RUNS",
    "DesignSize",
    "check_design_size",
    "decode",
    "design_matrix",
    "design_size",
    "problem",
    "rows_per_base_sample",
]

MAX_RUNS = 10_000_000  # runs in one design: at 60 ms a run, about 170 CPU-hours, a cluster's day
# Memory to plan and analyse one run: its task, its seed, its share of the decoded values and
# of the results table. An upper estimate from tracemalloc on the shipped experiments
# (900-5,200 bytes a run for 3-17 parameters).
BYTES_PER_RUN = 1_000
BYTES_PER_RUN_AND_PARAMETER = 400


class DesignSize(NamedTuple):
    """How big a design is before any of it is allocated."""

    samples: int
    runs: int
    bytes: int  # memory to plan and analyse it (an upper estimate) [bytes]


def _machine_memory() -> int:
    """Physical memory of this machine [bytes] (0 when unknown)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return 0


def design_size(experiment: Experiment, base_samples: int | None = None) -> DesignSize:
    """Samples, runs and memory of ``experiment``'s design, computed without building it."""
    design = experiment.spec.design
    if design.method == "factorial":
        samples = math.prod(len(p.levels) if p.categorical else p.points for p in experiment.spec.parameters)  # type: ignore[arg-type]
    else:
        samples = (base_samples if base_samples is not None else design.base_samples) * rows_per_base_sample(experiment)
    runs = samples * experiment.spec.replicates
    per_run = BYTES_PER_RUN + BYTES_PER_RUN_AND_PARAMETER * len(experiment.spec.parameters)
    return DesignSize(samples, runs, runs * per_run)


def check_design_size(
    experiment: Experiment, base_samples: int | None = None, memory_bytes: int | None = None
) -> DesignSize:
    """The design's size, or :class:`InputError` with the numbers when it exceeds
    :data:`MAX_RUNS` or half of ``memory_bytes`` (default: this machine's memory)."""
    size = design_size(experiment, base_samples)
    memory = _machine_memory() if memory_bytes is None else memory_bytes
    too_many = size.runs > MAX_RUNS
    too_big = memory > 0 and size.bytes > memory // 2
    if not (too_many or too_big):
        return size
    source, field = ("--base-samples", None) if base_samples is not None else (experiment.source, "design.base_samples")
    if experiment.spec.design.method == "factorial":
        source, field = experiment.source, "parameters"
    memory_text = f"{memory / 2**30:.1f} GiB" if memory else "unknown"
    base = (
        ""
        if experiment.spec.design.method == "factorial"
        else (
            f"{base_samples or experiment.spec.design.base_samples:,} base samples x "
            f"{rows_per_base_sample(experiment)} = "
        )
    )
    raise InputError(
        source,
        field,
        f"the design has {base}{size.samples:,} samples x {experiment.spec.replicates:,} replicates = "
        f"{size.runs:,} runs, "
        f"about {size.bytes / 2**30:,.1f} GiB to plan; allowed: at most {MAX_RUNS:,} runs and half of "
        f"this machine's memory ({memory_text})",
    )


def problem(experiment: Experiment) -> dict[str, Any]:
    """The SALib problem dictionary: names, bounds in problem space, and groups if sampled by group."""
    bounds = []
    for param in experiment.spec.parameters:
        if param.categorical:
            bounds.append([0.0, float(len(param.levels))])  # type: ignore[arg-type]
        elif param.integer:
            low, high = param.bounds  # type: ignore[misc]
            bounds.append([math.ceil(low) - 0.5, math.floor(high) + 0.5])
        else:
            bounds.append([float(b) for b in param.bounds])  # type: ignore[union-attr]
    spec: dict[str, Any] = {"num_vars": len(bounds), "names": experiment.names, "bounds": bounds}
    if experiment.spec.design.by_group:
        spec["groups"] = list(experiment.groups)
    return spec


def rows_per_base_sample(experiment: Experiment) -> int:
    """Samples contributed by one base sample (Sobol: 2D+2 or D+2; Morris: D+1; else 1)."""
    design = experiment.spec.design
    d = len(set(experiment.groups)) if design.by_group else len(experiment.names)
    if design.method == "sobol":
        return 2 * d + 2 if design.second_order else d + 2
    if design.method == "morris":
        return d + 1
    return 1


def _factorial_axis(param: ParameterSpec) -> list[float]:
    if param.categorical:
        return [float(i) for i in range(len(param.levels))]  # type: ignore[arg-type]
    low, high = param.bounds  # type: ignore[misc]
    axis = np.linspace(low, high, param.points)
    return [float(round(v)) if param.integer else float(f"{v:.12g}") for v in axis]  # 0.3, not 0.30000000000000004


def design_matrix(experiment: Experiment, base_samples: int | None = None) -> np.ndarray:
    """The samples of ``experiment``, one row per sample, in problem space."""
    design = experiment.spec.design
    check_design_size(experiment, base_samples)
    n = base_samples if base_samples is not None else design.base_samples
    spec = problem(experiment)
    seed = experiment.spec.seed % 2**32
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's advice on powers of two and group sizes
        if design.method == "factorial":
            axes = [_factorial_axis(p) for p in experiment.spec.parameters]
            return np.array(list(itertools.product(*axes)), dtype=float)
        if design.method == "latin":
            from SALib.sample import latin

            return latin.sample(spec, n, seed=seed)
        if design.method == "sobol":
            from SALib.sample import sobol

            return sobol.sample(spec, n, calc_second_order=design.second_order, scramble=True, seed=seed)
        from SALib.sample import morris

        return morris.sample(spec, n, num_levels=design.morris_levels, seed=seed)


def decode(experiment: Experiment, row: np.ndarray) -> dict[str, Any]:
    """The parameter values of one sample (levels, whole numbers or floats)."""
    values: dict[str, Any] = {}
    for param, x in zip(experiment.spec.parameters, row):
        if param.categorical:
            levels = param.levels  # type: ignore[assignment]
            index = min(max(int(math.floor(x)), 0), len(levels) - 1)
            values[param.path] = levels[index]
        elif param.integer:
            low, high = param.bounds  # type: ignore[misc]
            values[param.path] = int(min(max(math.floor(x + 0.5), math.ceil(low)), math.floor(high)))
        else:
            values[param.path] = float(x)
    return values
