"""Decisions: whether each agent cooperates today, and what that means in each commons.

Each day every agent decides, all at once, whether to cooperate (``state.cooperated``),
with probability ``state.propensity``::

    intrinsic = clip(r_type(b) + motive_weight * w + legitimacy_weight * L * T, 0, 1)
                x (1 - crowding_out)          under controlling officials' monitoring
    deterrence = sigmoid((E[sanction] - g) / (deterrence_noise * g))   if the agent is
                                              bound by a rule backed by a sanction, else 0
    propensity = 1 - (1 - intrinsic) * (1 - deterrence)

``r_type(b)`` is the agent's conditional-cooperation response to ``b``, what it expects
others to do (:mod:`commons_abm.motives`, Fischbacher, Gächter & Fehr 2001); ``w`` its
motive's weight on the group's payoff (000); ``T`` its institutional trust and ``L`` the
legitimacy of the rules, the voice members had in making them, discounted by the risk
that officials override them (Tyler 1990, *Why People Obey the Law*; Ostrom 1990
principles 3 and 7); ``E[sanction]`` the perceived probability of
detection times the fine at the agent's next rung of the ladder, against the daily
temptation ``g`` (Becker 1968); crowding out after Frey & Jegen (2001).

A cooperating agent, today: offers the pool the larger of the quota and its propensity of
its PV surplus if a member (the rest is sold outside), claims only its allocated share, pays its fee, sorts more, brings its
reusable goods to the hub and dumps nothing. A defecting one sells its surplus outside,
claims ``1 + overdraw_factor`` times its share, skips the fee, sorts less, keeps its goods
and dumps (more of it, displaced onto neighbours, under officials' monitoring of waste:
002, pay-per-lift bins).

Beliefs then follow what the agent saw (:func:`update_beliefs`): trusted neighbours'
behaviour (conformity) and the community-wide rate; the fall is slowed by trust.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commons_abm.motives import conditional_response
from commons_abm.rulebook import Institutions
from commons_abm.scenario import Behaviour
from commons_abm.state import HOUSEHOLD, State

__all__ = [
    "Actions",
    "POSTURE_VOICE",
    "bound_by_rules",
    "decide",
    "deterrence_response",
    "intrinsic_cooperation",
    "legitimacy",
    "perceived_detection",
    "revised_beliefs",
    "update_beliefs",
    "with_deterrence",
]

# Members' share in deciding the rules, by rung of the participation ladder (000).
POSTURE_VOICE = {"authority": 0.0, "consultation": 0.25, "participation": 0.5,
                 "collaboration": 0.75, "shared_governance": 1.0}

# Material behaviour of cooperators and defectors, as multipliers of the scenario's rates
# (a population cooperating half the time behaves as the scenario's rates say).
SORTING = (0.85, 1.15)    # (defector, cooperator) x materials.households.sorting_rate
HUB_BRING = (0.0, 2.0)    # x materials.households.hub_bring_rate
DUMPING = (2.0, 0.0)      # x materials.households.dumping_rate


@dataclass
class Actions:
    """What today's decisions mean for the flows: per-agent multipliers and flags."""

    share_fraction: np.ndarray   # share of PV surplus offered to the pool [0-1]
    claim: np.ndarray            # weight of the agent's claim on pooled energy [-]
    sorting: np.ndarray          # x sorting_rate
    hub_bring: np.ndarray        # x hub_bring_rate
    dumping: np.ndarray          # x dumping_rate
    pays_fee: np.ndarray         # bool
    bound: np.ndarray            # bool: some rule applies to the agent today
    breach: np.ndarray           # bool: the agent broke a rule that applies to it
    sanctionable: np.ndarray     # bool: ... a rule backed by a sanction
    bound_sanctioned: np.ndarray  # bool: a rule backed by a sanction applies (breaching or not)


def legitimacy(inst: Institutions, posture: str, chosen_by_members: np.ndarray | bool,
               security: float = 1.0) -> np.ndarray:
    """Legitimacy of the rules in force [0-1], per assembly: members' secure voice in making them.

    Voice is the share of the decision the posture leaves to members, when members meet
    and vote (principle 3) and their choice stands; rules imposed from outside have none.
    ``security`` is the chance that a rule members choose is not overridden by officials
    within a year (:func:`commons_abm.officials.rule_security`; principle 7): a voice that
    officials can overrule at will gives rules little legitimacy (Ostrom 1990, ch. 3,
    "minimal recognition of rights to organize").
    """
    chosen = np.asarray(chosen_by_members, dtype=bool)
    if not inst.meetings:
        return np.zeros(chosen.shape)
    return np.where(chosen, POSTURE_VOICE[posture] * security, 0.0)


