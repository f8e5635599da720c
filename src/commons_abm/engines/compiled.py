"""Many days in one compiled call: the stages of :data:`~commons_abm.engines.day.DAY`, in order.

``CommonsModel.step()`` runs the named stages one Python call at a time
(:mod:`commons_abm.engines.staged`), each a plain
function of the state, the rules and a generator (readable, and each stage's result kept
on the model for inspection). A run of many days, which is what sweeps and comparisons
do, spends most of that in the calls rather than in the arithmetic, so
``CommonsModel.run()`` instead hands :func:`advance` whole stretches of days: one
compiled loop calls the same stage kernels in the same order with the same draws from
the same streams, and writes each day's row of the timeseries.

The two paths give the same runs to the last bit (``tests/test_compiled.py``), and
``tests/test_golden.py`` checks both against the recorded trajectories.

Over 400 lines: :func:`simulate_days` is one compiled function that calls the ten stages'
kernels in order, because numba compiles one loop over many days far faster than ten
calls a day; it holds no formula of its own (each stage's arithmetic is its mechanism's
kernel), only the hand-over of each stage's results to the next. Its inputs and outputs are
the records of :mod:`commons_abm.engines.run_inputs`.
"""

from __future__ import annotations

import numpy as np

from commons_abm.behaviour.beliefs import update_beliefs_arrays
from commons_abm.behaviour.decisions import decide_arrays, legitimacy_levels
from commons_abm.behaviour.membership import review_arrays
from commons_abm.behaviour.satisfaction import (
    member_fairness,
    satisfaction_arrays,
)
from commons_abm.behaviour.trust import (
    assembly_compliance,
    institutional_arrays,
    interpersonal_arrays,
)
from commons_abm.core.calendar import HOURS
from commons_abm.core.indicators import (
    COLUMNS,
    compliance_rate,
    followed_rules,
    gini_of_sorted,
    participation_gini,
    ratio,
    self_consumption,
    self_sufficiency,
    sorted_along,
    state_indicators,
)
from commons_abm.core.kernels import kernel
from commons_abm.core.kinds import HOUSEHOLD, MATERIAL_ROLE_OF
from commons_abm.core.records import GovernanceDay
from commons_abm.energy.exchange import (
    HOURLY_FLOWS,
    energy_day,
    exchange_arrays,
)
from commons_abm.energy.load_shifting import operator_shares
from commons_abm.engines.day import STAGE_NAMES, Simulation
from commons_abm.engines.run_inputs import (
    ATTENDANCE_RATE,
    BATTERY_SOC_KWH,
    COMMUNITY_ACCOUNT_EUR,
    HUB_ACCOUNT_EUR,
    HUB_OPEN_HOURS,
    HUB_REPAIRABLE_KG,
    HUB_REUSABLE_KG,
    HUB_STAFF_HOURS,
    HUB_VOLUNTEER_HOURS,
    NOISE_VALUES,
    DayRow,
    LastDay,
    rules_and_world,
    run_state,
)
from commons_abm.governance.accounts import community_accounts, fixed_cost, settle_arrays, tally_arrays
from commons_abm.governance.collective_choice import (
    meet,
    reset_levels,
    vote_budget,
)
from commons_abm.governance.institutions import NO_SANCTION
from commons_abm.governance.mediation import mediate_arrays
from commons_abm.governance.monitoring import monitor_arrays
from commons_abm.governance.officials import act
from commons_abm.governance.rulebook import POSTURES, STANCES
from commons_abm.governance.sanctions import EXCLUSION_DAYS, accusations, sanction_arrays
from commons_abm.materials.byproduct_matches import match_day
from commons_abm.materials.hub_organisation import hub_account, hub_capacity, staff_hours, volunteers_day
from commons_abm.materials.repair_hub import capacities
from commons_abm.materials.routing import (
    materials_day,
    route_arrays,
)
from commons_abm.territory.build import lognormal_noise
from commons_abm.territory.demand import demand_noise, scale_demand
from commons_abm.territory.solar import clearness_draw

__all__ = ["STAGES", "advance"]

# The stages the loop below runs, in order: each is marked by a comment of its name there
# (tests/test_day.py checks both against the declared day).
STAGES = STAGE_NAMES


