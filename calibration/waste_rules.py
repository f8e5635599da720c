"""The shipped rulebooks on households' waste, over 20 paired seeds of the default scenario.

    python calibration/waste_rules.py      # writes docs/figures/waste_rules.json, prints the table

Each rulebook runs a year (365 days) on seeds 1-20 (the same territory and draws for every
rulebook); the table gives the mean of the yearly means with a 95 % interval (t, 19
degrees of freedom) and, against the status quo, the mean paired difference with its
interval. Quantities per inhabitant are per year.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from commons_abm.model import CommonsModel

ROOT = Path(__file__).resolve().parents[1]
BOOKS = (
    "status_quo",
    "open_access",
    "facilitated_commons",
    "community_enforced",
    "full_ostrom",
    "top_down",
    "pay_per_lift",
    "pay_per_lift_monitored",
)
COLUMNS = (
    "household_waste_recovery_rate",
    "byproduct_exchange_rate",
    "material_circularity",
    "dumping_kg",
    "displaced_waste_kg",
    "sorted_kg",
    "composting_kg",
    "landfill_kg",
    "recovery_kg",
    "cooperation_rate",
    "hub_volunteers",
    "hub_volunteer_hours",
    "hub_staff_hours",
    "hub_open_hours",
    "repair_kg",
)
SEEDS = range(1, 21)
T95 = 2.093  # t quantile, 19 degrees of freedom


def interval(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(T95 * values.std(ddof=1) / np.sqrt(values.size))


def main() -> None:
    runs: dict[str, dict[str, np.ndarray]] = {}
    inhabitants = []
    for book in BOOKS:
        rows = {c: [] for c in COLUMNS}
        for seed in SEEDS:
            model = CommonsModel(
                ROOT / "experiments/scenarios/default.toml",
                rulebook=ROOT / f"experiments/rulebooks/{book}.toml",
                seed=seed,
            )
            frame = model.run(365)
            if book == BOOKS[0]:
                inhabitants.append(float(model.state.persons.sum()))
            for c in COLUMNS:
                rows[c].append(float(frame[c].mean()))
        runs[book] = {c: np.array(v) for c, v in rows.items()}
    per_inhabitant = 365.0 / np.array(inhabitants)
    out = {"seeds": list(SEEDS), "days": 365, "rulebooks": {}}
    base = runs["status_quo"]
    for book, r in runs.items():
        entry = {}
        for c in COLUMNS:
            per_year = c.endswith("_kg") and c != "repair_kg"  # the hub's repairs stay per day
            values = r[c] * per_inhabitant if per_year else r[c]
            ref = base[c] * per_inhabitant if per_year else base[c]
            mean, half = interval(values)
            dmean, dhalf = interval(values - ref)
            entry[c] = {"mean": mean, "ci95": half, "vs_status_quo": dmean, "vs_status_quo_ci95": dhalf}
        out["rulebooks"][book] = entry
    path = ROOT / "docs" / "figures" / "waste_rules.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"{'rulebook':24s} " + " ".join(f"{c[:14]:>16s}" for c in COLUMNS))
    for book, entry in out["rulebooks"].items():
        print(f"{book:24s} " + " ".join(f"{entry[c]['mean']:8.3f}±{entry[c]['ci95']:6.3f}" for c in COLUMNS))
    print("(kg columns per inhabitant per year, but repair_kg per day)")


if __name__ == "__main__":
    main()
