"""Collective choice (design principle 3) and nested assemblies (principle 8).

Every ``every_days`` days members meet. With a federation (principle 8) each
neighbourhood community holds its own assembly and keeps its own rule levels, inside a
commune federation that pools their energy; without one, all members meet in a single
commune-wide assembly.

**Attendance** (003: participation is unequal, its cost over-estimated, lowered by a
funded facilitator): a member attends with probability ``sigmoid(attendance_base +
attendance_satisfaction (S - 1/2) + attendance_trust (T - 1/2) + attendance_habit
[attended last time] - participation_cost (1 - facilitator's reduction) - group_size_cost
log2(max(assembly size / 20, 1)))`` (Olson 1965 for the size of the group).

**Communication**: attendees talk, and their expectations of others move half-way to the
average intention of their assembly's attendees; ties between attendees gain trust
(Ostrom, Walker & Gardner 1992: communication alone raises cooperation in CPR games).

**Votes** (if the assembly reaches its ``quorum``): each attendee who cooperated today
votes stricter when more than 10 % of the assembly's bound members broke a rule, and
keeps the levels otherwise; each defector votes laxer. The median vote ``v`` (-1, 0, 1)
moves the fine scale by x1.25^v (between 0.25 and 4) and the sharing quota by 0.05 v;
the fee moves to balance the community's account. Members' choice counts with their
*voice*, the share of the decision the officials' posture leaves them (000's ladder):
``level = (1 - voice) level_officials + voice level_voted``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commons_abm.rulebook import Institutions
from commons_abm.scenario import Behaviour
from commons_abm.state import State

__all__ = ["MeetingDay", "RuleLevels", "assemblies", "communicated_beliefs", "hold_meeting",
           "meeting_due", "trust_after_meeting"]

STRICTER_WHEN_BREACHES_ABOVE = 0.10
FINE_STEP, QUOTA_STEP, FEE_STEP = 1.25, 0.05, 1.1
FINE_BOUNDS = (0.25, 4.0)
COMMUNICATION = 0.5


@dataclass
class RuleLevels:
    """Rule levels in force, one entry per assembly."""

    fine_scale: np.ndarray       # x the rulebook's fines [-]
    quota: np.ndarray            # share of surplus members must offer [0-1]
    fee_eur_per_day: np.ndarray  # membership fee [EUR/day]
    chosen: np.ndarray           # bool: last set by members' vote (not overridden since)

    @classmethod
    def initial(cls, inst: Institutions, count: int) -> RuleLevels:
        """The rulebook's levels, as officials set them."""
        return cls(np.ones(count), np.full(count, inst.min_share or 0.0),
                   np.full(count, inst.fee_eur_per_day), np.zeros(count, dtype=bool))

    def reset(self, inst: Institutions) -> None:
        """Back to the rulebook's levels (an override by officials)."""
        fresh = RuleLevels.initial(inst, self.fine_scale.size)
        self.fine_scale[:], self.quota[:] = fresh.fine_scale, fresh.quota
        self.fee_eur_per_day[:], self.chosen[:] = fresh.fee_eur_per_day, False


@dataclass
class MeetingDay:
    """One round of meetings."""

    attended: np.ndarray   # bool per agent
    attendance_rate: float  # attendees over members
    valid: np.ndarray      # bool per assembly: quorum reached
    votes: np.ndarray      # median vote per assembly (-1, 0, 1)
    cost_eur: float


def assemblies(state: State, inst: Institutions) -> tuple[np.ndarray, int]:
    """Each agent's assembly (its neighbourhood under a federation, else 0) and their number."""
    if inst.federated:
        return state.neighbourhood, int(state.neighbourhood.max()) + 1 if state.n else 1
    return np.zeros(state.n, dtype=np.int32), 1


