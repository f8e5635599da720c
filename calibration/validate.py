"""Simulated against observed: the figures and numbers of docs/validation.md.

Usage (from the repository root)::

    .venv/bin/python calibration/validate.py        # writes docs/figures/validation_*.png and .json

Runs the calibrated behaviour (:func:`commons_abm.games.lab.lab_behaviour`) in the lab
games with fresh seeds (not those of the fit): the four public goods treatments of Fehr &
Gächter 2000 (``SEEDS`` sessions of ``GROUPS`` groups each), the strategy-method type
shares of Fischbacher, Gächter & Fehr 2001, and the six CPR treatments of Ostrom, Gardner
& Walker at both endowments; prints a table and writes the figures.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from commons_abm.games import TREATMENTS as CPR_TREATMENTS  # noqa: E402
from commons_abm.games import CPRRules, play_cpr, play_public_goods  # noqa: E402
from commons_abm.games.lab import lab_behaviour  # noqa: E402
from commons_abm.games.strategy_method import TYPE_NAMES, measured_type_shares  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import calibrate  # noqa: E402

FIGURES = HERE.parent / "docs" / "figures"
SEEDS = tuple(range(100, 110))
GROUPS = 50


def public_goods() -> dict:
    """Mean and spread over seeds of each treatment's trajectory."""
    out = {}
    for name, (punishment, matching) in calibrate.TREATMENTS.items():
        runs = np.array(
            [
                play_public_goods(
                    lab_behaviour(), punishment=punishment, matching=matching, groups=GROUPS, seed=s
                ).contribution_share
                for s in SEEDS
            ]
        )
        out[name] = {"mean": runs.mean(axis=0).tolist(), "sd": runs.std(axis=0).tolist()}
    return out


def cpr() -> list[dict]:
    """Gross and net efficiency of every treatment and endowment, mean and sd over seeds."""
    rows = []
    for endowment in (10, 25):
        for treatment in CPR_TREATMENTS:
            s = [
                play_cpr(lab_behaviour(), treatment=treatment, endowment=endowment, groups=GROUPS, seed=seed).summary()
                for seed in SEEDS
            ]
            rows.append(
                {
                    "treatment": treatment,
                    "endowment": endowment,
                    **{
                        f"{k}_{stat}": float(f([r[k] for r in s]))
                        for k in ("gross_efficiency", "net_efficiency")
                        for stat, f in (("mean", np.mean), ("sd", np.std))
                    },
                }
            )
    return rows


def observed_cpr() -> list[dict]:
    with open(HERE / "targets" / "ostrom_gardner_walker_1994.csv", encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return [{k: (v if k == "treatment" else float(v)) for k, v in row.items()} for row in csv.DictReader(lines)]


def main() -> int:
    FIGURES.mkdir(parents=True, exist_ok=True)
    targets = calibrate.load_targets()
    pg = public_goods()
    types = [measured_type_shares(lab_behaviour(), 5000, seed).tolist() for seed in SEEDS]
    cprs = cpr()
    observed = observed_cpr()
    result = {
        "public_goods": pg,
        "type_shares": {"mean": np.mean(types, axis=0).tolist(), "sd": np.std(types, axis=0).tolist()},
        "cpr": cprs,
        "cpr_observed": observed,
        "nash_efficiency": CPRRules().nash_efficiency(),
        "seeds": list(SEEDS),
        "groups": GROUPS,
    }
    sim = {k: np.array(v["mean"]) for k, v in pg.items()}
    sim["types"] = np.array(result["type_shares"]["mean"])
    result["loss_fresh_seeds"] = calibrate.chi_square(sim, targets)  # every treatment (none held out)
    result["rmse_by_treatment"] = {
        name: float(np.sqrt(np.mean((sim[name] - obs) ** 2))) for name, (obs, _) in targets["trajectories"].items()
    }

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    periods = np.arange(1, 11)
    for ax, matching in zip(axes, ("partner", "stranger")):
        for pun, colour in (("no_punishment", "tab:red"), ("punishment", "tab:blue")):
            name = f"{matching}_{pun}"
            obs, sigma = targets["trajectories"][name]
            ax.errorbar(periods, obs, yerr=sigma, fmt="o", color=colour, label=f"observed, {pun.replace('_', ' ')}")
            m, sd = np.array(pg[name]["mean"]), np.array(pg[name]["sd"])
            ax.plot(periods, m, "-", color=colour, label=f"simulated, {pun.replace('_', ' ')}")
            ax.fill_between(periods, m - sd, m + sd, color=colour, alpha=0.2)
        ax.set_title(f"{matching.capitalize()} matching")
        ax.set_xlabel("period")
        ax.set_ylim(0, 1)
    axes[0].set_ylabel("mean contribution / endowment")
    axes[0].legend(fontsize=8)
    fig.suptitle("Public goods game: Fehr & Gächter 2000 (points, approximate) vs the calibrated model")
    fig.tight_layout()
    fig.savefig(FIGURES / "validation_public_goods.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    x = np.arange(4)
    ax.bar(x - 0.2, targets["types"][0], 0.4, yerr=targets["types"][1], label="FGF 2001 (observed)")
    ax.bar(x + 0.2, result["type_shares"]["mean"], 0.4, label="model (strategy method)")
    ax.set_xticks(x, [t.replace("_", " ") for t in TYPE_NAMES])
    ax.set_ylabel("share of subjects")
    ax.legend()
    fig.tight_layout()
    fig.savefig(FIGURES / "validation_types.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(10, 5))
    labels, sim_g, sim_n, obs_g, obs_n = [], [], [], [], []
    for row in cprs:
        labels.append(f"{row['treatment'].replace('_', ' ')}, {row['endowment']:.0f} tokens")
        sim_g.append(row["gross_efficiency_mean"])
        sim_n.append(row["net_efficiency_mean"])
        match = [o for o in observed if o["treatment"] == row["treatment"] and o["endowment"] == row["endowment"]]
        obs_g.append(match[0]["gross_efficiency"] if match else np.nan)
        obs_n.append(match[0]["net_efficiency"] if match else np.nan)
    x = np.arange(len(labels))
    ax.bar(x - 0.2, sim_g, 0.4, color="tab:blue", alpha=0.4, label="model gross")
    ax.bar(x - 0.2, sim_n, 0.4, color="tab:blue", label="model net")
    ax.plot(x + 0.2, obs_g, "k^", label="OGW gross (approx.)")
    ax.plot(x + 0.2, obs_n, "ko", label="OGW net (approx.)")
    ax.axhline(CPRRules().nash_efficiency(), color="grey", ls="--", label="Nash")
    ax.set_xticks(x, labels, fontsize=7, rotation=35, ha="right")
    ax.set_ylabel("share of maximum rent")
    ax.legend(fontsize=7, ncol=3)
    fig.tight_layout()
    fig.savefig(FIGURES / "validation_cpr.png", dpi=110)
    plt.close(fig)

    (FIGURES / "validation.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for name, v in pg.items():
        print(f"{name:24s} " + " ".join(f"{y:.2f}" for y in v["mean"]))
    print("types", " ".join(f"{y:.3f}" for y in result["type_shares"]["mean"]))
    for row in cprs:
        print(
            f"{row['treatment']:25s} {row['endowment']:2d} gross {row['gross_efficiency_mean']:.2f} "
            f"net {row['net_efficiency_mean']:.2f}"
        )
    print(f"loss (fresh seeds, every treatment) {result['loss_fresh_seeds']:.3f}")
    for name, value in result["rmse_by_treatment"].items():
        print(f"  RMSE {name}: {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
