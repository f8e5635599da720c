"""Allocation keys (:mod:`commons_abm.energy.allocation_keys`): each key's whole-day
population kernel equals its one-hour form over lists (each agent weighted by
:func:`key_weight` and served by :func:`agent_share`), as the reference engine calls it
hour after hour; nobody gets more than its cap and no hour gives more than its amount."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from commons_abm.energy import allocation_keys as keys
from tests.contract import MechanismContract

HOURS = 24
ROUNDING = 1e-12  # relative rounding allowed on the caps and the amounts


class KeyContract(MechanismContract):
    """The contract of one allocation key (a subclass names the key)."""

    module = keys
    stream = None
    parameters = None  # the key is a rulebook choice; its inputs are the day's flows
    key: ClassVar[str]
    rtol = 1e-9  # the population water-fills by a fixed point, the one-hour form by sorting
    bounds = {
        "received": (0.0, np.inf),
        "of_cap": (0.0, 1.0 + ROUNDING),  # what each agent gets over its cap (0 when no cap)
        "of_amount": (0.0, 1.0 + ROUNDING),  # what each hour gives over its amount (0 when none)
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        hours = np.arange(HOURS) + 0.5
        sun = np.clip(np.sin(np.pi * (hours - 6.5) / 13.0), 0.0, None)
        demand = rng.uniform(0.05, 2.5, (HOURS, n))
        owner = rng.random(n) < 0.4
        pv = np.outer(sun, rng.uniform(1.0, 9.0, n)) * owner
        caps = np.maximum(demand - pv, 0.0)  # what each agent still needs after its own PV
        offering = np.flatnonzero(owner & (rng.random(n) < 0.8))
        offer = np.maximum(pv - demand, 0.0)[:, offering] * rng.uniform(0.2, 1.0, offering.size)
        amount = caps.sum(axis=1) * rng.uniform(0.0, 1.3, HOURS)
        amount[rng.random(HOURS) < 0.2] = 0.0  # hours with nothing to share
        return {
            "amount": amount,
            "caps": caps,
            "demand": demand,
            "energy_poor": rng.random(n) < 0.25,
            "before": np.where(owner, rng.uniform(0.0, 200.0, n), 0.0) * (rng.random(n) < 0.7),
            "offer": np.ascontiguousarray(offer),
            "offer_columns": offering,
            "claim": np.where(rng.random(n) < 0.2, 1.0 + rng.uniform(0.1, 1.0, n), 1.0),
        }

    def outputs(self, fixture: dict[str, Any], received: np.ndarray) -> dict[str, np.ndarray]:
        caps, amount = fixture["caps"], fixture["amount"]
        of_cap = np.divide(received, caps, out=np.zeros_like(received), where=caps > 0)
        given = received.sum(axis=1)
        of_amount = np.divide(given, amount, out=np.zeros_like(given), where=amount > 0)
        return {"received": received, "of_cap": of_cap, "of_amount": of_amount}

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        inputs = keys.KeyInputs(
            demand=fixture["demand"],
            energy_poor=fixture["energy_poor"],
            contributed_before=fixture["before"],
            offer=fixture["offer"],
            offer_columns=fixture["offer_columns"],
            claim=fixture["claim"],
        )
        return self.outputs(fixture, keys.KEYS[self.key](fixture["amount"], fixture["caps"], inputs))

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        n = self.agents
        code = keys.KEY_CODES[self.key]
        offer = np.zeros((HOURS, n))
        offer[:, fixture["offer_columns"]] = fixture["offer"]
        running = [0.0] * n  # each agent's offer so far today, as the reference engine keeps it
        received = np.zeros((HOURS, n))
        for h in range(HOURS):
            running = [r + float(o) for r, o in zip(running, offer[h])]
            received[h] = keys.allocate_hour_lists(
                code,
                float(fixture["amount"][h]),
                fixture["caps"][h].tolist(),
                fixture["demand"][h].tolist(),
                fixture["claim"].tolist(),
                [float(b) + r for b, r in zip(fixture["before"], running)],
                fixture["energy_poor"].tolist(),
            )
        return self.outputs(fixture, received)

    def test_everything_is_placed_when_the_caps_allow(self) -> None:
        for seed in (1, 2, 3):
            fixture = self._fixture(seed)
            given = self.population(fixture, {})["received"].sum(axis=1)
            room = fixture["caps"].sum(axis=1)
            np.testing.assert_allclose(given, np.minimum(fixture["amount"], room), rtol=1e-12, atol=0.0)


class TestStatic(KeyContract):
    """Fixed equal coefficients, nothing redistributed (Enedis static key)."""

    key = "static"

    def test_everything_is_placed_when_the_caps_allow(self) -> None:
        """The static key places only each agent's fixed share: the rest stays unallocated."""
        for seed in (1, 2, 3):
            fixture = self._fixture(seed)
            received = self.population(fixture, {})["received"]
            share = fixture["amount"][:, None] / fixture["caps"].shape[1]
            np.testing.assert_allclose(received, np.minimum(share, fixture["caps"]), rtol=1e-12, atol=0.0)
            assert (received.sum(axis=1) <= np.minimum(fixture["amount"], fixture["caps"].sum(axis=1)) + 1e-9).all()


class TestEqual(KeyContract):
    """Equal shares, redistributed (a dynamic key with equal coefficients)."""

    key = "equal"


class TestProRataConsumption(KeyContract):
    """Shares pro rata of each agent's demand (the Enedis default key)."""

    key = "pro_rata_consumption"


class TestProRataContribution(KeyContract):
    """Contributors first, pro rata of their offer so far; then pro rata consumption."""

    key = "pro_rata_contribution"


class TestNeedsFirst(KeyContract):
    """The energy-poor first, pro rata consumption; then everyone, pro rata consumption."""

    key = "needs_first"


def test_one_agent_weights() -> None:
    """The weights of the module docstring, agent by agent."""
    code = keys.KEY_CODES
    assert keys.key_weight(code["equal"], 0, 2.0, 1.5, 7.0, False) == 1.5
    assert keys.key_weight(code["pro_rata_consumption"], 0, 2.0, 1.5, 7.0, False) == 3.0
    assert keys.key_weight(code["pro_rata_contribution"], 0, 2.0, 1.5, 7.0, False) == 10.5
    assert keys.key_weight(code["pro_rata_contribution"], 1, 2.0, 1.5, 7.0, False) == 3.0
    assert keys.key_weight(code["needs_first"], 0, 2.0, 1.5, 7.0, False) == 0.0
    assert keys.key_weight(code["needs_first"], 0, 2.0, 1.5, 7.0, True) == 3.0
    assert keys.key_weight(code["needs_first"], 1, 2.0, 1.5, 7.0, False) == 3.0
    assert keys.key_weight(code["static"], 0, 2.0, 1.5, 7.0, False) == 1.5
    assert [keys.tiers_of(code[k]) for k in keys.KEYS] == [1, 1, 2, 2, 1]
    assert keys.agent_share(2.0, 1.5, 4.0) == 3.0 and keys.agent_share(2.0, 1.5, 2.5) == 2.5