def advance(model: Simulation, days: int) -> None:
    """Simulate ``days`` more days of ``model`` (array engine), in stretches whose demand
    noise is drawn ahead; appends their rows to the model's timeseries."""
    rules, behaviour, world = rules_and_world(model)  # (a fraction of a millisecond: the rules in force now)
    energy = model.scenario.energy
    s, rngs = model.state, model.rngs
    stretch = max(1, min(days, NOISE_VALUES // max(HOURS * s.n, 1)))
    done = 0
    while done < days:
        count = min(stretch, days - done)
        daily, hourly = demand_noise(rngs["demand"], energy.noise, s.n, count)
        scalars = np.zeros(9)  # positions: BATTERY_SOC_KWH ... HUB_OPEN_HOURS
        scalars[BATTERY_SOC_KWH] = s.commons.battery_soc_kwh
        scalars[HUB_REUSABLE_KG] = s.commons.hub_reusable_kg
        scalars[HUB_REPAIRABLE_KG] = s.commons.hub_repairable_kg
        scalars[COMMUNITY_ACCOUNT_EUR] = s.commons.community_account_eur
        scalars[ATTENDANCE_RATE] = model.results.attendance_rate
        scalars[HUB_ACCOUNT_EUR] = s.commons.hub_account_eur
        rows = np.empty((count, len(COLUMNS)))
        hourly_out = np.empty((count if model.record_hourly else 0, len(HOURLY_FLOWS), HOURS))
        rung, stance, last = simulate_days(
            model.steps,
            count,
            daily,
            hourly,
            rngs["weather"],
            rngs["materials"],
            rngs["behaviour"],
            rngs["governance"],
            run_state(model),
            model.assembly,
            model.levels.fine_scale.size,
            model.polity.rung,
            model.polity.stance_code,
            scalars,
            rules,
            behaviour,
            world,
            rows,
            hourly_out,
        )
        model.steps += count
        done += count
        model.polity.posture, model.polity.stance = POSTURES[rung], STANCES[stance]
        s.commons.battery_soc_kwh = float(scalars[BATTERY_SOC_KWH])
        s.commons.hub_reusable_kg = float(scalars[HUB_REUSABLE_KG])
        s.commons.hub_repairable_kg = float(scalars[HUB_REPAIRABLE_KG])
        s.commons.community_account_eur = float(scalars[COMMUNITY_ACCOUNT_EUR])
        model.results.attendance_rate = float(scalars[ATTENDANCE_RATE])
        s.commons.hub_account_eur = float(scalars[HUB_ACCOUNT_EUR])
        s.commons.hub_volunteer_hours = float(scalars[HUB_VOLUNTEER_HOURS])
        s.commons.hub_staff_hours = float(scalars[HUB_STAFF_HOURS])
        s.commons.hub_open_hours = float(scalars[HUB_OPEN_HOURS])
        model.rows.append(rows)
        model.hourly.extend(hourly_out)
        _keep_last_day(model, last)


def _keep_last_day(model: Simulation, last: LastDay) -> None:
    """The last simulated day's results on the model, as ``step()`` leaves them."""
    model.last_energy = energy_day(last.energy)
    model.last_materials = materials_day(last.materials, model.scenario.materials.costs.dumping_eur_per_kg)
    model.last_governance = GovernanceDay(
        meeting_held=bool(last.meeting_held),
        attendance_rate=float(last.attendance_rate),
        compliance_rate=float(last.compliance_rate),
        sanctions=int(last.sanctions),
        wrongful_sanctions=int(last.wrongful_sanctions),
        mediated=int(last.mediated),
        override=bool(last.override),
        cost_eur=float(last.governance_cost_eur),
    )


@kernel
def simulate_days(
    first_step,
    days,
    daily_noise,
    hourly_noise,
    weather,
    materials_rng,
    behaviour_rng,
    governance,
    state,
    assembly,
    count,
    rung,
    stance,
    scalars,
    rules,
    behaviour,
    world,
    rows,
    hourly_out,
):  # pragma: no cover - compiled
    """``days`` days from ``first_step``: the stages of :data:`STAGES` on the
    state's arrays (``state``: :class:`RunState`, changed in place; ``rules``:
    :class:`RunRules`; ``behaviour``: :class:`RunBehaviour`; ``world``: :class:`RunWorld`),
    one row of :data:`RECORDED` per day into ``rows``; ``scalars`` carries the territory's
    scalars (positions :data:`BATTERY_SOC_KWH` ...); returns the officials' posture (rung), their stance
    and the last day's results (:class:`LastDay`)."""
    # the state's arrays, by name
    kind = state.kind
    pv_kwp = state.pv_kwp
    pv_performance = state.pv_performance
    member = state.member
    battery_received = state.battery_received_kwh
    waste_kg = state.waste_kg_per_day
    contributed = state.contributed_kwh
    energy_poor = state.energy_poor
    cc_type = state.cc_type
    belief = state.belief
    group_weight = state.group_weight
    trust_institutional = state.trust_institutional
    propensity = state.propensity
    goodwill = state.goodwill_share
    cooperated = state.cooperated
    offence_level = state.offence_level
    clean_days = state.clean_days
    excluded_until = state.excluded_until
    attended_last = state.attended_last
    meetings_attended = state.meetings_attended
    meetings_eligible = state.meetings_eligible
    satisfaction = state.satisfaction
    satisfaction_short = state.satisfaction_short
    satisfaction_long = state.satisfaction_long
    energy_cost = state.energy_cost_eur
    material_cost = state.material_cost_eur
    fees = state.fees_eur
    fines = state.fines_eur
    net_benefit = state.net_benefit_eur
    cumulative = state.cumulative_net_benefit_eur
    indptr = state.tie_indptr
    indices = state.tie_indices
    tie_trust = state.tie_trust
    fine_scale = state.fine_scale
    fee = state.fee_eur_per_day
    chosen = state.chosen
    monitors, sanctions_table = rules.monitors, rules.sanctions
    posture_voice = rules.posture_voice
    n = kind.size
    no_shift = np.zeros(0)
    legit = np.zeros(n)
    fine_of = np.empty(n)
    fee_of = np.empty(n)
    u_monitor = np.empty((monitors.who.size, n))
    u_mediation = np.empty((2, n))
    attendance_rate = scalars[ATTENDANCE_RATE]
    has_pv = state.pv_kwp > 0
    households = np.flatnonzero(kind == HOUSEHOLD)
    order = households[np.argsort(cumulative[households])]  # kept sorted day after day (their Gini)
    attendance_gini = participation_gini(meetings_attended, meetings_eligible)  # changes only at meetings
    for d in range(days):
        step = first_step + d
        day_of_year = (world.start_day_of_year - 1 + step) % 365 + 1
        weekend = (world.start_weekday + step) % 7 >= 5

        # decide
        voice = posture_voice[rung]
        legit_k = legitimacy_levels(voice, rules.rule_security[stance], chosen)
        for i in range(n):
            a = assembly[i]
            legit[i] = legit_k[a]
            fine_of[i] = fine_scale[a]
            fee_of[i] = fee[a]
        z = behaviour_rng.standard_normal((n, 5))
        (chances, choices, claim, waste, pays_fee, bound, breach, sanctionable_now, sanctionable, credit, visible) = (
            decide_arrays(
                cc_type,
                belief,
                group_weight,
                trust_institutional,
                member,
                cooperated,
                kind,
                has_pv,
                offence_level,
                indptr,
                indices,
                z,
                legit,
                fine_of,
                fee_of,
                battery_received,
                waste_kg,
                behaviour.decision,
                behaviour.temptation,
                rules.crowding,
                rules.binding,
                rules.sanctioned_binding,
                rules.deterring,
                monitors.who,
                monitors.detection_probability,
                sanctions_table.scheme,
                sanctions_table.ladder_eur,
                sanctions_table.flat_fine_eur,
                rules.fee_charged,
                rules.waste_charge,
                behaviour.choice,
            )
        )
        propensity[:] = chances
        cooperated[:] = choices
        goodwill[:] = credit
        followed = followed_rules(cooperated, bound, breach)

        # exchange_energy
        demand = hourly_noise[d]
        scale_demand(
            demand,
            world.demand_tables[day_of_year - 1, 1 if weekend else 0],
            state.load_profile,
            state.annual_demand_kwh,
            daily_noise[d],
        )
        per_kwp = world.pv_yield_kwh_per_kwp[day_of_year - 1] * clearness_draw(
            weather, world.clearness_a, world.clearness_beta, world.weather_variability
        )
        operator_shift = rules.operator_shift_share
        shift = operator_shares(member, cooperated, operator_shift) if operator_shift > 0 else no_shift
        energy = exchange_arrays(
            demand,
            pv_kwp,
            pv_performance,
            per_kwp,
            shift,
            member,
            rules.open_access,
            rules.allocation_key,
            energy_poor,
            contributed,
            claim,
            scalars[BATTERY_SOC_KWH],
            world.energy,
            assembly,  # each agent's neighbourhood community under a federation, else 0
        )
        e = energy.totals
        contributed += energy.agent_offered_kwh
        battery_received[:] = energy.agent_battery_kwh
        scalars[BATTERY_SOC_KWH] = e.battery_soc_end_kwh
        scalars[COMMUNITY_ACCOUNT_EUR] += e.community_account_change_eur
        energy_cost[:] = energy.agent_cost_eur
        if hourly_out.shape[0]:
            hourly_out[d] = energy.hourly_kwh

        # route_materials
        delivered, setup = match_day(
            materials_rng.random((3, state.match_seller.size)),
            state.match_active,
            state.match_trust,
            state.match_tied,
            state.match_seller,
            state.match_buyer,
            state.byproduct_kg_per_day,
            state.input_kg_per_day,
            world.matching,
        )
        staff = staff_hours(scalars[HUB_ACCOUNT_EUR], world.organisation)
        staffing = hub_capacity(
            volunteers_day(
                MATERIAL_ROLE_OF[kind],
                waste.motive,
                state.volunteer,
                state.volunteer_stamina,
                staff,
                materials_rng.random((2, n)),
                world.organisation,
            ),
            staff,
            world.organisation,
        )
        materials = route_arrays(
            lognormal_noise(materials_rng, world.materials_daily_cv, n),
            kind,
            state.waste_kg_per_day,
            state.byproduct_kg_per_day,
            state.input_kg_per_day,
            waste,
            indptr,
            indices,
            state.tie_geographic,
            state.match_seller[delivered],
            state.match_buyer[delivered],
            scalars[HUB_REUSABLE_KG],
            scalars[HUB_REPAIRABLE_KG],
            setup,
            world.matching.transaction_eur_per_kg,
            capacities(world.routing.storage_kg, world.routing.repair_success_rate, staffing),
            world.routing,
        )
        material_cost[:] = materials.cost_eur
        mt = materials.totals
        scalars[HUB_REUSABLE_KG] = mt.hub_reusable_end_kg
        scalars[HUB_REPAIRABLE_KG] = mt.hub_repairable_end_kg
        scalars[HUB_VOLUNTEER_HOURS] = staffing.volunteer_hours
        scalars[HUB_STAFF_HOURS] = staffing.staff_hours
        scalars[HUB_OPEN_HOURS] = staffing.open_hours
        scalars[HUB_ACCOUNT_EUR] = hub_account(
            scalars[HUB_ACCOUNT_EUR],
            mt.hub_fees_eur,
            mt.hub_reused_kg,
            staffing.staff_hours,
            rules.hub_funding[stance],
            world.organisation,
        )

        # enforce_rules
        for k in range(monitors.who.size):
            u_monitor[k] = governance.random(n)
        detected, wrong, _, detection_cost, official_cost, peer_cost = monitor_arrays(
            monitors.who,
            monitors.detection_probability,
            monitors.error_rate,
            monitors.cost_eur_per_check,
            u_monitor,
            bound,
            breach,
            visible,
            member,
            cooperated,
            indptr,
            indices,
        )
        accused = accusations(detected, wrong, sanctionable_now, sanctionable)
        for i in range(n):
            fine_of[i] = fine_scale[assembly[i]]
        fines_today, excluded = sanction_arrays(
            sanctions_table.scheme,
            sanctions_table.ladder_eur,
            sanctions_table.flat_fine_eur,
            accused,
            fine_of,
            rules.forgiveness_days,
            rules.exclude_after,
            step + EXCLUSION_DAYS,
            clean_days,
            offence_level,
            member,
            excluded_until,
        )
        sanctioned = accused if sanctions_table.scheme != NO_SANCTION else np.zeros(n, dtype=np.bool_)
        sanctions = sanctioned.sum()
        disputes = sanctioned & wrong
        settled = np.zeros(n, dtype=np.bool_)
        mediation_spent = 0.0
        if rules.mediation and disputes.any():
            u_mediation[0] = governance.random(n)
            u_mediation[1] = governance.random(n)
            settled, brought = mediate_arrays(
                disputes,
                u_mediation,
                rules.mediator,
                trust_institutional,
                indptr,
                tie_trust,
                fines_today,
                excluded,
                offence_level,
                member,
                excluded_until,
            )
            mediation_spent = rules.mediator.cost_eur_per_case * brought
        unsettled = disputes & ~settled

        # collective_choice
        meeting_held = rules.meetings and (step + 1) % rules.meeting_every_days == 0
        meeting_spent = 0.0
        voiced = np.zeros(n, dtype=np.bool_)
        attended = np.zeros(n, dtype=np.bool_)
        if meeting_held:
            attended, attendance_rate, valid, _, held = meet(
                governance.random(n),
                assembly,
                count,
                member,
                satisfaction,
                trust_institutional,
                attended_last,
                meetings_attended,
                meetings_eligible,
                belief,
                propensity,
                cooperated,
                breach,
                bound,
                state.tie_owners,
                indices,
                tie_trust,
                rules.meeting,
                voice,
                vote_budget(
                    scalars[COMMUNITY_ACCOUNT_EUR],
                    fixed_cost(
                        rules.operator_cost_eur_per_day, rules.facilitator_funding[stance], rules.meetings_cost_eur
                    ),
                ),
                fine_scale,
                fee,
                chosen,
                rules.official,
            )
            meeting_spent = rules.meeting_cost_eur * held
            attendance_gini = participation_gini(meetings_attended, meetings_eligible)
            for i in range(n):
                voiced[i] = attended[i] and valid[assembly[i]]

        # officials
        override, _, rung, stance, _ = act(
            governance,
            step,
            rung,
            stance,
            posture_voice.size,
            rules.overrides_per_year.size,
            member,
            state.linked_to_officials,
            attended,
            meeting_held,
            trust_institutional,
            chosen,
            rules.overrides_per_year[stance],
            rules.meeting_attendance[stance],
            rules.first_election_day,
            rules.electoral_cycle_days,
            rules.posture_change_probability,
            rules.staff_continuity,
            behaviour.officials,
        )
        if override:
            reset_levels(fine_scale, fee, chosen, rules.official)
        voice = posture_voice[rung]

        # settle_accounts
        for i in range(n):
            fee_of[i] = fee[assembly[i]]
        settle_arrays(
            pays_fee,
            fee_of,
            fines_today,
            peer_cost,
            energy.agent_reference_cost_eur,
            energy_cost,
            materials.reference_cost_eur,
            material_cost,
            fees,
            fines,
            state.governance_cost_eur,
            net_benefit,
            cumulative,
        )
        tally_arrays(
            energy_cost,
            energy.agent_reference_cost_eur,
            fees,
            fines,
            state.bill_total_eur,
            state.alone_total_eur,
            state.fees_total_eur,
            state.fines_total_eur,
        )
        _, account_change, governance_cost_eur = community_accounts(
            rules.operator_cost_eur_per_day,
            rules.facilitator_funding[stance],
            meeting_spent,
            mediation_spent,
            rules.sanction_cost_eur * sanctions,
            rules.commune_sanctions,
            detection_cost,
            official_cost,
            peer_cost,
            fees,
            fines,
        )
        scalars[COMMUNITY_ACCOUNT_EUR] += account_change
        compliance = compliance_rate(followed, bound)

        # learn
        interpersonal_arrays(tie_trust, indices, cooperated, goodwill, state.tie_affective, behaviour.interpersonal)
        satisfaction_arrays(
            satisfaction,
            satisfaction_short,
            satisfaction_long,
            net_benefit,
            member_fairness(energy.agent_received_kwh, energy.agent_offered_kwh, member),
            behaviour.satisfaction,
        )
        institutional_arrays(
            trust_institutional,
            member,
            satisfaction_short,
            assembly_compliance(assembly, count, bound, followed),
            fines,
            unsettled,
            settled,
            voiced,
            voice * rules.rule_security[stance],
            behaviour.institutional,
        )
        update_beliefs_arrays(
            belief, cooperated, indptr, indices, tie_trust, cooperated.mean() if n else 0.0, behaviour.belief
        )

        # review_membership
        review_arrays(
            behaviour_rng.random(n),
            behaviour.review,
            step,
            member,
            satisfaction,
            excluded_until,
            attended_last,
            indptr,
            indices,
            tie_trust,
        )

        # record
        (
            members_share,
            trust_interpersonal,
            trust_mean,
            satisfaction_mean,
            cooperation,
            expected_cooperation,
            member_trust,
            fines_paid,
            non_member_trust,
        ) = state_indicators(member, satisfaction, tie_trust, trust_institutional, cooperated, belief, fines)
        wrongful = unsettled.sum()
        # the day's row (all as floats), written in the order of RECORDED
        recorded = DayRow(
            step=float(step),
            day_of_year=float(day_of_year),
            members_share=members_share,
            attendance_rate=attendance_rate,
            compliance_rate=compliance,
            trust_interpersonal=trust_interpersonal,
            trust_institutional=trust_mean,
            satisfaction=satisfaction_mean,
            energy_self_sufficiency=self_sufficiency(e.consumption_kwh, e.grid_import_kwh),
            energy_self_consumption=self_consumption(e.production_kwh, e.grid_export_kwh),
            community_self_sufficiency=ratio(e.participants_local_kwh, e.participants_demand_kwh),
            community_self_consumption=ratio(e.operation_used_kwh, e.operation_production_kwh),
            material_circularity=mt.circularity,
            household_waste_recovery_rate=mt.household_recovery_rate,
            byproduct_exchange_rate=mt.byproduct_exchange_rate,
            landfill_kg=mt.landfill_kg,
            dumping_kg=mt.dumping_kg,
            displaced_waste_kg=mt.displaced_kg,
            composting_kg=mt.composting_kg,
            sorted_kg=mt.household_sorted_kg,
            byproduct_matches=float(state.match_active.sum()),
            hub_volunteers=float(state.volunteer.sum()),
            hub_volunteer_hours=staffing.volunteer_hours,
            hub_staff_hours=staffing.staff_hours,
            hub_open_hours=staffing.open_hours,
            hub_account_eur=scalars[HUB_ACCOUNT_EUR],
            sanctions=float(sanctions),
            governance_cost=governance_cost_eur,
            gini_net_benefit=gini_of_sorted(sorted_along(order, cumulative)),
            energy_balance_residual_kwh=e.residual_kwh,
            material_balance_residual_kg=mt.residual_kg,
            cooperation_rate=cooperation,
            expected_cooperation=expected_cooperation,
            member_trust_institutional=member_trust,
            non_member_trust_institutional=non_member_trust,
            participation_gini=attendance_gini,
            wrongful_sanctions=float(wrongful),
            fines_eur=fines_paid,
            production_kwh=e.production_kwh,
            consumption_kwh=e.consumption_kwh,
            self_consumed_kwh=e.self_consumed_kwh,
            pool_kwh=e.pool_direct_kwh,
            battery_charge_kwh=e.battery_charge_in_kwh,
            battery_discharge_kwh=e.battery_discharge_out_kwh,
            import_kwh=e.import_kwh,
            export_kwh=e.export_kwh,
            battery_soc_kwh=scalars[BATTERY_SOC_KWH],
            material_inputs_kg=mt.inputs_kg,
            reuse_kg=mt.reuse_kg,
            repair_kg=mt.repair_kg,
            recycling_kg=mt.recycling_kg,
            recovery_kg=mt.recovery_kg,
            symbiosis_kg=mt.symbiosis_kg,
            hub_stock_kg=scalars[HUB_REUSABLE_KG] + scalars[HUB_REPAIRABLE_KG],
            community_account_eur=scalars[COMMUNITY_ACCOUNT_EUR],
            bill_saving_eur_per_participant=ratio(e.participants_saving_eur, e.participants),
        )
        for k in range(len(recorded)):
            rows[d, k] = recorded[k]
        if d == days - 1:
            scalars[ATTENDANCE_RATE] = attendance_rate
            last = LastDay(
                energy=energy,
                materials=materials,
                meeting_held=meeting_held,
                attendance_rate=attendance_rate,
                compliance_rate=compliance,
                sanctions=sanctions,
                wrongful_sanctions=wrongful,
                mediated=settled.sum(),
                override=override,
                governance_cost_eur=governance_cost_eur,
            )
            return rung, stance, last
    raise ValueError("simulate_days needs at least one day")
