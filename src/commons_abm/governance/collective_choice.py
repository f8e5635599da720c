"""Collective choice (design principle 3) and nested assemblies (principle 8).

Every ``every_days`` days members meet. With a federation (principle 8) each
neighbourhood community holds its own assembly and keeps its own rule levels, inside a
commune federation that pools their energy; without one, all members meet in a single
commune-wide assembly.

**Attendance** (``003_d0cbea24b0b91578.txt``: participation is unequal, its cost
over-estimated, lowered by a funded facilitator): a member attends with probability
``sigmoid(attendance_base + attendance_satisfaction (S - 1/2) + attendance_trust (T - 1/2)
+ attendance_habit [attended last time] - participation_cost (1 - facilitator's reduction)
- group_size_cost log2(max(assembly size / 20, 1)))`` (Olson 1965 for the size of the group):
one member's decision is :func:`attends` (the reference engine's), everyone's :func:`meet`.

**Communication**: attendees talk, and their expectations of others move half-way to
their assembly's :func:`talk_target`: the attendees' average intention, weighed against
what all of them knew before (the community-wide cooperation) by the common-knowledge
effect and pushed away from 1/2, on the side the group leans, by group polarisation (both
off by default, ``behaviour.biases``); ties between attendees gain trust (Ostrom, Walker &
Gardner 1992: communication alone raises cooperation in CPR games).

**Votes** (if the assembly reaches its ``quorum``): each attendee who cooperated today
votes stricter when it sees more than 10 % of the assembly's bound members break a rule
(:func:`seen_breaches`: a cohesive assembly sees fewer, by group-think, off by default), and
keeps the levels otherwise; each defector votes laxer. The median vote ``v`` (-1, 0, 1)
moves the fine scale by x1.25^v (between 0.25 and 4);
the fee moves to balance the community's account. Members' choice counts with their
*voice*, the share of the decision the officials' posture leaves them (the participation
ladder of ``000_027160d2fbf9a985.txt``):
``level = (1 - voice) level_officials + voice level_voted``.

Over 400 lines: attendance, talk (with its biases), the vote and the levels it sets are one
meeting, whose one-member forms and whole-assembly kernel are kept side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.scenario import Behaviour
from commons_abm.core.state import State
from commons_abm.governance.institutions import Institutions

__all__ = [
    "MeetingDay",
    "MeetingParameters",
    "OfficialLevels",
    "RuleLevels",
    "assemblies",
    "attends",
    "communicated_beliefs",
    "hold_meeting",
    "communicate",
    "initial_levels",
    "meet",
    "meeting_parameters",
    "reset_levels",
    "meeting_due",
    "seen_breaches",
    "sigmoid",
    "talk_target",
    "trust_after_meeting",
    "vote_budget",
    "voted_levels",
]

STRICTER_WHEN_BREACHES_ABOVE = 0.10
FINE_STEP, FEE_STEP = 1.25, 1.1
FINE_BOUNDS = (0.25, 4.0)
COMMUNICATION = 0.5


class MeetingParameters(NamedTuple):
    """Attendance, talk and quorum of the meetings, as :func:`meet` takes them
    (:func:`meeting_parameters` reads them from the scenario and the rulebook)."""

    attendance_base: float  # log-odds of attending for an average member [-]
    attendance_satisfaction: float  # log-odds per unit of satisfaction above 1/2 [-]
    attendance_trust: float  # log-odds per unit of institutional trust above 1/2 [-]
    attendance_habit: float  # log-odds for a member who attended the previous meeting [-]
    participation_cost: float  # log-odds lost to taking part, less the facilitator's reduction [-]
    group_size_cost: float  # log-odds lost per doubling of the assembly beyond 20 members [-]
    meeting_gain: float  # rise of trust between tied attendees [0-1 per meeting]
    quorum: float  # attendees needed for a valid vote [share of the assembly's members]
    groupthink: float  # share of breaches a fully cohesive assembly does not see when it votes [0-1]
    common_knowledge: float  # weight of what all knew before (community-wide cooperation) in talk [0-1]
    polarisation: float  # push of talk beyond the group's average, away from 1/2 [0-1]


class OfficialLevels(NamedTuple):
    """The rule levels officials set, before any vote and after an override
    (:func:`initial_levels` reads them from the rulebook)."""

    fine_scale: float  # x the rulebook's fines [-]
    fee_eur_per_day: float  # membership fee [EUR/day]


@dataclass
class RuleLevels:
    """Rule levels in force, one entry per assembly."""

    fine_scale: np.ndarray  # x the rulebook's fines [-]
    fee_eur_per_day: np.ndarray  # membership fee [EUR/day]
    chosen: np.ndarray  # bool: last set by members' vote (not overridden since)

    @classmethod
    def initial(cls, inst: Institutions, count: int) -> RuleLevels:
        """The rulebook's levels, as officials set them."""
        official = initial_levels(inst)
        return cls(
            np.full(count, official.fine_scale),
            np.full(count, official.fee_eur_per_day),
            np.zeros(count, dtype=bool),
        )

    def reset(self, inst: Institutions) -> None:
        """Back to the rulebook's levels (an override by officials)."""
        reset_levels(self.fine_scale, self.fee_eur_per_day, self.chosen, initial_levels(inst))


