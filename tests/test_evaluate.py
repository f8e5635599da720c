"""``commons-abm evaluate``: two rulebooks paired by seed under the baseline and shocks, the
verdict and money tables, where the proposal fails, and the report."""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pytest

from commons_abm.cli import main
from commons_abm.core.scenario import load_scenario
from commons_abm.evaluation import VERDICT, Evaluation, evaluate
from commons_abm.evaluation.discovery import (
    UNCERTAINTIES,
    Condition,
    FailureBox,
    find_failure_box,
    sample_uncertainties,
    scenario_values,
)
from commons_abm.evaluation.measures import better_share
from commons_abm.evaluation.report import CSV_FILES, build_document, condition_text, tables
from commons_abm.governance.rulebook import load_rulebook
from commons_abm.shocks import load_shock
from commons_abm.sweeps.compare import compare_rulebooks

from .conftest import ROOT

TERRITORY = ROOT / "experiments" / "territories" / "example.toml"
INDICATORS = [m.column for m in VERDICT]


def _book(name: str):
    return load_rulebook(ROOT / "experiments" / "rulebooks" / f"{name}.toml")


@pytest.fixture(scope="module")
def small() -> object:
    """status quo against full Ostrom on the example territory: 4 seeds, 1 year, the price spike."""
    evaluation = Evaluation(
        load_scenario(TERRITORY),
        _book("status_quo"),
        _book("full_ostrom"),
        years=1,
        seeds=4,
        shocks=(load_shock("price_spike"),),
        samples=20,
    )
    return evaluate(evaluation, workers=1)


@pytest.mark.parametrize("condition", ["baseline", "price_spike"])
def test_the_verdict_equals_compare_rulebooks_on_the_same_seeds(small, condition) -> None:
    e = small.evaluation
    shocks = tuple(e.shocks_of(condition))
    effects = compare_rulebooks(
        e.scenario,
        e.today,
        e.proposal,
        INDICATORS,
        seeds=e.seeds,
        steps=e.steps,
        window=e.window,
        confidence=0.9,
        shocks=shocks,
    )
    verdict = small.verdict(condition)
    for name, effect in effects.items():
        row = verdict.loc[name]
        assert row["difference"] == pytest.approx(effect.difference, rel=1e-12, abs=1e-12), name
        assert row["low"] == pytest.approx(effect.ci_low, rel=1e-12, abs=1e-12), name
        assert row["high"] == pytest.approx(effect.ci_high, rel=1e-12, abs=1e-12), name
        assert row["today"] == pytest.approx(effect.control_mean, rel=1e-12, abs=1e-12), name


def test_a_shock_changes_the_runs_and_the_baseline_is_left_alone(small) -> None:
    runs = small.runs
    base = runs[runs["condition"] == "baseline"].set_index(["arm", "seed"])[INDICATORS]
    spike = runs[runs["condition"] == "price_spike"].set_index(["arm", "seed"])[INDICATORS]
    assert not np.allclose(base.to_numpy(), spike.to_numpy(), equal_nan=True)
    saving = "bill_saving_eur_per_participant"
    assert (spike[saving] > base[saving]).all(), "doubling the grid price raises what sharing saves"


def test_the_chance_of_doing_better_counts_seeds_in_the_good_direction() -> None:
    today, proposal = np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 1.0, 3.0, 5.0])
    assert better_share(today, proposal, +1) == pytest.approx((1 + 0 + 0.5 + 1) / 4)
    assert better_share(today, proposal, -1) == pytest.approx((0 + 1 + 0.5 + 0) / 4)
    assert np.isnan(better_share(np.array([np.nan]), np.array([1.0]), 1))


def test_money_per_group_adds_up(small) -> None:
    money = small.money_by_group()
    assert {"with_pv", "without_pv", "energy_poor"} <= set(money.index)
    for arm in ("today", "proposal"):
        net = money[f"saving_{arm}"] - money[f"fee_{arm}"] - money[f"fines_{arm}"]
        np.testing.assert_allclose(money[f"net_{arm}"], net)
    np.testing.assert_allclose(money["net_change"], money["net_proposal"] - money["net_today"])
    # the status quo's fee is 2 EUR a month for members who pay it: no agent pays more
    assert (money["fee_today"] > 0).all() and (money["fee_today"] <= 2.0).all()
    assert (money["agents"] > 0).all()


def test_the_same_evaluation_on_two_workers_gives_the_same_runs(small) -> None:
    again = evaluate(small.evaluation, workers=2)
    pd.testing.assert_frame_equal(again.runs, small.runs)
    pd.testing.assert_frame_equal(again.money, small.money)


