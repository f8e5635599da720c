"""The energy stage: balances, boundaries, money, state updates and a plausible year."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons_abm.core.calendar import HOURS, day_of_step
from commons_abm.core.scenario import Scenario
from commons_abm.core.seeding import streams
from commons_abm.energy.exchange import HOURLY_FLOWS, EnergyDay, exchange_energy
from commons_abm.territory.build import build_state

FLOWS = (
    "production",
    "consumption",
    "self_consumed",
    "pool_direct",
    "battery_charge_in",
    "battery_discharge_out",
    "losses",
    "import_",
    "export",
    "offered",
    "pool_export",
)
AGENT_FLOWS = ("agent_import", "agent_export", "agent_received", "agent_offered")


def _scenario(households=30, firms=4, officials=2, **rules) -> Scenario:
    sc = Scenario()
    sc.territory.households = households
    sc.territory.firms = firms
    sc.territory.officials = officials
    sc.territory.neighbourhoods = 2
    for name, value in rules.items():
        setattr(sc.rules, name, value)
    return sc


def _check_day(day: EnergyDay) -> None:
    scale = max(day.throughput, 1e-12)
    assert abs(day.residual) <= 1e-9 * scale
    for name in FLOWS:
        assert getattr(day, name) >= -1e-12 * scale, name
    for name in AGENT_FLOWS:
        assert (getattr(day, name) >= -1e-12 * scale).all(), name
    for name in HOURLY_FLOWS:
        assert day.hourly[name].shape == (HOURS,)
        assert (day.hourly[name] >= -1e-12 * scale).all(), name
    # hourly flows add up to the day's totals
    pairs = {
        "pv": day.production,
        "demand": day.consumption,
        "self_consumed": day.self_consumed,
        "pool_direct": day.pool_direct,
        "battery_charge": day.battery_charge_in,
        "battery_discharge": day.battery_discharge_out,
        "import": day.import_,
        "export": day.export,
    }
    for name, total in pairs.items():
        assert day.hourly[name].sum() == pytest.approx(total, rel=1e-9, abs=1e-9 * scale), name
    assert day.agent_import.sum() == pytest.approx(day.import_, rel=1e-12, abs=1e-12 * scale)
    assert day.agent_received.sum() == pytest.approx(
        day.pool_direct + day.battery_discharge_out, rel=1e-9, abs=1e-9 * scale
    )
    assert day.offered == pytest.approx(
        day.pool_direct + day.battery_charge_in + day.pool_export, rel=1e-9, abs=1e-9 * scale
    )
    assert day.self_consumed <= min(day.production, day.consumption) * (1 + 1e-12) + 1e-12


def _run(sc: Scenario, days, seed: int = 1):
    rngs = streams(seed)
    state = build_state(sc, rngs)
    results = [
        exchange_energy(state, sc, day_of_step(d, sc.energy.start_day_of_year, sc.energy.start_weekday), rngs)
        for d in days
    ]
    return state, results


@settings(max_examples=60, deadline=None)
@given(
    households=st.integers(1, 40),
    firms=st.integers(0, 5),
    officials=st.integers(0, 3),
    adoption=st.sampled_from([0.0, 0.3, 1.0]),
    capacity=st.sampled_from([0.0, 5.0, 200.0]),
    power=st.sampled_from([0.0, 2.0, 100.0]),
    rte=st.floats(0.5, 1.0),
    key=st.sampled_from(["static", "equal", "pro_rata_consumption", "pro_rata_contribution", "needs_first"]),
    boundary=st.sampled_from(["members_only", "open_access"]),
    membership=st.sampled_from([0.0, 0.4, 1.0]),
    start=st.integers(1, 365),
    seed=st.integers(0, 2**16),
)
def test_energy_balance_on_random_territories(
    households,
    firms,
    officials,
    adoption,
    capacity,
    power,
    rte,
    key,
    boundary,
    membership,
    start,
    seed,
) -> None:
    sc = _scenario(households, firms, officials, allocation_key=key, boundary=boundary, membership_share=membership)
    for consumers in (sc.energy.households, sc.energy.firms, sc.energy.public_buildings):
        consumers.pv_adoption = adoption
    sc.energy.battery.capacity_kwh = capacity
    sc.energy.battery.power_kw = power
    sc.energy.battery.round_trip_efficiency = rte
    sc.energy.start_day_of_year = start
    rngs = streams(seed)
    state = build_state(sc, rngs)
    for step in range(3):
        soc = state.commons.battery_soc_kwh
        day = exchange_energy(state, sc, day_of_step(step, start), rngs)
        _check_day(day)
        assert day.battery_change == pytest.approx(state.commons.battery_soc_kwh - soc, abs=1e-9)
        assert 0 <= state.commons.battery_soc_kwh <= capacity + 1e-9
        assert (day.hourly["battery_charge"] <= power + 1e-9).all()
        assert (day.hourly["battery_discharge"] <= power + 1e-9).all()
        # a member producer's whole surplus is the operation's; nobody else's is
        assert (day.agent_offered[~state.member] == 0).all()
        if boundary == "members_only":
            assert (day.agent_received[~state.member] == 0).all()


def test_members_only_excludes_and_open_access_includes_non_members() -> None:
    received = {}
    for boundary in ("members_only", "open_access"):
        sc = _scenario(60, 4, 2, boundary=boundary, membership_share=0.4)
        sc.energy.households.pv_adoption = 0.5
        state, days = _run(sc, range(170, 175))
        outsiders = ~state.member
        assert outsiders.any() and state.member.any()
        total = sum(d.agent_received for d in days)
        offered = sum(d.agent_offered for d in days)
        assert (offered[outsiders] == 0).all()  # outsiders never contribute
        received[boundary] = total[outsiders].sum()
        if boundary == "members_only":
            assert received[boundary] == 0.0
            # outsiders are billed exactly as if alone
            for d in days:
                np.testing.assert_allclose(
                    d.agent_cost_eur[outsiders], d.agent_reference_cost_eur[outsiders], rtol=1e-12
                )
    assert received["open_access"] > 0.0


def test_without_members_there_is_no_pool() -> None:
    sc = _scenario(membership_share=0.0)
    state, days = _run(sc, range(160, 163))
    for d in days:
        _check_day(d)
        assert d.offered == d.pool_direct == d.battery_charge_in == 0.0
        assert d.agent_received.sum() == 0.0
        np.testing.assert_allclose(d.agent_cost_eur, d.agent_reference_cost_eur, rtol=1e-12)
        assert d.community_account_eur == 0.0


def test_money_inside_the_community_is_a_transfer() -> None:
    sc = _scenario(60, 5, 2, membership_share=0.7)
    sc.energy.households.pv_adoption = 0.5
    state, days = _run(sc, range(150, 160))
    t = sc.energy.tariffs
    account = 0.0
    for d in days:
        outside = d.import_ * t.import_eur_per_kwh - d.export * t.export_eur_per_kwh
        assert d.agent_cost_eur.sum() - d.community_account_eur == pytest.approx(outside, rel=1e-9)
        np.testing.assert_array_equal(state.energy_cost_eur, days[-1].agent_cost_eur)
        account += d.community_account_eur
    assert state.commons.community_account_eur == pytest.approx(account)
    # sharing pays on the whole (community price between export and import prices)
    assert sum(d.agent_cost_eur.sum() for d in days) < sum(d.agent_reference_cost_eur.sum() for d in days)


def test_state_is_updated() -> None:
    sc = _scenario(40, 3, 2, membership_share=1.0)
    sc.energy.households.pv_adoption = 1.0
    rngs = streams(4)
    state = build_state(sc, rngs)
    before = state.contributed_kwh.copy()
    day = exchange_energy(state, sc, day_of_step(170), rngs)
    np.testing.assert_allclose(state.contributed_kwh, before + day.agent_offered)
    assert day.offered > 0
    assert state.commons.battery_soc_kwh == day.hourly["soc_kwh"][-1]
    np.testing.assert_array_equal(state.energy_cost_eur, day.agent_cost_eur)


def test_same_seed_same_day() -> None:
    sc = _scenario()
    _, a = _run(sc, range(5), seed=9)
    _, b = _run(sc, range(5), seed=9)
    for x, y in zip(a, b):
        assert x.import_ == y.import_ and x.export == y.export
        np.testing.assert_array_equal(x.agent_cost_eur, y.agent_cost_eur)


def test_ratios_are_nan_without_a_denominator() -> None:
    sc = _scenario()
    for consumers in (sc.energy.households, sc.energy.firms, sc.energy.public_buildings):
        consumers.pv_adoption = 0.0
        consumers.annual_demand_kwh = 0.0
    _, (day,) = _run(sc, [100])
    assert day.production == day.consumption == 0.0
    assert math.isnan(day.self_sufficiency) and math.isnan(day.self_consumption)


def test_pv_at_night_is_zero_and_noon_is_sunny() -> None:
    sc = _scenario(households=50)
    sc.energy.households.pv_adoption = 1.0
    _, (day,) = _run(sc, [171])
    assert day.hourly["pv"][:3].sum() == 0.0 and day.hourly["pv"][22:].sum() == 0.0
    assert day.hourly["pv"].argmax() in (11, 12)


@pytest.fixture(scope="module")
def default_year():
    sc = Scenario()
    rngs = streams(42)
    state = build_state(sc, rngs)
    days = [
        exchange_energy(state, sc, day_of_step(d, sc.energy.start_day_of_year, sc.energy.start_weekday), rngs)
        for d in range(365)
    ]
    return sc, state, days


def test_default_year_is_balanced_and_plausible(default_year) -> None:
    sc, state, days = default_year
    for d in days:
        _check_day(d)
    consumption = sum(d.consumption for d in days)
    production = sum(d.production for d in days)
    imported = sum(d.import_ for d in days)
    exported = sum(d.export for d in days)
    self_sufficiency = (consumption - imported) / consumption
    self_consumption = (production - exported) / production
    assert 0.05 < self_sufficiency < 0.35
    assert 0.3 < self_consumption <= 1.0
    expected = state.annual_demand_kwh.sum()
    assert consumption == pytest.approx(expected, rel=0.02)
    kwp = (state.pv_kwp * state.pv_performance).sum()
    assert production / kwp == pytest.approx(sc.energy.pv.specific_yield_kwh_per_kwp, rel=0.1)
    # summer days are more self-sufficient than winter days
    summer = np.mean([d.self_sufficiency for d in days[150:240]])
    winter = np.mean([d.self_sufficiency for d in days[:45] + days[320:]])
    assert summer > 1.5 * winter
    # the battery is used and its state stays within bounds
    assert sum(d.battery_discharge_out for d in days) > 0
    assert all(
        0 <= d.hourly["soc_kwh"].min() <= d.hourly["soc_kwh"].max() <= sc.energy.battery.capacity_kwh + 1e-9
        for d in days
    )


def test_a_federation_shares_each_neighbourhoods_production_there_first() -> None:
    """Under a federation (design principle 8) the pool works in two layers: a neighbourhood's
    production goes to its own participants first, and what is left over is balanced
    commune-wide. One hour, one producer in neighbourhood 0 offering 10 kWh, a participant
    there needing 4 and one in neighbourhood 1 needing 10."""
    from commons_abm.energy.allocation_keys import KEY_CODES
    from commons_abm.energy.exchange import federated_allocation

    caps = np.array([[0.0, 4.0, 10.0]])
    args = (np.array([[10.0]]), np.array([0]), np.array([0, 0, 1]), np.arange(3), caps, caps.copy())
    rest = (np.zeros(3, bool), np.zeros(3), np.array([[10.0]]), np.array([0]), np.array([0]))
    for key in ("equal", "pro_rata_consumption", "pro_rata_contribution", "needs_first"):
        np.testing.assert_allclose(federated_allocation(KEY_CODES[key], *args, *rest), [[0.0, 4.0, 6.0]])


def test_under_a_federation_the_same_energy_goes_nearer_home() -> None:
    """The same day with and without the federation's layers: the pool shares the same
    energy (the balance closes, the same total is received), but each neighbourhood's
    participants receive more from producers of their own neighbourhood, so the neighbourhood
    with more PV per participant keeps more of it (5 summer days)."""
    sc = _scenario(80, 4, 2, boundary="members_only", membership_share=0.6)
    sc.energy.households.pv_adoption = 0.4
    state = build_state(sc, streams(3))
    community = np.asarray(state.neighbourhood)
    out = {}
    for layers in (None, community):
        rngs = streams(3)
        copy = build_state(sc, rngs)  # the same territory, then the same demand and weather
        days = [exchange_energy(copy, sc, day_of_step(d), rngs, community_of=layers) for d in range(172, 177)]
        for d in days:
            _check_day(d)
        out["federated" if layers is not None else "single"] = (
            sum(d.agent_received for d in days),
            sum(d.agent_offered for d in days),
            copy,
        )
    single, federated = out["single"][0], out["federated"][0]
    assert federated.sum() == pytest.approx(single.sum(), rel=1e-9)
    offered = out["single"][1]
    member = out["single"][2].member
    per_member = [offered[community == g].sum() / max((member & (community == g)).sum(), 1) for g in (0, 1)]
    rich = int(np.argmax(per_member))
    assert federated[community == rich].sum() > single[community == rich].sum()
    assert federated[community != rich].sum() < single[community != rich].sum()
