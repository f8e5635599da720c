"""Writing a run's results: all files appear together, or none does; the folder is checked
before any work (:func:`check_output_folder`), and a scenario's name is a label, never a
path (:func:`folder_name`)."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from commons_abm.core.errors import InputError

__all__ = [
    "atomic_output_dir",
    "check_output_folder",
    "folder_name",
    "summarise",
    "write_events",
    "write_json",
    "write_table",
    "write_timeseries",
]

PACKAGE = Path(__file__).resolve().parents[1]
MAX_PATH_CHARS = 1024
MAX_NAME_CHARS = 80


def folder_name(label: str) -> str:
    """A safe folder name for a scenario's (or experiment's) name: letters, digits, ``.``,
    ``_`` and ``-`` only, no leading dot, at most 80 characters (``"scenario"`` if nothing
    is left): a name is a label and never becomes a path."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("._-")[:MAX_NAME_CHARS].strip("._-")
    return name or "scenario"


def check_output_folder(out: Path, option: str = "--out") -> Path:
    """Refuse, before any work, an output folder that cannot be written: an empty path, a
    file, a path through a file, one inside the package, a path too long, or a folder whose
    nearest existing ancestor does not let this process create anything. Creates nothing."""
    text = str(out)
    if not text.strip() or text.strip() == ".":
        raise InputError(option, None, "empty; allowed: a folder path (new, or one to add to)")
    if len(text) > MAX_PATH_CHARS or any(len(part.encode()) > 255 for part in Path(text).parts):
        raise InputError(
            option,
            None,
            f"path of {len(text)} characters; allowed: a folder path under "
            f"{MAX_PATH_CHARS} characters, each name under 256 bytes",
        )
    out = Path(out)
    resolved = out.resolve()
    if resolved == PACKAGE or PACKAGE in resolved.parents:
        raise InputError(option, None, f"{out} is inside the installed package; allowed: a folder outside it")
    if out.exists() and not out.is_dir():
        raise InputError(option, None, f"{out} is a file; allowed: a folder (new or existing)")
    ancestor = resolved
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError(option, None, f"{out} goes through the file {ancestor}; allowed: a folder path")
    try:
        probe = Path(tempfile.mkdtemp(prefix=".commons-abm-probe-", dir=ancestor))
    except OSError as exc:
        raise InputError(
            option,
            None,
            f"{out}: cannot write in {ancestor} ({exc.strerror or exc}); allowed: a folder this user can write",
        ) from None
    probe.rmdir()
    return out


def _stale_staging(parent: Path, name: str) -> None:
    """Remove the staging folders a killed run left next to ``name`` (their process is gone)."""
    for folder in parent.glob(f".{name}.partial-*"):
        match = re.match(rf"\.{re.escape(name)}\.partial-(\d+)-", folder.name)
        if match is None or _alive(int(match.group(1))):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but another user's
        return True
    return True


def write_table(frame: pd.DataFrame, folder: Path, stem: str) -> list[Path]:
    """``<stem>.csv`` and ``<stem>.parquet`` in ``folder``, the same table twice."""
    csv = folder / f"{stem}.csv"
    parquet = folder / f"{stem}.parquet"
    frame.to_csv(csv, index=False, float_format="%.10g")
    frame.to_parquet(parquet, index=False, engine="pyarrow")
    return [csv, parquet]


def write_events(frame: pd.DataFrame, folder: Path) -> list[Path]:
    """``events.csv`` and ``events.parquet`` in ``folder`` (:mod:`commons_abm.core.events`)."""
    return write_table(frame, folder, "events")


def write_timeseries(frame: pd.DataFrame, folder: Path) -> list[Path]:
    """``timeseries.csv`` and ``timeseries.parquet`` in ``folder``."""
    return write_table(frame, folder, "timeseries")


def _plain(value: object) -> object:
    """JSON-safe version of numpy scalars and NaN (written as null)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(data: dict, path: Path) -> Path:
    """Write ``data`` as indented JSON (NaN as null)."""
    path.write_text(json.dumps(_plain(data), indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def _weighted_mean(frame: pd.DataFrame, column: str, weight: str) -> float:
    """The run's ratio from daily ratios and their denominators: sum(r w) / sum(w) (NaN if none)."""
    r, w = frame[column].to_numpy(dtype=float), frame[weight].to_numpy(dtype=float)
    keep = np.isfinite(r) & (w > 0)
    return float((r[keep] * w[keep]).sum() / w[keep].sum()) if keep.any() else float("nan")