def test_a_box_selects_its_samples_and_reads_as_conditions() -> None:
    points = sample_uncertainties(200, seed=5)
    cooperative, trust = UNCERTAINTIES[0].path, UNCERTAINTIES[3].path
    failed = (points[cooperative] < 0.35) & (points[trust] > 0.5)
    box = find_failure_box(points, failed.to_numpy(), "members_share")
    assert box.found
    assert {c.path for c in box.conditions} == {cooperative, trust}
    assert box.density > 0.8 and box.coverage >= 0.5
    inside = box.selects(points)
    assert failed[inside].mean() == pytest.approx(box.density)
    text = condition_text(box, "en")
    assert re.search(r"cooperative households is at most 3\d%", text), text
    assert "trust in the institutions at the start is at least 0.5" in text, text
    assert "ménages coopératifs vaut au plus 3" in condition_text(box, "fr")


def test_no_box_when_failures_are_too_rare_or_have_no_pattern() -> None:
    points = sample_uncertainties(200, seed=6)
    rare = np.zeros(200, bool)
    rare[:3] = True
    assert not find_failure_box(points, rare, "x").found
    noise = np.random.default_rng(0).random(200) < 0.5
    assert not find_failure_box(points, noise, "x").found


def test_compensated_shares_keep_their_sum() -> None:
    scenario = load_scenario(TERRITORY)
    for _, point in sample_uncertainties(50, seed=7).iterrows():
        values = scenario_values(scenario, point.to_dict())
        motives = scenario.behaviour.motives.households
        before = motives.cooperative + motives.individualistic
        after = sum(values[f"behaviour.motives.households.{m}"] for m in ("cooperative", "individualistic"))
        assert after == pytest.approx(before)


def test_the_failure_conditions_select_fresh_runs_where_the_proposal_does_worse() -> None:
    """Conditions found on 100 sampled futures (status quo against community enforcement, one
    year, 2 replicates each), applied to 60 new futures (other points, other seeds): inside
    them the proposal does worse more often than outside them, and than over all."""
    scenario = load_scenario(TERRITORY)
    today, proposal = _book("status_quo"), _book("community_enforced")
    found = evaluate(Evaluation(scenario, today, proposal, years=1, seeds=2, samples=100), workers=2)
    boxes = [box for box in found.boxes.values() if box.found]
    assert boxes, "some indicator has a failure box"
    fresh = evaluate(
        Evaluation(scenario, today, proposal, years=1, seeds=2, samples=60, discovery_seed=99), workers=2
    ).outcomes()
    for box in boxes:
        worse = fresh[box.indicator].to_numpy() < 0
        inside = box.selects(fresh)
        assert 5 <= inside.sum() <= len(fresh) - 5, (box, inside.sum())
        assert worse[inside].mean() > worse[~inside].mean() + 0.2, (box, worse[inside].mean(), worse[~inside].mean())
        assert worse[inside].mean() > worse.mean()


def test_the_report_says_the_same_in_english_and_french(small) -> None:
    for lang, title in (("en", "Evaluating a proposed rulebook"), ("fr", "Évaluation d'un règlement proposé")):
        doc = build_document(small, lang, "commons-abm evaluate ...")
        assert doc.title.startswith(title)
        kinds = [b.kind for b in doc.blocks]
        assert kinds.count("h2") == 6  # verdict, money, shocks, failures, assumptions, reproducing
        assert kinds.count("figure") >= 2
    frames = tables(small)
    assert set(frames) == set(CSV_FILES)
    verdict = frames["verdict.csv"]
    assert set(verdict["condition"]) == {"baseline", "price_spike"}
    assert len(verdict) == 2 * len(VERDICT)


def test_a_failure_box_outside_the_samples_selects_nothing() -> None:
    box = FailureBox("x", (Condition(UNCERTAINTIES[0].path, 2.0, None),), 1.0, 1.0, 0.5, 10)
    assert not box.selects(sample_uncertainties(30, seed=1)).any()


# ------------------------------------------------------------------------------ the command
def _evaluate_args(out, *extra: str) -> list[str]:
    return [
        "evaluate",
        "--scenario",
        str(TERRITORY),
        "--today",
        "status_quo",
        "--proposal",
        "full_ostrom",
        "--years",
        "1",
        "--seeds",
        "3",
        "--samples",
        "20",
        "--workers",
        "1",
        "--no-progress",
        "--out",
        str(out),
        *extra,
    ]


