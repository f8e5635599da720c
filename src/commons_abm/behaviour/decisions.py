"""Decisions: what each agent does today in each commons it takes part in.

Each day every agent decides, all at once and separately for each commons, whether to
claim only its share of the battery's output, whether to pay its fee (a member, when a fee
is charged), and, a household, what to do with its waste
(:mod:`commons_abm.behaviour.waste_choices`). Each decision follows with probability::

    b' = b + obligation_weight * T * (1 - b)   in a decision a rule binds, else b
    intrinsic = clip(r_type(b') + motive_weight * w + legitimacy_weight * L * T, 0, 1)
                x (1 - crowding_out (1 - L))  where officials monitor or sanction
    deterrence = Phi(ln(E[sanction] / g) / deterrence_noise)   if the agent is bound by a
                                              rule backed by a sanction, else 0
                 (0 when E[sanction] = 0: nobody watches, or the rule names no
                  sanction; 1 when E[sanction] > 0 and g = 0: nothing to gain)
    propensity = 1 - (1 - intrinsic) * (1 - deterrence)      for this decision

``r_type(b)`` is the agent's conditional-cooperation response to ``b``, what it expects
others to do (:mod:`commons_abm.behaviour.motives`, Fischbacher, Gächter & Fehr 2001); ``w`` its
motive's weight on the group's payoff (``000_027160d2fbf9a985.txt``); ``T`` its institutional
trust and ``L`` the legitimacy of the rules, the voice members had in making them, discounted by the risk
that officials override them (Tyler 1990, *Why People Obey the Law*; Ostrom 1990
principles 3 and 7). Officials' monitoring, or sanctions officials impose, crowd out
intrinsic cooperation as far as they are felt as control, that is as far as the rules
they enforce lack legitimacy: rules members had no voice in, or that officials may
override (Frey & Jegen 2001: an external intervention crowds out when it is perceived as
controlling; Cardenas, Stranlund & Willis 2000).

**A rule acts without a sanction**, through what the agent expects of others: a statement
(``must``, ``must_not``) that binds a decision moves its expectation ``b`` toward full
compliance by ``obligation_weight`` times its institutional trust ``T``, whether or not the
rule names a sanction (the expressive function of law: a rule tells people what others
will do, McAdams 2000; obligations without enforcement raise contributions at given
incentives but do not sustain them, Galbiati & Vertova 2008; a symbolic fine's abolition
lowered Swiss turnout, Funk 2007). The strength, ``behaviour.decisions.obligation_weight``
= 0.2, is an assumption (``docs/ODD.md`` 7.B.3); the effect fades as what the agent sees
lowers ``b``. ``E[sanction]`` is the perceived probability of
detection times the fine at the agent's next rung of the ladder, against ``g``, what
breaking the sanctioned rules that bind it would gain it today (Becker 1968). ``Phi`` is
the standard normal distribution: would-be defectors value the gain differently,
log-normally around ``g`` with log-spread ``deterrence_noise``, and each is deterred
when the sanction it expects exceeds its own valuation. A sanction nobody can be caught
for deters nobody: deterrence acts only through the expected
sanction (Becker 1968; Nagin 2013, "Deterrence in the twenty-first century": the certainty
of being caught, not the severity written on paper, is what deters).

**Separate decisions, one disposition.** The decisions share the agent's intrinsic
motive, and their daily draws share a disposition of the day: each draw is
``Phi(sqrt(rho) z0 + sqrt(1 - rho) zk)`` from a common normal ``z0`` and one ``zk`` per
decision (:func:`disposition_uniforms`), ``rho`` = ``disposition_correlation``. An agent
may pay its fee and overdraw the battery the same day; the correlation of one person's
pro-environmental acts across domains is moderate (Thogersen & Olander 2003). The agent
``cooperated`` when it kept to its share of the battery: the everyday act of the energy
commons, which its neighbours see and expect of each other; its fee, a breach when
unpaid, counts in compliance.

**The temptation is the agent's own stake**, in EUR from the model's prices and its own
flows (:func:`temptation_of`), one per decision a sanctioned rule binds: its
assembly's fee per day (``pay_fee``); what drawing ``overdraw_factor`` times its share of
the community battery's output would save it, valued at the import price less the
community price, from what the battery gave it the day before (``overdraw``). Its loss to
the others is ``docs/ODD.md``'s table of dilemmas. A household's waste is not this
decision: it decides what to sort, compost, bring to the hub and dump on its own costs
and gains (:mod:`commons_abm.behaviour.waste_choices`), from the intrinsic cooperation
computed here, with a dumping ban's expected fine as its deterrent.

An agent that keeps to its share claims its allocated share of the battery; one that
overdraws claims ``1 + overdraw_factor`` times it. A member's PV surplus is the operation's whatever it decides
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

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from commons_abm.behaviour.motives import check_types, response
from commons_abm.behaviour.waste_choices import (
    PER_LIFT,
    ChoiceParameters,
    WasteChoices,
    choice_arrays,
    dumping_today,
    waste_charge,
)
from commons_abm.core.kernels import flat, kernel, shaped
from commons_abm.core.kinds import DISCARDS_GOODS, MATERIAL_ROLE_OF
from commons_abm.core.scenario import Behaviour, Scenario
from commons_abm.core.state import State
from commons_abm.governance.institutions import (
    DUTY_MONITOR,
    OFFICIAL_MONITOR,
    PEER_MONITOR,
    Binding,
    Institutions,
    binds,
)
from commons_abm.governance.monitoring import peer_coverage
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
    "disposition_uniforms",
    "goodwill_shares",
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
    disposition_correlation: float  # correlation of one agent's daily draws across its decisions [0-1]
    obligation_weight: float  # how far a binding rule moves expectations toward compliance, per unit of trust [0-1]


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
    visible: np.ndarray  # how visible the agent's breach is from outside its neighbourhood [0-1]


def legitimacy(voice: float, chosen_by_members: np.ndarray | bool, security: float = 1.0) -> np.ndarray:
    """Legitimacy of the rules in force [0-1], per assembly: members' secure voice in making them.

    ``voice`` is the share of the decision the officials' posture leaves to members when
    they meet and vote (principle 3, :func:`commons_abm.governance.officials.members_voice`),
    counted where their choice stands; rules imposed from outside have none.
    ``security`` is the chance that a rule members choose is not overridden by officials
    within a year (:func:`commons_abm.governance.officials.rule_security`; principle 7): a voice that
    officials can overrule at will gives rules little legitimacy (Ostrom 1990, ch. 3,
    "minimal recognition of rights to organize").
    """
    chosen = np.asarray(chosen_by_members, dtype=bool)
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
def missed_by_monitors(who, p, coverage, duty_coverage, authority_bias, visible):  # pragma: no cover - compiled
    """Probability, as the agent perceives it, that no monitor detects its breach, given the share
    ``coverage`` of its ties to cooperating members (``duty_coverage``: to members, who watch
    on duty) and how ``visible`` the breach is from outside its neighbourhood
    (:mod:`commons_abm.governance.monitoring`; the one-agent form the reference engine calls)."""
    miss = 1.0
    for m in range(who.size):
        if who[m] == PEER_MONITOR:
            miss *= 1.0 - p[m] * coverage
        elif who[m] == DUTY_MONITOR:
            miss *= 1.0 - p[m] * duty_coverage
        elif who[m] == OFFICIAL_MONITOR:
            miss *= 1.0 - min(1.0, p[m] * (1.0 + authority_bias)) * visible
        else:
            miss *= 1.0 - p[m] * visible
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
    none when it expects no sanction (``expected`` <= 0: nobody watches, or the rule has no
    sanction); all when it does and breaking the rule would gain it nothing (``temptation``
    <= 0), the limit of the response as the gain vanishes."""
    if not expected > 0.0:
        return 0.0
    if not temptation > 0.0:
        return 1.0
    z = min(max(math.log(expected / temptation) / noise, -50.0), 50.0)
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


