"""Each proximity of the network (``000_027160d2fbf9a985.txt``: geographic, institutional,
functional, affective) has a role: affective ties forgive a defection more, geographic ties
carry displaced waste, functional ties carry firms' by-product matches, institutional ties
carry officials' authority. Each test changes only the proximity and checks its role."""

from __future__ import annotations

import numpy as np
import pytest

from commons_abm.behaviour.trust import interpersonal_parameters, interpersonal_trust, update_interpersonal_trust
from commons_abm.core.kinds import DISCARDS_GOODS
from commons_abm.core.scenario import Scenario, TrustDynamics
from commons_abm.core.state import AFFECTIVE, FUNCTIONAL, GEOGRAPHIC, INSTITUTIONAL, Ties
from commons_abm.governance.officials import OfficialsParameters, official_trust
from commons_abm.materials.byproduct_matches import matches_of
from commons_abm.materials.routing import displace
from commons_abm.model import CommonsModel


def _ties(flags: int) -> Ties:
    """A path 0 - 1 - 2 whose two ties carry ``flags``."""
    return Ties.from_edges(3, np.array([0, 1]), np.array([1, 2]), proximity=np.array([flags, flags], np.uint8))


def test_every_tie_entry_knows_its_proximity() -> None:
    ties = Ties.from_edges(4, np.array([0, 1, 2]), np.array([1, 2, 3]), proximity=np.array([1, 8, 4], np.uint8))
    for i in range(4):
        for slot in range(ties.indptr[i], ties.indptr[i + 1]):
            j = ties.indices[slot]
            k = [n for n, (a, b) in enumerate(zip(ties.u, ties.v)) if {a, b} == {i, j}][0]
            assert ties.slot_proximity[slot] == ties.proximity[k]
    assert ties.linked_by(AFFECTIVE).tolist() == [False, True, True, False]


def test_every_tie_entry_knows_its_tie_and_a_tie_its_mean_trust() -> None:
    ties = CommonsModel(seed=4, create_agents=False).state.ties
    ties.trust[:] = np.random.default_rng(0).random(ties.trust.size)
    owner = ties.owner()
    assert np.array_equal(ties.u[ties.slot_tie], np.minimum(owner, ties.indices))
    assert np.array_equal(ties.v[ties.slot_tie], np.maximum(owner, ties.indices))
    both = {}
    for slot, (i, j) in enumerate(zip(owner, ties.indices)):
        both.setdefault((min(i, j), max(i, j)), []).append(ties.trust[slot])
    expected = [np.mean(both[(a, b)]) for a, b in zip(ties.u, ties.v)]
    assert all(len(pair) == 2 for pair in both.values())
    np.testing.assert_allclose(ties.tie_trust(), expected, rtol=1e-12)


def test_affective_ties_forgive_a_defection_more() -> None:
    """On an affective tie a defection costs trust ``1 - affective_forgiveness`` of the loss;
    cooperation builds it as on any tie."""
    p = interpersonal_parameters(TrustDynamics(affective_forgiveness=0.5))
    plain, friend = (0.6 - interpersonal_trust(0.6, False, 1.0, a, p) for a in (False, True))
    assert friend == pytest.approx(plain / 2)
    assert interpersonal_trust(0.6, True, 1.0, True, p) == interpersonal_trust(0.6, True, 1.0, False, p)
    for flags, expected_loss in ((0, plain), (AFFECTIVE, friend)):
        ties = _ties(flags)
        ties.trust[:] = 0.6
        update_interpersonal_trust(ties, np.zeros(3, bool), TrustDynamics(affective_forgiveness=0.5))
        assert 0.6 - ties.trust == pytest.approx(np.full(4, expected_loss))


def test_geographic_ties_carry_displaced_waste() -> None:
    """A dumper puts its bag only in the bins of households it is tied to in its
    neighbourhood; tied to none there, it leaves the bag in the street."""
    role = np.full(3, DISCARDS_GOODS, np.int64)
    kg = np.array([0.0, 3.0, 0.0])
    for flags, into, street in ((GEOGRAPHIC, [1.5, 0.0, 1.5], [0.0, 0.0, 0.0]), (AFFECTIVE, [0.0] * 3, [0, 3, 0])):
        ties = _ties(flags)
        displaced_in, unplaced = displace(ties.indptr, ties.indices, ties.carries(GEOGRAPHIC), role, kg)
        assert displaced_in.tolist() == into and unplaced.tolist() == street


def test_functional_ties_carry_byproduct_matches() -> None:
    """Tied firms start with their compatible matches only where their tie is functional:
    with no functional tie, no match is in force at the start (3 seeds)."""
    for seed in range(3):
        counts = []
        for share in (1.0, 0.0):
            sc = Scenario.model_validate({"network": {"proximities": {"functional": share}}})
            model = CommonsModel(sc, seed=seed, create_agents=False)
            counts.append(int(matches_of(model.state, sc).tied.sum()))
        assert counts[1] == 0 and counts[0] >= counts[1]
    assert any(
        matches_of(m.state, m.scenario).tied.any()
        for m in (CommonsModel(seed=s, create_agents=False) for s in range(5))
    )


def test_institutional_ties_carry_officials_authority() -> None:
    """Officials' acts move the trust of members tied to them by an institutional tie more
    when they please and less when they disappoint (authority bias), not the others'."""
    t = OfficialsParameters(authority_bias=0.2, override_loss=0.15, presence_gain=0.05)
    assert official_trust(0.5, True, True, False, True, t) > official_trust(0.5, True, True, False, False, t)
    assert official_trust(0.5, True, False, True, True, t) > official_trust(0.5, True, False, True, False, t)
    ties = _ties(INSTITUTIONAL)
    assert ties.linked_by(INSTITUTIONAL).all() and not _ties(FUNCTIONAL).linked_by(INSTITUTIONAL).any()
