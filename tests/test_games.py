"""Lab games: the behavioural core (calibrated) reproduces the classic laboratory results.

Stochastic claims are checked on the mean of ``SEEDS`` sessions of ``GROUPS`` groups each;
tolerances are stated with each test.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from commons_abm.behaviour.decisions import intrinsic_cooperation
from commons_abm.behaviour.motives import CONDITIONAL, FREE_RIDER, HUMP_SHAPED, OTHER
from commons_abm.cli import GAME_CPR_TREATMENTS, main
from commons_abm.core.scenario import Behaviour
from commons_abm.games import TREATMENTS, CPRRules, PublicGoodsRules, play_cpr, play_public_goods
from commons_abm.games.lab import group_ties, lab_behaviour, others_mean
from commons_abm.games.strategy_method import TYPE_NAMES, classify_tables, contribution_tables, measured_type_shares

SEEDS, GROUPS = (1, 2, 3), 100


def _trajectory(**kw) -> np.ndarray:
    return np.mean(
        [play_public_goods(lab_behaviour(), groups=GROUPS, seed=s, **kw).contribution_share for s in SEEDS], axis=0
    )


def _cpr(treatment: str, endowment: int = 25) -> dict:
    runs = [
        play_cpr(lab_behaviour(), treatment=treatment, endowment=endowment, groups=GROUPS, seed=s).summary()
        for s in SEEDS
    ]
    return {k: float(np.mean([r[k] for r in runs])) for k in ("gross_efficiency", "net_efficiency")}


# ------------------------------------------------------------------ public goods
def test_contributions_decay_without_punishment() -> None:
    """Partner, no punishment: period 1 in [0.35, 0.65], period 10 at most half of it."""
    share = _trajectory(punishment=False, matching="partner")
    assert 0.35 <= share[0] <= 0.65
    assert share[-1] <= 0.5 * share[0]


def test_punishment_sustains_cooperation_with_partners() -> None:
    """Partner, punishment: period 10 above 0.7, and above the no-punishment session."""
    share = _trajectory(punishment=True, matching="partner")
    assert share[-1] > 0.7
    assert share[-1] > _trajectory(punishment=False, matching="partner")[-1] + 0.3


def test_partners_end_above_strangers_with_punishment() -> None:
    """With punishment, partner groups end higher than stranger groups in every seed, and
    by at least 0.15 on the mean of the seeds (Fehr & Gächter 2000: 0.88 against 0.58)."""
    gaps = []
    for seed in SEEDS:
        partner = play_public_goods(lab_behaviour(), punishment=True, matching="partner", groups=GROUPS, seed=seed)
        stranger = play_public_goods(lab_behaviour(), punishment=True, matching="stranger", groups=GROUPS, seed=seed)
        assert partner.contribution_share[-1] > stranger.contribution_share[-1]
        gaps.append(partner.contribution_share[-1] - stranger.contribution_share[-1])
    assert np.mean(gaps) >= 0.15


def test_strangers_expect_the_prior_where_they_learned_nothing() -> None:
    """With nothing learned about strangers (``sanction_generalisation`` 0), stranger groups
    with punishment end lower than when all that was learned carries over (1), in every seed."""
    for seed in SEEDS:
        ends = [
            play_public_goods(
                lab_behaviour(),
                punishment=True,
                matching="stranger",
                groups=GROUPS,
                seed=seed,
                rules=replace(PublicGoodsRules(), sanction_generalisation=g),
            ).contribution_share[-1]
            for g in (0.0, 1.0)
        ]
        assert ends[0] < ends[1]


def test_public_goods_is_reproducible_and_seed_dependent() -> None:
    a = play_public_goods(punishment=True, matching="stranger", groups=10, seed=7)
    b = play_public_goods(punishment=True, matching="stranger", groups=10, seed=7)
    c = play_public_goods(punishment=True, matching="stranger", groups=10, seed=8)
    assert np.array_equal(a.contribution_share, b.contribution_share)
    assert not np.array_equal(a.contribution_share, c.contribution_share)


def test_contributions_follow_the_territory_decision_rule() -> None:
    """Period 1 (no punishment) is the territory's intrinsic cooperation at the initial belief:
    the mean share over 400 groups lies within 0.02 of its expectation over the drawn subjects."""
    behaviour = lab_behaviour()
    result = play_public_goods(behaviour, groups=400, periods=1, seed=3)
    from commons_abm.games.lab import draw_subjects, game_streams

    subjects = draw_subjects(1600, behaviour, game_streams(3)["subjects"])
    expected = intrinsic_cooperation(subjects.cc_type, subjects.belief, subjects.group_weight, behaviour).mean()
    assert abs(result.contribution_share[0] - expected) < 0.02


def test_group_helpers() -> None:
    group = np.array([0, 1, 0, 1, 1])
    ties = group_ties(group, 0.5)
    assert ties.n_ties == 1 + 3
    assert np.allclose(others_mean(np.array([1.0, 0.0, 3.0, 2.0, 4.0]), group), [3.0, 3.0, 1.0, 2.0, 1.0])


# ------------------------------------------------------------------ strategy method
def test_classifier_recognises_the_four_patterns() -> None:
    levels = np.arange(21)
    tables = np.array(
        [
            np.rint(0.7 * levels),  # conditional
            np.zeros(21),  # free rider
            np.minimum(levels, 20 - levels),  # hump-shaped
            np.full(21, 5.0),  # other (constant)
        ]
    )
    assert classify_tables(tables).tolist() == [0, 1, 2, 3]
    assert TYPE_NAMES == ("conditional", "free_rider", "hump_shaped", "other")


def test_types_without_motives_are_measured_as_drawn() -> None:
    """With no motive weight, each drawn type's table is classified as that type."""
    data = Behaviour().model_dump()
    data["decisions"]["motive_weight"] = 0.0
    behaviour = Behaviour(**data)
    cc = np.array([CONDITIONAL, FREE_RIDER, HUMP_SHAPED, OTHER], dtype=np.int8)
    tables = contribution_tables(cc, np.zeros(4), behaviour)
    assert classify_tables(tables).tolist() == [0, 1, 2, 3]


