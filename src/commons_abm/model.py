"""The commons model: a territory of households, firms and officials sharing energy and materials."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import Network

from commons_abm.accounts import community_accounts, settle_accounts
from commons_abm.agents import CommonsAgent, agent_class
from commons_abm.calendar import HOURS, Day, day_of_step
from commons_abm.collective_choice import MeetingDay, RuleLevels, assemblies, hold_meeting, meeting_due
from commons_abm.decisions import POSTURE_VOICE, Actions, decide, legitimacy, update_beliefs
from commons_abm.energy import HOURLY_FLOWS, EnergyDay, exchange_energy, operator_shares
from commons_abm.indicators import COLUMNS, compliance_rate, gini_of, participation_gini, ratio, state_indicators
from commons_abm.materials import MaterialsDay, route_materials
from commons_abm.mediation import MediationDay, mediate
from commons_abm.membership import review_membership
from commons_abm.monitoring import Detection, monitor
from commons_abm.network import to_networkx
from commons_abm.officials import OfficialsDay, Polity, officials_act, rule_security
from commons_abm.rulebook import Institutions, Rulebook, compile_rulebook, load_rulebook
from commons_abm.sanctions import SanctionDay, impose_sanctions
from commons_abm.satisfaction import member_fairness, update_satisfaction
from commons_abm.scenario import Scenario, load_scenario, with_overrides
from commons_abm.seeding import streams
from commons_abm.simulate import STAGES, advance
from commons_abm.state import State
from commons_abm.territory import build_state
from commons_abm.trust import assembly_compliance, update_institutional_trust, update_interpersonal_trust

__all__ = ["CommonsModel", "ENGINES", "GovernanceDay", "HOURLY_FLOWS", "institutions_for"]

ENGINES = ("arrays", "agents")
COUNT_COLUMNS = frozenset({"step", "day_of_year", "sanctions", "wrongful_sanctions"})  # integers in the timeseries



@dataclass
class GovernanceDay:
    """What the community's governance did at a step.

    Without community rules no meeting is held, no rule can be broken, nobody is
    sanctioned and governance costs nothing.
    """

    meeting_held: bool = False
    attendance_rate: float = 0.0     # at the latest meeting (carried forward)
    compliance_rate: float = 1.0
    sanctions: int = 0
    wrongful_sanctions: int = 0
    mediated: int = 0
    override: bool = False
    cost_eur: float = 0.0


def institutions_for(scenario: Scenario, rulebook: Rulebook | Institutions | str | Path | None = None) -> Institutions:
    """The institutions a run uses: ``rulebook`` if given, else the scenario's rulebook,
    else the scenario's ``rules`` fields alone (boundary and allocation key, nothing else)."""
    if isinstance(rulebook, Institutions):
        return rulebook
    if isinstance(rulebook, Rulebook):
        return compile_rulebook(rulebook)
    if rulebook is not None:
        return compile_rulebook(load_rulebook(rulebook))
    if scenario.rules.rulebook:
        return compile_rulebook(load_rulebook(scenario.resolve(scenario.rules.rulebook)))
    return Institutions(name="scenario rules", boundary=scenario.rules.boundary,
                        allocation_key=scenario.rules.allocation_key)