def summarise(frame: pd.DataFrame, inhabitants: float, battery_kwh: float = 0.0) -> dict[str, float]:
    """Headline figures of a run: the energy shares over the whole run, means of the other
    indicators, annualised flows, the battery's equivalent full cycles, worst residuals."""
    days = max(len(frame), 1)
    per_year = 365.0 / days
    total = frame.sum(numeric_only=True)
    consumption = total.get("consumption_kwh", 0.0)
    production = total.get("production_kwh", 0.0)
    charged = total.get("battery_charge_kwh", 0.0)
    summary = {
        "steps": int(len(frame)),
        "energy_self_sufficiency": _weighted_mean(frame, "energy_self_sufficiency", "consumption_kwh"),
        "energy_self_consumption": _weighted_mean(frame, "energy_self_consumption", "production_kwh"),
        "community_self_sufficiency_mean": float(frame["community_self_sufficiency"].mean()),
        "community_self_consumption_mean": float(frame["community_self_consumption"].mean()),
        "bill_saving_eur_per_participant_year": float(frame["bill_saving_eur_per_participant"].mean()) * 365.0,
        "battery_charge_kwh_per_year": charged * per_year,
        "battery_equivalent_full_cycles_per_year": charged * per_year / battery_kwh if battery_kwh else float("nan"),
        "material_circularity_mean": float(frame["material_circularity"].mean()),
        "household_waste_recovery_rate_mean": float(frame["household_waste_recovery_rate"].mean()),
        "byproduct_exchange_rate_mean": float(frame["byproduct_exchange_rate"].mean()),
        "displaced_waste_kg_per_inhabitant_year": total.get("displaced_waste_kg", 0.0) * per_year / inhabitants
        if inhabitants
        else float("nan"),
        "production_kwh_per_year": production * per_year,
        "consumption_kwh_per_year": consumption * per_year,
        "import_kwh_per_year": total.get("import_kwh", 0.0) * per_year,
        "export_kwh_per_year": total.get("export_kwh", 0.0) * per_year,
        "landfill_kg_per_inhabitant_year": total.get("landfill_kg", 0.0) * per_year / inhabitants
        if inhabitants
        else float("nan"),
        "dumping_kg_per_inhabitant_year": total.get("dumping_kg", 0.0) * per_year / inhabitants
        if inhabitants
        else float("nan"),
        "members_share_final": float(frame["members_share"].iloc[-1]) if len(frame) else float("nan"),
        "trust_interpersonal_final": float(frame["trust_interpersonal"].iloc[-1]) if len(frame) else float("nan"),
        "trust_institutional_final": float(frame["trust_institutional"].iloc[-1]) if len(frame) else float("nan"),
        "compliance_rate_mean": float(frame["compliance_rate"].mean()),
        "satisfaction_final": float(frame["satisfaction"].iloc[-1]) if len(frame) else float("nan"),
        "gini_net_benefit_final": float(frame["gini_net_benefit"].iloc[-1]) if len(frame) else float("nan"),
        "sanctions_total": float(total.get("sanctions", 0.0)),
        "governance_cost_eur_total": float(total.get("governance_cost", 0.0)),
        "max_abs_energy_balance_residual_kwh": float(frame["energy_balance_residual_kwh"].abs().max()),
        "max_abs_material_balance_residual_kg": float(frame["material_balance_residual_kg"].abs().max()),
    }
    return {k: float(v) if not isinstance(v, int) else v for k, v in summary.items()}


def atomic_output_dir(out: Path, write: Callable[[Path], None]) -> list[Path]:
    """Run ``write(staging_folder)``, then move every file it wrote into ``out``.

    Files are staged in a hidden folder next to ``out`` and moved with ``os.replace``, so
    a failure while writing leaves ``out`` as it was (not created, or its old files). The
    staging folders of a killed run (whose process is gone) are removed first.
    """
    out = Path(out)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    _stale_staging(parent, out.name)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-{os.getpid()}-", dir=parent))
    try:
        write(staging)
        out.mkdir(parents=True, exist_ok=True)
        moved = []
        for item in sorted(staging.iterdir()):
            target = out / item.name
            os.replace(item, target)
            moved.append(target)
        return moved
    finally:
        shutil.rmtree(staging, ignore_errors=True)
