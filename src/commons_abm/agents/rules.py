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
from commons_abm.behaviour.decisions import agent_decision, decision_parameters, legitimacy
from commons_abm.behaviour.membership import agent_review, review_parameters
from commons_abm.behaviour.satisfaction import agent_fairness, agent_satisfaction, satisfaction_parameters
from commons_abm.behaviour.trust import (
    institutional_parameters,
    institutional_trust,
    interpersonal_parameters,
    interpersonal_trust,
)
from commons_abm.core.calendar import HOURS
from commons_abm.core.kinds import KINDS
from commons_abm.governance.sanctions import EXCLUSION_DAYS
from commons_abm.territory.demand import DAYS_PER_YEAR, daily_factor, hourly_shape

__all__ = ["AgentRules", "FirmRules", "HouseholdRules"]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(max(x, -50.0), 50.0)))


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
        inst = self.model.institutions
        aims = inst.sanctioned if sanctioned_only else None

        def on(aim: str, present: bool) -> bool:
            return present and (aims is None or aim in aims)

        if on("share_surplus", inst.min_share is not None) and self.member and self.pv_kwp > 0:
            return True
        if (on("overdraw", inst.overdraw_forbidden) or on("pay_fee", inst.fee_eur_per_day > 0)) and self.member:
            return True
        if on("overdraw", inst.overdraw_binds_anyone) and inst.boundary == "open_access":
            return True  # everyone may draw, so the rule against overdrawing binds everyone
        if inst.dumping_binds_members_only and not self.member:
            return False
        return on("dump_waste", inst.dumping_forbidden) and KINDS[self.kind_code].material_role == "discards_goods"

    def watched_share(self) -> float:
        """Share of my ties to members who cooperated (as far as I know: today's choice
        for the neighbours who already chose, yesterday's for the others)."""
        neighbours = self.neighbour_agents
        if not neighbours:
            return 0.0
        return sum(1 for other in neighbours if other.member and other.cooperated) / len(neighbours)

    def perceived_detection(self) -> float:
        """My perceived probability that a breach of mine is detected today."""
        inst, bias = self.model.institutions, self.model.scenario.behaviour.trust.authority_bias
        miss = 1.0
        for who, p, _error, _cost in inst.monitors:
            if who == "peer":
                miss *= 1.0 - p * self.watched_share()
            elif who == "official":
                miss *= 1.0 - min(1.0, p * (1.0 + bias))
            else:
                miss *= 1.0 - p
        return 1.0 - miss

    def next_fine(self) -> float:
        """The fine I would pay for my next breach [EUR]."""
        inst = self.model.institutions
        scale = float(self.model.levels.fine_scale[self.assembly])
        if inst.sanction_scheme == "flat":
            return inst.flat_fine_eur * scale
        if inst.sanction_scheme == "graduated":
            return inst.fines_eur[min(self.offence_level, len(inst.fines_eur) - 1)] * scale
        return 0.0

    def decide(self) -> None:
        """Cooperate today or not (:mod:`commons_abm.behaviour.decisions`), and what it implies."""
        model = self.model
        inst, levels = model.institutions, model.levels
        # the legitimacy of rules members chose, and deterrence if a rule backed by a
        # sanction applies to me; then the decision rule the array engine uses, for one agent
        legit = float(legitimacy(inst, model.polity.posture, levels.chosen[self.assembly], model.rule_security))
        sanctionable = inst.sanction_scheme != "none" and bool(inst.sanctioned) and self.is_bound(True)
        expected = self.perceived_detection() * self.next_fine() if sanctionable else 0.0
        (
            self.propensity,
            self.cooperated,
            self.share_fraction,
            self.claim,
            self.sorting,
            self.hub_bring,
            self.dumping,
            self.pays_fee,
        ) = agent_decision(
            int(self.cc_type),
            float(self.belief),
            float(self.group_weight),
            float(self.trust_institutional),
            legit,
            model.rngs["behaviour"].random(),
            bool(self.member),
            float(levels.quota[self.assembly]),
            bool(inst.official_monitoring and inst.stance == "controller"),
            model.reference.deterred,  # whether sanctions deter anyone today
            sanctionable,
            float(expected),
            bool(inst.official_monitoring and inst.dumping_forbidden),
            bool(inst.fee_eur_per_day > 0),
            decision_parameters(model.scenario.behaviour),
        )
        cooperated = self.cooperated
        self.bound = self.is_bound()
        self.breach = self.bound and not cooperated
        self.sanctionable = sanctionable and not cooperated
        self.bound_sanctioned = sanctionable

    # --------------------------------------------------------------- energy
    def plan_energy(self) -> None:
        """Today's hourly demand and PV; use my own PV first, offer my surplus to the pool."""
        model, day = self.model, self.model.today
        noise = model.scenario.energy.noise
        rng = model.rngs["demand"]
        mu_d, sigma_d = _lognormal_mean_one(noise.daily_cv)
        mu_h, sigma_h = _lognormal_mean_one(noise.hourly_cv)
        daily = (
            self.annual_demand_kwh / DAYS_PER_YEAR * daily_factor(self.kind_code, day) * rng.lognormal(mu_d, sigma_d)
        )
        shape = hourly_shape(self.kind_code, day.is_weekend).tolist()
        hourly_noise = rng.lognormal(mu_h, sigma_h, HOURS).tolist()
        self.demand_kwh = [daily * s * e for s, e in zip(shape, hourly_noise)]
        self.follow_operator_schedule()
        kwp = self.pv_kwp * self.pv_performance
        self.pv_kwh = [y * kwp for y in model.reference.pv_per_kwp] if kwp > 0 else [0.0] * HOURS
        self.deficit_kwh = [max(dem - pv, 0.0) for dem, pv in zip(self.demand_kwh, self.pv_kwh)]
        self.surplus_kwh = [max(pv - dem, 0.0) for dem, pv in zip(self.demand_kwh, self.pv_kwh)]
        offer_share = self.share_fraction if self.member else 0.0
        self.offer_kwh = [s * offer_share for s in self.surplus_kwh]
        self.received_kwh = [0.0] * HOURS

    def follow_operator_schedule(self) -> None:
        """A cooperating member lets the community operator move the share
        ``load_shift_share`` of its day's demand into the hours the territory's PV
        produces, in proportion to that production (:func:`commons_abm.energy.load_shifting.shift_load`)."""
        inst, pv_shape = self.model.institutions, self.model.reference.pv_shape
        if not (inst.operator and inst.load_shift_share > 0 and self.member and self.cooperated) or pv_shape is None:
            return
        share = inst.load_shift_share
        movable = sum(self.demand_kwh) * share
        self.demand_kwh = [d * (1.0 - share) + p * movable for d, p in zip(self.demand_kwh, pv_shape)]

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
        self.byproduct_kg = self.input_demand_kg = 0.0
        self.offers_received: dict[AgentRules, float] = {}
        self.secondary_kg = self.sold_kg = 0.0

    def material_noise(self) -> float:
        """Today's factor on my material flows: log-normal, mean 1 (stream ``materials``)."""
        mu, sigma = _lognormal_mean_one(self.model.scenario.materials.daily_cv)
        return self.model.rngs["materials"].lognormal(mu, sigma) if sigma > 0 else 1.0

    def settle_materials(self) -> None:
        """Nothing routed, nothing paid."""
        self.recycled_kg = self.recovered_kg = self.landfilled_kg = self.dumped_kg = 0.0
        self.virgin_kg = 0.0
        self.material_cost_eur = 0.0
        self.material_reference_eur = 0.0

    # ----------------------------------------------------------- governance
    def face_monitors(self) -> None:
        """Monitors check me if a rule applies to me; an accusation is sanctioned and may be
        mediated (:mod:`commons_abm.governance.monitoring`, :mod:`commons_abm.governance.sanctions`,
        :mod:`commons_abm.governance.mediation`)."""
        model, inst = self.model, self.model.institutions
        rng, today = model.rngs["governance"], model.reference.governance
        self.detected = self.wrongly_accused = self.settled = False
        self.watching = self.member and self.cooperated  # peers who watch share its cost
        self.peer_cost_eur = 0.0
        if self.bound:
            for who, p, error, unit_cost in inst.monitors:
                reach = self.watched_share() if who == "peer" else 1.0
                hit = rng.random() < (p if self.breach else error) * reach
                self.detected |= hit and self.breach
                self.wrongly_accused |= hit and not self.breach
                today["monitoring_cost"] += unit_cost * reach
                if who == "official":
                    today["official_cost"] += unit_cost * reach
                elif who == "peer":
                    today["peer_cost"] += unit_cost * reach
        accused = (self.detected and self.sanctionable) or (self.wrongly_accused and self.bound_sanctioned)
        if inst.sanction_scheme == "none":
            accused = False
        self.sanctioned = accused
        # the ladder: a sanction moves me up, clean days move me down
        self.fines_eur = self.next_fine() if accused else 0.0
        self.clean_days = 0 if accused else self.clean_days + 1
        if accused:
            self.offence_level += 1
        if self.clean_days >= inst.forgiveness_days and self.offence_level > 0:
            self.offence_level -= 1
            self.clean_days = 0
        excluded = inst.exclude_after > 0 and accused and self.member and self.offence_level >= inst.exclude_after
        if excluded:
            self.member = False
            self.excluded_until = model.today.step + EXCLUSION_DAYS
            self.offence_level = 0
        if accused:
            today["sanctions"] += 1
            today["sanction_cost"] += inst.sanction_cost_eur
        # a wrongful sanction is a dispute; mediation may settle it
        if accused and self.wrongly_accused and inst.mediation:
            if rng.random() < inst.mediation_access:
                today["mediation_cost"] += inst.mediation_cost_eur
                if rng.random() < inst.mediation_success:
                    self.settled = True
                    self.fines_eur = 0.0
                    self.offence_level = max(self.offence_level - 1, 0)
                    if excluded:
                        self.member = True
                        self.excluded_until = 0
        self.wrongful_stands = accused and self.wrongly_accused and not self.settled

    def settle_accounts(self) -> None:
        """Fee, fines and my own monitoring cost; my saving against acting alone."""
        model = self.model
        self.fees_eur = float(model.levels.fee_eur_per_day[self.assembly]) if self.pays_fee else 0.0
        self.governance_cost_eur = model.reference.peer_cost_per_watcher if self.watching else 0.0
        self.net_benefit_eur = (
            (self.energy_reference_eur - self.energy_cost_eur)
            + (self.material_reference_eur - self.material_cost_eur)
            - self.fees_eur
            - self.fines_eur
            - self.governance_cost_eur
        )
        self.cumulative_net_benefit_eur += self.net_benefit_eur

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
        for other, slot in zip(self.neighbour_agents, self.tie_slots):
            trust[slot] = interpersonal_trust(float(trust[slot]), bool(other.cooperated), tie_rule)

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

    def attends_meeting(self, group_cost: float) -> bool:
        """Whether I, a member, go to today's meeting (:mod:`commons_abm.governance.collective_choice`)."""
        model = self.model
        p, inst = model.scenario.behaviour.participation, model.institutions
        cost = p.participation_cost * (1.0 - (inst.participation_cost_reduction if inst.operator else 0.0))
        logit = (
            p.attendance_base
            + p.attendance_satisfaction * (self.satisfaction - 0.5)
            + p.attendance_trust * (self.trust_institutional - 0.5)
            + p.attendance_habit * self.attended_last
            - cost
            - group_cost
        )
        return bool(model.rngs["governance"].random() < _sigmoid(logit))


