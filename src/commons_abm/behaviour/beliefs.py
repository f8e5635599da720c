"""Beliefs: what each agent expects of others, after what it saw today.

``observed = (1 - public_information) * n_i + public_information * c``, where ``n_i`` is
the mean cooperation of agent ``i``'s neighbours, each weighted by
``(1 - trust_weighted_attention) + trust_weighted_attention * t_ij`` (attention follows
trust: conformity to trusted others), and ``c`` the community-wide cooperation rate (public
information). The belief ``b_i`` moves toward ``observed`` at ``belief_rate``; downward
only at ``belief_rate * (1 - trust_slows_decline * t_i)``, ``t_i`` the agent's mean trust
in its ties, so trust slows the unravelling of cooperation (Fehr & Gächter 2000: contributions
decay without institutions; Ostrom 1990: trust sustains reciprocity). Confirmation bias:
a move that confirms the side of 1/2 the belief is on goes ``1 + confirmation_bias`` times
faster, one against it ``1 - confirmation_bias`` times as fast (seed
``000_027160d2fbf9a985.txt``: collective decision biases). The result is clipped to [0, 1].

:func:`agent_belief` is the one-agent form (what one agent observes, and its belief after
it), which the whole-population kernel :func:`update_beliefs_arrays` calls for every agent
and the reference engine's agents call one at a time (:mod:`commons_abm.agents.rules`);
:func:`revised_beliefs` is the rule for given observations (which the lab games call).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from commons_abm.core.kernels import flat, kernel, shaped
from commons_abm.core.scenario import Behaviour
from commons_abm.core.state import State

__all__ = [
    "BeliefParameters",
    "agent_belief",
    "belief_parameters",
    "revised_beliefs",
    "update_beliefs",
    "update_beliefs_arrays",
]


class BeliefParameters(NamedTuple):
    """The belief rule's parameters, as :func:`update_beliefs_arrays` takes them
    (:func:`belief_parameters` reads them from the scenario's behaviour)."""

    trust_weighted_attention: float  # how much attention to a neighbour follows trust in it [0-1]
    public_information: float  # weight of the community-wide cooperation rate in what is observed [0-1]
    belief_rate: float  # rate at which expected cooperation follows what is observed [0-1]
    trust_slows_decline: float  # how much trust slows the fall of expected cooperation [0-1]
    confirmation_bias: float  # extra weight of confirming evidence, less of contrary evidence [0-1]


@kernel
def _revised(belief, observed, mean_trust, belief_rate, trust_slows_decline, confirmation_bias):  # pragma: no cover
    """One agent's expectation after seeing ``observed`` (:func:`revised_beliefs`)."""
    gap = observed - belief
    rate = belief_rate * (1.0 - trust_slows_decline * mean_trust) if gap < 0 else belief_rate
    confirms = np.sign(gap) == np.sign(belief - 0.5)
    rate = rate * (1.0 + confirmation_bias if confirms else 1.0 - confirmation_bias)
    return min(max(belief + min(max(rate, 0.0), 1.0) * gap, 0.0), 1.0)


@kernel
def _revised_all(
    belief, observed, mean_trust, belief_rate, trust_slows_decline, confirmation_bias
):  # pragma: no cover - compiled
    out = np.empty(belief.size)
    for i in range(belief.size):
        out[i] = _revised(belief[i], observed[i], mean_trust[i], belief_rate, trust_slows_decline, confirmation_bias)
    return out


@kernel
def agent_belief(belief, cooperated, neighbours, trust, public_rate, p):  # pragma: no cover - compiled
    """The one-agent form: an agent's belief after today, from its ``neighbours`` (their
    indices into ``cooperated``, who cooperated today), its ``trust`` in each (on its ties,
    in the same order) and the community-wide rate ``public_rate`` (``p``: :class:`BeliefParameters`)."""
    num = 0.0
    den = 0.0
    trust_sum = 0.0
    for k in range(neighbours.size):
        w = (1.0 - p.trust_weighted_attention) + p.trust_weighted_attention * trust[k]
        num += w * cooperated[neighbours[k]]
        den += w
        trust_sum += trust[k]
    deg = neighbours.size
    mean_trust = trust_sum / deg if deg > 0 else 0.0
    seen = num / den if den > 0 else public_rate
    observed = (1.0 - p.public_information) * seen + p.public_information * public_rate
    return _revised(belief, observed, mean_trust, p.belief_rate, p.trust_slows_decline, p.confirmation_bias)


@kernel
def update_beliefs_arrays(belief, cooperated, indptr, indices, trust, public_rate, p):  # pragma: no cover - compiled
    """:func:`update_beliefs` on arrays (``p``: :class:`BeliefParameters`): :func:`agent_belief`
    for every agent."""
    for i in range(belief.size):
        lo = indptr[i]
        hi = indptr[i + 1]
        belief[i] = agent_belief(belief[i], cooperated, indices[lo:hi], trust[lo:hi], public_rate, p)


def update_beliefs(state: State, behaviour: Behaviour, public_rate: float) -> None:
    """Expected cooperation follows what each agent saw today.

    ``observed = (1 - public_information) * (trust-weighted mean of neighbours'
    cooperation) + public_information * public_rate``. The belief moves toward it at
    ``belief_rate``; downward only at ``belief_rate * (1 - trust_slows_decline * t)``,
    ``t`` the agent's mean trust in its ties. Confirmation bias: a move that confirms the
    side of 1/2 the belief is on goes ``1 + confirmation_bias`` times faster, one against
    it ``1 - confirmation_bias`` times as fast.
    """
    ties = state.ties
    update_beliefs_arrays(
        state.belief,
        state.cooperated,
        ties.indptr,
        ties.indices,
        ties.trust,
        float(public_rate),
        belief_parameters(behaviour),
    )


def belief_parameters(behaviour: Behaviour) -> BeliefParameters:
    """The belief rule's parameters, as :func:`update_beliefs_arrays` takes them."""
    d = behaviour.decisions
    return BeliefParameters(
        trust_weighted_attention=float(d.trust_weighted_attention),
        public_information=float(d.public_information),
        belief_rate=float(d.belief_rate),
        trust_slows_decline=float(d.trust_slows_decline),
        confirmation_bias=float(behaviour.trust.confirmation_bias),
    )


def revised_beliefs(
    belief: np.ndarray, observed: np.ndarray, mean_trust: np.ndarray | float, behaviour: Behaviour
) -> np.ndarray:
    """Expected cooperation after seeing ``observed`` (the rule of :func:`update_beliefs`):
    toward it at ``belief_rate``, downward slowed by ``mean_trust``, with confirmation bias."""
    d = behaviour.decisions
    shape = np.broadcast_shapes(np.shape(belief), np.shape(observed), np.shape(mean_trust))
    return shaped(
        _revised_all(
            flat(belief, shape),
            flat(observed, shape),
            flat(mean_trust, shape),
            d.belief_rate,
            d.trust_slows_decline,
            behaviour.trust.confirmation_bias,
        ),
        shape,
    )
