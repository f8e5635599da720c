"""Store maintenance, as ``commons-abm store check|repair`` runs it: the state of a sweep's
output folder and the runs of its design still to compute (:mod:`commons_abm.sweeps.store`)."""

from __future__ import annotations

from pathlib import Path

from commons_abm.core.errors import InputError
from commons_abm.sweeps.executors import store_description, store_fingerprint
from commons_abm.sweeps.experiment import Experiment, load_experiment
from commons_abm.sweeps.runs import plan, schema
from commons_abm.sweeps.store import Health, RunStore, inspect_store, repair_store

__all__ = ["check_store", "repair"]


def _experiment(out: Path, experiment: Path | None) -> Experiment | None:
    if not Path(out).is_dir():
        raise InputError(out, None, "no such folder; allowed: a folder written by `commons-abm sweep`")
    return load_experiment(experiment) if experiment is not None else None


def _to_compute(out: Path, health: Health, experiment: Experiment | None) -> list[str]:
    if experiment is None or not health.healthy:
        return []
    wanted = {(t.sample_id, t.replicate) for t in plan(experiment)}
    with RunStore.open(out, store_fingerprint(experiment), schema(experiment), "", {}, write=False) as store:
        missing = len(wanted - store.done())
    return [f"{missing} runs of the design to compute" + (": run `commons-abm sweep` again" if missing else "")]


def check_store(out: Path, experiment: Path | None = None) -> tuple[list[str], bool]:
    """The folder's state in lines, and whether it is healthy."""
    spec = _experiment(out, experiment)
    health = inspect_store(out, schema(spec) if spec is not None else None)
    return [health.describe(), *_to_compute(out, health, spec)], health.healthy


def repair(out: Path, experiment: Path | None = None) -> tuple[list[str], bool]:
    """Quarantine what is damaged, rebuild the manifest; the lines to print, and whether the
    folder is healthy afterwards."""
    spec = _experiment(out, experiment)
    base = None if spec is None else {"fingerprint": store_fingerprint(spec), **store_description(spec)}
    health, moved = repair_store(out, base)
    lines = [f"  quarantined {path}" for path in moved]
    return [*lines, health.describe(), *_to_compute(out, health, spec)], health.healthy