@kernel
def _deterrence_all(expected, temptation, noise):  # pragma: no cover - compiled
    out = np.empty(expected.size)
    for i in range(expected.size):
        out[i] = _deterrence(expected[i], temptation[i], noise[i])
    return out


def deterrence_response(expected: np.ndarray, temptation: float, noise: float) -> np.ndarray:
    """Share of would-be defectors deterred by an ``expected`` sanction against a gain of
    ``temptation`` (same unit): ``Phi(ln(expected / temptation) / noise)``, the share whose
    own valuation of the gain (log-normal around ``temptation``, log-spread ``noise``) is
    below the sanction they expect; 0 when they expect none."""
    shape = np.broadcast_shapes(np.shape(expected), np.shape(temptation), np.shape(noise))
    return shaped(_deterrence_all(flat(expected, shape), flat(temptation, shape), flat(noise, shape)), shape)


def goodwill_shares(intrinsic: np.ndarray, propensity: np.ndarray) -> np.ndarray:
    """The share of each agent's chance to cooperate it would have unwatched,
    ``intrinsic / propensity`` (1 when its chance is 0): what its neighbours credit to it."""
    intrinsic, propensity = np.broadcast_arrays(np.asarray(intrinsic, float), np.asarray(propensity, float))
    out = np.ones(intrinsic.shape)
    np.divide(intrinsic, propensity, out=out, where=propensity > 0)
    return np.minimum(out, 1.0)


