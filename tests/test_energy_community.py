"""The energy community as French collective self-consumption works (docs/ODD.md, 7.4):
the battery is the community's, the operation exports only what no participant can use,
a household's own PV use is in the range the literature reports, the keys move who gains.
"""

from __future__ import annotations

import numpy as np
import pytest

from commons_abm.core.calendar import day_of_step
from commons_abm.core.kinds import HOUSEHOLD
from commons_abm.core.scenario import load_scenario
from commons_abm.core.seeding import streams
from commons_abm.energy.exchange import exchange_energy
from commons_abm.energy.own_use import own_use_share
from commons_abm.model import CommonsModel
from commons_abm.territory.build import build_state

from .conftest import DEFAULT_SCENARIO

TOL = 1e-9


@pytest.fixture(scope="module", params=["status_quo", "full_ostrom", "static_key"])
def default_year(request) -> tuple[CommonsModel, list]:
    overrides = {}
    rulebook = request.param
    if rulebook == "static_key":
        rulebook, overrides = None, {"rules.allocation_key": "static"}
    model = CommonsModel(DEFAULT_SCENARIO, seed=5, rulebook=rulebook, record_hourly=True, **overrides)
    model.run(365)
    return model, [model.hourly_flows(step) for step in range(365)]


def test_the_battery_charges_whenever_the_operation_has_surplus_unless_full(default_year) -> None:
    model, days = default_year
    battery = model.scenario.energy.battery
    soc = battery.initial_soc * battery.capacity_kwh
    surplus_days = charging_days = 0
    for flows in days:
        had_surplus = (flows["unallocated"] > TOL).any()
        surplus_days += had_surplus
        charging_days += had_surplus and (flows["battery_charge"] > 0).any()
        for h in range(24):
            if flows["unallocated"][h] > TOL:
                full = soc >= battery.capacity_kwh * (1 - 1e-9)
                assert flows["battery_charge"][h] > 0 or full, (h, soc)
            soc = flows["soc_kwh"][h]
    assert surplus_days > 0 and charging_days >= 0.9 * surplus_days, (surplus_days, charging_days)
    yearly = sum(flows["battery_charge"].sum() for flows in days)
    # equivalent full cycles a year: a battery in use, not idle (seed 5 measured 9.5 under
    # full_ostrom, whose sanctioned dumping ban now costs it members, and more under the others)
    assert yearly / battery.capacity_kwh > 5


def test_the_operation_exports_only_what_no_participant_can_take(default_year) -> None:
    """With a dynamic key, no participant imports in an hour the operation exports; with the
    static key, only when the battery could give no more (at power, or empty)."""
    model, days = default_year
    battery = model.scenario.energy.battery
    static = model.institutions.allocation_key == "static"
    uncovered_hours = 0
    for flows in days:
        exporting = flows["unallocated"] - flows["battery_charge"] > 1e-6
        importing = flows["participants_import"] > 1e-6
        both = exporting & importing
        if not static:
            assert not both.any(), flows[both]
            continue
        uncovered_hours += int(both.sum())
        at_power = flows["battery_discharge"] >= battery.power_kw * (1 - 1e-9)
        empty = flows["soc_kwh"] <= 1e-9
        assert (~both | at_power | empty).all()
    if static:
        assert uncovered_hours > 0  # the static key does leave surplus a participant could use


def test_energy_balance_closes_every_day(default_year) -> None:
    model, _ = default_year
    frame = model.timeseries()
    assert frame["energy_balance_residual_kwh"].abs().max() < 1e-6


def _own_use_share(seed: int, low: float, high: float) -> float:
    """Share of a year's PV output that households with ``low``-``high`` kWp use themselves."""
    scenario = load_scenario(DEFAULT_SCENARIO)
    scenario.energy.households.pv_adoption = 0.6
    return own_use_share(scenario, seed, HOUSEHOLD, (low, high))


PUBLISHED_OWN_USE = (0.25, 0.40)  # residential PV without storage (Luthander2015; Quoilin2016)


def test_a_household_with_3_to_5_kwp_uses_a_share_of_its_output_in_the_published_range() -> None:
    """Over 20 seeds, the mean share of their output that 3-5 kWp households use
    themselves is within the published range, to two standard errors (docs/validation.md:
    40 %, at its upper edge)."""
    shares = np.array([_own_use_share(seed, 3.0, 5.0) for seed in range(20)])
    low, high = PUBLISHED_OWN_USE
    error = 2 * shares.std(ddof=1) / np.sqrt(shares.size)
    assert low - error <= shares.mean() <= high + error, (shares.mean(), error)


