"""Decisions (:mod:`commons_abm.behaviour.decisions`): the population kernel's per-agent
outputs equal its one-agent form, agent after agent (five standard normals per agent from
stream ``behaviour``); deterrence acts only through an expected sanction; the decisions
of one agent are separate, correlated through its disposition."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from commons_abm.behaviour import decisions
from commons_abm.behaviour.waste_choices import PER_LIFT, WasteCharge, choice_parameters, household_choice
from commons_abm.core.kinds import DISCARDS_GOODS, MATERIAL_ROLE_OF
from commons_abm.core.scenario import Scenario
from commons_abm.governance.institutions import FLAT, GRADUATED, NO_SANCTION, Binding, binds
from commons_abm.governance.monitoring import peer_coverage
from commons_abm.governance.sanctions import next_fine_of
from tests.contract import MechanismContract

OUTPUTS = ("propensity", "cooperated", "claim", "intrinsic", "pays_fee", "goodwill")
POPULATION = (
    "propensity",
    "cooperated",
    "claim",
    "waste",
    "pays_fee",
    "bound",
    "breach",
    "sanctionable",
    "bound_sanctioned",
    "goodwill",
    "visible",
)
OVERDRAW = 1.0  # the largest overdraw factor the fixture draws


class TestDecision(MechanismContract):
    """Whether each agent cooperates today, and what that means for its flows."""

    module = decisions
    stream = "behaviour"
    parameters = decisions.DecisionParameters
    bounds = {
        "propensity": (0.0, 1.0),
        "cooperated": (0.0, 1.0),
        "claim": (1.0, 1.0 + OVERDRAW),
        "sort": (0.0, 1.0),
        "dump_goods": (0.0, 1.0),
        "breach": (0.0, 1.0),
        "pays_fee": (0.0, 1.0),
        "goodwill": (0.0, 1.0),
        "visible": (0.0, 1.0),
        "to_neighbours": (0.0, 1.0),
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        degree = rng.integers(0, 8, n)
        indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int64)

        def binding() -> Binding:
            flags = (bool(x) for x in rng.random(len(Binding._fields) - 2) < 0.4)
            return Binding(*flags, int(rng.integers(-1, 2)), int(rng.integers(-1, 2)))  # ... and has_pv clauses

        monitors = int(rng.integers(1, 4))
        return {
            "cc_type": rng.integers(0, 4, n).astype(np.int8),
            "belief": rng.uniform(0.0, 1.0, n),
            "group_weight": rng.uniform(0.0, 1.0, n),
            "trust": rng.uniform(0.0, 1.0, n),
            "member": rng.random(n) < 0.6,
            "cooperated_before": rng.random(n) < 0.5,
            "kind": rng.integers(0, 3, n).astype(np.int8),
            "has_pv": rng.random(n) < 0.3,
            "offence_level": rng.integers(0, 4, n).astype(np.int64),
            "indptr": indptr,
            "indices": rng.integers(0, n, int(indptr[-1])).astype(np.int64),
            "legitimacy_level": rng.uniform(0.0, 1.0, n),
            "fine_scale": rng.uniform(0.5, 2.0, n),
            "fee_level": rng.uniform(0.0, 0.3, n),
            "battery_received": np.where(rng.random(n) < 0.5, rng.uniform(0.0, 3.0, n), 0.0),
            "waste_kg": rng.uniform(0.0, 5.0, n),
            "temptation": decisions.TemptationParameters(
                battery_margin_eur_per_kwh=rng.uniform(0.0, 0.2),
            ),
            "decision": decisions.DecisionParameters(
                slope=rng.uniform(0.5, 1.0),
                other_level=rng.uniform(0.0, 0.5),
                motive_weight=rng.uniform(0.0, 0.3),
                legitimacy_weight=rng.uniform(0.0, 1.0),
                crowding_out=rng.uniform(0.0, 0.5),
                authority_bias=rng.uniform(0.0, 0.5),
                deterrence_noise=rng.uniform(0.1, 1.0),
                overdraw_factor=rng.uniform(0.0, OVERDRAW),
                disposition_correlation=rng.uniform(0.0, 1.0),
                obligation_weight=rng.uniform(0.0, 0.5),
            ),
            "crowding": bool(rng.random() < 0.5),
            "binding": binding(),
            "sanctioned_binding": binding(),
            "deterring": bool(rng.random() < 0.8),
            "who": rng.integers(0, 4, monitors).astype(np.int64),
            "p": rng.uniform(0.05, 0.5, monitors),
            "scheme": int(rng.choice([NO_SANCTION, FLAT, GRADUATED], p=[0.2, 0.4, 0.4])),
            "ladder": np.sort(rng.uniform(0.0, 20.0, 3)),
            "flat_fine": float(rng.uniform(1.0, 20.0)),
            "fee_charged": bool(rng.random() < 0.7),
            "charge": WasteCharge(
                int(rng.integers(0, 3)), 93.0, rng.uniform(0.0, 0.3), rng.uniform(0.0, 5.0), 15.0, rng.uniform(0, 40)
            ),
            "choice": choice_parameters(Scenario())._replace(trip_eur_per_kg=rng.uniform(0.0, 2.0)),
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        n = f["belief"].size
        z = rngs["behaviour"].standard_normal((n, 5))
        out = decisions.decide_arrays(
            f["cc_type"],
            f["belief"],
            f["group_weight"],
            f["trust"],
            f["member"],
            f["cooperated_before"],
            f["kind"],
            f["has_pv"],
            f["offence_level"],
            f["indptr"],
            f["indices"],
            z,
            f["legitimacy_level"],
            f["fine_scale"],
            f["fee_level"],
            f["battery_received"],
            f["waste_kg"],
            f["decision"],
            f["temptation"],
            f["crowding"],
            f["binding"],
            f["sanctioned_binding"],
            f["deterring"],
            f["who"],
            f["p"],
            f["scheme"],
            f["ladder"],
            f["flat_fine"],
            f["fee_charged"],
            f["charge"],
            f["choice"],
        )
        got = dict(zip(POPULATION, out))
        waste = got.pop("waste")
        return {
            **got,
            "sort": waste.sort,
            "dump_goods": waste.dump_goods,
            "dump_bag": waste.dump_bag,
            "to_neighbours": waste.to_neighbours,
        }

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        n = f["belief"].size
        z = rngs["behaviour"].standard_normal((n, 5))
        d = f["decision"]
        # the community's part: who a rule binds, whether sanctions deter anyone, peer coverage
        parts = decisions.split_binding(f["binding"])
        sanctioned_parts = decisions.split_binding(f["sanctioned_binding"])
        bound = [binds(part, f["member"], f["kind"], f["has_pv"]) for part in parts]
        sanctionable = [binds(part, f["member"], f["kind"], f["has_pv"]) for part in sanctioned_parts]
        deterred = f["deterring"] and any(bool(s.any()) for s in sanctionable)
        coverage = peer_coverage(f["indptr"], f["indices"], f["member"], f["cooperated_before"])
        duty = peer_coverage(f["indptr"], f["indices"], f["member"], f["member"])
        out: dict[str, list] = {name: [] for name in (*POPULATION, "sort", "dump_goods", "dump_bag", "to_neighbours")}
        per_lift = f["charge"].scheme == PER_LIFT
        usual = f["choice"].neighbour_bin_share if per_lift else 0.0
        for i in range(n):
            u = decisions.disposition_uniforms(z[i], d.disposition_correlation)
            s_over, s_fee, s_dump = (bool(s[i]) for s in sanctionable)
            expected = gain_over = gain_fee = fine_goods = fine_bag = 0.0
            hidden = usual
            if deterred and (s_over or s_fee or s_dump):

                def seen(visible: float, i: int = i) -> float:
                    return 1.0 - decisions.missed_by_monitors(
                        f["who"], f["p"], coverage[i], duty[i], d.authority_bias, visible
                    )

                detected = seen(1.0)
                fine = next_fine_of(f["scheme"], f["ladder"], f["flat_fine"], f["offence_level"][i], f["fine_scale"][i])
                expected = detected * fine
                if s_dump:
                    fine_goods = expected
                    hidden, fine_bag = decisions.bag_destination(
                        per_lift, usual, fine, detected, seen(0.0), seen(1.0 - usual)
                    )
                stake = (bool(f["member"][i]), float(f["fee_level"][i]), float(f["battery_received"][i]))
                gain_over = decisions.temptation_of(sanctioned_parts[0], *stake, d.overdraw_factor, f["temptation"])
                gain_fee = decisions.temptation_of(sanctioned_parts[1], *stake, 0.0, f["temptation"])
            propensity, cooperated, claim, intrinsic, obliged, pays_fee, goodwill = decisions.agent_decision(
                int(f["cc_type"][i]),
                float(f["belief"][i]),
                float(f["group_weight"][i]),
                float(f["trust"][i]),
                float(f["legitimacy_level"][i]),
                float(u[0]),
                float(u[1]),
                bool(bound[2][i]),
                f["crowding"],
                deterred,
                expected,
                gain_over,
                gain_fee,
                bool(bound[0][i]),
                s_over,
                s_fee,
                f["fee_charged"] and bool(bound[1][i]),
                d,
            )
            role = int(MATERIAL_ROLE_OF[f["kind"][i]])
            dumping = obliged if bound[2][i] else intrinsic
            c = household_choice(
                role, intrinsic, dumping, float(f["waste_kg"][i]), fine_goods, fine_bag, f["charge"], f["choice"]
            )
            dump_goods, dump_bag = float(u[2] < c.dump_goods), float(u[3] < c.dump_bag)
            dumps = dump_goods > 0 or dump_bag > 0
            b_over, b_fee, b_dump = (bool(b[i]) for b in bound)
            other = (b_over and not cooperated) or (b_fee and not pays_fee)
            row = {
                "propensity": propensity,
                "cooperated": cooperated,
                "claim": claim,
                "pays_fee": pays_fee,
                "bound": b_over or b_fee or b_dump,
                "breach": (b_over and not cooperated) or (b_fee and not pays_fee) or (b_dump and dumps),
                "sanctionable": deterred
                and ((s_over and not cooperated) or (s_fee and not pays_fee) or (s_dump and dumps)),
                "bound_sanctioned": deterred and (s_over or s_fee or s_dump),
                "goodwill": goodwill,
                "visible": 1.0 - hidden if dumps and dump_goods == 0.0 and not other else 1.0,
                "to_neighbours": hidden if role == DISCARDS_GOODS else 0.0,
                "sort": c.sort,
                "dump_goods": dump_goods,
                "dump_bag": dump_bag,
            }
            for name, value in row.items():
                out[name].append(value)
        return {name: np.array(values, dtype=float) for name, values in out.items() if values}

    @staticmethod
    def _decision(d, *, u=0.99, bound_dumping=True, deterred=True, expected=0.0, gain=0.5, sanctionable=True):
        """One agent's (propensity, ..., goodwill): a conditional cooperator expecting 0.3 of
        others, a fee and an overdraw rule both sanctioned, no crowding out."""
        return decisions.agent_decision(
            1,
            0.3,
            0.5,
            0.5,
            0.5,
            u,
            u,
            bound_dumping,
            False,
            deterred,
            expected,
            gain,
            gain,
            True,
            sanctionable,
            sanctionable,
            True,
            d,
        )

    def test_a_rule_without_a_sanction_acts_through_what_others_are_expected_to_do(self) -> None:
        """A rule that binds a decision moves the expectation of others toward compliance by
        the obligation's weight times institutional trust, sanctioned or not: nothing with a
        weight or a trust of 0; more cooperation where it binds, the same where it does not."""
        assert decisions.obliged_belief(0.3, 0.8, 0.0) == 0.3
        assert decisions.obliged_belief(0.3, 0.0, 0.5) == 0.3
        assert decisions.obliged_belief(0.3, 0.5, 0.4) == pytest.approx(0.3 + 0.2 * 0.7)
        assert decisions.obliged_belief(1.0, 1.0, 1.0) == 1.0
        d = decisions.DecisionParameters(1.0, 0.2, 0.1, 0.5, 0.3, 0.2, 0.3, 0.5, 0.3, 0.3)
        args = (0, 0.3, 0.5, 0.5, 0.5, 0.99, 0.99, True, False, False, 0.0, 0.0, 0.0)  # a conditional cooperator
        bound = decisions.agent_decision(*args, True, False, False, True, d)
        free = decisions.agent_decision(*args, False, False, False, True, d)
        assert bound[0] > free[0] and bound[0] == bound[4]  # the claim's chance is the obliged motive's
        assert free[0] == free[3] and bound[3] == free[3]  # unbound: the motive of its own accord
        nothing = d._replace(obligation_weight=0.0)
        assert decisions.agent_decision(*args, True, False, False, True, nothing)[0] == free[0]

    def test_deterrence_raises_propensity(self) -> None:
        d = decisions.DecisionParameters(1.0, 0.2, 0.1, 0.5, 0.3, 0.2, 0.3, 0.5, 0.3, 0.0)
        free = self._decision(d, expected=0.0)[0]
        deterred = self._decision(d, expected=5.0)[0]
        assert deterred > free

    def test_no_expected_sanction_deters_nobody(self) -> None:
        """A sanction nobody expects to be caught for (no monitoring, or no fine) changes
        nothing: the deterrence term is exactly zero, whatever its noise and the temptation."""
        for noise in (0.05, 1.0, 3.0):
            d = decisions.DecisionParameters(1.0, 0.2, 0.1, 0.5, 0.3, 0.2, noise, 0.5, 0.3, 0.0)
            unbound = self._decision(d, sanctionable=False)
            for gain in (0.0, 0.01, 0.5, 100.0):
                assert self._decision(d, expected=0.0, gain=gain) == unbound
        assert decisions.deterrence_response(np.array([0.0, 1e-9, 1.0, 1e9]), 1.0, 1.0).tolist() == pytest.approx(
            [0.0, 0.0, 0.5, 1.0], abs=1e-6
        )

    def test_deterrence_is_the_share_whose_valuation_is_below_the_sanction(self) -> None:
        """Deterrence is the log-normal distribution function of the expected sanction, with
        median the temptation: half deterred at E = g, and the same share at E = g k and
        g' k for any g, g' (only the ratio counts)."""
        from scipy.stats import lognorm

        expected = np.array([0.1, 0.5, 1.0, 2.0, 10.0])
        for noise in (0.3, 1.35):
            got = decisions.deterrence_response(expected, 1.0, noise)
            assert got == pytest.approx(lognorm.cdf(expected, s=noise, scale=1.0), abs=1e-12)
            assert decisions.deterrence_response(expected * 7.0, 7.0, noise) == pytest.approx(got)

    def test_goodwill_is_the_unwatched_share(self) -> None:
        """Without deterrence an agent's cooperation is all its own (goodwill 1); under a
        sanction it expects, the share it would give unwatched: intrinsic / propensity."""
        d = decisions.DecisionParameters(1.0, 0.2, 0.1, 0.5, 0.3, 0.2, 0.3, 0.5, 0.3, 0.0)
        assert self._decision(d, expected=0.0)[6] == 1.0
        propensity, _, _, intrinsic, _, _, goodwill = self._decision(d, expected=5.0)
        assert goodwill == pytest.approx(intrinsic / propensity) and goodwill < 1.0

    def test_decisions_are_separate_and_correlated_through_the_disposition(self) -> None:
        """Each decision has its own draw: with correlation 0 the draws are independent,
        with 1 they are one draw; in between, the correlation of the two cooperative
        decisions' uniforms is near rho (a Gaussian copula: Spearman's rho of the uniforms,
        6/pi asin(rho/2), within 0.02 over 20,000 agents), and dumping goes the other way."""
        rng = np.random.default_rng(3)
        z = rng.standard_normal((20_000, 5))
        for rho in (0.0, 0.3, 0.8):
            u = np.array([decisions.disposition_uniforms(row, rho) for row in z])
            expected = 6.0 / np.pi * np.arcsin(rho / 2.0)
            assert np.corrcoef(u[:, 0], u[:, 1])[0, 1] == pytest.approx(expected, abs=0.02)
            assert np.corrcoef(u[:, 0], u[:, 2])[0, 1] == pytest.approx(-expected, abs=0.02)
            assert u.mean(axis=0) == pytest.approx(0.5, abs=0.01)
        same = np.array([decisions.disposition_uniforms(row, 1.0) for row in z[:100]])
        assert same[:, 0] == pytest.approx(same[:, 1]) and same[:, 2] == pytest.approx(1.0 - same[:, 0])

    def test_an_agent_may_pay_its_fee_and_overdraw(self) -> None:
        """The fee and the battery claim are two decisions: one uniform below the chance and
        one above it pay the fee and overdraw."""
        d = decisions.DecisionParameters(1.0, 0.2, 0.1, 0.5, 0.3, 0.2, 0.3, 0.5, 0.3, 0.0)
        p = self._decision(d)[0]
        _, fair, claim, _, _, pays, _ = decisions.agent_decision(
            1,
            0.3,
            0.5,
            0.5,
            0.5,
            min(p + 0.1, 0.999),
            p / 2,
            True,
            False,
            True,
            0.0,
            0.5,
            0.5,
            True,
            True,
            True,
            True,
            d,
        )
        assert pays and not fair and claim == 1.0 + d.overdraw_factor

    def test_the_temptation_is_the_agents_own_stake(self) -> None:
        """A fee rule tempts with the fee, an overdraw rule with what yesterday's battery
        energy would be worth drawn again; a dumping ban tempts through the household's own
        waste decision (test_waste_choices), not here; with nothing at stake, a sanction it
        expects deters it."""
        t = decisions.TemptationParameters(0.09)
        nothing = Binding(*([False] * len(Binding._fields)))
        fee = nothing._replace(fee=True)
        overdraw = nothing._replace(overdraw=True)
        dumping = nothing._replace(dumping=True)
        assert decisions.temptation_of(fee, True, 0.1, 2.0, 1.0, t) == 0.1
        assert decisions.temptation_of(fee, False, 0.1, 2.0, 1.0, t) == 0.0  # binds members only
        assert decisions.temptation_of(overdraw, True, 0.1, 2.0, 1.0, t) == 1.0 * 2.0 * 0.09
        assert decisions.temptation_of(dumping, False, 0.1, 2.0, 1.0, t) == 0.0
        over_part, fee_part, dump_part = decisions.split_binding(fee._replace(overdraw=True, dumping=True))
        assert decisions.temptation_of(over_part, True, 0.1, 2.0, 1.0, t) == 2.0 * 0.09
        assert decisions.temptation_of(fee_part, True, 0.1, 2.0, 0.0, t) == 0.1
        assert dump_part.dumping and not (dump_part.fee or dump_part.overdraw)
        d = decisions.DecisionParameters(1.0, 0.2, 0.1, 0.5, 0.3, 0.2, 0.3, 0.5, 0.3, 0.0)
        args = (1, 0.0, 0.0, 0.0, 0.0, 0.99, 0.99, True, False, True)  # would not cooperate on its own
        intrinsic = decisions.agent_decision(*args, 0.0, 0.0, 0.0, True, True, True, True, d)[0]
        # nothing to gain and a sanction to fear: deterred (the limit of the response as the gain vanishes)
        assert decisions.agent_decision(*args, 50.0, 0.0, 0.0, True, True, True, True, d)[0] == 1.0
        assert decisions.agent_decision(*args, 50.0, 0.1, 0.1, True, True, True, True, d)[0] > 0.99
        assert intrinsic < 0.5
