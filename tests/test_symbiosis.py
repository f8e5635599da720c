"""Industrial symbiosis: only over firm-firm ties, matching types, within demand and supply."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons_abm.core.kinds import FIRM, HOUSEHOLD, OFFICIAL
from commons_abm.core.state import FUNCTIONAL, Ties
from commons_abm.materials.symbiosis import exchange_byproducts, symbiosis_pairs

H, F, OF = HOUSEHOLD, FIRM, OFFICIAL


def _functional(n: int, u: np.ndarray, v: np.ndarray) -> Ties:
    """Ties on which firms work together (functional proximity: the ties by-products travel)."""
    ties = Ties.from_edges(n, u, v)  # self-loops and duplicates removed
    ties.proximity = np.full(ties.n_ties, FUNCTIONAL, np.uint8)
    return ties


def flows_dict(day) -> dict[tuple[int, int], float]:
    return {(int(s), int(b)): float(k) for s, b, k in zip(day.seller, day.buyer, day.kg) if k > 0}


def test_only_firm_firm_ties_with_matching_types() -> None:
    #          0  1  2  3  4  5
    kind = np.array([H, F, F, F, F, OF], dtype=np.int8)
    byproduct_type = np.array([-1, 0, 1, 0, 0, -1], dtype=np.int16)
    input_type = np.array([-1, 1, 0, 0, 0, -1], dtype=np.int16)
    # 1-2 firm-firm, types match both ways (1 gives 0 -> 2 uses 0; 2 gives 1 -> 1 uses 1)
    # 0-3 household-firm, 3-5 firm-official: never; 3-4 firm-firm, 0 -> 0 both ways
    # 1 and 4 are NOT tied although 1 gives type 0 and 4 uses type 0
    ties = _functional(6, np.array([1, 0, 5, 4]), np.array([2, 3, 3, 3]))
    byproduct = np.array([50.0, 10.0, 20.0, 30.0, 40.0, 60.0])
    demand = np.array([50.0, 100.0, 100.0, 100.0, 100.0, 60.0])
    day = exchange_byproducts(kind, ties, byproduct, byproduct_type, demand, input_type)
    flows = flows_dict(day)
    assert set(flows) == {(1, 2), (2, 1), (3, 4), (4, 3)}
    assert flows[(1, 2)] == pytest.approx(10.0)
    assert flows[(2, 1)] == pytest.approx(20.0)
    assert flows[(3, 4)] == pytest.approx(30.0)
    assert flows[(4, 3)] == pytest.approx(40.0)
    assert day.received[[0, 5]].sum() == 0.0 and day.sold[[0, 5]].sum() == 0.0
    assert day.left[[0, 5]].sum() == 0.0  # non-firms have no by-product here
    seller, buyer = symbiosis_pairs(kind, ties, byproduct_type, input_type)
    assert set(zip(seller.tolist(), buyer.tolist())) == {(1, 2), (2, 1), (3, 4), (4, 3)}


def test_pro_rata_split_and_buyer_cap() -> None:
    # seller 0 (100 kg) tied to buyers 1 (demand 30) and 2 (demand 90)
    kind = np.full(4, F, dtype=np.int8)
    btype = np.array([0, -1, -1, 0], dtype=np.int16)
    itype = np.array([-1, 0, 0, -1], dtype=np.int16)
    ties = _functional(4, np.array([0, 0, 2]), np.array([1, 2, 3]))
    byproduct = np.array([100.0, 0.0, 0.0, 200.0])
    demand = np.array([0.0, 30.0, 90.0, 0.0])
    day = exchange_byproducts(kind, ties, byproduct, btype, demand, itype)
    flows = flows_dict(day)
    # 0 offers 25 to 1 and 75 to 2; 3 offers 200 to 2; 2 gets 275 > 90: scaled by 90/275
    assert flows[(0, 1)] == pytest.approx(25.0)
    assert flows[(0, 2)] == pytest.approx(75.0 * 90 / 275)
    assert flows[(3, 2)] == pytest.approx(200.0 * 90 / 275)
    assert day.received[2] == pytest.approx(90.0)
    assert day.received[1] == pytest.approx(25.0)
    assert day.left[0] == pytest.approx(100.0 - 25.0 - 75.0 * 90 / 275)
    assert day.left[3] == pytest.approx(200.0 - 200.0 * 90 / 275)


def test_no_exchange_without_matching_types() -> None:
    kind = np.full(3, F, dtype=np.int8)
    ties = _functional(3, np.array([0, 1]), np.array([1, 2]))
    day = exchange_byproducts(
        kind,
        ties,
        np.full(3, 10.0),
        np.array([0, 0, 0], dtype=np.int16),
        np.full(3, 10.0),
        np.array([1, 1, 1], dtype=np.int16),
    )
    assert day.total == 0.0
    np.testing.assert_allclose(day.left, 10.0)


def test_switched_off_gives_zero_exchange() -> None:
    kind = np.full(3, F, dtype=np.int8)
    ties = _functional(3, np.array([0, 1]), np.array([1, 2]))
    types = np.zeros(3, dtype=np.int16)
    on = exchange_byproducts(kind, ties, np.full(3, 10.0), types, np.full(3, 10.0), types)
    off = exchange_byproducts(kind, ties, np.full(3, 10.0), types, np.full(3, 10.0), types, enabled=False)
    assert on.total > 0
    assert off.total == 0.0 and off.received.sum() == 0.0 and off.sold.sum() == 0.0
    np.testing.assert_allclose(off.left, 10.0)


def test_household_ties_carry_nothing() -> None:
    kind = np.array([H, H, F], dtype=np.int8)
    ties = _functional(3, np.array([0, 1]), np.array([1, 2]))
    types = np.zeros(3, dtype=np.int16)
    day = exchange_byproducts(kind, ties, np.full(3, 10.0), types, np.full(3, 10.0), types)
    assert day.total == 0.0


@st.composite
def random_territory(draw):
    n = draw(st.integers(1, 14))
    kind = np.array(draw(st.lists(st.sampled_from([H, F, OF]), min_size=n, max_size=n)), dtype=np.int8)
    n_types = draw(st.integers(1, 3))
    btype = np.array(draw(st.lists(st.integers(-1, n_types - 1), min_size=n, max_size=n)), dtype=np.int16)
    itype = np.array(draw(st.lists(st.integers(-1, n_types - 1), min_size=n, max_size=n)), dtype=np.int16)
    amount = st.one_of(st.just(0.0), st.floats(0.0, 1000.0))
    byproduct = np.array(draw(st.lists(amount, min_size=n, max_size=n)))
    demand = np.array(draw(st.lists(amount, min_size=n, max_size=n)))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40))
    u = np.array([p[0] for p in pairs], dtype=np.int64)
    v = np.array([p[1] for p in pairs], dtype=np.int64)
    return kind, _functional(n, u, v), byproduct, btype, demand, itype


@settings(max_examples=200, deadline=None)
@given(random_territory())
def test_symbiosis_properties(territory) -> None:
    kind, ties, byproduct, btype, demand, itype = territory
    day = exchange_byproducts(kind, ties, byproduct, btype, demand, itype)
    tied = {(int(a), int(b)) for a, b in zip(ties.u, ties.v)}
    for s, b, k in zip(day.seller, day.buyer, day.kg):
        assert k >= 0.0
        if k > 0:
            assert (min(s, b), max(s, b)) in tied
            assert kind[s] == F and kind[b] == F
            assert btype[s] == itype[b] and btype[s] >= 0
    scale = 1.0 + byproduct.sum() + demand.sum()
    assert np.all(day.received <= demand + 1e-12 * scale)
    assert np.all(day.sold <= byproduct + 1e-12 * scale)
    assert np.all(day.left >= 0.0)
    assert day.received.sum() == pytest.approx(day.sold.sum(), rel=1e-12, abs=1e-9)
    firm = kind == F
    np.testing.assert_allclose(day.left[firm] + day.sold[firm], byproduct[firm], rtol=1e-12, atol=1e-9)
    assert np.all(day.received[~firm] == 0.0) and np.all(day.sold[~firm] == 0.0)
