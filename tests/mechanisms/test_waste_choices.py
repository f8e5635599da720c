"""Households' waste decisions (:mod:`commons_abm.behaviour.waste_choices`): the population
kernel equals the one-household form, household after household; shares stay in [0, 1]."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.behaviour import waste_choices as wc
from commons_abm.core.kinds import MATERIAL_ROLE_OF
from commons_abm.core.scenario import Scenario
from tests.contract import MechanismContract

SHARES = ("sort", "compost", "bring_reuse", "bring_repair", "dump_goods", "dump_bag", "to_neighbours")


class TestWasteChoices(MechanismContract):
    """Each share weighs an effort against what the route gains the household, in EUR."""

    module = wc
    stream = None  # the shares are expected shares; dumping is drawn by the decision stage
    parameters = wc.ChoiceParameters
    bounds = {**{name: (0.0, 1.0) for name in SHARES}, "marginal_eur_per_kg": (0.0, 10.0)}

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        return {
            "role": MATERIAL_ROLE_OF[rng.integers(0, 3, n)],
            "q": rng.uniform(0.0, 1.0, n),
            "q_dumping": rng.uniform(0.0, 1.0, n),
            "waste": rng.uniform(0.0, 6.0, n),
            "fine": np.where(rng.random(n) < 0.3, rng.uniform(0.0, 30.0, n), 0.0),
            "fine_bag": np.where(rng.random(n) < 0.3, rng.uniform(0.0, 30.0, n), 0.0),
            "charge": wc.WasteCharge(
                int(rng.integers(0, 3)), 93.0, rng.uniform(0.0, 0.5), rng.uniform(0.0, 6.0), 15.0, rng.uniform(0, 40)
            ),
            "p": wc.choice_parameters(Scenario())._replace(warm_glow_eur_per_kg=rng.uniform(0.0, 1.0)),
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        out = wc.choice_arrays(
            f["role"], f["q"], f["q_dumping"], f["waste"], f["fine"], f["fine_bag"], f["charge"], f["p"]
        )
        return {name: getattr(out, name) for name in wc.WasteChoices._fields}

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        rows = [
            wc.household_choice(int(f["role"][i]), float(f["q"][i]), float(f["q_dumping"][i]), float(f["waste"][i]),
                                float(f["fine"][i]), float(f["fine_bag"][i]), f["charge"], f["p"])
            for i in range(self.agents)
        ]  # fmt: skip
        return {name: np.array([getattr(r, name) for r in rows]) for name in wc.WasteChoices._fields}

    def test_dumping_is_drawn_as_all_or_nothing(self) -> None:
        f = self._fixture(1)
        out = wc.choice_arrays(
            f["role"], f["q"], f["q_dumping"], f["waste"], f["fine"], f["fine_bag"], f["charge"], f["p"]
        )
        never = (out.dump_goods == 0.0) & (out.dump_bag == 0.0)  # no chance to dump today
        dumps = wc.dumping_today(out, np.random.default_rng(1).random((2, self.agents)))
        assert set(np.unique(out.dump_goods)) <= {0.0, 1.0} and set(np.unique(out.dump_bag)) <= {0.0, 1.0}
        assert np.array_equal(dumps, (out.dump_goods > 0) | (out.dump_bag > 0))
        assert not dumps[never].any() and never.any()
