"""Mediation (:mod:`commons_abm.governance.mediation`): the population's settlements are
each disputant's by :func:`mediate_agent`."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.governance import mediation
from commons_abm.governance.mediation import MediationParameters, mediate_agent, mediate_arrays
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
        return {
            "p": MediationParameters(rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 50)),
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
            f["p"].access_probability,
            f["p"].success_rate,
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
            case = mediate_agent(
                bool(f["disputes"][i]),
                float(u[0, i]),
                float(u[1, i]),
                f["p"],
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
        always = MediationParameters(1.0, 1.0, 10.0)
        assert mediate_agent(True, 0.5, 0.5, always, 30.0, True, 0, False, 765) == (True, True, 0.0, 0, True, 0)
        assert mediate_agent(True, 0.5, 0.5, always, 30.0, False, 2, True, 0) == (True, True, 0.0, 1, True, 0)

    def test_no_dispute_no_mediation(self) -> None:
        always = MediationParameters(1.0, 1.0, 10.0)
        assert mediate_agent(False, 0.0, 0.0, always, 30.0, True, 2, False, 765) == (False, False, 30.0, 2, False, 765)
        never = MediationParameters(0.0, 1.0, 10.0)
        assert mediate_agent(True, 0.0, 0.0, never, 30.0, True, 2, False, 765) == (False, False, 30.0, 2, False, 765)
