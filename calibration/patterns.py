"""The stylized facts the model must show, its figures and whether each holds: one table.

Usage (from the repository root)::

    .venv/bin/python calibration/patterns.py     # writes docs/figures/patterns.json and the
                                                 # table between the markers in docs/validation.md

Pattern-oriented validation (Grimm et al. 2005): each row is a fact of the lab or the field,
its source, the model's figure with its 95 % interval where it has one, the condition the
figure must meet and whether it does. The lab rows read ``docs/figures/validation.json``
(``calibration/validate.py``), the field rows ``docs/figures/waste_rules.json`` and
``docs/figures/energy_community.json`` (``calibration/waste_rules.py``,
``calibration/energy_community.py``); the governance rows, the design principles' and the decay
of cooperation are measured here, on 20 paired seeds (the territory of
``tests/test_design_principles.py``). ``tests/test_patterns.py`` checks that the table in
``docs/validation.md`` is this script's rendering of ``patterns.json`` and that the lab and
field rows agree with the figure files they are read from.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from commons_abm.core.scenario import Scenario
from commons_abm.governance.rulebook import load_rulebook
from commons_abm.model import CommonsModel
from commons_abm.sweeps.compare import (
    compare_rulebooks,
    effect,
    with_flat_sanctions,
    with_officials,
    with_parameters,
    without_aims,
    without_principle,
)

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
OUT = FIGURES / "patterns.json"
PAGE = ROOT / "docs" / "validation.md"
START, END = "<!-- patterns:start -->", "<!-- patterns:end -->"
SEEDS, STEPS, WINDOW = 20, 240, 60


def _territory() -> Scenario:
    sc = Scenario(name="patterns")
    sc.territory.households, sc.territory.firms, sc.territory.officials = 100, 8, 2
    sc.territory.neighbourhoods = 3
    return sc


def _row(fact: str, source: str, figure: str, condition: str, holds: bool) -> dict:
    return {"fact": fact, "source": source, "figure": figure, "condition": condition, "holds": bool(holds)}


def _effect_text(e) -> str:
    return f"{e.difference:+.3f} ({e.ci_low:+.3f} to {e.ci_high:+.3f})"


def lab_rows(validation: dict) -> list[dict]:
    """The laboratory's facts, from ``validation.json``."""
    pg = {name: np.array(v["mean"]) for name, v in validation["public_goods"].items()}
    types = np.array(validation["type_shares"]["mean"])
    cpr = {(r["treatment"], r["endowment"]): r for r in validation["cpr"]}
    nash = validation["nash_efficiency"]
    base = cpr[("baseline", 25)]["gross_efficiency_mean"]
    talk = cpr[("repeated_communication", 25)]["gross_efficiency_mean"]
    sanction = cpr[("sanctions", 25)]
    partner, stranger = pg["partner_punishment"][-1], pg["stranger_punishment"][-1]
    alone = pg["stranger_no_punishment"][-1]
    chosen = cpr[("chosen_sanctions", 25)]["net_efficiency_mean"]
    decay = pg["partner_no_punishment"]
    return [
        _row(
            "Without punishment, contributions decay",
            "Fehr & Gächter 2000",
            f"partner {decay[0]:.2f} to {decay[-1]:.2f}",
            "period 10 at most half of period 1",
            decay[-1] <= 0.5 * decay[0],
        ),
        _row(
            "With punishment, partners cooperate",
            "Fehr & Gächter 2000",
            f"period 10: {partner:.2f}",
            "above 0.7",
            partner > 0.7,
        ),
        _row(
            "Punishment works better among partners than strangers",
            "Fehr & Gächter 2000",
            f"{partner:.2f} against {stranger:.2f}",
            "partner above stranger by 0.15",
            partner - stranger >= 0.15,
        ),
        _row(
            "Conditional cooperators, free riders, hump-shaped, others",
            "Fischbacher, Gächter & Fehr 2001",
            " / ".join(f"{x:.2f}" for x in types),
            "within 0.05 of 0.50 / 0.30 / 0.14 / 0.06",
            bool(np.all(np.abs(types - np.array([0.50, 0.30, 0.14, 0.06])) <= 0.05)),
        ),
        _row(
            "A CPR without institutions is overused",
            "Ostrom, Gardner & Walker 1994",
            f"efficiency {base:.2f} (Nash {nash:.2f})",
            "below the optimum, within 0.15 of Nash",
            base < 1.0 and abs(base - nash) <= 0.15,
        ),
        _row(
            "Communication raises a CPR's efficiency",
            "Ostrom, Walker & Gardner 1992",
            f"{base:.2f} to {talk:.2f}",
            "higher with communication",
            talk > base,
        ),
        _row(
            "Sanctions without communication cost more than they save",
            "Ostrom, Walker & Gardner 1992",
            f"gross {sanction['gross_efficiency_mean']:.2f}, net {sanction['net_efficiency_mean']:.2f}",
            "net below gross",
            sanction["net_efficiency_mean"] < sanction["gross_efficiency_mean"],
        ),
        _row(
            "Repeated communication nearly solves a CPR",
            "Ostrom, Walker & Gardner 1992",
            f"{talk:.2f} (observed 0.73)",
            "within 0.10 of 0.73",
            abs(talk - 0.73) <= 0.10,
        ),
        _row(
            "Sanctions a group chose itself work",
            "Ostrom, Walker & Gardner 1992",
            f"net {chosen:.2f} (observed 0.90)",
            "within 0.15 of 0.90",
            abs(chosen - 0.90) <= 0.15,
        ),
        _row(
            "Without punishment, strangers end below partners",
            "Fehr & Gächter 2000",
            f"{decay[-1]:.2f} against {alone:.2f} (observed 0.19 against 0.09)",
            "partner above stranger by 0.05",
            decay[-1] - alone >= 0.05,
        ),
    ]


