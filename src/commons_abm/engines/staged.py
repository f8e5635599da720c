"""The staged engine: one Python call per stage of :data:`~commons_abm.engines.day.DAY`.

Each stage function takes the run (:class:`~commons_abm.engines.day.Simulation`) and the
day, calls its mechanisms' whole-population forms and keeps their results on
``sim.results`` (:class:`~commons_abm.engines.day.DayResults`) for the stages after it and
for inspection. ``CommonsModel.step()`` runs it; the compiled loop
(:mod:`commons_abm.engines.compiled`) runs the same kernels in the same order and gives the
same run to the last bit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from commons_abm.behaviour.beliefs import update_beliefs
from commons_abm.behaviour.decisions import decide as decide_actions
from commons_abm.behaviour.decisions import legitimacy, temptation_parameters
from commons_abm.behaviour.membership import review_membership as review
from commons_abm.behaviour.satisfaction import member_fairness, update_satisfaction
from commons_abm.behaviour.trust import assembly_compliance, update_institutional_trust, update_interpersonal_trust
from commons_abm.behaviour.waste_choices import choice_parameters
from commons_abm.core.calendar import Day
from commons_abm.core.indicators import (
    COLUMNS,
    compliance_rate,
    followed_rules,
    gini_of,
    participation_gini,
    ratio,
    self_consumption,
    self_sufficiency,
    state_indicators,
)
from commons_abm.core.kinds import HOUSEHOLD
from commons_abm.core.records import GovernanceDay
from commons_abm.energy.exchange import HOURLY_FLOWS
from commons_abm.energy.exchange import exchange_energy as exchange
from commons_abm.energy.load_shifting import operator_schedule
from commons_abm.engines.day import STAGE_NAMES, Simulation
from commons_abm.governance.accounts import community_accounts, daily_fixed_cost, tally_accounts
from commons_abm.governance.accounts import settle_accounts as settle
from commons_abm.governance.collective_choice import hold_meeting, meeting_due
from commons_abm.governance.mediation import mediate
from commons_abm.governance.monitoring import monitor
from commons_abm.governance.officials import members_voice, officials_act
from commons_abm.governance.sanctions import accusations, impose_sanctions
from commons_abm.materials.byproduct_matches import match_parameters, matches_of
from commons_abm.materials.hub_organisation import organisation_parameters
from commons_abm.materials.routing import route_materials as route

__all__ = ["STAGES", "step"]


def decide(sim: Simulation, day: Day) -> None:
    """Each agent decides whether to cooperate (:mod:`commons_abm.behaviour.decisions`)."""
    levels, at = sim.levels, sim.assembly
    legit = legitimacy(members_voice(sim.acts, sim.polity.posture), levels.chosen, sim.rule_security)[at]
    actions = decide_actions(
        sim.state,
        sim.institutions,
        sim.scenario.behaviour,
        sim.rngs["behaviour"],
        legitimacy_level=legit,
        fine_scale=levels.fine_scale[at],
        fee_eur_per_day=levels.fee_eur_per_day[at],
        temptation=temptation_parameters(sim.scenario),
        choice=choice_parameters(sim.scenario),
    )
    sim.results.actions = actions


def exchange_energy(sim: Simulation, day: Day) -> None:
    """The day's energy, hour by hour (:mod:`commons_abm.energy.exchange`)."""
    inst, s, a = sim.institutions, sim.state, sim.results.actions
    sim.last_energy = exchange(
        s,
        sim.scenario,
        day,
        sim.rngs,
        boundary=inst.boundary,
        allocation_key=inst.allocation_key,
        claim=a.claim if a is not None else None,
        load_shift=operator_schedule(inst.operator, inst.load_shift_share, s.member, s.cooperated),
        community_of=sim.assembly,
    )
    if sim.record_hourly:
        h = sim.last_energy.hourly
        sim.hourly.append(np.stack([np.asarray(h[name], float) for name in HOURLY_FLOWS]))


def route_materials(sim: Simulation, day: Day) -> None:
    """The day's goods and by-products (:mod:`commons_abm.materials.routing`)."""
    a = sim.results.actions
    sim.last_materials = route(
        sim.state,
        sim.scenario,
        day,
        sim.rngs,
        a.waste if a is not None else None,
        match_parameters(sim.scenario, sim.institutions),
        organisation_parameters(sim.scenario, sim.institutions),
        funding=float(sim.acts.hub_funding[sim.polity.stance_code]),
    )


