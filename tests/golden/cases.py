"""The golden trajectories: runs whose every recorded value is kept in ``trajectories.parquet``.

They pin the model's output: any change to a stage that alters a run, even in the last
digits, shows up in ``tests/test_golden.py``. A deliberate change of the model regenerates
the file::

    .venv/bin/python tests/golden/cases.py

and says why in its commit message. The cases cover every shipped rulebook on the default
scenario and the headline experiment's rules with its categorical parameters
combined so that every level appears (every allocation key, both sanction schemes, every
officials' stance, federation and boundary on and off).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pandas as pd

from commons_abm.core.scenario import load_scenario
from commons_abm.model import CommonsModel
from commons_abm.sweeps.experiment import load_experiment
from commons_abm.sweeps.runs import plan

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FILE = HERE / "trajectories.parquet"
STEPS = 200  # January to mid-July: winter and summer days
RULEBOOKS = ("status_quo", "open_access", "top_down", "community_enforced", "facilitated_commons", "full_ostrom")
SEEDS = (1, 2)
EXPERIMENT = ROOT / "experiments" / "design_principles_sobol.toml"
# the experiment's categorical parameters, each level at least once (numeric ones from its first sample)
COMBINATIONS = (
    # draw_pool.enabled, allocate_energy.key, sanction.scheme, officials.stance, federate.enabled
    (True, "equal", "graduated", "ally", True),
    (False, "equal", "flat", "controller", False),
    (True, "pro_rata_consumption", "flat", "distant", False),
    (False, "pro_rata_consumption", "graduated", "controller", True),
    (True, "pro_rata_contribution", "flat", "controller", True),
    (False, "pro_rata_contribution", "graduated", "distant", False),
    (True, "needs_first", "graduated", "controller", False),
    (False, "needs_first", "flat", "ally", True),
)
CATEGORICAL = (
    "rulebook.draw_pool.enabled",
    "rulebook.allocate_energy.key",
    "rulebook.sanction.scheme",
    "rulebook.officials.stance",
    "rulebook.federate.enabled",
)


def cases() -> Iterator[tuple[str, Callable[[], CommonsModel]]]:
    """Each golden case: its name and what builds its model afresh."""
    scenario = load_scenario(ROOT / "experiments" / "scenarios" / "default.toml")
    for book in RULEBOOKS:
        for seed in SEEDS:
            rulebook = ROOT / "experiments" / "rulebooks" / f"{book}.toml"
            yield f"{book}/{seed}", partial(CommonsModel, scenario, seed=seed, create_agents=False, rulebook=rulebook)
    experiment = load_experiment(EXPERIMENT)
    first = plan(experiment, 1)[0]
    for i, levels in enumerate(COMBINATIONS):
        values = {**first.values, **dict(zip(CATEGORICAL, levels))}
        sample_scenario, institutions = experiment.build(values)
        yield (
            f"design_principles_sobol/{i}: " + ", ".join(map(str, levels)),
            partial(CommonsModel, sample_scenario, seed=first.seed + i, create_agents=False, rulebook=institutions),
        )


def trajectories() -> pd.DataFrame:
    """Every case's timeseries, one frame with a ``case`` column."""
    frames = []
    for name, build in cases():
        frame = build().run(STEPS)
        frame.insert(0, "case", name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    frame = trajectories()
    frame.to_parquet(FILE, compression="zstd", index=False)
    print(f"{FILE}: {frame['case'].nunique()} cases x {STEPS} steps, {FILE.stat().st_size / 1e6:.2f} MB")
