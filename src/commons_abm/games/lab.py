"""What the lab games share: subjects drawn with the territory's motives, groups as ties.

A lab session is a population of subjects (all drawn as households by
:func:`commons_abm.behaviour.motives.draw_motives`: social value orientation, group weight and
conditional-cooperation type), split into groups. Each group is a complete network of
:class:`commons_abm.core.state.Ties`, so interpersonal trust is built and lost with
:func:`commons_abm.behaviour.trust.update_interpersonal_trust` exactly as on the territory's ties;
stranger matching rebuilds the ties every period (new partners start at the initial
trust).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from commons_abm.behaviour.motives import draw_motives
from commons_abm.core.calibrated import CALIBRATED_FILE, calibrated_values
from commons_abm.core.kinds import HOUSEHOLD
from commons_abm.core.scenario import Behaviour
from commons_abm.core.state import Ties

__all__ = [
    "GAME_STREAMS",
    "lab_behaviour",
    "Subjects",
    "draw_subjects",
    "game_streams",
    "group_ties",
    "mean_trust",
    "others_mean",
    "random_groups",
]

# Named random streams of a session (append only: the position is part of the seed promise).
GAME_STREAMS = ("subjects", "matching", "decisions", "sanctions")


def game_streams(seed: int | np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One ``numpy.random.Generator`` per stream of :data:`GAME_STREAMS`, from ``seed``."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return {
        name: np.random.Generator(np.random.PCG64(child))
        for name, child in zip(GAME_STREAMS, root.spawn(len(GAME_STREAMS)))
    }


@dataclass
class Subjects:
    """The subjects of a session, as arrays indexed by subject."""

    svo: np.ndarray  # social value orientation (index into motives.SVO_TYPES)
    group_weight: np.ndarray  # weight on the group's payoff [-]
    cc_type: np.ndarray  # conditional-cooperation type (index into motives.CC_TYPES)
    belief: np.ndarray  # expected cooperation of others [0-1]

    @property
    def n(self) -> int:
        """Number of subjects."""
        return int(self.cc_type.size)


def draw_subjects(n: int, behaviour: Behaviour, rng: np.random.Generator) -> Subjects:
    """``n`` subjects with the territory's household motive mix and type shares."""
    svo, weight, cc_type = draw_motives(np.full(n, HOUSEHOLD, dtype=np.int8), behaviour, rng)
    return Subjects(svo, weight, cc_type, np.full(n, behaviour.decisions.initial_belief))


def random_groups(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Each subject's group: ``n / size`` groups of ``size`` in random order."""
    return (rng.permutation(n) // size).astype(np.int64)


def group_ties(group: np.ndarray, initial_trust: float) -> Ties:
    """Complete networks inside groups: every subject sees every member of its group."""
    order = np.argsort(group, kind="stable")
    sizes = np.bincount(group)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    u, v = [], []
    for start, size in zip(starts, sizes):
        members = order[start : start + size]
        a, b = np.triu_indices(size, k=1)
        u.append(members[a])
        v.append(members[b])
    return Ties.from_edges(group.size, np.concatenate(u), np.concatenate(v), initial_trust=initial_trust)


def mean_trust(ties: Ties) -> np.ndarray:
    """Each subject's mean trust in the members of its group."""
    deg = ties.degree()
    return np.divide(ties.sum_over_ties(ties.trust), deg, out=np.zeros(ties.n), where=deg > 0)


def others_mean(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """For each subject, the mean of ``values`` over the other members of its group."""
    total = np.bincount(group, weights=values)
    size = np.bincount(group)
    return (total[group] - values) / np.maximum(size[group] - 1, 1)


def lab_behaviour(base: Behaviour | None = None, path: Path = CALIBRATED_FILE) -> Behaviour:
    """``base`` (default: the scenario's default behaviour) with every fitted field."""
    data = (base or Behaviour()).model_dump()
    for section, fields in calibrated_values(path).items():
        if section != "lab":
            data[section].update(fields)
    return Behaviour(**data)
