"""Motives and conditional-cooperation types: drawn by the scenario's shares; response shapes."""

from __future__ import annotations

import numpy as np
import pytest

from commons_abm.behaviour.motives import (
    CC_TYPES,
    CONDITIONAL,
    FREE_RIDER,
    HUMP_SHAPED,
    OTHER,
    SVO_TYPES,
    conditional_response,
)
from commons_abm.core.kinds import FIRM, HOUSEHOLD
from commons_abm.core.scenario import Scenario, with_overrides
from commons_abm.model import CommonsModel


@pytest.fixture(scope="module")
def big() -> CommonsModel:
    sc = with_overrides(Scenario(), **{"territory.households": 20000, "territory.firms": 4000})
    return CommonsModel(sc, seed=3, create_agents=False)


def test_cc_type_shares_follow_fischbacher_gachter_fehr(big: CommonsModel) -> None:
    cc = Scenario().behaviour.conditional_cooperation
    shares = np.bincount(big.state.cc_type, minlength=4) / big.state.n
    expected = [cc.conditional, cc.free_rider, cc.hump_shaped, cc.other]
    n = big.state.n
    for name, got, want in zip(CC_TYPES, shares, expected):
        assert abs(got - want) < 4 * np.sqrt(want * (1 - want) / n), (name, got, want)


@pytest.mark.parametrize(("kind", "section"), [(HOUSEHOLD, "households"), (FIRM, "firms")])
def test_svo_shares_per_kind(big: CommonsModel, kind: int, section: str) -> None:
    mix = getattr(Scenario().behaviour.motives, section)
    at = big.state.kind == kind
    shares = np.bincount(big.state.svo[at], minlength=4) / at.sum()
    for i, name in enumerate(SVO_TYPES):
        want = getattr(mix, name)
        assert abs(shares[i] - want) < 4 * np.sqrt(want * (1 - want) / at.sum()) + 1e-9, (name, shares[i], want)


def test_group_weights_by_motive(big: CommonsModel) -> None:
    m = Scenario().behaviour.motives
    s = big.state
    assert np.all(s.group_weight[s.svo == 0] == m.group_weight_cooperative)
    assert np.all(s.group_weight[s.svo == 1] == 0.0)
    assert np.all(s.group_weight[s.svo == 2] == m.group_weight_competitive)
    mixed = s.group_weight[s.svo == 3]
    assert mixed.min() >= m.group_weight_competitive and mixed.max() <= m.group_weight_cooperative


def test_response_shapes() -> None:
    b = np.linspace(0, 1, 11)
    for t, check in (
        (CONDITIONAL, lambda r: np.allclose(r, 0.8 * b)),
        (FREE_RIDER, lambda r: np.all(r == 0)),
        (HUMP_SHAPED, lambda r: r.argmax() == 5 and r[0] == 0 and r[-1] == 0),
        (OTHER, lambda r: np.all(r == 0.35)),
    ):
        assert check(conditional_response(np.full(11, t, dtype=np.int8), b, 0.8, 0.35)), CC_TYPES[t]


def test_initial_beliefs_from_the_scenario() -> None:
    sc = with_overrides(Scenario(), **{"behaviour.decisions.initial_belief": 0.77})
    assert np.all(CommonsModel(sc, create_agents=False).state.belief == 0.77)
