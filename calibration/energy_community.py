"""The energy community against the field: the numbers and figure of docs/validation.md,
"Collective self-consumption".

Usage (from the repository root)::

    .venv/bin/python calibration/energy_community.py   # writes docs/figures/energy_community.{json,png}

Over 20 paired seeds (the same territory for every arm of a comparison):

* the share of their own output that households with 3-5 kWp use themselves;
* the allocation keys with membership held fixed (the default territory and its PV-rich
  variant): participants' total bill saving, the share of it going to energy-poor
  households, the Gini coefficient of participants' savings, community self-sufficiency;
* the shipped rulebooks on both scenarios: community and territory self-sufficiency,
  the battery's equivalent full cycles, the bill saving per participant, membership.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from commons_abm.core.calendar import day_of_step  # noqa: E402
from commons_abm.core.indicators import gini_of  # noqa: E402
from commons_abm.core.kinds import HOUSEHOLD  # noqa: E402
from commons_abm.core.scenario import load_scenario  # noqa: E402
from commons_abm.core.seeding import streams  # noqa: E402
from commons_abm.energy.allocation_keys import KEYS  # noqa: E402
from commons_abm.energy.exchange import exchange_energy  # noqa: E402
from commons_abm.energy.own_use import own_use_share  # noqa: E402
from commons_abm.model import CommonsModel  # noqa: E402
from commons_abm.territory.build import build_state  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
SCENARIOS = {name: ROOT / "experiments" / "scenarios" / f"{name}.toml" for name in ("default", "pv_rich")}
RULEBOOKS = ("open_access", "status_quo", "facilitated_commons", "community_enforced", "full_ostrom", "top_down")
SEEDS = tuple(range(20))
DAYS = 365


def household_own_use(seed: int) -> float:
    """Share of a year's PV output that the default territory's 3-5 kWp households use
    themselves (half the houses equipped, for numbers)."""
    scenario = load_scenario(SCENARIOS["default"])
    scenario.energy.households.pv_adoption = 0.6
    return own_use_share(scenario, seed, HOUSEHOLD, (3.0, 5.0), DAYS)


def key_year(scenario_name: str, key: str, seed: int) -> dict[str, float]:
    """A year of the operation under ``key`` with the initial membership held fixed."""
    scenario = load_scenario(SCENARIOS[scenario_name])
    scenario.rules.allocation_key = key
    rngs = streams(seed)
    state = build_state(scenario, rngs)
    saving = np.zeros(state.n)
    local = demand = 0.0
    for step in range(DAYS):
        day = day_of_step(step, scenario.energy.start_day_of_year, scenario.energy.start_weekday)
        flows = exchange_energy(state, scenario, day, rngs)
        saving += flows.agent_reference_cost_eur - flows.agent_cost_eur
        local += flows.participants_local
        demand += flows.participants_demand
    members = state.member.astype(bool)
    poor = members & state.energy_poor.astype(bool)
    return {
        "total_saving_eur": float(saving[members].sum()),
        "poor_share_of_saving": float(saving[poor].sum() / saving[members].sum()),
        "gini_of_savings": float(gini_of(saving[members])),
        "community_self_sufficiency": local / demand,
    }


def rulebook_year(scenario_name: str, rulebook: str, seed: int) -> dict[str, float]:
    """A year of the whole model under a shipped rulebook."""
    model = CommonsModel(SCENARIOS[scenario_name], seed=seed, rulebook=rulebook, create_agents=False)
    frame = model.run(DAYS)
    consumption = frame["consumption_kwh"].to_numpy()
    return {
        "community_self_sufficiency": float(frame["community_self_sufficiency"].mean()),
        "energy_self_sufficiency": float((frame["energy_self_sufficiency"] * consumption).sum() / consumption.sum()),
        "battery_cycles": float(frame["battery_charge_kwh"].sum() / model.scenario.energy.battery.capacity_kwh),
        "bill_saving_eur_per_participant_year": float(frame["bill_saving_eur_per_participant"].mean() * DAYS),
        "members_share_final": float(frame["members_share"].iloc[-1]),
    }


def dilemmas(scenario_name: str, rulebook: str = "full_ostrom", seed: int = 0) -> dict[str, dict[str, float]]:
    """Each dilemma of the energy community in EUR per agent and day, from a year of the
    model: what defecting would gain the agent (its temptation, as the decision computes it)
    and what it would cost the others."""
    from commons_abm.behaviour.decisions import temptation_parameters

    model = CommonsModel(SCENARIOS[scenario_name], seed=seed, rulebook=rulebook, create_agents=False)
    frame = model.run(DAYS)
    sc, inst, state = model.scenario, model.institutions, model.state
    t = temptation_parameters(sc)
    participants = float(np.nanmean(frame["members_share"])) * state.n
    battery_kwh = float(frame["battery_discharge_kwh"].mean()) / max(participants, 1.0)  # per participant and day
    overdraw = sc.behaviour.decisions.overdraw_factor
    return {
        "pay_fee": {"gain": inst.fee_eur_per_day, "loss_to_others": inst.fee_eur_per_day},
        "overdraw_battery": {
            "gain": overdraw * battery_kwh * t.battery_margin_eur_per_kwh,
            "loss_to_others": overdraw * battery_kwh * t.battery_margin_eur_per_kwh,
            "battery_kwh_per_participant_day": battery_kwh,
        },
        "join_and_stay": {
            "gain": float(frame["bill_saving_eur_per_participant"].mean()) - inst.fee_eur_per_day,
            "loss_to_others": float("nan"),
        },
    }


def summary(values: list[float]) -> dict[str, float]:
    """Mean and 95 % confidence half-width over seeds."""
    v = np.asarray(values, dtype=float)
    return {"mean": float(v.mean()), "ci95": float(1.96 * v.std(ddof=1) / np.sqrt(v.size))}


def paired(values: list[float], base: list[float]) -> dict[str, float]:
    """Mean paired difference against ``base`` and its 95 % half-width."""
    return summary(list(np.subtract(values, base)))


def main() -> dict:
    out: dict = {"seeds": list(SEEDS), "days": DAYS}
    shares = [household_own_use(seed) for seed in SEEDS]
    out["household_3_5_kwp_own_use_share"] = summary(shares)
    print("3-5 kWp households' own use of their output:", out["household_3_5_kwp_own_use_share"])

    out["keys"] = {}
    for name in SCENARIOS:
        runs = {key: [key_year(name, key, seed) for seed in SEEDS] for key in KEYS}
        base = runs["pro_rata_consumption"]
        table = {}
        for key, rows in runs.items():
            table[key] = {
                field: {
                    **summary([r[field] for r in rows]),
                    "vs_default_key": paired([r[field] for r in rows], [b[field] for b in base]),
                }
                for field in rows[0]
            }
        out["keys"][name] = table
        for key, row in table.items():
            print(name, key, {f: round(v["mean"], 4) for f, v in row.items()})

    out["rulebooks"] = {}
    for name in SCENARIOS:
        runs = {book: [rulebook_year(name, book, seed) for seed in SEEDS] for book in RULEBOOKS}
        base = runs["status_quo"]
        out["rulebooks"][name] = {
            book: {
                field: {
                    **summary([r[field] for r in rows]),
                    "vs_status_quo": paired([r[field] for r in rows], [b[field] for b in base]),
                }
                for field in rows[0]
            }
            for book, rows in runs.items()
        }
        for book, row in out["rulebooks"][name].items():
            print(name, book, {f: round(v["mean"], 4) for f, v in row.items()})

    out["dilemmas"] = {name: dilemmas(name) for name in SCENARIOS}
    for name, table in out["dilemmas"].items():
        print(name, {k: {f: round(v, 4) for f, v in row.items()} for k, row in table.items()})

    FIGURES.mkdir(parents=True, exist_ok=True)
    (FIGURES / "energy_community.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    plot(out, FIGURES / "energy_community.png")
    return out


def plot(out: dict, path: Path) -> None:
    """Who gains under each key (energy-poor households' share of the savings) against how
    much (participants' total saving), both scenarios, and the rulebooks' community
    self-sufficiency with 95 % intervals."""
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    keys = list(KEYS)
    width = 0.38
    for j, name in enumerate(SCENARIOS):
        table = out["keys"][name]
        x = np.arange(len(keys)) + (j - 0.5) * width
        axes[0].bar(
            x,
            [table[k]["poor_share_of_saving"]["mean"] for k in keys],
            width,
            yerr=[table[k]["poor_share_of_saving"]["ci95"] for k in keys],
            label=name,
        )
        axes[1].bar(
            x,
            [table[k]["total_saving_eur"]["mean"] / 1000 for k in keys],
            width,
            yerr=[table[k]["total_saving_eur"]["ci95"] / 1000 for k in keys],
            label=name,
        )
        books = list(out["rulebooks"][name])
        xb = np.arange(len(books)) + (j - 0.5) * width
        axes[2].bar(
            xb,
            [out["rulebooks"][name][b]["community_self_sufficiency"]["mean"] for b in books],
            width,
            yerr=[out["rulebooks"][name][b]["community_self_sufficiency"]["ci95"] for b in books],
            label=name,
        )
    for ax, title in zip(
        axes,
        (
            "energy-poor households' share of the savings",
            "participants' total bill saving [kEUR/yr]",
            "community self-sufficiency by rulebook",
        ),
    ):
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8)
    axes[0].set_xticks(range(len(keys)), keys, rotation=30, ha="right", fontsize=8)
    axes[1].set_xticks(range(len(keys)), keys, rotation=30, ha="right", fontsize=8)
    axes[2].set_xticks(range(len(RULEBOOKS)), RULEBOOKS, rotation=30, ha="right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
