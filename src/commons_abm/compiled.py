"""Compiled kernels: the stages' inner loops in numba's nopython mode.

A step of a 325-agent territory is a few hundred microseconds of arithmetic; written as
whole-array numpy expressions it cost ten times that in per-call overhead (each of some
four hundred numpy calls per step costs microseconds whatever the array's size). So each
stage's arithmetic is a small compiled function, :func:`kernel`, over the state's arrays:
the stage itself stays a plain Python function of the state, the rules and a
``numpy.random.Generator`` (numba draws from the same generator, bit for bit as numpy).

Settings, for reproducibility: IEEE arithmetic (no fast-math, so no reordering or fused
multiply-adds the source does not say), numpy's error model (a division by zero gives inf
or NaN as in numpy, no exception), compiled once per machine and cached on disk beside
the sources (``NUMBA_CACHE_DIR`` moves the cache). ``NUMBA_DISABLE_JIT=1`` runs every
kernel as plain Python, for a debugger or coverage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np

__all__ = ["flat", "kernel", "total"]

F = TypeVar("F", bound=Callable[..., Any])


def kernel(function: F) -> F:
    """Compile ``function`` with the project's settings (see the module docstring)."""
    return numba.njit(cache=True, error_model="numpy", nogil=True)(function)  # type: ignore[return-value]


def flat(values: Any, shape: tuple[int, ...], dtype: type = float) -> np.ndarray:
    """``values`` broadcast to ``shape`` as the contiguous one-dimensional array a kernel
    takes (``values`` itself when it already is one)."""
    if isinstance(values, np.ndarray) and values.shape == shape and values.dtype == dtype and len(shape) == 1:
        return values
    return np.ascontiguousarray(np.broadcast_to(np.asarray(values, dtype=dtype), shape)).ravel()


@numba.njit(cache=True, error_model="numpy", nogil=True)
def total(values):  # pragma: no cover - compiled
    """Sum of a one-dimensional array, in four interleaved partial sums: the same order of
    additions on every machine, and four times the speed of one running sum (which waits
    for each addition before the next)."""
    n = values.size
    a0 = a1 = a2 = a3 = 0.0
    i = 0
    while i + 4 <= n:
        a0 += values[i]
        a1 += values[i + 1]
        a2 += values[i + 2]
        a3 += values[i + 3]
        i += 4
    while i < n:
        a0 += values[i]
        i += 1
    return (a0 + a1) + (a2 + a3)