def _year_of_savings(key: str, seed: int) -> dict[str, float]:
    """A year of the default territory's operation under ``key``, membership held fixed:
    participants' total bill saving and the share of it that goes to energy-poor households."""
    scenario = load_scenario(DEFAULT_SCENARIO)
    scenario.rules.allocation_key = key
    rngs = streams(seed)
    state = build_state(scenario, rngs)
    saving = np.zeros(state.n)
    for step in range(365):
        day = day_of_step(step, scenario.energy.start_day_of_year, scenario.energy.start_weekday)
        flows = exchange_energy(state, scenario, day, rngs)
        saving += flows.agent_reference_cost_eur - flows.agent_cost_eur
    members = state.member.astype(bool)
    poor = members & state.energy_poor.astype(bool)
    return {"total": saving[members].sum(), "poor_share": saving[poor].sum() / saving[members].sum()}


def test_the_keys_move_who_gains_more_than_how_much() -> None:
    """Over paired seeds the allocation key changes the energy-poor households' share of the
    savings by more, in relative terms, than it changes the total saving (docs/validation.md)."""
    keys = ["pro_rata_consumption", "needs_first", "static"]
    runs = {key: [_year_of_savings(key, seed) for seed in range(8)] for key in keys}
    base = runs["pro_rata_consumption"]
    for key in ("needs_first", "static"):
        total_change = np.mean([r["total"] / b["total"] - 1 for r, b in zip(runs[key], base)])
        share_change = np.mean([r["poor_share"] / b["poor_share"] - 1 for r, b in zip(runs[key], base)])
        assert abs(share_change) > abs(total_change), (key, share_change, total_change)
    needs = [r["poor_share"] - b["poor_share"] for r, b in zip(runs["needs_first"], base)]
    assert min(needs) > 0  # needs first gives the energy-poor more on every seed


def test_rulebooks_that_change_the_flows_move_community_self_sufficiency() -> None:
    """PV-rich territory, 20 paired seeds: the boundary and the facilitator's load shifting
    change community self-sufficiency by more than the 95 % interval of the paired
    difference (docs/validation.md, "Rulebooks")."""
    from .conftest import ROOT

    scenario = ROOT / "experiments" / "scenarios" / "pv_rich.toml"
    books = ("open_access", "status_quo", "facilitated_commons", "full_ostrom")
    css = {
        book: np.array(
            [
                CommonsModel(scenario, seed=seed, rulebook=book, create_agents=False)
                .run(365)["community_self_sufficiency"]
                .mean()
                for seed in range(20)
            ]
        )
        for book in books
    }
    for lower, higher in zip(books, books[1:]):
        gain = css[higher] - css[lower]
        half_width = 1.96 * gain.std(ddof=1) / np.sqrt(gain.size)
        assert gain.mean() > half_width, (lower, higher, gain.mean(), half_width)


def test_the_operators_evening_dispatch_keeps_the_charge_for_the_evening_peak() -> None:
    """PV-rich territory, a year: under ``evening_peak`` the battery discharges only from
    17:00 to 22:00, and the territory draws less from the grid in those hours than when the
    battery covers deficits as they come; both engines agree on it."""
    from .conftest import ROOT

    scenario = ROOT / "experiments" / "scenarios" / "pv_rich.toml"
    evening = {}
    for dispatch in ("on_deficit", "evening_peak"):
        overrides = {"energy.battery.dispatch": dispatch}
        model = CommonsModel(scenario, seed=3, rulebook="status_quo", record_hourly=True, overrides=overrides)
        frame = model.run(365)
        assert frame["energy_balance_residual_kwh"].abs().max() < 1e-6
        days = [model.hourly_flows(step) for step in range(365)]
        net = np.array([(f.demand + f.battery_charge - f.pv - f.battery_discharge).to_numpy() for f in days])
        evening[dispatch] = np.maximum(net[:, 17:22], 0.0).sum()
        if dispatch == "evening_peak":
            outside = np.array([f["battery_discharge"].to_numpy() for f in days])
            assert outside[:, :17].max() == 0.0 and outside[:, 22:].max() == 0.0
            assert outside[:, 17:22].sum() > 0
    assert evening["evening_peak"] < evening["on_deficit"], evening
    # the reference engine dispatches the same way (its agents one at a time)
    sc = load_scenario(scenario)
    sc.territory.households, sc.territory.firms, sc.territory.officials = 40, 3, 1
    sc.energy.battery.dispatch = "evening_peak"
    sc.energy.start_day_of_year = 150
    agents = CommonsModel(sc, seed=4, rulebook="status_quo", engine="agents", record_hourly=True)
    frame = agents.run(6)
    assert frame["energy_balance_residual_kwh"].abs().max() < 1e-6
    discharge = np.array([agents.hourly_flows(step)["battery_discharge"].to_numpy() for step in range(6)])
    assert discharge[:, :17].max() == 0.0 and discharge[:, 22:].max() == 0.0 and discharge.sum() > 0