def meeting_due(inst: Institutions, step: int) -> bool:
    """Whether members meet at ``step`` (every ``every_days`` days, the first after that many)."""
    return inst.meetings and (step + 1) % inst.meeting_every_days == 0


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def communicated_beliefs(belief: np.ndarray, intention: np.ndarray, assembly: np.ndarray,
                         attended: np.ndarray, count: int) -> np.ndarray:
    """Expectations after talking: each attendee's moves ``COMMUNICATION`` of the way to the
    average ``intention`` (propensity) of its assembly's attendees; others' stay."""
    present = np.bincount(assembly[attended], minlength=count).astype(float)
    mean = np.bincount(assembly[attended], weights=intention[attended], minlength=count)
    mean = np.divide(mean, present, out=np.zeros(count), where=present > 0)
    out = belief.copy()
    out[attended] += COMMUNICATION * (mean[assembly[attended]] - out[attended])
    return out


def trust_after_meeting(trust: np.ndarray, together: np.ndarray, gain: float) -> np.ndarray:
    """Trust on each tie after a meeting: ties ``together`` (both ends met) gain ``gain (1 - t)``."""
    out = trust.copy()
    out[together] += gain * (1.0 - out[together])
    return out


def hold_meeting(state: State, inst: Institutions, behaviour: Behaviour, levels: RuleLevels,
                 voice: float, breach: np.ndarray, bound: np.ndarray, account_eur: float,
                 daily_cost_eur: float, rng: np.random.Generator) -> MeetingDay:
    """Meet, talk and vote (stream ``governance``); updates beliefs, trust and ``levels``."""
    p = behaviour.participation
    assembly, count = assemblies(state, inst)
    member = state.member
    size = np.bincount(assembly[member], minlength=count).astype(float)
    cost = p.participation_cost * (1.0 - (inst.participation_cost_reduction if inst.operator else 0.0))
    group_cost = p.group_size_cost * np.log2(np.maximum(size / 20.0, 1.0))
    logit = (p.attendance_base + p.attendance_satisfaction * (state.satisfaction - 0.5)
             + p.attendance_trust * (state.trust_institutional - 0.5)
             + p.attendance_habit * state.attended_last - cost - group_cost[assembly])
    attended = member & (rng.random(state.n) < _sigmoid(logit))
    state.attended_last[:] = attended
    state.meetings_attended += attended
    state.meetings_eligible += member

    present = np.bincount(assembly[attended], minlength=count).astype(float)
    held = present > 0
    # communication: expectations move toward the attendees' average intention
    state.belief[:] = communicated_beliefs(state.belief, state.propensity, assembly, attended, count)
    ties = state.ties
    if ties.indices.size:
        together = attended[ties.owners] & attended[ties.indices] & (
            assembly[ties.owners] == assembly[ties.indices])
        ties.trust[:] = trust_after_meeting(ties.trust, together, behaviour.trust.meeting_gain)

    # votes
    valid = held & (present >= inst.quorum * np.maximum(size, 1.0))
    bound_members = np.bincount(assembly[bound & member], minlength=count).astype(float)
    breaches = np.bincount(assembly[breach & member], minlength=count).astype(float)
    strict = np.divide(breaches, bound_members, out=np.zeros(count), where=bound_members > 0) > (
        STRICTER_WHEN_BREACHES_ABOVE)
    ballot = np.where(state.cooperated, strict[assembly].astype(float), -1.0)
    votes = np.zeros(count)
    for k in np.flatnonzero(valid):
        votes[k] = np.sign(np.median(ballot[attended & (assembly == k)]))
    if voice > 0:
        official = RuleLevels.initial(inst, count)
        voted_fine = np.clip(levels.fine_scale * FINE_STEP ** votes, *FINE_BOUNDS)
        voted_quota = np.clip(levels.quota + QUOTA_STEP * votes, 0.0, 1.0) if inst.min_share is not None \
            else levels.quota
        budget = -1.0 if account_eur > 90 * daily_cost_eur else (1.0 if account_eur < 0 else 0.0)
        voted_fee = levels.fee_eur_per_day * FEE_STEP ** budget
        for name, voted in (("fine_scale", voted_fine), ("quota", voted_quota), ("fee_eur_per_day", voted_fee)):
            current = getattr(levels, name)
            current[valid] = (1.0 - voice) * getattr(official, name)[valid] + voice * voted[valid]
        levels.chosen[valid] = True
    members = float(member.sum())
    return MeetingDay(attended, float(attended.sum()) / members if members else 0.0, valid, votes,
                      inst.meeting_cost_eur * float(held.sum()))
