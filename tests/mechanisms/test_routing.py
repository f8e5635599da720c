"""The materials' routes (:mod:`commons_abm.materials.routing`): the day's routes of the
whole population equal each agent's one-agent forms (:func:`plan_routes`, then, once the
hub and symbiosis have taken their part, :func:`settle_routes`), applied agent after agent
with the same draws of the ``materials`` stream; the mass balance closes."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.behaviour.waste_choices import WasteChoices
from commons_abm.core.kinds import DISCARDS_GOODS, FIRM, HOUSEHOLD, MATERIAL_ROLE_OF, OFFICIAL, TRADES_BYPRODUCTS
from commons_abm.core.scenario import Materials
from commons_abm.materials import routing
from commons_abm.materials.repair_hub import HubCapacities, hub_accepts, hub_flows
from commons_abm.materials.symbiosis import exchange
from commons_abm.territory.build import lognormal_noise
from tests.contract import MechanismContract

PER_AGENT = ("waste_kg", "dumped_kg", "displaced_kg", "brought_kg", "byproduct_kg", "secondary_kg", "virgin_kg")


class TestRoutes(MechanismContract):
    """Households' goods and firms' by-products down the waste hierarchy."""

    module = routing
    stream = "materials"
    parameters = routing.RoutingParameters
    bounds = {
        **{name: (0.0, np.inf) for name in PER_AGENT},
        "dumped_of_waste": (0.0, 1.0 + 1e-12),  # what each household dumps over the waste it generates
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        kind = rng.choice([HOUSEHOLD, FIRM, OFFICIAL], n, p=[0.7, 0.25, 0.05]).astype(np.int8)
        firms = np.flatnonzero(kind == FIRM)
        pairs = sorted({(int(s), int(b)) for s, b in rng.choice(firms, (2 * firms.size, 2)) if s != b})
        seller, buyer = (np.array(side, dtype=np.int64) for side in zip(*pairs))
        m = Materials(daily_cv=rng.uniform(0.0, 0.6))
        p = routing.routing_parameters(m)
        shares = rng.uniform(0.0, 1.0, (5, n))
        chipped = bool(rng.random() < 0.5)
        choices = WasteChoices(
            sort=shares[0],
            compost=shares[1],
            bring_reuse=shares[2],
            bring_repair=shares[3],
            dump_goods=(rng.random(n) < 0.1).astype(float),
            dump_bag=(rng.random(n) < 0.1).astype(float),
            to_neighbours=np.full(n, shares[4].mean() if chipped else 0.0),
            marginal_eur_per_kg=np.full(n, 0.2 if chipped else 0.0),
            fixed_eur_per_day=rng.uniform(0.0, 1.0, n),
            motive=rng.uniform(0.0, 1.0, n),
        )
        degree = rng.integers(0, 6, n)
        indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int64)
        hub = HubCapacities(rng.uniform(0.0, 20.0), p.storage_kg, 12.0, 8.0, p.repair_success_rate)
        stock = p.storage_kg * rng.uniform(0.0, 1.0)
        return {
            "cv": m.daily_cv,
            "kind": kind,
            "waste": rng.uniform(0.5, 3.0, n),
            "byproduct": rng.uniform(0.0, 300.0, n),
            "input": rng.uniform(0.0, 250.0, n),
            "choices": choices,
            "indptr": indptr,
            "indices": rng.integers(0, n, int(indptr[-1])).astype(np.int64),
            "near": rng.random(int(indptr[-1])) < 0.7,
            "seller": seller,
            "buyer": buyer,
            "reusable_kg": stock * 0.6,
            "repairable_kg": stock * 0.4,
            "setup_eur": np.where(rng.random(n) < 0.1, rng.uniform(0.0, 1000.0, n), 0.0),
            "transaction": rng.uniform(0.0, 0.3),
            "hub": hub,
            "p": p,
        }

    @staticmethod
    def outputs(per_agent: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        waste, dumped = per_agent["waste_kg"], per_agent["dumped_kg"]
        return {**per_agent, "dumped_of_waste": np.divide(dumped, waste, out=np.zeros_like(dumped), where=waste > 0)}

    def route(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> routing.MaterialRoutes:
        """The whole-population kernel on the fixture, with the stage's noise draw."""
        return routing.route_arrays(
            lognormal_noise(rngs["materials"], f["cv"], self.agents),
            f["kind"],
            f["waste"],
            f["byproduct"],
            f["input"],
            f["choices"],
            f["indptr"],
            f["indices"],
            f["near"],
            f["seller"],
            f["buyer"],
            f["reusable_kg"],
            f["repairable_kg"],
            f["setup_eur"],
            f["transaction"],
            f["hub"],
            f["p"],
        )

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        routes = self.route(fixture, rngs)
        return self.outputs({name: getattr(routes, name) for name in (*PER_AGENT, "cost_eur", "reference_cost_eur")})

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f, n, p = fixture, self.agents, fixture["p"]
        noise = lognormal_noise(rngs["materials"], f["cv"], n)  # what the stage draws, in its order
        c = f["choices"]
        plans = [
            routing.plan_routes(
                int(MATERIAL_ROLE_OF[f["kind"][i]]),
                float(noise[i]),
                float(f["waste"][i]),
                float(f["byproduct"][i]),
                float(f["input"][i]),
                float(c.sort[i]),
                float(c.compost[i]),
                float(c.bring_reuse[i]),
                float(c.bring_repair[i]),
                float(c.dump_bag[i]),
                float(c.to_neighbours[i]),
                p,
            )
            for i in range(n)
        ]
        # each dumper's bagged waste for neighbours' bins, agent after agent
        role = MATERIAL_ROLE_OF[f["kind"]].astype(np.int64)
        displaced_in, unplaced = np.zeros(n), np.zeros(n)
        for i, plan in enumerate(plans):
            if plan.to_neighbours_kg > 0:
                count = routing.household_neighbours(f["indptr"], f["indices"], f["near"], role, i)
                if count == 0:
                    unplaced[i] = plan.to_neighbours_kg
                for k in range(f["indptr"][i], f["indptr"][i + 1]):
                    if count and f["near"][k] and role[f["indices"][k]] == DISCARDS_GOODS:
                        displaced_in[f["indices"][k]] += plan.to_neighbours_kg / count
        offered_reuse = offered_repair = 0.0
        for plan in plans:
            offered_reuse += plan.brought_reuse_kg
            offered_repair += plan.brought_repair_kg
        hub = hub_flows(f["reusable_kg"], f["repairable_kg"], offered_reuse, offered_repair, f["hub"])
        byproduct = np.array([plan.byproduct_kg for plan in plans])
        demand = np.array([plan.demand_kg for plan in plans])
        _, secondary, sold, left = exchange(
            f["seller"], f["buyer"], byproduct, demand, MATERIAL_ROLE_OF[f["kind"]] == TRADES_BYPRODUCTS
        )
        settled = [
            routing.settle_routes(
                plan,
                hub_accepts(plan.brought_reuse_kg, hub.accept_share),
                hub_accepts(plan.brought_repair_kg, hub.accept_share),
                float(c.dump_goods[i]),
                float(unplaced[i]),
                float(displaced_in[i]),
                float(c.marginal_eur_per_kg[i]),
                float(c.fixed_eur_per_day[i]),
                float(secondary[i]),
                float(sold[i]),
                float(left[i]),
                float(f["setup_eur"][i]),
                f["transaction"],
                p,
            )
            for i, plan in enumerate(plans)
        ]
        per_agent = {
            "waste_kg": np.array([plan.waste_kg for plan in plans]),
            "dumped_kg": np.array([s.dumped_kg for s in settled]),
            "displaced_kg": displaced_in,
            "brought_kg": np.array([plan.brought_reuse_kg + plan.brought_repair_kg for plan in plans]),
            "byproduct_kg": byproduct,
            "secondary_kg": secondary,
            "virgin_kg": np.array([s.virgin_kg for s in settled]),
            "cost_eur": np.array([s.cost_eur for s in settled]),
            "reference_cost_eur": np.array([s.reference_cost_eur for s in settled]),
        }
        return self.outputs(per_agent)

    def test_displaced_waste_lands_in_tied_households_bins(self) -> None:
        """What dumpers put in neighbours' bins is what those bins receive, unless a dumper
        has no tied household: then it lands in the street."""
        for seed in (1, 2, 3):
            f = self._fixture(seed)
            routes = self.route(f, {"materials": np.random.default_rng(seed)})
            t = routes.totals
            assert abs(t.displaced_kg - routes.displaced_kg.sum()) <= 1e-9 * max(t.inputs_kg, 1.0)
            assert np.all(routes.displaced_kg[MATERIAL_ROLE_OF[f["kind"]] != DISCARDS_GOODS] == 0.0)

    def test_the_mass_balance_closes(self) -> None:
        for seed in (1, 2, 3):
            f = self._fixture(seed)
            rngs = {"materials": np.random.default_rng(seed)}
            routes = self.route(f, rngs)
            assert abs(routes.totals.residual_kg) <= 1e-12 * routes.totals.inputs_kg
