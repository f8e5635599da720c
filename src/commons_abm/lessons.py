"""Guided lessons: a scenario, one or two rulebooks, the text for a class in English and
French, and the observation the lesson expects, stated as data the code checks.

A lesson is a TOML file (shipped ones in ``experiments/lessons/``, described in
``docs/lessons.md``): ``scenario`` (a shipped scenario's name or a file relative to the
lesson), ``days``, ``[rulebooks]`` (run ``a``, and ``b`` for two runs side by side on the
same seed: shipped names or files relative to the lesson), optional ``[overrides]``
(dotted scenario fields), ``[text.en]`` and ``[text.fr]`` (title, introduction, a label
per run, steps, questions, observation) and ``[expect]``: ``min_share_of_seeds`` and
``[[expect.checks]]``, each an indicator (a timeseries column), a window (``whole_run``,
``final_day`` or ``last_<N>_days``) and a comparison (``"a < b"`` by at least
``by_at_least``, or ``"a > value"`` against a ``value``). A seed shows the observation
when every check holds on it.

:func:`load_lesson` reads and validates one (every error is one line naming the file and
the field: :class:`~commons_abm.core.errors.InputError`); :func:`check_observation` runs its
model(s) over seeds and says which show the expected observation, so a lesson never teaches
what the model does not show (``tests/test_lessons.py``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from commons_abm.core.errors import InputError
from commons_abm.core.indicators import COLUMNS
from commons_abm.core.scenario import Scenario, load_scenario, resolve_named, shipped_names, with_overrides
from commons_abm.core.tomlfile import read_toml, validated
from commons_abm.governance.rulebook import Rulebook, load_rulebook
from commons_abm.model import CommonsModel

__all__ = [
    "COMPARISONS",
    "DEFAULT_SEEDS",
    "LANGUAGES",
    "CheckResult",
    "Lesson",
    "LessonText",
    "ObservationResult",
    "check_observation",
    "load_lesson",
    "shipped_lessons",
]

LANGUAGES = ("en", "fr")
RUNS = ("a", "b")
DEFAULT_SEEDS = tuple(range(1, 21))
# a < b: run a's value is below run b's; a < value: run a's value is below a threshold.
COMPARISONS = ("a < b", "a > b", "a < value", "a > value", "b < value", "b > value")
INDICATORS = tuple(c for c in COLUMNS if c not in ("step", "day_of_year"))
WINDOW = re.compile(r"^(whole_run|final_day|last_([1-9][0-9]*)_days)$")
# Scenario fields a lesson sets otherwise: the seed (each run's) and the days (``days``).
_FIXED_OVERRIDES = ("run.seed", "run.steps", "run.world_seed", "rules.rulebook")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("empty text; write it out")
    return value


class LessonText(_Spec):
    """A lesson's text for the class, in one language."""

    title: str = Field(description="The lesson's title.")
    introduction: str = Field(description="What the class is about to see, and why it matters.")
    runs: dict[str, str] = Field(description="A short label for each run (a, and b when there are two).")
    steps: list[str] = Field(min_length=1, description="Instructions for the class, in order.")
    questions: list[str] = Field(min_length=1, description="Questions for the class to discuss.")
    observation: str = Field(description="What the class should see.")

    @field_validator("title", "introduction", "observation")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        return _text(value)

    @field_validator("steps", "questions", "runs")
    @classmethod
    def _no_empty_item(cls, values: list[str] | dict[str, str]) -> list[str] | dict[str, str]:
        for value in values.values() if isinstance(values, dict) else values:
            _text(value)
        return values


class Texts(_Spec):
    """The lesson's text in every language of the app."""

    en: LessonText
    fr: LessonText

    @model_validator(mode="after")
    def _same_shape(self) -> Texts:
        for part in ("steps", "questions"):
            n_en, n_fr = len(getattr(self.en, part)), len(getattr(self.fr, part))
            if n_en != n_fr:
                raise ValueError(f"text.fr.{part}: {n_fr} items against {n_en} in text.en; translate each one")
        if set(self.en.runs) != set(self.fr.runs):
            raise ValueError("text.fr.runs: label the same runs as text.en.runs")
        return self


