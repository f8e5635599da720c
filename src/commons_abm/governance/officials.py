"""Officials: posture, stance, recognition of the community's rules, electoral cycle.

* **Posture** on the participation ladder of ``000_027160d2fbf9a985.txt`` (authority,
  consultation, participation, collaboration, shared governance) sets members' *voice*,
  the share of rule decisions left to them
  (:data:`commons_abm.behaviour.decisions.POSTURE_VOICE`).
* **Stance** toward the community (``003_d0cbea24b0b91578.txt``: "soutenir sans étouffer"): an
  *ally* sends members a small positive institutional signal each day, a *controller* a
  negative one, a *distant* official none; controlling officials who monitor crowd out
  intrinsic cooperation (:mod:`commons_abm.behaviour.decisions`).
* **Recognition** (design principle 7): officials who recognise the community's rules
  never override them. Otherwise, ``overrides_per_year`` times a year on average
  (``override_rules`` statement; by default 0.25 for an ally, 0.5 distant, 2 controller)
  they reset the levels members voted to their own, and members' institutional trust
  falls by ``override_loss``, less by authority bias. Members know it: the legitimacy
  of the rules they vote is discounted by :func:`rule_security` (see
  :func:`commons_abm.behaviour.decisions.legitimacy`), and so is the trust a vote gives them.
* **Elections** every ``electoral_cycle_days``: with ``posture_change_probability`` the
  posture moves one rung up or down; the working relationship is partly lost: members'
  institutional trust keeps the share ``staff_continuity`` of its distance from its
  initial value (civil-service staff carry the rest over, ``003_d0cbea24b0b91578.txt``).

A member's institutional trust ``T`` after officials' acts of the day (:func:`official_trust`;
``g``, ``l``: institutional gain and loss, ``b``: authority bias, ``s``: the stance's
signal, ``T0``: the initial trust), then clipped to [0, 1]::

    T = T + g (1 + b) s (1 - T)             an ally (s > 0)
    T = T - l (1 - b) |s| T                 a controller (s < 0)
    T = T (1 - override_loss (1 - b))       at an override
    T = T0 + staff_continuity (T - T0)      at an election
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.scenario import Behaviour
from commons_abm.core.state import State
from commons_abm.governance.collective_choice import RuleLevels
from commons_abm.governance.institutions import Institutions
from commons_abm.governance.rulebook import POSTURE_VOICE, POSTURES

__all__ = [
    "DEFAULT_OVERRIDES_PER_YEAR",
    "OfficialsDay",
    "OfficialsParameters",
    "Polity",
    "act",
    "members_voice",
    "official_trust",
    "officials_act",
    "officials_events",
    "officials_parameters",
    "overrides_per_year",
    "rule_security",
]

DEFAULT_OVERRIDES_PER_YEAR = {"ally": 0.25, "distant": 0.5, "controller": 2.0}
STANCE_SIGNAL = {"ally": 0.2, "distant": 0.0, "controller": -0.2}


class OfficialsParameters(NamedTuple):
    """The trust parameters of officials' acts, as :func:`act` takes them
    (:func:`officials_parameters` reads them from the scenario)."""

    institutional_gain: float  # rise of institutional trust per unit of positive signal [0-1]
    institutional_loss: float  # fall of institutional trust per unit of negative signal [0-1]
    authority_bias: float  # officials' acts move trust less when they disappoint, more when they please [0-1]
    override_loss: float  # fall of members' institutional trust at an override [0-1]
    initial_trust_institutional: float  # institutional trust at the start, toward which elections reset it [0-1]


@dataclass
class Polity:
    """The officials' current posture (it changes at elections)."""

    posture: str

    @property
    def rung(self) -> int:
        """Position of the posture on the ladder (0: authority)."""
        return POSTURES.index(self.posture)


@dataclass
class OfficialsDay:
    """What officials did today."""

    override: bool = False
    election: bool = False


def members_voice(inst: Institutions, posture: str) -> float:
    """Members' share in deciding the rules under the officials' ``posture`` (none without
    meetings): :data:`~commons_abm.governance.rulebook.POSTURE_VOICE`."""
    return POSTURE_VOICE[posture] if inst.meetings else 0.0


