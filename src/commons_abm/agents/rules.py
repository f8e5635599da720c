"""What each agent does in the reference engine: the one-agent rules.

:class:`AgentRules` (every agent), :class:`HouseholdRules` and :class:`FirmRules` (their
material roles) are mixed into the Mesa agent classes (:mod:`commons_abm.agents.views`).
The reference engine (:mod:`commons_abm.engines.reference`) calls them one agent at a
time, in a new random order each day; the array engines never call them. Each rule names
the mechanism module that holds the same rule for the whole population, which the
engine-equivalence test holds them to (``tests/test_engine_equivalence.py``).

Over 400 lines: these are the readable specification of every agent rule of the day, kept
together so that a reader follows one agent through its day in one file.
"""

from __future__ import annotations

import math

import numpy as np

from commons_abm.behaviour.beliefs import agent_belief, belief_parameters
from commons_abm.behaviour.decisions import (
    agent_decision,
    bag_destination,
    decision_parameters,
    disposition_uniforms,
    legitimacy,
    missed_by_monitors,
    split_binding,
    temptation_of,
    temptation_parameters,
)
from commons_abm.behaviour.membership import agent_review, review_parameters
from commons_abm.behaviour.satisfaction import agent_fairness, agent_satisfaction, satisfaction_parameters
from commons_abm.behaviour.trust import (
    institutional_parameters,
    institutional_trust,
    interpersonal_parameters,
    interpersonal_trust,
)
from commons_abm.behaviour.waste_choices import PER_LIFT, household_choice
from commons_abm.core.calendar import HOURS
from commons_abm.core.kinds import DISCARDS_GOODS, KINDS, MATERIAL_ROLE_OF
from commons_abm.core.state import AFFECTIVE, GEOGRAPHIC
from commons_abm.energy.load_shifting import operator_share, shift_agent_load
from commons_abm.governance.accounts import settle_agent, tally_agent
from commons_abm.governance.collective_choice import attends, meeting_parameters
from commons_abm.governance.institutions import DUTY_MONITOR, OFFICIAL_MONITOR, PEER_MONITOR, pv_fits
from commons_abm.governance.mediation import mediate_agent, mediation_parameters, trust_in_mediator
from commons_abm.governance.monitoring import monitor_reach, monitored
from commons_abm.governance.sanctions import EXCLUSION_DAYS, accusations, next_fine_of, sanction_agent
from commons_abm.materials.hub_organisation import HubOrganisation, volunteer_day
from commons_abm.materials.repair_hub import hub_accepts
from commons_abm.materials.routing import (
    MaterialPlan,
    RoutingParameters,
    plan_routes,
    routing_parameters,
    settle_routes,
)
from commons_abm.materials.symbiosis import pair_offer, pair_taken, unsold
from commons_abm.territory.demand import DAYS_PER_YEAR, profile_day

__all__ = ["AgentRules", "FirmRules", "HouseholdRules"]


def _lognormal_mean_one(cv: float) -> tuple[float, float]:
    """``(mu, sigma)`` of a log-normal with mean 1 and coefficient of variation ``cv``."""
    sigma2 = math.log1p(cv * cv)
    return -sigma2 / 2.0, math.sqrt(sigma2)