class Check(_Spec):
    """One comparison an observation makes, on one indicator over one window of the run."""

    indicator: str = Field(description="A timeseries column (docs/indicators.md).")
    window: str = Field(
        "whole_run",
        description="whole_run (mean over the run), final_day (the last day's value) or last_<N>_days "
        "(mean over the last N days).",
    )
    compare: Literal[COMPARISONS] = Field(description="What must hold: 'a < b', 'a > value', ...")  # type: ignore[valid-type]
    by_at_least: float = Field(
        0.0, ge=0, description="a < b, a > b: the least difference, in the indicator's unit (0: any)."
    )
    value: float | None = Field(None, description="The threshold of a comparison with a value.")

    @field_validator("indicator")
    @classmethod
    def _known(cls, indicator: str) -> str:
        if indicator not in INDICATORS:
            raise ValueError(f"unknown indicator {indicator!r}; allowed: {', '.join(INDICATORS)}")
        return indicator

    @field_validator("window")
    @classmethod
    def _window(cls, window: str) -> str:
        if not WINDOW.match(window):
            raise ValueError(f"unknown window {window!r}; allowed: whole_run, final_day, last_<N>_days (N >= 1)")
        return window

    @model_validator(mode="after")
    def _consistent(self) -> Check:
        if self.compare.endswith("value"):
            if self.value is None:
                raise ValueError(f"compare {self.compare!r} needs a value")
            if self.by_at_least:
                raise ValueError("by_at_least is for 'a < b' and 'a > b'; a threshold is its value")
        elif self.value is not None:
            raise ValueError(f"value is for a threshold ('a < value', ...), not {self.compare!r}")
        return self

    @property
    def runs(self) -> tuple[str, ...]:
        """The runs the check reads."""
        return ("a", "b") if self.compare.endswith("b") else (self.compare[0],)

    @property
    def last_days(self) -> int | None:
        """The N of last_<N>_days, else None."""
        match = WINDOW.match(self.window)
        return int(match.group(2)) if match and match.group(2) else None

    def statistic(self, frame: pd.DataFrame) -> float:
        """The indicator's value over the check's window of one run's timeseries."""
        column = frame[self.indicator].to_numpy(dtype=float)
        if self.window == "final_day":
            return float(column[-1])
        if self.window != "whole_run":
            column = column[-self.last_days :]
        return float(np.mean(column))

    def holds(self, a: float, b: float | None) -> bool:
        """Whether the check holds for run a's (and b's) value; never with a NaN."""
        left = a if self.compare[0] == "a" else b
        right = self.value if self.compare.endswith("value") else b
        if left is None or right is None or math.isnan(left) or math.isnan(right):
            return False
        if self.compare[2] == "<":
            return right - left > 0 and right - left >= self.by_at_least
        return left - right > 0 and left - right >= self.by_at_least

    def describe(self) -> str:
        """The check in words: ``members_share (final_day): a < b by at least 0.02``."""
        if self.compare.endswith("value"):
            return f"{self.indicator} ({self.window}): {self.compare.replace('value', f'{self.value:g}')}"
        by = f" by at least {self.by_at_least:g}" if self.by_at_least else ""
        return f"{self.indicator} ({self.window}): {self.compare}{by}"


class Expect(_Spec):
    """The observation a lesson expects, as checks over seeds."""

    min_share_of_seeds: float = Field(
        gt=0, le=1, description="Share of the seeds on which every check must hold [0-1]."
    )
    checks: list[Check] = Field(min_length=1, description="What must hold on a seed for it to show the observation.")