def bound_by_rules(state: State, inst: Institutions, sanctioned_only: bool = False) -> np.ndarray:
    """Agents to whom at least one rule applies (or one backed by a sanction).

    Each statement binds the agents its attribute names: sharing binds members with PV;
    the fee, and overdrawing (attribute ``member``), bind members; overdrawing with
    attribute ``anyone`` binds everyone who may draw (everyone under open access); the
    dumping ban binds households (attribute ``household`` or ``anyone``: only households
    dump) or member households (attribute ``member``)."""
    aims = inst.sanctioned if sanctioned_only else None

    def on(aim: str, present: bool) -> bool:
        return present and (aims is None or aim in aims)

    member = state.member
    bound = np.zeros(state.n, dtype=bool)
    if on("share_surplus", inst.min_share is not None):
        bound |= member & (state.pv_kwp > 0)
    if on("overdraw", inst.overdraw_forbidden) or on("pay_fee", inst.fee_eur_per_day > 0):
        bound |= member
    if on("overdraw", inst.overdraw_binds_anyone) and inst.boundary == "open_access":
        bound[:] = True  # everyone may draw, so the rule against overdrawing binds everyone
    if on("dump_waste", inst.dumping_forbidden):
        households = state.kind == HOUSEHOLD
        bound |= households & member if inst.dumping_binds_members_only else households
    return bound


def perceived_detection(state: State, inst: Institutions, authority_bias: float) -> np.ndarray:
    """Each agent's perceived daily probability that a breach of its own is detected.

    Peers detect in proportion to the share of one's ties to cooperating members ("mutual
    vigilance", 003); the operator and officials check everyone. Monitors act
    independently. Authority bias inflates the perceived reach of officials.
    """
    miss = np.ones(state.n)
    for who, p, _error, _cost in inst.monitors:
        if who == "peer":
            miss *= 1.0 - p * peer_coverage(state)
        elif who == "official":
            miss *= 1.0 - min(1.0, p * (1.0 + authority_bias))
        else:
            miss *= 1.0 - p
    return 1.0 - miss


def peer_coverage(state: State) -> np.ndarray:
    """Share of each agent's ties that are to members who cooperated at the last decision:
    the day before when an agent perceives its risk in ``decide``, today when monitors
    check after ``decide``."""
    ties = state.ties
    watcher = (state.member & state.cooperated).astype(float)
    deg = ties.degree()
    seen = ties.sum_over_ties(watcher[ties.indices])
    return np.divide(seen, deg, out=np.zeros(state.n), where=deg > 0)


def next_fine(state: State, inst: Institutions, fine_scale: np.ndarray | float) -> np.ndarray:
    """The fine each agent would pay for its next breach [EUR]."""
    if inst.sanction_scheme == "flat":
        return np.full(state.n, inst.flat_fine_eur) * fine_scale
    if inst.sanction_scheme == "graduated":
        ladder = np.asarray(inst.fines_eur, dtype=float)
        rung = np.minimum(state.offence_level, ladder.size - 1)
        return ladder[rung] * fine_scale
    return np.zeros(state.n)


