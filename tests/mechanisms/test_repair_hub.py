"""The reuse-and-repair hub (:mod:`commons_abm.materials.repair_hub`): what it accepts of
each household's goods, for the whole population and one household at a time, with the
hub's day both engines share; its stocks stay within the storage."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.materials import repair_hub
from tests.contract import MechanismContract

ROUNDING = 1e-12  # relative rounding allowed at the storage


class TestHubIntake(MechanismContract):
    """Every household sees the same acceptance share of the goods it brings."""

    module = repair_hub
    stream = None
    parameters = repair_hub.HubCapacities
    bounds = {
        "accepted_reuse": (0.0, np.inf),
        "accepted_repair": (0.0, np.inf),
        "of_brought": (0.0, 1.0),  # accepted over brought, each household (0 when it brought nothing)
        "of_storage": (0.0, 1.0 + ROUNDING),  # the hub's stocks at the end over its storage
        "day": (0.0, np.inf),  # the hub's flows and stocks of the day (HubFlows)
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        waste = rng.uniform(0.2, 3.0, n) * (rng.random(n) < 0.8)  # firms and officials bring nothing
        bring = rng.uniform(0.0, 1.0, n)
        capacities = repair_hub.HubCapacities(
            intake_kg_per_day=rng.uniform(0.0, 8.0),
            storage_kg=rng.uniform(10.0, 400.0),
            reuse_demand_kg_per_day=rng.uniform(0.0, 20.0),
            repair_kg_per_day=rng.uniform(0.0, 12.0),
            repair_success_rate=rng.uniform(0.3, 1.0),
        )
        stock = capacities.storage_kg * rng.uniform(0.0, 1.0)
        split = rng.uniform(0.0, 1.0)
        return {
            "brought_reuse": waste * 0.04 * bring * 10,
            "brought_repair": waste * 0.03 * bring * 10,
            "reusable_kg": stock * split,
            "repairable_kg": stock * (1.0 - split),
            "c": capacities,
        }

    def hub(self, fixture: dict[str, Any]) -> repair_hub.HubFlows:
        """The hub's day, from the goods offered summed household after household."""
        offered_reuse = offered_repair = 0.0
        for reuse, repair in zip(fixture["brought_reuse"].tolist(), fixture["brought_repair"].tolist()):
            offered_reuse += reuse
            offered_repair += repair
        return repair_hub.hub_flows(
            fixture["reusable_kg"], fixture["repairable_kg"], offered_reuse, offered_repair, fixture["c"]
        )

    def outputs(self, fixture: dict[str, Any], day, accepted_reuse, accepted_repair) -> dict[str, np.ndarray]:
        brought = fixture["brought_reuse"] + fixture["brought_repair"]
        accepted = accepted_reuse + accepted_repair
        stocks = day.reusable_end_kg + day.repairable_end_kg
        return {
            "accepted_reuse": accepted_reuse,
            "accepted_repair": accepted_repair,
            "of_brought": np.divide(accepted, brought, out=np.zeros_like(accepted), where=brought > 0),
            "of_storage": np.array([stocks / fixture["c"].storage_kg]),
            "day": np.array(day),
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        day = self.hub(fixture)
        return self.outputs(
            fixture,
            day,
            repair_hub.accepted_goods(fixture["brought_reuse"], day.accept_share),
            repair_hub.accepted_goods(fixture["brought_repair"], day.accept_share),
        )

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        day = self.hub(fixture)
        accept = day.accept_share
        reuse = [repair_hub.hub_accepts(kg, accept) for kg in fixture["brought_reuse"].tolist()]
        repair = [repair_hub.hub_accepts(kg, accept) for kg in fixture["brought_repair"].tolist()]
        return self.outputs(fixture, day, np.array(reuse), np.array(repair))

    def test_households_accepted_add_up_to_the_hub_intake(self) -> None:
        for seed in (1, 2, 3):
            fixture = self._fixture(seed)
            out = self.population(fixture, {})
            day = self.hub(fixture)
            np.testing.assert_allclose(out["accepted_reuse"].sum(), day.accepted_reusable_kg, rtol=1e-12)
            np.testing.assert_allclose(out["accepted_repair"].sum(), day.accepted_repairable_kg, rtol=1e-12)
            refused = (fixture["brought_reuse"] + fixture["brought_repair"]).sum() - (
                out["accepted_reuse"] + out["accepted_repair"]
            ).sum()
            np.testing.assert_allclose(refused, day.refused_kg, rtol=1e-9, atol=1e-12)