class LessonSpec(_Spec):
    """A lesson file, as written."""

    scenario: str = Field("default", description="A shipped scenario's name, or a file relative to the lesson.")
    rulebooks: dict[str, str] = Field(description="Run a's rulebook, and run b's for a side-by-side lesson.")
    days: int = Field(ge=1, le=3650, description="Days each run lasts.")
    overrides: dict[str, bool | int | float | str] = Field(
        default_factory=dict, description="Scenario fields to change, by dotted path."
    )
    text: Texts
    expect: Expect

    @field_validator("rulebooks")
    @classmethod
    def _a_or_a_and_b(cls, books: dict[str, str]) -> dict[str, str]:
        if set(books) not in ({"a"}, {"a", "b"}):
            raise ValueError(f"give a (one run) or a and b (two side by side); got {', '.join(books) or 'none'}")
        return books

    @field_validator("overrides")
    @classmethod
    def _dotted(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        for key in overrides:
            if "." not in key:
                raise ValueError(f"{key!r} is not a dotted scenario field such as 'energy.households.pv_adoption'")
            if key in _FIXED_OVERRIDES:
                raise ValueError(f"{key!r} is set by the lesson (days) and each run's seed; not an override")
        return overrides

    @model_validator(mode="after")
    def _consistent(self) -> LessonSpec:
        for language in LANGUAGES:
            labels = getattr(self.text, language).runs
            if set(labels) != set(self.rulebooks):
                raise ValueError(f"text.{language}.runs: label each run of rulebooks ({', '.join(self.rulebooks)})")
        for i, check in enumerate(self.expect.checks):
            if not set(check.runs) <= set(self.rulebooks):
                raise ValueError(f"expect.checks.{i}.compare: {check.compare!r} needs run b in rulebooks")
            if check.last_days is not None and check.last_days > self.days:
                raise ValueError(f"expect.checks.{i}.window: {check.window!r} is longer than the {self.days} days")
        return self


@dataclass(frozen=True)
class Lesson:
    """A guided lesson, read and validated: its scenario and rulebooks are loaded."""

    name: str
    scenario: Scenario
    rulebooks: dict[str, Rulebook]
    days: int
    overrides: dict[str, Any]
    text: dict[str, LessonText]
    expect: Expect
    source_file: Path

    @property
    def runs(self) -> tuple[str, ...]:
        """The lesson's runs: ``("a",)`` or ``("a", "b")``."""
        return tuple(r for r in RUNS if r in self.rulebooks)

    @property
    def side_by_side(self) -> bool:
        """Whether the lesson compares two runs on the same seed."""
        return len(self.rulebooks) == 2

    def model(self, run: str = "a", seed: int = 1, **kwargs: Any) -> CommonsModel:
        """A :class:`~commons_abm.model.CommonsModel` for ``run`` (``"a"`` or ``"b"``) on
        ``seed``, with the lesson's scenario and overrides; ``kwargs`` go to the model
        (``create_agents``, ``record_events``, ...). Run it for :attr:`days` days."""
        if run not in self.rulebooks:
            raise ValueError(f"lesson {self.name!r} has runs {', '.join(self.runs)}, not {run!r}")
        return CommonsModel(self.scenario, seed=seed, rulebook=self.rulebooks[run], **kwargs)


def shipped_lessons() -> list[str]:
    """The names of the shipped lessons (``experiments/lessons/<name>.toml``), sorted."""
    return shipped_names("lessons")


def _resolve(value: str, kind: str, base: Path) -> Path:
    """A shipped ``kind`` file's path by name, else ``value`` relative to ``base``."""
    path = Path(value)
    if not path.suffix and len(path.parts) == 1:
        return resolve_named(value, kind)
    return path if path.is_absolute() else base / path


def load_lesson(path_or_name: str | Path) -> Lesson:
    """Read and validate a lesson: a file, or a shipped lesson's name (``"open_access"``).

    Raises :class:`~commons_abm.core.errors.InputError` naming the lesson file and the field:
    an unknown key or indicator, a missing text in either language, a scenario or rulebook
    that cannot be read, an override the scenario refuses."""
    path = resolve_named(path_or_name, "lessons")
    spec = validated(LessonSpec, read_toml(path, "lesson"), path)
    base = path.resolve().parent
    try:
        scenario = load_scenario(_resolve(spec.scenario, "scenarios", base))
    except InputError as exc:
        raise InputError(path, "scenario", str(exc)) from None
    try:
        scenario = with_overrides(scenario, **{**spec.overrides, "run.steps": spec.days})
    except InputError as exc:
        raise InputError(path, f"overrides.{exc.field}" if exc.field else "overrides", exc.message) from None
    books = {}
    for run, value in spec.rulebooks.items():
        try:
            books[run] = load_rulebook(_resolve(value, "rulebooks", base))
        except InputError as exc:
            raise InputError(path, f"rulebooks.{run}", str(exc)) from None
    return Lesson(
        name=path.stem,
        scenario=scenario,
        rulebooks=books,
        days=spec.days,
        overrides=dict(spec.overrides),
        text={"en": spec.text.en, "fr": spec.text.fr},
        expect=spec.expect,
        source_file=path.resolve(),
    )


@dataclass(frozen=True)
class CheckResult:
    """One check over the seeds: each run's value on each seed, and where it held."""

    check: Check
    values: dict[str, tuple[float, ...]]  # run -> one value per seed
    held: tuple[bool, ...]  # per seed

    @property
    def means(self) -> dict[str, float]:
        """Each run's value, averaged over the seeds (NaN ignored)."""
        return {run: float(np.nanmean(v)) if not np.all(np.isnan(v)) else math.nan for run, v in self.values.items()}


@dataclass(frozen=True)
class ObservationResult:
    """Which seeds show a lesson's expected observation (every check holds on them)."""

    lesson: str
    seeds: tuple[int, ...]
    shown: tuple[bool, ...]  # per seed
    checks: tuple[CheckResult, ...]
    min_share: float

    @property
    def share(self) -> float:
        """Share of the seeds that show the observation."""
        return sum(self.shown) / len(self.shown)

    @property
    def holds(self) -> bool:
        """Whether at least the lesson's ``min_share_of_seeds`` of the seeds show it."""
        return self.share >= self.min_share - 1e-12

    @property
    def seeds_shown(self) -> tuple[int, ...]:
        """The seeds that show the observation."""
        return tuple(s for s, ok in zip(self.seeds, self.shown, strict=True) if ok)

    def describe(self) -> str:
        """The result in words, one line per check after a summary line."""
        lines = [
            f"{self.lesson}: {sum(self.shown)} of {len(self.seeds)} seeds show it "
            f"(share {self.share:.2f}, required {self.min_share:.2f})"
        ]
        for result in self.checks:
            means = ", ".join(f"{run} = {value:.3f}" for run, value in result.means.items())
            lines.append(f"  {result.check.describe()}: mean {means}; held on {sum(result.held)} seeds")
        return "\n".join(lines)


def check_observation(lesson: Lesson, seeds: Iterable[int] = DEFAULT_SEEDS) -> ObservationResult:
    """Run the lesson's run(s) on each seed (both runs on the same seed) and evaluate its
    ``expect`` checks on each."""
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("check_observation needs at least one seed")
    checks = lesson.expect.checks
    values: list[dict[str, list[float]]] = [{run: [] for run in lesson.runs} for _ in checks]
    for seed in seeds:
        for run in lesson.runs:
            frame = lesson.model(run, seed, create_agents=False).run(lesson.days)
            for i, check in enumerate(checks):
                values[i][run].append(check.statistic(frame))
    results = []
    for i, check in enumerate(checks):
        held = tuple(
            check.holds(values[i]["a"][k], values[i]["b"][k] if "b" in values[i] else None) for k in range(len(seeds))
        )
        results.append(CheckResult(check, {run: tuple(v) for run, v in values[i].items()}, held))
    shown = tuple(all(r.held[k] for r in results) for k in range(len(seeds)))
    return ObservationResult(lesson.name, seeds, shown, tuple(results), lesson.expect.min_share_of_seeds)
