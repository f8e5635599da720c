"""The reference engine: the model written the way a Mesa user would write it.

``CommonsModel(..., engine="agents")`` steps this engine instead of the whole-population
stages of the array engine (the default, ``engine="arrays"``). Each agent is a Python
object (:mod:`commons_abm.agents`) whose methods, below, carry the same rules as the
stages: it decides whether to cooperate, meets its own demand with its own PV, offers its
surplus, sorts and brings its waste, faces the monitors, pays, and learns from its
neighbours on the :class:`mesa.discrete_space.Network`. Agents act one at a time, in a
new random order each day (``model.agents.shuffle_do``). What is not any one agent's act
is done by :class:`ReferenceEngine`, hour by hour and in plain Python over the agents:
the community pool, the battery and the allocation key; the reuse-and-repair hub;
meetings; the officials.

It is slow (microseconds per agent-step) and meant to be read: it is the specification
of the behaviour for teaching, and the reference the array engine is tested against
(``tests/test_engine_equivalence.py``). Both engines draw from the same named random
streams (:mod:`commons_abm.seeding`) and build the same territory from a seed; the runs
then differ draw by draw (one agent at a time against whole arrays) but not in
distribution. Where acting one at a time differs from acting all at once by design, see
``docs/ODD.md``, "Reference engine: one at a time".

A day, in the order of the array engine's stages::

    shuffle_do("step")               each agent decides, plans its energy and materials
    exchange_energy()                pool, battery and allocation key, hour by hour
    agents.do("settle_energy")       imports, exports and energy bill of each agent
    exchange_materials()             symbiosis offers and acceptance, the hub
    agents.do("settle_materials")    routes and bill of each agent's waste and by-products
    shuffle_do("face_monitors")      monitoring, sanctions and mediation of each agent
    collective_choice(), officials_act()
    agents.do("settle_accounts")     fee, fines, net benefit
    shuffle_do("learn")              trust, satisfaction, beliefs
    shuffle_do("review_membership")  join or leave
    record
"""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING

import numpy as np

from commons_abm.battery import dispatch
from commons_abm.calendar import HOURS, Day
from commons_abm.collective_choice import (
    COMMUNICATION,
    FEE_STEP,
    FINE_BOUNDS,
    FINE_STEP,
    QUOTA_STEP,
    STRICTER_WHEN_BREACHES_ABOVE,
    MeetingDay,
    RuleLevels,
    meeting_due,
)
from commons_abm.decisions import (
    DUMPING,
    HUB_BRING,
    SORTING,
    deterrence_response,
    intrinsic_cooperation,
    legitimacy,
    revised_beliefs,
    with_deterrence,
)
from commons_abm.energy import HOURLY_FLOWS, EnergyDay
from commons_abm.hub import hub_day
from commons_abm.indicators import compliance_rate
from commons_abm.materials import MaterialsDay
from commons_abm.mediation import MediationDay
from commons_abm.monitoring import Detection
from commons_abm.officials import STANCE_SIGNAL, OfficialsDay, overrides_per_year
from commons_abm.profiles import DAYS_PER_YEAR, daily_factor, hourly_shape
from commons_abm.rulebook import POSTURES
from commons_abm.sanctions import EXCLUSION_DAYS, SanctionDay
from commons_abm.solar import clearness, hourly_yield
from commons_abm.state import FIRM, HOUSEHOLD
from commons_abm.trust import MEDIATION_REPAIR, WARNING_SHARE

if TYPE_CHECKING:
    from commons_abm.model import CommonsModel

__all__ = ["AgentRules", "FirmRules", "HouseholdRules", "ReferenceEngine", "water_fill"]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(max(x, -50.0), 50.0)))


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return min(max(x, lo), hi)


def _lognormal_mean_one(cv: float) -> tuple[float, float]:
    """``(mu, sigma)`` of a log-normal with mean 1 and coefficient of variation ``cv``."""
    sigma2 = math.log1p(cv * cv)
    return -sigma2 / 2.0, math.sqrt(sigma2)


def _confirmation(prior: float, towards_high: bool, bias: float) -> float:
    """Evidence on the side of 1/2 the prior is on weighs more (confirmation bias)."""
    return 1.0 + bias if (prior >= 0.5) == towards_high else 1.0 - bias