@dataclass
class MeetingDay:
    """One round of meetings."""

    attended: np.ndarray  # bool per agent
    attendance_rate: float  # attendees over members
    valid: np.ndarray  # bool per assembly: quorum reached
    votes: np.ndarray  # median vote per assembly (-1, 0, 1)
    cost_eur: float


def assemblies(state: State, inst: Institutions) -> tuple[np.ndarray, int]:
    """Each agent's assembly (its neighbourhood under a federation, else 0) and their number."""
    if inst.federated:
        return state.neighbourhood, int(state.neighbourhood.max()) + 1 if state.n else 1
    return np.zeros(state.n, dtype=np.int32), 1


def meeting_due(inst: Institutions, step: int) -> bool:
    """Whether members meet at ``step`` (every ``every_days`` days, the first after that many)."""
    return inst.meetings and (step + 1) % inst.meeting_every_days == 0


@kernel
def sigmoid(x):  # pragma: no cover - compiled
    """The logistic function, its argument clipped to [-50, 50]."""
    return 1.0 / (1.0 + np.exp(-min(max(x, -50.0), 50.0)))


@kernel
def attends(u, satisfaction, trust_institutional, attended_last, assembly_size, p):  # pragma: no cover - compiled
    """The one-agent form of attendance: whether a member with this satisfaction,
    institutional trust and habit goes to its assembly's meeting, given its uniform draw
    ``u``, the number of members of its assembly and the :class:`MeetingParameters` ``p``."""
    logit = (
        p.attendance_base
        + p.attendance_satisfaction * (satisfaction - 0.5)
        + p.attendance_trust * (trust_institutional - 0.5)
        + p.attendance_habit * attended_last
        - p.participation_cost
        - p.group_size_cost * np.log2(max(assembly_size / 20.0, 1.0))
    )
    return u < sigmoid(logit)


def communicated_beliefs(
    belief: np.ndarray,
    intention: np.ndarray,
    assembly: np.ndarray,
    attended: np.ndarray,
    count: int,
    public: float = 0.0,
    common_knowledge: float = 0.0,
    polarisation: float = 0.0,
) -> np.ndarray:
    """Expectations after talking: each attendee's moves ``COMMUNICATION`` of the way to its
    assembly's :func:`talk_target` (the attendees' average ``intention``, weighed with the
    ``public`` cooperation all knew by ``common_knowledge``, pushed by ``polarisation``);
    others' stay."""
    out = np.array(belief, dtype=float)
    communicate(
        out,
        np.asarray(intention, dtype=float),
        np.asarray(assembly),
        np.asarray(attended, dtype=bool),
        int(count),
        float(public),
        float(common_knowledge),
        float(polarisation),
    )
    return out


@kernel
def talk_target(mean_intention, public, common_knowledge, polarisation):  # pragma: no cover - compiled
    """What an assembly's attendees come to expect by talking: their average intention,
    weighed against what all of them knew before (``public``, the community-wide
    cooperation) by ``common_knowledge`` (Gigone & Hastie 1993), then pushed away from 1/2 on
    the side it leans by ``polarisation`` (Myers & Lamm 1976); clipped to [0, 1]."""
    target = (1.0 - common_knowledge) * mean_intention + common_knowledge * public
    target += polarisation * (target - 0.5)
    return min(max(target, 0.0), 1.0)


@kernel
def seen_breaches(share, cohesion, groupthink):  # pragma: no cover - compiled
    """The share of breaches an assembly sees when it votes: the ``share`` of its bound
    members who broke a rule, less what a cohesive group does not see (Janis 1972)."""
    return share * (1.0 - groupthink * cohesion)


