"""Compiled kernels: the stages' inner loops in numba's nopython mode.

A step of a 325-agent territory is a few hundred microseconds of arithmetic; written as
whole-array numpy expressions it cost ten times that in per-call overhead (each of some
four hundred numpy calls per step costs microseconds whatever the array's size). So each
stage's arithmetic is a small compiled function, :func:`kernel`, over the state's arrays:
the stage itself stays a plain Python function of the state, the rules and a
``numpy.random.Generator`` (numba draws from the same generator, bit for bit as numpy).

Settings, for reproducibility: IEEE arithmetic (no fast-math, so no reordering or fused
multiply-adds the source does not say), numpy's error model (a division by zero gives inf
or NaN as in numpy, no exception), compiled once per machine and version of the package's
sources and cached on disk (:func:`cache_directory`). ``NUMBA_DISABLE_JIT=1`` runs every
kernel as plain Python, for a debugger or coverage.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numba
import numpy as np

__all__ = ["cache_directory", "flat", "kernel", "total"]

F = TypeVar("F", bound=Callable[..., Any])
PACKAGE = Path(__file__).resolve().parent


def sources_digest() -> str:
    """A hash of the package's source files."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_directory() -> Path:
    """Where compiled kernels are cached: one folder per version of the package's sources.

    numba checks a cached function against its own source file only, not against the
    kernels it calls in other modules (which it compiles into it), so a cache keyed on the
    whole package is never stale. The folder is ``__pycache__/numba-<hash>`` beside the
    sources, else in the user's cache folder or the temporary folder, whichever is
    writable first; older versions' folders there are removed. ``NUMBA_CACHE_DIR``, when
    set, is used as it is.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    name = f"numba-{sources_digest()[:16]}"
    for parent in (PACKAGE / "__pycache__", Path.home() / ".cache" / "commons_abm",
                   Path(tempfile.gettempdir()) / "commons_abm"):
        try:
            parent.mkdir(parents=True, exist_ok=True)
            (parent / name).mkdir(exist_ok=True)
        except OSError:
            continue
        if os.access(parent / name, os.W_OK):
            for old in parent.glob("numba-*"):
                if old.name != name:
                    shutil.rmtree(old, ignore_errors=True)
            return parent / name
    raise OSError("no writable folder for the compiled kernels' cache; set NUMBA_CACHE_DIR")


numba.config.CACHE_DIR = str(cache_directory())


def kernel(function: F) -> F:
    """Compile ``function`` with the project's settings (see the module docstring)."""
    return numba.njit(cache=True, error_model="numpy", nogil=True)(function)  # type: ignore[return-value]


def flat(values: Any, shape: tuple[int, ...], dtype: type = float) -> np.ndarray:
    """``values`` broadcast to ``shape`` as the contiguous one-dimensional array a kernel
    takes (``values`` itself when it already is one)."""
    if isinstance(values, np.ndarray) and values.shape == shape and values.dtype == dtype and len(shape) == 1:
        return values
    return np.ascontiguousarray(np.broadcast_to(np.asarray(values, dtype=dtype), shape)).ravel()


@kernel
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