class HouseholdRules(AgentRules):
    """A household's waste: sorted, brought to the hub, kept or dumped (:mod:`commons_abm.materials.routing`)."""

    def plan_materials(self) -> None:
        """Today's waste, what I sort and what I bring to the hub."""
        super().plan_materials()
        hh = self.model.scenario.materials.households
        self.waste_kg = self.waste_kg_per_day * self.material_noise()
        self.sorting_rate = min(hh.sorting_rate * self.sorting, 1.0)
        bring_rate = min(hh.hub_bring_rate * self.hub_bring, 1.0)
        self.dumping_rate = min(hh.dumping_rate * self.dumping, 1.0)
        self.sorted_kg = self.waste_kg * hh.recyclable_share * self.sorting_rate
        self.bring_reuse_kg = self.waste_kg * hh.reusable_share * bring_rate
        self.bring_repair_kg = self.waste_kg * hh.repairable_share * bring_rate

    def settle_materials(self) -> None:
        """What the hub took, what I dumped, recovered and landfilled, and my bill."""
        m = self.model.scenario.materials
        c, e = m.costs, m.households.energy_recovery_share
        accept = self.model.reference.hub.accept_share
        accepted_reuse, accepted_repair = self.bring_reuse_kg * accept, self.bring_repair_kg * accept
        residual = max(self.waste_kg - self.sorted_kg - accepted_reuse - accepted_repair, 0.0)
        self.dumped_kg = residual * self.dumping_rate
        disposed = residual - self.dumped_kg
        self.recovered_kg = disposed * e
        self.landfilled_kg = disposed - self.recovered_kg
        self.recycled_kg = self.sorted_kg
        self.virgin_kg = 0.0
        self.material_cost_eur = (
            self.recycled_kg * c.recycling_eur_per_kg
            + self.recovered_kg * c.recovery_eur_per_kg
            + self.landfilled_kg * c.landfill_eur_per_kg
            + accepted_reuse * c.reuse_eur_per_kg
            + accepted_repair * c.repair_eur_per_kg
        )
        residual_price = e * c.recovery_eur_per_kg + (1.0 - e) * c.landfill_eur_per_kg
        self.material_reference_eur = (
            self.sorted_kg * c.recycling_eur_per_kg
            + (self.waste_kg - self.sorted_kg) * (1.0 - self.dumping_rate) * residual_price
        )


