"""Running an experiment's samples: batches of runs on local processes or a Dask cluster.

Every run ``(sample_id, replicate)`` gets its seed from the experiment's seed through
``numpy.random.SeedSequence``: run ``k = sample_id * replicates + replicate`` uses the
``k``-th child of ``SeedSequence(experiment.seed)`` (what ``.spawn`` would give), and
the model's integer seed is the first 63 bits of that child's state
(``generate_state``). The integer is stored in the ``seed`` column, so any run can be
repeated on its own with ``commons-abm run --seed``; and a run's result depends on its
sample and seed alone, not on the worker, the executor or the order runs finish in.

Runs are grouped in batches (one task per batch, so that scheduling costs little next
to the runs) and each finished batch is stored as one chunk (:mod:`commons_abm.sweeps.store`).
A run that fails is stored with ``status = "failed"`` and its error; the sweep goes on.
Each invocation is noted in the manifest with a hash of the model's source files, so a
folder grown over several invocations shows whether the model changed in between.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commons_abm.core.errors import InputError
from commons_abm.core.kernels import sources_digest
from commons_abm.sweeps.experiment import Experiment
from commons_abm.sweeps.runs import RunTask, plan, run_batch, schema
from commons_abm.sweeps.store import RunStore

__all__ = [
    "Executor",
    "SweepReport",
    "local_map",
    "store_description",
    "store_fingerprint",
    "sweep",
]

MAX_BATCH = 64


@dataclass(frozen=True)
class Executor:
    """Where runs execute: local processes (``workers``), a new local Dask cluster
    (``dask_local`` worker processes) or an existing one (``dask_scheduler`` address)."""

    workers: int | None = None
    dask_local: int | None = None
    dask_scheduler: str | None = None

    def describe(self) -> str:
        """The executor in words."""
        if self.dask_scheduler:
            return f"Dask cluster at {self.dask_scheduler}"
        if self.dask_local:
            return f"Dask LocalCluster, {self.dask_local} worker processes"
        return f"{self.local_workers} local worker process{'es' if self.local_workers > 1 else ''}"

    @property
    def local_workers(self) -> int:
        """Local worker processes (default: every core this process may use)."""
        if self.workers:
            return self.workers
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            return os.cpu_count() or 1

    @property
    def slots(self) -> int | None:
        """Runs executing at once, when known."""
        if self.dask_scheduler:
            return None
        return self.dask_local or self.local_workers


@dataclass(frozen=True)
class SweepReport:
    """What a sweep did."""

    out: Path
    runs_total: int
    runs_before: int
    runs_computed: int
    runs_failed: int
    seconds: float
    executor: str
    model_versions: int = 1

    @property
    def mixed_models(self) -> bool:
        """Whether the stored runs were computed by more than one version of the model's sources."""
        return self.model_versions > 1

    def __str__(self) -> str:
        rate = self.runs_computed / self.seconds if self.seconds > 0 else float("nan")
        return (
            f"{self.runs_total} runs in {self.out}: {self.runs_before} already stored, "
            f"{self.runs_computed} computed in {self.seconds:.1f} s ({rate:.2f} runs/s, {self.executor}), "
            f"{self.runs_failed} failed"
        )


# ------------------------------------------------------------------------------ seeds and plan
def _run_local(experiment: Experiment, batches: list[list[RunTask]], workers: int) -> Iterator[list[dict]]:
    yield from local_map(run_batch, [(experiment, batch) for batch in batches], workers, ordered=False)


def local_map(function, arguments: list[tuple], workers: int, *, ordered: bool = True) -> Iterator[Any]:
    """``function(*args)`` for each tuple of ``arguments``, on ``workers`` local processes
    (in this process when ``workers`` is 1); the results in the order of ``arguments``, or
    as they finish when not ``ordered``. ``function`` must be importable (picklable)."""
    if workers == 1:
        for args in arguments:
            yield function(*args)
        return
    # "spawn": fresh interpreters on every platform, nothing inherited from the parent but
    # the environment, which keeps each worker's numerical libraries to one thread (one
    # worker per core; Dask's workers do the same by default)
    with _environment(THREAD_LIMITS):
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        try:
            futures = [pool.submit(function, *args) for args in arguments]
            for future in futures if ordered else as_completed(futures):
                yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


