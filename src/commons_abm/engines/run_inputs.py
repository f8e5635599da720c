"""What the compiled loop takes and gives: its named records, and the builders that read
them off a run (:class:`~commons_abm.engines.day.Simulation`).

:func:`rules_and_world` gathers the rules in force, the behaviour's parameters and the
world (calendar tables, weather, tariffs, materials) from the mechanisms' own parameter
functions; :func:`run_state` gathers the state's arrays; :class:`DayRow` is one day's row
of the timeseries in the order of :data:`~commons_abm.core.indicators.COLUMNS`, and
:class:`LastDay` what the loop hands back of the last day it ran.

Over 400 lines: the records the compiled loop takes are one interface, read together with
the builders that fill them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from commons_abm.behaviour.beliefs import BeliefParameters, belief_parameters
from commons_abm.behaviour.decisions import (
    DecisionParameters,
    TemptationParameters,
    decision_parameters,
    temptation_parameters,
)
from commons_abm.behaviour.membership import ReviewParameters, review_parameters
from commons_abm.behaviour.satisfaction import (
    SatisfactionParameters,
    satisfaction_parameters,
)
from commons_abm.behaviour.trust import (
    InstitutionalParameters,
    InterpersonalParameters,
    institutional_parameters,
    interpersonal_parameters,
)
from commons_abm.behaviour.waste_choices import ChoiceParameters, WasteCharge, choice_parameters, waste_charge
from commons_abm.core.indicators import (
    COLUMNS,
)
from commons_abm.core.state import AFFECTIVE, GEOGRAPHIC, INSTITUTIONAL
from commons_abm.energy.allocation_keys import KEY_CODES
from commons_abm.energy.exchange import (
    EnergyFlows,
    EnergyParameters,
    energy_parameters,
)
from commons_abm.engines.day import Simulation
from commons_abm.governance.accounts import meetings_cost_per_day
from commons_abm.governance.collective_choice import (
    MeetingParameters,
    OfficialLevels,
    initial_levels,
    meeting_parameters,
)
from commons_abm.governance.institutions import Binding, MonitorTable, SanctionTable
from commons_abm.governance.mediation import MediationParameters, mediation_parameters
from commons_abm.governance.officials import OfficialsParameters, officials_parameters
from commons_abm.materials.byproduct_matches import MatchParameters, match_parameters, matches_of
from commons_abm.materials.hub_organisation import HubOrganisation, organisation_parameters
from commons_abm.materials.routing import (
    MaterialRoutes,
    RoutingParameters,
    routing_parameters,
)
from commons_abm.territory.demand import demand_tables
from commons_abm.territory.solar import CLEARNESS_BETA, yield_table

__all__ = [
    "ATTENDANCE_RATE",
    "BATTERY_SOC_KWH",
    "COMMUNITY_ACCOUNT_EUR",
    "DayRow",
    "HUB_ACCOUNT_EUR",
    "HUB_OPEN_HOURS",
    "HUB_STAFF_HOURS",
    "HUB_VOLUNTEER_HOURS",
    "HUB_REPAIRABLE_KG",
    "HUB_REUSABLE_KG",
    "LastDay",
    "NOISE_VALUES",
    "RECORDED",
    "RunBehaviour",
    "RunRules",
    "RunState",
    "RunWorld",
    "rules_and_world",
    "run_state",
]


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
    community_self_sufficiency: float
    community_self_consumption: float
    material_circularity: float
    household_waste_recovery_rate: float
    byproduct_exchange_rate: float
    landfill_kg: float
    dumping_kg: float
    displaced_waste_kg: float
    composting_kg: float
    sorted_kg: float
    byproduct_matches: float
    hub_volunteers: float
    hub_volunteer_hours: float
    hub_staff_hours: float
    hub_open_hours: float
    hub_account_eur: float
    sanctions: float
    governance_cost: float
    gini_net_benefit: float
    energy_balance_residual_kwh: float
    material_balance_residual_kg: float
    cooperation_rate: float
    expected_cooperation: float
    member_trust_institutional: float
    non_member_trust_institutional: float
    participation_gini: float
    wrongful_sanctions: float
    fines_eur: float
    production_kwh: float
    consumption_kwh: float
    self_consumed_kwh: float
    pool_kwh: float
    battery_charge_kwh: float
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
    bill_saving_eur_per_participant: float


# The order in which the compiled loop writes a day's row: the timeseries' columns.
RECORDED = DayRow._fields
assert RECORDED == tuple(COLUMNS), "the compiled loop's row must follow indicators.COLUMNS"

# Values of hourly demand noise drawn ahead at most (days x 24 x agents), to bound memory.
NOISE_VALUES = 2_000_000

# The territory's scalars the loop carries from day to day, in the array ``scalars``
# (changed in place, read back by :func:`advance`): these positions.
(
    BATTERY_SOC_KWH,
    HUB_REUSABLE_KG,
    HUB_REPAIRABLE_KG,
    COMMUNITY_ACCOUNT_EUR,
    ATTENDANCE_RATE,
    HUB_ACCOUNT_EUR,
    HUB_VOLUNTEER_HOURS,
    HUB_STAFF_HOURS,
    HUB_OPEN_HOURS,
) = range(9)


class RunRules(NamedTuple):
    """The rules in force as the compiled loop takes them (:func:`rules_and_world`): the
    rulebook's numbers, the rule levels officials set and the officials' ladder."""

    meetings: bool  # members meet (principle 3)
    meeting_every_days: int  # days between meetings [days]
    meeting: MeetingParameters  # attendance, talk and quorum
    meeting_cost_eur: float  # cost of one assembly's meeting [EUR]
    official: OfficialLevels  # the levels officials set (before a vote, after an override)
    operator_cost_eur_per_day: float  # the community operator [EUR/day]
    meetings_cost_eur: float  # the community's meetings, per day, for the fee vote [EUR/day]
    posture_voice: np.ndarray  # members' voice at each rung of the officials' ladder [0-1]
    rule_security: np.ndarray  # per stance: chance that a rule members choose stands a year [0-1]
    crowding: bool  # officials monitor or sanction: intrinsic cooperation is crowded out where rules lack legitimacy
    binding: Binding  # whom the rules bind
    sanctioned_binding: Binding  # whom the rules backed by a sanction bind
    deterring: bool  # some rule is backed by a sanction that deters
    waste_charge: WasteCharge  # how households pay for their waste
    fee_charged: bool  # members owe a fee
    monitors: MonitorTable  # who monitors, how well, at what cost
    sanctions: SanctionTable  # the sanction scheme and its fines
    forgiveness_days: int  # clean days after which an offender's rung drops [days]
    exclude_after: int  # offences before exclusion (0: never)
    sanction_cost_eur: float  # cost of imposing one sanction [EUR]
    commune_sanctions: bool  # officials sanction: fines go to the commune, which pays the cost
    mediation: bool  # wrongful sanctions may be mediated (principle 6)
    mediator: MediationParameters  # access, success, cost of a case and who mediates
    overrides_per_year: np.ndarray  # per stance: expected overrides of members' rules [1/year]
    meeting_attendance: np.ndarray  # per stance: chance that officials come to a meeting [0-1]
    hub_funding: np.ndarray  # per stance: share of the hub's subsidy the commune pays [0-1]
    facilitator_funding: np.ndarray  # per stance: share of the facilitator's cost the commune pays [0-1]
    first_election_day: int  # step of the first election [day]
    electoral_cycle_days: int  # days between elections [days]
    posture_change_probability: float  # chance that the posture moves at an election [0-1]
    staff_continuity: float  # chance that the stance stays over an election that moves the posture [0-1]
    open_access: bool  # everyone may draw from the pool (no boundary)
    allocation_key: int  # code of the allocation key (:data:`~commons_abm.energy.allocation_keys.KEY_CODES`)
    operator_shift_share: float  # share of cooperating members' demand the operator shifts into PV hours [0-1]


class RunBehaviour(NamedTuple):
    """The behaviour rules' parameters as the compiled loop takes them."""

    decision: DecisionParameters
    temptation: TemptationParameters
    choice: ChoiceParameters  # households' waste efforts and values
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
    demand_tables: np.ndarray  # (365, 2, 24, profiles): expected kWh per hour per kWh/day of mean demand
    pv_yield_kwh_per_kwp: np.ndarray  # (365, 24): clear-sky-average output of 1 kWp [kWh/kWp]
    clearness_a: float  # first parameter of the daily clearness draw (beta distribution) [-]
    clearness_beta: float  # second parameter of the daily clearness draw [-]
    weather_variability: float  # day-to-day variability of cloudiness [0-1]
    energy: EnergyParameters  # battery and tariffs
    materials_daily_cv: float  # day-to-day variation of waste and by-products [-]
    routing: RoutingParameters  # materials' shares, prices and the hub
    matching: MatchParameters  # how firms' by-product matches form, deliver and break
    organisation: HubOrganisation  # the hub's people and money


