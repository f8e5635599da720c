"""What an evaluation runs, and where: two rulebooks on one territory, paired by seed,
under the baseline and each shock, and over sampled futures for scenario discovery.

An :class:`Evaluation` names what is compared (today's rulebook and the proposal on one
scenario), for how long (``years``), on which seeds, under which shocks, and how many
futures are sampled (:mod:`commons_abm.evaluation.discovery`). :func:`evaluate` runs every
pair (the same seed for both rulebooks: common random numbers, so both meet the same
territory, network, weather and motives) on ``workers`` local processes
(:func:`commons_abm.sweeps.executors.local_map`); the results do not depend on how many.
Seed ``k`` of the comparison is the model seed ``first_seed + k``, as in
:func:`commons_abm.sweeps.compare.compare_rulebooks`. Replicate ``r`` of every sampled future
of the discovery runs on the seed :func:`commons_abm.sweeps.runs.run_seed` spawns as child
``r`` of ``discovery_seed``, the same for every sample (common random numbers across
samples, as a sweep's ``common`` seeding): two samples differ by their parameters, not by
other draws, and a sample's outcome is its mean over the ``replicates``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from commons_abm.core.errors import InputError
from commons_abm.core.scenario import Scenario, with_overrides
from commons_abm.evaluation.discovery import (
    UNCERTAINTIES,
    FailureBox,
    find_failure_box,
    sample_uncertainties,
    scenario_values,
)
from commons_abm.evaluation.measures import MONEY_ITEMS, VERDICT, money_table, verdict_table
from commons_abm.governance.accounts import Ledger, participant_groups
from commons_abm.governance.rulebook import Rulebook
from commons_abm.shocks import Shock, active_scenario
from commons_abm.sweeps.compare import final_window
from commons_abm.sweeps.executors import local_map
from commons_abm.sweeps.runs import run_seed
from commons_abm.territory.demand import DAYS_PER_YEAR

__all__ = ["ARMS", "BASELINE", "DISCOVERY", "Evaluation", "EvaluationResult", "evaluate", "run_pair"]

ARMS = ("today", "proposal")
BASELINE = "baseline"
DISCOVERY = "discovery"  # the condition of the sampled futures' runs
PAIRS_PER_TASK = 8


@dataclass(frozen=True)
class Evaluation:
    """A proposed rulebook weighed against today's on one territory (see the module's text).

    Raises :class:`~commons_abm.core.errors.InputError` for a shock that cannot act (it
    starts after the last day, changes what the scenario refuses, is given twice, or takes
    the name of the baseline or the discovery) and for a sampled future the scenario refuses
    (:attr:`futures`)."""

    scenario: Scenario
    today: Rulebook
    proposal: Rulebook
    years: int = 2
    seeds: int = 30
    shocks: tuple[Shock, ...] = ()
    samples: int = 100
    replicates: int = 2
    first_seed: int = 0
    discovery_seed: int = 20261202

    def __post_init__(self) -> None:
        names: set[str] = set()
        for shock in self.shocks:
            if shock.start_day >= self.steps:
                raise InputError(
                    "shocks",
                    shock.name,
                    f"starts on day {shock.start_day}, after the run's last day {self.steps - 1}; "
                    "allowed: a shock that starts within the years simulated",
                )
            if shock.name in names:
                raise InputError("shocks", shock.name, "given twice; allowed: each shock once")
            if shock.name in (BASELINE, DISCOVERY):
                raise InputError("shocks", shock.name, "a name the report keeps for itself; allowed: any other name")
            names.add(shock.name)
            active_scenario(self.scenario, [shock], shock.start_day)  # a change the scenario refuses
        self.futures  # noqa: B018 - a sampled future the scenario refuses, now, before any run

    @property
    def steps(self) -> int:
        """Simulated days of each run."""
        return self.years * DAYS_PER_YEAR

    @property
    def window(self) -> int:
        """Days at the end of each run over which indicators are averaged: the last year."""
        return min(self.steps, DAYS_PER_YEAR)

    @property
    def conditions(self) -> tuple[str, ...]:
        """The baseline, then each shock by name."""
        return (BASELINE, *(s.name for s in self.shocks))

    @property
    def pairs(self) -> int:
        """Pairs of runs: each seed under each condition, each replicate of each sample."""
        return len(self.conditions) * self.seeds + self.samples * self.replicates

    @cached_property
    def futures(self) -> tuple[pd.DataFrame, list[dict]]:
        """The discovery's sampled futures: their parameters (one row each) and each one's
        scenario overrides, drawn once. Raises :class:`~commons_abm.core.errors.InputError` when the
        scenario refuses one (a share too small to absorb a sampled change)."""
        points = sample_uncertainties(self.samples, self.discovery_seed)
        samples = []
        for j, point in points.iterrows():
            overrides = scenario_values(self.scenario, point.to_dict())
            try:
                with_overrides(self.scenario, **overrides)
            except InputError as exc:
                raise InputError(
                    exc.source,
                    exc.field,
                    f"{exc.message}, in sampled future {j} of where the proposal fails; allowed: a "
                    "scenario whose shares can absorb the sampled ranges (docs/communities.md)",
                ) from None
            samples.append(overrides)
        return points, samples

    def shocks_of(self, condition: str) -> list[Shock]:
        """The shocks applied under ``condition``."""
        return [s for s in self.shocks if s.name == condition]


@dataclass(frozen=True)
class _Pair:
    """One pair of runs: its condition, seed, and the sample's scenario overrides."""

    condition: str
    seed: int
    sample: int = -1
    overrides: dict = field(default_factory=dict)


