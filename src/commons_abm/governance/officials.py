"""Officials: what they do, and how those concerned experience it.

Officials are actors. Their *posture* on the participation ladder of
``000_027160d2fbf9a985.txt`` (authority, consultation, participation, collaboration,
shared governance) and their *stance* toward the community (ally, distant or controller:
"soutenir sans étouffer", ``003_d0cbea24b0b91578.txt``) change what they do; trust
responds only to what they do, as the members concerned experience it. No stance sends a
signal of its own.

* **They decide the rules with members** (posture): after a valid vote officials set the
  share ``1 - voice`` of the rule levels to their own, ``voice`` =
  :data:`~commons_abm.governance.rulebook.POSTURE_VOICE` of the posture
  (:mod:`commons_abm.governance.collective_choice`); members feel the voice they have in the
  legitimacy of the rules and the trust a vote gives them.
* **They override** members' rules (stance): ``overrides_per_year`` of the stance (ally
  0.25, distant 0.5, controller 2 by default; the rulebook's ``override_rules`` rate when it
  has one), never when they recognise the community's rules (principle 7). At an override
  the levels members voted go back to the officials' own, and members' institutional trust
  falls by ``override_loss``, less by authority bias. Members know the risk: the
  legitimacy of the rules they vote is discounted by :func:`rule_security`.
* **They come to meetings** (stance): with probability ``meeting_attendance`` of the
  stance (ally 0.8, distant 0.2, controller 0); each member present gains institutional
  trust ``presence_gain (1 + authority_bias) (1 - T)``: they see officials listen.
* **They fund** (stance): the commune pays the share ``hub_funding`` of the rulebook's
  subsidy to the reuse-and-repair hub (``fund_hub``; a controller cuts it) and the share
  ``facilitator_funding`` of the facilitator's daily cost (``facilitate``; an ally pays it,
  otherwise the community's account does). Members feel it through the hub's opening
  hours and the fee they vote to balance their account.
* **Elections** (``electoral_cycle_days`` apart, the first on ``first_election_day``):
  with ``posture_change_probability`` a new majority moves the posture one rung up or
  down the ladder; its stance moves one step the same way (toward ally going up, toward
  controller going down) unless the civil-service staff carry the working relationship
  over, with probability ``staff_continuity`` (``003_d0cbea24b0b91578.txt``). French
  municipal councils are elected for six years (Code électoral, art. L227), the default.

With the scenario's ``officials.act`` false officials do nothing of their own: no
overrides, no visits to meetings, the rulebook's subsidy paid as written and the
facilitator paid by the community, members' votes standing whole. Stance and posture then
change nothing (a control for experiments).

A member's institutional trust ``T`` after officials' acts of the day (:func:`official_trust`;
``p``: presence gain, ``b``: authority bias), then clipped to [0, 1]::

    T = T + p (1 + b) (1 - T)                 at a meeting officials attended, if present
    T = T (1 - override_loss (1 - b))         at an override

``b`` is the authority bias of an agent tied to officials by an institutional tie
(``000_027160d2fbf9a985.txt``'s institutional proximity: it knows them and defers to them),
0 for the others: officials' acts move the trust of those they are linked to more when they
please and less when they disappoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.scenario import Behaviour, Scenario
from commons_abm.core.state import INSTITUTIONAL, State
from commons_abm.governance.collective_choice import RuleLevels
from commons_abm.governance.institutions import Institutions
from commons_abm.governance.rulebook import POSTURE_VOICE, POSTURES, STANCES

__all__ = [
    "OfficialActs",
    "OfficialsDay",
    "OfficialsParameters",
    "Polity",
    "act",
    "members_voice",
    "official_acts",
    "official_trust",
    "officials_act",
    "officials_events",
    "officials_parameters",
    "rule_security",
]


class OfficialsParameters(NamedTuple):
    """The trust parameters of officials' acts, as :func:`act` takes them
    (:func:`officials_parameters` reads them from the scenario)."""

    authority_bias: float  # officials' acts move trust less when they disappoint, more when they please [0-1]
    override_loss: float  # fall of members' institutional trust at an override [0-1]
    presence_gain: float  # rise of a member's institutional trust at a meeting officials attend [0-1]


class OfficialActs(NamedTuple):
    """What officials do under each stance (indexed by the stance's position in
    :data:`~commons_abm.governance.rulebook.STANCES`), as the stages take it
    (:func:`official_acts`)."""

    act: bool  # officials act at all
    overrides_per_year: np.ndarray  # expected overrides of members' rules [1/yr]
    meeting_attendance: np.ndarray  # chance that officials come to a meeting [0-1]
    hub_funding: np.ndarray  # share of the rulebook's hub subsidy the commune pays [0-1]
    facilitator_funding: np.ndarray  # share of the facilitator's cost the commune pays [0-1]
    voice: np.ndarray  # members' voice at each rung of the ladder [0-1]


@dataclass
class Polity:
    """The officials in office: their posture and stance (both change at elections)."""

    posture: str
    stance: str = "distant"

    @property
    def rung(self) -> int:
        """Position of the posture on the ladder (0: authority)."""
        return POSTURES.index(self.posture)

    @property
    def stance_code(self) -> int:
        """Position of the stance in :data:`~commons_abm.governance.rulebook.STANCES` (0: ally)."""
        return STANCES.index(self.stance)


@dataclass
class OfficialsDay:
    """What officials did today."""

    override: bool = False
    election: bool = False
    came_to_meeting: bool = False
    posture_before: str = ""  # the officials in office before today's acts ...
    stance_before: str = ""
    posture: str = ""  # ... and after them (an election may change both)
    stance: str = ""

    @property
    def rung(self) -> int:
        """The posture's rung after today (0: authority)."""
        return POSTURES.index(self.posture)


