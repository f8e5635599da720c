"""Officials (:mod:`commons_abm.governance.officials`): the day's events drawn once for
the community (:func:`officials_events`), then each agent's institutional trust by
:func:`official_trust`, equal to :func:`act` over everyone."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.governance import officials
from commons_abm.governance.officials import OfficialsParameters, act, official_trust, officials_events
from commons_abm.governance.rulebook import POSTURES
from tests.contract import MechanismContract

RUNGS = len(POSTURES)


class TestOfficials(MechanismContract):
    module = officials
    stream = "governance"
    parameters = OfficialsParameters
    bounds = {"trust": (0.0, 1.0), "override": (0.0, 1.0), "election": (0.0, 1.0), "rung": (0.0, RUNGS - 1.0)}

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        cycle = int(rng.integers(1, 4))
        return {
            "step": int(rng.integers(0, 10)),
            "rung": int(rng.integers(0, RUNGS)),
            "member": rng.random(n) < 0.7,
            "trust": rng.uniform(0, 1, n),
            "chosen": rng.random(2) < 0.7,
            "signal": float(rng.choice([-0.2, 0.0, 0.2])),
            "rate": float(rng.uniform(0.0, 365.0)),  # high, so that overrides happen in a small fixture
            "cycle": cycle,
            "change_probability": float(rng.uniform(0, 1)),
            "continuity": float(rng.uniform(0, 1)),
            "t": OfficialsParameters(*rng.uniform(0.0, 0.3, 4), float(rng.uniform(0.2, 0.8))),
        }

    def population(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        trust = f["trust"].copy()
        override, election, rung = act(
            rngs["governance"],
            f["step"],
            f["rung"],
            RUNGS,
            f["member"],
            trust,
            f["chosen"],
            f["signal"],
            f["rate"],
            f["cycle"],
            f["change_probability"],
            f["continuity"],
            f["t"],
        )
        return {"trust": trust, "override": np.array(override), "election": np.array(election), "rung": np.array(rung)}

    def one_agent(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        override, election, rung = officials_events(
            rngs["governance"],
            f["step"],
            f["rung"],
            RUNGS,
            f["chosen"],
            f["rate"],
            f["cycle"],
            f["change_probability"],
        )
        trust = [
            official_trust(
                float(f["trust"][i]), bool(f["member"][i]), f["signal"], override, election, f["continuity"], f["t"]
            )
            for i in range(self.agents)
        ]
        return {
            "trust": np.array(trust),
            "override": np.array(override),
            "election": np.array(election),
            "rung": np.array(rung),
        }

    def test_an_election_pulls_trust_back_toward_its_start(self) -> None:
        t = OfficialsParameters(0.1, 0.1, 0.2, 0.3, 0.5)
        assert official_trust(0.9, True, 0.0, False, True, 0.7, t) == 0.5 + 0.7 * (0.9 - 0.5)
        assert official_trust(0.9, False, 0.0, False, True, 0.7, t) == 0.9  # not a member: untouched

    def test_an_ally_raises_trust_and_a_controller_lowers_it(self) -> None:
        t = OfficialsParameters(0.1, 0.1, 0.2, 0.3, 0.5)
        assert official_trust(0.5, True, 0.2, False, False, 0.7, t) > 0.5
        assert official_trust(0.5, True, -0.2, False, False, 0.7, t) < 0.5
        assert official_trust(0.5, True, 0.0, True, False, 0.7, t) < 0.5  # an override