class AgentRules:
    """What every agent does in the reference engine (households, firms, officials).

    Attributes of the day (plain Python, rewritten each day): ``demand_kwh``, ``pv_kwh``,
    ``deficit_kwh``, ``surplus_kwh``, ``offer_kwh`` (24 hourly values each), the decision's
    flags and multipliers, and what the pool gave (``received_kwh``).
    """

    # -------------------------------------------------------------- the day
    def step(self) -> None:
        """Decide whether to cooperate today, then plan the day's energy and materials."""
        self.decide()
        self.plan_energy()
        self.plan_materials()

    # --------------------------------------------------------------- decide
    def is_bound(self, sanctioned_only: bool = False) -> bool:
        """Whether a community rule (or one backed by a sanction) applies to this agent."""
        return self.is_bound_to_cooperate(sanctioned_only) or self.is_bound_not_to_dump(sanctioned_only)

    def _rule_on(self, aim: str, present: bool, sanctioned_only: bool) -> bool:
        """Whether the rulebook has the statement ``aim`` (backed by a sanction, if asked)."""
        return present and (not sanctioned_only or aim in self.model.institutions.sanctioned)

    def is_bound_to_cooperate(self, sanctioned_only: bool = False) -> bool:
        """Whether the fee or the ban on overdrawing (backed by a sanction, if asked) binds me."""
        return self.is_bound_not_to_overdraw(sanctioned_only) or self.is_bound_to_pay(sanctioned_only)

    def is_bound_not_to_overdraw(self, sanctioned_only: bool = False) -> bool:
        """Whether the ban on overdrawing (backed by a sanction, if asked) binds me: the rule
        my claim on the battery answers."""
        inst, on = self.model.institutions, self._rule_on
        if not self._has_pv_fits(inst.overdraw_pv):
            return False
        if self.member and on("overdraw", inst.overdraw_forbidden, sanctioned_only):
            return True
        # everyone may draw under open access, so a rule against overdrawing binds everyone
        return on("overdraw", inst.overdraw_binds_anyone, sanctioned_only) and inst.boundary == "open_access"

    def _has_pv_fits(self, wanted: int) -> bool:
        """Whether I am among the agents a ``has_pv`` when-clause names (-1: any agent)."""
        return bool(pv_fits(wanted, self.pv_kwp > 0))

    def is_bound_to_pay(self, sanctioned_only: bool = False) -> bool:
        """Whether the fee (backed by a sanction, if asked) binds me: the rule my fee answers."""
        inst = self.model.institutions
        fee = self._rule_on("pay_fee", inst.fee_charged, sanctioned_only)
        return bool(self.member) and fee and self._has_pv_fits(inst.fee_pv)

    def is_bound_not_to_dump(self, sanctioned_only: bool = False) -> bool:
        """Whether the dumping ban (backed by a sanction, if asked) binds me: the rule my
        waste decisions answer."""
        inst = self.model.institutions
        if not self._rule_on("dump_waste", inst.dumping_forbidden, sanctioned_only):
            return False
        if inst.dumping_binds_members_only and not self.member:
            return False
        return KINDS[self.kind_code].material_role == "discards_goods"

    def watched_share(self) -> float:
        """Share of my ties to members who cooperated (as far as I know: today's choice
        for the neighbours who already chose, yesterday's for the others)."""
        return self._ties_share(lambda other: other.member and other.cooperated)

    def members_share(self) -> float:
        """Share of my ties to members (who all watch when members must monitor)."""
        return self._ties_share(lambda other: other.member)

    def _ties_share(self, counts) -> float:
        """Share of my ties to agents for whom ``counts`` holds (0 without ties)."""
        neighbours = self.neighbour_agents
        return sum(1 for other in neighbours if counts(other)) / len(neighbours) if neighbours else 0.0

    def perceived_detection(self, visible: float = 1.0) -> float:
        """My perceived probability that a breach of mine, ``visible`` as much from outside my
        neighbourhood, is detected today (:func:`commons_abm.behaviour.decisions.missed_by_monitors`)."""
        table = self.model.institutions.monitor_table
        bias = self.model.scenario.behaviour.trust.authority_bias
        share, duty = self.watched_share(), self.members_share()
        return 1.0 - float(missed_by_monitors(table.who, table.detection_probability, share, duty, bias, visible))

    def usual_bin_share(self) -> float:
        """Share of a dumped bag put in a neighbour's chipped bin when no place is less
        watched than the other (pay-per-lift bins only)."""
        ref = self.model.reference
        return ref.choice.neighbour_bin_share if ref.charge.scheme == PER_LIFT else 0.0

    def next_fine(self) -> float:
        """The fine I would pay for my next breach [EUR]."""
        table = self.model.institutions.sanction_table
        scale = float(self.model.levels.fine_scale[self.assembly])
        return float(next_fine_of(table.scheme, table.ladder_eur, table.flat_fine_eur, self.offence_level, scale))

    def temptations(self) -> tuple[float, float]:
        """What overdrawing and skipping the fee would gain me today, where a sanctioned rule
        forbids it [EUR] (:func:`commons_abm.behaviour.decisions.temptation_of`)."""
        model = self.model
        over, fee, _ = split_binding(model.institutions.binding(True))
        member, level = bool(self.member), float(model.levels.fee_eur_per_day[self.assembly])
        received, prices = float(self.battery_received_kwh), temptation_parameters(model.scenario)
        factor = float(model.scenario.behaviour.decisions.overdraw_factor)
        return (
            float(temptation_of(over, member, level, received, factor, prices)),
            float(temptation_of(fee, member, level, received, 0.0, prices)),
        )

    def decide(self) -> None:
        """What I do today in each commons (:mod:`commons_abm.behaviour.decisions`), and what it implies."""
        model = self.model
        inst, levels = model.institutions, model.levels
        # the legitimacy of rules members chose, and deterrence if a rule backed by a
        # sanction applies to me; then the decision rule the array engine uses, for one agent
        legit = float(legitimacy(model.voice, levels.chosen[self.assembly], model.rule_security))
        deterring = inst.sanction_scheme != "none" and bool(inst.sanctioned)
        s_over = deterring and self.is_bound_not_to_overdraw(True)
        s_fee = deterring and self.is_bound_to_pay(True)
        sanctionable_dump = deterring and self.is_bound_not_to_dump(True)
        detection = fine = 0.0
        gain_over = gain_fee = 0.0
        deterred = model.reference.deterred
        if deterred and (s_over or s_fee or sanctionable_dump):
            detection, fine = self.perceived_detection(), self.next_fine()
            gain_over, gain_fee = self.temptations()
        bound_over, bound_fee = self.is_bound_not_to_overdraw(), self.is_bound_to_pay()
        bound_dump = self.is_bound_not_to_dump()
        parameters = decision_parameters(model.scenario.behaviour)
        u = disposition_uniforms(model.rngs["behaviour"].standard_normal(5), parameters.disposition_correlation)
        (self.propensity, fair, self.claim, intrinsic, obliged, self.pays_fee, self.goodwill_share) = agent_decision(
            int(self.cc_type),
            float(self.belief),
            float(self.group_weight),
            float(self.trust_institutional),
            legit,
            float(u[0]),
            float(u[1]),
            bound_dump,
            bool(inst.external_control),
            deterred,  # whether sanctions deter anyone today
            float(detection * fine),
            gain_over,
            gain_fee,
            bound_over,
            s_over,
            s_fee,
            inst.fee_charged and bound_fee,
            parameters,
        )
        self.cooperated = fair
        dumping = float(obliged) if bound_dump else float(intrinsic)  # a dumping ban binds my dumping decisions
        self.decide_on_waste(float(intrinsic), dumping, detection, fine, deterred and sanctionable_dump, u[2], u[3])
        dumps = self.waste_choice.dump_goods > 0.0 or self.waste_choice.dump_bag > 0.0  # 1 or 0 once drawn
        self.bound = bound_over or bound_fee or bound_dump
        self.breach = (bound_over and not fair) or (bound_fee and not self.pays_fee) or (bound_dump and dumps)
        self.sanctionable = (s_over and not fair) or (s_fee and not self.pays_fee) or (sanctionable_dump and dumps)
        self.bound_sanctioned = s_over or s_fee or sanctionable_dump
        other_breach = (bound_over and not fair) or (bound_fee and not self.pays_fee)
        only_bag = dumps and self.waste_choice.dump_goods == 0.0 and not other_breach
        self.visible = 1.0 - self.hidden if only_bag else 1.0

    def decide_on_waste(
        self,
        intrinsic: float,
        dumping: float,
        detection: float,
        fine: float,
        deterred: bool,
        u_goods: float,
        u_bag: float,
    ) -> None:
        """Today's waste decisions (:func:`commons_abm.behaviour.waste_choices.household_choice`),
        from my intrinsic cooperation (``dumping``: in my dumping decisions, which a dumping ban
        may bind) and, when a sanctioned dumping ban binds me, the fine I expect per kg dumped;
        ``u_goods`` and ``u_bag`` draw whether I dump today."""
        ref = self.model.reference
        usual = self.usual_bin_share()
        fine_goods = fine_bag = 0.0
        self.hidden = usual  # share of a dumped bag I would put in a neighbour's bin
        if deterred:
            fine_goods = detection * fine
            in_bins, as_usual = self.perceived_detection(0.0), self.perceived_detection(1.0 - usual)
            per_lift = ref.charge.scheme == PER_LIFT
            self.hidden, fine_bag = bag_destination(per_lift, usual, fine, detection, in_bins, as_usual)
        choice = household_choice(
            int(MATERIAL_ROLE_OF[self.kind_code]),
            intrinsic,
            dumping,
            float(self.waste_kg_per_day),
            fine_goods,
            fine_bag,
            ref.charge,
            ref.choice,
        )
        self.waste_choice = choice._replace(
            to_neighbours=self.hidden if MATERIAL_ROLE_OF[self.kind_code] == DISCARDS_GOODS else 0.0,
            dump_goods=1.0 if u_goods < choice.dump_goods else 0.0,
            dump_bag=1.0 if u_bag < choice.dump_bag else 0.0,
        )

    # --------------------------------------------------------------- energy
    def plan_energy(self) -> None:
        """Today's hourly demand and PV; use my own PV first; as a member, my surplus is the operation's."""
        model, day = self.model, self.model.today
        noise = model.scenario.energy.noise
        rng = model.rngs["demand"]
        mu_d, sigma_d = _lognormal_mean_one(noise.daily_cv)
        mu_h, sigma_h = _lognormal_mean_one(noise.hourly_cv)
        state = model.state
        factor, shape = profile_day(int(state.load_profile[self.index]), day, state.metered_load)
        daily = self.annual_demand_kwh / DAYS_PER_YEAR * factor * rng.lognormal(mu_d, sigma_d)
        shape = shape.tolist()
        hourly_noise = rng.lognormal(mu_h, sigma_h, HOURS).tolist()
        self.demand_kwh = [daily * s * e for s, e in zip(shape, hourly_noise)]
        self.follow_operator_schedule()
        kwp = self.pv_kwp * self.pv_performance
        self.pv_kwh = [y * kwp for y in model.reference.pv_per_kwp] if kwp > 0 else [0.0] * HOURS
        self.deficit_kwh = [max(dem - pv, 0.0) for dem, pv in zip(self.demand_kwh, self.pv_kwh)]
        self.surplus_kwh = [max(pv - dem, 0.0) for dem, pv in zip(self.demand_kwh, self.pv_kwh)]
        offer_share = 1.0 if self.member else 0.0  # a member producer's surplus is the operation's
        self.offer_kwh = [s * offer_share for s in self.surplus_kwh]
        self.received_kwh = [0.0] * HOURS

    def follow_operator_schedule(self) -> None:
        """A cooperating member lets the community operator move the share
        ``load_shift_share`` of its day's demand into the hours the territory's PV
        produces, in proportion to that production (the one-agent forms
        :func:`~commons_abm.energy.load_shifting.operator_share` and
        :func:`~commons_abm.energy.load_shifting.shift_agent_load`)."""
        inst, ref = self.model.institutions, self.model.reference
        if not (inst.operator and inst.load_shift_share > 0) or ref.pv_shape is None:
            return  # no operator, no load shifting, or no PV today
        share = operator_share(self.member, self.cooperated, float(inst.load_shift_share))
        demand = np.array(self.demand_kwh)
        shift_agent_load(demand, np.array(ref.pv_per_kwp), sum(ref.pv_per_kwp), share)
        self.demand_kwh = demand.tolist()

    def settle_energy(self) -> None:
        """What I imported and exported, and my energy bill (:mod:`commons_abm.energy.exchange`)."""
        model = self.model
        tariffs = model.scenario.energy.tariffs
        used_share = model.reference.used_share
        self.produced = sum(self.pv_kwh)
        self.consumed = sum(self.demand_kwh)
        self.self_consumed = self.produced - sum(self.surplus_kwh)
        deficit, surplus = sum(self.deficit_kwh), sum(self.surplus_kwh)
        self.offered = sum(self.offer_kwh)
        self.used = sum(u * o for u, o in zip(used_share, self.offer_kwh))
        self.received = sum(self.received_kwh)
        self.imported = max(deficit - self.received, 0.0)
        self.exported = surplus - self.used
        self.energy_cost_eur = (
            self.imported * tariffs.import_eur_per_kwh
            - self.exported * tariffs.export_eur_per_kwh
            + (self.received - self.used) * tariffs.community_eur_per_kwh
        )
        self.energy_reference_eur = deficit * tariffs.import_eur_per_kwh - surplus * tariffs.export_eur_per_kwh
        self.contributed_kwh += self.offered

    # ------------------------------------------------------------ materials
    def plan_materials(self) -> None:
        """An official's building discards nothing (households and firms override this)."""
        self.waste_kg = self.sorted_kg = self.bring_reuse_kg = self.bring_repair_kg = 0.0
        self.composted_kg = self.to_neighbours_kg = self.displaced_in_kg = self.unplaced_kg = 0.0
        self.byproduct_kg = self.input_demand_kg = 0.0
        self.plan = None
        self.offers_received: dict[AgentRules, float] = {}
        self.secondary_kg = self.sold_kg = 0.0

    def material_noise(self) -> float:
        """Today's factor on my material flows: log-normal, mean 1 (stream ``materials``)."""
        mu, sigma = _lognormal_mean_one(self.model.scenario.materials.daily_cv)
        return self.model.rngs["materials"].lognormal(mu, sigma) if sigma > 0 else 1.0

    def plan_routes(self) -> MaterialPlan:
        """Today's goods or by-products and where I send them first
        (:func:`~commons_abm.materials.routing.plan_routes`)."""
        c = self.waste_choice
        return plan_routes(
            int(MATERIAL_ROLE_OF[self.kind_code]),
            float(self.material_noise()),
            float(self.waste_kg_per_day),
            float(self.byproduct_kg_per_day),
            float(self.input_kg_per_day),
            c.sort,
            c.compost,
            c.bring_reuse,
            c.bring_repair,
            c.dump_bag,
            c.to_neighbours,
            self.routing(),
        )

    def settle_routes(self, accepted_reuse: float, accepted_repair: float) -> None:
        """Where my goods and by-products end, and my bill
        (:func:`~commons_abm.materials.routing.settle_routes`)."""
        c = self.waste_choice
        routes = settle_routes(
            self.plan,
            float(accepted_reuse),
            float(accepted_repair),
            c.dump_goods,
            float(self.unplaced_kg),
            float(self.displaced_in_kg),
            c.marginal_eur_per_kg,
            c.fixed_eur_per_day,
            float(self.secondary_kg),
            float(self.sold_kg),
            float(unsold(float(self.byproduct_kg), float(self.sold_kg))),
            float(self.model.reference.setup_eur[self.index]),
            float(self.model.reference.transaction_eur_per_kg),
            self.routing(),
        )
        self.dumped_kg, self.virgin_kg = routes.dumped_kg, routes.virgin_kg
        self.recycled_kg, self.recovered_kg, self.landfilled_kg = (
            routes.recycled_kg,
            routes.recovered_kg,
            routes.landfilled_kg,
        )
        self.material_cost_eur, self.material_reference_eur = routes.cost_eur, routes.reference_cost_eur
        p = self.routing()
        self.hub_fees_eur = accepted_reuse * p.reuse_eur_per_kg + accepted_repair * p.repair_eur_per_kg

    def routing(self) -> RoutingParameters:
        """The materials' shares, rates, prices and hub, as the routing kernels take them
        (read from the scenario once a day, for everyone)."""
        ref, today = self.model.reference, self.model.today
        if getattr(ref, "routing_day", None) is not today:
            ref.routing_day, ref.routing = today, routing_parameters(self.model.scenario.materials)
        return ref.routing

    def volunteer_at_hub(self, organisation: HubOrganisation, ask: float) -> float:
        """Come to the hub today if I volunteer and am asked (``ask``), tire, quit, or start
        volunteering (:func:`~commons_abm.materials.hub_organisation.volunteer_day`); the hours I gave."""
        state, i = self.model.state, self.index
        u_come, u_join = self.model.rngs["materials"].random(2)
        day = volunteer_day(
            int(MATERIAL_ROLE_OF[self.kind_code]),
            float(self.waste_choice.motive),
            bool(state.volunteer[i]),
            float(state.volunteer_stamina[i]),
            float(ask),
            float(u_come),
            float(u_join),
            organisation,
        )
        state.volunteer[i], state.volunteer_stamina[i] = day.volunteer, day.stamina
        return float(day.hours)

    def settle_materials(self) -> None:
        """Nothing routed, nothing paid."""
        self.recycled_kg = self.recovered_kg = self.landfilled_kg = self.dumped_kg = 0.0
        self.virgin_kg = 0.0
        self.material_cost_eur = 0.0
        self.material_reference_eur = 0.0
        self.hub_fees_eur = 0.0

    # ----------------------------------------------------------- governance
    def face_monitors(self) -> None:
        """Monitors check me if a rule applies to me; an accusation is sanctioned and may be
        mediated (:mod:`commons_abm.governance.monitoring`, :mod:`commons_abm.governance.sanctions`,
        :mod:`commons_abm.governance.mediation`)."""
        model, inst = self.model, self.model.institutions
        rng, today = model.rngs["governance"], model.reference.governance
        self.detected = self.wrongly_accused = self.by_official = self.settled = False
        self.watching = self.member and self.cooperated  # peers who watch share its cost ...
        self.on_duty = bool(self.member)  # ... and every member, when members must monitor
        self.peer_cost_eur = 0.0
        if self.bound:  # one uniform per monitor, in the rulebook's order
            table = inst.monitor_table
            share, duty = self.watched_share(), self.members_share()
            u = rng.random(table.who.size)
            checks = monitored(
                self.breach, share, duty, self.visible, u, table.who, table.detection_probability, table.error_rate
            )
            self.detected, self.wrongly_accused, self.by_official = (bool(x) for x in checks)
            for who, unit_cost in zip(table.who, table.cost_eur_per_check):
                spent = unit_cost * monitor_reach(who, share, duty, 1.0)
                today["monitoring_cost"] += spent
                if who == OFFICIAL_MONITOR:
                    today["official_cost"] += spent
                elif who == PEER_MONITOR:
                    today["peer_cost"] += spent
                elif who == DUTY_MONITOR:
                    today["duty_cost"] += spent
        accused = bool(accusations(self.detected, self.wrongly_accused, self.sanctionable, self.bound_sanctioned))
        if inst.sanction_scheme == "none":
            accused = False
        self.sanctioned = accused
        # the ladder: a sanction moves me up, clean days move me down; exclusion
        table = inst.sanction_table
        fine, excluded, self.clean_days, self.offence_level, self.member, self.excluded_until = sanction_agent(
            table.scheme,
            table.ladder_eur,
            table.flat_fine_eur,
            accused,
            float(model.levels.fine_scale[self.assembly]),
            inst.forgiveness_days,
            inst.exclude_after,
            model.today.step + EXCLUSION_DAYS,
            self.clean_days,
            self.offence_level,
            self.member,
            self.excluded_until,
        )
        self.fines_eur, excluded = float(fine), bool(excluded)
        if accused:
            today["sanctions"] += 1
            today["sanction_cost"] += inst.sanction_cost_eur
        # a wrongful sanction is a dispute; mediation may settle it (two uniforms per dispute)
        dispute = accused and self.wrongly_accused
        if dispute and inst.mediation:
            p = mediation_parameters(inst)
            u_access, u_success = rng.random(2)
            ties = model.state.ties.trust[self.tie_slots] if self.tie_slots else np.zeros(0)
            trust = trust_in_mediator(p.mediator, float(self.trust_institutional), ties)
            brought, settled, fine, self.offence_level, self.member, self.excluded_until = mediate_agent(
                True,
                u_access,
                u_success,
                p,
                trust,
                self.fines_eur,
                excluded,
                self.offence_level,
                self.member,
                self.excluded_until,
            )
            self.settled, self.fines_eur = bool(settled), float(fine)
            if brought:
                today["mediation_cost"] += p.cost_eur_per_case
        self.wrongful_stands = dispute and not self.settled

    def settle_accounts(self) -> None:
        """Fee, fines and my own monitoring cost; my saving against acting alone; my money
        since day 0."""
        model = self.model
        own_monitoring = model.reference.peer_cost_per_watcher if self.watching else 0.0
        own_monitoring += model.reference.duty_cost_per_member if self.on_duty else 0.0
        accounts = settle_agent(
            self.pays_fee,
            float(model.levels.fee_eur_per_day[self.assembly]),
            self.fines_eur,
            own_monitoring,
            self.energy_reference_eur,
            self.energy_cost_eur,
            self.material_reference_eur,
            self.material_cost_eur,
            self.cumulative_net_benefit_eur,
        )
        self.fees_eur, self.fines_eur, self.governance_cost_eur, self.net_benefit_eur = accounts[:4]
        self.cumulative_net_benefit_eur = accounts[4]
        self.bill_total_eur, self.alone_total_eur, self.fees_total_eur, self.fines_total_eur = tally_agent(
            self.energy_cost_eur,
            self.energy_reference_eur,
            self.fees_eur,
            self.fines_eur,
            self.bill_total_eur,
            self.alone_total_eur,
            self.fees_total_eur,
            self.fines_total_eur,
        )

    # ---------------------------------------------------------------- learn
    def learn(self) -> None:
        """Trust in each neighbour, satisfaction, institutional trust and my beliefs
        (:mod:`commons_abm.behaviour.trust`, :mod:`commons_abm.behaviour.satisfaction`,
        :mod:`commons_abm.behaviour.beliefs`)."""
        model = self.model
        b, ref = model.scenario.behaviour, model.reference
        t = b.trust
        trust = model.state.ties.trust
        # trust in each neighbour follows what the neighbour did today
        tie_rule = interpersonal_parameters(t)
        affective = model.state.ties.carries(AFFECTIVE)
        for other, slot in zip(self.neighbour_agents, self.tie_slots):
            trust[slot] = interpersonal_trust(
                float(trust[slot]), bool(other.cooperated), float(other.goodwill_share), bool(affective[slot]), tie_rule
            )

        # satisfaction: today's gain, and the fairness of the pool for contributors
        fair = agent_fairness(float(self.received), float(self.offered), ref.return_per_kwh) if self.member else 0.0
        self.satisfaction, self.satisfaction_short, self.satisfaction_long = agent_satisfaction(
            float(self.satisfaction_short),
            float(self.satisfaction_long),
            float(self.net_benefit_eur),
            fair,
            satisfaction_parameters(b.satisfaction),
        )

        # institutional trust: satisfaction, the compliance I see, and today's events
        voice = model.voice * model.rule_security  # a vote officials may override counts less
        self.trust_institutional = institutional_trust(
            float(self.trust_institutional),
            bool(self.member),
            float(self.satisfaction_short),
            float(ref.assembly_compliance[self.index]),
            float(self.fines_eur),
            bool(self.wrongful_stands),
            bool(self.settled),
            bool(self.voiced),
            float(voice),
            institutional_parameters(t),
        )

        # beliefs: what my trusted neighbours did, and the community-wide rate
        slots = np.array(self.tie_slots, dtype=np.int64)
        self.belief = agent_belief(
            float(self.belief),
            model.state.cooperated,
            np.array([other.index for other in self.neighbour_agents], dtype=np.int64),
            trust[slots],
            float(ref.public_rate),
            belief_parameters(b),
        )

    def review_membership(self) -> None:
        """Now and then, leave if dissatisfied, or join if trusted members I know are
        more satisfied than I am (:mod:`commons_abm.behaviour.membership`)."""
        model = self.model
        state = model.state
        joins, leaves = agent_review(
            model.rngs["behaviour"].random(),
            bool(self.member),
            float(self.satisfaction),
            int(self.excluded_until),
            int(model.today.step),
            state.member,
            state.satisfaction,
            np.array([other.index for other in self.neighbour_agents], dtype=np.int64),
            state.ties.trust[np.array(self.tie_slots, dtype=np.int64)],
            review_parameters(model.scenario.behaviour.participation),
        )
        if leaves:
            self.member = False
            self.attended_last = False
        elif joins:
            self.member = True

    def attends_meeting(self, assembly_size: float) -> bool:
        """Whether I, a member of an assembly of ``assembly_size`` members, go to today's
        meeting (:func:`commons_abm.governance.collective_choice.attends`)."""
        model = self.model
        p = meeting_parameters(model.scenario.behaviour, model.institutions)
        u = model.rngs["governance"].random()
        return bool(attends(u, self.satisfaction, self.trust_institutional, self.attended_last, assembly_size, p))


