"""The community operator synchronises flows: cooperating members' flexible loads move
into the hours of the day's PV output (000), which raises self-consumption."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from commons_abm.core.scenario import Scenario
from commons_abm.energy.load_shifting import operator_schedule, shift_load
from commons_abm.governance.rulebook import load_rulebook
from commons_abm.model import CommonsModel
from commons_abm.sweeps.compare import compare_rulebooks, with_parameters

from .conftest import EFFECTS, ROOT

FACILITATED = ROOT / "experiments" / "rulebooks" / "facilitated_commons.toml"


@settings(max_examples=60, deadline=None)
@given(
    demand=arrays(float, (24, 7), elements=st.floats(0, 10)),
    pv=arrays(float, 24, elements=st.floats(0, 50)),
    share=arrays(float, 7, elements=st.floats(0, 0.5)),
)
def test_shift_keeps_each_agents_daily_demand(demand: np.ndarray, pv: np.ndarray, share: np.ndarray) -> None:
    before = demand.copy()
    shift_load(demand, pv, share)
    np.testing.assert_allclose(demand.sum(axis=0), before.sum(axis=0), rtol=1e-12, atol=1e-9)
    assert (demand >= 0).all()
    if pv.sum() > 0:
        # what moved sits in the PV hours, in proportion to production
        moved = demand - before * (1 - share)
        np.testing.assert_allclose(moved, np.outer(pv / pv.sum(), before.sum(axis=0) * share), atol=1e-9)
    else:
        np.testing.assert_array_equal(demand, before)


def test_only_cooperating_members_follow_the_operator() -> None:
    sc = Scenario(name="operator")
    sc.territory.households, sc.territory.firms, sc.territory.officials = 40, 4, 1
    model = CommonsModel(sc, seed=3, create_agents=False, rulebook=FACILITATED)
    model.step()
    s, inst = model.state, model.institutions
    shift = operator_schedule(inst.operator, inst.load_shift_share, s.member, s.cooperated)
    assert shift is not None
    assert np.all(shift[~(s.member & s.cooperated)] == 0)
    assert np.all(shift[s.member & s.cooperated] == model.institutions.load_shift_share)
    plain = CommonsModel(sc, seed=3, create_agents=False).institutions
    assert operator_schedule(plain.operator, plain.load_shift_share, s.member, s.cooperated) is None  # no operator


def test_synchronisation_raises_self_consumption() -> None:
    """Same seeds, the facilitated rulebook with the operator scheduling 30 % of cooperating
    members' demand and with none (early summer, 10 seeds), in a territory with midday
    surplus to shift load into and no battery (where PV is scarce, all of it is used whatever
    the load)."""
    sc = Scenario(name="operator")
    sc.territory.households, sc.territory.firms, sc.territory.officials = 60, 5, 1
    sc.energy.households.pv_adoption, sc.energy.households.pv_kwp_mean = 0.6, 6.0
    sc.energy.battery.capacity_kwh = 0.0  # a battery would already carry the midday surplus to the evening
    sc.energy.start_day_of_year = 150
    book = load_rulebook(FACILITATED)
    still = with_parameters(book, "facilitate", load_shift_share=0.0)
    book = with_parameters(book, "facilitate", load_shift_share=0.3)
    effects = compare_rulebooks(
        sc,
        still,
        book,
        ["energy_self_consumption", "import_kwh", "energy_balance_residual_kwh"],
        seeds=10,
        steps=30,
        window=30,
    )
    e, imports = effects["energy_self_consumption"], effects["import_kwh"]
    EFFECTS.extend(f"operator synchronisation: {x}" for x in (e, imports))
    assert e.ci_low > 0, str(e)
    assert imports.ci_high < 0, str(imports)
    assert abs(effects["energy_balance_residual_kwh"].treatment_mean) < 1e-9