def intrinsic_cooperation(
    cc_type: np.ndarray, belief: np.ndarray, group_weight: np.ndarray, behaviour: Behaviour,
    legitimacy_level: np.ndarray | float = 0.0, trust_institutional: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Cooperation each agent offers of its own accord [0-1], before any crowding out:
    ``clip(r_type(b) + motive_weight w + legitimacy_weight L T, 0, 1)``."""
    d, cc = behaviour.decisions, behaviour.conditional_cooperation
    response = conditional_response(cc_type, belief, cc.slope, cc.other_level)
    intrinsic = response + d.motive_weight * group_weight
    intrinsic += d.legitimacy_weight * legitimacy_level * trust_institutional
    np.clip(intrinsic, 0.0, 1.0, out=intrinsic)
    return intrinsic


def deterrence_response(expected: np.ndarray, temptation: float, noise: float) -> np.ndarray:
    """Share of would-be defectors deterred by an ``expected`` sanction against a gain of
    ``temptation`` (same unit): ``sigmoid((expected - temptation) / (noise temptation))``."""
    z = np.clip((expected - temptation) / (noise * temptation), -50.0, 50.0)
    return 1.0 / (1.0 + np.exp(-z))


def with_deterrence(intrinsic: np.ndarray, deterrence: np.ndarray) -> np.ndarray:
    """Propensity to cooperate of agents with an ``intrinsic`` motive and a ``deterrence``."""
    return 1.0 - (1.0 - intrinsic) * (1.0 - deterrence)


def decide(
    state: State, inst: Institutions, behaviour: Behaviour, rng: np.random.Generator, *,
    legitimacy_level: np.ndarray | float, fine_scale: np.ndarray | float,
    quota: np.ndarray | float = 0.0,
) -> Actions:
    """Today's cooperation of every agent (stream ``behaviour``) and what it implies.

    ``legitimacy_level``, ``fine_scale`` and ``quota`` are per agent (its assembly's) or
    one value for all. A cooperating member offers the pool the larger of the quota and
    its propensity of its surplus.
    """
    d = behaviour.decisions
    intrinsic = intrinsic_cooperation(state.cc_type, state.belief, state.group_weight, behaviour,
                                      legitimacy_level, state.trust_institutional)
    if inst.official_monitoring and inst.stance == "controller":
        intrinsic *= 1.0 - d.crowding_out

    sanctionable = bound_by_rules(state, inst, sanctioned_only=True) if inst.sanctioned else None
    if sanctionable is not None and sanctionable.any() and inst.sanction_scheme != "none":
        expected = perceived_detection(state, inst, behaviour.trust.authority_bias) * next_fine(
            state, inst, fine_scale)
        deterrence = np.where(sanctionable, deterrence_response(
            expected, d.temptation_eur_per_day, d.deterrence_noise), 0.0)
        propensity = with_deterrence(intrinsic, deterrence)
    else:
        sanctionable = np.zeros(state.n, dtype=bool)
        propensity = intrinsic
    cooperated = rng.random(state.n) < propensity
    state.propensity[:] = propensity
    state.cooperated[:] = cooperated

    member = state.member
    pick = cooperated.astype(np.intp)
    dumping = np.asarray(DUMPING)[pick]
    if inst.official_monitoring and inst.dumping_forbidden:
        dumping = np.where(cooperated, dumping, dumping * d.displacement)
    bound = bound_by_rules(state, inst)
    return Actions(
        share_fraction=np.where(member & cooperated, np.maximum(quota, propensity), 0.0),
        claim=np.where(cooperated, 1.0, 1.0 + d.overdraw_factor),
        sorting=np.asarray(SORTING)[pick],
        hub_bring=np.asarray(HUB_BRING)[pick],
        dumping=dumping,
        pays_fee=member & cooperated if inst.fee_eur_per_day > 0 else np.zeros(state.n, dtype=bool),
        bound=bound,
        breach=bound & ~cooperated,
        sanctionable=sanctionable & ~cooperated,
        bound_sanctioned=sanctionable,
    )


def update_beliefs(state: State, behaviour: Behaviour, public_rate: float) -> None:
    """Expected cooperation follows what each agent saw today.

    ``observed = (1 - public_information) * (trust-weighted mean of neighbours'
    cooperation) + public_information * public_rate``. The belief moves toward it at
    ``belief_rate``; downward only at ``belief_rate * (1 - trust_slows_decline * t)``,
    ``t`` the agent's mean trust in its ties. Confirmation bias: a move that confirms the
    side of 1/2 the belief is on goes ``1 + confirmation_bias`` times faster, one against
    it ``1 - confirmation_bias`` times as fast.
    """
    d = behaviour.decisions
    ties = state.ties
    deg = ties.degree()
    if ties.indices.size:
        k = d.trust_weighted_attention
        w = (1.0 - k) + k * ties.trust
        num = ties.sum_over_ties(w * state.cooperated[ties.indices])
        den = ties.sum_over_ties(w)
        mean_trust = np.divide(ties.sum_over_ties(ties.trust), deg, out=np.zeros(state.n), where=deg > 0)
        neighbours = np.divide(num, den, out=np.full(state.n, public_rate), where=den > 0)
    else:
        neighbours = np.full(state.n, public_rate)
        mean_trust = np.zeros(state.n)
    observed = (1.0 - d.public_information) * neighbours + d.public_information * public_rate
    state.belief[:] = revised_beliefs(state.belief, observed, mean_trust, behaviour)


def revised_beliefs(belief: np.ndarray, observed: np.ndarray, mean_trust: np.ndarray | float,
                    behaviour: Behaviour) -> np.ndarray:
    """Expected cooperation after seeing ``observed`` (the rule of :func:`update_beliefs`):
    toward it at ``belief_rate``, downward slowed by ``mean_trust``, with confirmation bias."""
    d, cb = behaviour.decisions, behaviour.trust.confirmation_bias
    gap = observed - belief
    rate = np.where(gap < 0, d.belief_rate * (1.0 - d.trust_slows_decline * mean_trust), d.belief_rate)
    confirms = np.sign(gap) == np.sign(belief - 0.5)
    rate = rate * np.where(confirms, 1.0 + cb, 1.0 - cb)
    return np.clip(belief + np.clip(rate, 0.0, 1.0) * gap, 0.0, 1.0)
