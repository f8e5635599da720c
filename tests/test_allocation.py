"""Allocation keys: water-filling, tiers and each key's defining property."""

from __future__ import annotations

import typing

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons_abm.core.scenario import Rules
from commons_abm.energy.allocation_keys import (
    KEYS,
    KeyInputs,
    Tier,
    allocate,
    allocate_tiers,
    equal,
    needs_first,
    pro_rata_consumption,
    pro_rata_contribution,
)


def _check_feasible(x: np.ndarray, amount: np.ndarray, caps: np.ndarray) -> None:
    assert (x >= 0).all()
    assert (x <= caps * (1 + 1e-12) + 1e-300).all()
    target = np.minimum(amount, caps.sum(axis=1))
    np.testing.assert_allclose(x.sum(axis=1), target, rtol=1e-12, atol=1e-300)


def _inputs(demand: np.ndarray, poor=None, before=None) -> KeyInputs:
    n = demand.shape[1]
    return KeyInputs(
        demand=demand,
        energy_poor=np.zeros(n, bool) if poor is None else np.asarray(poor, bool),
        contributed_before=np.zeros(n) if before is None else np.asarray(before, float),
    )


def test_keys_are_the_scenario_keys() -> None:
    allowed = typing.get_args(Rules.model_fields["allocation_key"].annotation)
    assert set(KEYS) == set(allowed)


def test_equal_splits_equally_when_no_cap_binds() -> None:
    caps = np.full((2, 4), 10.0)
    demand = np.array([[1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]])  # demand plays no part
    x = equal(np.array([8.0, 2.0]), caps, _inputs(demand))
    np.testing.assert_allclose(x, [[2.0] * 4, [0.5] * 4])


def test_equal_refills_from_saturated_agents() -> None:
    caps = np.array([[1.0, 10.0, 10.0, 0.0]])
    x = equal(np.array([9.0]), caps, _inputs(np.array([[5.0, 1.0, 20.0, 1.0]])))
    np.testing.assert_allclose(x, [[1.0, 4.0, 4.0, 0.0]])


def test_pro_rata_consumption_is_proportional_to_demand() -> None:
    demand = np.array([[1.0, 2.0, 3.0, 4.0]])
    caps = demand.copy()
    x = pro_rata_consumption(np.array([5.0]), caps, _inputs(demand))
    np.testing.assert_allclose(x, demand * 0.5)


def test_pro_rata_with_binding_caps_is_water_filling() -> None:
    caps = np.array([[0.5, 5.0, 5.0]])
    weights = np.array([1.0, 1.0, 3.0])
    x = allocate(np.array([4.5]), caps, weights)
    # agent 0 saturates; the other two share 4.0 in proportion 1:3
    np.testing.assert_allclose(x, [[0.5, 1.0, 3.0]])


def test_amount_beyond_capacity_fills_every_cap() -> None:
    caps = np.array([[1.0, 2.0], [0.0, 0.0]])
    x = allocate(np.array([10.0, 3.0]), caps, 1.0)
    np.testing.assert_array_equal(x, caps)


@pytest.mark.parametrize("below", [0, 1, 2, 5])
def test_amount_a_rounding_error_below_capacity(below: int) -> None:
    rng = np.random.default_rng(below)
    caps = rng.random((3, 30)) * (rng.random((3, 30)) < 0.7)
    weights = np.where(rng.random((3, 30)) < 0.2, 0.0, rng.random((3, 30)))
    amount = (caps * (weights > 0)).sum(axis=1)
    for _ in range(below):
        amount = np.nextafter(amount, 0.0)
    x = allocate(amount, caps, weights)
    assert np.isfinite(x).all()
    _check_feasible(x, amount, caps * (weights > 0))
    assert (x[weights == 0] == 0).all()


def test_agents_of_weight_zero_get_nothing() -> None:
    caps = np.array([[5.0, 5.0, 5.0]])
    x = allocate(np.array([4.0]), caps, np.array([0.0, 1.0, 1.0]))
    np.testing.assert_allclose(x, [[0.0, 2.0, 2.0]])
    x = allocate(np.array([40.0]), caps, np.array([0.0, 1.0, 1.0]))
    np.testing.assert_allclose(x, [[0.0, 5.0, 5.0]])  # the rest stays unallocated


def test_needs_first_serves_the_energy_poor_fully_before_anyone_else() -> None:
    demand = np.array([[2.0, 1.0, 4.0, 3.0], [2.0, 1.0, 4.0, 3.0]])
    caps = demand.copy()
    poor = [False, True, False, True]
    x = needs_first(np.array([4.0, 6.0]), caps, _inputs(demand, poor=poor))
    # hour 0: exactly the poor's need; others get nothing at all
    np.testing.assert_allclose(x[0], [0.0, 1.0, 0.0, 3.0])
    assert x[0, 0] == 0.0 and x[0, 2] == 0.0
    # hour 1: the poor are full, the remaining 2.0 goes pro rata consumption (2:4)
    np.testing.assert_allclose(x[1], [2 / 3, 1.0, 4 / 3, 3.0])
    smaller = needs_first(np.array([2.0, 0.0]), caps, _inputs(demand, poor=poor))
    np.testing.assert_allclose(smaller[0], [0.0, 0.5, 0.0, 1.5])
    assert smaller[0, 0] == 0.0 and smaller[0, 2] == 0.0


