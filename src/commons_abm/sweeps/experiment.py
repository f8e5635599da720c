"""Experiment files: a base scenario and rulebook, the parameters to vary, a design, outputs.

An experiment is a TOML file validated by the pydantic models below, in the spirit of
SALib's ``ProblemSpec``: a plain description of the problem (what varies, within which
bounds or levels, how it is sampled, what is measured), then sample -> evaluate ->
analyse (:mod:`commons_abm.sweeps.sampling`, :mod:`commons_abm.sweeps.executors`,
:mod:`commons_abm.sweeps.sensitivity`). ``docs/experiments.md`` describes every field.

Parameter paths
---------------
- ``territory.households``, ``behaviour.decisions.motive_weight``, ...: any leaf field
  of the scenario (``docs/scenario.md``), as in :func:`commons_abm.core.scenario.with_overrides`.
- ``rulebook.officials.<field>``: the officials' posture, stance, electoral cycle, ...
- ``rulebook.<statement>.<field>``: a field of the rulebook's statements picked by their
  ``id`` or, when no id matches, by their aim (every statement with that aim).
  ``<field>`` is a condition of the aim (``rulebook.monitor.detection_probability``),
  ``deontic``, ``attribute``, ``or_else``, or ``enabled`` (``false`` removes the
  statements; removing the only ``sanction`` statement also clears every ``or_else``).

Every sampled value is validated by the scenario and rulebook models when the run is
built; a value they refuse makes that run fail, and the failure is recorded.

Over 400 lines: the schema of the experiment format and the resolution of its parameter
paths into scenario and rulebook changes belong together (each path is validated against
what it resolves to).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from commons_abm.core.errors import InputError
from commons_abm.core.indicators import COLUMNS
from commons_abm.core.scenario import Scenario, describe_fields, load_scenario, scenario_value, with_overrides
from commons_abm.core.tomlfile import read_toml, validated
from commons_abm.governance.institutions import Institutions, compile_rulebook
from commons_abm.governance.rulebook import (
    AIMS,
    PRINCIPLE_NAMES,
    STATEMENT_FIELDS,
    OfficialsContext,
    Rulebook,
    load_rulebook,
    rulebook_with,
    statement_keys,
)
from commons_abm.territory.demand import DAYS_PER_YEAR

__all__ = [
    "DesignSpec",
    "Experiment",
    "ExperimentSpec",
    "OutputSpec",
    "ParameterSpec",
    "STATISTICS",
    "compensation",
    "load_experiment",
    "parameter_paths",
]

Level = bool | int | float | str
STATISTICS = ("mean", "median", "min", "max", "std", "final", "sum")
# Fields that set up a run rather than describe the territory: never varied.
_FIXED_SCENARIO_FIELDS = {"name", "run.seed", "run.world_seed", "run.steps", "rules.rulebook"}


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class ParameterSpec(_Spec):
    """One parameter to vary."""

    path: str = Field(description="Dotted path in the scenario or `rulebook.` path.")
    bounds: list[float] | None = Field(
        None, min_length=2, max_length=2, description="Lower and upper bound of a continuous parameter."
    )
    levels: list[Level] | None = Field(
        None, min_length=2, description="The values of a categorical (or discrete) parameter."
    )
    points: int = Field(3, ge=2, le=1000, description="factorial design: evenly spaced values between the bounds.")
    integer: bool = Field(False, description="Round sampled values to whole numbers.")
    group: str | None = Field(
        None,
        description="Group for grouped indices (default: the statement's design principle "
        "for rulebook statements, `officials` for rulebook.officials, else the scenario section).",
    )
    compensate: str | None = Field(
        None,
        description="Scenario path that absorbs the change so that shares keep their sum "
        "(e.g. the individualistic share when the cooperative share varies).",
    )

    @field_validator("bounds")
    @classmethod
    def _ordered(cls, bounds: list[float] | None) -> list[float] | None:
        if bounds is not None:
            low, high = bounds
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                raise ValueError(f"bounds must be finite with low < high (got {list(bounds)})")
            return [float(low), float(high)]
        return bounds

    @model_validator(mode="after")
    def _bounds_or_levels(self) -> ParameterSpec:
        if (self.bounds is None) == (self.levels is None):
            raise ValueError("give either bounds = [low, high] or levels = [...], not both or neither")
        return self

    @property
    def categorical(self) -> bool:
        """Whether the parameter takes one of a list of levels."""
        return self.levels is not None


class OutputSpec(_Spec):
    """A summary statistic of one timeseries column over the last steps of a run."""

    name: str | None = Field(
        None,
        description="Column name in the results (default: statistic_column_window, the window stated: "
        "mean_trust_institutional_last365d, mean_trust_institutional_run, final_members_share).",
    )
    column: str = Field(description="Timeseries column (docs/indicators.md).")
    statistic: Literal[STATISTICS] = Field("mean", description="Statistic over the window.")  # type: ignore[valid-type]
    window: int | None = Field(
        None,
        ge=0,
        description="Last steps summarised; default the run's last whole year (365 days; the whole run when "
        "shorter), so that no season weighs more than another; 0: the whole run. Ignored by `final` (the last "
        "step's value).",
    )

    @field_validator("column")
    @classmethod
    def _known_column(cls, column: str) -> str:
        if column not in COLUMNS or column in ("step", "day_of_year"):
            allowed = ", ".join(c for c in COLUMNS if c not in ("step", "day_of_year"))
            raise ValueError(f"unknown column {column!r}; allowed: {allowed}")
        return column

    @property
    def label(self) -> str:
        """The output's column name in the results: its ``name``, else the statistic, the
        column and the window it summarises."""
        if self.name:
            return self.name
        if self.statistic == "final":
            return f"final_{self.column}"
        return f"{self.statistic}_{self.column}_" + (f"last{self.window}d" if self.window else "run")


class DesignSpec(_Spec):
    """How the parameter space is sampled."""

    method: Literal["factorial", "latin", "sobol", "morris"] = Field(
        description="Full factorial, Latin hypercube, Sobol/Saltelli or Morris trajectories."
    )
    base_samples: int = Field(
        64,
        ge=1,
        le=1_000_000,
        description="latin: samples; sobol: base samples N (N(2D+2) "
        "samples with second order, N(D+2) without); morris: trajectories. Ignored by factorial.",
    )
    second_order: bool = Field(True, description="sobol: also second-order indices.")
    morris_levels: int = Field(4, ge=2, le=100, description="morris: levels of the grid.")
    by_group: bool = Field(
        False,
        description="sobol and morris: sample and analyse groups of parameters (e.g. "
        "design principles) instead of single parameters.",
    )


class ExperimentSpec(_Spec):
    """A whole experiment file."""

    name: str = Field("experiment", description="A short name.")
    description: str = Field("", description="Free text.")
    scenario: str | None = Field(
        None, description="Base scenario file, relative to the experiment file (default: the shipped one)."
    )
    rulebook: str | None = Field(
        None, description="Base rulebook file, relative to the experiment file (default: the scenario's)."
    )
    scenario_overrides: dict[str, Any] = Field(
        default_factory=dict, description="Fixed changes to the base scenario, by dotted path."
    )
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Experiment seed; runs' seeds are spawned from it.")
    steps: int = Field(365, ge=1, le=1_000_000, description="Simulated days per run.")
    replicates: int = Field(1, ge=1, le=10_000, description="Runs per sample, with different seeds.")
    seeding: Literal["common", "common_world", "independent"] = Field(
        "common",
        description="Random numbers across samples: 'common', replicate r of every sample runs with the same "
        "seed (the same territory, weather and behaviour draws: differences between samples are the "
        "parameters'); 'common_world', the same world (territory, network, weather, demand) with behaviour "
        "drawn anew for each run; 'independent', every run its own seed (territory uncertainty mixed into "
        "every index as noise). docs/experiments.md says when to use which.",
    )
    design: DesignSpec
    parameters: list[ParameterSpec] = Field(min_length=1)
    outputs: list[OutputSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> ExperimentSpec:
        for output in self.outputs:
            if output.window is None:  # the last whole year, or the whole run when shorter
                output.window = min(DAYS_PER_YEAR, self.steps)
        paths = [p.path for p in self.parameters]
        for path in paths:
            if paths.count(path) > 1:
                raise ValueError(f"parameter {path!r} appears {paths.count(path)} times; allowed once")
        labels = [o.label for o in self.outputs]
        for label in labels:
            if labels.count(label) > 1:
                raise ValueError(f"output {label!r} appears {labels.count(label)} times; allowed once")
            if label in paths or label in ("sample_id", "replicate", "seed", "status", "error"):
                raise ValueError(f"output name {label!r} clashes with another column")
        for output in self.outputs:
            if output.window > self.steps and output.statistic != "final":
                raise ValueError(f"output {output.label!r}: window {output.window} is longer than steps = {self.steps}")
        return self


# ------------------------------------------------------------------------ parameter paths
def _scenario_paths() -> list[str]:
    return [row[0] for row in describe_fields(Scenario) if row[0] not in _FIXED_SCENARIO_FIELDS]


def _statement_fields(book: Rulebook, positions: list[int]) -> list[str]:
    aim = AIMS[book.statements[positions[0]].aim]
    return [*STATEMENT_FIELDS, *aim.params.model_fields, *aim.when]


def parameter_paths(book: Rulebook | None) -> list[str]:
    """Every valid parameter path for a base rulebook (``None``: scenario paths only)."""
    paths = _scenario_paths()
    if book is not None:
        paths += [f"rulebook.officials.{f}" for f in OfficialsContext.model_fields]
        for key, positions in statement_keys(book).items():
            paths += [f"rulebook.{key}.{f}" for f in _statement_fields(book, positions)]
    return paths


def _unknown_path_message(path: str, valid: list[str], has_rulebook: bool) -> str:
    """What is wrong with ``path`` and the valid paths under its longest known prefix."""
    parts = path.split(".")
    for depth in range(len(parts) - 1, -1, -1):
        prefix = ".".join(parts[:depth])
        under = [p for p in valid if p.startswith(prefix + ".")] if prefix else []
        if under:
            return f"unknown parameter path {path!r}; valid paths under {prefix!r}: {', '.join(under)}"
    roots = sorted({p.split(".")[0] for p in valid})
    hint = "" if has_rulebook else " (rulebook paths need a rulebook: set `rulebook = FILE`)"
    return f"unknown parameter path {path!r}; valid paths start with: {', '.join(roots)}{hint}"


def _default_group(path: str, book: Rulebook | None) -> str:
    parts = path.split(".")
    if parts[0] != "rulebook":
        return parts[0]
    if parts[1] == "officials":
        return "officials"
    positions = statement_keys(book)[parts[1]] if book is not None else []
    return PRINCIPLE_NAMES[book.statements[positions[0]].principle] if positions else "rulebook"


# ----------------------------------------------------------------------------- experiment
@dataclass(frozen=True)
class Experiment:
    """A validated experiment: its spec, base scenario and base rulebook."""

    spec: ExperimentSpec
    scenario: Scenario
    rulebook: Rulebook | None
    source: str
    groups: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        """Parameter paths, in the file's order."""
        return [p.path for p in self.spec.parameters]

    @property
    def outputs(self) -> list[str]:
        """Output column names, in the file's order."""
        return [o.label for o in self.spec.outputs]

    def fingerprint(self, include_base_samples: bool) -> str:
        """A hash of everything that determines the runs' results."""
        spec = self.spec.model_dump(mode="json")
        spec.pop("description", None)
        if not include_base_samples:
            spec["design"].pop("base_samples")
        identity = {
            "spec": spec,
            "scenario": self.scenario.model_dump(mode="json"),
            "rulebook": self.rulebook.model_dump(mode="json") if self.rulebook is not None else None,
        }
        text = json.dumps(identity, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def build(self, values: dict[str, Any]) -> tuple[Scenario, Institutions]:
        """The scenario and institutions of one sample; :class:`InputError` if a value is refused."""
        scenario_values: dict[str, Any] = {"run.steps": self.spec.steps}
        rule_values: dict[str, Any] = {}
        for param in self.spec.parameters:
            value = values[param.path]
            if param.path.startswith("rulebook."):
                rule_values[param.path] = value
                continue
            scenario_values[param.path] = value
            if param.compensate:
                scenario_values[param.compensate] = compensation(self.scenario, param.path, value, param.compensate)
        scenario = with_overrides(self.scenario, source=self.source, **scenario_values)
        if self.rulebook is None:
            from commons_abm.model import institutions_for

            return scenario, institutions_for(scenario)
        return scenario, compile_rulebook(rulebook_with(self.rulebook, rule_values, self.source))


def compensation(scenario: Scenario, path: str, value: float, compensate: str) -> float:
    """The value of the share ``compensate`` that keeps its sum with the share ``path`` when
    ``path`` is set to ``value`` (the individualistic share when the cooperative one varies)."""
    return scenario_value(scenario, compensate) + scenario_value(scenario, path) - value


def _resolve(base: Path, relative: str) -> Path:
    path = Path(relative)
    return path if path.is_absolute() else base / path


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; :class:`InputError` names the file and the field."""
    path = Path(path)
    return experiment_from_spec(validated(ExperimentSpec, read_toml(path, "experiment"), path), path)


def experiment_from_spec(spec: ExperimentSpec, path: Path) -> Experiment:
    """Check an experiment's files and parameter paths, and load its base scenario and rulebook."""
    base = path.resolve().parent
    source = str(path)
    scenario = load_scenario(_resolve(base, spec.scenario) if spec.scenario else None)
    if spec.scenario_overrides:
        try:
            scenario = with_overrides(scenario, source=source, **spec.scenario_overrides)
        except InputError as exc:
            raise InputError(source, f"scenario_overrides.{exc.field or ''}".rstrip("."), exc.message) from None
    book: Rulebook | None = None
    if spec.rulebook:
        book = load_rulebook(_resolve(base, spec.rulebook))
    elif scenario.rules.rulebook:
        book = load_rulebook(scenario.resolve(scenario.rules.rulebook))
    valid = parameter_paths(book)
    groups = []
    for i, param in enumerate(spec.parameters):
        if param.path not in valid:
            raise InputError(source, f"parameters.{i}.path", _unknown_path_message(param.path, valid, book is not None))
        if param.compensate is not None:
            if param.compensate not in _scenario_paths() or param.path.startswith("rulebook."):
                raise InputError(
                    source,
                    f"parameters.{i}.compensate",
                    f"{param.compensate!r} must be a scenario path compensating a scenario "
                    "parameter; allowed: a path of docs/scenario.md",
                )
        if param.categorical and param.integer:
            raise InputError(source, f"parameters.{i}.integer", "integer applies to bounds, not levels")
        if param.integer and param.bounds is not None and math.ceil(param.bounds[0]) > math.floor(param.bounds[1]):
            low, high = param.bounds
            raise InputError(
                source,
                f"parameters.{i}.bounds",
                f"[{low:g}, {high:g}] holds no whole number; allowed: bounds around at least one, or integer = false",
            )
        groups.append(param.group or _default_group(param.path, book))
    if spec.design.by_group:
        if spec.design.method not in ("sobol", "morris"):
            raise InputError(source, "design.by_group", "grouped sampling needs method `sobol` or `morris`")
        if len(set(groups)) < 2:
            raise InputError(source, "design.by_group", "grouped sampling needs at least two groups")
    return Experiment(spec=spec, scenario=scenario, rulebook=book, source=source, groups=tuple(groups))


def refused_values(experiment: Experiment) -> list[str]:
    """Bounds and levels that the scenario or rulebook models refuse (runs using them will fail)."""
    problems = []
    for param in experiment.spec.parameters:
        candidates = param.levels if param.categorical else list(param.bounds)  # type: ignore[arg-type]
        for value in candidates:
            if param.integer and not param.categorical:
                value = int(round(value))
            values = {p.path: _base_value(experiment, p) for p in experiment.spec.parameters}
            values[param.path] = value
            try:
                experiment.build(values)
            except InputError as exc:
                problems.append(f"{param.path} = {value!r}: {exc.field}: {exc.message}")
    return problems


def _base_value(experiment: Experiment, param: ParameterSpec) -> Any:
    """The base scenario's or rulebook's own value of a parameter, or its first level/lower bound."""
    if not param.path.startswith("rulebook."):
        return scenario_value(experiment.scenario, param.path)
    _, key, field = param.path.split(".", 2)
    book = experiment.rulebook
    assert book is not None
    if key == "officials":
        return getattr(book.officials, field)
    statement = book.statements[statement_keys(book)[key][0]]
    if field == "enabled":
        return True
    if field in STATEMENT_FIELDS:
        return getattr(statement, field)
    return getattr(statement.params, field)