def enforce_rules(sim: Simulation, day: Day) -> None:
    """Monitoring, sanctions and mediation (:mod:`commons_abm.governance`)."""
    s, inst, r, rng = sim.state, sim.institutions, sim.results, sim.rngs["governance"]
    a = r.actions
    r.detection = monitor(s, inst, a.bound, a.breach, rng, a.visible)
    accused = accusations(r.detection.detected, r.detection.wrongly_accused, a.sanctionable, a.bound_sanctioned)
    r.sanctions = impose_sanctions(s, inst, accused, sim.levels.fine_scale[sim.assembly], day.step)
    r.mediation = mediate(s, inst, r.sanctions, r.detection.wrongly_accused, rng)


def collective_choice(sim: Simulation, day: Day) -> None:
    """Members meet on meeting days (:mod:`commons_abm.governance.collective_choice`)."""
    r = sim.results
    r.meeting = None
    if not meeting_due(sim.institutions, day.step):
        return
    a = r.actions
    r.meeting = hold_meeting(
        sim.state,
        sim.institutions,
        sim.scenario.behaviour,
        sim.levels,
        members_voice(sim.acts, sim.polity.posture),
        a.breach,
        a.bound,
        sim.state.commons.community_account_eur,
        daily_fixed_cost(sim.institutions, sim.levels.fine_scale.size, _commune_share(sim)),
        sim.rngs["governance"],
    )
    r.attendance_rate = r.meeting.attendance_rate


def officials(sim: Simulation, day: Day) -> None:
    """Officials act (:mod:`commons_abm.governance.officials`)."""
    meeting = sim.results.meeting
    sim.results.officials = officials_act(
        sim.state,
        sim.institutions,
        sim.scenario.behaviour,
        sim.polity,
        sim.levels,
        sim.acts,
        meeting.attended if meeting is not None else None,
        day.step,
        sim.rngs["governance"],
    )


def _commune_share(sim: Simulation) -> float:
    """Share of the facilitator's cost the commune pays under the officials in office."""
    return float(sim.acts.facilitator_funding[sim.polity.stance_code])


def settle_accounts(sim: Simulation, day: Day) -> None:
    """Everyone pays; the community's account pays its costs (:mod:`commons_abm.governance.accounts`)."""
    s, e, m, r, inst = sim.state, sim.last_energy, sim.last_materials, sim.results, sim.institutions
    a, det, san, med = r.actions, r.detection, r.sanctions, r.mediation
    settle(
        s,
        pays_fee=a.pays_fee,
        fee_eur_per_day=sim.levels.fee_eur_per_day[sim.assembly],
        fines_eur=san.fines_eur,
        monitoring_cost_eur=det.peer_cost_eur,
        energy_reference_eur=e.agent_reference_cost_eur,
        material_reference_eur=m.agent_reference_cost_eur,
    )
    tally_accounts(s, e.agent_reference_cost_eur)
    _, account_change, governance_cost = community_accounts(
        inst.operator_cost_eur_per_day,
        _commune_share(sim),
        r.meeting.cost_eur if r.meeting is not None else 0.0,
        med.cost_eur,
        san.cost_eur,
        inst.commune_sanctions,
        det.cost_eur,
        det.official_cost_eur,
        det.peer_cost_eur,
        s.fees_eur,
        s.fines_eur,
    )
    s.commons.community_account_eur += account_change
    sim.last_governance = GovernanceDay(
        meeting_held=r.meeting is not None,
        attendance_rate=r.attendance_rate,
        compliance_rate=compliance_rate(followed_rules(s.cooperated, a.bound, a.breach), a.bound),
        sanctions=san.count,
        wrongful_sanctions=int(med.unsettled.sum()),
        mediated=int(med.settled.sum()),
        override=r.officials.override,
        cost_eur=governance_cost,
    )


def learn(sim: Simulation, day: Day) -> None:
    """Trust, satisfaction and beliefs (:mod:`commons_abm.behaviour`)."""
    s, b, e, r = sim.state, sim.scenario.behaviour, sim.last_energy, sim.results
    update_interpersonal_trust(s.ties, s.cooperated, b.trust, s.goodwill_share)
    update_satisfaction(
        s, b.satisfaction, s.net_benefit_eur, member_fairness(e.agent_received, e.agent_offered, s.member)
    )
    meeting = r.meeting
    voiced = (meeting.attended & meeting.valid[sim.assembly]) if meeting is not None else np.zeros(s.n, bool)
    update_institutional_trust(
        s,
        b.trust,
        wrongful=r.mediation.unsettled,
        settled=r.mediation.settled,
        voiced=voiced,
        voice=members_voice(sim.acts, sim.polity.posture) * sim.rule_security,
        observed_compliance=assembly_compliance(
            sim.assembly,
            sim.levels.fine_scale.size,
            r.actions.bound,
            followed_rules(s.cooperated, r.actions.bound, r.actions.breach),
        ),
    )
    update_beliefs(s, b, float(s.cooperated.mean()) if s.n else 0.0)


