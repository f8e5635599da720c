"""The commons model: a territory of households, firms and officials sharing energy and materials.

:class:`CommonsModel` is a Mesa model. It owns the run's state (numpy arrays,
:class:`~commons_abm.core.state.State`), its rules and its random streams; its agents are
thin views over the arrays (:mod:`commons_abm.agents`), created only when asked for; an
engine (:mod:`commons_abm.engines`) advances it day by day through the stages declared in
:data:`commons_abm.engines.day.DAY`; shocks (:mod:`commons_abm.shocks`) and a new rulebook
(:meth:`CommonsModel.adopt_rulebook`) change it from a given day.

Over 400 lines: the model is one interface, Mesa's, and its parts (building, stepping,
shocks, outputs) are read together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import Network

from commons_abm.agents import CommonsAgent, agent_class
from commons_abm.core.calendar import HOURS, Day, day_of_step
from commons_abm.core.events import EventLog
from commons_abm.core.indicators import COLUMNS
from commons_abm.core.records import GovernanceDay
from commons_abm.core.scenario import Scenario, load_scenario, resolve_named, with_overrides
from commons_abm.core.seeding import streams
from commons_abm.core.state import State
from commons_abm.energy.exchange import HOURLY_FLOWS, EnergyDay
from commons_abm.engines import staged
from commons_abm.engines.compiled import advance
from commons_abm.engines.day import STAGE_NAMES, DayResults
from commons_abm.engines.reference import ReferenceEngine
from commons_abm.governance.collective_choice import RuleLevels, assemblies
from commons_abm.governance.conditions import day_context, rules_in_force
from commons_abm.governance.institutions import Institutions, compile_rulebook
from commons_abm.governance.officials import Polity, members_voice, official_acts, rule_security
from commons_abm.governance.rulebook import Rulebook, load_rulebook
from commons_abm.materials.byproduct_matches import matches_of
from commons_abm.materials.hub_organisation import first_volunteers
from commons_abm.materials.routing import MaterialsDay
from commons_abm.shocks import Shock, active_scenario, leaving_producers, load_shock
from commons_abm.territory.build import build_state
from commons_abm.territory.network import to_networkx

__all__ = ["CommonsModel", "ENGINES", "HOURLY_FLOWS", "IndicatorCollector", "institutions_for", "rulebook_for"]

ENGINES = ("arrays", "agents")
COUNT_COLUMNS = frozenset({"step", "day_of_year", "sanctions", "wrongful_sanctions"})  # integers in the timeseries


def rulebook_for(scenario: Scenario, rulebook: Rulebook | Institutions | str | Path | None = None) -> Rulebook | None:
    """The rulebook a run uses: ``rulebook`` if given, else the scenario's; ``None`` when
    given compiled institutions or when the scenario names none."""
    if isinstance(rulebook, Rulebook):
        return rulebook
    if isinstance(rulebook, Institutions):
        return None
    if rulebook is not None:
        return load_rulebook(resolve_named(rulebook, "rulebooks"))
    if scenario.rules.rulebook:
        return load_rulebook(scenario.resolve(scenario.rules.rulebook))
    return None


def institutions_for(scenario: Scenario, rulebook: Rulebook | Institutions | str | Path | None = None) -> Institutions:
    """The institutions a run uses: ``rulebook`` if given, else the scenario's rulebook,
    else the scenario's ``rules`` fields alone (boundary and allocation key, nothing else)."""
    if isinstance(rulebook, Institutions):
        return rulebook
    book = rulebook_for(scenario, rulebook)
    if book is not None:
        return compile_rulebook(book)
    return Institutions(
        name="scenario rules", boundary=scenario.rules.boundary, allocation_key=scenario.rules.allocation_key
    )