class RunState(NamedTuple):
    """The state's arrays as the compiled loop takes them (changed in place): per agent
    (names and units as on :class:`~commons_abm.core.state.State`), per tie and per
    assembly."""

    kind: np.ndarray
    load_profile: np.ndarray  # per agent: its column of the demand tables
    annual_demand_kwh: np.ndarray
    pv_kwp: np.ndarray
    pv_performance: np.ndarray
    member: np.ndarray
    battery_received_kwh: np.ndarray
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
    goodwill_share: np.ndarray
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
    bill_total_eur: np.ndarray  # money since day 0 (governance.accounts.tally_arrays) [EUR]
    alone_total_eur: np.ndarray
    fees_total_eur: np.ndarray
    fines_total_eur: np.ndarray
    tie_indptr: np.ndarray  # ties: each agent's first tie (CSR)
    tie_indices: np.ndarray  # ties: the neighbour at the other end
    tie_owners: np.ndarray  # ties: the agent who holds the tie
    tie_trust: np.ndarray  # ties: interpersonal trust [0-1]
    tie_affective: np.ndarray  # ties: the tie is affective (friends, kin)
    tie_geographic: np.ndarray  # ties: both ends live in the same neighbourhood
    linked_to_officials: np.ndarray  # per agent: one of its ties is institutional
    fine_scale: np.ndarray  # per assembly: x the rulebook's fines [-]
    fee_eur_per_day: np.ndarray  # per assembly: membership fee [EUR/day]
    chosen: np.ndarray  # per assembly: levels last set by members' vote
    match_seller: np.ndarray  # per candidate by-product match: the seller
    match_buyer: np.ndarray  # ... the buyer
    match_tied: np.ndarray  # ... whether the two firms are tied
    match_active: np.ndarray  # ... whether the match is in force
    match_trust: np.ndarray  # ... the two firms' trust in it [0-1]
    volunteer: np.ndarray  # per agent: volunteers at the hub
    volunteer_stamina: np.ndarray  # per agent: its stamina [0-1]


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