@kernel
def communicate(
    belief, intention, assembly, attended, count, public, common_knowledge, polarisation
):  # pragma: no cover - compiled
    """:func:`communicated_beliefs`, in place."""
    present = np.zeros(count)
    mean = np.zeros(count)
    for i in range(belief.size):
        if attended[i]:
            present[assembly[i]] += 1.0
            mean[assembly[i]] += intention[i]
    for k in range(count):
        if present[k] > 0:
            mean[k] = talk_target(mean[k] / present[k], public, common_knowledge, polarisation)
    for i in range(belief.size):
        if attended[i]:
            belief[i] += COMMUNICATION * (mean[assembly[i]] - belief[i])


@kernel
def trust_after_meeting(trust, together, gain):  # pragma: no cover - compiled
    """Trust on each tie after a meeting: ties ``together`` (both ends met) gain ``gain (1 - t)``."""
    out = trust.copy()
    for j in range(out.size):
        if together[j]:
            out[j] += gain * (1.0 - out[j])
    return out


@kernel
def reset_levels(fine_scale, fee, chosen, official):  # pragma: no cover - compiled
    """Every assembly's levels back to the ``official`` ones (:class:`OfficialLevels`): an
    override by officials."""
    fine_scale[:] = official.fine_scale
    fee[:] = official.fee_eur_per_day
    chosen[:] = False


def hold_meeting(
    state: State,
    inst: Institutions,
    behaviour: Behaviour,
    levels: RuleLevels,
    voice: float,
    breach: np.ndarray,
    bound: np.ndarray,
    account_eur: float,
    daily_cost_eur: float,
    rng: np.random.Generator,
) -> MeetingDay:
    """Meet, talk and vote (stream ``governance``: one uniform per agent); updates beliefs,
    trust and ``levels``."""
    assembly, count = assemblies(state, inst)
    ties = state.ties
    attended, attendance, valid, votes, held = meet(
        rng.random(state.n),
        assembly,
        count,
        state.member,
        state.satisfaction,
        state.trust_institutional,
        state.attended_last,
        state.meetings_attended,
        state.meetings_eligible,
        state.belief,
        state.propensity,
        state.cooperated,
        breach,
        bound,
        ties.owners,
        ties.indices,
        ties.trust,
        meeting_parameters(behaviour, inst),
        float(voice),
        vote_budget(float(account_eur), float(daily_cost_eur)),
        levels.fine_scale,
        levels.fee_eur_per_day,
        levels.chosen,
        initial_levels(inst),
    )
    return MeetingDay(attended, attendance, valid, votes, inst.meeting_cost_eur * float(held))


def meeting_parameters(behaviour: Behaviour, inst: Institutions) -> MeetingParameters:
    """Attendance's base, weights of satisfaction, trust and habit, the cost of taking part
    (less the facilitator's reduction), the group-size cost, the trust gained on ties
    between attendees and the quorum, as :func:`meet` takes them."""
    p = behaviour.participation
    cost = p.participation_cost * (1.0 - (inst.participation_cost_reduction if inst.operator else 0.0))
    return MeetingParameters(
        attendance_base=float(p.attendance_base),
        attendance_satisfaction=float(p.attendance_satisfaction),
        attendance_trust=float(p.attendance_trust),
        attendance_habit=float(p.attendance_habit),
        participation_cost=float(cost),
        group_size_cost=float(p.group_size_cost),
        meeting_gain=float(behaviour.trust.meeting_gain),
        quorum=float(inst.quorum),
        groupthink=float(behaviour.biases.groupthink),
        common_knowledge=float(behaviour.biases.common_knowledge),
        polarisation=float(behaviour.biases.polarisation),
    )


def initial_levels(inst: Institutions) -> OfficialLevels:
    """The rule levels officials set, before any vote: fine scale, fee [EUR/day]."""
    return OfficialLevels(fine_scale=1.0, fee_eur_per_day=float(inst.fee_eur_per_day))


@kernel
def vote_budget(account_eur, daily_cost_eur):  # pragma: no cover - compiled
    """Members' fee vote: -1 (lower it) with more than 90 days of fixed costs in the
    account, 1 (raise it) when the account is negative, else 0."""
    return -1.0 if account_eur > 90 * daily_cost_eur else (1.0 if account_eur < 0 else 0.0)


