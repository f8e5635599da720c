"""The reuse-and-repair hub: intake limits, storage, outflows, conservation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons_abm.materials.repair_hub import HubCapacities, hub_day


def make_hub(**kw: float) -> HubCapacities:
    base = dict(
        intake_kg_per_day=150.0,
        storage_kg=3000.0,
        reuse_demand_kg_per_day=40.0,
        repair_kg_per_day=20.0,
        repair_success_rate=0.7,
    )
    base.update(kw)
    return HubCapacities(**base)


def test_intake_limited_by_daily_intake() -> None:
    day = hub_day(0.0, 0.0, 300.0, 200.0, make_hub())
    assert day.accepted_reusable + day.accepted_repairable == pytest.approx(150.0)
    assert day.refused == pytest.approx(350.0)
    assert day.accept_share == pytest.approx(0.3)


def test_intake_limited_by_free_storage() -> None:
    day = hub_day(2000.0, 960.0, 100.0, 100.0, make_hub(reuse_demand_kg_per_day=0, repair_kg_per_day=0))
    assert day.accepted_reusable + day.accepted_repairable == pytest.approx(40.0)
    assert day.refused == pytest.approx(160.0)
    assert day.reusable_end + day.repairable_end == pytest.approx(3000.0)


def test_full_hub_accepts_nothing_even_if_stock_above_storage() -> None:
    day = hub_day(3500.0, 0.0, 10.0, 10.0, make_hub(reuse_demand_kg_per_day=0))
    assert day.accepted_reusable == 0.0 and day.accepted_repairable == 0.0
    assert day.refused == pytest.approx(20.0)


def test_acceptance_is_proportional_to_offers() -> None:
    day = hub_day(0.0, 0.0, 300.0, 100.0, make_hub(intake_kg_per_day=100.0))
    assert day.accepted_reusable == pytest.approx(75.0)
    assert day.accepted_repairable == pytest.approx(25.0)


def test_outflows_reuse_and_repair() -> None:
    day = hub_day(100.0, 50.0, 0.0, 0.0, make_hub())
    assert day.reused == pytest.approx(40.0)
    assert day.repaired == pytest.approx(20.0 * 0.7)
    assert day.repair_failed == pytest.approx(20.0 * 0.3)
    assert day.reusable_end == pytest.approx(60.0)
    assert day.repairable_end == pytest.approx(30.0)


def test_outflows_limited_by_stock_including_todays_intake() -> None:
    day = hub_day(0.0, 0.0, 10.0, 5.0, make_hub())
    assert day.reused == pytest.approx(10.0)
    assert day.repaired + day.repair_failed == pytest.approx(5.0)
    assert day.reusable_end == pytest.approx(0.0) and day.repairable_end == pytest.approx(0.0)


def test_zero_capacity_hub_refuses_everything() -> None:
    day = hub_day(0.0, 0.0, 12.0, 8.0, make_hub(intake_kg_per_day=0.0))
    assert day.refused == pytest.approx(20.0)
    assert day.reused == 0.0 and day.repaired == 0.0 and day.stock_change == 0.0
    day = hub_day(0.0, 0.0, 12.0, 8.0, make_hub(storage_kg=0.0))
    assert day.refused == pytest.approx(20.0)


def test_nothing_offered() -> None:
    day = hub_day(5.0, 5.0, 0.0, 0.0, make_hub())
    assert day.accept_share == 1.0 and day.refused == 0.0


capacity = st.one_of(st.sampled_from([0.0, 1.0, 1e6]), st.floats(0.0, 500.0))


@settings(max_examples=150, deadline=None)
@given(
    intake=capacity,
    storage=capacity,
    reuse=capacity,
    repair=capacity,
    success=st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)),
    offers=st.lists(st.tuples(capacity, capacity), min_size=1, max_size=15),
)
def test_hub_properties_over_many_days(intake, storage, reuse, repair, success, offers) -> None:
    hub = make_hub(
        intake_kg_per_day=intake,
        storage_kg=storage,
        reuse_demand_kg_per_day=reuse,
        repair_kg_per_day=repair,
        repair_success_rate=success,
    )
    a = b = 0.0
    for off_a, off_b in offers:
        day = hub_day(a, b, off_a, off_b, hub)
        accepted = day.accepted_reusable + day.accepted_repairable
        tol = 1e-9 * (1.0 + off_a + off_b + a + b)
        assert accepted <= intake + tol
        assert a + b + accepted <= storage + tol  # never above storage
        assert (
            min(
                day.accepted_reusable, day.accepted_repairable, day.refused, day.reused, day.repaired, day.repair_failed
            )
            >= -1e-12
        )
        assert day.reusable_end >= 0.0 and day.repairable_end >= 0.0
        assert day.reused <= reuse + tol and day.repaired + day.repair_failed <= repair + tol
        assert accepted + day.refused == pytest.approx(off_a + off_b, rel=1e-12, abs=1e-12)
        inflow = accepted
        outflow = day.reused + day.repaired + day.repair_failed + day.stock_change
        assert abs(inflow - outflow) <= tol
        a, b = day.reusable_end, day.repairable_end