def water_fill(amount: float, caps: list[float], weights: list[float]) -> list[float]:
    """Share ``amount`` so that each gets ``min(cap, level * weight)``, one level for all.

    Agents of weight 0 get nothing; when the amount exceeds what the others can take,
    each gets its cap (the rest is not placed). Exact: agents saturate in the order of
    ``cap / weight``.
    """
    out = [0.0] * len(caps)
    if amount <= 0.0:
        return out
    takers = sorted((c / w, i) for i, (c, w) in enumerate(zip(caps, weights)) if c > 0.0 and w > 0.0)
    open_weight = sum(weights[i] for _, i in takers)
    left = amount
    for rank, (saturation, i) in enumerate(takers):
        level = left / open_weight if open_weight > 0.0 else math.inf
        if level < saturation:  # nobody else saturates: all still open share at this level
            for _, j in takers[rank:]:
                out[j] = level * weights[j]
            return out
        out[i] = caps[i]
        left -= caps[i]
        open_weight -= weights[i]
    return out


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
        return on("dump_waste", inst.dumping_forbidden) and self.kind_code == HOUSEHOLD

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
        """Cooperate today or not (:mod:`commons_abm.decisions`), and what it implies."""
        model = self.model
        inst, b = model.institutions, model.scenario.behaviour
        d = b.decisions
        levels = model.levels
        # what I would do out of my own motives, given what I expect of others, and the
        # legitimacy of rules members chose (the formulas the array engine uses, for one agent)
        legit = float(legitimacy(inst, model.polity.posture, levels.chosen[self.assembly], model.rule_security))
        intrinsic = float(intrinsic_cooperation(
            np.array([self.cc_type], np.int8), np.array([self.belief]), np.array([self.group_weight]), b,
            legit, self.trust_institutional)[0])
        if inst.official_monitoring and inst.stance == "controller":
            intrinsic *= 1.0 - d.crowding_out
        # deterrence, if a rule backed by a sanction applies to me
        sanctionable = inst.sanction_scheme != "none" and bool(inst.sanctioned) and self.is_bound(True)
        if sanctionable:
            expected = self.perceived_detection() * self.next_fine()
            deterrence = float(deterrence_response(np.array([expected]), d.temptation_eur_per_day,
                                                   d.deterrence_noise)[0])
            propensity = float(with_deterrence(intrinsic, deterrence))
        else:
            propensity = intrinsic
        cooperated = model.rngs["behaviour"].random() < propensity
        self.propensity = propensity
        self.cooperated = cooperated

        # what cooperating (or not) means today
        coop = int(cooperated)
        quota = float(levels.quota[self.assembly])
        self.share_fraction = max(quota, propensity) if (self.member and cooperated) else 0.0
        self.claim = 1.0 if cooperated else 1.0 + d.overdraw_factor
        self.sorting = SORTING[coop]
        self.hub_bring = HUB_BRING[coop]
        self.dumping = DUMPING[coop]
        if inst.official_monitoring and inst.dumping_forbidden and not cooperated:
            self.dumping *= d.displacement
        self.pays_fee = bool(inst.fee_eur_per_day > 0 and self.member and cooperated)
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
        daily = self.annual_demand_kwh / DAYS_PER_YEAR * daily_factor(self.kind_code, day) * rng.lognormal(mu_d, sigma_d)
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
        produces, in proportion to that production (:func:`commons_abm.energy.shift_load`)."""
        inst, pv_shape = self.model.institutions, self.model.reference.pv_shape
        if not (inst.operator and inst.load_shift_share > 0 and self.member and self.cooperated) or pv_shape is None:
            return
        share = inst.load_shift_share
        movable = sum(self.demand_kwh) * share
        self.demand_kwh = [d * (1.0 - share) + p * movable for d, p in zip(self.demand_kwh, pv_shape)]

    def settle_energy(self) -> None:
        """What I imported and exported, and my energy bill (:mod:`commons_abm.energy`)."""
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
        self.energy_cost_eur = (self.imported * tariffs.import_eur_per_kwh
                                - self.exported * tariffs.export_eur_per_kwh
                                + (self.received - self.used) * tariffs.community_eur_per_kwh)
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
        mediated (:mod:`commons_abm.monitoring`, :mod:`commons_abm.sanctions`,
        :mod:`commons_abm.mediation`)."""
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
        excluded = (inst.exclude_after > 0 and accused and self.member
                    and self.offence_level >= inst.exclude_after)
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
        self.net_benefit_eur = ((self.energy_reference_eur - self.energy_cost_eur)
                                + (self.material_reference_eur - self.material_cost_eur)
                                - self.fees_eur - self.fines_eur - self.governance_cost_eur)
        self.cumulative_net_benefit_eur += self.net_benefit_eur

    # ---------------------------------------------------------------- learn
    def learn(self) -> None:
        """Trust in each neighbour, satisfaction, institutional trust and my beliefs
        (:mod:`commons_abm.trust`, :mod:`commons_abm.satisfaction`, :mod:`commons_abm.decisions`)."""
        model = self.model
        b, ref = model.scenario.behaviour, model.reference
        t, d = b.trust, b.decisions
        trust = model.state.ties.trust
        # trust in each neighbour follows what the neighbour did today
        for other, slot in zip(self.neighbour_agents, self.tie_slots):
            prior = float(trust[slot])
            seen = other.cooperated
            change = t.interpersonal_gain * (1.0 - prior) if seen else -t.interpersonal_loss * prior
            trust[slot] = prior + _clip(change * _confirmation(prior, seen, t.confirmation_bias), -prior, 1.0 - prior)

        # satisfaction: today's gain, and the fairness of the pool for contributors
        s = b.satisfaction
        fair = 0.0
        if self.member and self.offered > 0 and ref.return_per_kwh > 0:
            fair = _clip((self.received / self.offered) / ref.return_per_kwh - 1.0, -1.0, 1.0)
        target = _sigmoid(self.net_benefit_eur / s.benefit_scale_eur_per_day + s.fairness_weight * fair)
        self.satisfaction_short += s.short_rate * (target - self.satisfaction_short)
        self.satisfaction_long += s.long_rate * (target - self.satisfaction_long)
        self.satisfaction = (1.0 - s.long_run_weight) * self.satisfaction_short + (
            s.long_run_weight * self.satisfaction_long)

        # institutional trust: satisfaction, the compliance I see, and today's events
        T = self.trust_institutional
        if self.member:
            signal = 2.0 * (self.satisfaction_short - 0.5) + t.observed_compliance_weight * (
                2.0 * ref.assembly_compliance[self.assembly] - 1.0)
            up = signal > 0
            change = t.institutional_gain * signal * (1.0 - T) if up else t.institutional_loss * signal * T
            T += change * _confirmation(T, up, t.confirmation_bias)
        if self.wrongful_stands:
            T *= 1.0 - (t.wrongful_sanction_loss if self.fines_eur > 0 else WARNING_SHARE * t.wrongful_sanction_loss)
        if self.settled:
            T += MEDIATION_REPAIR * t.institutional_gain * (1.0 - T)
        voice = model.voice * model.rule_security  # a vote officials may override counts less
        if voice > 0 and self.voiced:
            T += t.institutional_gain * voice * (1.0 - T)
        self.trust_institutional = _clip(T)

        # beliefs: what my trusted neighbours did, and the community-wide rate
        public = ref.public_rate
        trusts = [float(trust[slot]) for slot in self.tie_slots]
        k = d.trust_weighted_attention  # attention to a neighbour grows with trust in it
        weights = [(1.0 - k) + k * t_j for t_j in trusts]
        total = sum(weights)
        if total > 0:
            neighbours = sum(w for w, o in zip(weights, self.neighbour_agents) if o.cooperated) / total
        else:
            neighbours = public
        mean_trust = sum(trusts) / len(trusts) if trusts else 0.0
        observed = (1.0 - d.public_information) * neighbours + d.public_information * public
        self.belief = float(revised_beliefs(np.array([self.belief]), np.array([observed]), mean_trust, b)[0])

    def review_membership(self) -> None:
        """Now and then, leave if dissatisfied, or join if trusted members I know are
        more satisfied than I am (:mod:`commons_abm.membership`)."""
        model = self.model
        p = model.scenario.behaviour.participation
        if not model.rngs["behaviour"].random() < 1.0 / p.review_days:
            return
        if self.member:
            if self.satisfaction < p.leave_threshold:
                self.member = False
                self.attended_last = False
            return
        trust = model.state.ties.trust
        num = den = 0.0
        for other, slot in zip(self.neighbour_agents, self.tie_slots):
            if other.member:
                num += float(trust[slot]) * other.satisfaction
                den += float(trust[slot])
        expected = num / den if den > 0 else 0.0
        if (self.excluded_until <= model.today.step and expected > p.join_threshold
                and expected > self.satisfaction):
            self.member = True

    def attends_meeting(self, group_cost: float) -> bool:
        """Whether I, a member, go to today's meeting (:mod:`commons_abm.collective_choice`)."""
        model = self.model
        p, inst = model.scenario.behaviour.participation, model.institutions
        cost = p.participation_cost * (1.0 - (inst.participation_cost_reduction if inst.operator else 0.0))
        logit = (p.attendance_base + p.attendance_satisfaction * (self.satisfaction - 0.5)
                 + p.attendance_trust * (self.trust_institutional - 0.5)
                 + p.attendance_habit * self.attended_last - cost - group_cost)
        return bool(model.rngs["governance"].random() < _sigmoid(logit))