@kernel
def with_deterrence(intrinsic, deterrence):  # pragma: no cover - compiled
    """Propensity to cooperate of agents with an ``intrinsic`` motive and a ``deterrence``
    (numbers or arrays)."""
    return 1.0 - (1.0 - intrinsic) * (1.0 - deterrence)


@kernel
def _decision(intrinsic, u, deterred, sanctionable, expected, temptation, noise):  # pragma: no cover - compiled
    """``(propensity, follows)`` of one decision: the intrinsic motive, with deterrence when
    a sanctioned rule binds this decision, against the day's uniform ``u``."""
    propensity = intrinsic
    if deterred and sanctionable:
        deterrence = _deterrence(expected, temptation, noise)
        if deterrence > 0.0:  # none: the decision is the intrinsic one, to the last bit
            propensity = with_deterrence(intrinsic, deterrence)
    return propensity, u < propensity


@kernel
def disposition_uniforms(z, rho):  # pragma: no cover - compiled
    """One agent's four uniforms of the day (a tuple), for its energy claim, its fee, dumping goods and
    dumping its bag, from five standard normals ``z`` (the day's disposition, then one per
    decision): ``Phi(sqrt(rho) z0 + sqrt(1 - rho) zk)``. A small uniform means cooperating
    (claiming only its share, paying), a large one dumping: the same disposition pushes
    every decision the same way, with correlation ``rho`` between the draws."""
    a, b, root2 = math.sqrt(rho), math.sqrt(1.0 - rho), math.sqrt(2.0)
    shared = a * z[0]
    # dumping is the uncooperative act: a cooperative day (z0 < 0) draws large uniforms for it
    return (
        0.5 * (1.0 + math.erf((shared + b * z[1]) / root2)),
        0.5 * (1.0 + math.erf((shared + b * z[2]) / root2)),
        0.5 * (1.0 - math.erf((shared + b * z[3]) / root2)),
        0.5 * (1.0 - math.erf((shared + b * z[4]) / root2)),
    )


@kernel
def obliged_belief(belief, trust, weight):  # pragma: no cover - compiled
    """What an agent expects of others in a decision a rule binds: its expectation ``belief``
    moved toward full compliance by ``weight`` times its institutional ``trust`` (the
    expressive effect of an obligation, with or without a sanction)."""
    return belief + weight * trust * (1.0 - belief)


