"""Officials (:mod:`commons_abm.governance.officials`): the day's events drawn once for
the community (:func:`officials_events`), then each agent's institutional trust by
:func:`official_trust`, equal to :func:`act` over everyone; trust moves only through what
officials do (an override, coming to a meeting), never through their stance alone."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from commons_abm.core.scenario import Scenario
from commons_abm.governance import officials
from commons_abm.governance.institutions import Institutions
from commons_abm.governance.officials import (
    OfficialsParameters,
    act,
    official_acts,
    official_trust,
    officials_events,
    rule_security,
)
from commons_abm.governance.rulebook import POSTURES, STANCES
from tests.contract import MechanismContract

RUNGS = len(POSTURES)


class TestOfficials(MechanismContract):
    module = officials
    stream = "governance"
    parameters = OfficialsParameters
    bounds = {
        "trust": (0.0, 1.0),
        "override": (0.0, 1.0),
        "election": (0.0, 1.0),
        "rung": (0.0, RUNGS - 1.0),
        "stance": (0.0, len(STANCES) - 1.0),
        "came": (0.0, 1.0),
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        return {
            "step": int(rng.integers(0, 10)),
            "rung": int(rng.integers(0, RUNGS)),
            "stance": int(rng.integers(0, len(STANCES))),
            "member": rng.random(n) < 0.7,
            "linked": rng.random(n) < 0.5,
            "attended": rng.random(n) < 0.4,
            "met": bool(rng.random() < 0.6),
            "trust": rng.uniform(0, 1, n),
            "chosen": rng.random(2) < 0.7,
            "rate": float(rng.uniform(0.0, 365.0)),  # high, so that overrides happen in a small fixture
            "attendance": float(rng.uniform(0.0, 1.0)),
            "first": int(rng.integers(0, 5)),
            "cycle": int(rng.integers(1, 4)),
            "change_probability": float(rng.uniform(0, 1)),
            "continuity": float(rng.uniform(0, 1)),
            "t": OfficialsParameters(*rng.uniform(0.0, 0.3, 3)),
        }

    def population(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        trust = f["trust"].copy()
        override, election, rung, stance, came = act(
            rngs["governance"],
            f["step"],
            f["rung"],
            f["stance"],
            RUNGS,
            len(STANCES),
            f["member"],
            f["linked"],
            f["attended"],
            f["met"],
            trust,
            f["chosen"],
            f["rate"],
            f["attendance"],
            f["first"],
            f["cycle"],
            f["change_probability"],
            f["continuity"],
            f["t"],
        )
        return {
            "trust": trust,
            "override": np.array(override),
            "election": np.array(election),
            "rung": np.array(rung),
            "stance": np.array(stance),
            "came": np.array(came),
        }

    def one_agent(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        override, election, rung, stance, came = officials_events(
            rngs["governance"],
            f["step"],
            f["rung"],
            f["stance"],
            RUNGS,
            len(STANCES),
            f["chosen"],
            f["rate"],
            f["met"],
            f["attendance"],
            f["first"],
            f["cycle"],
            f["change_probability"],
            f["continuity"],
        )
        trust = [
            official_trust(
                float(f["trust"][i]),
                bool(f["member"][i]),
                came and bool(f["attended"][i]),
                override,
                bool(f["linked"][i]),
                f["t"],
            )
            for i in range(self.agents)
        ]
        return {
            "trust": np.array(trust),
            "override": np.array(override),
            "election": np.array(election),
            "rung": np.array(rung),
            "stance": np.array(stance),
            "came": np.array(came),
        }

    def test_trust_moves_only_through_acts(self) -> None:
        """No act, no change: a member's trust is untouched on a day officials neither
        override nor come to the meeting it attends, whatever their stance."""
        t = OfficialsParameters(0.2, 0.15, 0.05)
        assert official_trust(0.6, True, False, False, True, t) == 0.6
        assert official_trust(0.6, True, True, False, True, t) == pytest.approx(0.6 + 0.05 * 1.2 * 0.4)
        assert official_trust(0.6, True, False, True, True, t) == pytest.approx(0.6 * (1.0 - 0.15 * 0.8))
        assert official_trust(0.6, True, False, True, False, t) == pytest.approx(0.6 * (1.0 - 0.15))  # no bias
        assert official_trust(0.6, False, True, True, True, t) == 0.6  # not a member: untouched

    def test_elections_fall_on_the_mandate(self) -> None:
        """Elections on the first election day and every mandate after it, not between."""
        rng = np.random.default_rng(0)
        chosen = np.zeros(1, bool)
        days = [
            s
            for s in range(0, 5000)
            if officials_events(rng, s, 1, 1, RUNGS, 3, chosen, 0.0, False, 0.0, 1898, 2190, 0.0, 0.7)[1]
        ]
        assert days == [1898, 1898 + 2190]

    def test_a_new_majority_moves_posture_and_stance_together_unless_staff_carry_on(self) -> None:
        """With a sure change of majority and no staff continuity, the stance moves one step
        the way the posture moves (toward ally up the ladder); with full continuity it stays."""
        moves = []
        for seed in range(40):
            _, _, rung, stance, _ = officials_events(
                np.random.default_rng(seed), 10, 2, 1, RUNGS, 3, np.zeros(1, bool), 0.0, False, 0.0, 10, 2190, 1.0, 0.0
            )
            moves.append((rung - 2, stance - 1))
        assert {m for m in moves} == {(1, -1), (-1, 1)}
        for seed in range(20):
            _, _, rung, stance, _ = officials_events(
                np.random.default_rng(seed), 10, 2, 1, RUNGS, 3, np.zeros(1, bool), 0.0, False, 0.0, 10, 2190, 1.0, 1.0
            )
            assert rung != 2 and stance == 1


def test_acts_by_stance_and_switched_off() -> None:
    """The scenario's table of acts by stance; recognition removes overrides; with
    ``officials.act`` false no override, no visit, the rulebook's subsidy paid whole, the
    facilitator paid by the community and members' voice whole at every rung."""
    inst = Institutions(meetings=True)
    acts = official_acts(Scenario(), inst)
    assert acts.overrides_per_year.tolist() == [0.25, 0.5, 2.0]
    assert rule_security(acts, "controller") == pytest.approx(np.exp(-2.0))
    assert acts.hub_funding.tolist() == [1.0, 1.0, 0.0] and acts.facilitator_funding.tolist() == [1.0, 0.0, 0.0]
    assert acts.voice.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert official_acts(Scenario(), Institutions(meetings=True, recognised=True)).overrides_per_year.sum() == 0.0
    off = official_acts(Scenario.model_validate({"officials": {"act": False}}), inst)
    assert off.overrides_per_year.sum() == 0.0 and off.meeting_attendance.sum() == 0.0
    assert off.hub_funding.tolist() == [1.0] * 3 and off.facilitator_funding.tolist() == [0.0] * 3
    assert off.voice.tolist() == [1.0] * RUNGS
    assert official_acts(Scenario(), Institutions()).voice.sum() == 0.0  # no meetings, no voice
