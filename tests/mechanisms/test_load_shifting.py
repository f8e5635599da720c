"""Load shifting (:mod:`commons_abm.energy.load_shifting`): who follows the community
operator's schedule, and each follower's demand moved into the PV hours, by the
population kernels and by their one-agent forms agent after agent."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.energy import load_shifting
from tests.contract import MechanismContract

HOURS = 24


def pv_profile(rng: np.random.Generator) -> np.ndarray:
    """A day's PV output of the territory [kWh]: a bell between sunrise and sunset, with
    clouds; now and then a day without any."""
    hours = np.arange(HOURS) + 0.5
    sunrise, sunset = rng.uniform(5, 8), rng.uniform(17, 21)
    bell = np.clip(np.sin(np.pi * (hours - sunrise) / (sunset - sunrise)), 0.0, None)
    return bell * rng.uniform(0.0, 400.0) * rng.uniform(0.3, 1.0, HOURS)


class TestLoadShifting(MechanismContract):
    """The operator's schedule: cooperating members move the share ``s`` of their day's
    demand into the PV hours."""

    module = load_shifting
    stream = None
    parameters = None  # one rulebook condition, the facilitate statement's load_shift_share
    bounds = {
        "share": (0.0, 0.5),  # the rulebook's load_shift_share ranges up to 0.5
        "demand": (0.0, np.inf),
        "daily_change": (-1e-9, 1e-9),  # each agent's daily demand is unchanged, to rounding
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        pv = pv_profile(rng)
        if rng.random() < 0.2:
            pv[:] = 0.0  # a day without PV: nothing moves
        return {
            "member": rng.random(n) < 0.6,
            "cooperated": rng.random(n) < 0.7,
            "share": rng.uniform(0.0, 0.5),
            "demand": rng.uniform(0.0, 3.0, (HOURS, n)),
            "pv": pv,
        }

    @staticmethod
    def outputs(share: np.ndarray, before: np.ndarray, after: np.ndarray) -> dict[str, np.ndarray]:
        return {"share": share, "demand": after, "daily_change": after.sum(axis=0) - before.sum(axis=0)}

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        share = load_shifting.operator_shares(fixture["member"], fixture["cooperated"], fixture["share"])
        demand = fixture["demand"].copy()
        load_shifting.shift_load(demand, fixture["pv"], share)
        return self.outputs(share, fixture["demand"], demand)

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        n, pv = self.agents, fixture["pv"]
        total = sum(pv.tolist())  # the day's PV, summed hour after hour as the kernel sums it
        share = np.array(
            [
                load_shifting.operator_share(
                    bool(fixture["member"][i]), bool(fixture["cooperated"][i]), fixture["share"]
                )
                for i in range(n)
            ]
        )
        demand = fixture["demand"].copy()
        for i in range(n):
            column = demand[:, i].copy()
            load_shifting.shift_agent_load(column, pv, total, share[i])
            demand[:, i] = column
        return self.outputs(share, fixture["demand"], demand)

    def test_only_cooperating_members_follow(self) -> None:
        for member in (False, True):
            for cooperated in (False, True):
                expected = 0.3 if member and cooperated else 0.0
                assert load_shifting.operator_share(member, cooperated, 0.3) == expected

    def test_moved_load_follows_production(self) -> None:
        pv = np.zeros(HOURS)
        pv[12], pv[13] = 3.0, 1.0
        demand = np.full(HOURS, 1.0)
        load_shifting.shift_agent_load(demand, pv, pv.sum(), 0.25)
        movable = 24 * 0.25  # a quarter of the day's 24 kWh, three quarters of it at noon
        np.testing.assert_allclose(demand[12], 0.75 + 0.75 * movable, rtol=1e-12)
        np.testing.assert_allclose(demand[13], 0.75 + 0.25 * movable, rtol=1e-12)
        np.testing.assert_array_equal(demand[:12], 0.75)
        np.testing.assert_allclose(demand.sum(), 24.0, rtol=1e-12)

    def test_nothing_moves_without_pv(self) -> None:
        demand = np.linspace(0.1, 2.0, HOURS)
        before = demand.copy()
        load_shifting.shift_agent_load(demand, np.zeros(HOURS), 0.0, 0.4)
        np.testing.assert_array_equal(demand, before)