def official_acts(scenario: Scenario, inst: Institutions) -> OfficialActs:
    """What officials do under each stance, from the scenario's ``officials`` section and
    the rulebook (recognition, ``override_rules``); with ``officials.act`` false, nothing of
    their own (module docstring)."""
    o = scenario.officials
    on = bool(o.act)

    def by_stance(values) -> np.ndarray:
        return np.array([float(getattr(values, stance)) for stance in STANCES])

    if inst.recognised or not on:
        overrides = np.zeros(len(STANCES))
    elif any(s.aim == "override_rules" for s in inst.statements):
        overrides = np.full(len(STANCES), float(inst.overrides_per_year))
    else:
        overrides = by_stance(o.overrides_per_year)
    meetings = 1.0 if inst.meetings else 0.0
    return OfficialActs(
        act=on,
        overrides_per_year=overrides,
        meeting_attendance=by_stance(o.meeting_attendance) * meetings if on else np.zeros(len(STANCES)),
        hub_funding=by_stance(o.hub_funding) if on else np.ones(len(STANCES)),
        facilitator_funding=by_stance(o.facilitator_funding) if on else np.zeros(len(STANCES)),
        voice=np.array([POSTURE_VOICE[p] if on else 1.0 for p in POSTURES]) * meetings,
    )


def members_voice(acts: OfficialActs, posture: str) -> float:
    """Members' share in deciding the rules under the officials' ``posture`` (none without
    meetings; all of it when officials do not act)."""
    return float(acts.voice[POSTURES.index(posture)])


def rule_security(acts: OfficialActs, stance: str) -> float:
    """Chance that a rule members choose stands a year without being overridden [0-1].

    Overrides arrive as a Poisson process of rate ``overrides_per_year`` of the stance, so
    this is ``exp(-rate)``: 1 when officials recognise the community's rules (principle 7).
    """
    return float(np.exp(-acts.overrides_per_year[STANCES.index(stance)]))