def test_pro_rata_contribution_serves_contributors_first_in_proportion() -> None:
    demand = np.full((1, 4), 10.0)
    caps = demand.copy()
    before = [30.0, 10.0, 0.0, 0.0]
    x = pro_rata_contribution(np.array([8.0]), caps, _inputs(demand, before=before))
    np.testing.assert_allclose(x, [[6.0, 2.0, 0.0, 0.0]])
    # contributors full: the rest pro rata consumption to the others
    caps = np.array([[1.0, 1.0, 3.0, 1.0]])
    demand = np.array([[1.0, 1.0, 3.0, 1.0]])
    x = pro_rata_contribution(np.array([4.0]), caps, _inputs(demand, before=before))
    np.testing.assert_allclose(x, [[1.0, 1.0, 1.5, 0.5]])


def test_contributions_include_the_day_so_far() -> None:
    demand = np.ones((3, 3))
    offer = np.array([[2.0], [0.0], [1.0]])
    inputs = KeyInputs(demand, np.zeros(3, bool), np.array([1.0, 0.0, 0.0]), offer, np.array([2]))
    columns, weights = inputs.contributions()
    np.testing.assert_array_equal(columns, [0, 2])
    np.testing.assert_allclose(weights, [[1.0, 2.0], [1.0, 2.0], [1.0, 3.0]])
    np.testing.assert_allclose(inputs.contributed, [[1, 0, 2], [1, 0, 2], [1, 0, 3]])


def test_tiers_pass_on_what_a_tier_cannot_absorb() -> None:
    caps = np.array([[1.0, 2.0, 3.0]])
    x = allocate_tiers(np.array([4.0]), caps, [Tier(np.array([1.0]), np.array([0])), 1.0])
    np.testing.assert_allclose(x, [[1.0, 1.5, 1.5]])


def _exact_by_sorting(amount: float, caps: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Water-filling of one hour solved independently: sort the saturation levels
    ``cap / weight`` and find the segment where the placed amount reaches ``amount``."""
    levels = np.sort(caps[caps > 0] / weights[caps > 0])
    for level in levels:
        if np.minimum(caps, level * weights).sum() >= amount:
            break
    # between the previous level and this one the placed amount is linear in lambda
    saturated = caps / np.where(weights > 0, weights, np.inf) < level
    lam = (amount - caps[saturated].sum()) / weights[~saturated & (caps > 0)].sum()
    return np.minimum(caps, lam * weights)


def test_fixed_point_agrees_with_exact_sorting() -> None:
    rng = np.random.default_rng(3)
    caps = rng.random((24, 50)) * (rng.random((24, 50)) < 0.8)
    weights = rng.random((24, 50)) + 0.01
    amount = caps.sum(axis=1) * rng.random(24)
    x = allocate(amount, caps, weights)
    for h in range(24):
        np.testing.assert_allclose(x[h], _exact_by_sorting(amount[h], caps[h], weights[h]), rtol=1e-12, atol=1e-15)
    _check_feasible(x, amount, caps)


def test_adversarial_saturation_levels_stay_exact() -> None:
    """Levels 2^i with weights 4^-i: the fixed point saturates one agent per round, 60 rounds."""
    i = np.arange(60)
    weights = 4.0**-i
    caps = (2.0**i * weights)[None, :]
    amount = np.array([caps.sum() * (1 - 1e-15)])
    x = allocate(amount, caps, weights)
    _check_feasible(x, amount, caps)
    np.testing.assert_allclose(x[0], _exact_by_sorting(amount[0], caps[0], weights), rtol=1e-9, atol=1e-14)


@settings(max_examples=150, deadline=None)
@given(
    hours=st.integers(1, 5),
    n=st.integers(0, 12),
    fraction=st.floats(0.0, 1.3, allow_subnormal=False),
    seed=st.integers(0, 2**32 - 1),
    zero_share=st.floats(0.0, 1.0),
)
def test_allocation_properties(hours: int, n: int, fraction: float, seed: int, zero_share: float) -> None:
    rng = np.random.default_rng(seed)
    caps = rng.exponential(1.0, (hours, n)) * (rng.random((hours, n)) >= zero_share)
    weights = rng.exponential(1.0, (hours, n)) + 1e-3
    amount = caps.sum(axis=1) * fraction
    x = allocate(amount, caps, weights)
    _check_feasible(x, amount, caps)
    # water-filling: the unsaturated agents share one level, saturated ones are below it
    for h in range(hours):
        free = (x[h] < caps[h] * (1 - 1e-9)) & (caps[h] > 0)
        if free.any():
            level = x[h, free] / weights[h, free]
            np.testing.assert_allclose(level, level[0], rtol=1e-9)
            sat = ~free & (caps[h] > 0)
            assert (caps[h, sat] / weights[h, sat] <= level[0] * (1 + 1e-9)).all()
    # every key: within the caps and the whole amount placed
    inputs = KeyInputs(
        demand=caps + weights,
        energy_poor=rng.random(n) < 0.3,
        contributed_before=rng.exponential(1.0, n) * (rng.random(n) < 0.5),
    )
    for name, key in KEYS.items():
        if name == "static":  # fixed shares, nothing redistributed: within the caps and the amount
            x = key(amount, caps, inputs)
            assert (x >= 0).all() and (x <= caps * (1 + 1e-12) + 1e-300).all()
            assert (x.sum(axis=1) <= amount * (1 + 1e-12) + 1e-300).all()
        else:
            _check_feasible(key(amount, caps, inputs), amount, caps)