class HouseholdRules(AgentRules):
    """A household's waste: sorted, brought to the hub, kept or dumped (:mod:`commons_abm.materials`)."""

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
        self.material_cost_eur = (self.recycled_kg * c.recycling_eur_per_kg + self.recovered_kg * c.recovery_eur_per_kg
                                  + self.landfilled_kg * c.landfill_eur_per_kg
                                  + accepted_reuse * c.reuse_eur_per_kg + accepted_repair * c.repair_eur_per_kg)
        residual_price = e * c.recovery_eur_per_kg + (1.0 - e) * c.landfill_eur_per_kg
        self.material_reference_eur = (self.sorted_kg * c.recycling_eur_per_kg
                                       + (self.waste_kg - self.sorted_kg) * (1.0 - self.dumping_rate) * residual_price)


class FirmRules(AgentRules):
    """A firm's by-products and inputs: industrial symbiosis with tied firms (:mod:`commons_abm.symbiosis`)."""

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
        return [o for o in self.neighbour_agents if o.kind_code == FIRM and o.input_type == mine]

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
        self.material_cost_eur = (self.recycled_kg * c.recycling_eur_per_kg + self.recovered_kg * c.recovery_eur_per_kg
                                  + self.landfilled_kg * c.landfill_eur_per_kg + self.virgin_kg * c.virgin_eur_per_kg
                                  + self.secondary_kg * c.secondary_eur_per_kg
                                  + self.sold_kg * (c.reuse_eur_per_kg - c.secondary_eur_per_kg))
        residual_price = e * c.recovery_eur_per_kg + (1.0 - e) * c.landfill_eur_per_kg
        self.material_reference_eur = (self.input_demand_kg * c.virgin_eur_per_kg
                                       + self.byproduct_kg * (r * c.recycling_eur_per_kg + (1.0 - r) * residual_price))


