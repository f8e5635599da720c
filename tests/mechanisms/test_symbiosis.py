"""Industrial symbiosis (:mod:`commons_abm.materials.symbiosis`): the day's exchange over
all (seller, buyer) pairs equals its one-pair forms applied pair after pair, as the
reference engine's firms apply them; no buyer takes more than its demand and no seller
gives more than its by-product."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from commons_abm.materials import symbiosis
from tests.contract import MechanismContract

ROUNDING = 1e-12  # relative rounding allowed on demands and by-products


class TestExchange(MechanismContract):
    """Sellers split their by-product pro rata to their buyers' demand; buyers offered more
    than their demand scale every offer down alike."""

    module = symbiosis
    stream = None
    parameters = None  # no parameters: the exchange follows the day's flows and the ties
    bounds = {
        "kg": (0.0, np.inf),
        "left": (0.0, np.inf),
        "of_demand": (0.0, 1.0 + ROUNDING),  # received over the buyer's demand (0 without demand)
        "of_byproduct": (0.0, 1.0 + ROUNDING),  # sold over the seller's by-product (0 without any)
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        firm = rng.random(n) < 0.5
        firms = np.flatnonzero(firm)
        pairs = {
            (int(s), int(b)) for s, b in rng.choice(firms, (3 * firms.size, 2)) if s != b
        }  # ties between firms whose materials match, either direction
        seller, buyer = (np.array(side, dtype=np.int64) for side in zip(*sorted(pairs)))
        return {
            "seller": seller,
            "buyer": buyer,
            "byproduct": np.where(firm, rng.uniform(0.0, 500.0, n) * (rng.random(n) < 0.8), 0.0),
            "demand": np.where(firm, rng.uniform(0.0, 400.0, n) * (rng.random(n) < 0.8), 0.0),
            "firm": firm,
        }

    @staticmethod
    def outputs(fixture: dict[str, Any], kg, received, sold, left) -> dict[str, np.ndarray]:
        demand, byproduct = fixture["demand"], fixture["byproduct"]
        return {
            "kg": kg,
            "received": received,
            "sold": sold,
            "left": left,
            "of_demand": np.divide(received, demand, out=np.zeros_like(received), where=demand > 0),
            "of_byproduct": np.divide(sold, byproduct, out=np.zeros_like(sold), where=byproduct > 0),
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        kg, received, sold, left = symbiosis.exchange(
            fixture["seller"], fixture["buyer"], fixture["byproduct"], fixture["demand"], fixture["firm"]
        )
        return self.outputs(fixture, kg, received, sold, left)

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        seller, buyer = fixture["seller"].tolist(), fixture["buyer"].tolist()
        byproduct, demand = fixture["byproduct"].tolist(), fixture["demand"].tolist()
        n, pairs = self.agents, range(len(seller))
        wanted = [0.0] * n  # by each seller's buyers, summed pair after pair
        for k in pairs:
            wanted[seller[k]] += demand[buyer[k]]
        offer = [symbiosis.pair_offer(byproduct[seller[k]], demand[buyer[k]], wanted[seller[k]]) for k in pairs]
        offered = [0.0] * n
        for k in pairs:
            offered[buyer[k]] += offer[k]
        kg = [symbiosis.pair_taken(offer[k], demand[buyer[k]], offered[buyer[k]]) for k in pairs]
        received, sold = [0.0] * n, [0.0] * n
        for k in pairs:
            received[buyer[k]] += kg[k]
            sold[seller[k]] += kg[k]
        left = [symbiosis.unsold(byproduct[i], sold[i]) if fixture["firm"][i] else 0.0 for i in range(n)]
        return self.outputs(fixture, *(np.array(x) for x in (kg, received, sold, left)))

    def test_a_saturated_buyer_scales_every_offer_alike(self) -> None:
        assert symbiosis.pair_taken(30.0, 50.0, 100.0) == 15.0
        assert symbiosis.pair_taken(30.0, 50.0, 40.0) == 30.0
        assert symbiosis.pair_offer(90.0, 20.0, 60.0) == pytest.approx(30.0, rel=1e-15)
        assert symbiosis.pair_offer(90.0, 20.0, 0.0) == 0.0
        assert symbiosis.unsold(10.0, 12.0) == 0.0
