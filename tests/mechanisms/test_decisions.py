"""Decisions (:mod:`commons_abm.behaviour.decisions`): the population kernel's per-agent
outputs equal its one-agent form, agent after agent (one uniform per agent from stream
``behaviour``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.behaviour import decisions
from commons_abm.behaviour.waste_choices import WasteCharge, choice_parameters, household_choice
from commons_abm.core.kinds import MATERIAL_ROLE_OF
from commons_abm.core.scenario import Scenario
from commons_abm.governance.institutions import FLAT, GRADUATED, NO_SANCTION, Binding, binds
from commons_abm.governance.monitoring import peer_coverage
from commons_abm.governance.sanctions import next_fine_of
from tests.contract import MechanismContract

OUTPUTS = ("propensity", "cooperated", "claim", "intrinsic", "pays_fee")
POPULATION = ("propensity", "cooperated", "claim", "waste", "pays_fee", "bound", "breach", "sanctionable")
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
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        degree = rng.integers(0, 8, n)
        indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int64)

        def binding() -> Binding:
            return Binding(*(bool(x) for x in rng.random(len(Binding._fields)) < 0.4))

        monitors = int(rng.integers(1, 4))
        return {
            "cc_type": rng.integers(0, 4, n).astype(np.int8),
            "belief": rng.uniform(0.0, 1.0, n),
            "group_weight": rng.uniform(0.0, 1.0, n),
            "trust": rng.uniform(0.0, 1.0, n),
            "member": rng.random(n) < 0.6,
            "cooperated_before": rng.random(n) < 0.5,
            "kind": rng.integers(0, 3, n).astype(np.int8),
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
            ),
            "crowding": bool(rng.random() < 0.5),
            "binding": binding(),
            "sanctioned_binding": binding(),
            "deterring": bool(rng.random() < 0.8),
            "who": rng.integers(0, 3, monitors).astype(np.int64),
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
        u = rngs["behaviour"].random(n)
        u_dumping = rngs["behaviour"].random((2, n))
        out = decisions.decide_arrays(
            f["cc_type"],
            f["belief"],
            f["group_weight"],
            f["trust"],
            f["member"],
            f["cooperated_before"],
            f["kind"],
            f["offence_level"],
            f["indptr"],
            f["indices"],
            u,
            u_dumping,
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
        return {**got, "sort": waste.sort, "dump_goods": waste.dump_goods, "dump_bag": waste.dump_bag}

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        n = f["belief"].size
        u = rngs["behaviour"].random(n)
        u_dumping = rngs["behaviour"].random((2, n))
        d = f["decision"]
        # the community's part: who a rule binds, whether sanctions deter anyone, peer coverage
        coin, dump = decisions.split_binding(f["binding"])
        coin_sanctioned, dump_sanctioned = decisions.split_binding(f["sanctioned_binding"])
        sanctionable = binds(coin_sanctioned, f["member"], f["kind"])
        sanctionable_dump = binds(dump_sanctioned, f["member"], f["kind"])
        deterred = f["deterring"] and bool(sanctionable.any() or sanctionable_dump.any())
        coverage = peer_coverage(f["indptr"], f["indices"], f["member"], f["cooperated_before"])
        out: dict[str, list] = {name: [] for name in (*POPULATION, "sort", "dump_goods", "dump_bag")}
        for i in range(n):
            expected = gain = per_kg = 0.0
            if deterred and (sanctionable[i] or sanctionable_dump[i]):
                detected = 1.0 - decisions.missed_by_monitors(f["who"], f["p"], coverage[i], d.authority_bias)
                fine = next_fine_of(f["scheme"], f["ladder"], f["flat_fine"], f["offence_level"][i], f["fine_scale"][i])
                expected = detected * fine
                if sanctionable_dump[i]:
                    per_kg = expected
                gain = decisions.temptation_of(
                    coin_sanctioned,
                    bool(f["member"][i]),
                    float(f["fee_level"][i]),
                    float(f["battery_received"][i]),
                    d.overdraw_factor,
                    f["temptation"],
                )
            propensity, cooperated, claim, intrinsic, pays_fee = decisions.agent_decision(
                int(f["cc_type"][i]),
                float(f["belief"][i]),
                float(f["group_weight"][i]),
                float(f["trust"][i]),
                float(f["legitimacy_level"][i]),
                float(u[i]),
                bool(f["member"][i]),
                gain,
                f["crowding"],
                deterred,
                bool(sanctionable[i]),
                expected,
                f["fee_charged"],
                d,
            )
            role = int(MATERIAL_ROLE_OF[f["kind"][i]])
            c = household_choice(role, intrinsic, float(f["waste_kg"][i]), per_kg, f["charge"], f["choice"])
            dump_goods, dump_bag = float(u_dumping[0, i] < c.dump_goods), float(u_dumping[1, i] < c.dump_bag)
            dumps = dump_goods > 0 or dump_bag > 0
            bound_coin = bool(binds(coin, f["member"][i : i + 1], f["kind"][i : i + 1])[0])
            bound_dump = bool(binds(dump, f["member"][i : i + 1], f["kind"][i : i + 1])[0])
            row = {
                "propensity": propensity,
                "cooperated": cooperated,
                "claim": claim,
                "pays_fee": pays_fee,
                "bound": bound_coin or bound_dump,
                "breach": (bound_coin and not cooperated) or (bound_dump and dumps),
                "sanctionable": deterred and ((sanctionable[i] and not cooperated) or (sanctionable_dump[i] and dumps)),
                "sort": c.sort,
                "dump_goods": dump_goods,
                "dump_bag": dump_bag,
            }
            for name, value in row.items():
                out[name].append(value)
        return {name: np.array(values, dtype=float) for name, values in out.items() if values}

    def test_deterrence_raises_propensity(self) -> None:
        d = decisions.DecisionParameters(1.0, 0.2, 0.1, 0.5, 0.3, 0.2, 0.3, 0.5)
        args = (1, 0.3, 0.5, 0.5, 0.5, 0.99, True, 0.5, False)  # ... member, temptation 0.5 EUR, no crowding
        free = decisions.agent_decision(*args, True, True, 0.0, True, d)[0]
        deterred = decisions.agent_decision(*args, True, True, 5.0, True, d)[0]
        assert deterred > free

    def test_the_temptation_is_the_agents_own_stake(self) -> None:
        """A fee rule tempts with the fee, an overdraw rule with what yesterday's battery
        energy would be worth drawn again; a dumping ban tempts through the household's own
        waste decision (test_waste_choices), not here; with nothing at stake the sanction
        adds nothing to the agent's own cooperation."""
        t = decisions.TemptationParameters(0.09)
        nothing = Binding(*([False] * len(Binding._fields)))
        fee = nothing._replace(members=True, fee=True)
        overdraw = nothing._replace(members=True, overdraw=True)
        dumping = nothing._replace(dumping=True)
        assert decisions.temptation_of(fee, True, 0.1, 2.0, 1.0, t) == 0.1
        assert decisions.temptation_of(fee, False, 0.1, 2.0, 1.0, t) == 0.0  # binds members only
        assert decisions.temptation_of(overdraw, True, 0.1, 2.0, 1.0, t) == 1.0 * 2.0 * 0.09
        assert decisions.temptation_of(dumping, False, 0.1, 2.0, 1.0, t) == 0.0
        d = decisions.DecisionParameters(1.0, 0.2, 0.1, 0.5, 0.3, 0.2, 0.3, 0.5)
        args = (1, 0.0, 0.0, 0.0, 0.0, 0.99, True)  # an agent that would not cooperate on its own
        intrinsic = decisions.agent_decision(*args, 0.0, False, False, False, 0.0, True, d)[0]
        assert decisions.agent_decision(*args, 0.0, False, True, True, 50.0, True, d)[0] == intrinsic
        assert decisions.agent_decision(*args, 0.1, False, True, True, 50.0, True, d)[0] > 0.99