class HouseholdRules(AgentRules):
    """A household's waste: sorted, brought to the hub, kept or dumped (:mod:`commons_abm.materials.routing`)."""

    def plan_materials(self) -> None:
        """Today's waste, what I sort, compost and bring to the hub, and the bagged waste I
        dump (:meth:`plan_routes`)."""
        super().plan_materials()
        self.plan = plan = self.plan_routes()
        self.waste_kg, self.sorted_kg, self.composted_kg = plan.waste_kg, plan.sorted_kg, plan.composted_kg
        self.bring_reuse_kg, self.bring_repair_kg = plan.brought_reuse_kg, plan.brought_repair_kg
        self.to_neighbours_kg = plan.to_neighbours_kg

    def displace_waste(self) -> None:
        """Put the bagged waste I dump in neighbours' bins: shared equally among the households
        I am tied to in my neighbourhood, or in the street if I have none
        (:func:`~commons_abm.materials.routing.displace`)."""
        if not self.to_neighbours_kg > 0.0:
            return
        near = self.model.state.ties.carries(GEOGRAPHIC)
        bins = [
            o
            for o, slot in zip(self.neighbour_agents, self.tie_slots)
            if near[slot] and MATERIAL_ROLE_OF[o.kind_code] == DISCARDS_GOODS
        ]
        if not bins:
            self.unplaced_kg = self.to_neighbours_kg
            return
        each = self.to_neighbours_kg / len(bins)
        for o in bins:
            o.displaced_in_kg += each

    def settle_materials(self) -> None:
        """What the hub took, what I dumped, recovered and landfilled, and my bill (:meth:`settle_routes`)."""
        accept = self.model.reference.hub.accept_share
        self.settle_routes(hub_accepts(self.bring_reuse_kg, accept), hub_accepts(self.bring_repair_kg, accept))