@kernel
def agent_decision(
    cc_type,
    belief,
    group_weight,
    trust,
    legitimacy_level,
    u_energy,
    u_fee,
    bound_dumping,
    crowding,
    deterred,
    expected,
    gain_overdraw,
    gain_fee,
    bound_overdraw,
    sanctionable_overdraw,
    sanctionable_fee,
    fee_bound,
    p,
):  # pragma: no cover - compiled
    """The one-agent form: ``(propensity, cooperated, claim, intrinsic, obliged, pays_fee,
    goodwill)`` of one agent today, from its type, belief, group weight, institutional trust
    and its assembly's legitimacy, its uniforms ``u_energy`` and ``u_fee``
    (:func:`disposition_uniforms`), whether a rule binds its claim on the battery
    (``bound_overdraw``), its fee (``fee_bound``: a member owing a fee today) and its dumping
    (``bound_dumping``: ``obliged`` is computed only for an agent some rule binds), and, when
    sanctions deter anyone today (``deterred``), its ``expected`` sanction [EUR] and, for each
    decision a sanctioned rule binds (``sanctionable_overdraw``, ``sanctionable_fee``), what
    breaking it would gain it (``gain_overdraw``, ``gain_fee``, :func:`temptation_of`) [EUR]
    (``p``: :class:`DecisionParameters`). ``intrinsic``: its cooperation of its own accord in a
    decision no rule binds; ``obliged``: in one a rule binds, from the expectation
    :func:`obliged_belief`. ``cooperated``: it claims only its share of the battery, the
    everyday act its neighbours see and expect of each other (its fee is counted in
    compliance); ``pays_fee``: it pays its fee; ``propensity``: the chance that it keeps to
    its share; ``goodwill``: the share of that chance it would have unwatched, the intrinsic
    part over the propensity, the share of its cooperation its neighbours credit to it
    (:mod:`commons_abm.behaviour.trust`)."""
    intrinsic = _motive(cc_type, belief, group_weight, trust, legitimacy_level, crowding, p)
    obliged = intrinsic
    if p.obligation_weight > 0.0 and (bound_overdraw or fee_bound or bound_dumping):
        expectation = obliged_belief(belief, trust, p.obligation_weight)
        obliged = _motive(cc_type, expectation, group_weight, trust, legitimacy_level, crowding, p)
    noise = p.deterrence_noise
    own = obliged if bound_overdraw else intrinsic
    p_energy, fair = _decision(own, u_energy, deterred, sanctionable_overdraw, expected, gain_overdraw, noise)
    pays_fee = False
    if fee_bound:
        pays_fee = _decision(obliged, u_fee, deterred, sanctionable_fee, expected, gain_fee, noise)[1]
    claim = 1.0 if fair else 1.0 + p.overdraw_factor
    goodwill = min(own / p_energy, 1.0) if p_energy > 0 else 1.0
    return p_energy, fair, claim, intrinsic, obliged, pays_fee, goodwill


@kernel
def _motive(cc_type, belief, group_weight, trust, legitimacy_level, crowding, p):  # pragma: no cover - compiled
    """Intrinsic cooperation of one agent expecting ``belief`` of others, less what
    officials' control crowds out where the rules lack legitimacy."""
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
    if crowding:  # officials watch or sanction: control felt where the rules lack legitimacy
        intrinsic *= 1.0 - p.crowding_out * (1.0 - legitimacy_level)
    return intrinsic


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
def bag_destination(per_lift, usual, fine, seen_in_street, seen_in_bins, seen_as_usual):  # pragma: no cover - compiled
    """Where a household would dump its bag, and the fine it expects for it: ``(share in
    neighbours' chipped bins, expected fine [EUR])``. Without bins charged per lift, the
    street (its own bin costs nothing more). With them, all of it in a neighbour's bin when
    that is less watched than the street (officials and the operator do not see into a
    neighbour's bin, only the neighbours do: 002_2c516223579a919e.txt, the pay-per-lift
    bins that sent waste into neighbours' bins); otherwise the ``usual`` split. ``seen_*``:
    the perceived detection of each (:func:`missed_by_monitors`)."""
    if not per_lift:
        return 0.0, seen_in_street * fine
    if seen_in_bins < seen_in_street:
        return 1.0, seen_in_bins * fine
    return usual, seen_as_usual * fine


