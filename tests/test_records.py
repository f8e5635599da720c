"""The named records the compiled kernels take and return: what each field holds.

Each ``*_parameters`` function is the one place that reads the scenario for a kernel; the
record it returns must carry, field by field, the scenario's value (checked here on a
scenario whose values all differ, so that a field read from the wrong setting shows). The
totals the energy and materials kernels return must balance, read by their field names.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import pytest

import commons_abm.energy.exchange as exchange_module
import commons_abm.engines.compiled as compiled_module
import commons_abm.engines.run_inputs as run_inputs
import commons_abm.materials.routing as routing_module
from commons_abm.behaviour.beliefs import BeliefParameters, belief_parameters
from commons_abm.behaviour.decisions import DecisionParameters, decision_parameters, temptation_parameters
from commons_abm.behaviour.membership import ReviewParameters, review_parameters
from commons_abm.behaviour.satisfaction import SatisfactionParameters, satisfaction_parameters
from commons_abm.behaviour.trust import (
    InstitutionalParameters,
    InterpersonalParameters,
    institutional_parameters,
    interpersonal_parameters,
)
from commons_abm.behaviour.waste_choices import choice_parameters
from commons_abm.core.scenario import Scenario
from commons_abm.energy.exchange import EnergyFlows, EnergyParameters, EnergyTotals, energy_parameters
from commons_abm.engines.run_inputs import LastDay, RunBehaviour, RunRules, RunState, RunWorld
from commons_abm.governance.collective_choice import (
    MeetingParameters,
    OfficialLevels,
    initial_levels,
    meeting_parameters,
)
from commons_abm.governance.institutions import Binding, Institutions, MonitorTable, SanctionTable
from commons_abm.governance.officials import OfficialsParameters, officials_parameters
from commons_abm.materials.repair_hub import HubCapacities, capacities
from commons_abm.materials.routing import MaterialRoutes, MaterialTotals, RoutingParameters, routing_parameters
from commons_abm.model import CommonsModel

from .conftest import ROOT

FULL_OSTROM = ROOT / "experiments" / "rulebooks" / "full_ostrom.toml"


def _distinct_values() -> Iterator[float]:
    """0.101, 0.102, ...: valid for every setting set below, and all different."""
    k = 100
    while True:
        k += 1
        yield k / 1000.0


@pytest.fixture
def distinct() -> Scenario:
    """A scenario whose float settings read by the records all have different values."""
    sc = Scenario(name="distinct")
    values = _distinct_values()
    b, e, m = sc.behaviour, sc.energy, sc.materials
    sections = (
        b,
        b.decisions,
        b.trust,
        b.participation,
        b.satisfaction,
        e.battery,
        e.tariffs,
        m.households,
        m.firms,
        m.costs,
        m.hub,
    )
    for section in sections:
        for name in type(section).model_fields:
            if type(getattr(section, name)) is float:
                setattr(section, name, next(values))
    # the types' shares must add up to 1: only the slope and the 'other' level
    b.conditional_cooperation.slope = next(values)
    b.conditional_cooperation.other_level = next(values)
    b.participation.review_days = 7
    return sc


def _check(record: NamedTuple, kind: type, expected: dict[str, object]) -> None:
    """``record`` is a ``kind`` whose fields are ``expected`` (names and values, exactly),
    its numbers finite floats."""
    assert type(record) is kind
    assert kind.__doc__ and kind.__doc__.strip()
    assert record._asdict() == expected
    for name, value in record._asdict().items():
        if type(expected[name]) is bool:
            assert type(value) is bool, name
        else:
            assert type(value) is float and math.isfinite(value), name


def test_decision_parameters(distinct: Scenario) -> None:
    b = distinct.behaviour
    d, cc = b.decisions, b.conditional_cooperation
    _check(
        decision_parameters(b),
        DecisionParameters,
        {
            "slope": cc.slope,
            "other_level": cc.other_level,
            "motive_weight": d.motive_weight,
            "legitimacy_weight": d.legitimacy_weight,
            "crowding_out": d.crowding_out,
            "authority_bias": b.trust.authority_bias,
            "deterrence_noise": d.deterrence_noise,
            "overdraw_factor": d.overdraw_factor,
            "disposition_correlation": d.disposition_correlation,
            "obligation_weight": d.obligation_weight,
        },
    )


def test_temptation_parameters(distinct: Scenario) -> None:
    from commons_abm.behaviour.decisions import TemptationParameters, temptation_parameters

    t = distinct.energy.tariffs
    _check(
        temptation_parameters(distinct),
        TemptationParameters,
        {"battery_margin_eur_per_kwh": max(t.import_eur_per_kwh - t.community_eur_per_kwh, 0.0)},
    )


def test_choice_parameters(distinct: Scenario) -> None:
    from commons_abm.behaviour.waste_choices import ChoiceParameters, choice_parameters

    hh, c = distinct.materials.households, distinct.materials.costs
    e = hh.effort
    _check(
        choice_parameters(distinct),
        ChoiceParameters,
        {
            "warm_glow_eur_per_kg": e.warm_glow_eur_per_kg,
            "sorting_effort_eur_per_kg": e.sorting_eur_per_kg,
            "composting_effort_eur_per_kg": e.composting_eur_per_kg,
            "hub_extra_effort_eur_per_kg": e.hub_extra_eur_per_kg,
            "trip_eur_per_kg": e.trip_eur_per_kg,
            "dumping_hassle_eur_per_kg": e.dumping_hassle_eur_per_kg,
            "neighbour_bin_share": e.neighbour_bin_share,
            "residual_share": hh.residual_share,
            "recyclable_share": hh.recyclable_share,
            "biowaste_share": hh.biowaste_share,
            "reusable_share": hh.reusable_share,
            "repairable_share": hh.repairable_share,
            "kg_per_inhabitant_year": hh.kg_per_inhabitant_year,
            "reuse_eur_per_kg": c.reuse_eur_per_kg,
            "repair_eur_per_kg": c.repair_eur_per_kg,
        },
    )


def test_belief_parameters(distinct: Scenario) -> None:
    b = distinct.behaviour
    d = b.decisions
    _check(
        belief_parameters(b),
        BeliefParameters,
        {
            "trust_weighted_attention": d.trust_weighted_attention,
            "public_information": d.public_information,
            "belief_rate": d.belief_rate,
            "trust_slows_decline": d.trust_slows_decline,
            "confirmation_bias": b.trust.confirmation_bias,
        },
    )


def test_interpersonal_parameters(distinct: Scenario) -> None:
    t = distinct.behaviour.trust
    _check(
        interpersonal_parameters(t),
        InterpersonalParameters,
        {
            "interpersonal_gain": t.interpersonal_gain,
            "interpersonal_loss": t.interpersonal_loss,
            "confirmation_bias": t.confirmation_bias,
            "may_overshoot": False,
            "affective_forgiveness": t.affective_forgiveness,
        },
    )
    t.interpersonal_loss = 0.9
    t.confirmation_bias = 0.2
    assert interpersonal_parameters(t).may_overshoot is True  # 0.9 x 1.2 >= 1


def test_institutional_parameters(distinct: Scenario) -> None:
    t = distinct.behaviour.trust
    _check(
        institutional_parameters(t),
        InstitutionalParameters,
        {
            "institutional_gain": t.institutional_gain,
            "institutional_loss": t.institutional_loss,
            "observed_compliance_weight": t.observed_compliance_weight,
            "confirmation_bias": t.confirmation_bias,
            "wrongful_sanction_loss": t.wrongful_sanction_loss,
        },
    )


def test_satisfaction_parameters(distinct: Scenario) -> None:
    s = distinct.behaviour.satisfaction
    _check(
        satisfaction_parameters(s),
        SatisfactionParameters,
        {
            "benefit_scale_eur_per_day": s.benefit_scale_eur_per_day,
            "fairness_weight": s.fairness_weight,
            "short_rate": s.short_rate,
            "long_rate": s.long_rate,
            "long_run_weight": s.long_run_weight,
        },
    )


def test_review_parameters(distinct: Scenario) -> None:
    p = distinct.behaviour.participation
    _check(
        review_parameters(p),
        ReviewParameters,
        {
            "review_probability_per_day": 1.0 / 7,
            "leave_threshold": p.leave_threshold,
            "join_threshold": p.join_threshold,
        },
    )


def test_officials_parameters(distinct: Scenario) -> None:
    b = distinct.behaviour
    t = b.trust
    _check(
        officials_parameters(b),
        OfficialsParameters,
        {
            "authority_bias": t.authority_bias,
            "override_loss": t.override_loss,
            "presence_gain": t.presence_gain,
        },
    )


@pytest.mark.parametrize("operator", [False, True])
def test_meeting_parameters(distinct: Scenario, operator: bool) -> None:
    b = distinct.behaviour
    p = b.participation
    inst = dataclasses.replace(Institutions(), quorum=0.37, operator=operator, participation_cost_reduction=0.41)
    _check(
        meeting_parameters(b, inst),
        MeetingParameters,
        {
            "attendance_base": p.attendance_base,
            "attendance_satisfaction": p.attendance_satisfaction,
            "attendance_trust": p.attendance_trust,
            "attendance_habit": p.attendance_habit,
            "participation_cost": p.participation_cost * (1.0 - 0.41) if operator else p.participation_cost,
            "group_size_cost": p.group_size_cost,
            "meeting_gain": b.trust.meeting_gain,
            "quorum": 0.37,
            "groupthink": b.biases.groupthink,
            "common_knowledge": b.biases.common_knowledge,
            "polarisation": b.biases.polarisation,
        },
    )


def test_official_levels() -> None:
    inst = dataclasses.replace(Institutions(), fee_eur_per_day=0.57)
    _check(initial_levels(inst), OfficialLevels, {"fine_scale": 1.0, "fee_eur_per_day": 0.57})
    _check(initial_levels(Institutions()), OfficialLevels, {"fine_scale": 1.0, "fee_eur_per_day": 0.0})


def test_energy_parameters(distinct: Scenario) -> None:
    battery, tariffs = distinct.energy.battery, distinct.energy.tariffs
    _check(
        energy_parameters(distinct.energy),
        EnergyParameters,
        {
            "battery_capacity_kwh": battery.capacity_kwh,
            "battery_power_kw": battery.power_kw,
            "battery_one_way_efficiency": math.sqrt(battery.round_trip_efficiency),
            "battery_evening_only": battery.dispatch == "evening_peak",
            "import_eur_per_kwh": tariffs.import_eur_per_kwh,
            "export_eur_per_kwh": tariffs.export_eur_per_kwh,
            "community_eur_per_kwh": tariffs.community_eur_per_kwh,
        },
    )


def test_hub_capacities(distinct: Scenario) -> None:
    from commons_abm.materials.hub_organisation import HubStaffing

    hub = distinct.materials.hub
    staffing = HubStaffing(3.0, 1.0, 2.0, 20.0, 8.0, 2.0)
    _check(
        capacities(hub.storage_kg, hub.repair_success_rate, staffing),
        HubCapacities,
        {
            "intake_kg_per_day": staffing.intake_kg_per_day,
            "storage_kg": hub.storage_kg,
            "reuse_demand_kg_per_day": staffing.reuse_demand_kg_per_day,
            "repair_kg_per_day": staffing.repair_kg_per_day,
            "repair_success_rate": hub.repair_success_rate,
        },
    )


def test_organisation_parameters(distinct: Scenario) -> None:
    from commons_abm.governance.institutions import Institutions
    from commons_abm.materials.hub_organisation import HubOrganisation, organisation_parameters

    h = distinct.materials.hub
    expected = {name: getattr(h, name) for name in HubOrganisation._fields if name != "subsidy_eur_per_day"}
    _check(
        organisation_parameters(distinct, Institutions(hub_subsidy_eur_per_day=12.5)),
        HubOrganisation,
        {**expected, "subsidy_eur_per_day": 12.5},
    )


def test_routing_parameters(distinct: Scenario) -> None:
    m = distinct.materials
    hh, c = m.households, m.costs
    p = routing_parameters(m)
    e = hh.energy_recovery_share
    expected = {
        "recyclable_share": hh.recyclable_share,
        "biowaste_share": hh.biowaste_share,
        "reusable_share": hh.reusable_share,
        "repairable_share": hh.repairable_share,
        "energy_recovery_share": e,
        "byproduct_recycling_share": m.firms.byproduct_recycling_share,
        "recycling_eur_per_kg": c.recycling_eur_per_kg,
        "recovery_eur_per_kg": c.recovery_eur_per_kg,
        "landfill_eur_per_kg": c.landfill_eur_per_kg,
        "reuse_eur_per_kg": c.reuse_eur_per_kg,
        "repair_eur_per_kg": c.repair_eur_per_kg,
        "virgin_eur_per_kg": c.virgin_eur_per_kg,
        "secondary_eur_per_kg": c.secondary_eur_per_kg,
        "residual_eur_per_kg": e * c.recovery_eur_per_kg + (1.0 - e) * c.landfill_eur_per_kg,
        "storage_kg": m.hub.storage_kg,
        "repair_success_rate": m.hub.repair_success_rate,
        "parts_recycled_share": m.hub.parts_recycled_share,
    }
    assert type(p) is RoutingParameters and RoutingParameters.__doc__
    _check(p, RoutingParameters, expected)


def test_rulebook_tables() -> None:
    model = CommonsModel(seed=1, rulebook=FULL_OSTROM, create_agents=False)
    inst = model.institutions
    for sanctioned_only in (False, True):
        binding = inst.binding(sanctioned_only)
        assert type(binding) is Binding and all(type(v) is bool for v in binding[:-2])
        assert type(binding.fee_pv) is int and type(binding.overdraw_pv) is int  # has_pv clauses: -1, 0 or 1
    monitors, sanctions = inst.monitor_table, inst.sanction_table
    assert type(monitors) is MonitorTable and len({len(a) for a in monitors}) == 1
    assert monitors.who.dtype == np.int64 and monitors.detection_probability.dtype == float
    assert type(sanctions) is SanctionTable and type(sanctions.flat_fine_eur) is float


def test_the_loop_takes_the_records_of_the_parameter_functions() -> None:
    model = CommonsModel(seed=1, rulebook=FULL_OSTROM, create_agents=False)
    rules, behaviour, world = run_inputs.rules_and_world(model)
    b, sc = model.scenario.behaviour, model.scenario
    assert type(rules) is RunRules and type(world) is RunWorld
    assert behaviour == RunBehaviour(
        decision=decision_parameters(b),
        temptation=temptation_parameters(sc),
        choice=choice_parameters(sc),
        officials=officials_parameters(b),
        interpersonal=interpersonal_parameters(b.trust),
        institutional=institutional_parameters(b.trust),
        satisfaction=satisfaction_parameters(b.satisfaction),
        belief=belief_parameters(b),
        review=review_parameters(b.participation),
    )
    assert all(type(r).__name__.endswith("Parameters") for r in behaviour)
    assert rules.meeting == meeting_parameters(b, model.institutions)
    assert rules.official == initial_levels(model.institutions)
    assert rules.binding == model.institutions.binding()
    assert rules.sanctioned_binding == model.institutions.binding(True)
    assert world.energy == energy_parameters(sc.energy) and world.routing == routing_parameters(sc.materials)
    assert world.start_day_of_year == sc.energy.start_day_of_year
    state = run_inputs.run_state(model)
    assert type(state) is RunState
    assert state.member is model.state.member and state.tie_trust is model.state.ties.trust
    assert run_inputs.RECORDED == run_inputs.DayRow._fields


def _energy_balances(t: EnergyTotals) -> None:
    assert type(t) is EnergyTotals
    supply = t.production_kwh + t.import_kwh
    use = t.consumption_kwh + t.export_kwh + t.battery_change_kwh + t.losses_kwh
    assert supply == pytest.approx(use, abs=1e-6)
    assert t.residual_kwh == pytest.approx(0.0, abs=1e-6)
    assert t.self_consumed_kwh + t.pool_direct_kwh + t.battery_discharge_out_kwh + t.import_kwh == pytest.approx(
        t.consumption_kwh, abs=1e-6
    )
    assert t.offered_kwh == pytest.approx(t.pool_direct_kwh + t.battery_charge_in_kwh + t.pool_export_kwh, abs=1e-6)


def _materials_balance(t: MaterialTotals) -> None:
    assert type(t) is MaterialTotals
    routes = t.reuse_kg + t.repair_kg + t.recycling_kg + t.composting_kg + t.recovery_kg + t.landfill_kg + t.dumping_kg
    assert t.inputs_kg == pytest.approx(routes + t.stock_change_kg, abs=1e-6)
    assert t.inputs_kg == pytest.approx(t.household_waste_kg + t.byproducts_kg, abs=1e-6)
    assert t.residual_kg == pytest.approx(0.0, abs=1e-6)
    assert 0.0 <= t.circularity <= 1.0


def _spy(monkeypatch: pytest.MonkeyPatch, module: object, name: str, seen: list) -> None:
    """Keep every argument the module's ``name`` (a record's builder) gets."""
    original = getattr(module, name)

    def spy(records, *args):
        seen.append(records)
        return original(records, *args)

    monkeypatch.setattr(module, name, spy)


def test_energy_and_material_totals_balance_day_by_day(small_scenario: Scenario, monkeypatch) -> None:
    """``step()``: each day's records balance, and the stocks the state keeps are theirs."""
    energy: list[EnergyFlows] = []
    materials: list[MaterialRoutes] = []
    _spy(monkeypatch, exchange_module, "energy_day", energy)
    _spy(monkeypatch, routing_module, "materials_day", materials)
    model = CommonsModel(small_scenario, seed=5, rulebook=FULL_OSTROM, create_agents=False)
    for _ in range(20):
        model.step()
        e, m = energy[-1], materials[-1]
        assert type(e) is EnergyFlows and type(m) is MaterialRoutes
        _energy_balances(e.totals)
        _materials_balance(m.totals)
        commons = model.state.commons
        assert commons.battery_soc_kwh == e.totals.battery_soc_end_kwh
        assert commons.hub_reusable_kg == m.totals.hub_reusable_end_kg
        assert commons.hub_repairable_kg == m.totals.hub_repairable_end_kg
        assert e.totals.import_kwh == pytest.approx(e.agent_import_kwh.sum(), rel=1e-12)
        assert e.totals.offered_kwh == pytest.approx(e.agent_offered_kwh.sum(), rel=1e-12)
        assert m.totals.household_waste_kg == pytest.approx(m.waste_kg.sum(), rel=1e-12)
        assert m.totals.dumping_kg == pytest.approx(m.dumped_kg.sum(), rel=1e-12)
    assert len(energy) == len(materials) == 20
    assert sum(e.totals.production_kwh for e in energy) > 0 and sum(m.totals.inputs_kg for m in materials) > 0


