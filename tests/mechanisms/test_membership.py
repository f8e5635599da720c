"""Membership (:mod:`commons_abm.behaviour.membership`): the population kernel equals its
one-agent form applied to every agent on the day's memberships."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.behaviour import membership
from tests.contract import MechanismContract


class TestMembership(MechanismContract):
    """Who joins and who leaves today (one uniform per agent from stream ``behaviour``)."""

    module = membership
    stream = "behaviour"
    parameters = membership.ReviewParameters
    bounds = {"member": (0.0, 1.0), "attended_last": (0.0, 1.0), "joins": (0.0, 40.0), "leaves": (0.0, 40.0)}

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        degree = rng.integers(0, 8, n)
        indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int64)
        ties = int(indptr[-1])
        return {
            "p": membership.ReviewParameters(
                review_probability_per_day=1.0 / rng.integers(2, 10),  # often, so that the fixture moves
                leave_threshold=rng.uniform(0.2, 0.5),
                join_threshold=rng.uniform(0.4, 0.7),
            ),
            "step": 30,
            "member": rng.random(n) < 0.5,
            "satisfaction": rng.uniform(0.0, 1.0, n),
            "excluded_until": np.where(rng.random(n) < 0.1, rng.integers(0, 60, n), 0).astype(np.int64),
            "attended_last": rng.random(n) < 0.5,
            "indptr": indptr,
            "indices": rng.integers(0, n, ties).astype(np.int64),
            "trust": rng.uniform(0.0, 1.0, ties),
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        u = rngs["behaviour"].random(f["member"].size)
        member, attended = f["member"].copy(), f["attended_last"].copy()
        joins, leaves = membership.review_arrays(
            u,
            f["p"],
            f["step"],
            member,
            f["satisfaction"],
            f["excluded_until"],
            attended,
            f["indptr"],
            f["indices"],
            f["trust"],
        )
        return {"member": member, "attended_last": attended, "joins": np.array([joins]), "leaves": np.array([leaves])}

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        n = f["member"].size
        u = rngs["behaviour"].random(n)
        indptr = f["indptr"]
        member, attended = f["member"].copy(), f["attended_last"].copy()
        verdicts = [
            membership.agent_review(
                float(u[i]),
                bool(f["member"][i]),
                float(f["satisfaction"][i]),
                int(f["excluded_until"][i]),
                f["step"],
                f["member"],  # everyone reviews on the day's memberships
                f["satisfaction"],
                f["indices"][indptr[i] : indptr[i + 1]].copy(),
                f["trust"][indptr[i] : indptr[i + 1]].copy(),
                f["p"],
            )
            for i in range(n)
        ]
        for i, (joins, leaves) in enumerate(verdicts):
            if leaves:
                member[i] = False
                attended[i] = False
            elif joins:
                member[i] = True
        return {
            "member": member,
            "attended_last": attended,
            "joins": np.array([sum(j for j, _ in verdicts)]),
            "leaves": np.array([sum(le for _, le in verdicts)]),
        }

    def test_fixture_moves(self) -> None:
        """Some agents join and some leave on the fixture, so the contract compares something."""
        from commons_abm.core.seeding import streams

        moved = [self.population(self._fixture(seed), streams(seed)) for seed in (1, 2, 3, 4, 5)]
        assert sum(int(m["joins"][0]) for m in moved) > 0 and sum(int(m["leaves"][0]) for m in moved) > 0

    def test_excluded_agent_does_not_join(self) -> None:
        p = membership.ReviewParameters(1.0, 0.3, 0.1)
        member, satisfaction = np.array([False, True]), np.array([0.0, 0.9])
        neighbours, trust = np.array([1], dtype=np.int64), np.array([0.8])
        assert membership.agent_review(0.5, False, 0.0, 10, 5, member, satisfaction, neighbours, trust, p) == (
            False,
            False,
        )
        assert membership.agent_review(0.5, False, 0.0, 5, 5, member, satisfaction, neighbours, trust, p) == (
            True,
            False,
        )
