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
"""

from __future__ import annotations

import numpy as np

from commons_abm.behaviour.decisions import (
    belief_parameters,
    decide_arrays,
    decision_parameters,
    legitimacy_levels,
    update_beliefs_arrays,
)
from commons_abm.behaviour.membership import review_arrays, review_parameters
from commons_abm.behaviour.satisfaction import member_fairness, satisfaction_arrays, satisfaction_parameters
from commons_abm.behaviour.trust import (
    assembly_compliance,
    institutional_arrays,
    institutional_parameters,
    interpersonal_arrays,
    interpersonal_parameters,
)
from commons_abm.core.calendar import HOURS
from commons_abm.core.indicators import (
    COLUMNS,
    compliance_rate,
    gini_of_sorted,
    participation_gini,
    self_consumption,
    self_sufficiency,
    sorted_along,
    state_indicators,
)
from commons_abm.core.kernels import kernel
from commons_abm.core.records import GovernanceDay
from commons_abm.energy.allocation_keys import KEY_CODES
from commons_abm.energy.exchange import HOURLY_FLOWS, energy_day, energy_parameters, exchange_arrays, operator_shares
from commons_abm.engines.day import STAGE_NAMES, Simulation
from commons_abm.governance.accounts import community_accounts, daily_fixed_cost, settle_arrays
from commons_abm.governance.collective_choice import initial_levels, meet, meeting_parameters, reset_levels, vote_budget
from commons_abm.governance.mediation import mediate_arrays
from commons_abm.governance.monitoring import monitor_arrays
from commons_abm.governance.officials import STANCE_SIGNAL, act, officials_parameters, overrides_per_year
from commons_abm.governance.rulebook import NO_SANCTION, POSTURE_VOICE, POSTURES
from commons_abm.governance.sanctions import EXCLUSION_DAYS, accusations, sanction_arrays
from commons_abm.materials.routing import exchange_pairs, materials_day, route_arrays, routing_parameters
from commons_abm.territory.build import lognormal_noise
from commons_abm.territory.demand import demand_noise, demand_tables, scale_demand
from commons_abm.territory.solar import CLEARNESS_BETA, clearness_draw, yield_table

__all__ = ["RECORDED", "STAGES", "advance"]

# The stages the loop below runs, in order: each is marked by a comment of its name there
# (tests/test_day.py checks both against the declared day).
STAGES = STAGE_NAMES

# The order in which the compiled loop writes a day's row: the timeseries' columns.
RECORDED = (
    "step",
    "day_of_year",
    "members_share",
    "attendance_rate",
    "compliance_rate",
    "trust_interpersonal",
    "trust_institutional",
    "satisfaction",
    "energy_self_sufficiency",
    "energy_self_consumption",
    "material_circularity",
    "landfill_kg",
    "dumping_kg",
    "sanctions",
    "governance_cost",
    "gini_net_benefit",
    "energy_balance_residual_kwh",
    "material_balance_residual_kg",
    "cooperation_rate",
    "expected_cooperation",
    "member_trust_institutional",
    "participation_gini",
    "wrongful_sanctions",
    "fines_eur",
    "production_kwh",
    "consumption_kwh",
    "self_consumed_kwh",
    "pool_kwh",
    "battery_discharge_kwh",
    "import_kwh",
    "export_kwh",
    "battery_soc_kwh",
    "material_inputs_kg",
    "reuse_kg",
    "repair_kg",
    "recycling_kg",
    "recovery_kg",
    "symbiosis_kg",
    "hub_stock_kg",
    "community_account_eur",
)
assert RECORDED == tuple(COLUMNS), "the compiled loop's row must follow indicators.COLUMNS"

# Values of hourly demand noise drawn ahead at most (days x 24 x agents), to bound memory.
NOISE_VALUES = 2_000_000


def _rules_and_world(model: Simulation) -> tuple[tuple, tuple, tuple]:
    """The model's rules, behaviour parameters and world (calendar tables, weather,
    tariffs, materials) as the compiled loop takes them."""
    sc, inst, b = model.scenario, model.institutions, model.scenario.behaviour
    e, m = sc.energy, sc.materials
    who, p, error, unit_cost = inst.monitor_table
    scheme, ladder, flat_fine = inst.sanction_table
    operator_shift = inst.load_shift_share if inst.operator and inst.load_shift_share > 0 else 0.0
    rules = (
        inst.meetings,
        inst.meeting_every_days,
        meeting_parameters(b, inst),
        float(inst.meeting_cost_eur),
        inst.min_share is not None,
        initial_levels(inst),
        float(inst.operator_cost_eur_per_day),
        float(daily_fixed_cost(inst, model.levels.fine_scale.size)),
        np.array([POSTURE_VOICE[posture] for posture in POSTURES]),
        float(model.rule_security),
        inst.official_monitoring and inst.stance == "controller",
        inst.binding(),
        inst.binding(True),
        bool(inst.sanctioned) and inst.sanction_scheme != "none",
        inst.official_monitoring and inst.dumping_forbidden,
        inst.fee_eur_per_day > 0,
        who,
        p,
        error,
        unit_cost,
        scheme,
        ladder,
        flat_fine,
        inst.forgiveness_days,
        inst.exclude_after,
        float(inst.sanction_cost_eur),
        inst.mediation,
        float(inst.mediation_access),
        float(inst.mediation_success),
        float(inst.mediation_cost_eur),
        STANCE_SIGNAL[inst.stance] if inst.has_rules else 0.0,
        overrides_per_year(inst),
        inst.electoral_cycle_days,
        float(inst.posture_change_probability),
        float(inst.staff_continuity),
        inst.boundary == "open_access",
        KEY_CODES[inst.allocation_key],
        float(operator_shift),
    )
    behaviour = (
        decision_parameters(b),
        officials_parameters(b),
        interpersonal_parameters(b.trust),
        institutional_parameters(b.trust),
        satisfaction_parameters(b.satisfaction),
        belief_parameters(b),
        review_parameters(b.participation),
    )
    a, beta = CLEARNESS_BETA
    world = (
        demand_tables(),
        yield_table(e.pv),
        (a, beta, float(e.pv.weather_variability)),
        energy_parameters(e),
        float(m.daily_cv),
        routing_parameters(m),
    )
    return rules, behaviour, world


def advance(model: Simulation, days: int) -> None:
    """Simulate ``days`` more days of ``model`` (array engine), in stretches whose demand
    noise is drawn ahead; appends their rows to the model's timeseries."""
    arguments = _rules_and_world(model)  # (a fraction of a millisecond: the rules in force now)
    energy = model.scenario.energy
    s, ties, rngs, levels = model.state, model.state.ties, model.rngs, model.levels
    pairs = exchange_pairs(s, model.scenario.materials.firms.symbiosis)
    stretch = max(1, min(days, NOISE_VALUES // max(HOURS * s.n, 1)))
    done = 0
    while done < days:
        count = min(stretch, days - done)
        daily, hourly = demand_noise(rngs["demand"], energy.noise, s.n, count)
        scalars = np.array(
            [
                s.commons.battery_soc_kwh,
                s.commons.hub_reusable_kg,
                s.commons.hub_repairable_kg,
                s.commons.community_account_eur,
                model.results.attendance_rate,
            ]
        )
        rows = np.empty((count, len(COLUMNS)))
        hourly_out = np.empty((count if model.record_hourly else 0, len(HOURLY_FLOWS), HOURS))
        rung, last = simulate_days(
            model.steps,
            (energy.start_day_of_year, energy.start_weekday),
            count,
            daily,
            hourly,
            rngs["weather"],
            rngs["materials"],
            rngs["behaviour"],
            rngs["governance"],
            (
                s.kind,
                s.annual_demand_kwh,
                s.pv_kwp,
                s.pv_performance,
                s.member,
                s.share_fraction,
                s.contributed_kwh,
                s.energy_poor,
                s.waste_kg_per_day,
                s.byproduct_kg_per_day,
                s.input_kg_per_day,
                s.cc_type,
                s.belief,
                s.group_weight,
                s.trust_institutional,
                s.propensity,
                s.cooperated,
                s.offence_level,
                s.clean_days,
                s.excluded_until,
                s.attended_last,
                s.meetings_attended,
                s.meetings_eligible,
                s.satisfaction,
                s.satisfaction_short,
                s.satisfaction_long,
                s.energy_cost_eur,
                s.material_cost_eur,
                s.fees_eur,
                s.fines_eur,
                s.governance_cost_eur,
                s.net_benefit_eur,
                s.cumulative_net_benefit_eur,
            ),
            (ties.indptr, ties.indices, ties.owners, ties.trust),
            pairs,
            model.assembly,
            levels.fine_scale.size,
            (levels.fine_scale, levels.quota, levels.fee_eur_per_day, levels.chosen),
            model.polity.rung,
            scalars,
            *arguments,
            rows,
            hourly_out,
        )
        model.steps += count
        done += count
        model.polity.posture = POSTURES[rung]
        (
            s.commons.battery_soc_kwh,
            s.commons.hub_reusable_kg,
            s.commons.hub_repairable_kg,
            s.commons.community_account_eur,
            model.results.attendance_rate,
        ) = (float(v) for v in scalars)
        model.rows.append(rows)
        model.hourly.extend(hourly_out)
        _keep_last_day(model, last)


def _keep_last_day(model: Simulation, last: tuple) -> None:
    """The last simulated day's results on the model, as ``step()`` leaves them."""
    energy, materials, governance = last
    model.last_energy = energy_day(energy)
    model.last_materials = materials_day(materials, model.scenario.materials.costs.dumping_eur_per_kg)
    meeting_held, attendance, compliance, sanctions, wrongful, mediated, override, cost_eur = governance
    model.last_governance = GovernanceDay(
        bool(meeting_held),
        float(attendance),
        float(compliance),
        int(sanctions),
        int(wrongful),
        int(mediated),
        bool(override),
        float(cost_eur),
    )


@kernel
def simulate_days(
    first_step,
    start,
    days,
    daily_noise,
    hourly_noise,
    weather,
    materials_rng,
    behaviour_rng,
    governance,
    state,
    ties,
    pairs,
    assembly,
    count,
    levels,
    rung,
    scalars,
    rules,
    behaviour,
    world,
    rows,
    hourly_out,
):  # pragma: no cover - compiled
    """``days`` days from ``first_step``: the stages of :data:`STAGES` on the
    state's arrays (changed in place), one row of :data:`RECORDED` per day into ``rows``;
    returns the officials' posture (rung) and the last day's energy, materials and
    governance results."""
    (
        kind,
        annual_demand,
        pv_kwp,
        pv_performance,
        member,
        share_fraction,
        contributed,
        energy_poor,
        waste_kg,
        byproduct_kg,
        input_kg,
        cc_type,
        belief,
        group_weight,
        trust_institutional,
        propensity,
        cooperated,
        offence_level,
        clean_days,
        excluded_until,
        attended_last,
        meetings_attended,
        meetings_eligible,
        satisfaction,
        satisfaction_short,
        satisfaction_long,
        energy_cost,
        material_cost,
        fees,
        fines,
        governance_cost,
        net_benefit,
        cumulative,
    ) = state
    indptr, indices, owners, tie_trust = ties
    seller, buyer = pairs
    fine_scale, quota, fee, chosen = levels
    (
        meetings,
        every_days,
        meeting_p,
        meeting_cost_eur,
        has_quota,
        official,
        operator_cost,
        daily_fixed_cost,
        posture_voice,
        security,
        crowding,
        binding,
        sanctioned_binding,
        deterring,
        dumping_displaced,
        fee_charged,
        who,
        p_detect,
        error,
        unit_cost,
        scheme,
        ladder,
        flat_fine,
        forgiveness_days,
        exclude_after,
        sanction_cost,
        mediation,
        mediation_access,
        mediation_success,
        mediation_cost,
        stance_signal,
        override_rate,
        electoral_cycle,
        change_probability,
        continuity,
        open_access,
        key,
        operator_shift,
    ) = rules
    (decision_p, officials_p, interpersonal_p, institutional_p, satisfaction_p, belief_p, review_p) = behaviour
    tables, yields, clearness_p, energy_p, materials_cv, routing_p = world
    start_day, start_weekday = start
    n = kind.size
    monitors = who.size
    no_shift = np.zeros(0)
    legit = np.zeros(n)
    fine_of = np.empty(n)
    quota_of = np.empty(n)
    fee_of = np.empty(n)
    u_monitor = np.empty((monitors, n))
    u_mediation = np.empty((2, n))
    attendance_rate = scalars[4]
    order = np.argsort(cumulative)  # kept sorted day after day (the Gini of net benefits)
    attendance_gini = participation_gini(meetings_attended, meetings_eligible)  # changes only at meetings
    for d in range(days):
        step = first_step + d
        day_of_year = (start_day - 1 + step) % 365 + 1
        weekend = (start_weekday + step) % 7 >= 5

        # decide
        voice = posture_voice[rung] if meetings else 0.0
        legit_k = legitimacy_levels(voice, security, chosen)
        for i in range(n):
            a = assembly[i]
            legit[i] = legit_k[a]
            fine_of[i] = fine_scale[a]
            quota_of[i] = quota[a]
        u = behaviour_rng.random(n)
        (chances, choices, share, claim, sorting, hub_bring, dumping, pays_fee, bound, sanctionable) = decide_arrays(
            cc_type,
            belief,
            group_weight,
            trust_institutional,
            member,
            cooperated,
            pv_kwp,
            kind,
            offence_level,
            indptr,
            indices,
            u,
            legit,
            fine_of,
            quota_of,
            decision_p,
            crowding,
            binding,
            sanctioned_binding,
            deterring,
            who,
            p_detect,
            scheme,
            ladder,
            flat_fine,
            dumping_displaced,
            fee_charged,
        )
        propensity[:] = chances
        cooperated[:] = choices
        share_fraction[:] = share
        breach = bound & ~cooperated
        sanctionable_now = sanctionable & ~cooperated

        # exchange_energy
        demand = hourly_noise[d]
        scale_demand(demand, tables[day_of_year - 1, 1 if weekend else 0], kind, annual_demand, daily_noise[d])
        per_kwp = yields[day_of_year - 1] * clearness_draw(weather, *clearness_p)
        shift = operator_shares(member, cooperated, operator_shift) if operator_shift > 0 else no_shift
        energy = exchange_arrays(
            demand,
            pv_kwp,
            pv_performance,
            per_kwp,
            shift,
            member,
            share_fraction,
            open_access,
            key,
            energy_poor,
            contributed,
            claim,
            scalars[0],
            energy_p,
        )
        agent_import, agent_export, agent_received, agent_offered, cost, reference, hourly, e = energy
        contributed += agent_offered
        scalars[0] = e[14]
        scalars[3] += e[13]
        energy_cost[:] = cost
        if hourly_out.shape[0]:
            hourly_out[d] = hourly

        # route_materials
        materials = route_arrays(
            lognormal_noise(materials_rng, materials_cv, n),
            kind,
            waste_kg,
            byproduct_kg,
            input_kg,
            sorting,
            hub_bring,
            dumping,
            seller,
            buyer,
            scalars[1],
            scalars[2],
            routing_p,
        )
        material_cost[:] = materials[6]
        mt = materials[8]
        scalars[1] = mt[17]
        scalars[2] = mt[18]

        # enforce_rules
        for k in range(monitors):
            u_monitor[k] = governance.random(n)
        detected, wrong, _, detection_cost, official_cost, peer_cost = monitor_arrays(
            who, p_detect, error, unit_cost, u_monitor, bound, breach, member, cooperated, indptr, indices
        )
        accused = accusations(detected, wrong, sanctionable_now, sanctionable)
        for i in range(n):
            fine_of[i] = fine_scale[assembly[i]]
        fines_today, excluded = sanction_arrays(
            scheme,
            ladder,
            flat_fine,
            accused,
            fine_of,
            forgiveness_days,
            exclude_after,
            step + EXCLUSION_DAYS,
            clean_days,
            offence_level,
            member,
            excluded_until,
        )
        sanctioned = accused if scheme != NO_SANCTION else np.zeros(n, dtype=np.bool_)
        sanctions = sanctioned.sum()
        disputes = sanctioned & wrong
        settled = np.zeros(n, dtype=np.bool_)
        mediation_spent = 0.0
        if mediation and disputes.any():
            u_mediation[0] = governance.random(n)
            u_mediation[1] = governance.random(n)
            settled, brought = mediate_arrays(
                disputes,
                u_mediation,
                mediation_access,
                mediation_success,
                fines_today,
                excluded,
                offence_level,
                member,
                excluded_until,
            )
            mediation_spent = mediation_cost * brought
        unsettled = disputes & ~settled

        # collective_choice
        meeting_held = meetings and (step + 1) % every_days == 0
        meeting_spent = 0.0
        voiced = np.zeros(n, dtype=np.bool_)
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
                owners,
                indices,
                tie_trust,
                meeting_p,
                voice,
                vote_budget(scalars[3], daily_fixed_cost),
                has_quota,
                fine_scale,
                quota,
                fee,
                chosen,
                official,
            )
            meeting_spent = meeting_cost_eur * held
            attendance_gini = participation_gini(meetings_attended, meetings_eligible)
            for i in range(n):
                voiced[i] = attended[i] and valid[assembly[i]]

        # officials
        override, _, rung = act(
            governance,
            step,
            rung,
            posture_voice.size,
            member,
            trust_institutional,
            chosen,
            stance_signal,
            override_rate,
            electoral_cycle,
            change_probability,
            continuity,
            officials_p,
        )
        if override:
            reset_levels(fine_scale, quota, fee, chosen, official)
        voice = posture_voice[rung] if meetings else 0.0

        # settle_accounts
        for i in range(n):
            fee_of[i] = fee[assembly[i]]
        settle_arrays(
            pays_fee,
            fee_of,
            fines_today,
            peer_cost,
            reference,
            energy_cost,
            materials[7],
            material_cost,
            fees,
            fines,
            governance_cost,
            net_benefit,
            cumulative,
        )
        _, account_change, governance_cost_eur = community_accounts(
            operator_cost,
            meeting_spent,
            mediation_spent,
            sanction_cost * sanctions,
            detection_cost,
            official_cost,
            peer_cost,
            fees,
            fines,
        )
        scalars[3] += account_change
        compliance = compliance_rate(cooperated, bound)

        # learn
        interpersonal_arrays(tie_trust, indices, cooperated, interpersonal_p)
        satisfaction_arrays(
            satisfaction,
            satisfaction_short,
            satisfaction_long,
            net_benefit,
            member_fairness(agent_received, agent_offered, member),
            satisfaction_p,
        )
        institutional_arrays(
            trust_institutional,
            member,
            satisfaction_short,
            assembly_compliance(assembly, count, bound, cooperated),
            fines,
            unsettled,
            settled,
            voiced,
            voice * security,
            institutional_p,
        )
        update_beliefs_arrays(belief, cooperated, indptr, indices, tie_trust, cooperated.mean() if n else 0.0, belief_p)

        # review_membership
        review_arrays(
            behaviour_rng.random(n),
            review_p,
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
        ) = state_indicators(member, satisfaction, tie_trust, trust_institutional, cooperated, belief, fines)
        wrongful = unsettled.sum()
        # the day's row, in the order of RECORDED (all as floats)
        recorded = (
            float(step),
            float(day_of_year),
            members_share,
            attendance_rate,
            compliance,
            trust_interpersonal,
            trust_mean,
            satisfaction_mean,
            self_sufficiency(e[1], e[8]),
            self_consumption(e[0], e[9]),
            mt[15],
            mt[7],
            mt[8],
            float(sanctions),
            governance_cost_eur,
            gini_of_sorted(sorted_along(order, cumulative)),
            e[12],
            mt[10],
            cooperation,
            expected_cooperation,
            member_trust,
            attendance_gini,
            float(wrongful),
            fines_paid,
            e[0],
            e[1],
            e[2],
            e[3],
            e[5],
            e[8],
            e[9],
            scalars[0],
            mt[0],
            mt[3],
            mt[4],
            mt[5],
            mt[6],
            mt[11],
            scalars[1] + scalars[2],
            scalars[3],
        )
        for k in range(len(recorded)):
            rows[d, k] = recorded[k]
        if d == days - 1:
            scalars[4] = attendance_rate
            governance_day = (
                meeting_held,
                attendance_rate,
                compliance,
                sanctions,
                wrongful,
                settled.sum(),
                override,
                governance_cost_eur,
            )
            return rung, (energy, materials, governance_day)
    raise ValueError("simulate_days needs at least one day")
