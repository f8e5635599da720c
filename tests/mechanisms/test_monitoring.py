"""Monitoring (:mod:`commons_abm.governance.monitoring`): the population's checks are
each bound agent's checks by :func:`monitored`, and the costs are the reach of every check."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.governance import monitoring
from commons_abm.governance.institutions import DUTY_MONITOR, OFFICIAL_MONITOR, PEER_MONITOR, MonitorTable
from commons_abm.governance.monitoring import monitor_arrays, monitor_reach, monitored
from tests.contract import MechanismContract


def ties(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A random network as CSR arrays (up to 6 ties per agent, some agents without any)."""
    rows = [rng.choice(np.delete(np.arange(n), i), size=rng.integers(0, 7), replace=False) for i in range(n)]
    indptr = np.concatenate([[0], np.cumsum([r.size for r in rows])]).astype(np.int64)
    indices = np.concatenate(rows).astype(np.int64)
    return indptr, indices


def coverage_of(f: dict[str, Any], i: int) -> float:
    """Share of agent ``i``'s ties to members who cooperated, counted as the reference engine does."""
    others = f["indices"][f["indptr"][i] : f["indptr"][i + 1]]
    if not others.size:
        return 0.0
    return sum(1 for j in others if f["member"][j] and f["cooperated"][j]) / len(others)


def members_of(f: dict[str, Any], i: int) -> float:
    """Share of agent ``i``'s ties to members (who all watch on duty)."""
    others = f["indices"][f["indptr"][i] : f["indptr"][i + 1]]
    return sum(1 for j in others if f["member"][j]) / len(others) if others.size else 0.0


class TestMonitoring(MechanismContract):
    module = monitoring
    stream = "governance"
    parameters = MonitorTable
    bounds = {"detected": (0.0, 1.0), "wrongly_accused": (0.0, 1.0), "by_official": (0.0, 1.0)}

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        monitors = int(rng.integers(1, 4))
        indptr, indices = ties(rng, n)
        return {
            "table": MonitorTable(
                who=rng.integers(0, 4, monitors).astype(np.int64),
                detection_probability=rng.uniform(0.0, 1.0, monitors),
                error_rate=rng.uniform(0.0, 0.2, monitors),
                cost_eur_per_check=rng.uniform(0.0, 2.0, monitors),
            ),
            "bound": rng.random(n) < 0.7,
            "breach": rng.random(n) < 0.4,
            "visible": np.where(rng.random(n) < 0.3, rng.uniform(0.0, 1.0, n), 1.0),
            "member": rng.random(n) < 0.6,
            "cooperated": rng.random(n) < 0.6,
            "indptr": indptr,
            "indices": indices,
        }

    def draws(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> np.ndarray:
        return rngs["governance"].random((f["table"].who.size, self.agents))  # as monitoring.monitor draws

    def population(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        t = f["table"]
        detected, wrong, by_official, *_ = monitor_arrays(
            t.who,
            t.detection_probability,
            t.error_rate,
            t.cost_eur_per_check,
            self.draws(f, rngs),
            f["bound"],
            f["breach"],
            f["visible"],
            f["member"],
            f["cooperated"],
            f["indptr"],
            f["indices"],
        )
        return {"detected": detected, "wrongly_accused": wrong, "by_official": by_official}

    def one_agent(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        t = f["table"]
        u = self.draws(f, rngs)
        out = {name: np.zeros(self.agents, bool) for name in ("detected", "wrongly_accused", "by_official")}
        for i in range(self.agents):
            if f["bound"][i]:
                checks = monitored(
                    f["breach"][i],
                    coverage_of(f, i),
                    members_of(f, i),
                    f["visible"][i],
                    u[:, i].copy(),
                    t.who,
                    t.detection_probability,
                    t.error_rate,
                )
                for name, value in zip(out, checks):
                    out[name][i] = value
        return out

    def test_costs_are_the_reach_of_every_check(self) -> None:
        f = self.fixture(np.random.default_rng(7))
        t = f["table"]
        u = np.random.default_rng(8).random((t.who.size, self.agents))
        _, _, _, cost, official_cost, peer_cost = monitor_arrays(
            t.who, t.detection_probability, t.error_rate, t.cost_eur_per_check, u,
            f["bound"], f["breach"], f["visible"], f["member"], f["cooperated"], f["indptr"], f["indices"],
        )  # fmt: skip
        spent = [
            t.cost_eur_per_check[m]
            * sum(monitor_reach(t.who[m], coverage_of(f, i), members_of(f, i), 1.0) for i in np.flatnonzero(f["bound"]))
            for m in range(t.who.size)
        ]
        assert np.isclose(cost, sum(spent))
        assert np.isclose(official_cost, sum(s for s, w in zip(spent, t.who) if w == OFFICIAL_MONITOR))
        peer_spent = sum(s for s, w in zip(spent, t.who) if w == PEER_MONITOR)
        duty_spent = sum(s for s, w in zip(spent, t.who) if w == DUTY_MONITOR)
        if (f["member"] & f["cooperated"]).any():
            assert np.isclose(peer_cost.sum(), peer_spent + duty_spent)
        assert not peer_cost[~f["member"]].any()  # only members watch

    def test_a_sure_monitor_catches_every_breach_and_no_complier(self) -> None:
        who = np.array([OFFICIAL_MONITOR], np.int64)
        for breach in (True, False):
            for u in (0.0, 0.5, 0.999):
                assert monitored(breach, 0.3, 0.3, 1.0, np.array([u]), who, np.ones(1), np.zeros(1)) == (
                    breach,
                    False,
                    breach,
                )

    def test_peers_see_only_what_happens_around_them(self) -> None:
        who = np.array([PEER_MONITOR], np.int64)
        assert monitored(True, 0.0, 0.0, 1.0, np.array([0.0]), who, np.ones(1), np.zeros(1)) == (False, False, False)
        assert monitored(True, 0.5, 0.5, 1.0, np.array([0.49]), who, np.ones(1), np.zeros(1))[0]
        assert not monitored(True, 0.5, 0.5, 1.0, np.array([0.51]), who, np.ones(1), np.zeros(1))[0]

    def test_officials_do_not_see_into_neighbours_bins(self) -> None:
        """A breach seen only inside the neighbourhood (a bag in a neighbour's chipped bin,
        visibility 0) escapes officials and the operator, not peers who watch there."""
        u = np.array([0.0])
        for outsider in (OFFICIAL_MONITOR, 2):
            who = np.array([outsider], np.int64)
            assert monitored(True, 1.0, 1.0, 0.0, u, who, np.ones(1), np.zeros(1))[0] is False
            assert monitored(True, 1.0, 1.0, 1.0, u, who, np.ones(1), np.zeros(1))[0] is True
        assert monitored(True, 1.0, 1.0, 0.0, u, np.array([PEER_MONITOR], np.int64), np.ones(1), np.zeros(1))[0]

    def test_members_on_duty_watch_whether_they_cooperate_or_not(self) -> None:
        """Members who may monitor watch as they choose: only those who cooperated see a
        breach; members who must monitor watch by turns, every member (``duty_coverage``)."""
        u = np.array([0.4])
        may, must = np.array([PEER_MONITOR], np.int64), np.array([DUTY_MONITOR], np.int64)
        # the agent's ties: all to members, none of whom cooperated today
        assert monitored(True, 0.0, 1.0, 1.0, u, may, np.ones(1), np.zeros(1))[0] is False
        assert monitored(True, 0.0, 1.0, 1.0, u, must, np.ones(1), np.zeros(1))[0] is True