def run_pair(evaluation: Evaluation, pair: _Pair) -> tuple[list[dict], list[dict]]:
    """Both rulebooks on one seed: each arm's verdict indicators (one record per arm) and its
    money per participant group (one record per arm and group)."""
    from commons_abm.model import CommonsModel

    scenario = evaluation.scenario
    if pair.overrides:
        scenario = with_overrides(scenario, **pair.overrides)
    shocks = evaluation.shocks_of(pair.condition)
    indicators, money = [], []
    for arm, book in zip(ARMS, (evaluation.today, evaluation.proposal), strict=True):
        model = CommonsModel(scenario, seed=pair.seed, create_agents=False, rulebook=book, shocks=shocks)
        frame = model.run(evaluation.steps)
        head = {"condition": pair.condition, "arm": arm, "seed": pair.seed, "sample": pair.sample}
        indicators.append({**head, **{m.column: final_window(frame, m.column, evaluation.window) for m in VERDICT}})
        table = Ledger.of(model.state, model.steps).by_group(participant_groups(model.state))
        for group, row in table.iterrows():
            money.append({**head, "group": group, "agents": int(row["agents"]), **{k: row[k] for k in MONEY_ITEMS}})
    return indicators, money


def _run_pairs(evaluation: Evaluation, pairs: list[_Pair]) -> tuple[list[dict], list[dict]]:
    indicators, money = [], []
    for pair in pairs:
        i, m = run_pair(evaluation, pair)
        indicators += i
        money += m
    return indicators, money


@dataclass
class EvaluationResult:
    """Every run's indicators (``runs``: one row per condition, arm and seed; discovery
    samples under the condition ``"discovery"``), every run's money per group (``money``),
    the discovery's sampled ``points`` and, per verdict indicator, its failure ``boxes``."""

    evaluation: Evaluation
    runs: pd.DataFrame
    money: pd.DataFrame
    points: pd.DataFrame
    boxes: dict[str, FailureBox]

    def _arms(self, frame: pd.DataFrame, condition: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        rows = frame[frame["condition"] == condition]
        today = rows[rows["arm"] == "today"].sort_values(["seed", "sample"], kind="stable")
        proposal = rows[rows["arm"] == "proposal"].sort_values(["seed", "sample"], kind="stable")
        return today, proposal

    def verdict(self, condition: str = BASELINE) -> pd.DataFrame:
        """The verdict table under ``condition`` (:func:`~commons_abm.evaluation.measures.verdict_table`)."""
        return verdict_table(*self._arms(self.runs, condition))

    def money_by_group(self, condition: str = BASELINE) -> pd.DataFrame:
        """Money per agent and month by group under ``condition``
        (:func:`~commons_abm.evaluation.measures.money_table`)."""
        return money_table(*self._arms(self.money, condition))

    def outcomes(self) -> pd.DataFrame:
        """The discovery's samples: the parameters, then each indicator's directed difference
        ``better * (proposal - today)`` of its means over the replicates (negative: the
        proposal does worse)."""
        today, proposal = self._arms(self.runs, DISCOVERY)
        columns = [m.column for m in VERDICT]
        today = today.groupby("sample")[columns].mean().reindex(self.points.index)
        proposal = proposal.groupby("sample")[columns].mean().reindex(self.points.index)
        frame = self.points.copy()
        for m in VERDICT:
            frame[m.column] = m.better * (proposal[m.column].to_numpy() - today[m.column].to_numpy())
        return frame


def evaluate(evaluation: Evaluation, workers: int | None = None, progress=None) -> EvaluationResult:
    """Run the evaluation on ``workers`` local processes (default: every core) and find where
    the proposal fails. ``progress``, if given, is called with the number of pairs done."""
    workers = max(1, min(workers or os.cpu_count() or 1, 64))
    pairs = [
        _Pair(condition, evaluation.first_seed + k)
        for condition in evaluation.conditions
        for k in range(evaluation.seeds)
    ]
    points, samples = evaluation.futures
    for j, overrides in enumerate(samples):
        for r in range(evaluation.replicates):
            pairs.append(_Pair(DISCOVERY, run_seed(evaluation.discovery_seed, r), int(j), overrides))
    size = max(1, min(PAIRS_PER_TASK, -(-len(pairs) // (4 * workers))))
    batches = [pairs[i : i + size] for i in range(0, len(pairs), size)]
    indicators, money = [], []
    for batch, (i, m) in zip(batches, local_map(_run_pairs, [(evaluation, b) for b in batches], workers), strict=True):
        indicators += i
        money += m
        if progress is not None:
            progress(len(batch))
    runs, money_frame = pd.DataFrame(indicators), pd.DataFrame(money)
    result = EvaluationResult(evaluation, runs, money_frame, points, {})
    outcomes = result.outcomes()
    for m in VERDICT:
        directed = outcomes[m.column].to_numpy()
        defined = np.isfinite(directed)
        result.boxes[m.column] = find_failure_box(
            points[defined].reset_index(drop=True), directed[defined] < 0, m.column, UNCERTAINTIES
        )
    return result