def test_the_command_writes_a_self_contained_report_in_french(tmp_path, capsys) -> None:
    out = tmp_path / "report"
    assert main(_evaluate_args(out, "--shocks", "price_spike", "--lang", "fr")) == 0
    names = {p.name for p in out.iterdir()}
    assert names == {"report.html", "report.pdf", *CSV_FILES}
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and "Le verdict" in page and "Là où la proposition échoue" in page
    assert not re.search(r"""(src|href)=["']?https?:""", page), "nothing fetched from the network"
    assert page.count("<svg") >= 2  # the verdict and the money; the failures have one when a box is found
    assert "commons-abm evaluate --scenario" in page
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    with open(out / "verdict.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 * len(VERDICT)
    assert "wrote" in capsys.readouterr().out
    # the report's table is compare_rulebooks' on the same seeds
    effects = compare_rulebooks(
        load_scenario(TERRITORY),
        "status_quo",
        "full_ostrom",
        INDICATORS,
        seeds=3,
        steps=365,
        window=365,
        confidence=0.9,
        shocks=(load_shock("price_spike"),),
    )
    for row in (r for r in rows if r["condition"] == "price_spike"):
        effect = effects[row["indicator"]]
        assert float(row["difference"]) == pytest.approx(effect.difference, rel=1e-9, abs=1e-12)
        assert float(row["low"]) == pytest.approx(effect.ci_low, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--years", "0"], "--years"),
        (["--seeds", "1"], "--seeds"),
        (["--samples", "5"], "--samples"),
        (["--lang", "de"], "--lang"),
        (["--shocks", "no_such_shock"], "no_such_shock"),
        (["--shocks", "price_spike", "--shocks", "price_spike"], "given twice"),
        (["--shocks", "price_spike", "--no-shocks"], "--no-shocks"),
        (["--workers", "x"], "--workers"),
    ],
)
def test_bad_options_are_refused_in_one_line_and_nothing_is_written(tmp_path, capsys, extra, message) -> None:
    out = tmp_path / "report"
    assert main(_evaluate_args(out, *extra)) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err, err
    assert not out.exists()


def test_bad_files_are_refused_in_one_line_and_nothing_is_written(tmp_path, capsys) -> None:
    late = tmp_path / "late.toml"
    text = (ROOT / "experiments" / "shocks" / "price_spike.toml").read_text()
    late.write_text(re.sub(r"start_day = \d+", "start_day = 400", text))
    broken = tmp_path / "broken.toml"
    broken.write_text("[[statements]\n")
    cases = [
        (["--shocks", str(late)], "day 400"),
        (["--today", str(broken)], "broken.toml"),
        (["--proposal", "no_such_rulebook"], "no_such_rulebook"),
    ]
    for extra, message in cases:
        out = tmp_path / "report"
        args = _evaluate_args(out, *extra)
        if extra[0] in ("--today", "--proposal"):
            i = args.index(extra[0])
            args[i + 1] = extra[1]
        assert main(args) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and message in err, err
        assert not out.exists()
    scenario = tmp_path / "bad_scenario.toml"
    scenario.write_text("[territory]\nhouseholds = -3\n")
    args = _evaluate_args(tmp_path / "report")
    args[args.index("--scenario") + 1] = str(scenario)
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "bad_scenario.toml" in err and err.count("\n") == 0
    assert not (tmp_path / "report").exists()


def test_a_territory_whose_shares_cannot_absorb_the_sampled_futures_is_refused_in_one_line(tmp_path, capsys) -> None:
    """Sampling 20-70 % cooperative households moves the individualistic share the other way;
    a scenario with too few individualists for that is refused before any run."""
    scenario = tmp_path / "few_individualists.toml"
    scenario.write_text(
        "[territory]\nhouseholds = 10\nfirms = 1\nofficials = 1\n"
        "[behaviour.motives.households]\ncooperative = 0.2\nindividualistic = 0.05\n"
        "competitive = 0.7\nmixed = 0.05\n"
    )
    args = _evaluate_args(tmp_path / "report", "--no-shocks")
    args[args.index("--scenario") + 1] = str(scenario)
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "individualistic" in err, err
    assert not (tmp_path / "report").exists()


def test_an_evaluation_refuses_a_shock_that_cannot_act() -> None:
    """What the command refuses, the API refuses too: a shock after the last day, a shock
    twice, a shock named as the report's own conditions."""
    from commons_abm.core.errors import InputError

    scenario, today, proposal = load_scenario(TERRITORY), _book("status_quo"), _book("full_ostrom")
    spike = load_shock("price_spike")
    cases = [
        ((spike.starting(365),), "after the run's last day 364"),
        ((spike, spike), "given twice"),
        ((spike.model_copy(update={"name": "baseline"}),), "keeps for itself"),
    ]
    for shocks, message in cases:
        with pytest.raises(InputError, match=message):
            Evaluation(scenario, today, proposal, years=1, seeds=2, shocks=shocks, samples=20)