def field_rows(waste: dict, energy: dict) -> list[dict]:
    """The field's facts, from ``waste_rules.json`` and ``energy_community.json``."""
    w = waste["rulebooks"]
    sq, lift = w["status_quo"], w["pay_per_lift"]
    recovery = sq["household_waste_recovery_rate"]
    residual_sq = 615 * (1 - recovery["mean"]) - sq["dumping_kg"]["mean"]
    residual_lift = 615 * (1 - lift["household_waste_recovery_rate"]["mean"]) - lift["dumping_kg"]["mean"]
    cut = residual_lift / residual_sq - 1.0
    own = energy["household_3_5_kwp_own_use_share"]
    return [
        _row(
            "About half of household waste is recovered",
            "Insee 2025",
            f"{recovery['mean']:.3f} ± {recovery['ci95']:.3f}",
            "0.40 to 0.55",
            0.40 <= recovery["mean"] <= 0.55,
        ),
        _row(
            "Pay-per-lift bins cut residual waste by about 30 %",
            "ADEME 2024",
            f"{cut:+.0%}",
            "a cut of 20 to 40 %",
            -0.40 <= cut <= -0.20,
        ),
        _row(
            "Unwatched pay-per-lift bins send waste into neighbours' bins",
            "002_2c516223579a919e.txt",
            f"{lift['displaced_waste_kg']['mean']:.2f} kg/inh/yr",
            "more than 0",
            lift["displaced_waste_kg"]["mean"] > 0,
        ),
        _row(
            "Households use 25-40 % of their own PV output",
            "Luthander et al. 2015",
            f"{own['mean']:.3f} ± {own['ci95']:.3f}",
            "0.25 to 0.40, within its 95 % interval",
            0.25 <= own["mean"] - own["ci95"] and own["mean"] - own["ci95"] <= 0.40,
        ),
    ]