class _RecordedColumns(Mapping):
    """The model's recorded indicators as Mesa's ``model_vars``: column -> one value per step."""

    def __init__(self, model: CommonsModel) -> None:
        self._model = model

    def __getitem__(self, column: str) -> list:
        return self._model.timeseries()[column].tolist()

    def __iter__(self) -> Iterator[str]:
        return iter(COLUMNS)

    def __len__(self) -> int:
        return len(COLUMNS)

    def items(self):  # one timeseries for all columns, not one per column
        frame = self._model.timeseries()
        return [(column, frame[column].tolist()) for column in COLUMNS]


class IndicatorCollector(mesa.DataCollector):
    """A Mesa :class:`~mesa.DataCollector` whose model variables are the indicators the
    model records itself (:data:`~commons_abm.core.indicators.COLUMNS`, one value per
    simulated day): the compiled loop is not slowed, and ``mesa.batch_run`` and
    ``get_model_vars_dataframe()`` read them like any reporter's. ``model_vars[c][k]`` is
    column ``c`` after day ``k``. Agent and agent-type reporters work as in Mesa, collected
    after each :meth:`~CommonsModel.step` (which then creates the agents)."""

    def __init__(
        self,
        model: CommonsModel,
        agent_reporters: dict | None = None,
        agenttype_reporters: dict | None = None,
        tables: dict | None = None,
    ) -> None:
        super().__init__(agent_reporters=agent_reporters, agenttype_reporters=agenttype_reporters, tables=tables)
        self.model_vars = _RecordedColumns(model)

    @property
    def collects_agents(self) -> bool:
        """Whether each step must collect agent data."""
        return bool(self.agent_reporters or self.agenttype_reporters)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """The recorded indicators, one row per simulated day (the model's timeseries)."""
        return self.model_vars._model.timeseries()


