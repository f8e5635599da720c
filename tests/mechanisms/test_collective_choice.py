"""Collective choice (:mod:`commons_abm.governance.collective_choice`): who attends the
meetings of :func:`meet` is each member's decision by :func:`attends`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from commons_abm.governance import collective_choice
from commons_abm.governance.collective_choice import (
    MeetingParameters,
    OfficialLevels,
    attends,
    communicated_beliefs,
    meet,
    seen_breaches,
    talk_target,
    voted_levels,
)
from tests.contract import MechanismContract


class TestAttendance(MechanismContract):
    module = collective_choice
    stream = "governance"
    parameters = MeetingParameters
    bounds = {"attended": (0.0, 1.0)}
    agents = 120  # assemblies beyond 20 members, so that the group-size cost counts

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n, count = self.agents, int(rng.integers(1, 4))
        ties = int(rng.integers(50, 300))
        return {
            "p": MeetingParameters(
                attendance_base=rng.uniform(-1.0, 1.0),
                attendance_satisfaction=rng.uniform(0.0, 3.0),
                attendance_trust=rng.uniform(0.0, 3.0),
                attendance_habit=rng.uniform(0.0, 2.0),
                participation_cost=rng.uniform(0.0, 2.0),
                group_size_cost=rng.uniform(0.0, 1.0),
                meeting_gain=rng.uniform(0.0, 0.2),
                quorum=rng.uniform(0.0, 0.5),
                groupthink=rng.uniform(0.0, 1.0),
                common_knowledge=rng.uniform(0.0, 1.0),
                polarisation=rng.uniform(0.0, 1.0),
            ),
            "count": count,
            "assembly": rng.integers(0, count, n).astype(np.int32),
            "member": rng.random(n) < 0.8,
            "satisfaction": rng.uniform(0, 1, n),
            "trust_institutional": rng.uniform(0, 1, n),
            "attended_last": rng.random(n) < 0.4,
            "belief": rng.uniform(0, 1, n),
            "propensity": rng.uniform(0, 1, n),
            "cooperated": rng.random(n) < 0.6,
            "breach": rng.random(n) < 0.2,
            "bound": rng.random(n) < 0.7,
            "owners": rng.integers(0, n, ties).astype(np.int64),
            "indices": rng.integers(0, n, ties).astype(np.int64),
            "tie_trust": rng.uniform(0, 1, ties),
        }

    def draws(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> np.ndarray:
        return rngs["governance"].random(self.agents)  # as collective_choice.hold_meeting draws

    def population(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        n, count = self.agents, f["count"]
        attended, *_ = meet(
            self.draws(f, rngs),
            f["assembly"],
            count,
            f["member"],
            f["satisfaction"],
            f["trust_institutional"],
            f["attended_last"].copy(),
            np.zeros(n, np.int64),
            np.zeros(n, np.int64),
            f["belief"].copy(),
            f["propensity"],
            f["cooperated"],
            f["breach"],
            f["bound"],
            f["owners"],
            f["indices"],
            f["tie_trust"].copy(),
            f["p"],
            0.5,
            0.0,
            np.ones(count),
            np.full(count, 0.1),
            np.zeros(count, bool),
            OfficialLevels(1.0, 0.1),
        )
        return {"attended": attended}

    def one_agent(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        u = self.draws(f, rngs)
        size = [0] * f["count"]
        for i in range(self.agents):
            size[f["assembly"][i]] += bool(f["member"][i])
        attended = np.zeros(self.agents, bool)
        for i in range(self.agents):
            if f["member"][i]:
                attended[i] = attends(
                    float(u[i]),
                    float(f["satisfaction"][i]),
                    float(f["trust_institutional"][i]),
                    bool(f["attended_last"][i]),
                    float(size[f["assembly"][i]]),
                    f["p"],
                )
        return {"attended": attended}

    def test_attendance_rises_with_satisfaction_trust_and_habit(self) -> None:
        p = MeetingParameters(0.0, 2.0, 2.0, 1.0, 0.5, 0.3, 0.1, 0.2, 0.0, 0.0, 0.0)
        share = [
            np.mean([attends(u, s, t, h, 30.0, p) for u in np.linspace(0.001, 0.999, 999)])
            for s, t, h in ((0.2, 0.2, False), (0.8, 0.2, False), (0.8, 0.8, False), (0.8, 0.8, True))
        ]
        assert share == sorted(share) and share[0] < share[-1]

    def test_larger_assemblies_attend_less(self) -> None:
        p = MeetingParameters(0.0, 2.0, 2.0, 1.0, 0.5, 0.3, 0.1, 0.2, 0.0, 0.0, 0.0)
        share = [
            np.mean([attends(u, 0.5, 0.5, False, size, p) for u in np.linspace(0.001, 0.999, 999)])
            for size in (10, 20, 80)
        ]
        assert share[0] == share[1] > share[2]


def test_voted_levels_weigh_members_vote_by_their_voice() -> None:
    official = OfficialLevels(1.0, 0.5)
    assert voted_levels(2.0, 0.6, 1.0, -1.0, 0.0, official) == official
    fine, fee = voted_levels(2.0, 0.55, 1.0, -1.0, 1.0, official)
    assert (fine, fee) == pytest.approx((2.5, 0.5), rel=1e-12)
    assert voted_levels(3.9, 0.5, 1.0, 0.0, 1.0, official)[0] == 4.0  # clipped
    assert voted_levels(0.26, 0.5, -1.0, 0.0, 1.0, official)[0] == 0.25


# ------------------------------------------------------------ collective decision biases
def _assembly(n: int = 40, trust: float = 0.9, breach_share: float = 0.2):
    """One assembly where everyone attends (habit and satisfaction high), every member
    bound, ``breach_share`` of them breaching, a ring of ties with ``trust``."""
    owners = np.arange(n, dtype=np.int64)
    indices = (owners + 1) % n
    breach = np.zeros(n, bool)
    breach[: int(round(breach_share * n))] = True
    return owners, indices, np.full(n, trust), breach


def _vote(p: MeetingParameters, trust: float) -> float:
    n = 40
    owners, indices, tie_trust, breach = _assembly(n, trust)
    _, _, valid, votes, _ = meet(
        np.zeros(n), np.zeros(n, np.int32), 1, np.ones(n, bool), np.ones(n), np.ones(n), np.ones(n, bool),
        np.zeros(n, np.int64), np.zeros(n, np.int64), np.full(n, 0.5), np.full(n, 0.5), ~breach, breach,
        np.ones(n, bool), owners, indices, tie_trust, p, 1.0, 0.0, np.ones(1), np.full(1, 0.1), np.zeros(1, bool),
        OfficialLevels(1.0, 0.1),
    )  # fmt: skip
    assert valid[0]
    return float(votes[0])


def test_groupthink_blinds_a_cohesive_assembly_to_breaches() -> None:
    """Group-think (Janis 1972): with 20 % of its members breaking a rule, an assembly votes
    stricter; a cohesive one (trust 0.9 on its ties) under group-think sees fewer than 10 %
    and keeps its levels; a divided one (trust 0.1) still votes stricter."""
    base = MeetingParameters(5.0, 2.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.2, 0.0, 0.0, 0.0)
    blind = base._replace(groupthink=0.8)
    assert _vote(base, 0.9) == 1.0
    assert _vote(blind, 0.9) == 0.0
    assert _vote(blind, 0.1) == 1.0
    assert seen_breaches(0.2, 0.9, 0.8) == pytest.approx(0.2 * (1 - 0.72))


def test_polarisation_pushes_talk_beyond_the_groups_average() -> None:
    """Group polarisation (Myers & Lamm 1976): after talking, a group leaning cooperative
    expects more than its average intention, one leaning defective less; without it,
    attendees move toward the average (the former rule)."""
    assert talk_target(0.7, 0.0, 0.0, 0.0) == 0.7
    assert talk_target(0.7, 0.0, 0.0, 0.5) == pytest.approx(0.8)
    assert talk_target(0.3, 0.0, 0.0, 0.5) == pytest.approx(0.2)
    # attendees who already expect their group's average: talk leaves them there, or, polarised,
    # carries them beyond it
    beliefs = communicated_beliefs(np.full(4, 0.7), np.full(4, 0.7), np.zeros(4, int), np.ones(4, bool), 1)
    polarised = communicated_beliefs(
        np.full(4, 0.7), np.full(4, 0.7), np.zeros(4, int), np.ones(4, bool), 1, polarisation=0.5
    )
    assert beliefs == pytest.approx(np.full(4, 0.7)) and (polarised > 0.7).all()


def test_common_knowledge_outweighs_what_attendees_bring() -> None:
    """The common-knowledge effect (Gigone & Hastie 1993): what all knew before the meeting
    (here a community-wide cooperation of 0.2) pulls the group's expectation away from the
    intentions its members bring (0.8), in proportion to its weight."""
    assert talk_target(0.8, 0.2, 0.5, 0.0) == pytest.approx(0.5)
    assert talk_target(0.8, 0.2, 1.0, 0.0) == pytest.approx(0.2)
    after = communicated_beliefs(
        np.full(3, 0.5), np.full(3, 0.8), np.zeros(3, int), np.ones(3, bool), 1, public=0.2, common_knowledge=0.5
    )
    assert after == pytest.approx(np.full(3, 0.5))  # the target 0.5 is where they already are