class ReferenceEngine:
    """The community's part of a day in the reference engine, over the model's agents."""

    def __init__(self, model: CommonsModel) -> None:
        self.model = model
        model.ensure_agents()
        self.everyone = [model.agent_at(i) for i in range(model.state.n)]
        ties = model.state.ties
        for agent in self.everyone:
            agent.assembly = int(model.assembly[agent.index])
            agent.voiced = False
            # neighbours from the network space; my trust in each is kept on the tie
            lo = int(ties.indptr[agent.index])
            slot_of = {int(j): lo + k for k, j in enumerate(ties.neighbours(agent.index))}
            cells = sorted(agent.cell.connections.values(), key=lambda cell: slot_of[cell.coordinate])
            agent.neighbour_agents = [cell.agents[0] for cell in cells]
            agent.tie_slots = [slot_of[cell.coordinate] for cell in cells]
        self.pv_per_kwp: list[float] = [0.0] * HOURS
        self.pv_shape: list[float] | None = None
        self.used_share: list[float] = [0.0] * HOURS
        self.governance: dict[str, float] = {}

    # ---------------------------------------------------------------- a day
    def step(self, day: Day) -> None:
        """Simulate one day, agent by agent."""
        model = self.model
        model.today = day
        pv = model.scenario.energy.pv
        per_kwp = (hourly_yield(pv, day.day_of_year) * clearness(pv, model.rngs["weather"])).tolist()
        self.pv_per_kwp = per_kwp
        # when the territory's PV produces today, as shares of the day's production
        owners_kwp = sum(a.pv_kwp * a.pv_performance for a in self.everyone if a.pv_kwp * a.pv_performance > 0)
        total = sum(per_kwp) * owners_kwp
        self.pv_shape = [p / sum(per_kwp) for p in per_kwp] if total > 0 else None
        agents = model.agents
        agents.shuffle_do("step")
        model.last_energy = self.exchange_energy(day)
        if model.record_hourly:
            h = model.last_energy.hourly
            model.hourly.append(np.stack([np.asarray(h[name], float) for name in HOURLY_FLOWS]))
        model.last_materials = self.exchange_materials()
        self.governance = dict.fromkeys(("monitoring_cost", "official_cost", "peer_cost", "sanctions",
                                         "sanction_cost", "mediation_cost"), 0.0)
        agents.shuffle_do("face_monitors")
        self.collective_choice(day)
        self.officials_act(day)
        self.settle_accounts()
        self.prepare_learning()
        agents.shuffle_do("learn")
        agents.shuffle_do("review_membership")
        model._record(day)

    # --------------------------------------------------------------- energy
    def exchange_energy(self, day: Day) -> EnergyDay:
        """The community pool hour by hour: offers serve the eligible agents' deficits
        directly, the rest charges the battery, the battery covers what is still missing,
        and the allocation key shares what is delivered (:mod:`commons_abm.energy`)."""
        model = self.model
        inst, energy = model.institutions, model.scenario.energy
        everyone = self.everyone
        eligible = everyone if inst.boundary == "open_access" else [a for a in everyone if a.member]
        supply = [sum(a.offer_kwh[h] for a in everyone) for h in range(HOURS)]
        need = [sum(a.deficit_kwh[h] for a in eligible) for h in range(HOURS)]
        direct = [min(s, n) for s, n in zip(supply, need)]
        battery = dispatch(np.subtract(supply, direct), np.subtract(need, direct),
                           model.state.commons.battery_soc_kwh, energy.battery)
        charge, discharge = battery.charge_in.tolist(), battery.discharge_out.tolist()
        self.used_share = [(d + c) / s if s > 0 else 0.0 for d, c, s in zip(direct, charge, supply)]
        before = [a.contributed_kwh for a in eligible]
        running = [0.0] * len(eligible)  # each agent's offer so far today
        for h in range(HOURS):
            running = [r + a.offer_kwh[h] for r, a in zip(running, eligible)]
            shares = self.allocate(direct[h] + discharge[h], eligible, h, before, running)
            for a, x in zip(eligible, shares):
                a.received_kwh[h] = x
        for a in everyone:
            a.settle_energy()
        model.state.commons.battery_soc_kwh = battery.soc_end
        tariffs = energy.tariffs
        account = tariffs.community_eur_per_kwh * (sum(a.received for a in everyone) - sum(a.used for a in everyone))
        model.state.commons.community_account_eur += account
        production = sum(a.produced for a in everyone)
        consumption = sum(a.consumed for a in everyone)
        imported = sum(a.imported for a in everyone)
        exported = sum(a.exported for a in everyone)
        losses = float(battery.losses.sum())
        change = battery.soc_end - battery.soc_start
        agent = {name: np.array([getattr(a, attr) for a in everyone]) for name, attr in (
            ("import", "imported"), ("export", "exported"), ("received", "received"), ("offered", "offered"),
            ("cost", "energy_cost_eur"), ("reference", "energy_reference_eur"))}
        hour_pv = [sum(a.pv_kwh[h] for a in everyone) for h in range(HOURS)]
        hour_demand = [sum(a.demand_kwh[h] for a in everyone) for h in range(HOURS)]
        hour_self = [hour_pv[h] - sum(a.surplus_kwh[h] for a in everyone) for h in range(HOURS)]
        hour_received = [sum(a.received_kwh[h] for a in everyone) for h in range(HOURS)]
        return EnergyDay(
            production=production, consumption=consumption,
            self_consumed=sum(a.self_consumed for a in everyone), pool_direct=sum(direct),
            battery_charge_in=sum(charge), battery_discharge_out=sum(discharge), battery_change=change,
            losses=losses, import_=imported, export=exported, offered=sum(a.offered for a in everyone),
            pool_export=sum(s - d - c for s, d, c in zip(supply, direct, charge)),
            residual=production + imported - (consumption + exported + change + losses),
            agent_import=agent["import"], agent_export=agent["export"], agent_received=agent["received"],
            agent_offered=agent["offered"], agent_cost_eur=agent["cost"],
            agent_reference_cost_eur=agent["reference"], community_account_eur=account,
            hourly={
                "pv": np.array(hour_pv), "demand": np.array(hour_demand), "self_consumed": np.array(hour_self),
                "pool_direct": np.array(direct), "battery_charge": battery.charge_in,
                "battery_discharge": battery.discharge_out,
                "import": np.subtract(np.subtract(hour_demand, hour_self), hour_received),
                "export": np.subtract(np.subtract(np.subtract(hour_pv, hour_self), direct), charge),
                "soc_kwh": battery.soc,
            })

    def allocate(self, amount: float, eligible: list, h: int, before: list[float],
                 running: list[float]) -> list[float]:
        """Share one hour's delivered energy among the eligible agents by the allocation
        key, in priority tiers (:mod:`commons_abm.allocation`); each agent's claim
        multiplies its weight, its deficit caps what it gets."""
        key = self.model.institutions.allocation_key
        caps = [a.deficit_kwh[h] for a in eligible]
        claim = [a.claim for a in eligible]
        by_demand = [a.demand_kwh[h] * c for a, c in zip(eligible, claim)]
        if key == "equal":
            tiers = [claim]
        elif key == "pro_rata_consumption":
            tiers = [by_demand]
        elif key == "pro_rata_contribution":  # contributors first, by what they offered so far
            tiers = [[(b + r) * c for b, r, c in zip(before, running, claim)], by_demand]
        else:  # needs_first: energy-poor households first
            tiers = [[w if a.energy_poor else 0.0 for w, a in zip(by_demand, eligible)], by_demand]
        total = [0.0] * len(eligible)
        left = amount
        for weights in tiers:
            if left <= 0:
                break
            x = water_fill(left, caps, weights)
            placed = sum(x)
            room = sum(c for c, w in zip(caps, weights) if c > 0 and w > 0)
            left = 0.0 if left < room else max(left - placed, 0.0)
            caps = [max(c - xi, 0.0) for c, xi in zip(caps, x)]
            total = [t + xi for t, xi in zip(total, x)]
        return total

    # ------------------------------------------------------------ materials
    def exchange_materials(self) -> MaterialsDay:
        """Firms trade by-products over their ties; the hub takes in, reuses and repairs
        (:mod:`commons_abm.symbiosis`, :mod:`commons_abm.hub`, :mod:`commons_abm.materials`)."""
        model = self.model
        m = model.scenario.materials
        everyone = self.everyone
        firms = [a for a in everyone if a.kind_code == FIRM]
        if m.firms.symbiosis:
            for firm in firms:
                firm.offer_byproducts()
            for firm in firms:
                firm.accept_offers()
        commons = model.state.commons
        self.hub = hub = hub_day(commons.hub_reusable_kg, commons.hub_repairable_kg,
                                 sum(a.bring_reuse_kg for a in everyone),
                                 sum(a.bring_repair_kg for a in everyone), m.hub)
        commons.hub_reusable_kg, commons.hub_repairable_kg = hub.reusable_end, hub.repairable_end
        for a in everyone:
            a.settle_materials()
        household_waste = sum(a.waste_kg for a in everyone)
        byproducts = sum(a.byproduct_kg for a in everyone)
        symbiosis = sum(a.secondary_kg for a in everyone)
        inputs = household_waste + byproducts
        reuse, repair = hub.reused + symbiosis, hub.repaired
        recycling = sum(a.recycled_kg for a in everyone) + hub.repair_failed
        recovery = sum(a.recovered_kg for a in everyone)
        landfill = sum(a.landfilled_kg for a in everyone)
        dumping = sum(a.dumped_kg for a in everyone)
        virgin_input = sum(a.virgin_kg for a in everyone)
        virgin_material = max(household_waste - hub.reused - hub.repaired, 0.0) + virgin_input
        circular = reuse + repair + recycling
        return MaterialsDay(
            inputs=inputs, household_waste=household_waste, byproducts=byproducts, reuse=reuse,
            repair=repair, recycling=recycling, recovery=recovery, landfill=landfill, dumping=dumping,
            stock_change=hub.stock_change,
            residual=inputs - (reuse + repair + recycling + recovery + landfill + dumping + hub.stock_change),
            symbiosis=symbiosis, virgin_input=virgin_input,
            material_demand=household_waste + sum(a.input_demand_kg for a in everyone),
            virgin_material=virgin_material,
            circularity=circular / (circular + virgin_material) if circular + virgin_material > 0 else 0.0,
            hub_refused=hub.refused, hub_reusable_kg=hub.reusable_end, hub_repairable_kg=hub.repairable_end,
            dumping_cleanup_eur=dumping * m.costs.dumping_eur_per_kg,
            waste_kg=np.array([a.waste_kg for a in everyone]),
            dumped_kg=np.array([a.dumped_kg for a in everyone]),
            brought_kg=np.array([a.bring_reuse_kg + a.bring_repair_kg for a in everyone]),
            byproduct_kg=np.array([a.byproduct_kg for a in everyone]),
            secondary_kg=np.array([a.secondary_kg for a in everyone]),
            virgin_kg=np.array([a.virgin_kg for a in everyone]),
            reference_cost_eur=np.array([a.material_reference_eur for a in everyone]))

    # ----------------------------------------------------------- governance
    def collective_choice(self, day: Day) -> None:
        """Members meet, talk and vote, assembly by assembly (:mod:`commons_abm.collective_choice`)."""
        model = self.model
        inst, b = model.institutions, model.scenario.behaviour
        model._meeting = None
        for a in self.everyone:
            a.voiced = False
        if not meeting_due(inst, day.step):
            return
        levels, count = model.levels, model.levels.fine_scale.size
        members = [a for a in self.everyone if a.member]
        size = [0] * count
        for a in members:
            size[a.assembly] += 1
        attendees: list[list] = [[] for _ in range(count)]
        for a in self.everyone:  # in index order, like the array engine's draws
            if a.member:
                group_cost = b.participation.group_size_cost * math.log2(max(size[a.assembly] / 20.0, 1.0))
                went = a.attends_meeting(group_cost)
            else:
                went = False
            a.attended_last = went
            if went:
                attendees[a.assembly].append(a)
                a.meetings_attended += 1
            if a.member:
                a.meetings_eligible += 1
        # talk: expectations move toward the attendees' average intention; ties gain trust
        trust = model.state.ties.trust
        for group in attendees:
            if not group:
                continue
            intention = sum(a.propensity for a in group) / len(group)
            for a in group:
                a.belief += COMMUNICATION * (intention - a.belief)
            present = set(group)
            for a in group:
                for other, slot in zip(a.neighbour_agents, a.tie_slots):
                    if other in present:
                        trust[slot] += b.trust.meeting_gain * (1.0 - trust[slot])
        # vote, where the quorum is reached
        valid = [bool(group) and len(group) >= inst.quorum * max(size[k], 1) for k, group in enumerate(attendees)]
        votes = [0.0] * count
        for k, group in enumerate(attendees):
            if not valid[k]:
                continue
            bound = [a for a in members if a.assembly == k and a.bound]
            breaches = sum(1 for a in bound if a.breach)
            strict = bool(bound) and breaches / len(bound) > STRICTER_WHEN_BREACHES_ABOVE
            ballots = [float(strict) if a.cooperated else -1.0 for a in group]
            votes[k] = float(np.sign(statistics.median(ballots)))
        voice = model.voice
        if voice > 0:
            account = model.state.commons.community_account_eur
            budget = -1.0 if account > 90 * model._daily_fixed_cost() else (1.0 if account < 0 else 0.0)
            official = RuleLevels.initial(inst, count)
            for k in range(count):
                if not valid[k]:
                    continue
                fine = _clip(levels.fine_scale[k] * FINE_STEP ** votes[k], *FINE_BOUNDS)
                quota = _clip(levels.quota[k] + QUOTA_STEP * votes[k]) if inst.min_share is not None \
                    else levels.quota[k]
                fee = levels.fee_eur_per_day[k] * FEE_STEP ** budget
                levels.fine_scale[k] = (1.0 - voice) * official.fine_scale[k] + voice * fine
                levels.quota[k] = (1.0 - voice) * official.quota[k] + voice * quota
                levels.fee_eur_per_day[k] = (1.0 - voice) * official.fee_eur_per_day[k] + voice * fee
                levels.chosen[k] = True
        for k, group in enumerate(attendees):
            for a in group:
                a.voiced = valid[k]
        held = sum(1 for group in attendees if group)
        attended = np.array([a.attended_last for a in self.everyone])
        model._meeting = MeetingDay(attended, len([a for a in self.everyone if a.attended_last]) / len(members)
                                    if members else 0.0, np.array(valid), np.array(votes),
                                    inst.meeting_cost_eur * held)
        model._attendance_rate = model._meeting.attendance_rate

    def officials_act(self, day: Day) -> None:
        """Officials' stance, overrides and elections (:mod:`commons_abm.officials`)."""
        model = self.model
        inst, t = model.institutions, model.scenario.behaviour.trust
        rng, polity, levels = model.rngs["governance"], model.polity, model.levels
        members = [a for a in self.everyone if a.member]
        today = OfficialsDay()
        signal = STANCE_SIGNAL[inst.stance]
        if signal and inst.has_rules:
            scale = t.institutional_gain * (1.0 + t.authority_bias) if signal > 0 else t.institutional_loss * (
                1.0 - t.authority_bias)
            for a in members:
                T = a.trust_institutional
                a.trust_institutional = T + scale * abs(signal) * ((1.0 - T) if signal > 0 else -T)
        rate = overrides_per_year(inst)
        if rate > 0 and levels.chosen.any() and rng.random() < rate / 365.0:
            levels.reset(inst)
            for a in members:
                a.trust_institutional *= 1.0 - t.override_loss * (1.0 - t.authority_bias)
            today.override = True
        if day.step > 0 and day.step % inst.electoral_cycle_days == 0:
            today.election = True
            if rng.random() < inst.posture_change_probability:
                move = 1 if rng.random() < 0.5 else -1
                polity.posture = POSTURES[min(max(polity.rung + move, 0), len(POSTURES) - 1)]
            start = model.scenario.behaviour.initial_trust_institutional
            for a in members:
                a.trust_institutional = start + inst.staff_continuity * (a.trust_institutional - start)
        for a in self.everyone:
            a.trust_institutional = _clip(a.trust_institutional)
        model._officials_day = today

    def settle_accounts(self) -> None:
        """Everyone pays; the community account pays the community's costs."""
        from commons_abm.model import GovernanceDay

        model, inst, g = self.model, self.model.institutions, self.governance
        everyone = self.everyone
        watchers = sum(1 for a in everyone if a.watching)
        self.peer_cost_per_watcher = g["peer_cost"] / watchers if watchers else 0.0
        for a in everyone:
            a.settle_accounts()
        meeting_cost = model._meeting.cost_eur if model._meeting is not None else 0.0
        peer_paid = self.peer_cost_per_watcher * watchers
        community_cost = (inst.operator_cost_eur_per_day + meeting_cost + g["mediation_cost"] + g["sanction_cost"]
                          + g["monitoring_cost"] - g["official_cost"] - peer_paid)
        model.state.commons.community_account_eur += (sum(a.fees_eur for a in everyone)
                                                      + sum(a.fines_eur for a in everyone) - community_cost)
        cooperated = np.array([a.cooperated for a in everyone], dtype=bool)
        bound = np.array([a.bound for a in everyone], dtype=bool)
        model.last_governance = GovernanceDay(
            meeting_held=model._meeting is not None, attendance_rate=model._attendance_rate,
            compliance_rate=compliance_rate(cooperated, bound), sanctions=int(g["sanctions"]),
            wrongful_sanctions=sum(1 for a in everyone if a.wrongful_stands),
            mediated=sum(1 for a in everyone if a.settled), override=model._officials_day.override,
            cost_eur=community_cost + g["official_cost"] + peer_paid)
        model._detection = Detection(np.array([a.detected for a in everyone]),
                                     np.array([a.wrongly_accused for a in everyone]),
                                     np.zeros(len(everyone), bool), g["monitoring_cost"], g["official_cost"],
                                     np.array([a.governance_cost_eur for a in everyone]))
        model._sanctions = SanctionDay(np.array([a.sanctioned for a in everyone]),
                                       np.array([a.fines_eur for a in everyone]), np.zeros(len(everyone), bool),
                                       g["sanction_cost"])
        settled = np.array([a.settled for a in everyone])
        model._mediation = MediationDay(np.array([a.wrongful_stands for a in everyone]) | settled, settled,
                                        g["mediation_cost"])

    def prepare_learning(self) -> None:
        """What every agent sees when it learns: the community-wide cooperation rate, the
        compliance in its assembly and the pool's return per kWh offered."""
        everyone = self.everyone
        self.public_rate = sum(1 for a in everyone if a.cooperated) / len(everyone) if everyone else 0.0
        count = self.model.levels.fine_scale.size
        anyone_bound = any(a.bound for a in everyone)
        seen, kept = [0] * count, [0] * count
        for a in everyone:
            if a.bound or not anyone_bound:
                seen[a.assembly] += 1
                kept[a.assembly] += a.cooperated
        self.assembly_compliance = [k / s if s else 1.0 for k, s in zip(kept, seen)]
        contributors = [a for a in everyone if a.offered > 0]
        offered = sum(a.offered for a in contributors)
        received = sum(a.received for a in contributors)
        self.return_per_kwh = received / offered if offered > 0 else 0.0
