"""Firms' by-product matches (:mod:`commons_abm.materials.byproduct_matches`): the day of
every candidate equals each candidate's one-match form, one after another, with the same
draws of the ``materials`` stream; trust, delivery and breaks go the documented way."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.core.scenario import Scenario, with_overrides
from commons_abm.governance.institutions import Institutions
from commons_abm.materials import byproduct_matches as bm
from tests.contract import MechanismContract

OUTPUTS = ("active", "trust", "delivered", "setup_eur")


def params(**changes: float) -> bm.MatchParameters:
    return bm.match_parameters(Scenario(), Institutions())._replace(**changes)


class TestMatches(MechanismContract):
    """Matches form on discovery when they pay back their set-up, deliver against the day's
    handling cost, gain or lose trust, and break."""

    module = bm
    stream = "materials"
    parameters = bm.MatchParameters
    bounds = {"active": (0.0, 1.0), "trust": (0.0, 1.0), "delivered": (0.0, 1.0), "setup_eur": (0.0, 1e4)}

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n, k = self.agents, 60
        return {
            "seller": rng.integers(0, n, k).astype(np.int64),
            "buyer": rng.integers(0, n, k).astype(np.int64),
            "tied": rng.random(k) < 0.3,
            "active": rng.random(k) < 0.4,
            "trust": rng.uniform(0.0, 1.0, k),
            "byproduct": rng.uniform(0.0, 120.0, n),
            "input": rng.uniform(0.0, 400.0, n),
            "p": params(
                platform_discovery_per_day=float(rng.uniform(0.0, 0.2)),
                transaction_eur_per_kg=float(rng.uniform(0.0, 0.6)),
                break_per_day=float(rng.uniform(0.0, 0.3)),
            ),
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = {**fixture, "active": fixture["active"].copy(), "trust": fixture["trust"].copy()}
        u = rngs["materials"].random((3, f["seller"].size))
        delivered, setup = bm.match_day(
            u, f["active"], f["trust"], f["tied"], f["seller"], f["buyer"], f["byproduct"], f["input"], f["p"]
        )
        return {"active": f["active"], "trust": f["trust"], "delivered": delivered, "setup_eur": setup}

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        u = rngs["materials"].random((3, f["seller"].size))
        out = {"active": [], "trust": [], "delivered": []}
        setup = np.zeros(self.agents)
        for k in range(f["seller"].size):
            s, b = f["seller"][k], f["buyer"][k]
            day = bm.match_pair(
                bool(f["active"][k]), float(f["trust"][k]), bool(f["tied"][k]), f["byproduct"][s], f["input"][b],
                u[:, k].copy(), f["p"],
            )  # fmt: skip
            out["active"].append(day.active)
            out["trust"].append(day.trust)
            out["delivered"].append(day.delivered)
            if day.formed:
                setup[s] += 0.5 * f["p"].setup_cost_eur
                setup[b] += 0.5 * f["p"].setup_cost_eur
        return {**{name: np.array(values, dtype=float) for name, values in out.items()}, "setup_eur": setup}

    def test_a_platform_finds_matches_that_ties_alone_do_not(self) -> None:
        u = np.array([0.01, 0.5, 0.99])
        untied_alone = bm.match_pair(False, 0.5, False, 60.0, 250.0, u, params())
        untied_platform = bm.match_pair(False, 0.5, False, 60.0, 250.0, u, params(platform_discovery_per_day=0.05))
        assert not untied_alone.active and untied_platform.active and untied_platform.formed

    def test_a_match_forms_only_if_it_pays_back_its_set_up(self) -> None:
        u = np.array([0.0, 0.5, 0.99])
        tiny = bm.match_pair(False, 0.5, True, 0.1, 250.0, u, params())  # 0.1 kg/day never pays back 2,000 EUR
        assert not tiny.active
        assert bm.match_pair(False, 0.5, True, 60.0, 250.0, u, params()).active

    def test_costly_handling_makes_sellers_defect_and_trust_fall(self) -> None:
        """Over many days, a dearer transaction means fewer deliveries and less trust."""
        rng = np.random.default_rng(7)
        rates = {}
        for cost in (0.05, 1.0):
            p = params(transaction_eur_per_kg=cost, break_per_day=0.0)
            active, trust, delivered = True, 0.5, 0
            for _ in range(2000):
                day = bm.match_pair(active, trust, True, 60.0, 250.0, rng.random(3), p)
                active, trust, delivered = day.active, day.trust, delivered + day.delivered
            rates[cost] = (delivered / 2000, trust)
        assert rates[0.05][0] > 0.9 > 0.5 > rates[1.0][0]
        assert rates[0.05][1] > rates[1.0][1]

    def test_matches_with_less_trust_break_sooner(self) -> None:
        p = params(transaction_eur_per_kg=1e-9, break_per_day=0.5)
        u = np.array([0.5, 0.0, 0.3])
        assert bm.match_pair(True, 0.9, True, 60.0, 250.0, u, p).active  # 0.3 >= 0.5 x (1 - 0.9+)
        assert not bm.match_pair(True, 0.1, True, 60.0, 250.0, u, p._replace(trust_gain=0.0)).active


def test_candidates_are_same_kind_firm_pairs_and_tied_ones_start_active() -> None:
    scenario = with_overrides(Scenario(), **{"materials.firms.matching.compatible_share": 1.0})
    from commons_abm.model import CommonsModel

    state = CommonsModel(scenario, seed=2, create_agents=False).state
    m = state.matches
    assert m.seller.size > 0 and np.all(m.seller != m.buyer)
    assert np.all(state.byproduct_type[m.seller] == state.input_type[m.buyer])
    assert np.array_equal(m.active, m.tied) and m.tied.any() and not m.tied.all()
    fewer = CommonsModel(with_overrides(Scenario(), **{"materials.firms.matching.compatible_share": 0.2}), seed=2)
    assert fewer.state.matches.seller.size < m.seller.size
