"""Mediation (:mod:`commons_abm.governance.mediation`): the population's settlements are
each disputant's by :func:`mediate_agent`."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.governance import mediation
from commons_abm.governance.mediation import (
    MEDIATORS,
    MediationParameters,
    mediate_agent,
    mediate_arrays,
    trust_in_mediator,
)
from tests.contract import MechanismContract

STEP = 400
OUTPUTS = ("brought", "settled", "fines", "offence_level", "member", "excluded_until")


class TestMediation(MechanismContract):
    module = mediation
    stream = "governance"
    parameters = MediationParameters
    bounds = {
        "brought": (0.0, 40.0),
        "settled": (0.0, 1.0),
        "fines": (0.0, 400.0),
        "offence_level": (0.0, 5.0),
        "member": (0.0, 1.0),
        "excluded_until": (0.0, STEP + 365.0),
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        disputes = rng.random(n) < 0.3
        disputes[0] = True  # a day with disputes, so that the stage draws
        excluded = disputes & (rng.random(n) < 0.3)
        degree = rng.integers(0, 5, n)
        indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int64)
        return {
            "p": MediationParameters(rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 50), int(rng.integers(0, 3))),
            "trust_institutional": rng.random(n),
            "indptr": indptr,
            "tie_trust": rng.random(int(indptr[-1])),
            "disputes": disputes,
            "fines": np.where(disputes, rng.uniform(0, 400, n), 0.0),
            "excluded": excluded,
            "offence_level": rng.integers(0, 6, n).astype(np.int16),
            "member": ~excluded & (rng.random(n) < 0.8),
            "excluded_until": np.where(excluded, STEP + 365, rng.integers(0, STEP, n)).astype(np.int64),
        }

    def draws(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> np.ndarray:
        return rngs["governance"].random((2, self.agents))  # as mediation.mediate draws, on a day with disputes

    def population(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        state = {name: f[name].copy() for name in ("fines", "offence_level", "member", "excluded_until")}
        settled, brought = mediate_arrays(
            f["disputes"],
            self.draws(f, rngs),
            f["p"],
            f["trust_institutional"],
            f["indptr"],
            f["tie_trust"],
            state["fines"],
            f["excluded"],
            state["offence_level"],
            state["member"],
            state["excluded_until"],
        )
        return {"brought": np.array(brought), "settled": settled, **state}

    def one_agent(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        u = self.draws(f, rngs)
        out: dict[str, list] = {name: [] for name in OUTPUTS}
        for i in range(self.agents):
            ties = f["tie_trust"][f["indptr"][i] : f["indptr"][i + 1]]
            case = mediate_agent(
                bool(f["disputes"][i]),
                float(u[0, i]),
                float(u[1, i]),
                f["p"],
                trust_in_mediator(f["p"].mediator, float(f["trust_institutional"][i]), ties),
                float(f["fines"][i]),
                bool(f["excluded"][i]),
                int(f["offence_level"][i]),
                bool(f["member"][i]),
                int(f["excluded_until"][i]),
            )
            for name, value in zip(OUTPUTS, case):
                out[name].append(value)
        result = {name: np.array(values) for name, values in out.items()}
        result["brought"] = np.array(sum(out["brought"]))
        return result

    def test_a_settled_dispute_undoes_the_sanction(self) -> None:
        always = MediationParameters(1.0, 1.0, 10.0, MEDIATORS["operator"])
        assert mediate_agent(True, 0.5, 0.5, always, 1.0, 30.0, True, 0, False, 765) == (True, True, 0.0, 0, True, 0)
        assert mediate_agent(True, 0.5, 0.5, always, 1.0, 30.0, False, 2, True, 0) == (True, True, 0.0, 1, True, 0)

    def test_no_dispute_no_mediation(self) -> None:
        always = MediationParameters(1.0, 1.0, 10.0, MEDIATORS["operator"])
        unchanged = (False, False, 30.0, 2, False, 765)
        assert mediate_agent(False, 0.0, 0.0, always, 1.0, 30.0, True, 2, False, 765) == unchanged
        never = MediationParameters(0.0, 1.0, 10.0, MEDIATORS["operator"])
        assert mediate_agent(True, 0.0, 0.0, never, 1.0, 30.0, True, 2, False, 765) == unchanged

    def test_cases_reach_the_mediator_as_far_as_the_disputant_trusts_it(self) -> None:
        """The operator hears every case brought; officials those of agents who trust
        institutions, fellow members those of agents who trust their ties."""
        ties = np.array([0.2, 0.6])
        assert trust_in_mediator(MEDIATORS["operator"], 0.1, ties) == 1.0
        assert trust_in_mediator(MEDIATORS["official"], 0.1, ties) == 0.1
        assert trust_in_mediator(MEDIATORS["member"], 0.1, ties) == 0.4
        assert trust_in_mediator(MEDIATORS["member"], 0.9, np.zeros(0)) == 0.0
        p = MediationParameters(0.8, 1.0, 10.0, MEDIATORS["official"])
        assert mediate_agent(True, 0.39, 0.0, p, 0.5, 30.0, False, 1, True, 0)[0]  # 0.39 < 0.8 x 0.5
        assert not mediate_agent(True, 0.41, 0.0, p, 0.5, 30.0, False, 1, True, 0)[0]