def test_the_loop_returns_balanced_records_of_its_last_day(small_scenario: Scenario, monkeypatch) -> None:
    """``run()``: the compiled loop's last day, as :class:`LastDay`, balances too."""
    energy: list[EnergyFlows] = []
    materials: list[MaterialRoutes] = []
    _spy(monkeypatch, compiled_module, "energy_day", energy)
    _spy(monkeypatch, compiled_module, "materials_day", materials)
    kept: list[LastDay] = []
    keep = compiled_module._keep_last_day
    monkeypatch.setattr(compiled_module, "_keep_last_day", lambda model, last: (kept.append(last), keep(model, last)))
    model = CommonsModel(small_scenario, seed=5, rulebook=FULL_OSTROM, create_agents=False)
    model.run(20)
    assert len(kept) == len(energy) == len(materials) == 1
    last = kept[0]
    assert type(last) is LastDay and last.energy is energy[0] and last.materials is materials[0]
    _energy_balances(last.energy.totals)
    _materials_balance(last.materials.totals)
    assert model.state.commons.battery_soc_kwh == last.energy.totals.battery_soc_end_kwh
    assert model.state.commons.hub_reusable_kg == last.materials.totals.hub_reusable_end_kg
    row = model.timeseries().iloc[-1]
    assert row["import_kwh"] == last.energy.totals.import_kwh
    assert row["landfill_kg"] == last.materials.totals.landfill_kg
    assert row["governance_cost"] == last.governance_cost_eur
