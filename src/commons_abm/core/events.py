"""The events log: what happened to whom, day by day.

``commons-abm run`` writes it as ``events.csv`` and ``events.parquet``, one row per event,
with the columns of :data:`EVENT_COLUMNS`; :data:`EVENTS` lists the events and what their
``agents``, ``value`` and ``detail`` hold. The stage ``record`` appends a day's events
from what the day's stages passed on (:class:`commons_abm.engines.day.DayResults`) when the
model keeps a log (``CommonsModel(record_events=True)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["EVENTS", "EVENT_COLUMNS", "EventLog"]

EVENT_COLUMNS: dict[str, str] = {
    "day": "Step of the event (0 is the first simulated day).",
    "event": "What happened: one of the events below.",
    "agents": "The agents concerned, by state index, separated by spaces (empty: the community as a whole).",
    "assembly": "The assembly concerned (one per neighbourhood under a federation); -1: none.",
    "value": "The event's number (see each event); NaN: none.",
    "detail": "The event's circumstances, as 'name=value' pairs separated by spaces.",
}

EVENTS: dict[str, str] = {
    "meeting": "Members met in an assembly. agents: those present; value: the median vote (-1 laxer, "
    "0 keep, 1 stricter), NaN without quorum; detail: quorum reached, the fine scale and fee after.",
    "officials_at_meeting": "Officials came to the day's meetings. agents: the members present.",
    "sanction": "A sanction was imposed. agents: the sanctioned; value: the fine paid [EUR] (0 for a "
    "warning, or when mediation refunded it); detail: wrongful=true when the agent had broken no rule.",
    "mediation": "A wrongful sanction was settled by mediation: the fine refunded, the offence struck off.",
    "exclusion": "A member was excluded after repeated offences (design principle 1).",
    "override": "Officials overrode the rules members had voted; their levels are back to the officials' own.",
    "election": "Municipal elections. value: the posture's rung after (0: authority); detail: posture "
    "and stance before and after.",
    "shock": "A shock began (commons_abm.shocks). agents: the members who left the community with it; "
    "value: its duration [days] (NaN: to the end of the run); detail: its name.",
    "shock_over": "A shock ended. detail: its name.",
    "rules_adopted": "Members adopted a new rulebook, in force from this day (the teaching app's rule levers "
    "and uploads). detail: its name.",
}


def _ids(mask: np.ndarray) -> str:
    return " ".join(str(int(i)) for i in np.flatnonzero(mask))


class EventLog:
    """A run's events, in the order they happened (:data:`EVENT_COLUMNS`)."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, str, int, float, str]] = []

    def add(self, day: int, event: str, agents: str = "", assembly: int = -1, value: float = np.nan, detail: str = ""):
        """Append one event (``event`` from :data:`EVENTS`)."""
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}; allowed: {', '.join(EVENTS)}")
        self.rows.append((int(day), event, agents, int(assembly), float(value), detail))

    def record_day(self, step: int, results: Any, assembly: np.ndarray, levels: Any) -> None:
        """The events of one day from the stages' ``results`` (a
        :class:`~commons_abm.engines.day.DayResults`), each agent's ``assembly`` and the rule
        ``levels`` after the day."""
        meeting = results.meeting
        if meeting is not None:
            for k in range(meeting.valid.size):
                present = meeting.attended & (assembly == k)
                if not present.any():
                    continue
                valid = bool(meeting.valid[k])
                self.add(
                    step,
                    "meeting",
                    _ids(present),
                    k,
                    float(meeting.votes[k]) if valid else np.nan,
                    f"quorum={str(valid).lower()} fine_scale={levels.fine_scale[k]:.4g} "
                    f"fee_eur_per_day={levels.fee_eur_per_day[k]:.4g}",
                )
        officials = results.officials
        if officials is not None and officials.came_to_meeting and meeting is not None:
            self.add(step, "officials_at_meeting", _ids(meeting.attended))
        sanctions, detection, mediation = results.sanctions, results.detection, results.mediation
        if sanctions is not None:
            for i in np.flatnonzero(sanctions.sanctioned):
                wrongful = bool(detection.wrongly_accused[i]) if detection is not None else False
                self.add(
                    step,
                    "sanction",
                    str(int(i)),
                    int(assembly[i]),
                    float(sanctions.fines_eur[i]),
                    f"wrongful={str(wrongful).lower()}",
                )
            for i in np.flatnonzero(sanctions.excluded):
                self.add(step, "exclusion", str(int(i)), int(assembly[i]))
        if mediation is not None:
            for i in np.flatnonzero(mediation.settled):
                self.add(step, "mediation", str(int(i)), int(assembly[i]))
        if officials is not None and officials.override:
            self.add(step, "override")
        if officials is not None and officials.election:
            self.add(
                step,
                "election",
                value=float(officials.rung),
                detail=f"posture_before={officials.posture_before} stance_before={officials.stance_before} "
                f"posture={officials.posture} stance={officials.stance}",
            )

    def frame(self) -> pd.DataFrame:
        """The log as a table, one row per event (columns :data:`EVENT_COLUMNS`)."""
        frame = pd.DataFrame(self.rows, columns=list(EVENT_COLUMNS))
        return frame.astype({"day": "int64", "event": "string", "agents": "string", "assembly": "int64",
                             "value": "float64", "detail": "string"})  # fmt: skip