THREAD_LIMITS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextmanager
def _environment(defaults: dict[str, str]) -> Iterator[None]:
    """Environment variables set to ``defaults`` where not already set, for the block."""
    added = {name: value for name, value in defaults.items() if name not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def _run_dask(experiment: Experiment, batches: list[list[RunTask]], executor: Executor) -> Iterator[list[dict]]:
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    if executor.dask_scheduler:
        try:
            client = Client(executor.dask_scheduler, timeout="30s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                "--dask-scheduler",
                None,
                f"cannot connect to {executor.dask_scheduler!r} "
                f"({exc}); allowed: the address of a running Dask scheduler, "
                "e.g. tcp://host:8786",
            ) from None
    else:
        cluster = LocalCluster(
            n_workers=executor.dask_local,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    try:
        shared = client.scatter(experiment, broadcast=True)
        futures = [client.submit(run_batch, shared, batch, pure=False) for batch in batches]
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _batches(tasks: list[RunTask], size: int) -> list[list[RunTask]]:
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def batch_size(pending: int, slots: int | None) -> int:
    """Runs per batch: about four batches per worker, at most :data:`MAX_BATCH` runs."""
    slots = slots or 8
    return max(1, min(MAX_BATCH, math.ceil(pending / (4 * slots))))


def sweep(
    experiment: Experiment,
    out: Path,
    executor: Executor = Executor(),
    *,
    base_samples: int | None = None,
    batch: int | None = None,
    progress: bool = True,
) -> SweepReport:
    """Run every run of ``experiment`` not yet stored in ``out``, storing results as they come."""

    tasks = plan(experiment, base_samples)
    source = Path(experiment.source)
    text = source.read_text(encoding="utf-8") if source.is_file() else ""
    store = RunStore.open(out, store_fingerprint(experiment), schema(experiment), text, store_description(experiment))
    with store:  # holds the folder's writer lock until the sweep is done
        return _fill(store, experiment, tasks, executor, base_samples, batch, progress, out)


def store_fingerprint(experiment: Experiment) -> str:
    """The fingerprint a store of ``experiment`` carries (a Latin hypercube's depends on its size)."""
    return experiment.fingerprint(include_base_samples=experiment.spec.design.method == "latin")


def store_description(experiment: Experiment) -> dict[str, Any]:
    """What a store's manifest says of the experiment whose runs it holds."""
    return {
        "experiment": experiment.spec.name,
        "experiment_file": str(Path(experiment.source)),
        "design": experiment.spec.design.method,
        "replicates": experiment.spec.replicates,
        "seed": experiment.spec.seed,
    }


def _fill(
    store: RunStore,
    experiment: Experiment,
    tasks: list[RunTask],
    executor: Executor,
    base_samples: int | None,
    batch: int | None,
    progress: bool,
    out: Path,
) -> SweepReport:
    """Compute and store the runs of ``tasks`` that ``store`` does not hold yet."""
    from tqdm import tqdm

    done = store.done()
    store.note_session(
        {
            "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "base_samples": base_samples or experiment.spec.design.base_samples,
            "executor": executor.describe(),
            "runs_stored_before": len(done),
            "model_sources_sha256": sources_digest(),
        }
    )
    pending = [t for t in tasks if (t.sample_id, t.replicate) not in done]
    size = batch or batch_size(len(pending), executor.slots)
    batches = _batches(pending, size)
    started = time.perf_counter()
    computed = 0
    with tqdm(
        total=len(tasks),
        initial=len(tasks) - len(pending),
        unit="run",
        desc=experiment.spec.name,
        disable=not progress,
        file=sys.stderr,
        smoothing=0.05,
        dynamic_ncols=True,
    ) as bar:
        if executor.dask_local or executor.dask_scheduler:
            results = _run_dask(experiment, batches, executor)
        else:
            results = _run_local(experiment, batches, executor.local_workers)
        for rows in results:
            store.write(rows)
            computed += len(rows)
            bar.update(len(rows))
    seconds = time.perf_counter() - started
    frame = store.read()
    wanted = {(t.sample_id, t.replicate) for t in tasks}
    in_plan = frame[[(s, r) in wanted for s, r in zip(frame["sample_id"], frame["replicate"])]]
    return SweepReport(
        out=Path(out),
        runs_total=len(tasks),
        runs_before=len(tasks) - len(pending),
        runs_computed=computed,
        runs_failed=int((in_plan["status"] != "ok").sum()),
        seconds=seconds,
        executor=executor.describe(),
        model_versions=len(
            {
                s["model_sources_sha256"]
                for s in store.manifest.get("sessions", [])
                if s["runs_stored_before"] < len(tasks)
            }
        ),
    )
