"""Motives: social value orientation and conditional-cooperation type of each agent.

**Social value orientation** (``000_027160d2fbf9a985.txt``, after Davis, Laughlin & Komorita
1976; measured shares in Van Lange et al. 1997): cooperative agents weigh the group's
payoff, individualistic ones only their own, competitive ones their payoff relative to
others' (others' gains count against them), mixed ones somewhere between. Each agent gets a *group weight*
``w``: ``motives.group_weight_cooperative`` for cooperative, 0 for individualistic,
``motives.group_weight_competitive`` for competitive, and uniform between the two for
mixed agents.

**Conditional cooperation** (Fischbacher, Gächter & Fehr 2001, Economics Letters 71):
how much an agent cooperates given how much it expects others to cooperate (``b``):

* conditional cooperator: ``slope * b`` (slope < 1: "imperfect conditional cooperation",
  Fischbacher & Gächter 2010, AER 100, the engine of the decline of cooperation);
* free rider: 0;
* hump-shaped: ``2b`` up to ``b = 1/2``, then ``2(1 - b)``;
* other: a constant ``other_level``.
"""

from __future__ import annotations

import numpy as np

from commons_abm.core.kernels import flat, kernel, shaped
from commons_abm.core.kinds import KINDS
from commons_abm.core.scenario import Behaviour, MotiveMix

__all__ = [
    "CC_TYPES",
    "SVO_TYPES",
    "check_types",
    "CONDITIONAL",
    "FREE_RIDER",
    "HUMP_SHAPED",
    "OTHER",
    "conditional_response",
    "draw_motives",
    "response",
]

SVO_TYPES = ("cooperative", "individualistic", "competitive", "mixed")
CC_TYPES = ("conditional", "free_rider", "hump_shaped", "other")
CONDITIONAL, FREE_RIDER, HUMP_SHAPED, OTHER = range(4)


def _svo_shares(mix: MotiveMix) -> np.ndarray:
    return np.array([mix.cooperative, mix.individualistic, mix.competitive, mix.mixed])


def draw_motives(
    kind: np.ndarray, behaviour: Behaviour, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each agent's SVO type (index into :data:`SVO_TYPES`), group weight and CC type.

    Shares are drawn exactly in expectation: each agent independently, by its kind's mix.
    """
    m, cc = behaviour.motives, behaviour.conditional_cooperation
    n = kind.size
    svo = np.empty(n, dtype=np.int8)
    for k in KINDS:  # each kind by the mix of its motives section, in the table's order
        at = np.flatnonzero(kind == k.code)
        svo[at] = rng.choice(4, size=at.size, p=_svo_shares(getattr(m, k.motives)))
    w_coop, w_comp = m.group_weight_cooperative, m.group_weight_competitive
    weight = np.choose(
        svo,
        [np.full(n, w_coop), np.zeros(n), np.full(n, w_comp), rng.uniform(min(w_comp, w_coop), max(w_comp, w_coop), n)],
    )
    shares = np.array([cc.conditional, cc.free_rider, cc.hump_shaped, cc.other])
    cc_type = rng.choice(4, size=n, p=shares / shares.sum()).astype(np.int8)
    return svo, weight.astype(float), cc_type


@kernel
def response(cc_type, belief, slope, other_level):  # pragma: no cover - compiled
    """Cooperation one agent of type ``cc_type`` offers when it expects ``belief`` [0-1]."""
    b = min(max(belief, 0.0), 1.0)
    if cc_type == CONDITIONAL:
        out = slope * b
    elif cc_type == FREE_RIDER:
        out = 0.0
    elif cc_type == HUMP_SHAPED:
        out = 2.0 * b if b <= 0.5 else 2.0 * (1.0 - b)
    else:
        out = other_level
    return min(max(out, 0.0), 1.0)


@kernel
def _responses(cc_type, belief, slope, other_level):  # pragma: no cover - compiled
    out = np.empty(belief.size)
    for i in range(belief.size):
        out[i] = response(cc_type[i], belief[i], slope, other_level)
    return out


def conditional_response(cc_type: np.ndarray, belief: np.ndarray, slope: float, other_level: float) -> np.ndarray:
    """Cooperation each type offers when it expects others to cooperate at ``belief`` [0-1]."""
    shape = np.broadcast_shapes(np.shape(cc_type), np.shape(belief))
    return shaped(
        _responses(flat(check_types(cc_type), shape, np.int64), flat(belief, shape), float(slope), float(other_level)),
        shape,
    )


def check_types(cc_type: np.ndarray | int) -> np.ndarray | int:
    """``cc_type`` itself, after checking that every value indexes :data:`CC_TYPES`."""
    values = np.asarray(cc_type)
    if values.size and (values.min() < 0 or values.max() >= len(CC_TYPES)):
        raise ValueError(f"conditional-cooperation types must be 0..{len(CC_TYPES) - 1} ({', '.join(CC_TYPES)})")
    return cc_type