def test_fitted_type_shares_match_fischbacher_gaechter_fehr() -> None:
    """Measured shares of the calibrated subjects within 5 percentage points of 50/30/14/6
    (20,000 subjects: sampling error about 0.4 points)."""
    shares = measured_type_shares(lab_behaviour(), subjects=20_000, seed=11)
    assert np.abs(shares - np.array([0.50, 0.30, 0.14, 0.06])).max() < 0.05, shares


# ------------------------------------------------------------------ CPR
def test_cpr_parameters_of_ostrom_gardner_walker() -> None:
    rules = CPRRules()
    assert rules.optimum == 36.0 and rules.nash == 8.0
    assert rules.max_rent == 324.0
    assert rules.nash_efficiency() == pytest.approx(128.0 / 324.0)


def test_cpr_baseline_is_near_the_non_cooperative_prediction() -> None:
    """Baseline net efficiency below the optimum's (1) and within 0.15 of Nash (0.395), for
    both endowments."""
    nash = CPRRules().nash_efficiency()
    for endowment in (10, 25):
        net = _cpr("baseline", endowment)["net_efficiency"]
        assert net < 0.9
        assert abs(net - nash) < 0.15, (endowment, net)


def test_cpr_communication_raises_efficiency() -> None:
    """One-shot and repeated communication each raise net efficiency by at least 0.05."""
    base = _cpr("baseline")["net_efficiency"]
    assert _cpr("one_shot_communication")["net_efficiency"] > base + 0.05
    assert _cpr("repeated_communication")["net_efficiency"] > base + 0.05


def test_cpr_sanctions_without_communication_cost_more_than_they_save() -> None:
    """Sanctioning alone: net efficiency below gross by at least 0.05 (fees and fines)."""
    eff = _cpr("sanctions")
    assert eff["net_efficiency"] < eff["gross_efficiency"] - 0.05


def test_cpr_rejects_unknown_treatment() -> None:
    with pytest.raises(ValueError, match="allowed"):
        play_cpr(treatment="anarchy")


# ------------------------------------------------------------------ command line
def test_cli_treatments_match_the_games() -> None:
    assert GAME_CPR_TREATMENTS == TREATMENTS


def test_cli_public_goods_writes_periods_and_summary(tmp_path, capsys) -> None:
    out = tmp_path / "pg"
    assert (
        main(
            [
                "game",
                "public-goods",
                "--punishment",
                "--matching",
                "stranger",
                "--groups",
                "5",
                "--seed",
                "3",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    lines = (out / "periods.csv").read_text().splitlines()
    assert lines[0].startswith("period,mean_contribution_share")
    assert len(lines) == 11
    summary = json.loads((out / "summary.json").read_text())
    assert summary["punishment"] is True and summary["matching"] == "stranger"


def test_cli_cpr_writes_rounds_and_summary(tmp_path) -> None:
    out = tmp_path / "cpr"
    assert (
        main(
            [
                "game",
                "cpr",
                "--treatment",
                "sanctions",
                "--endowment",
                "10",
                "--groups",
                "4",
                "--rounds",
                "12",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    assert {"gross_efficiency", "net_efficiency"} <= summary.keys()
    assert len((out / "rounds.csv").read_text().splitlines()) == 13


@pytest.mark.parametrize(
    "argv",
    [
        ["game", "cpr", "--treatment", "anarchy"],
        ["game", "cpr", "--endowment", "12"],
        ["game", "cpr", "--treatment", "sanctions", "--rounds", "10"],
        ["game", "public-goods", "--matching", "random"],
        ["game", "public-goods", "--groups", "0"],
    ],
)
def test_cli_bad_arguments_are_one_line_exit_2(argv, tmp_path, capsys) -> None:
    out = tmp_path / "never"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("commons-abm: error:")
    assert not out.exists()
