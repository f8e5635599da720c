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

__all__ = ["cache_directory", "flat", "kernel", "shaped", "total"]

F = TypeVar("F", bound=Callable[..., Any])
PACKAGE = Path(__file__).resolve().parents[1]  # the commons_abm package


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
    whole package is never stale. The folder ``numba-<hash>`` lies in ``NUMBA_CACHE_DIR``
    when that is set, else in ``__pycache__`` beside the sources (where older versions'
    folders are removed), else in the user's cache folder, else in a private folder of
    the temporary folder: the first that is writable. (numba's cache setting is global: a
    library compiled with ``cache=True`` after this module is imported caches there too.)
    """
    name = f"numba-{sources_digest()[:16]}"
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"]) / name
    own = PACKAGE / "__pycache__"
    for parent in (own, _user_cache(), _private_temp()):
        if parent is None:
            continue
        try:
            (parent / name).mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(parent / name, os.W_OK):
            if parent == own:  # only here: other folders may serve other installed versions
                for old in own.glob("numba-*"):
                    if old.name != name:
                        shutil.rmtree(old, ignore_errors=True)
            return parent / name
    raise OSError("no writable folder for the compiled kernels' cache; set NUMBA_CACHE_DIR")


def _user_cache() -> Path | None:
    try:
        return Path.home() / ".cache" / "commons_abm"
    except RuntimeError:  # no home folder (a container's anonymous user)
        return None


def _private_temp() -> Path | None:
    """A folder of the temporary folder that only this user can write."""
    user = os.getuid() if hasattr(os, "getuid") else "user"  # (Windows: the temporary folder is the user's)
    folder = Path(tempfile.gettempdir()) / f"commons_abm-{user}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
            return None  # someone else's
    except OSError:
        return None
    return folder


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


def shaped(values: np.ndarray, shape: tuple[int, ...]) -> Any:
    """A kernel's one-dimensional result in the callers' ``shape``: a numpy scalar for
    scalar inputs, as numpy's own functions return."""
    return values.reshape(shape)[()]


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
