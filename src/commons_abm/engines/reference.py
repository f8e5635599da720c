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
streams (:mod:`commons_abm.core.seeding`) and build the same territory from a seed; the runs
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

Over 400 lines: the community's part of every stage of the day, written out one agent at
a time in plain Python, is the readable specification the array engines are tested
against; split, the day would no longer read in one place.
"""

from __future__ import annotations

import statistics
from typing import Any, Protocol

import numpy as np

from commons_abm.behaviour.satisfaction import pool_return
from commons_abm.behaviour.trust import assembly_compliance
from commons_abm.behaviour.waste_choices import choice_parameters, waste_charge
from commons_abm.core.calendar import HOURS, Day
from commons_abm.core.indicators import compliance_rate, followed_rules
from commons_abm.core.records import GovernanceDay
from commons_abm.core.state import INSTITUTIONAL
from commons_abm.energy.allocation_keys import KEY_CODES, allocate_hour_lists
from commons_abm.energy.battery import BatteryDay, battery_hour, battery_parameters, may_discharge, stored_at_start
from commons_abm.energy.exchange import HOURLY_FLOWS, EnergyDay
from commons_abm.engines import staged
from commons_abm.engines.day import STAGE_NAMES, Simulation
from commons_abm.governance.accounts import community_accounts, daily_fixed_cost
from commons_abm.governance.collective_choice import (
    COMMUNICATION,
    STRICTER_WHEN_BREACHES_ABOVE,
    MeetingDay,
    initial_levels,
    meeting_due,
    seen_breaches,
    talk_target,
    vote_budget,
    voted_levels,
)
from commons_abm.governance.mediation import MediationDay
from commons_abm.governance.monitoring import Detection
from commons_abm.governance.officials import (
    OfficialsDay,
    members_voice,
    official_trust,
    officials_events,
    officials_parameters,
)
from commons_abm.governance.rulebook import POSTURES, STANCES
from commons_abm.governance.sanctions import SanctionDay
from commons_abm.materials.byproduct_matches import delivering, match_day, match_parameters, matches_of
from commons_abm.materials.hub_organisation import (
    hub_account,
    hub_capacity,
    organisation_parameters,
    staff_hours,
    volunteer_ask,
)
from commons_abm.materials.repair_hub import capacities, hub_flows
from commons_abm.materials.routing import MaterialRoutes, MaterialsDay, material_totals, materials_day
from commons_abm.territory.solar import clearness, hourly_yield

__all__ = ["AgentSimulation", "ReferenceEngine"]


class AgentSimulation(Simulation, Protocol):
    """A run with Mesa agents, one per row of the state (the model)."""

    agents: Any

    def ensure_agents(self) -> None: ...

    def agent_at(self, index: int) -> Any: ...


class ReferenceEngine:
    """The community's part of a day in the reference engine, over the model's agents."""

    def __init__(self, model: AgentSimulation) -> None:
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
        self.deterred = False  # whether sanctions deter anyone today (set as the day's decisions begin)

    # ---------------------------------------------------------------- a day
    def step(self, day: Day) -> None:
        """Simulate one day, agent by agent: the stages of the declared day, in order."""
        model = self.model
        model.today = day
        pv = model.scenario.energy.pv
        per_kwp = (hourly_yield(pv, day.day_of_year) * clearness(pv, model.rngs["weather"])).tolist()
        self.pv_per_kwp = per_kwp
        # when the territory's PV produces today, as shares of the day's production
        owners_kwp = sum(a.pv_kwp * a.pv_performance for a in self.everyone if a.pv_kwp * a.pv_performance > 0)
        total = sum(per_kwp) * owners_kwp
        self.pv_shape = [p / sum(per_kwp) for p in per_kwp] if total > 0 else None
        for name in STAGE_NAMES:
            getattr(self, name)(day)

    def decide(self, day: Day) -> None:
        """Each agent decides, and plans its energy and materials (``AgentRules.step``);
        sanctions deter today if a rule backed by one binds anyone (``deterred``)."""
        inst = self.model.institutions
        self.charge = waste_charge(inst)  # how households pay for their waste today
        self.choice = choice_parameters(self.model.scenario)  # ... and their efforts and values
        self.deterred = (
            inst.sanction_scheme != "none" and bool(inst.sanctioned) and any(a.is_bound(True) for a in self.everyone)
        )
        self.model.agents.shuffle_do("step")

    def enforce_rules(self, day: Day) -> None:
        """Each agent faces the monitors, the sanctions and mediation, one at a time."""
        self.governance = dict.fromkeys(
            (
                "monitoring_cost",
                "official_cost",
                "peer_cost",
                "duty_cost",
                "sanctions",
                "sanction_cost",
                "mediation_cost",
            ),
            0.0,
        )
        self.model.agents.shuffle_do("face_monitors")

    def learn(self, day: Day) -> None:
        """Each agent learns, from what the community did today."""
        self.prepare_learning()
        self.model.agents.shuffle_do("learn")

    def review_membership(self, day: Day) -> None:
        """Each agent joins or leaves."""
        self.model.agents.shuffle_do("review_membership")

    def record(self, day: Day) -> None:
        """The day's indicators, as the array engine records them."""
        staged.record(self.model, day)

    def exchange_energy(self, day: Day) -> None:
        """The day's energy: each agent's own PV, then the community pool (:meth:`pool_energy`)."""
        model = self.model
        model.last_energy = self.pool_energy(day)
        if model.record_hourly:
            h = model.last_energy.hourly
            model.hourly.append(np.stack([np.asarray(h[name], float) for name in HOURLY_FLOWS]))

    def route_materials(self, day: Day) -> None:
        """The day's goods and by-products: symbiosis offers, the hub (:meth:`pool_materials`)."""
        self.model.last_materials = self.pool_materials()

    # --------------------------------------------------------------- energy
    def pool_energy(self, day: Day) -> EnergyDay:
        """The collective self-consumption operation hour by hour: the key shares the member
        producers' surplus among the participants' deficits, what it leaves charges the
        battery, the battery's output is shared by the same key (:mod:`commons_abm.energy.exchange`)."""
        model = self.model
        inst, energy = model.institutions, model.scenario.energy
        everyone = self.everyone
        eligible = everyone if inst.boundary == "open_access" else [a for a in everyone if a.member]
        supply = [sum(a.offer_kwh[h] for a in everyone) for h in range(HOURS)]
        key = KEY_CODES[inst.allocation_key]
        before = [a.contributed_kwh for a in eligible]
        running = [0.0] * len(eligible)  # each agent's offer so far today
        so_far = []
        direct = []
        layers = self.federation_layers(eligible) if len(everyone) and int(model.assembly.max()) > 0 else None
        for h in range(HOURS):
            running = [r + a.offer_kwh[h] for r, a in zip(running, eligible)]
            so_far.append(running)
            caps = [a.deficit_kwh[h] for a in eligible]
            if layers is not None:
                shares = self.federated_hour(key, h, eligible, caps, before, running, layers)
            else:
                shares = self.allocate(key, supply[h], eligible, h, caps, [1.0] * len(eligible), before, running)
            for a, x in zip(eligible, shares):
                a.received_kwh[h] = x
            direct.append(sum(shares))
        need = [sum(max(a.deficit_kwh[h] - a.received_kwh[h], 0.0) for a in eligible) for h in range(HOURS)]
        battery = self.battery_day(np.subtract(supply, direct), np.array(need))
        charge, discharge = battery.charge_in.tolist(), battery.discharge_out.tolist()
        self.used_share = [(d + c) / s if s > 0 else 0.0 for d, c, s in zip(direct, charge, supply)]
        battery_key = KEY_CODES["equal"] if inst.allocation_key == "static" else key
        from_battery = [0.0] * len(eligible)
        for h in range(HOURS):
            caps = [max(a.deficit_kwh[h] - a.received_kwh[h], 0.0) for a in eligible]
            claims = [a.claim for a in eligible]
            shares = self.allocate(battery_key, discharge[h], eligible, h, caps, claims, before, so_far[h])
            for e, (a, x) in enumerate(zip(eligible, shares)):
                a.received_kwh[h] += x
                from_battery[e] += x
        for a in everyone:
            a.battery_received_kwh = 0.0
        for a, x in zip(eligible, from_battery):
            a.battery_received_kwh = x
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
        agent = {
            name: np.array([getattr(a, attr) for a in everyone])
            for name, attr in (
                ("import", "imported"),
                ("export", "exported"),
                ("received", "received"),
                ("offered", "offered"),
                ("battery", "battery_received_kwh"),
                ("cost", "energy_cost_eur"),
                ("reference", "energy_reference_eur"),
            )
        }
        hour_pv = [sum(a.pv_kwh[h] for a in everyone) for h in range(HOURS)]
        hour_demand = [sum(a.demand_kwh[h] for a in everyone) for h in range(HOURS)]
        hour_self = [hour_pv[h] - sum(a.surplus_kwh[h] for a in everyone) for h in range(HOURS)]
        hour_received = [sum(a.received_kwh[h] for a in everyone) for h in range(HOURS)]
        net = [hour_demand[h] + charge[h] - hour_pv[h] - discharge[h] for h in range(HOURS)]
        producers = [a for a in everyone if a.member and a.pv_kwp * a.pv_performance > 0]
        participating = {id(a) for a in eligible} | {id(a) for a in producers}
        in_operation = [a for a in everyone if id(a) in participating]
        return EnergyDay(
            production=production,
            consumption=consumption,
            self_consumed=sum(a.self_consumed for a in everyone),
            pool_direct=sum(direct),
            battery_charge_in=sum(charge),
            battery_discharge_out=sum(discharge),
            battery_change=change,
            losses=losses,
            import_=imported,
            export=exported,
            offered=sum(a.offered for a in everyone),
            pool_export=sum(s - d - c for s, d, c in zip(supply, direct, charge)),
            residual=production + imported - (consumption + exported + change + losses),
            agent_import=agent["import"],
            agent_export=agent["export"],
            agent_received=agent["received"],
            agent_offered=agent["offered"],
            agent_battery=agent["battery"],
            agent_cost_eur=agent["cost"],
            agent_reference_cost_eur=agent["reference"],
            community_account_eur=account,
            grid_import=sum(max(n, 0.0) for n in net),
            grid_export=sum(max(-n, 0.0) for n in net),
            participants_demand=sum(a.consumed for a in eligible),
            participants_local=sum(a.consumed - sum(a.deficit_kwh) + a.received for a in eligible),
            operation_production=sum(a.produced for a in producers),
            operation_used=sum(a.self_consumed for a in producers) + sum(direct) + sum(charge),
            participants=float(len(in_operation)),
            participants_saving_eur=sum(a.energy_reference_eur - a.energy_cost_eur for a in in_operation),
            hourly={
                "pv": np.array(hour_pv),
                "demand": np.array(hour_demand),
                "self_consumed": np.array(hour_self),
                "pool_direct": np.array(direct),
                "battery_charge": battery.charge_in,
                "battery_discharge": battery.discharge_out,
                "import": np.subtract(np.subtract(hour_demand, hour_self), hour_received),
                "export": np.subtract(np.subtract(np.subtract(hour_pv, hour_self), direct), charge),
                "soc_kwh": battery.soc,
                "unallocated": np.subtract(supply, direct),
                "participants_import": np.maximum(np.subtract(need, discharge), 0.0),
            },
        )

    def battery_day(self, surplus: np.ndarray, deficit: np.ndarray) -> BatteryDay:
        """The shared battery, hour by hour: it stores the pool's surplus and covers its
        deficit (:func:`commons_abm.energy.battery.battery_hour`)."""
        battery = self.model.scenario.energy.battery
        p, evening_only = battery_parameters(battery), battery.dispatch == "evening_peak"
        soc = start = stored_at_start(float(self.model.state.commons.battery_soc_kwh), p.capacity_kwh)
        hours = []
        for h, (offer, need) in enumerate(zip(surplus.tolist(), deficit.tolist())):
            need = need if may_discharge(h, evening_only) else 0.0
            charge_in, discharge_out, soc, losses = battery_hour(offer, need, soc, p)
            hours.append((charge_in, discharge_out, soc, losses))
        charge_in, discharge_out, soc_path, losses = (np.array(flow) for flow in zip(*hours))
        return BatteryDay(
            charge_in=charge_in, discharge_out=discharge_out, soc=soc_path, losses=losses, soc_start=start
        )

    def federation_layers(self, eligible: list) -> list[tuple[list[int], list]]:
        """Each neighbourhood community under a federation: the positions of its participants
        among ``eligible``, and its agents (whose offers are its production)."""
        layer = self.model.assembly
        return [
            (
                [e for e, a in enumerate(eligible) if layer[a.index] == g],
                [a for a in self.everyone if layer[a.index] == g],
            )
            for g in range(int(layer.max()) + 1)
        ]

    def federated_hour(
        self,
        key: int,
        h: int,
        eligible: list,
        caps: list[float],
        before: list[float],
        running: list[float],
        layers: list[tuple[list[int], list]],
    ) -> list[float]:
        """One hour of the pool under a federation (``layers``: :meth:`federation_layers`):
        each neighbourhood community's production to its own participants first, then what
        they all left over, commune-wide, to those still in need
        (:func:`commons_abm.energy.exchange.federated_allocation`)."""
        shares = [0.0] * len(eligible)
        leftover = 0.0
        for local, agents in layers:
            supply = sum(a.offer_kwh[h] for a in agents)
            if not local:
                leftover += supply
                continue
            got = self.allocate(
                key,
                supply,
                [eligible[e] for e in local],
                h,
                [caps[e] for e in local],
                [1.0] * len(local),
                [before[e] for e in local],
                [running[e] for e in local],
            )
            for e, x in zip(local, got):
                shares[e] = x
            leftover += supply - sum(got)
        needs = [max(c - s, 0.0) for c, s in zip(caps, shares)]
        extra = self.allocate(key, leftover, eligible, h, needs, [1.0] * len(eligible), before, running)
        return [s + x for s, x in zip(shares, extra)]

    def allocate(
        self,
        key: int,
        amount: float,
        eligible: list,
        h: int,
        caps: list[float],
        claims: list[float],
        before: list[float],
        running: list[float],
    ) -> list[float]:
        """Share one hour's energy among the participants by allocation key ``key``, in
        priority tiers (:func:`commons_abm.energy.allocation_keys.allocate_hour_lists`);
        each agent's claim multiplies its weight, ``caps`` bound what each gets."""
        if not amount > 0.0:
            return [0.0] * len(eligible)
        return allocate_hour_lists(
            key,
            amount,
            caps,
            [a.deficit_kwh[h] for a in eligible],  # metered consumption, after own PV
            claims,
            [b + r for b, r in zip(before, running)],
            [a.energy_poor for a in eligible],
        )

    # ------------------------------------------------------------ materials
    def pool_materials(self) -> MaterialsDay:
        """Firms trade by-products over their ties; the hub takes in, reuses and repairs
        (:mod:`commons_abm.materials.symbiosis`, :mod:`commons_abm.materials.repair_hub`,
        :mod:`commons_abm.materials.routing`)."""
        model = self.model
        m = model.scenario.materials
        everyone = self.everyone
        firms = [a for a in everyone if a.trades_byproducts]
        # the matches' day (materials.byproduct_matches): which sellers deliver to whom today
        matches, matching = (
            matches_of(model.state, model.scenario),
            match_parameters(model.scenario, model.institutions),
        )
        delivered, self.setup_eur = match_day(
            model.rngs["materials"].random((3, matches.seller.size)),
            matches.active,
            matches.trust,
            matches.tied,
            matches.seller,
            matches.buyer,
            model.state.byproduct_kg_per_day,
            model.state.input_kg_per_day,
            matching,
        )
        self.transaction_eur_per_kg = matching.transaction_eur_per_kg
        self.buyers_today: dict[int, list[int]] = {}
        for seller, buyer in zip(*(side.tolist() for side in delivering(matches, delivered))):
            self.buyers_today.setdefault(seller, []).append(buyer)
        if m.firms.symbiosis:
            for firm in firms:
                firm.offer_byproducts()
            for firm in firms:
                firm.accept_offers()
        for a in everyone:  # in index order, as the array engine sums
            if a.to_neighbours_kg > 0.0:
                a.displace_waste()
        commons = model.state.commons
        # the hub's people today (materials.hub_organisation): volunteers one at a time, then staff
        organisation = organisation_parameters(model.scenario, model.institutions)
        staff = staff_hours(commons.hub_account_eur, organisation)
        ask = volunteer_ask(model.state.volunteer.sum(), staff, organisation)
        hours = 0.0
        for a in everyone:
            hours += a.volunteer_at_hub(organisation, ask)
        staffing = hub_capacity(hours, staff, organisation)
        self.hub = hub = hub_flows(
            commons.hub_reusable_kg,
            commons.hub_repairable_kg,
            sum(a.bring_reuse_kg for a in everyone),
            sum(a.bring_repair_kg for a in everyone),
            capacities(m.hub.storage_kg, m.hub.repair_success_rate, staffing),
        )
        commons.hub_reusable_kg, commons.hub_repairable_kg = hub.reusable_end_kg, hub.repairable_end_kg
        for a in everyone:
            a.settle_materials()
        totals = material_totals(
            sum(a.waste_kg for a in everyone),
            sum(a.byproduct_kg for a in everyone),
            hub,
            sum(a.secondary_kg for a in everyone),
            sum(a.recycled_kg for a in everyone),
            sum(a.sorted_kg for a in everyone),
            sum(a.composted_kg for a in everyone),
            sum(a.recovered_kg for a in everyone),
            sum(a.landfilled_kg for a in everyone),
            sum(a.dumped_kg for a in everyone),
            sum(a.displaced_in_kg for a in everyone),
            sum(a.virgin_kg for a in everyone),
            sum(a.input_demand_kg for a in everyone),
            sum(a.hub_fees_eur for a in everyone),
            m.hub.parts_recycled_share,
            m.households.energy_recovery_share,
        )
        commons.hub_account_eur = hub_account(
            commons.hub_account_eur,
            totals.hub_fees_eur,
            totals.hub_reused_kg,
            staffing.staff_hours,
            float(model.acts.hub_funding[model.polity.stance_code]),
            organisation,
        )
        commons.hub_volunteer_hours = staffing.volunteer_hours
        commons.hub_staff_hours = staffing.staff_hours
        commons.hub_open_hours = staffing.open_hours

        def per_agent(name: str) -> np.ndarray:
            return np.array([getattr(a, name) for a in everyone], dtype=float)

        routes = MaterialRoutes(
            waste_kg=per_agent("waste_kg"),
            dumped_kg=per_agent("dumped_kg"),
            displaced_kg=per_agent("displaced_in_kg"),
            brought_kg=per_agent("bring_reuse_kg") + per_agent("bring_repair_kg"),
            byproduct_kg=per_agent("byproduct_kg"),
            secondary_kg=per_agent("secondary_kg"),
            virgin_kg=per_agent("virgin_kg"),
            cost_eur=per_agent("material_cost_eur"),
            reference_cost_eur=per_agent("material_reference_eur"),
            totals=totals,
        )
        return materials_day(routes, m.costs.dumping_eur_per_kg)

    # ----------------------------------------------------------- governance
    def collective_choice(self, day: Day) -> None:
        """Members meet, talk and vote, assembly by assembly (:mod:`commons_abm.governance.collective_choice`)."""
        model = self.model
        inst, b = model.institutions, model.scenario.behaviour
        model.results.meeting = None
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
                went = a.attends_meeting(float(size[a.assembly]))
            else:
                went = False
            a.attended_last = went
            if went:
                attendees[a.assembly].append(a)
                a.meetings_attended += 1
            if a.member:
                a.meetings_eligible += 1
        # talk: expectations move toward the assembly's talk target; ties gain trust
        trust = model.state.ties.trust
        public = sum(1 for a in self.everyone if a.cooperated) / len(self.everyone)  # known to all before
        bias = b.biases
        cohesion = [0.0] * count
        for k, group in enumerate(attendees):
            if not group:
                continue
            intention = sum(a.propensity for a in group) / len(group)
            target = talk_target(intention, public, bias.common_knowledge, bias.polarisation)
            for a in group:
                a.belief += COMMUNICATION * (target - a.belief)
            present = set(group)
            between = []
            for a in group:
                for other, slot in zip(a.neighbour_agents, a.tie_slots):
                    if other in present:
                        trust[slot] += b.trust.meeting_gain * (1.0 - trust[slot])
                        between.append(slot)
            cohesion[k] = float(np.mean(trust[between])) if between else 0.0
        # vote, where the quorum is reached
        valid = [bool(group) and len(group) >= inst.quorum * max(size[k], 1) for k, group in enumerate(attendees)]
        votes = [0.0] * count
        for k, group in enumerate(attendees):
            if not valid[k]:
                continue
            bound = [a for a in members if a.assembly == k and a.bound]
            breaches = sum(1 for a in bound if a.breach)
            seen = seen_breaches(breaches / len(bound), cohesion[k], bias.groupthink) if bound else 0.0
            strict = seen > STRICTER_WHEN_BREACHES_ABOVE
            ballots = [float(strict) if a.cooperated else -1.0 for a in group]
            votes[k] = float(np.sign(statistics.median(ballots)))
        voice = members_voice(model.acts, model.polity.posture)
        if voice > 0:
            account = model.state.commons.community_account_eur
            share = float(model.acts.facilitator_funding[model.polity.stance_code])
            budget = float(vote_budget(account, daily_fixed_cost(inst, count, share)))
            official = initial_levels(inst)
            for k in range(count):
                if not valid[k]:
                    continue
                levels.fine_scale[k], levels.fee_eur_per_day[k] = voted_levels(
                    levels.fine_scale[k], levels.fee_eur_per_day[k], votes[k], budget, voice, official
                )
                levels.chosen[k] = True
        for k, group in enumerate(attendees):
            for a in group:
                a.voiced = valid[k]
        held = sum(1 for group in attendees if group)
        attended = np.array([a.attended_last for a in self.everyone])
        model.results.meeting = MeetingDay(
            attended,
            len([a for a in self.everyone if a.attended_last]) / len(members) if members else 0.0,
            np.array(valid),
            np.array(votes),
            inst.meeting_cost_eur * held,
        )
        model.results.attendance_rate = model.results.meeting.attendance_rate

    def officials(self, day: Day) -> None:
        """Officials override, come to the meeting or not; elections (:mod:`commons_abm.governance.officials`)."""
        model = self.model
        inst, acts = model.institutions, model.acts
        rng, polity, levels = model.rngs["governance"], model.polity, model.levels
        today = OfficialsDay()
        met = model.results.meeting is not None
        code = polity.stance_code
        today.override, today.election, rung, stance, today.came_to_meeting = officials_events(
            rng,
            day.step,
            polity.rung,
            code,
            len(POSTURES),
            len(STANCES),
            levels.chosen,
            float(acts.overrides_per_year[code]),
            met,
            float(acts.meeting_attendance[code]),
            inst.first_election_day,
            inst.electoral_cycle_days,
            inst.posture_change_probability,
            inst.staff_continuity,
        )
        if today.override:
            levels.reset(inst)
        today.posture_before, today.stance_before = polity.posture, polity.stance
        polity.posture, polity.stance = POSTURES[rung], STANCES[stance]
        today.posture, today.stance = polity.posture, polity.stance
        p = officials_parameters(model.scenario.behaviour)
        linked = model.state.ties.linked_by(INSTITUTIONAL)
        for a in self.everyone:
            present = today.came_to_meeting and bool(a.attended_last) and met
            a.trust_institutional = float(
                official_trust(a.trust_institutional, a.member, present, today.override, bool(linked[a.index]), p)
            )
        model.results.officials = today

    def settle_accounts(self, day: Day) -> None:
        """Everyone pays; the community account pays the community's costs."""
        model, inst, g = self.model, self.model.institutions, self.governance
        everyone = self.everyone
        watchers = sum(1 for a in everyone if a.watching)
        self.peer_cost_per_watcher = g["peer_cost"] / watchers if watchers else 0.0
        on_duty = sum(1 for a in everyone if a.on_duty)
        self.duty_cost_per_member = g["duty_cost"] / on_duty if on_duty else 0.0
        for a in everyone:
            a.settle_accounts()
        meeting_cost = model.results.meeting.cost_eur if model.results.meeting is not None else 0.0
        _, account_change, governance_cost = community_accounts(
            inst.operator_cost_eur_per_day,
            float(model.acts.facilitator_funding[model.polity.stance_code]),
            meeting_cost,
            g["mediation_cost"],
            g["sanction_cost"],
            inst.commune_sanctions,
            g["monitoring_cost"],
            g["official_cost"],
            np.array([a.governance_cost_eur for a in everyone], dtype=float),
            np.array([a.fees_eur for a in everyone], dtype=float),
            np.array([a.fines_eur for a in everyone], dtype=float),
        )
        model.state.commons.community_account_eur += account_change
        bound = np.array([a.bound for a in everyone], dtype=bool)
        model.last_governance = GovernanceDay(
            meeting_held=model.results.meeting is not None,
            attendance_rate=model.results.attendance_rate,
            compliance_rate=compliance_rate(self.followed(), bound),
            sanctions=int(g["sanctions"]),
            wrongful_sanctions=sum(1 for a in everyone if a.wrongful_stands),
            mediated=sum(1 for a in everyone if a.settled),
            override=model.results.officials.override,
            cost_eur=governance_cost,
        )
        model.results.detection = Detection(
            np.array([a.detected for a in everyone]),
            np.array([a.wrongly_accused for a in everyone]),
            np.array([a.by_official for a in everyone]),
            g["monitoring_cost"],
            g["official_cost"],
            np.array([a.governance_cost_eur for a in everyone]),
        )
        model.results.sanctions = SanctionDay(
            np.array([a.sanctioned for a in everyone]),
            np.array([a.fines_eur for a in everyone]),
            np.zeros(len(everyone), bool),
            g["sanction_cost"],
        )
        settled = np.array([a.settled for a in everyone])
        model.results.mediation = MediationDay(
            np.array([a.wrongful_stands for a in everyone]) | settled, settled, g["mediation_cost"]
        )

    def followed(self) -> np.ndarray:
        """Whether each agent followed the rules today (:func:`~commons_abm.core.indicators.followed_rules`)."""
        everyone = self.everyone
        return followed_rules(
            np.array([a.cooperated for a in everyone], dtype=bool),
            np.array([a.bound for a in everyone], dtype=bool),
            np.array([a.breach for a in everyone], dtype=bool),
        )

    def prepare_learning(self) -> None:
        """What every agent sees when it learns: the community-wide cooperation rate, the
        compliance in its assembly and the pool's return per kWh offered."""
        everyone = self.everyone
        self.public_rate = sum(1 for a in everyone if a.cooperated) / len(everyone) if everyone else 0.0
        self.assembly_compliance = assembly_compliance(  # per agent: its assembly's
            np.array([a.assembly for a in everyone], dtype=np.int64),
            self.model.levels.fine_scale.size,
            np.array([a.bound for a in everyone], dtype=bool),
            self.followed(),
        )
        self.return_per_kwh = float(
            pool_return(np.array([a.received for a in everyone], float), np.array([a.offered for a in everyone], float))
        )
