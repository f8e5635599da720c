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

from typing import NamedTuple

import numpy as np

from commons_abm.behaviour.decisions import (
    BeliefParameters,
    DecisionParameters,
    belief_parameters,
    decide_arrays,
    decision_parameters,
    legitimacy_levels,
    update_beliefs_arrays,
)
from commons_abm.behaviour.membership import ReviewParameters, review_arrays, review_parameters
from commons_abm.behaviour.satisfaction import (
    SatisfactionParameters,
    member_fairness,
    satisfaction_arrays,
    satisfaction_parameters,
)
from commons_abm.behaviour.trust import (
    InstitutionalParameters,
    InterpersonalParameters,
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
from commons_abm.energy.exchange import (
    HOURLY_FLOWS,
    EnergyFlows,
    EnergyParameters,
    energy_day,
    energy_parameters,
    exchange_arrays,
    operator_shares,
)
from commons_abm.engines.day import STAGE_NAMES, Simulation
from commons_abm.governance.accounts import community_accounts, daily_fixed_cost, settle_arrays
from commons_abm.governance.collective_choice import (
    MeetingParameters,
    OfficialLevels,
    initial_levels,
    meet,
    meeting_parameters,
    reset_levels,
    vote_budget,
)
from commons_abm.governance.mediation import mediate_arrays
from commons_abm.governance.monitoring import monitor_arrays
from commons_abm.governance.officials import (
    STANCE_SIGNAL,
    OfficialsParameters,
    act,
    officials_parameters,
    overrides_per_year,
)
from commons_abm.governance.rulebook import (
    NO_SANCTION,
    POSTURE_VOICE,
    POSTURES,
    Binding,
    MonitorTable,
    SanctionTable,
)
from commons_abm.governance.sanctions import EXCLUSION_DAYS, accusations, sanction_arrays
from commons_abm.materials.routing import (
    MaterialRoutes,
    RoutingParameters,
    exchange_pairs,
    materials_day,
    route_arrays,
    routing_parameters,
)
from commons_abm.territory.build import lognormal_noise
from commons_abm.territory.demand import demand_noise, demand_tables, scale_demand
from commons_abm.territory.solar import CLEARNESS_BETA, clearness_draw, yield_table

__all__ = ["RECORDED", "STAGES", "DayRow", "LastDay", "RunBehaviour", "RunRules", "RunState", "RunWorld", "advance"]

# The stages the loop below runs, in order: each is marked by a comment of its name there
# (tests/test_day.py checks both against the declared day).
STAGES = STAGE_NAMES


class DayRow(NamedTuple):
    """One day's row of the timeseries as the compiled loop writes it: the columns of
    :data:`~commons_abm.core.indicators.COLUMNS` (units and definitions there), in order,
    all as floats."""

    step: float
    day_of_year: float
    members_share: float
    attendance_rate: float
    compliance_rate: float
    trust_interpersonal: float
    trust_institutional: float
    satisfaction: float
    energy_self_sufficiency: float
    energy_self_consumption: float
    material_circularity: float
    landfill_kg: float
    dumping_kg: float
    sanctions: float
    governance_cost: float
    gini_net_benefit: float
    energy_balance_residual_kwh: float
    material_balance_residual_kg: float
    cooperation_rate: float
    expected_cooperation: float
    member_trust_institutional: float
    participation_gini: float
    wrongful_sanctions: float
    fines_eur: float
    production_kwh: float
    consumption_kwh: float
    self_consumed_kwh: float
    pool_kwh: float
    battery_discharge_kwh: float
    import_kwh: float
    export_kwh: float
    battery_soc_kwh: float
    material_inputs_kg: float
    reuse_kg: float
    repair_kg: float
    recycling_kg: float
    recovery_kg: float
    symbiosis_kg: float
    hub_stock_kg: float
    community_account_eur: float


# The order in which the compiled loop writes a day's row: the timeseries' columns.
RECORDED = DayRow._fields
assert RECORDED == tuple(COLUMNS), "the compiled loop's row must follow indicators.COLUMNS"

# Values of hourly demand noise drawn ahead at most (days x 24 x agents), to bound memory.
NOISE_VALUES = 2_000_000

# The territory's scalars the loop carries from day to day, in the array ``scalars``
# (changed in place, read back by :func:`advance`): these positions.
BATTERY_SOC_KWH, HUB_REUSABLE_KG, HUB_REPAIRABLE_KG, COMMUNITY_ACCOUNT_EUR, ATTENDANCE_RATE = range(5)


class RunRules(NamedTuple):
    """The rules in force as the compiled loop takes them (:func:`_rules_and_world`): the
    rulebook's numbers, the rule levels officials set and the officials' ladder."""

    meetings: bool  # members meet (principle 3)
    meeting_every_days: int  # days between meetings [days]
    meeting: MeetingParameters  # attendance, talk and quorum
    meeting_cost_eur: float  # cost of one assembly's meeting [EUR]
    has_quota: bool  # members vote a sharing quota
    official: OfficialLevels  # the levels officials set (before a vote, after an override)
    operator_cost_eur_per_day: float  # the community operator [EUR/day]
    daily_fixed_cost_eur: float  # operator and meetings, per day, for the fee vote [EUR/day]
    posture_voice: np.ndarray  # members' voice at each rung of the officials' ladder [0-1]
    rule_security: float  # chance that a rule members choose stands a year [0-1]
    crowding: bool  # controlling officials monitor: intrinsic cooperation is crowded out
    binding: Binding  # whom the rules bind
    sanctioned_binding: Binding  # whom the rules backed by a sanction bind
    deterring: bool  # some rule is backed by a sanction that deters
    dumping_displaced: bool  # officials monitor a dumping ban: defectors' dumping is displaced
    fee_charged: bool  # members owe a fee
    monitors: MonitorTable  # who monitors, how well, at what cost
    sanctions: SanctionTable  # the sanction scheme and its fines
    forgiveness_days: int  # clean days after which an offender's rung drops [days]
    exclude_after: int  # offences before exclusion (0: never)
    sanction_cost_eur: float  # cost of imposing one sanction [EUR]
    mediation: bool  # wrongful sanctions may be mediated (principle 6)
    mediation_access: float  # chance that a wrongly sanctioned agent brings the case [0-1]
    mediation_success: float  # chance that mediation settles a case [0-1]
    mediation_cost_eur: float  # cost of one mediation [EUR]
    stance_signal: float  # officials' daily institutional signal to members [-]
    overrides_per_year: float  # expected overrides of members' rules [1/year]
    electoral_cycle_days: int  # days between elections [days]
    posture_change_probability: float  # chance that the posture moves at an election [0-1]
    staff_continuity: float  # share of institutional trust kept over an election [0-1]
    open_access: bool  # everyone may draw from the pool (no boundary)
    allocation_key: int  # code of the allocation key (:data:`~commons_abm.energy.allocation_keys.KEY_CODES`)
    operator_shift_share: float  # share of cooperating members' demand the operator shifts into PV hours [0-1]


class RunBehaviour(NamedTuple):
    """The behaviour rules' parameters as the compiled loop takes them."""

    decision: DecisionParameters
    officials: OfficialsParameters
    interpersonal: InterpersonalParameters
    institutional: InstitutionalParameters
    satisfaction: SatisfactionParameters
    belief: BeliefParameters
    review: ReviewParameters


class RunWorld(NamedTuple):
    """The world as the compiled loop takes it: calendar, demand and PV tables, weather,
    the energy exchange's battery and tariffs, materials."""

    start_day_of_year: int  # calendar day of step 0 [1-365]
    start_weekday: int  # weekday of step 0 [0 = Monday]
    demand_tables: np.ndarray  # (365, 2, 24, kinds): expected kWh per hour per kWh/day of mean demand
    pv_yield_kwh_per_kwp: np.ndarray  # (365, 24): clear-sky-average output of 1 kWp [kWh/kWp]
    clearness_a: float  # first parameter of the daily clearness draw (beta distribution) [-]
    clearness_beta: float  # second parameter of the daily clearness draw [-]
    weather_variability: float  # day-to-day variability of cloudiness [0-1]
    energy: EnergyParameters  # battery and tariffs
    materials_daily_cv: float  # day-to-day variation of waste and by-products [-]
    routing: RoutingParameters  # materials' shares, prices and the hub


class RunState(NamedTuple):
    """The state's arrays as the compiled loop takes them (changed in place): per agent
    (names and units as on :class:`~commons_abm.core.state.State`), per tie and per
    assembly."""

    kind: np.ndarray
    annual_demand_kwh: np.ndarray
    pv_kwp: np.ndarray
    pv_performance: np.ndarray
    member: np.ndarray
    share_fraction: np.ndarray
    contributed_kwh: np.ndarray
    energy_poor: np.ndarray
    waste_kg_per_day: np.ndarray
    byproduct_kg_per_day: np.ndarray
    input_kg_per_day: np.ndarray
    cc_type: np.ndarray
    belief: np.ndarray
    group_weight: np.ndarray
    trust_institutional: np.ndarray
    propensity: np.ndarray
    cooperated: np.ndarray
    offence_level: np.ndarray
    clean_days: np.ndarray
    excluded_until: np.ndarray
    attended_last: np.ndarray
    meetings_attended: np.ndarray
    meetings_eligible: np.ndarray
    satisfaction: np.ndarray
    satisfaction_short: np.ndarray
    satisfaction_long: np.ndarray
    energy_cost_eur: np.ndarray
    material_cost_eur: np.ndarray
    fees_eur: np.ndarray
    fines_eur: np.ndarray
    governance_cost_eur: np.ndarray
    net_benefit_eur: np.ndarray
    cumulative_net_benefit_eur: np.ndarray
    tie_indptr: np.ndarray  # ties: each agent's first tie (CSR)
    tie_indices: np.ndarray  # ties: the neighbour at the other end
    tie_owners: np.ndarray  # ties: the agent who holds the tie
    tie_trust: np.ndarray  # ties: interpersonal trust [0-1]
    fine_scale: np.ndarray  # per assembly: x the rulebook's fines [-]
    quota: np.ndarray  # per assembly: share of surplus members must offer [0-1]
    fee_eur_per_day: np.ndarray  # per assembly: membership fee [EUR/day]
    chosen: np.ndarray  # per assembly: levels last set by members' vote


class LastDay(NamedTuple):
    """The last simulated day's results, as :func:`simulate_days` returns them."""

    energy: EnergyFlows
    materials: MaterialRoutes
    meeting_held: bool
    attendance_rate: float  # at the latest meeting (carried forward) [0-1]
    compliance_rate: float  # [0-1]
    sanctions: int
    wrongful_sanctions: int
    mediated: int
    override: bool
    governance_cost_eur: float


def _rules_and_world(model: Simulation) -> tuple[RunRules, RunBehaviour, RunWorld]:
    """The model's rules, behaviour parameters and world (calendar tables, weather,
    tariffs, materials) as the compiled loop takes them."""
    sc, inst, b = model.scenario, model.institutions, model.scenario.behaviour
    e, m = sc.energy, sc.materials
    operator_shift = inst.load_shift_share if inst.operator and inst.load_shift_share > 0 else 0.0
    rules = RunRules(
        meetings=inst.meetings,
        meeting_every_days=inst.meeting_every_days,
        meeting=meeting_parameters(b, inst),
        meeting_cost_eur=float(inst.meeting_cost_eur),
        has_quota=inst.min_share is not None,
        official=initial_levels(inst),
        operator_cost_eur_per_day=float(inst.operator_cost_eur_per_day),
        daily_fixed_cost_eur=float(daily_fixed_cost(inst, model.levels.fine_scale.size)),
        posture_voice=np.array([POSTURE_VOICE[posture] for posture in POSTURES]),
        rule_security=float(model.rule_security),
        crowding=inst.official_monitoring and inst.stance == "controller",
        binding=inst.binding(),
        sanctioned_binding=inst.binding(True),
        deterring=bool(inst.sanctioned) and inst.sanction_scheme != "none",
        dumping_displaced=inst.official_monitoring and inst.dumping_forbidden,
        fee_charged=inst.fee_eur_per_day > 0,
        monitors=inst.monitor_table,
        sanctions=inst.sanction_table,
        forgiveness_days=inst.forgiveness_days,
        exclude_after=inst.exclude_after,
        sanction_cost_eur=float(inst.sanction_cost_eur),
        mediation=inst.mediation,
        mediation_access=float(inst.mediation_access),
        mediation_success=float(inst.mediation_success),
        mediation_cost_eur=float(inst.mediation_cost_eur),
        stance_signal=STANCE_SIGNAL[inst.stance] if inst.has_rules else 0.0,
        overrides_per_year=overrides_per_year(inst),
        electoral_cycle_days=inst.electoral_cycle_days,
        posture_change_probability=float(inst.posture_change_probability),
        staff_continuity=float(inst.staff_continuity),
        open_access=inst.boundary == "open_access",
        allocation_key=KEY_CODES[inst.allocation_key],
        operator_shift_share=float(operator_shift),
    )
    behaviour = RunBehaviour(
        decision=decision_parameters(b),
        officials=officials_parameters(b),
        interpersonal=interpersonal_parameters(b.trust),
        institutional=institutional_parameters(b.trust),
        satisfaction=satisfaction_parameters(b.satisfaction),
        belief=belief_parameters(b),
        review=review_parameters(b.participation),
    )
    a, beta = CLEARNESS_BETA
    world = RunWorld(
        start_day_of_year=e.start_day_of_year,
        start_weekday=e.start_weekday,
        demand_tables=demand_tables(),
        pv_yield_kwh_per_kwp=yield_table(e.pv),
        clearness_a=a,
        clearness_beta=beta,
        weather_variability=float(e.pv.weather_variability),
        energy=energy_parameters(e),
        materials_daily_cv=float(m.daily_cv),
        routing=routing_parameters(m),
    )
    return rules, behaviour, world


def _run_state(model: Simulation) -> RunState:
    """The model's state arrays, ties and rule levels as the compiled loop takes them."""
    s, ties, levels = model.state, model.state.ties, model.levels
    return RunState(
        kind=s.kind,
        annual_demand_kwh=s.annual_demand_kwh,
        pv_kwp=s.pv_kwp,
        pv_performance=s.pv_performance,
        member=s.member,
        share_fraction=s.share_fraction,
        contributed_kwh=s.contributed_kwh,
        energy_poor=s.energy_poor,
        waste_kg_per_day=s.waste_kg_per_day,
        byproduct_kg_per_day=s.byproduct_kg_per_day,
        input_kg_per_day=s.input_kg_per_day,
        cc_type=s.cc_type,
        belief=s.belief,
        group_weight=s.group_weight,
        trust_institutional=s.trust_institutional,
        propensity=s.propensity,
        cooperated=s.cooperated,
        offence_level=s.offence_level,
        clean_days=s.clean_days,
        excluded_until=s.excluded_until,
        attended_last=s.attended_last,
        meetings_attended=s.meetings_attended,
        meetings_eligible=s.meetings_eligible,
        satisfaction=s.satisfaction,
        satisfaction_short=s.satisfaction_short,
        satisfaction_long=s.satisfaction_long,
        energy_cost_eur=s.energy_cost_eur,
        material_cost_eur=s.material_cost_eur,
        fees_eur=s.fees_eur,
        fines_eur=s.fines_eur,
        governance_cost_eur=s.governance_cost_eur,
        net_benefit_eur=s.net_benefit_eur,
        cumulative_net_benefit_eur=s.cumulative_net_benefit_eur,
        tie_indptr=ties.indptr,
        tie_indices=ties.indices,
        tie_owners=ties.owners,
        tie_trust=ties.trust,
        fine_scale=levels.fine_scale,
        quota=levels.quota,
        fee_eur_per_day=levels.fee_eur_per_day,
        chosen=levels.chosen,
    )


def advance(model: Simulation, days: int) -> None:
    """Simulate ``days`` more days of ``model`` (array engine), in stretches whose demand
    noise is drawn ahead; appends their rows to the model's timeseries."""
    rules, behaviour, world = _rules_and_world(model)  # (a fraction of a millisecond: the rules in force now)
    energy = model.scenario.energy
    s, rngs = model.state, model.rngs
    seller, buyer = exchange_pairs(s, model.scenario.materials.firms.symbiosis)
    stretch = max(1, min(days, NOISE_VALUES // max(HOURS * s.n, 1)))
    done = 0
    while done < days:
        count = min(stretch, days - done)
        daily, hourly = demand_noise(rngs["demand"], energy.noise, s.n, count)
        scalars = np.empty(5)  # positions: BATTERY_SOC_KWH ... ATTENDANCE_RATE
        scalars[BATTERY_SOC_KWH] = s.commons.battery_soc_kwh
        scalars[HUB_REUSABLE_KG] = s.commons.hub_reusable_kg
        scalars[HUB_REPAIRABLE_KG] = s.commons.hub_repairable_kg
        scalars[COMMUNITY_ACCOUNT_EUR] = s.commons.community_account_eur
        scalars[ATTENDANCE_RATE] = model.results.attendance_rate
        rows = np.empty((count, len(COLUMNS)))
        hourly_out = np.empty((count if model.record_hourly else 0, len(HOURLY_FLOWS), HOURS))
        rung, last = simulate_days(
            model.steps,
            count,
            daily,
            hourly,
            rngs["weather"],
            rngs["materials"],
            rngs["behaviour"],
            rngs["governance"],
            _run_state(model),
            seller,
            buyer,
            model.assembly,
            model.levels.fine_scale.size,
            model.polity.rung,
            scalars,
            rules,
            behaviour,
            world,
            rows,
            hourly_out,
        )
        model.steps += count
        done += count
        model.polity.posture = POSTURES[rung]
        s.commons.battery_soc_kwh = float(scalars[BATTERY_SOC_KWH])
        s.commons.hub_reusable_kg = float(scalars[HUB_REUSABLE_KG])
        s.commons.hub_repairable_kg = float(scalars[HUB_REPAIRABLE_KG])
        s.commons.community_account_eur = float(scalars[COMMUNITY_ACCOUNT_EUR])
        model.results.attendance_rate = float(scalars[ATTENDANCE_RATE])
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
    seller,
    buyer,
    assembly,
    count,
    rung,
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
    scalars (positions :data:`BATTERY_SOC_KWH` ...); returns the officials' posture (rung)
    and the last day's results (:class:`LastDay`)."""
    # the state's arrays, by name
    kind = state.kind
    pv_kwp = state.pv_kwp
    pv_performance = state.pv_performance
    member = state.member
    share_fraction = state.share_fraction
    contributed = state.contributed_kwh
    energy_poor = state.energy_poor
    cc_type = state.cc_type
    belief = state.belief
    group_weight = state.group_weight
    trust_institutional = state.trust_institutional
    propensity = state.propensity
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
    quota = state.quota
    fee = state.fee_eur_per_day
    chosen = state.chosen
    monitors, sanctions_table = rules.monitors, rules.sanctions
    posture_voice = rules.posture_voice
    n = kind.size
    no_shift = np.zeros(0)
    legit = np.zeros(n)
    fine_of = np.empty(n)
    quota_of = np.empty(n)
    fee_of = np.empty(n)
    u_monitor = np.empty((monitors.who.size, n))
    u_mediation = np.empty((2, n))
    attendance_rate = scalars[ATTENDANCE_RATE]
    order = np.argsort(cumulative)  # kept sorted day after day (the Gini of net benefits)
    attendance_gini = participation_gini(meetings_attended, meetings_eligible)  # changes only at meetings
    for d in range(days):
        step = first_step + d
        day_of_year = (world.start_day_of_year - 1 + step) % 365 + 1
        weekend = (world.start_weekday + step) % 7 >= 5

        # decide
        voice = posture_voice[rung] if rules.meetings else 0.0
        legit_k = legitimacy_levels(voice, rules.rule_security, chosen)
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
            behaviour.decision,
            rules.crowding,
            rules.binding,
            rules.sanctioned_binding,
            rules.deterring,
            monitors.who,
            monitors.detection_probability,
            sanctions_table.scheme,
            sanctions_table.ladder_eur,
            sanctions_table.flat_fine_eur,
            rules.dumping_displaced,
            rules.fee_charged,
        )
        propensity[:] = chances
        cooperated[:] = choices
        share_fraction[:] = share
        breach = bound & ~cooperated
        sanctionable_now = sanctionable & ~cooperated

        # exchange_energy
        demand = hourly_noise[d]
        scale_demand(
            demand,
            world.demand_tables[day_of_year - 1, 1 if weekend else 0],
            kind,
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
            share_fraction,
            rules.open_access,
            rules.allocation_key,
            energy_poor,
            contributed,
            claim,
            scalars[BATTERY_SOC_KWH],
            world.energy,
        )
        e = energy.totals
        contributed += energy.agent_offered_kwh
        scalars[BATTERY_SOC_KWH] = e.battery_soc_end_kwh
        scalars[COMMUNITY_ACCOUNT_EUR] += e.community_account_change_eur
        energy_cost[:] = energy.agent_cost_eur
        if hourly_out.shape[0]:
            hourly_out[d] = energy.hourly_kwh

        # route_materials
        materials = route_arrays(
            lognormal_noise(materials_rng, world.materials_daily_cv, n),
            kind,
            state.waste_kg_per_day,
            state.byproduct_kg_per_day,
            state.input_kg_per_day,
            sorting,
            hub_bring,
            dumping,
            seller,
            buyer,
            scalars[HUB_REUSABLE_KG],
            scalars[HUB_REPAIRABLE_KG],
            world.routing,
        )
        material_cost[:] = materials.cost_eur
        mt = materials.totals
        scalars[HUB_REUSABLE_KG] = mt.hub_reusable_end_kg
        scalars[HUB_REPAIRABLE_KG] = mt.hub_repairable_end_kg

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
                rules.mediation_access,
                rules.mediation_success,
                fines_today,
                excluded,
                offence_level,
                member,
                excluded_until,
            )
            mediation_spent = rules.mediation_cost_eur * brought
        unsettled = disputes & ~settled

        # collective_choice
        meeting_held = rules.meetings and (step + 1) % rules.meeting_every_days == 0
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
                state.tie_owners,
                indices,
                tie_trust,
                rules.meeting,
                voice,
                vote_budget(scalars[COMMUNITY_ACCOUNT_EUR], rules.daily_fixed_cost_eur),
                rules.has_quota,
                fine_scale,
                quota,
                fee,
                chosen,
                rules.official,
            )
            meeting_spent = rules.meeting_cost_eur * held
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
            rules.stance_signal,
            rules.overrides_per_year,
            rules.electoral_cycle_days,
            rules.posture_change_probability,
            rules.staff_continuity,
            behaviour.officials,
        )
        if override:
            reset_levels(fine_scale, quota, fee, chosen, rules.official)
        voice = posture_voice[rung] if rules.meetings else 0.0

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
        _, account_change, governance_cost_eur = community_accounts(
            rules.operator_cost_eur_per_day,
            meeting_spent,
            mediation_spent,
            rules.sanction_cost_eur * sanctions,
            detection_cost,
            official_cost,
            peer_cost,
            fees,
            fines,
        )
        scalars[COMMUNITY_ACCOUNT_EUR] += account_change
        compliance = compliance_rate(cooperated, bound)

        # learn
        interpersonal_arrays(tie_trust, indices, cooperated, behaviour.interpersonal)
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
            assembly_compliance(assembly, count, bound, cooperated),
            fines,
            unsettled,
            settled,
            voiced,
            voice * rules.rule_security,
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
            energy_self_sufficiency=self_sufficiency(e.consumption_kwh, e.import_kwh),
            energy_self_consumption=self_consumption(e.production_kwh, e.export_kwh),
            material_circularity=mt.circularity,
            landfill_kg=mt.landfill_kg,
            dumping_kg=mt.dumping_kg,
            sanctions=float(sanctions),
            governance_cost=governance_cost_eur,
            gini_net_benefit=gini_of_sorted(sorted_along(order, cumulative)),
            energy_balance_residual_kwh=e.residual_kwh,
            material_balance_residual_kg=mt.residual_kg,
            cooperation_rate=cooperation,
            expected_cooperation=expected_cooperation,
            member_trust_institutional=member_trust,
            participation_gini=attendance_gini,
            wrongful_sanctions=float(wrongful),
            fines_eur=fines_paid,
            production_kwh=e.production_kwh,
            consumption_kwh=e.consumption_kwh,
            self_consumed_kwh=e.self_consumed_kwh,
            pool_kwh=e.pool_direct_kwh,
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
            return rung, last
    raise ValueError("simulate_days needs at least one day")