def governance_rows() -> list[dict]:
    """This model's governance facts and Ostrom's design principles, measured on 20 paired seeds."""
    sc = _territory()
    full = load_rulebook(ROOT / "experiments" / "rulebooks" / "full_ostrom.toml")
    top = load_rulebook(ROOT / "experiments" / "rulebooks" / "top_down.toml")
    rows = []

    def compare(control, treatment, indicator, seeds=SEEDS):
        return compare_rulebooks(sc, control, treatment, [indicator], seeds=seeds, steps=STEPS, window=WINDOW)[
            indicator
        ]

    e = compare(
        without_aims(full, {"monitor", "sanction"}, sanctions=False),
        without_aims(full, {"monitor"}),
        "cooperation_rate",
    )
    rows.append(
        _row(
            "A sanction nobody can be caught for deters nobody",
            "Nagin 2013",
            _effect_text(e),
            "no difference in cooperation",
            e.ci_low <= 0.0 <= e.ci_high,
        )
    )
    trust, dumped = [[], []], [[], []]
    for seed in range(SEEDS):
        for arm, book in enumerate((full, top)):
            f = CommonsModel(sc, seed=seed, rulebook=book, create_agents=False).run(365).iloc[-90:]
            trust[arm].append(float(f["trust_interpersonal"].mean()))
            dumped[arm].append(float((f["dumping_kg"] + f["displaced_waste_kg"]).mean()))
    t = effect(np.array(trust[0]), np.array(trust[1]), paired=True)
    d = effect(np.array(dumped[0]), np.array(dumped[1]), paired=True)
    rows.append(
        _row(
            "Top-down control does not build trust in persons",
            "Frey & Jegen 2001",
            _effect_text(t),
            "top_down not above full_ostrom",
            t.ci_low <= 0.0,
        )
    )
    rows.append(
        _row(
            "Top-down control displaces dumping",
            "002_2c516223579a919e.txt",
            _effect_text(d) + " kg/day",
            "more dumping (street and neighbours' bins) under top_down",
            d.ci_low > 0.0,
        )
    )
    noisy = with_parameters(full, "monitor", error_rate=0.02)
    controlling = with_officials(full, stance="controller")
    principles = [
        ("P1 boundaries keep members in", without_principle(full, 1), full, "members_share", +1),
        ("P2 congruence curbs dumping", without_principle(full, 2), full, "dumping_kg", -1),
        ("P3 collective choice brings attendance", without_principle(full, 3), full, "attendance_rate", +1),
        ("P4 monitoring raises compliance", without_principle(full, 4), full, "compliance_rate", +1),
        ("P5 graduated sanctions keep trust", with_flat_sanctions(noisy), noisy, "member_trust_institutional", +1),
        ("P6 mediation repairs trust", without_principle(noisy, 6), noisy, "member_trust_institutional", +1),
        (
            "P7 recognition protects trust",
            without_principle(controlling, 7),
            controlling,
            "member_trust_institutional",
            +1,
        ),
        ("P8 nested assemblies raise attendance", without_principle(full, 8), full, "attendance_rate", +1),
    ]
    for label, control, treatment, indicator, sign in principles:
        e = compare(control, treatment, indicator)
        holds = e.ci_low > 0 if sign > 0 else e.ci_high < 0
        rows.append(_row(label, "Ostrom 1990", f"{indicator} {_effect_text(e)}", "up" if sign > 0 else "down", holds))
    return rows


def render(patterns: dict) -> str:
    """The markdown table (between the markers of ``docs/validation.md``)."""
    lines = [
        START,
        "",
        f"Generated by `calibration/patterns.py` ({patterns['seeds']} paired seeds for the measured rows);",
        "do not edit by hand. Figures with their 95 % interval where they have one.",
        "",
        "| stylized fact | source | model | must be | holds |",
        "|---|---|---|---|---|",
    ]
    for group in ("lab", "field", "governance"):
        for r in patterns[group]:
            holds = "yes" if r["holds"] else "**no**"
            lines.append(f"| {r['fact']} | {r['source']} | {r['figure']} | {r['condition']} | {holds} |")
    held = sum(r["holds"] for g in ("lab", "field", "governance") for r in patterns[g])
    total = sum(len(patterns[g]) for g in ("lab", "field", "governance"))
    lines += ["", f"{held} of {total} hold.", "", END]
    return "\n".join(lines)


def page_with(table: str, page: str) -> str:
    """``page`` with its patterns block replaced by ``table``."""
    head, rest = page.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + table + tail


def main() -> int:
    validation = json.loads((FIGURES / "validation.json").read_text(encoding="utf-8"))
    waste = json.loads((FIGURES / "waste_rules.json").read_text(encoding="utf-8"))
    energy = json.loads((FIGURES / "energy_community.json").read_text(encoding="utf-8"))
    patterns = {
        "seeds": SEEDS,
        "lab": lab_rows(validation),
        "field": field_rows(waste, energy),
        "governance": governance_rows(),
    }
    OUT.write_text(json.dumps(patterns, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    PAGE.write_text(page_with(render(patterns), PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    print(render(patterns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
