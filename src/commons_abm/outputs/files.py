"""Writing a run's results: all files appear together, or none does."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["atomic_output_dir", "summarise", "write_json", "write_timeseries"]


def write_timeseries(frame: pd.DataFrame, folder: Path) -> list[Path]:
    """``timeseries.csv`` and ``timeseries.parquet`` in ``folder``."""
    csv = folder / "timeseries.csv"
    parquet = folder / "timeseries.parquet"
    frame.to_csv(csv, index=False, float_format="%.10g")
    frame.to_parquet(parquet, index=False, engine="pyarrow")
    return [csv, parquet]


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


def summarise(frame: pd.DataFrame, inhabitants: float) -> dict[str, float]:
    """Headline figures of a run: means of the indicators, annualised flows, worst residuals."""
    days = max(len(frame), 1)
    per_year = 365.0 / days
    total = frame.sum(numeric_only=True)
    consumption = total.get("consumption_kwh", 0.0)
    production = total.get("production_kwh", 0.0)
    summary = {
        "steps": int(len(frame)),
        "energy_self_sufficiency": (consumption - total.get("import_kwh", 0.0)) / consumption
        if consumption
        else float("nan"),
        "energy_self_consumption": (production - total.get("export_kwh", 0.0)) / production
        if production
        else float("nan"),
        "material_circularity_mean": float(frame["material_circularity"].mean()),
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
    a failure while writing leaves ``out`` as it was (not created, or its old files).
    """
    out = Path(out)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
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
