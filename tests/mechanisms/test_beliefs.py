"""Beliefs (:mod:`commons_abm.behaviour.beliefs`): the population kernel equals its
one-agent form, agent after agent."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.behaviour import beliefs
from tests.contract import MechanismContract


class TestBeliefs(MechanismContract):
    """Expected cooperation follows what trusted neighbours and the community did."""

    module = beliefs
    stream = None
    parameters = beliefs.BeliefParameters
    bounds = {"belief": (0.0, 1.0)}

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        degree = rng.integers(0, 8, n)  # some agents have no ties
        indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int64)
        ties = int(indptr[-1])
        cooperated = rng.random(n) < 0.6
        belief = rng.uniform(0.0, 1.0, n)
        belief[rng.random(n) < 0.1] = 0.5  # on the boundary of the confirmation bias
        return {
            "belief": belief,
            "cooperated": cooperated,
            "indptr": indptr,
            "indices": rng.integers(0, n, ties).astype(np.int64),
            "trust": rng.uniform(0.0, 1.0, ties),
            "public_rate": float(cooperated.mean()),
            "p": beliefs.BeliefParameters(
                trust_weighted_attention=rng.uniform(0.0, 1.0),
                public_information=rng.uniform(0.0, 0.5),
                belief_rate=rng.uniform(0.05, 0.5),
                trust_slows_decline=rng.uniform(0.0, 1.0),
                confirmation_bias=rng.uniform(0.0, 0.5),
            ),
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        out = f["belief"].copy()
        beliefs.update_beliefs_arrays(
            out, f["cooperated"], f["indptr"], f["indices"], f["trust"], f["public_rate"], f["p"]
        )
        return {"belief": out}

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        indptr = f["indptr"]
        out = np.empty(f["belief"].size)
        for i in range(out.size):
            lo, hi = indptr[i], indptr[i + 1]
            neighbours = f["indices"][lo:hi].copy()
            trust = f["trust"][lo:hi].copy()
            out[i] = beliefs.agent_belief(
                float(f["belief"][i]), f["cooperated"], neighbours, trust, f["public_rate"], f["p"]
            )
        return {"belief": out}

    def test_no_neighbours_sees_the_public_rate(self) -> None:
        p = beliefs.BeliefParameters(0.5, 0.0, 1.0, 0.0, 0.0)
        empty = np.zeros(0, dtype=np.int64)
        assert beliefs.agent_belief(0.2, np.zeros(3, bool), empty, np.zeros(0), 0.7, p) == 0.7

    def test_agrees_with_revised_beliefs(self) -> None:
        """The rule for given observations (which the lab games call) is the same rule."""
        from commons_abm.core.scenario import Behaviour

        behaviour = Behaviour()
        p = beliefs.belief_parameters(behaviour)
        cooperated = np.array([True, False, True, True])
        neighbours = np.array([0, 1, 2], dtype=np.int64)
        trust = np.array([0.9, 0.1, 0.5])
        w = (1.0 - p.trust_weighted_attention) + p.trust_weighted_attention * trust
        seen = (w[0] + w[2]) / w.sum()
        observed = (1.0 - p.public_information) * seen + p.public_information * 0.75
        expected = beliefs.revised_beliefs(np.array([0.4]), np.array([observed]), trust.mean(), behaviour)[0]
        got = beliefs.agent_belief(0.4, cooperated, neighbours, trust, 0.75, p)
        np.testing.assert_allclose(got, expected, rtol=1e-12)