def rules_and_world(model: Simulation) -> tuple[RunRules, RunBehaviour, RunWorld]:
    """The model's rules, behaviour parameters and world (calendar tables, weather,
    tariffs, materials) as the compiled loop takes them."""
    sc, inst, b, acts = model.scenario, model.institutions, model.scenario.behaviour, model.acts
    e, m = sc.energy, sc.materials
    operator_shift = inst.load_shift_share if inst.operator and inst.load_shift_share > 0 else 0.0
    rules = RunRules(
        meetings=inst.meetings,
        meeting_every_days=inst.meeting_every_days,
        meeting=meeting_parameters(b, inst),
        meeting_cost_eur=float(inst.meeting_cost_eur),
        official=initial_levels(inst),
        operator_cost_eur_per_day=float(inst.operator_cost_eur_per_day),
        meetings_cost_eur=float(meetings_cost_per_day(inst, model.levels.fine_scale.size)),
        posture_voice=acts.voice,
        rule_security=np.exp(-acts.overrides_per_year),
        crowding=inst.external_control,
        binding=inst.binding(),
        sanctioned_binding=inst.binding(True),
        deterring=bool(inst.sanctioned) and inst.sanction_scheme != "none",
        waste_charge=waste_charge(inst),
        fee_charged=inst.fee_charged,
        monitors=inst.monitor_table,
        sanctions=inst.sanction_table,
        forgiveness_days=inst.forgiveness_days,
        exclude_after=inst.exclude_after,
        sanction_cost_eur=float(inst.sanction_cost_eur),
        commune_sanctions=inst.commune_sanctions,
        mediation=inst.mediation,
        mediator=mediation_parameters(inst),
        overrides_per_year=acts.overrides_per_year,
        meeting_attendance=acts.meeting_attendance,
        hub_funding=acts.hub_funding,
        facilitator_funding=acts.facilitator_funding,
        first_election_day=int(inst.first_election_day),
        electoral_cycle_days=inst.electoral_cycle_days,
        posture_change_probability=float(inst.posture_change_probability),
        staff_continuity=float(inst.staff_continuity),
        open_access=inst.boundary == "open_access",
        allocation_key=KEY_CODES[inst.allocation_key],
        operator_shift_share=float(operator_shift),
    )
    behaviour = RunBehaviour(
        decision=decision_parameters(b),
        temptation=temptation_parameters(model.scenario),
        choice=choice_parameters(model.scenario),
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
        demand_tables=demand_tables(model.state.metered_load),
        pv_yield_kwh_per_kwp=yield_table(e.pv),
        clearness_a=a,
        clearness_beta=beta,
        weather_variability=float(e.pv.weather_variability),
        energy=energy_parameters(e),
        materials_daily_cv=float(m.daily_cv),
        routing=routing_parameters(m),
        matching=match_parameters(model.scenario, inst),
        organisation=organisation_parameters(model.scenario, inst),
    )
    return rules, behaviour, world