class CommonsModel(mesa.Model):
    """A territory's energy and material commons, one step per day.

    Every parameter is a keyword, so ``mesa.batch_run(CommonsModel, parameters=...)`` and
    Mesa's ``SolaraViz`` can build it from a dictionary.

    Parameters
    ----------
    scenario:
        A :class:`~commons_abm.core.scenario.Scenario`, a scenario TOML file, the name of a
        shipped scenario (``"default"``: ``experiments/scenarios/<name>.toml``) or ``None``
        for the shipped default.
    seed:
        Overrides ``scenario.run.seed``. Every random draw derives from it through
        ``numpy.random.SeedSequence`` (see :mod:`commons_abm.core.seeding`).
    rulebook:
        A :class:`~commons_abm.governance.rulebook.Rulebook`, compiled
        :class:`~commons_abm.governance.institutions.Institutions`, a rulebook file or the name
        of a shipped rulebook (``"full_ostrom"``: ``experiments/rulebooks/<name>.toml``);
        overrides the scenario's ``rules.rulebook`` (see :func:`institutions_for`).
    create_agents:
        Create Mesa agents on a :class:`mesa.discrete_space.Network` now (default), or
        only when first asked for (``model.agents`` still works then, see
        :meth:`ensure_agents`); sweeps leave them out.
    record_hourly:
        Keep every day's 24-hour territory flows (for figures of one day's energy).
    record_events:
        Keep the events log (meetings and votes, sanctions, mediations, exclusions,
        overrides, elections: :mod:`commons_abm.core.events`, read with :meth:`events`); the
        days then run one at a time (:meth:`step`). Not with the ``"agents"`` engine.
    engine:
        ``"arrays"`` (default): whole-population stages over the state's arrays, compiled
        (:mod:`commons_abm.engines.staged` for :meth:`step`; :meth:`run` runs the same
        kernels in one compiled loop, :mod:`commons_abm.engines.compiled`); ``"agents"``: the
        reference engine, one Mesa agent at a time (:mod:`commons_abm.engines.reference`;
        creates the agents whatever ``create_agents``).
    overrides:
        Scenario fields to change, by dotted path (``{"energy.households.pv_adoption": 0.5}``).
    agent_reporters:
        Mesa agent reporters for :attr:`datacollector` (:class:`IndicatorCollector`).
    shocks:
        Shocks to apply on their days (:mod:`commons_abm.shocks`): :class:`~commons_abm.shocks.Shock`
        objects, shock files or the names of shipped ones (``"price_spike"``:
        ``experiments/shocks/<name>.toml``). :meth:`add_shock` adds one while the model runs.
    **kwargs:
        More dotted overrides, as keywords (``**{"energy.households.pv_adoption": 0.5}``), which is how
        ``batch_run`` and ``SolaraViz`` pass a parameter named by its path; ``rng`` and
        ``simulator``, which Mesa's tools may pass, are accepted (the seed alone decides the
        draws, and the model steps itself).
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        rulebook: Rulebook | Institutions | str | Path | None = None,
        create_agents: bool = True,
        record_hourly: bool = False,
        record_events: bool = False,
        engine: str = "arrays",
        overrides: Mapping[str, Any] | None = None,
        agent_reporters: dict | None = None,
        shocks: list[Shock | str | Path] | None = None,
        **kwargs: Any,
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
        if record_events and engine == "agents":
            raise ValueError("record_events needs engine 'arrays'; the reference engine keeps no events log")
        kwargs.pop("simulator", None)  # SolaraViz passes one on reset; the model schedules its own days
        rng = kwargs.pop("rng", None)  # Mesa's name for a seed
        if rng is not None:
            if seed is not None or isinstance(rng, bool) or not isinstance(rng, int | np.integer):
                raise ValueError("give CommonsModel one integer seed (seed=...): every draw derives from it")
            seed = int(rng)
        dotted = {**(overrides or {}), **kwargs}
        unknown = [k for k in dotted if "." not in k]
        if unknown:
            raise TypeError(
                f"CommonsModel got unexpected keyword arguments {', '.join(map(repr, unknown))} "
                "(scenario overrides are dotted paths such as 'energy.households.pv_adoption')"
            )
        self.engine = engine
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(None if scenario is None else resolve_named(scenario, "scenarios"))
        if seed is not None:
            dotted["run.seed"] = int(seed)
        if dotted:
            scenario = with_overrides(scenario, **dotted)
        self.base_scenario = scenario  # without the shocks
        self.scenario = scenario  # as it is today: with the changes of the shocks on
        self.rulebook = rulebook_for(scenario, rulebook)  # None: compiled institutions, or the scenario's rules alone
        self.rules = institutions_for(scenario, rulebook if self.rulebook is None else self.rulebook)
        self.institutions = self.rules  # the rules in force today (governance.conditions)
        self.rngs = streams(scenario.run.seed, scenario.run.world_seed)
        super().__init__(rng=self.rngs["mesa"])
        self.state: State = build_state(scenario, self.rngs)
        matches_of(self.state, scenario, self.rngs["territory"])  # after every other draw of the territory
        first_volunteers(self.state, scenario, self.rngs["territory"])  # ... and after the matches
        self.assembly, count = assemblies(self.state, self.rules)
        self.levels = RuleLevels.initial(self.rules, count)
        self.polity = Polity(self.rules.posture, self.rules.stance)
        self.acts = official_acts(scenario, self.rules)  # what officials do under each stance
        self.record_hourly = record_hourly
        self.events_log: EventLog | None = EventLog() if record_events else None
        self.hourly: list[np.ndarray] = []  # per step, (len(HOURLY_FLOWS), 24) [kWh]
        self.rows: list[np.ndarray] = []  # the timeseries, in blocks of rows (days, len(COLUMNS))
        self.results = DayResults()  # what the latest day's stages passed on
        self.last_energy: EnergyDay | None = None
        self.last_materials: MaterialsDay | None = None
        self.last_governance = GovernanceDay()
        self.today: Day | None = None
        self.datacollector = IndicatorCollector(self, agent_reporters=agent_reporters)
        self.space: Network | None = None
        self._index: list[CommonsAgent] | None = None
        self.reference: ReferenceEngine | None = None
        if create_agents or engine == "agents" or self.datacollector.collects_agents:
            self.ensure_agents()
        if engine == "agents":
            self.reference = ReferenceEngine(self)
        self.shocks: list[Shock] = []
        for shock in shocks or ():
            self.add_shock(shock, start=None)

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
            agent.cell = self.space[i]
            self._index.append(agent)

    @property
    def agents_created(self) -> bool:
        """Whether the Mesa agents exist yet (they are created on first use)."""
        return self._index is not None

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

    # ------------------------------------------------------------------ shocks
    def add_shock(self, shock: Shock | str | Path, start: int | None = -1) -> Shock:
        """Add a shock (:mod:`commons_abm.shocks`), starting on the next simulated day (``start``
        -1, the default: live, as the app does), on ``start`` or, with ``None``, on the day its
        file gives; returns it as it will apply. Its scenario changes are checked now."""
        shock = load_shock(shock)
        if start is not None:
            shock = shock.starting(self.steps if start == -1 else start)
        if shock.start_day < self.steps:
            raise ValueError(f"shock {shock.name} starts on day {shock.start_day}, before day {self.steps}, today")
        active_scenario(self.base_scenario, [shock], shock.start_day)  # raises InputError for a bad change
        self.shocks.append(shock)
        return shock

    def _shock_days(self) -> set[int]:
        """The days on which a shock begins or ends."""
        days = {s.start_day for s in self.shocks}
        return days | {s.end_day for s in self.shocks if s.end_day is not None}

    def _begin_day(self, step: int) -> None:
        """What the shocks change as day ``step`` begins: the scenario of the day, members
        who leave, officials elected, and the log."""
        if not self.shocks:
            return
        for shock in self.shocks:
            if shock.start_day == step:
                left = ""
                if shock.leave is not None:
                    leaving = leaving_producers(self.state, shock.leave.largest_producers)
                    self.state.member[leaving] = False
                    barred = np.iinfo(np.int64).max if shock.end_day is None else shock.end_day
                    self.state.excluded_until[leaving] = barred
                    left = " ".join(map(str, leaving))
                if shock.election is not None:
                    self.polity.posture, self.polity.stance = shock.election.posture, shock.election.stance
                if self.events_log is not None:
                    duration = np.nan if shock.duration_days is None else shock.duration_days
                    self.events_log.add(step, "shock", left, value=duration, detail=f"name={shock.name}")
            elif shock.end_day == step and self.events_log is not None:
                self.events_log.add(step, "shock_over", detail=f"name={shock.name}")
        if step in self._shock_days():  # the scenario of the day changes only when a shock begins or ends
            self.scenario = active_scenario(self.base_scenario, self.shocks, step)

    def active_shocks(self) -> list[Shock]:
        """The shocks on today (during the next simulated day)."""
        return [s for s in self.shocks if s.active(self.steps)]

    def adopt_rulebook(self, rulebook: Rulebook | str | Path) -> None:
        """Members adopt ``rulebook`` (a :class:`~commons_abm.governance.rulebook.Rulebook`, a
        file or a shipped name) from the next simulated day: its rules replace those in force,
        the levels they vote start again at its own, and the officials in office stay
        (their stance and posture are the polity's until the next election)."""
        book = rulebook if isinstance(rulebook, Rulebook) else load_rulebook(resolve_named(rulebook, "rulebooks"))
        self.rulebook = book
        self.rules = self.institutions = compile_rulebook(book)
        self.assembly, count = assemblies(self.state, self.rules)
        self.levels = RuleLevels.initial(self.rules, count)
        self.acts = official_acts(self.scenario, self.rules)
        if self.events_log is not None:
            self.events_log.add(self.steps, "rules_adopted", detail=f"name={book.name}")

    # -------------------------------------------------------------------- step
    @property
    def voice(self) -> float:
        """Members' share in deciding the rules under the officials' current posture."""
        return members_voice(self.acts, self.polity.posture)

    @property
    def rule_security(self) -> float:
        """Chance that a rule members choose stands a year under the officials in office."""
        return rule_security(self.acts, self.polity.stance)

    @property
    def stages(self) -> tuple[tuple[str, Callable[[Day], None]], ...]:
        """The day's stages (:data:`~commons_abm.engines.day.DAY`) as ``(name, stage(day))``
        on this model: what :meth:`step` runs, in order."""
        return tuple((name, partial(staged.STAGES[name], self)) for name in STAGE_NAMES)

    def calendar_day(self, step: int) -> Day:
        """The calendar day of ``step`` (0 is the first simulated day)."""
        e = self.scenario.energy
        return day_of_step(step, e.start_day_of_year, e.start_weekday)

    def rules_today(self, day: Day) -> Institutions:
        """The rules in force on ``day``, whose day begins with the battery as it is now
        (:func:`~commons_abm.governance.conditions.rules_in_force`)."""
        if not self.rules.conditional:
            return self.rules
        capacity = self.scenario.energy.battery.capacity_kwh
        return rules_in_force(self.rules, day_context(day, self.state.commons.battery_soc_kwh, capacity))

    def step(self) -> None:
        """Simulate one day."""
        day = self.calendar_day(self.steps - 1)  # Mesa counts the step before calling it
        self._begin_day(self.steps - 1)
        self.institutions = self.rules_today(day)
        if self.reference is not None:
            self.reference.step(day)
        else:
            staged.step(self, day)
        if self.datacollector.collects_agents:
            self.datacollector.collect(self)

    def run(self, steps: int | None = None, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
        """Run ``steps`` days (default: ``scenario.run.steps``) and return the timeseries.

        The stages run in one compiled loop over the days (:mod:`commons_abm.engines.compiled`); with
        a ``progress`` callback, called with 1 after each day, or with agent reporters, they
        run day by day (:meth:`step`), so the callback sees each day's results
        (``last_energy``, ...). Both give the same run."""
        steps = self.scenario.run.steps if steps is None else int(steps)
        stepwise = progress is not None or self.datacollector.collects_agents or self.events_log is not None
        if self.reference is None and not stepwise and steps > 0:
            end = self.steps + steps
            while self.steps < end:
                self._begin_day(self.steps)
                if self.rules.conditional:  # the rules in force may change from day to day: one compiled day at a time
                    self.institutions = self.rules_today(self.calendar_day(self.steps))
                    advance(self, 1)
                    continue
                # the same stages, compiled into one loop (commons_abm.engines.compiled), up to the next shock day
                upcoming = [d for d in self._shock_days() if self.steps < d < end]
                advance(self, min(upcoming, default=end) - self.steps)
            return self.timeseries()
        for _ in range(steps):
            self.step()
            if progress is not None:
                progress(1)
        return self.timeseries()

    # ----------------------------------------------------------------- outputs
    def timeseries(self) -> pd.DataFrame:
        """One row per simulated step; columns and units in :data:`~commons_abm.core.indicators.COLUMNS`."""
        data = np.concatenate(self.rows) if self.rows else np.empty((0, len(COLUMNS)))
        return pd.DataFrame(
            {
                column: data[:, i].astype(np.int64) if column in COUNT_COLUMNS else data[:, i]
                for i, column in enumerate(COLUMNS)
            },
            copy=False,
        )

    def events(self) -> pd.DataFrame:
        """The events log, one row per event (:data:`~commons_abm.core.events.EVENT_COLUMNS`);
        build the model with ``record_events=True`` to keep it."""
        if self.events_log is None:
            raise RuntimeError("build the model with record_events=True to keep the events log")
        return self.events_log.frame()

    def hourly_flows(self, step: int) -> pd.DataFrame:
        """The territory's 24 hourly energy flows [kWh] of a recorded step."""
        if not self.record_hourly:
            raise RuntimeError("build the model with record_hourly=True to keep hourly flows")
        frame = pd.DataFrame(self.hourly[step].T, columns=list(HOURLY_FLOWS))
        frame.index = pd.RangeIndex(HOURS, name="hour")
        return frame