class CommonsModel(mesa.Model):
    """A territory's energy and material commons, one step per day.

    Parameters
    ----------
    scenario:
        A :class:`~commons_abm.scenario.Scenario`, a path to a scenario TOML file, or
        ``None`` for the shipped default.
    seed:
        Overrides ``scenario.run.seed``. Every random draw derives from it through
        ``numpy.random.SeedSequence`` (see :mod:`commons_abm.seeding`).
    create_agents:
        Create Mesa agents on a :class:`mesa.discrete_space.Network` now (default), or
        only when first asked for (``model.agents`` still works then, see
        :meth:`ensure_agents`); sweeps leave them out.
    record_hourly:
        Keep every day's 24-hour territory flows (for figures of one day's energy).
    rulebook:
        A :class:`~commons_abm.rulebook.Rulebook`, compiled
        :class:`~commons_abm.rulebook.Institutions` or a rulebook file; overrides the
        scenario's ``rules.rulebook`` (see :func:`institutions_for`).
    engine:
        ``"arrays"`` (default): whole-population stages over the state's arrays, compiled
        (:attr:`stages`; :meth:`run` runs them in one compiled loop, :mod:`commons_abm.simulate`);
        ``"agents"``: the reference engine, one Mesa agent at a time
        (:mod:`commons_abm.reference_engine`; creates the agents whatever ``create_agents``).
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        create_agents: bool = True,
        record_hourly: bool = False,
        rulebook: Rulebook | Institutions | str | Path | None = None,
        engine: str = "arrays",
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
        self.engine = engine
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        if seed is not None:
            scenario = with_overrides(scenario, **{"run.seed": int(seed)})
        self.scenario = scenario
        self.institutions = institutions_for(scenario, rulebook)
        self.rngs = streams(scenario.run.seed)
        super().__init__(rng=self.rngs["mesa"])
        self.state: State = build_state(scenario, self.rngs)
        self.assembly, count = assemblies(self.state, self.institutions)
        self.levels = RuleLevels.initial(self.institutions, count)
        self.polity = Polity(self.institutions.posture)
        self.rule_security = rule_security(self.institutions)
        self.record_hourly = record_hourly
        self.hourly: list[np.ndarray] = []  # per step, (len(HOURLY_FLOWS), 24) [kWh]
        self.last_energy: EnergyDay | None = None
        self.last_materials: MaterialsDay | None = None
        self.last_governance = GovernanceDay()
        self._actions: Actions | None = None
        self._detection: Detection | None = None
        self._sanctions: SanctionDay | None = None
        self._mediation: MediationDay | None = None
        self._meeting: MeetingDay | None = None
        self._officials_day = OfficialsDay()
        self._attendance_rate = 0.0
        self._rows: list[np.ndarray] = []  # blocks of timeseries rows, (days, len(COLUMNS))
        self._index: list[CommonsAgent] | None = None
        self.space: Network | None = None
        self.reference = None
        if create_agents or engine == "agents":
            self.ensure_agents()
        if engine == "agents":
            from commons_abm.reference_engine import ReferenceEngine

            self.reference = ReferenceEngine(self)

    # ------------------------------------------------------------------ agents
    def ensure_agents(self) -> None:
        """Create the Mesa agents and the network space, if not yet done."""
        if self._index is not None:
            return
        graph = to_networkx(self.state.ties)
        self.space = Network(graph, random=self.random)
        self._index = []
        for i, kind in enumerate(self.state.kind):
            agent = agent_class(kind)(self, i)
            agent.cell = self.space._cells[i]
            self._index.append(agent)

    def agent_at(self, index: int) -> CommonsAgent:
        """The Mesa agent viewing state row ``index``."""
        self.ensure_agents()
        assert self._index is not None
        return self._index[index]

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All agents (created on first access when the model was built without them)."""
        self.ensure_agents()
        return super().agents

    # -------------------------------------------------------------------- step
    @property
    def stages(self) -> tuple[tuple[str, Callable[[Day], None]], ...]:
        """The named whole-population stages of one step, in order (:data:`~commons_abm.simulate.STAGES`,
        which the compiled loop of :meth:`run` follows too)."""
        return tuple((name, getattr(self, f"_{name}")) for name in STAGES)

    def step(self) -> None:
        """Simulate one day."""
        e = self.scenario.energy
        day = day_of_step(self.steps - 1, e.start_day_of_year, e.start_weekday)
        if self.reference is not None:
            self.reference.step(day)
            return
        for _, stage in self.stages:
            stage(day)

    def run(self, steps: int | None = None, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
        """Run ``steps`` days (default: ``scenario.run.steps``) and return the timeseries.

        The stages run in one compiled loop over the days (:mod:`commons_abm.simulate`); with
        a ``progress`` callback, called with 1 after each day, they run day by day
        (:meth:`step`), so the callback sees each day's results (``last_energy``, ...). Both
        give the same run."""
        steps = self.scenario.run.steps if steps is None else int(steps)
        if self.reference is None and progress is None and steps > 0:
            advance(self, steps)  # the same stages, compiled into one loop (commons_abm.simulate)
            return self.timeseries()
        for _ in range(steps):
            self.step()
            if progress is not None:
                progress(1)
        return self.timeseries()

    @property
    def voice(self) -> float:
        """Members' share in deciding the rules under the officials' current posture."""
        return POSTURE_VOICE[self.polity.posture] if self.institutions.meetings else 0.0

    def _decide(self, day: Day) -> None:
        levels, at = self.levels, self.assembly
        legit = legitimacy(self.institutions, self.polity.posture, levels.chosen, self.rule_security)[at]
        self._actions = decide(
            self.state, self.institutions, self.scenario.behaviour, self.rngs["behaviour"],
            legitimacy_level=legit, fine_scale=levels.fine_scale[at], quota=levels.quota[at])
        self.state.share_fraction[:] = self._actions.share_fraction

    def _exchange_energy(self, day: Day) -> None:
        inst, a = self.institutions, self._actions
        self.last_energy = exchange_energy(
            self.state, self.scenario, day, self.rngs, boundary=inst.boundary,
            allocation_key=inst.allocation_key, claim=a.claim if a is not None else None,
            load_shift=self._load_shift())
        if self.record_hourly:
            h = self.last_energy.hourly
            self.hourly.append(np.stack([np.asarray(h[name], float) for name in HOURLY_FLOWS]))

    def _load_shift(self) -> np.ndarray | None:
        """Share of each agent's demand the operator schedules into PV hours today: members
        who cooperate follow its schedule (none without an operator)."""
        inst, s = self.institutions, self.state
        if not inst.operator or inst.load_shift_share <= 0:
            return None
        return operator_shares(s.member, s.cooperated, float(inst.load_shift_share))

    def _route_materials(self, day: Day) -> None:
        a = self._actions
        self.last_materials = route_materials(self.state, self.scenario, day, self.rngs,
                                              sorting=a.sorting, hub_bring=a.hub_bring, dumping=a.dumping)

    def _enforce_rules(self, day: Day) -> None:
        s, inst, a, rng = self.state, self.institutions, self._actions, self.rngs["governance"]
        self._detection = monitor(s, inst, a.bound, a.breach, rng)
        # a wrong accusation can only be sanctioned under a rule backed by a sanction
        accused = (self._detection.detected & a.sanctionable) | (
            self._detection.wrongly_accused & a.bound_sanctioned)
        self._sanctions = impose_sanctions(s, inst, accused, self.levels.fine_scale[self.assembly], day.step)
        self._mediation = mediate(s, inst, self._sanctions, self._detection.wrongly_accused, rng)

    def _collective_choice(self, day: Day) -> None:
        self._meeting = None
        if not meeting_due(self.institutions, day.step):
            return
        a = self._actions
        self._meeting = hold_meeting(
            self.state, self.institutions, self.scenario.behaviour, self.levels, self.voice,
            a.breach, a.bound, self.state.commons.community_account_eur, self._daily_fixed_cost(),
            self.rngs["governance"])
        self._attendance_rate = self._meeting.attendance_rate

    def _officials(self, day: Day) -> None:
        self._officials_day = officials_act(self.state, self.institutions, self.scenario.behaviour, self.polity,
                                        self.levels, day.step, self.rngs["governance"])

    def _daily_fixed_cost(self) -> float:
        """The community's fixed cost per day [EUR]: the operator and every assembly's meetings."""
        inst = self.institutions
        assemblies_held = self.levels.fine_scale.size  # one per neighbourhood under a federation
        return inst.operator_cost_eur_per_day + (
            assemblies_held * inst.meeting_cost_eur / inst.meeting_every_days if inst.meetings else 0.0)

    def _settle_accounts(self, day: Day) -> None:
        s, e, m, a = self.state, self.last_energy, self.last_materials, self._actions
        inst, det, san, med = self.institutions, self._detection, self._sanctions, self._mediation
        assert e is not None and m is not None and a is not None
        settle_accounts(s, pays_fee=a.pays_fee, fee_eur_per_day=self.levels.fee_eur_per_day[self.assembly],
                        fines_eur=san.fines_eur, monitoring_cost_eur=det.peer_cost_eur,
                        energy_reference_eur=e.agent_reference_cost_eur,
                        material_reference_eur=m.agent_reference_cost_eur)
        _, account_change, governance_cost = community_accounts(
            inst.operator_cost_eur_per_day, self._meeting.cost_eur if self._meeting is not None else 0.0,
            med.cost_eur, san.cost_eur, det.cost_eur, det.official_cost_eur, det.peer_cost_eur, s.fees_eur,
            s.fines_eur)
        s.commons.community_account_eur += account_change
        self.last_governance = GovernanceDay(
            meeting_held=self._meeting is not None,
            attendance_rate=self._attendance_rate,
            compliance_rate=compliance_rate(s.cooperated, a.bound),
            sanctions=san.count,
            wrongful_sanctions=int(med.unsettled.sum()),
            mediated=int(med.settled.sum()),
            override=self._officials_day.override,
            cost_eur=governance_cost,
        )

    def _learn(self, day: Day) -> None:
        s, b, e = self.state, self.scenario.behaviour, self.last_energy
        update_interpersonal_trust(s.ties, s.cooperated, b.trust)
        update_satisfaction(s, b.satisfaction, s.net_benefit_eur,
                            member_fairness(e.agent_received, e.agent_offered, s.member))
        meeting = self._meeting
        voiced = (meeting.attended & meeting.valid[self.assembly]) if meeting is not None else np.zeros(s.n, bool)
        update_institutional_trust(s, b.trust, wrongful=self._mediation.unsettled,
                                   settled=self._mediation.settled, voiced=voiced,
                                   voice=self.voice * self.rule_security,
                                   observed_compliance=assembly_compliance(
                                       self.assembly, self.levels.fine_scale.size, self._actions.bound, s.cooperated))
        update_beliefs(s, b, float(s.cooperated.mean()) if s.n else 0.0)

    def _review_membership(self, day: Day) -> None:
        review_membership(self.state, self.scenario.behaviour.participation, day.step, self.rngs["behaviour"])

    def _record(self, day: Day) -> None:
        s, e, m, g = self.state, self.last_energy, self.last_materials, self.last_governance
        assert e is not None and m is not None
        (members_share, trust_interpersonal, trust_institutional, satisfaction, cooperation, expected_cooperation,
         member_trust, fines) = state_indicators(s.member, s.satisfaction, s.ties.trust, s.trust_institutional,
                                                 s.cooperated, s.belief, s.fines_eur)
        values = {
            "step": day.step,
            "day_of_year": day.day_of_year,
            "members_share": members_share,
            "attendance_rate": g.attendance_rate,
            "compliance_rate": g.compliance_rate,
            "trust_interpersonal": trust_interpersonal,
            "trust_institutional": trust_institutional,
            "satisfaction": satisfaction,
            "energy_self_sufficiency": ratio(e.consumption - e.import_, e.consumption),
            "energy_self_consumption": ratio(e.production - e.export, e.production),
            "material_circularity": m.circularity,
            "landfill_kg": m.landfill,
            "dumping_kg": m.dumping,
            "sanctions": g.sanctions,
            "governance_cost": g.cost_eur,
            "gini_net_benefit": gini_of(s.cumulative_net_benefit_eur),
            "energy_balance_residual_kwh": e.residual,
            "material_balance_residual_kg": m.residual,
            "cooperation_rate": cooperation,
            "expected_cooperation": expected_cooperation,
            "member_trust_institutional": member_trust,
            "participation_gini": participation_gini(s.meetings_attended, s.meetings_eligible),
            "wrongful_sanctions": g.wrongful_sanctions,
            "fines_eur": fines,
            "production_kwh": e.production,
            "consumption_kwh": e.consumption,
            "self_consumed_kwh": e.self_consumed,
            "pool_kwh": e.pool_direct,
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
        }
        self._rows.append(np.array([[values[c] for c in COLUMNS]], dtype=float))

    # ----------------------------------------------------------------- outputs
    def timeseries(self) -> pd.DataFrame:
        """One row per simulated step; columns and units in :data:`~commons_abm.indicators.COLUMNS`."""
        data = np.concatenate(self._rows) if self._rows else np.empty((0, len(COLUMNS)))
        return pd.DataFrame({column: data[:, i].astype(np.int64) if column in COUNT_COLUMNS else data[:, i]
                             for i, column in enumerate(COLUMNS)}, copy=False)

    def hourly_flows(self, step: int) -> pd.DataFrame:
        """The territory's 24 hourly energy flows [kWh] of a recorded step."""
        if not self.record_hourly:
            raise RuntimeError("build the model with record_hourly=True to keep hourly flows")
        frame = pd.DataFrame(self.hourly[step].T, columns=list(HOURLY_FLOWS))
        frame.index = pd.RangeIndex(HOURS, name="hour")
        return frame