@kernel
def voted_levels(fine_scale, fee, vote, budget, voice, official):  # pragma: no cover - compiled
    """One assembly's (fine scale, fee) after a valid vote: the median ``vote`` and
    the fee's ``budget`` vote move the levels in force, and members' ``voice`` weighs them
    against the ``official`` ones (:class:`OfficialLevels`)."""
    voted_fine = min(max(fine_scale * FINE_STEP**vote, FINE_BOUNDS[0]), FINE_BOUNDS[1])
    voted_fee = fee * FEE_STEP**budget
    return (
        (1.0 - voice) * official.fine_scale + voice * voted_fine,
        (1.0 - voice) * official.fee_eur_per_day + voice * voted_fee,
    )


@kernel
def meet(
    u,
    assembly,
    count,
    member,
    satisfaction,
    trust_institutional,
    attended_last,
    meetings_attended,
    meetings_eligible,
    belief,
    propensity,
    cooperated,
    breach,
    bound,
    owners,
    indices,
    tie_trust,
    p,
    voice,
    budget,
    fine_scale,
    fee,
    chosen,
    official,
):  # pragma: no cover - compiled
    """The meetings of :func:`hold_meeting` on arrays: who attends (``u``: one uniform per
    agent; ``p``: :class:`MeetingParameters`), talk, votes toward or away from the
    ``official`` levels (:class:`OfficialLevels`); returns (attended, attendance rate,
    valid, votes, assemblies held)."""
    n = member.size
    size = np.zeros(count)
    members = 0
    for i in range(n):
        if member[i]:
            size[assembly[i]] += 1.0
            members += 1
    attended = np.zeros(n, dtype=np.bool_)
    present = np.zeros(count)
    bound_members = np.zeros(count)
    breaches = np.zeros(count)
    for i in range(n):
        a = assembly[i]
        if member[i]:
            attended[i] = attends(u[i], satisfaction[i], trust_institutional[i], attended_last[i], size[a], p)
            meetings_eligible[i] += 1
            if bound[i]:
                bound_members[a] += 1.0
                if breach[i]:
                    breaches[a] += 1.0
        attended_last[i] = attended[i]
        if attended[i]:
            meetings_attended[i] += 1
            present[a] += 1.0
    # talk: expectations move toward the attendees' average intention; ties between them gain trust
    public = cooperated.mean() if n else 0.0  # what every attendee knew before the meeting
    communicate(belief, propensity, assembly, attended, count, public, p.common_knowledge, p.polarisation)
    together = np.empty(indices.size, dtype=np.bool_)
    for j in range(indices.size):
        o, d = owners[j], indices[j]
        together[j] = attended[o] and attended[d] and assembly[o] == assembly[d]
    tie_trust[:] = trust_after_meeting(tie_trust, together, p.meeting_gain)
    # cohesion: the mean trust on ties between an assembly's attendees, after talking
    cohesion = np.zeros(count)
    between = np.zeros(count)
    for j in range(indices.size):
        if together[j]:
            cohesion[assembly[owners[j]]] += tie_trust[j]
            between[assembly[owners[j]]] += 1.0
    for k in range(count):
        if between[k] > 0:
            cohesion[k] /= between[k]
    # votes where the quorum is reached: the median ballot of the attendees
    valid = np.zeros(count, dtype=np.bool_)
    votes = np.zeros(count)
    held = 0
    for k in range(count):
        held += present[k] > 0
        valid[k] = present[k] > 0 and present[k] >= p.quorum * max(size[k], 1.0)
        if not valid[k]:
            continue
        share = breaches[k] / bound_members[k] if bound_members[k] > 0 else 0.0
        strict = seen_breaches(share, cohesion[k], p.groupthink) > STRICTER_WHEN_BREACHES_ABOVE
        ballots = np.empty(int(present[k]))
        m = 0
        for i in range(n):
            if attended[i] and assembly[i] == k:
                ballots[m] = (1.0 if strict else 0.0) if cooperated[i] else -1.0
                m += 1
        votes[k] = np.sign(np.median(ballots))
    if voice > 0:
        for k in range(count):
            if not valid[k]:
                continue
            fine_scale[k], fee[k] = voted_levels(fine_scale[k], fee[k], votes[k], budget, voice, official)
            chosen[k] = True
    attendance = 0.0
    if members:
        attendance = attended.sum() / members
    return attended, attendance, valid, votes, held
