"""The day, declared once: its stages in order, the random stream each draws from and the
mechanism modules that hold its equations.

Every engine follows :data:`DAY`: the staged step (:mod:`commons_abm.engines.staged`, one
Python call per stage), the compiled loop (:mod:`commons_abm.engines.compiled`, the same
kernels fused into one loop over many days) and the reference engine
(:mod:`commons_abm.engines.reference`, one Mesa agent at a time). ``tests/test_day.py``
checks that each of them runs these stages in this order.

:class:`Simulation` is what an engine may read and write of a run: the model
(:class:`commons_abm.model.CommonsModel`) is one; engines never import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np

from commons_abm.core.seeding import STREAMS

if TYPE_CHECKING:  # types only: engines depend on the domain packages, never the reverse
    from commons_abm.behaviour.decisions import Actions
    from commons_abm.core.events import EventLog
    from commons_abm.core.records import GovernanceDay
    from commons_abm.core.scenario import Scenario
    from commons_abm.core.state import State
    from commons_abm.energy.exchange import EnergyDay
    from commons_abm.governance.collective_choice import MeetingDay, RuleLevels
    from commons_abm.governance.institutions import Institutions
    from commons_abm.governance.mediation import MediationDay
    from commons_abm.governance.monitoring import Detection
    from commons_abm.governance.officials import OfficialActs, OfficialsDay, Polity
    from commons_abm.governance.sanctions import SanctionDay
    from commons_abm.materials.routing import MaterialsDay

__all__ = ["DAY", "STAGE_NAMES", "DayResults", "Simulation", "Stage"]


class Stage(NamedTuple):
    """One stage of the day."""

    name: str
    streams: tuple[str, ...]  # the named random streams it draws from (commons_abm.core.seeding)
    mechanisms: tuple[str, ...]  # modules holding its equations, under commons_abm.
    does: str  # what happens, in one line


DAY: tuple[Stage, ...] = (
    Stage(
        "decide",
        ("behaviour",),
        ("governance.conditions", "behaviour.decisions", "behaviour.motives", "behaviour.waste_choices"),
        "the rules in force today (statements whose when-clauses hold, set by the model before the "
        "stages); each agent decides whether to cooperate (its battery claim, the fee); each household "
        "what it sorts, composts, brings to the hub and whether it dumps",
    ),
    Stage(
        "exchange_energy",
        ("demand", "weather"),
        (
            "territory.demand",
            "territory.solar",
            "energy.load_shifting",
            "energy.exchange",
            "energy.allocation_keys",
            "energy.battery",
        ),
        "hourly demand and PV; own use, the community pool and its allocation key, the battery, the grid",
    ),
    Stage(
        "route_materials",
        ("materials",),
        (
            "materials.byproduct_matches",
            "materials.hub_organisation",
            "materials.routing",
            "materials.repair_hub",
            "materials.symbiosis",
        ),
        "firms' by-product matches form, deliver and break; the hub's volunteers and staff come; goods "
        "and by-products down the waste hierarchy, the hub, firms' by-product exchange",
    ),
    Stage(
        "enforce_rules",
        ("governance",),
        ("governance.monitoring", "governance.sanctions", "governance.mediation"),
        "monitors detect breaches (and err), sanctions are imposed, disputes are mediated",
    ),
    Stage(
        "collective_choice",
        ("governance",),
        ("governance.collective_choice",),
        "on meeting days members attend, talk and vote on fines and fees",
    ),
    Stage(
        "officials",
        ("governance",),
        ("governance.officials",),
        "officials override members' rules, come to their meetings or not; elections change the posture and stance",
    ),
    Stage(
        "settle_accounts",
        (),
        ("governance.accounts",),
        "fees, fines and monitoring costs paid; the community's account pays its costs",
    ),
    Stage(
        "learn",
        (),
        ("behaviour.trust", "behaviour.satisfaction", "behaviour.beliefs"),
        "interpersonal and institutional trust, satisfaction and beliefs about others are updated",
    ),
    Stage("review_membership", ("behaviour",), ("behaviour.membership",), "agents join or leave the community"),
    Stage(
        "record",
        (),
        ("core.indicators", "core.events"),
        "the day's indicators are recorded, and its events when the run keeps a log",
    ),
)
STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in DAY)
assert all(set(stage.streams) <= set(STREAMS) for stage in DAY), "a stage names an unknown random stream"


@dataclass
class DayResults:
    """What a day's stages pass to the stages after them (kept: the latest day's)."""

    actions: Actions | None = None
    detection: Detection | None = None
    sanctions: SanctionDay | None = None
    mediation: MediationDay | None = None
    meeting: MeetingDay | None = None  # None on days without a meeting
    officials: OfficialsDay | None = None
    attendance_rate: float = 0.0  # at the latest meeting, carried forward


class Simulation(Protocol):
    """What an engine reads and writes of a run (the model's public attributes)."""

    scenario: Scenario
    rules: Institutions  # the rulebook, all its statements
    institutions: Institutions  # the rules in force today (commons_abm.governance.conditions)
    state: State
    rngs: dict[str, np.random.Generator]
    assembly: np.ndarray  # each agent's assembly (one per neighbourhood under a federation)
    levels: RuleLevels
    polity: Polity  # the officials in office
    acts: OfficialActs  # what officials do under each stance
    rule_security: float  # chance that members' rules stand a year under the officials in office
    record_hourly: bool
    hourly: list[np.ndarray]
    steps: int
    results: DayResults
    rows: list[np.ndarray]  # the recorded timeseries, in blocks of rows (days, len(COLUMNS))
    last_energy: EnergyDay | None
    last_materials: MaterialsDay | None
    last_governance: GovernanceDay
    events_log: EventLog | None  # the events log, when the run keeps one