@kernel
def split_binding(binding):  # pragma: no cover - compiled
    """``(overdraw, fee, dumping)``: the parts of ``binding`` each of an agent's decisions
    answers: its claim on the battery (the ban on overdrawing), its fee, and its waste (the
    dumping ban)."""
    any_pv = -1
    over_pv = binding.overdraw_pv
    overdraw = Binding(False, binding.overdraw, binding.everyone, False, False, any_pv, over_pv)
    fee = Binding(binding.fee, False, False, False, False, binding.fee_pv, any_pv)
    dump = Binding(False, False, False, binding.dumping, binding.dumping_members_only, any_pv, any_pv)
    return overdraw, fee, dump


@kernel
def decide_arrays(
    cc_type,
    belief,
    group_weight,
    trust,
    member,
    cooperated_before,
    kind,
    has_pv,
    offence_level,
    indptr,
    indices,
    z,
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
    fee [EUR/day]; ``z``: each agent's five standard normals of the day, shape ``(n, 5)``
    (:func:`disposition_uniforms`); ``charge``, ``choice``: the waste charge and
    :class:`~commons_abm.behaviour.waste_choices.ChoiceParameters`)."""
    n = belief.size
    over, fee, dump = split_binding(binding)
    over_s, fee_s, dump_s = split_binding(sanctioned_binding)
    bound_over = binds(over, member, kind, has_pv)
    bound_fee = binds(fee, member, kind, has_pv)
    bound_dump = binds(dump, member, kind, has_pv)
    s_over = binds(over_s, member, kind, has_pv)
    s_fee = binds(fee_s, member, kind, has_pv)
    s_dump = binds(dump_s, member, kind, has_pv)
    deterred = deterring and (s_over.any() or s_fee.any() or s_dump.any())
    coverage = peer_coverage(indptr, indices, member, cooperated_before) if deterred else np.zeros(n)
    on_duty = deterred and (who == DUTY_MONITOR).any()  # members must monitor: every member's ties watch
    duty_coverage = peer_coverage(indptr, indices, member, member) if on_duty else np.zeros(n)
    propensity = np.empty(n)
    fair = np.empty(n, dtype=np.bool_)
    goodwill = np.empty(n)
    claim = np.empty(n)
    intrinsic = np.empty(n)
    obliged = np.empty(n)
    fine_goods = np.zeros(n)  # the fine a household expects for dumping its goods in the street [EUR]
    fine_bag = np.zeros(n)  # ... for dumping its bag (in the street or a neighbour's chipped bin) [EUR]
    per_lift = charge.scheme == PER_LIFT
    usual = choice.neighbour_bin_share if per_lift else 0.0
    hidden = np.full(n, usual)  # share of a dumped bag each would put in a neighbour's bin
    pays_fee = np.zeros(n, dtype=np.bool_)
    u_dumping = np.empty((2, n))
    for i in range(n):
        u = disposition_uniforms(z[i], decision.disposition_correlation)
        u_dumping[0, i] = u[2]
        u_dumping[1, i] = u[3]
        expected = 0.0
        gain_over = 0.0
        gain_fee = 0.0
        if deterred and (s_over[i] or s_fee[i] or s_dump[i]):
            detection = 1.0 - missed_by_monitors(who, p, coverage[i], duty_coverage[i], decision.authority_bias, 1.0)
            fine = next_fine_of(scheme, ladder, flat_fine, offence_level[i], fine_scale[i])
            expected = detection * fine
            if s_dump[i]:
                fine_goods[i] = expected
                bias = decision.authority_bias
                in_bins = 1.0 - missed_by_monitors(who, p, coverage[i], duty_coverage[i], bias, 0.0)
                as_usual = 1.0 - missed_by_monitors(who, p, coverage[i], duty_coverage[i], bias, 1.0 - usual)
                hidden[i], fine_bag[i] = bag_destination(per_lift, usual, fine, detection, in_bins, as_usual)
            gain_over = temptation_of(
                over_s, member[i], fee_level[i], battery_received[i], decision.overdraw_factor, temptation
            )
            gain_fee = temptation_of(fee_s, member[i], fee_level[i], battery_received[i], 0.0, temptation)
        (propensity[i], fair[i], claim[i], intrinsic[i], obliged[i], pays_fee[i], goodwill[i]) = agent_decision(
            cc_type[i],
            belief[i],
            group_weight[i],
            trust[i],
            legitimacy_level[i],
            u[0],
            u[1],
            bound_dump[i],
            crowding,
            deterred,
            expected,
            gain_over,
            gain_fee,
            bound_over[i],
            s_over[i],
            s_fee[i],
            fee_charged and bound_fee[i],  # the fee rule binds it (a member, with or without PV as it says)
            decision,
        )
    role = MATERIAL_ROLE_OF[kind]
    dumping_motive = np.where(bound_dump, obliged, intrinsic)  # a dumping ban binds its dumping decisions
    waste = choice_arrays(role, intrinsic, dumping_motive, waste_kg, fine_goods, fine_bag, charge, choice)
    dumps = dumping_today(waste, u_dumping)
    visible = np.ones(n)  # how visible each agent's breach is from outside its neighbourhood
    for i in range(n):
        other_breach = (bound_over[i] and not fair[i]) or (bound_fee[i] and not pays_fee[i])
        if role[i] == DISCARDS_GOODS:
            waste.to_neighbours[i] = hidden[i]
        if dumps[i] and waste.dump_goods[i] == 0.0 and not other_breach:  # only its bag, partly in a neighbour's bin
            visible[i] = 1.0 - hidden[i]
    if not deterred:
        s_over[:] = False
        s_fee[:] = False
        s_dump[:] = False
    bound = bound_over | bound_fee | bound_dump
    breach = (bound_over & ~fair) | (bound_fee & ~pays_fee) | (bound_dump & dumps)
    sanctionable_breach = (s_over & ~fair) | (s_fee & ~pays_fee) | (s_dump & dumps)
    bound_sanctioned = s_over | s_fee | s_dump
    return (
        propensity,
        fair,
        claim,
        waste,
        pays_fee,
        bound,
        breach,
        sanctionable_breach,
        bound_sanctioned,
        goodwill,
        visible,
    )


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
        obligation_weight=float(d.obligation_weight),
        disposition_correlation=float(d.disposition_correlation),
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
    z = rng.standard_normal((n, 5))
    monitors, sanctions = inst.monitor_table, inst.sanction_table

    (
        propensity,
        cooperated,
        claim,
        waste,
        pays_fee,
        bound,
        breach,
        sanctionable,
        bound_sanctioned,
        goodwill,
        visible,
    ) = decide_arrays(
        state.cc_type,
        state.belief,
        state.group_weight,
        state.trust_institutional,
        state.member,
        state.cooperated,
        state.kind,
        state.pv_kwp > 0,
        state.offence_level,
        state.ties.indptr,
        state.ties.indices,
        z,
        flat(legitimacy_level, (n,)),
        flat(fine_scale, (n,)),
        flat(fee_eur_per_day, (n,)),
        state.battery_received_kwh,
        state.waste_kg_per_day,
        decision_parameters(behaviour),
        temptation,
        inst.external_control,
        inst.binding(),
        inst.binding(True),
        bool(inst.sanctioned) and inst.sanction_scheme != "none",
        monitors.who,
        monitors.detection_probability,
        sanctions.scheme,
        sanctions.ladder_eur,
        sanctions.flat_fine_eur,
        inst.fee_charged,
        waste_charge(inst),
        choice,
    )
    state.propensity[:] = propensity
    state.cooperated[:] = cooperated
    state.goodwill_share[:] = goodwill
    return Actions(
        claim=claim,
        waste=waste,
        pays_fee=pays_fee,
        bound=bound,
        breach=breach,
        sanctionable=sanctionable,
        bound_sanctioned=bound_sanctioned,
        visible=visible,
    )
