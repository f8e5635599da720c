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
import warnings
from typing import Any

import numpy as np

from commons_abm.sweeps.experiment import Experiment, ParameterSpec

__all__ = ["decode", "design_matrix", "problem", "rows_per_base_sample"]


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