def run_state(model: Simulation) -> RunState:
    """The model's state arrays, ties and rule levels as the compiled loop takes them."""
    s, ties, levels = model.state, model.state.ties, model.levels
    matches = matches_of(s, model.scenario)
    return RunState(
        kind=s.kind,
        load_profile=s.load_profile,
        annual_demand_kwh=s.annual_demand_kwh,
        pv_kwp=s.pv_kwp,
        pv_performance=s.pv_performance,
        member=s.member,
        battery_received_kwh=s.battery_received_kwh,
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
        goodwill_share=s.goodwill_share,
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
        bill_total_eur=s.bill_total_eur,
        alone_total_eur=s.alone_total_eur,
        fees_total_eur=s.fees_total_eur,
        fines_total_eur=s.fines_total_eur,
        tie_indptr=ties.indptr,
        tie_indices=ties.indices,
        tie_owners=ties.owners,
        tie_trust=ties.trust,
        tie_affective=ties.carries(AFFECTIVE),
        tie_geographic=ties.carries(GEOGRAPHIC),
        linked_to_officials=ties.linked_by(INSTITUTIONAL),
        fine_scale=levels.fine_scale,
        fee_eur_per_day=levels.fee_eur_per_day,
        chosen=levels.chosen,
        match_seller=matches.seller,
        match_buyer=matches.buyer,
        match_tied=matches.tied,
        match_active=matches.active,
        match_trust=matches.trust,
        volunteer=s.volunteer,
        volunteer_stamina=s.volunteer_stamina,
    )
