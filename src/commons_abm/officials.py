"""Officials: posture, stance, recognition of the community's rules, electoral cycle.

* **Posture** on the participation ladder of 000 (authority, consultation,
  participation, collaboration, shared governance) sets members' *voice*, the share of
  rule decisions left to them (:data:`commons_abm.decisions.POSTURE_VOICE`).
* **Stance** toward the community (003: "soutenir sans étouffer"): an *ally* sends members
  a small positive institutional signal each day, a *controller* a negative one, a
  *distant* official none; controlling officials who monitor crowd out intrinsic
  cooperation (:mod:`commons_abm.decisions`).
* **Recognition** (design principle 7): officials who recognise the community's rules
  never override them. Otherwise, ``overrides_per_year`` times a year on average
  (``override_rules`` statement; by default 0.25 for an ally, 0.5 distant, 2 controller)
  they reset the levels members voted to their own, and members' institutional trust
  falls by ``override_loss``, less by authority bias. Members know it: the legitimacy
  of the rules they vote is discounted by :func:`rule_security` (see
  :func:`commons_abm.decisions.legitimacy`), and so is the trust a vote gives them.
* **Elections** every ``electoral_cycle_days``: with ``posture_change_probability`` the
  posture moves one rung up or down; the working relationship is partly lost: members'
  institutional trust keeps the share ``staff_continuity`` of its distance from its
  initial value (civil-service staff carry the rest over, 003).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commons_abm.collective_choice import RuleLevels
from commons_abm.rulebook import POSTURES, Institutions
from commons_abm.scenario import Behaviour
from commons_abm.state import State

__all__ = ["DEFAULT_OVERRIDES_PER_YEAR", "OfficialsDay", "Polity", "officials_act", "overrides_per_year",
           "rule_security"]

DEFAULT_OVERRIDES_PER_YEAR = {"ally": 0.25, "distant": 0.5, "controller": 2.0}
STANCE_SIGNAL = {"ally": 0.2, "distant": 0.0, "controller": -0.2}


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


def officials_act(state: State, inst: Institutions, behaviour: Behaviour, polity: Polity,
                  levels: RuleLevels, step: int, rng: np.random.Generator) -> OfficialsDay:
    """One day of officials' acts (stream ``governance``)."""
    t = behaviour.trust
    day = OfficialsDay()
    member = state.member
    trust = state.trust_institutional
    signal = STANCE_SIGNAL[inst.stance]
    if signal and inst.has_rules:
        scale = t.institutional_gain * (1.0 + t.authority_bias) if signal > 0 else t.institutional_loss * (
            1.0 - t.authority_bias)
        change = scale * abs(signal) * np.where(signal > 0, 1.0 - trust, -trust)
        trust[member] += change[member]
    rate = overrides_per_year(inst)
    if rate > 0 and levels.chosen.any() and rng.random() < rate / 365.0:
        levels.reset(inst)
        trust[member] *= 1.0 - t.override_loss * (1.0 - t.authority_bias)
        day.override = True
    if step > 0 and step % inst.electoral_cycle_days == 0:
        day.election = True
        if rng.random() < inst.posture_change_probability:
            move = 1 if rng.random() < 0.5 else -1
            polity.posture = POSTURES[int(np.clip(polity.rung + move, 0, len(POSTURES) - 1))]
        start = behaviour.initial_trust_institutional
        trust[member] = start + inst.staff_continuity * (trust[member] - start)
    np.clip(trust, 0.0, 1.0, out=trust)
    return day