class FirmRules(AgentRules):
    """A firm's by-products and inputs: industrial symbiosis with tied firms
    (:mod:`commons_abm.materials.symbiosis`)."""

    def plan_materials(self) -> None:
        """Today's by-product and input demand (:meth:`plan_routes`)."""
        super().plan_materials()
        self.plan = plan = self.plan_routes()
        self.byproduct_kg, self.input_demand_kg = plan.byproduct_kg, plan.demand_kg

    def buyers(self) -> list[AgentRules]:
        """The firms I deliver my by-product to today: my active matches, if I deliver
        (:mod:`commons_abm.materials.byproduct_matches`)."""
        model = self.model
        return [model.agent_at(b) for b in model.reference.buyers_today.get(self.index, [])]

    def offer_byproducts(self) -> None:
        """Offer my by-product to my buyers in proportion to their demand
        (:func:`~commons_abm.materials.symbiosis.pair_offer`)."""
        buyers = self.buyers()
        wanted = sum(o.input_demand_kg for o in buyers)
        if wanted <= 0:
            return
        for o in buyers:
            o.offers_received[self] = pair_offer(self.byproduct_kg, o.input_demand_kg, wanted)

    def accept_offers(self) -> None:
        """Take what I am offered, scaled down alike if it is more than my demand
        (:func:`~commons_abm.materials.symbiosis.pair_taken`)."""
        offered = sum(self.offers_received.values())
        for seller, kg in self.offers_received.items():
            taken = pair_taken(kg, self.input_demand_kg, offered)
            self.secondary_kg += taken
            seller.sold_kg += taken

    def settle_materials(self) -> None:
        """By-product left after symbiosis down the hierarchy; virgin input; my bill (:meth:`settle_routes`)."""
        self.settle_routes(0.0, 0.0)