def review_membership(sim: Simulation, day: Day) -> None:
    """Agents join or leave (:mod:`commons_abm.behaviour.membership`)."""
    review(sim.state, sim.scenario.behaviour.participation, day.step, sim.rngs["behaviour"])


def record(sim: Simulation, day: Day) -> None:
    """The day's row of indicators (:data:`~commons_abm.core.indicators.COLUMNS`)."""
    s, e, m, g = sim.state, sim.last_energy, sim.last_materials, sim.last_governance
    (
        members_share,
        trust_interpersonal,
        trust_institutional,
        satisfaction,
        cooperation,
        expected_cooperation,
        member_trust,
        fines,
        non_member_trust,
    ) = state_indicators(
        s.member, s.satisfaction, s.ties.trust, s.trust_institutional, s.cooperated, s.belief, s.fines_eur
    )
    values = {
        "step": day.step,
        "day_of_year": day.day_of_year,
        "members_share": members_share,
        "attendance_rate": g.attendance_rate,
        "compliance_rate": g.compliance_rate,
        "trust_interpersonal": trust_interpersonal,
        "trust_institutional": trust_institutional,
        "satisfaction": satisfaction,
        "energy_self_sufficiency": self_sufficiency(e.consumption, e.grid_import),
        "energy_self_consumption": self_consumption(e.production, e.grid_export),
        "community_self_sufficiency": e.community_self_sufficiency,
        "community_self_consumption": e.community_self_consumption,
        "material_circularity": m.circularity,
        "household_waste_recovery_rate": m.household_recovery_rate,
        "byproduct_exchange_rate": m.byproduct_exchange_rate,
        "landfill_kg": m.landfill,
        "dumping_kg": m.dumping,
        "displaced_waste_kg": m.displaced,
        "composting_kg": m.composting,
        "sorted_kg": m.household_sorted,
        "byproduct_matches": float(matches_of(s, sim.scenario).count),
        "hub_volunteers": float(s.volunteer.sum()),
        "hub_volunteer_hours": s.commons.hub_volunteer_hours,
        "hub_staff_hours": s.commons.hub_staff_hours,
        "hub_open_hours": s.commons.hub_open_hours,
        "hub_account_eur": s.commons.hub_account_eur,
        "sanctions": g.sanctions,
        "governance_cost": g.cost_eur,
        "gini_net_benefit": gini_of(s.cumulative_net_benefit_eur[s.kind == HOUSEHOLD]),
        "energy_balance_residual_kwh": e.residual,
        "material_balance_residual_kg": m.residual,
        "cooperation_rate": cooperation,
        "expected_cooperation": expected_cooperation,
        "member_trust_institutional": member_trust,
        "non_member_trust_institutional": non_member_trust,
        "participation_gini": participation_gini(s.meetings_attended, s.meetings_eligible),
        "wrongful_sanctions": g.wrongful_sanctions,
        "fines_eur": fines,
        "production_kwh": e.production,
        "consumption_kwh": e.consumption,
        "self_consumed_kwh": e.self_consumed,
        "pool_kwh": e.pool_direct,
        "battery_charge_kwh": e.battery_charge_in,
        "battery_discharge_kwh": e.battery_discharge_out,
        "import_kwh": e.import_,
        "export_kwh": e.export,
        "battery_soc_kwh": s.commons.battery_soc_kwh,
        "material_inputs_kg": m.inputs,
        "reuse_kg": m.reuse,
        "repair_kg": m.repair,
        "recycling_kg": m.recycling,
        "recovery_kg": m.recovery,
        "symbiosis_kg": m.symbiosis,
        "hub_stock_kg": s.commons.hub_reusable_kg + s.commons.hub_repairable_kg,
        "community_account_eur": s.commons.community_account_eur,
        "bill_saving_eur_per_participant": float(ratio(e.participants_saving_eur, e.participants)),
    }
    sim.rows.append(np.array([[values[c] for c in COLUMNS]], dtype=float))
    if sim.events_log is not None:
        sim.events_log.record_day(day.step, sim.results, sim.assembly, sim.levels)


STAGES: dict[str, Callable[[Simulation, Day], None]] = {
    "decide": decide,
    "exchange_energy": exchange_energy,
    "route_materials": route_materials,
    "enforce_rules": enforce_rules,
    "collective_choice": collective_choice,
    "officials": officials,
    "settle_accounts": settle_accounts,
    "learn": learn,
    "review_membership": review_membership,
    "record": record,
}
assert tuple(STAGES) == STAGE_NAMES, "the staged engine must follow the declared day"


def step(sim: Simulation, day: Day) -> None:
    """Simulate one day: every stage of the declared day, in order."""
    for name in STAGE_NAMES:
        STAGES[name](sim, day)