def officials_act(
    state: State,
    inst: Institutions,
    behaviour: Behaviour,
    polity: Polity,
    levels: RuleLevels,
    acts: OfficialActs,
    attended: np.ndarray | None,
    step: int,
    rng: np.random.Generator,
) -> OfficialsDay:
    """One day of officials' acts (stream ``governance``, :func:`officials_events`);
    ``attended``: who attended today's meeting, ``None`` on days without one."""
    met = attended is not None
    before = polity.posture, polity.stance
    override, election, rung, stance, came = act(
        rng,
        step,
        polity.rung,
        polity.stance_code,
        len(POSTURES),
        len(STANCES),
        state.member,
        state.ties.linked_by(INSTITUTIONAL),
        attended if met else np.zeros(state.n, dtype=bool),
        met,
        state.trust_institutional,
        levels.chosen,
        acts.overrides_per_year[polity.stance_code],
        acts.meeting_attendance[polity.stance_code],
        inst.first_election_day,
        inst.electoral_cycle_days,
        inst.posture_change_probability,
        inst.staff_continuity,
        officials_parameters(behaviour),
    )
    if override:
        levels.reset(inst)
    polity.posture, polity.stance = POSTURES[rung], STANCES[stance]
    return OfficialsDay(override, election, came, *before, polity.posture, polity.stance)


def officials_parameters(behaviour: Behaviour) -> OfficialsParameters:
    """Authority bias, loss at an override and gain of presence, as :func:`act` takes them."""
    t = behaviour.trust
    return OfficialsParameters(
        authority_bias=float(t.authority_bias),
        override_loss=float(t.override_loss),
        presence_gain=float(t.presence_gain),
    )


@kernel
def act(
    rng,
    step,
    rung,
    stance,
    rungs,
    stances,
    member,
    linked,
    attended,
    met,
    trust,
    chosen,
    rate,
    attendance,
    first,
    cycle,
    change_probability,
    continuity,
    t,
):  # pragma: no cover - compiled
    """The arithmetic and draws of :func:`officials_act`: (override, election, rung,
    stance, came to the meeting) (``t``: :class:`OfficialsParameters`): the day's events
    (:func:`officials_events`), then each agent's institutional trust
    (:func:`official_trust`). The caller resets the levels after an override."""
    override, election, rung, stance, came = officials_events(
        rng,
        step,
        rung,
        stance,
        rungs,
        stances,
        chosen,
        rate,
        met,
        attendance,
        first,
        cycle,
        change_probability,
        continuity,
    )
    for i in range(trust.size):
        trust[i] = official_trust(trust[i], member[i], came and attended[i], override, linked[i], t)
    return override, election, rung, stance, came


@kernel
def officials_events(
    rng, step, rung, stance, rungs, stances, chosen, rate, met, attendance, first, cycle, change_probability, continuity
):  # pragma: no cover - compiled
    """The day's events, drawn once for the community: whether officials override members'
    rules (a uniform, when members' rules stand), whether they come to today's meeting (a
    uniform, on a meeting day they may attend), and at an election (on ``first`` and every
    ``cycle`` days after) the posture's rung and the stance after it (a uniform; when the
    majority changes, a second for the direction and a third for the staff's continuity):
    (override, election, rung, stance, came)."""
    override = False
    if rate > 0 and chosen.any() and rng.random() < rate / 365.0:
        override = True
    came = False
    if met and attendance > 0 and rng.random() < attendance:
        came = True
    election = step >= first and (step - first) % cycle == 0
    if election and rng.random() < change_probability:
        move = 1 if rng.random() < 0.5 else -1
        carried = rng.random() < continuity  # drawn whether or not the rung can move: the same draws
        moved = min(max(rung + move, 0), rungs - 1)
        if moved != rung and not carried:
            stance = min(max(stance - move, 0), stances - 1)  # up the ladder: toward ally (0)
        rung = moved
    return override, election, rung, stance, came


@kernel
def official_trust(trust, member, present, override, linked, t):  # pragma: no cover - compiled
    """The one-agent form: an agent's institutional trust after officials' acts today:
    the gain of a member ``present`` at a meeting officials attended and, for a member, the
    loss at an ``override``; authority bias only for an agent ``linked`` to officials by an
    institutional tie (``t``: :class:`OfficialsParameters`); clipped to [0, 1]."""
    if member:
        b = t.authority_bias if linked else 0.0
        if present:
            trust += t.presence_gain * (1.0 + b) * (1.0 - trust)
        if override:
            trust *= 1.0 - t.override_loss * (1.0 - b)
    return min(max(trust, 0.0), 1.0)
