"""Decisions: whether each agent cooperates today, and what that means in each commons.

Each day every agent decides, all at once, whether to cooperate (``state.cooperated``),
with probability ``state.propensity``::

    intrinsic = clip(r_type(b) + motive_weight * w + legitimacy_weight * L * T, 0, 1)
                x (1 - crowding_out)          under controlling officials' monitoring
    deterrence = sigmoid((E[sanction] - g) / (deterrence_noise * g))   if the agent is
                                              bound by a rule backed by a sanction, else 0
                 (0 when g = 0: breaking the rules would gain it nothing)
    propensity = 1 - (1 - intrinsic) * (1 - deterrence)

``r_type(b)`` is the agent's conditional-cooperation response to ``b``, what it expects
others to do (:mod:`commons_abm.behaviour.motives`, Fischbacher, Gächter & Fehr 2001); ``w`` its
motive's weight on the group's payoff (``000_027160d2fbf9a985.txt``); ``T`` its institutional
trust and ``L`` the legitimacy of the rules, the voice members had in making them, discounted by the risk
that officials override them (Tyler 1990, *Why People Obey the Law*; Ostrom 1990
principles 3 and 7); ``E[sanction]`` the perceived probability of
detection times the fine at the agent's next rung of the ladder, against ``g``, what
breaking the sanctioned rules that bind it would gain it today (Becker 1968); crowding out
after Frey & Jegen (2001).

**The temptation is the agent's own stake**, in EUR from the model's prices and its own
flows (:func:`temptation_of`), summed over the sanctioned rules that bind it: its
assembly's fee per day (``pay_fee``); what drawing ``overdraw_factor`` times its share of
the community battery's output would save it, valued at the import price less the
community price, from what the battery gave it the day before (``overdraw``). Its loss to
the others is ``docs/ODD.md``'s table of dilemmas. A household's waste is not this
decision: it decides what to sort, compost, bring to the hub and dump on its own costs
and gains (:mod:`commons_abm.behaviour.waste_choices`), from the intrinsic cooperation
computed here, with a dumping ban's expected fine as its deterrent.

A cooperating agent, today: claims only its allocated share of the battery and pays its
fee. A defecting one claims ``1 + overdraw_factor`` times its share of the battery's
output and skips the fee. A member's PV surplus is the operation's whatever it decides
(:mod:`commons_abm.energy.exchange`).

What the agent expects of others, ``b``, then follows what it saw
(:mod:`commons_abm.behaviour.beliefs`).

:func:`agent_decision` is the one-agent form (one agent's propensity, draw and what it
implies), which the whole-population kernel :func:`decide_arrays` calls for every agent and
the reference engine's agents call one at a time (:mod:`commons_abm.agents.rules`).

Over 400 lines: the decision rule's terms (intrinsic cooperation, legitimacy, perceived
detection, deterrence), its one-agent form and its whole-population kernel are one
mechanism, kept in one module as the rule of one home per mechanism asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from commons_abm.behaviour.motives import check_types, response
from commons_abm.behaviour.waste_choices import (
    ChoiceParameters,
    WasteChoices,
    choice_arrays,
    dumping_today,
    waste_charge,
)
from commons_abm.core.kernels import flat, kernel, shaped
from commons_abm.core.kinds import MATERIAL_ROLE_OF
from commons_abm.core.scenario import Behaviour, Scenario
from commons_abm.core.state import State
from commons_abm.governance.institutions import OFFICIAL_MONITOR, PEER_MONITOR, Binding, Institutions, binds
from commons_abm.governance.monitoring import peer_coverage
from commons_abm.governance.rulebook import POSTURE_VOICE
from commons_abm.governance.sanctions import next_fine_of

__all__ = [
    "missed_by_monitors",
    "Actions",
    "DecisionParameters",
    "TemptationParameters",
    "agent_decision",
    "decide",
    "decide_arrays",
    "decision_parameters",
    "deterrence_response",
    "intrinsic_cooperation",
    "legitimacy",
    "legitimacy_levels",
    "split_binding",
    "temptation_of",
    "temptation_parameters",
    "with_deterrence",
]


class DecisionParameters(NamedTuple):
    """The decision rule's parameters, as :func:`decide_arrays` takes them
    (:func:`decision_parameters` reads them from the scenario's behaviour)."""

    slope: float  # conditional cooperators' cooperation per unit of expected cooperation [-]
    other_level: float  # cooperation of the 'other' type, whatever others do [0-1]
    motive_weight: float  # cooperation added per unit of group weight [0-1]
    legitimacy_weight: float  # cooperation added per unit of legitimacy x institutional trust [-]
    crowding_out: float  # share of intrinsic cooperation lost under controlling monitoring [0-1]
    authority_bias: float  # deference: official monitors' detection seems (1 + this) times as likely [0-1]
    deterrence_noise: float  # spread of the response to expected sanctions, relative to the temptation [-]
    overdraw_factor: float  # a defector's extra claim on pooled energy [-]


class TemptationParameters(NamedTuple):
    """The prices and rates that value what breaking a rule would gain an agent, as
    :func:`temptation_of` takes them (:func:`temptation_parameters` reads them from the scenario)."""

    battery_margin_eur_per_kwh: float  # import price less community price: a kWh overdrawn saves this [EUR/kWh]


@dataclass
class Actions:
    """What today's decisions mean for the flows: per-agent claims, waste choices and flags."""

    claim: np.ndarray  # weight of the agent's claim on the battery's output [-]
    waste: WasteChoices  # each household's waste decisions (:mod:`commons_abm.behaviour.waste_choices`)
    pays_fee: np.ndarray  # bool
    bound: np.ndarray  # bool: some rule applies to the agent today
    breach: np.ndarray  # bool: the agent broke a rule that applies to it
    sanctionable: np.ndarray  # bool: ... a rule backed by a sanction
    bound_sanctioned: np.ndarray  # bool: a rule backed by a sanction applies (breaching or not)


def legitimacy(
    inst: Institutions, posture: str, chosen_by_members: np.ndarray | bool, security: float = 1.0
) -> np.ndarray:
    """Legitimacy of the rules in force [0-1], per assembly: members' secure voice in making them.

    Voice is the share of the decision the posture leaves to members, when members meet
    and vote (principle 3) and their choice stands; rules imposed from outside have none.
    ``security`` is the chance that a rule members choose is not overridden by officials
    within a year (:func:`commons_abm.governance.officials.rule_security`; principle 7): a voice that
    officials can overrule at will gives rules little legitimacy (Ostrom 1990, ch. 3,
    "minimal recognition of rights to organize").
    """
    chosen = np.asarray(chosen_by_members, dtype=bool)
    voice = POSTURE_VOICE[posture] if inst.meetings else 0.0
    return shaped(legitimacy_levels(voice, float(security), chosen.ravel()), chosen.shape)


@kernel
def legitimacy_levels(voice, security, chosen):  # pragma: no cover - compiled
    """:func:`legitimacy` of each assembly from members' ``voice`` (0 when they do not meet)."""
    out = np.zeros(chosen.size)
    for k in range(chosen.size):
        if chosen[k]:
            out[k] = voice * security
    return out


@kernel
def missed_by_monitors(who, p, coverage, authority_bias):  # pragma: no cover - compiled
    """Probability, as the agent perceives it, that no monitor detects its breach, given the share
    ``coverage`` of its ties to cooperating members (the one-agent form the reference engine calls)."""
    miss = 1.0
    for m in range(who.size):
        if who[m] == PEER_MONITOR:
            miss *= 1.0 - p[m] * coverage
        elif who[m] == OFFICIAL_MONITOR:
            miss *= 1.0 - min(1.0, p[m] * (1.0 + authority_bias))
        else:
            miss *= 1.0 - p[m]
    return miss


@kernel
def _intrinsic(
    cc_type, belief, group_weight, slope, other_level, motive_weight, legitimacy_weight, legitimacy_level, trust
):  # pragma: no cover - compiled
    """Intrinsic cooperation of one agent (:func:`intrinsic_cooperation`)."""
    intrinsic = response(cc_type, belief, slope, other_level) + motive_weight * group_weight
    intrinsic += legitimacy_weight * legitimacy_level * trust
    return min(max(intrinsic, 0.0), 1.0)


@kernel
def _intrinsic_all(
    cc_type, belief, group_weight, slope, other_level, motive_weight, legitimacy_weight, legitimacy_level, trust
):  # pragma: no cover - compiled
    out = np.empty(belief.size)
    for i in range(belief.size):
        out[i] = _intrinsic(
            cc_type[i],
            belief[i],
            group_weight[i],
            slope,
            other_level,
            motive_weight,
            legitimacy_weight,
            legitimacy_level[i],
            trust[i],
        )
    return out


def intrinsic_cooperation(
    cc_type: np.ndarray,
    belief: np.ndarray,
    group_weight: np.ndarray,
    behaviour: Behaviour,
    legitimacy_level: np.ndarray | float = 0.0,
    trust_institutional: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Cooperation each agent offers of its own accord [0-1], before any crowding out:
    ``clip(r_type(b) + motive_weight w + legitimacy_weight L T, 0, 1)``."""
    d, cc = behaviour.decisions, behaviour.conditional_cooperation
    shape = np.broadcast_shapes(*map(np.shape, (cc_type, belief, group_weight, legitimacy_level, trust_institutional)))
    out = _intrinsic_all(
        flat(check_types(cc_type), shape, np.int64),
        flat(belief, shape),
        flat(group_weight, shape),
        cc.slope,
        cc.other_level,
        d.motive_weight,
        d.legitimacy_weight,
        flat(legitimacy_level, shape),
        flat(trust_institutional, shape),
    )
    return shaped(out, shape)


@kernel
def _deterrence(expected, temptation, noise):  # pragma: no cover - compiled
    """Share of would-be defectors deterred (:func:`deterrence_response`) for one agent:
    none when breaking the rules would gain nothing (``temptation`` <= 0): there is no
    would-be defector to deter, and a rule one has no stake in changes no behaviour."""
    if not temptation > 0.0:
        return 0.0
    z = min(max((expected - temptation) / (noise * temptation), -50.0), 50.0)
    return 1.0 / (1.0 + np.exp(-z))


@kernel
def _deterrence_all(expected, temptation, noise):  # pragma: no cover - compiled
    out = np.empty(expected.size)
    for i in range(expected.size):
        out[i] = _deterrence(expected[i], temptation[i], noise[i])
    return out


def deterrence_response(expected: np.ndarray, temptation: float, noise: float) -> np.ndarray:
    """Share of would-be defectors deterred by an ``expected`` sanction against a gain of
    ``temptation`` (same unit): ``sigmoid((expected - temptation) / (noise temptation))``."""
    shape = np.broadcast_shapes(np.shape(expected), np.shape(temptation), np.shape(noise))
    return shaped(_deterrence_all(flat(expected, shape), flat(temptation, shape), flat(noise, shape)), shape)


@kernel
def with_deterrence(intrinsic, deterrence):  # pragma: no cover - compiled
    """Propensity to cooperate of agents with an ``intrinsic`` motive and a ``deterrence``
    (numbers or arrays)."""
    return 1.0 - (1.0 - intrinsic) * (1.0 - deterrence)


@kernel
def agent_decision(
    cc_type,
    belief,
    group_weight,
    trust,
    legitimacy_level,
    u,
    member,
    temptation,
    crowding,
    deterred,
    sanctionable,
    expected,
    fee_charged,
    p,
):  # pragma: no cover - compiled
    """The one-agent form: ``(propensity, cooperated, claim, intrinsic, pays_fee)`` of one
    agent today, from its type, belief, group weight, institutional
    trust and its assembly's legitimacy, its uniform draw ``u``, and, when sanctions deter
    anyone today (``deterred``), whether a sanctioned rule binds it (``sanctionable``), its
    ``expected`` sanction and its ``temptation`` (:func:`temptation_of`) [EUR]
    (``p``: :class:`DecisionParameters`)."""
    intrinsic = _intrinsic(
        cc_type,
        belief,
        group_weight,
        p.slope,
        p.other_level,
        p.motive_weight,
        p.legitimacy_weight,
        legitimacy_level,
        trust,
    )
    if crowding:
        intrinsic *= 1.0 - p.crowding_out
    propensity = intrinsic
    if deterred:
        deterrence = 0.0
        if sanctionable:
            deterrence = _deterrence(expected, temptation, p.deterrence_noise)
        propensity = with_deterrence(intrinsic, deterrence)
    c = u < propensity
    pays_fee = member and c and fee_charged
    claim = 1.0 if c else 1.0 + p.overdraw_factor
    return propensity, c, claim, intrinsic, pays_fee


@kernel
def temptation_of(binding, member, fee_eur, battery_kwh, overdraw_factor, t):  # pragma: no cover - compiled
    """What breaking the rules ``binding`` (a :class:`~commons_abm.governance.institutions.Binding`)
    makes bind one agent would gain it today [EUR] (``t``: :class:`TemptationParameters`): its
    assembly's fee ``fee_eur`` under a fee rule; ``overdraw_factor`` times what the battery
    gave it yesterday (``battery_kwh``) at the import price less the community price under
    an overdraw rule. (Dumping is a household's own waste decision, with its own price and
    expected fine: :mod:`commons_abm.behaviour.waste_choices`.)"""
    gain = 0.0
    if binding.fee and member:
        gain += fee_eur
    if (binding.overdraw and member) or binding.everyone:
        gain += overdraw_factor * battery_kwh * t.battery_margin_eur_per_kwh
    return gain


@kernel
def split_binding(binding):  # pragma: no cover - compiled
    """``(coin, dumping)``: the part of ``binding`` today's decision to cooperate answers
    (the fee, overdrawing) and the dumping ban, which a household's waste decision answers."""
    coin = Binding(binding.members, binding.fee, binding.overdraw, binding.everyone, False, False)
    dump = Binding(False, False, False, False, binding.dumping, binding.dumping_members_only)
    return coin, dump


@kernel
def decide_arrays(
    cc_type,
    belief,
    group_weight,
    trust,
    member,
    cooperated_before,
    kind,
    offence_level,
    indptr,
    indices,
    u,
    u_dumping,
    legitimacy_level,
    fine_scale,
    fee_level,
    battery_received,
    waste_kg,
    decision,
    temptation,
    crowding,
    binding,
    sanctioned_binding,
    deterring,
    who,
    p,
    scheme,
    ladder,
    flat_fine,
    fee_charged,
    charge,
    choice,
):  # pragma: no cover - compiled
    """The arithmetic of :func:`decide` (``decision``: :class:`DecisionParameters`;
    ``temptation``: :class:`TemptationParameters`; ``fee_level``: each agent's assembly's
    fee [EUR/day]; ``charge``, ``choice``: the waste charge and
    :class:`~commons_abm.behaviour.waste_choices.ChoiceParameters`)."""
    n = belief.size
    coin, dump = split_binding(binding)
    coin_sanctioned, dump_sanctioned = split_binding(sanctioned_binding)
    bound_coin = binds(coin, member, kind)
    bound_dump = binds(dump, member, kind)
    sanctionable = binds(coin_sanctioned, member, kind)
    sanctionable_dump = binds(dump_sanctioned, member, kind)
    deterred = deterring and (sanctionable.any() or sanctionable_dump.any())
    coverage = peer_coverage(indptr, indices, member, cooperated_before) if deterred else np.zeros(n)
    propensity = np.empty(n)
    cooperated = np.empty(n, dtype=np.bool_)
    claim = np.empty(n)
    intrinsic = np.empty(n)
    dumping_fine = np.zeros(n)  # the fine a household expects for dumping on a day [EUR]
    pays_fee = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        expected = 0.0
        gain = 0.0
        if deterred and (sanctionable[i] or sanctionable_dump[i]):
            detection = 1.0 - missed_by_monitors(who, p, coverage[i], decision.authority_bias)
            fine = next_fine_of(scheme, ladder, flat_fine, offence_level[i], fine_scale[i])
            expected = detection * fine
            if sanctionable_dump[i]:
                dumping_fine[i] = expected
            gain = temptation_of(
                coin_sanctioned, member[i], fee_level[i], battery_received[i], decision.overdraw_factor, temptation
            )
        (propensity[i], cooperated[i], claim[i], intrinsic[i], pays_fee[i]) = agent_decision(
            cc_type[i],
            belief[i],
            group_weight[i],
            trust[i],
            legitimacy_level[i],
            u[i],
            member[i],
            gain,
            crowding,
            deterred,
            sanctionable[i],
            expected,
            fee_charged,
            decision,
        )
    waste = choice_arrays(MATERIAL_ROLE_OF[kind], intrinsic, waste_kg, dumping_fine, charge, choice)
    dumps = dumping_today(waste, u_dumping)
    if not deterred:
        sanctionable[:] = False
        sanctionable_dump[:] = False
    bound = bound_coin | bound_dump
    breach = (bound_coin & ~cooperated) | (bound_dump & dumps)
    sanctionable_breach = (sanctionable & ~cooperated) | (sanctionable_dump & dumps)
    bound_sanctioned = sanctionable | sanctionable_dump
    return propensity, cooperated, claim, waste, pays_fee, bound, breach, sanctionable_breach, bound_sanctioned


def decision_parameters(behaviour: Behaviour) -> DecisionParameters:
    """The decision rule's parameters, as :func:`decide_arrays` takes them."""
    d, cc = behaviour.decisions, behaviour.conditional_cooperation
    return DecisionParameters(
        slope=float(cc.slope),
        other_level=float(cc.other_level),
        motive_weight=float(d.motive_weight),
        legitimacy_weight=float(d.legitimacy_weight),
        crowding_out=float(d.crowding_out),
        authority_bias=float(behaviour.trust.authority_bias),
        deterrence_noise=float(d.deterrence_noise),
        overdraw_factor=float(d.overdraw_factor),
    )


def temptation_parameters(scenario: Scenario) -> TemptationParameters:
    """The prices and rates :func:`temptation_of` values a breach with, from the scenario."""
    tariffs = scenario.energy.tariffs
    return TemptationParameters(
        battery_margin_eur_per_kwh=max(float(tariffs.import_eur_per_kwh - tariffs.community_eur_per_kwh), 0.0),
    )


def decide(
    state: State,
    inst: Institutions,
    behaviour: Behaviour,
    rng: np.random.Generator,
    *,
    legitimacy_level: np.ndarray | float,
    fine_scale: np.ndarray | float,
    fee_eur_per_day: np.ndarray | float,
    temptation: TemptationParameters,
    choice: ChoiceParameters,
) -> Actions:
    """Today's cooperation of every agent (stream ``behaviour``), each household's waste
    decisions (:mod:`commons_abm.behaviour.waste_choices`) and what they imply.

    ``legitimacy_level``, ``fine_scale`` and ``fee_eur_per_day`` are per agent (its
    assembly's) or one value for all; ``temptation`` values what a breach would gain
    (:func:`temptation_parameters`); ``choice`` the households' efforts and values
    (:func:`~commons_abm.behaviour.waste_choices.choice_parameters`).
    """
    n = state.n
    u = rng.random(n)
    u_dumping = rng.random((2, n))
    monitors, sanctions = inst.monitor_table, inst.sanction_table

    (propensity, cooperated, claim, waste, pays_fee, bound, breach, sanctionable, bound_sanctioned) = decide_arrays(
        state.cc_type,
        state.belief,
        state.group_weight,
        state.trust_institutional,
        state.member,
        state.cooperated,
        state.kind,
        state.offence_level,
        state.ties.indptr,
        state.ties.indices,
        u,
        u_dumping,
        flat(legitimacy_level, (n,)),
        flat(fine_scale, (n,)),
        flat(fee_eur_per_day, (n,)),
        state.battery_received_kwh,
        state.waste_kg_per_day,
        decision_parameters(behaviour),
        temptation,
        inst.official_monitoring and inst.stance == "controller",
        inst.binding(),
        inst.binding(True),
        bool(inst.sanctioned) and inst.sanction_scheme != "none",
        monitors.who,
        monitors.detection_probability,
        sanctions.scheme,
        sanctions.ladder_eur,
        sanctions.flat_fine_eur,
        inst.fee_eur_per_day > 0,
        waste_charge(inst),
        choice,
    )
    state.propensity[:] = propensity
    state.cooperated[:] = cooperated
    return Actions(
        claim=claim,
        waste=waste,
        pays_fee=pays_fee,
        bound=bound,
        breach=breach,
        sanctionable=sanctionable,
        bound_sanctioned=bound_sanctioned,
    )
