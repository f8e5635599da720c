"""Satisfaction (:mod:`commons_abm.behaviour.satisfaction`): the population kernels equal
their one-agent forms, fairness of the pool included."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.behaviour import satisfaction
from commons_abm.core.scenario import SatisfactionDynamics
from tests.contract import MechanismContract


class TestSatisfaction(MechanismContract):
    """Short-run, long-run and overall satisfaction, and members' fairness of allocation."""

    module = satisfaction
    stream = None
    parameters = satisfaction.SatisfactionParameters
    bounds = {
        "satisfaction": (0.0, 1.0),
        "satisfaction_short": (0.0, 1.0),
        "satisfaction_long": (0.0, 1.0),
        "fairness": (-1.0, 1.0),
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        offered = np.where(rng.random(n) < 0.5, rng.uniform(0.0, 20.0, n), 0.0)  # kWh offered today
        received = np.where(rng.random(n) < 0.7, rng.uniform(0.0, 15.0, n), 0.0)  # kWh received from the pool
        dynamics = SatisfactionDynamics(
            benefit_scale_eur_per_day=rng.uniform(0.2, 5.0),
            fairness_weight=rng.uniform(0.0, 2.0),
            short_rate=rng.uniform(0.05, 0.5),
            long_rate=rng.uniform(0.005, 0.05),
            long_run_weight=rng.uniform(0.0, 1.0),
        )
        short = rng.uniform(0.0, 1.0, n)
        long = rng.uniform(0.0, 1.0, n)
        return {
            "received": received,
            "offered": offered,
            "member": rng.random(n) < 0.7,
            "gain": rng.normal(0.0, 3.0, n),  # net gain [EUR/day]
            "short": short,
            "long": long,
            "satisfaction": short.copy(),
            "p": satisfaction.satisfaction_parameters(dynamics),
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        fair = satisfaction.member_fairness(f["received"], f["offered"], f["member"])
        overall, short, long = f["satisfaction"].copy(), f["short"].copy(), f["long"].copy()
        satisfaction.satisfaction_arrays(overall, short, long, f["gain"], fair, f["p"])
        return {"satisfaction": overall, "satisfaction_short": short, "satisfaction_long": long, "fairness": fair}

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        r = satisfaction.pool_return(f["received"], f["offered"])
        n = f["gain"].size
        out = {name: np.empty(n) for name in self.bounds}
        for i in range(n):
            fair = (
                satisfaction.agent_fairness(float(f["received"][i]), float(f["offered"][i]), r)
                if f["member"][i]
                else 0.0
            )
            overall, short, long = satisfaction.agent_satisfaction(
                float(f["short"][i]), float(f["long"][i]), float(f["gain"][i]), fair, f["p"]
            )
            out["satisfaction"][i], out["satisfaction_short"][i], out["satisfaction_long"][i] = overall, short, long
            out["fairness"][i] = fair
        return out

    def test_fairness_of_everyone_equals_its_one_agent_form(self) -> None:
        f = self._fixture(7)
        r = satisfaction.pool_return(f["received"], f["offered"])
        expected = [satisfaction.agent_fairness(a, b, r) for a, b in zip(f["received"], f["offered"])]
        np.testing.assert_array_equal(satisfaction.fairness(f["received"], f["offered"]), expected)

    def test_nobody_offered(self) -> None:
        zeros = np.zeros(5)
        assert satisfaction.pool_return(np.ones(5), zeros) == 0.0
        np.testing.assert_array_equal(satisfaction.fairness(np.ones(5), zeros), zeros)
