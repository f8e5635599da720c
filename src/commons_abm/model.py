"""The commons model: a territory of households, firms and officials sharing energy and materials."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import mesa
import numpy as np
import pandas as pd
from mesa.discrete_space import Network

from commons_abm.agents import CommonsAgent, agent_class
from commons_abm.calendar import HOURS, Day, day_of_step
from commons_abm.energy import EnergyDay, exchange_energy
from commons_abm.indicators import COLUMNS, gini, ratio
from commons_abm.materials import MaterialsDay, route_materials
from commons_abm.network import to_networkx
from commons_abm.scenario import Scenario, load_scenario, with_overrides
from commons_abm.seeding import streams
from commons_abm.state import State
from commons_abm.territory import build_state

__all__ = ["CommonsModel", "GovernanceDay", "HOURLY_FLOWS"]

HOURLY_FLOWS = (
    "pv", "demand", "self_consumed", "pool_direct", "battery_charge", "battery_discharge",
    "import", "export", "soc_kwh",
)


@dataclass
class GovernanceDay:
    """What the community's governance did at a step.

    Without community rules no meeting is held, no rule can be broken, nobody is
    sanctioned and governance costs nothing.
    """

    meeting_held: bool = False
    attendance_rate: float = 0.0
    compliance_rate: float = 1.0
    sanctions: int = 0
    cost_eur: float = 0.0


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
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        create_agents: bool = True,
        record_hourly: bool = False,
    ) -> None:
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        if seed is not None:
            scenario = with_overrides(scenario, **{"run.seed": int(seed)})
        self.scenario = scenario
        self.rngs = streams(scenario.run.seed)
        super().__init__(rng=self.rngs["mesa"])
        self.state: State = build_state(scenario, self.rngs)
        self.record_hourly = record_hourly
        self.hourly: list[np.ndarray] = []  # per step, (len(HOURLY_FLOWS), 24) [kWh]
        self.last_energy: EnergyDay | None = None
        self.last_materials: MaterialsDay | None = None
        self.last_governance = GovernanceDay()
        self._rows: list[np.ndarray] = []
        self._index: list[CommonsAgent] | None = None
        self.space: Network | None = None
        if create_agents:
            self.ensure_agents()

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
        """The named whole-population stages of one step, in order."""
        return (
            ("exchange_energy", self._exchange_energy),
            ("route_materials", self._route_materials),
            ("settle_accounts", self._settle_accounts),
            ("record", self._record),
        )

    def step(self) -> None:
        """Simulate one day."""
        e = self.scenario.energy
        day = day_of_step(self.steps - 1, e.start_day_of_year, e.start_weekday)
        for _, stage in self.stages:
            stage(day)

    def run(self, steps: int | None = None, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
        """Run ``steps`` days (default: ``scenario.run.steps``) and return the timeseries."""
        steps = self.scenario.run.steps if steps is None else int(steps)
        for _ in range(steps):
            self.step()
            if progress is not None:
                progress(1)
        return self.timeseries()

    def _exchange_energy(self, day: Day) -> None:
        self.last_energy = exchange_energy(self.state, self.scenario, day, self.rngs)
        if self.record_hourly:
            h = self.last_energy.hourly
            self.hourly.append(np.stack([np.asarray(h[name], float) for name in HOURLY_FLOWS]))

    def _route_materials(self, day: Day) -> None:
        self.last_materials = route_materials(self.state, self.scenario, day, self.rngs)

    def _settle_accounts(self, day: Day) -> None:
        s, e, m = self.state, self.last_energy, self.last_materials
        assert e is not None and m is not None
        s.net_benefit_eur[:] = (e.agent_reference_cost_eur - s.energy_cost_eur) + (
            m.agent_reference_cost_eur - s.material_cost_eur
        )
        s.cumulative_net_benefit_eur += s.net_benefit_eur

    def _record(self, day: Day) -> None:
        s, e, m, g = self.state, self.last_energy, self.last_materials, self.last_governance
        assert e is not None and m is not None
        members = s.member
        satisfaction = s.satisfaction[members] if members.any() else s.satisfaction
        trust = s.ties.trust
        values = {
            "step": day.step,
            "day_of_year": day.day_of_year,
            "members_share": float(members.mean()) if s.n else 0.0,
            "attendance_rate": g.attendance_rate,
            "compliance_rate": g.compliance_rate,
            "trust_interpersonal": float(trust.mean()) if trust.size else float("nan"),
            "trust_institutional": float(s.trust_institutional.mean()),
            "satisfaction": float(satisfaction.mean()),
            "energy_self_sufficiency": ratio(e.consumption - e.import_, e.consumption),
            "energy_self_consumption": ratio(e.production - e.export, e.production),
            "material_circularity": m.circularity,
            "landfill_kg": m.landfill,
            "dumping_kg": m.dumping,
            "sanctions": g.sanctions,
            "governance_cost": g.cost_eur,
            "gini_net_benefit": gini(s.cumulative_net_benefit_eur),
            "energy_balance_residual_kwh": e.residual,
            "material_balance_residual_kg": m.residual,
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
        self._rows.append(np.fromiter((values[c] for c in COLUMNS), dtype=float, count=len(COLUMNS)))

    # ----------------------------------------------------------------- outputs
    def timeseries(self) -> pd.DataFrame:
        """One row per simulated step; columns and units in :data:`~commons_abm.indicators.COLUMNS`."""
        data = np.vstack(self._rows) if self._rows else np.empty((0, len(COLUMNS)))
        frame = pd.DataFrame(data, columns=list(COLUMNS))
        for column in ("step", "day_of_year", "sanctions"):
            frame[column] = frame[column].astype(np.int64)
        return frame

    def hourly_flows(self, step: int) -> pd.DataFrame:
        """The territory's 24 hourly energy flows [kWh] of a recorded step."""
        if not self.record_hourly:
            raise RuntimeError("build the model with record_hourly=True to keep hourly flows")
        frame = pd.DataFrame(self.hourly[step].T, columns=list(HOURLY_FLOWS))
        frame.index = pd.RangeIndex(HOURS, name="hour")
        return frame
