"""Random streams: every draw comes from a generator derived with ``numpy.random.SeedSequence``.

Each named stream (territory set-up, network, weather, demand, materials, ...) is a fixed
child of the run's seed, so a result depends on the seed alone, not on the order in which
stages ask for numbers, on the machine, or on which worker ran it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["STREAMS", "WORLD_STREAMS", "streams"]

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


# The streams that draw the world a run happens in, not what its agents do: the territory
# (households, PV, demand levels, firms), its network, the weather and the hourly demand.
WORLD_STREAMS = ("territory", "network", "weather", "demand")


def streams(seed: int | np.random.SeedSequence, world_seed: int | None = None) -> dict[str, np.random.Generator]:
    """One independent ``numpy.random.Generator`` (PCG64) per named stream of ``STREAMS``;
    with ``world_seed``, the streams of :data:`WORLD_STREAMS` are those ``world_seed`` would
    give (the same world under other behaviour draws: common random numbers)."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    children = root.spawn(len(STREAMS))
    if world_seed is not None:
        world = np.random.SeedSequence(world_seed).spawn(len(STREAMS))
        children = [w if name in WORLD_STREAMS else c for name, c, w in zip(STREAMS, children, world)]
    return {name: np.random.Generator(np.random.PCG64(child)) for name, child in zip(STREAMS, children)}