def overrides_per_year(inst: Institutions) -> float:
    """Expected overrides of the community's rules per year."""
    if inst.recognised:
        return 0.0
    if any(s.aim == "override_rules" for s in inst.statements):
        return inst.overrides_per_year
    return DEFAULT_OVERRIDES_PER_YEAR[inst.stance]


def rule_security(inst: Institutions) -> float:
    """Chance that a rule members choose stands a year without being overridden [0-1].

    Overrides arrive as a Poisson process of rate :func:`overrides_per_year`, so this is
    ``exp(-rate)``: 1 when officials recognise the community's rules (principle 7).
    """
    return float(np.exp(-overrides_per_year(inst)))


def officials_act(
    state: State,
    inst: Institutions,
    behaviour: Behaviour,
    polity: Polity,
    levels: RuleLevels,
    step: int,
    rng: np.random.Generator,
) -> OfficialsDay:
    """One day of officials' acts (stream ``governance``: a uniform for a possible override
    when members' rules stand; at an election, one, and a second when the posture moves)."""
    override, election, rung = act(
        rng,
        step,
        polity.rung,
        len(POSTURES),
        state.member,
        state.trust_institutional,
        levels.chosen,
        STANCE_SIGNAL[inst.stance] if inst.has_rules else 0.0,
        overrides_per_year(inst),
        inst.electoral_cycle_days,
        inst.posture_change_probability,
        inst.staff_continuity,
        officials_parameters(behaviour),
    )
    if override:
        levels.reset(inst)
    polity.posture = POSTURES[rung]
    return OfficialsDay(override=override, election=election)


def officials_parameters(behaviour: Behaviour) -> OfficialsParameters:
    """Institutional gain and loss, authority bias, loss at an override and the initial
    institutional trust, as :func:`act` takes them."""
    t = behaviour.trust
    return OfficialsParameters(
        institutional_gain=float(t.institutional_gain),
        institutional_loss=float(t.institutional_loss),
        authority_bias=float(t.authority_bias),
        override_loss=float(t.override_loss),
        initial_trust_institutional=float(behaviour.initial_trust_institutional),
    )


@kernel
def act(
    rng, step, rung, rungs, member, trust, chosen, signal, rate, cycle, change_probability, continuity, t
):  # pragma: no cover - compiled
    """The arithmetic and draws of :func:`officials_act`: (override, election, new rung)
    (``t``: :class:`OfficialsParameters`): the day's events (:func:`officials_events`),
    then each agent's institutional trust (:func:`official_trust`). The caller resets the
    levels after an override."""
    override, election, rung = officials_events(rng, step, rung, rungs, chosen, rate, cycle, change_probability)
    for i in range(trust.size):
        trust[i] = official_trust(trust[i], member[i], signal, override, election, continuity, t)
    return override, election, rung


@kernel
def officials_events(rng, step, rung, rungs, chosen, rate, cycle, change_probability):  # pragma: no cover - compiled
    """Whether officials override members' rules today (a uniform, when members' rules
    stand), whether it is an election day, and the posture's rung after it (at an
    election, a uniform, and a second when the posture moves): (override, election, rung)."""
    override = False
    if rate > 0 and chosen.any() and rng.random() < rate / 365.0:
        override = True
    election = step > 0 and step % cycle == 0
    if election:
        if rng.random() < change_probability:
            move = 1 if rng.random() < 0.5 else -1
            rung = min(max(rung + move, 0), rungs - 1)
    return override, election, rung


@kernel
def official_trust(trust, member, signal, override, election, continuity, t):  # pragma: no cover - compiled
    """The one-agent form: an agent's institutional trust after officials' acts today: for
    a member, the stance's ``signal``, the loss at an ``override`` and the partial reset
    at an ``election`` (``t``: :class:`OfficialsParameters`); clipped to [0, 1] for everyone."""
    if member:
        authority_bias = t.authority_bias
        if signal != 0.0:
            scale = (
                t.institutional_gain * (1.0 + authority_bias)
                if signal > 0
                else t.institutional_loss * (1.0 - authority_bias)
            )
            trust += scale * abs(signal) * (1.0 - trust if signal > 0 else -trust)
        if override:
            trust *= 1.0 - t.override_loss * (1.0 - authority_bias)
        if election:
            trust = t.initial_trust_institutional + continuity * (trust - t.initial_trust_institutional)
    return min(max(trust, 0.0), 1.0)