class FirmRules(AgentRules):
    """A firm's by-products and inputs: industrial symbiosis with tied firms
    (:mod:`commons_abm.materials.symbiosis`)."""

    def plan_materials(self) -> None:
        """Today's by-product and input demand."""
        super().plan_materials()
        self.byproduct_kg = self.byproduct_kg_per_day * self.material_noise()
        self.input_demand_kg = self.input_kg_per_day

    def buyers(self) -> list[AgentRules]:
        """Tied firms whose input is the material of my by-product."""
        mine = self.byproduct_type
        if mine < 0:
            return []
        return [o for o in self.neighbour_agents if o.trades_byproducts and o.input_type == mine]

    def offer_byproducts(self) -> None:
        """Offer my by-product to my buyers in proportion to their demand."""
        buyers = self.buyers()
        wanted = sum(o.input_demand_kg for o in buyers)
        if wanted <= 0:
            return
        for o in buyers:
            o.offers_received[self] = self.byproduct_kg * o.input_demand_kg / wanted

    def accept_offers(self) -> None:
        """Take what I am offered, scaled down alike if it is more than my demand."""
        offered = sum(self.offers_received.values())
        scale = self.input_demand_kg / offered if offered > self.input_demand_kg else 1.0
        for seller, kg in self.offers_received.items():
            taken = kg * scale
            self.secondary_kg += taken
            seller.sold_kg += taken

    def settle_materials(self) -> None:
        """By-product left after symbiosis down the hierarchy; virgin input; my bill."""
        m = self.model.scenario.materials
        c, e, r = m.costs, m.households.energy_recovery_share, m.firms.byproduct_recycling_share
        left = max(self.byproduct_kg - self.sold_kg, 0.0)
        self.recycled_kg = left * r
        disposed = left - self.recycled_kg
        self.recovered_kg = disposed * e
        self.landfilled_kg = disposed - self.recovered_kg
        self.dumped_kg = 0.0
        self.virgin_kg = max(self.input_demand_kg - self.secondary_kg, 0.0)
        self.material_cost_eur = (
            self.recycled_kg * c.recycling_eur_per_kg
            + self.recovered_kg * c.recovery_eur_per_kg
            + self.landfilled_kg * c.landfill_eur_per_kg
            + self.virgin_kg * c.virgin_eur_per_kg
            + self.secondary_kg * c.secondary_eur_per_kg
            + self.sold_kg * (c.reuse_eur_per_kg - c.secondary_eur_per_kg)
        )
        residual_price = e * c.recovery_eur_per_kg + (1.0 - e) * c.landfill_eur_per_kg
        self.material_reference_eur = self.input_demand_kg * c.virgin_eur_per_kg + self.byproduct_kg * (
            r * c.recycling_eur_per_kg + (1.0 - r) * residual_price
        )
