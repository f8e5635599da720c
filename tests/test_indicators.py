"""Indicator helpers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from commons_abm.core.indicators import COLUMNS, REQUIRED_COLUMNS, gini, ratio


def test_gini_known_values() -> None:
    assert gini(np.zeros(5)) == 0.0
    assert gini(np.full(4, 3.0)) == 0.0
    assert np.isclose(gini(np.array([0, 0, 0, 1.0])), 0.75)  # one holds all: (n-1)/n
    assert np.isclose(gini(np.array([1.0, 2, 3, 4])), 0.25)
    assert np.isclose(gini(np.array([-1.0, 1.0])), 0.5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50))
def test_gini_bounded_and_matches_pairwise(values: list[float]) -> None:
    x = np.array(values)
    g = gini(x)
    assert 0.0 <= g <= 1.0 + 1e-12
    scale = np.abs(x).sum()
    if scale > 0:
        brute = np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size * scale)
        assert np.isclose(g, brute, rtol=1e-9, atol=1e-12)


def test_ratio() -> None:
    assert ratio(1, 4) == 0.25
    assert np.isnan(ratio(1, 0))


def test_required_columns_documented() -> None:
    for column in REQUIRED_COLUMNS:
        unit, definition = COLUMNS[column]
        assert unit and definition
