"""Random streams: every draw comes from a generator derived with ``numpy.random.SeedSequence``.

Each named stream (territory set-up, network, weather, demand, materials, ...) is a fixed
child of the run's seed, so a result depends on the seed alone, not on the order in which
stages ask for numbers, on the machine, or on which worker ran it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["STREAMS", "streams"]

# The position of a name in this tuple is part of the reproducibility promise:
# append new streams at the end, never reorder.
STREAMS = (
    "territory",
    "network",
    "weather",
    "demand",
    "materials",
    "behaviour",
    "governance",
    "mesa",
)


def streams(seed: int | np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One independent ``numpy.random.Generator`` (PCG64) per named stream of ``STREAMS``."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    children = root.spawn(len(STREAMS))
    return {name: np.random.Generator(np.random.PCG64(child)) for name, child in zip(STREAMS, children)}
