"""Trust: interpersonal trust on each tie and institutional trust of each agent
(``000_027160d2fbf9a985.txt``).

**Interpersonal** (reciprocity, built by repeated exchange and "mutual vigilance",
``003_d0cbea24b0b91578.txt``):
each day agent ``i`` sees whether each neighbour ``j`` cooperated. Trust ``t_ij`` rises
by ``interpersonal_gain g_j (1 - t_ij)`` after cooperation and falls by
``interpersonal_loss t_ij`` after defection, the loss larger than the gain: trust is
slow to build and quick to lose (Slovic 1993, "Perceived risk, trust, and democracy").
``g_j`` is the share of ``j``'s cooperation that ``i`` credits to ``j`` itself, its
goodwill share (:mod:`commons_abm.behaviour.decisions`): the chance ``j`` would have
cooperated unwatched over its chance under the sanctions it expects. Cooperation under
surveillance is put down to the surveillance, not to the person, and builds little trust
(Strickland 1958, "Surveillance and trust"; Kelley's discounting principle); without
sanctions ``g_j = 1``. On an *affective* tie (friends, kin: ``000_027160d2fbf9a985.txt``'s
affective proximity) a defection costs only ``1 - affective_forgiveness`` of the loss:
strong ties forgive more (Granovetter 1973).
Confirmation bias: evidence on the side of 1/2 that ``t_ij`` is already on weighs
``1 + confirmation_bias``, evidence against it ``1 - confirmation_bias``.

**Institutional** (trust in the rules, the operator and the officials): each member gets
a daily signal ``s = 2 (short-run satisfaction - 1/2) + observed_compliance_weight
(2 c - 1)``: the benefits it received and the fairness of allocation
(:mod:`commons_abm.behaviour.satisfaction`), and ``c``, the compliance it sees in its assembly
today: institutions are trusted when others are seen to keep the rules and the rules are
seen to be enforced (Levi 1988, *Of Rule and Revenue*, "quasi-voluntary compliance";
Rothstein 2005, *Social Traps and the Problem of Trust*). Trust rises by
``institutional_gain s (1 - T)`` for ``s > 0`` and falls by ``institutional_loss |s| T``
for ``s < 0``, with the same confirmation bias. Events act on top: a wrongful fine that
stands costs the victim ``wrongful_sanction_loss T``, a wrongful warning (a fine of 0, the
first rung of a graduated ladder) a quarter of that (Ostrom 1990: graduated sanctions
limit the harm of mistaken accusations); one settled by mediation gives
``institutional_gain (1 - T)`` x 5; a vote in which a member had a voice gives ``institutional_gain voice
(1 - T)``; officials' acts (overrides, coming to meetings) are in
:mod:`commons_abm.governance.officials`.

The one-agent forms hold these equations once: :func:`interpersonal_trust` (one tie) and
:func:`institutional_trust` (one agent). The whole-population kernels
(:func:`interpersonal_arrays`, :func:`institutional_arrays`) call them in their loops, and
the reference engine's agents call them one at a time (:mod:`commons_abm.agents.rules`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import flat, kernel
from commons_abm.core.scenario import TrustDynamics
from commons_abm.core.state import AFFECTIVE, State, Ties

__all__ = [
    "InstitutionalParameters",
    "InterpersonalParameters",
    "assembly_compliance",
    "institutional_arrays",
    "institutional_parameters",
    "institutional_trust",
    "interpersonal_arrays",
    "interpersonal_parameters",
    "interpersonal_trust",
    "update_institutional_trust",
    "update_interpersonal_trust",
]

MEDIATION_REPAIR = 5.0
WARNING_SHARE = 0.25  # share of the wrongful-sanction loss that a wrongful warning costs


class InterpersonalParameters(NamedTuple):
    """The interpersonal trust rule's parameters, as :func:`interpersonal_arrays` takes
    them (:func:`interpersonal_parameters` reads them from the scenario)."""

    interpersonal_gain: float  # rise of trust toward 1 after observed cooperation [0-1 per day]
    interpersonal_loss: float  # fall of trust toward 0 after observed defection [0-1 per day]
    confirmation_bias: float  # extra weight of confirming evidence, less of contrary evidence [0-1]
    may_overshoot: bool  # whether one step may overshoot 0 or 1 (then it is clipped)
    affective_forgiveness: float  # share of the fall after a defection an affective tie spares [0-1]


class InstitutionalParameters(NamedTuple):
    """The institutional trust rule's parameters, as :func:`institutional_arrays` takes
    them (:func:`institutional_parameters` reads them from the scenario)."""

    institutional_gain: float  # rise of institutional trust per unit of positive signal [0-1]
    institutional_loss: float  # fall of institutional trust per unit of negative signal [0-1]
    observed_compliance_weight: float  # weight of the compliance seen in the assembly in the signal [-]
    confirmation_bias: float  # extra weight of confirming evidence, less of contrary evidence [0-1]
    wrongful_sanction_loss: float  # fall of the victim's trust after a wrongful sanction [0-1]


def update_interpersonal_trust(
    ties: Ties, cooperated: np.ndarray, t: TrustDynamics, goodwill: np.ndarray | None = None
) -> None:
    """Every agent updates its trust in each neighbour from what the neighbour did today
    and, for cooperation, how much of it it credits to the neighbour (``goodwill``, one
    share per agent; all 1 when omitted)."""
    credit = np.ones(cooperated.size) if goodwill is None else np.asarray(goodwill, dtype=float)
    affective = ties.carries(AFFECTIVE)
    interpersonal_arrays(ties.trust, ties.indices, cooperated, credit, affective, interpersonal_parameters(t))


def interpersonal_parameters(t: TrustDynamics) -> InterpersonalParameters:
    """Gain, loss, confirmation bias, and whether one step may overshoot 0 or 1 (only with
    large rates; otherwise it cannot, rounding included)."""
    cb = t.confirmation_bias
    return InterpersonalParameters(
        interpersonal_gain=float(t.interpersonal_gain),
        interpersonal_loss=float(t.interpersonal_loss),
        confirmation_bias=float(cb),
        may_overshoot=bool(max(t.interpersonal_gain, t.interpersonal_loss) * (1.0 + cb) >= 1.0 - 1e-9),
        affective_forgiveness=float(t.affective_forgiveness),
    )


@kernel
def interpersonal_trust(before, seen, credit, affective, p):  # pragma: no cover - compiled
    """The one-tie form: trust ``before`` in a neighbour who cooperated today (``seen``),
    with the share ``credit`` of it put down to its goodwill, or who did not, after today,
    on a tie that is ``affective`` or not (``p``: :class:`InterpersonalParameters`)."""
    room = 1.0 - before
    loss = p.interpersonal_loss * (1.0 - p.affective_forgiveness if affective else 1.0)
    change = room * p.interpersonal_gain * credit if seen else before * -loss
    against = (before >= 0.5) != seen  # evidence against the side trust is on
    change *= 1.0 - p.confirmation_bias if against else 1.0 + p.confirmation_bias
    if p.may_overshoot:
        change = min(max(change, -before), room)
    return before + change


@kernel
def interpersonal_arrays(trust, indices, cooperated, goodwill, affective, p):  # pragma: no cover - compiled
    """:func:`update_interpersonal_trust` on the ties' arrays (``affective``: per tie entry;
    ``p``: :class:`InterpersonalParameters`): :func:`interpersonal_trust` on every tie."""
    for j in range(indices.size):
        k = indices[j]
        trust[j] = interpersonal_trust(trust[j], cooperated[k], goodwill[k], affective[j], p)


def update_institutional_trust(
    state: State,
    t: TrustDynamics,
    *,
    wrongful: np.ndarray,
    settled: np.ndarray,
    voiced: np.ndarray,
    voice: float,
    observed_compliance: np.ndarray | float,
) -> None:
    """Members' institutional trust follows their satisfaction, the compliance they see
    (``observed_compliance``: per agent, its assembly's, or one value) and today's events.
    ``wrongful``: wrongly sanctioned agents whose sanction stands (a fine of 0 is a warning)."""
    institutional_arrays(
        state.trust_institutional,
        state.member,
        state.satisfaction_short,
        flat(observed_compliance, (state.n,)),
        state.fines_eur,
        wrongful,
        settled,
        voiced,
        float(voice),
        institutional_parameters(t),
    )


def institutional_parameters(t: TrustDynamics) -> InstitutionalParameters:
    """Gain, loss, weight of observed compliance, confirmation bias, loss after a wrongful sanction."""
    return InstitutionalParameters(
        institutional_gain=float(t.institutional_gain),
        institutional_loss=float(t.institutional_loss),
        observed_compliance_weight=float(t.observed_compliance_weight),
        confirmation_bias=float(t.confirmation_bias),
        wrongful_sanction_loss=float(t.wrongful_sanction_loss),
    )


@kernel
def institutional_trust(
    value, member, satisfaction_short, compliance, fine, wrongful, settled, voiced, voice, p
):  # pragma: no cover - compiled
    """The one-agent form: an agent's institutional trust ``value`` after today, from its
    membership, short-run satisfaction, the compliance it sees, its fine and today's events
    (``p``: :class:`InstitutionalParameters`)."""
    gain = p.institutional_gain
    cb = p.confirmation_bias
    if member:
        signal = 2.0 * (satisfaction_short - 0.5) + p.observed_compliance_weight * (2.0 * compliance - 1.0)
        confirms = (value >= 0.5) == (signal > 0)
        change = gain * signal * (1.0 - value) if signal > 0 else p.institutional_loss * signal * value
        value += change * (1.0 + cb if confirms else 1.0 - cb)
    if wrongful:
        loss = p.wrongful_sanction_loss
        value *= 1.0 - (loss if fine > 0 else WARNING_SHARE * loss)
    if settled:
        value += MEDIATION_REPAIR * gain * (1.0 - value)
    if voice > 0 and voiced:
        value += gain * voice * (1.0 - value)
    return min(max(value, 0.0), 1.0)


@kernel
def institutional_arrays(
    trust, member, satisfaction_short, compliance, fines, wrongful, settled, voiced, voice, p
):  # pragma: no cover - compiled
    """:func:`update_institutional_trust` on arrays (``p``: :class:`InstitutionalParameters`):
    :func:`institutional_trust` for every agent."""
    for i in range(trust.size):
        trust[i] = institutional_trust(
            trust[i],
            member[i],
            satisfaction_short[i],
            compliance[i],
            fines[i],
            wrongful[i],
            settled[i],
            voiced[i],
            voice,
            p,
        )


@kernel
def assembly_compliance(assembly, count, bound, cooperated):  # pragma: no cover - compiled
    """For each agent, the share of its assembly's agents bound by a rule who followed it
    today (of all its agents, who cooperated, when no rule binds anyone; 1 in an assembly
    where nobody is bound)."""
    base = bound if bound.any() else np.ones(bound.size, dtype=np.bool_)
    seen = np.zeros(count)
    kept = np.zeros(count)
    for i in range(bound.size):
        if base[i]:
            seen[assembly[i]] += 1.0
            if cooperated[i]:
                kept[assembly[i]] += 1.0
    out = np.empty(bound.size)
    for i in range(bound.size):
        a = assembly[i]
        out[i] = kept[a] / seen[a] if seen[a] > 0 else 1.0
    return out
