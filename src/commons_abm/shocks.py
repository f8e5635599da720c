"""Shocks: what changes in a territory from a given day, for a while.

A shock is data (``experiments/shocks/<name>.toml``, read by :func:`load_shock`): a first
day, a duration, and what changes. Nothing acts by itself: a shock changes what agents
pay, receive or face, and their own mechanisms respond.

* ``[scale]`` and ``[set]``: scenario fields multiplied or replaced while the shock lasts
  (the energy price, the sun, the hub's hours). Only fields the day's stages read every
  day may change (:data:`CHANGEABLE`); the territory, the network and the people are
  built once.
* ``[election]``: on the first day an election brings officials of the given posture and
  stance; they stay until the model's next election (:mod:`commons_abm.governance.officials`).
* ``[leave]``: on the first day the ``largest_producers`` members with the most PV leave
  the energy community and may not rejoin while the shock lasts; after it, the membership
  review (:mod:`commons_abm.behaviour.membership`) decides whether they come back.

A shock without ``duration_days`` lasts until the end of the run. The model
(:class:`~commons_abm.model.CommonsModel`, ``shocks=``) applies them on the right days in
every engine; :meth:`~commons_abm.model.CommonsModel.add_shock` applies one live, from
the next day.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from commons_abm.core.errors import InputError
from commons_abm.core.scenario import Scenario, resolve_named, scenario_value, shipped_names, with_overrides
from commons_abm.core.state import State
from commons_abm.core.tomlfile import read_toml, validated
from commons_abm.governance.rulebook import POSTURES, STANCES

__all__ = [
    "CHANGEABLE",
    "Shock",
    "active_scenario",
    "leaving_producers",
    "load_shock",
    "shipped_shocks",
]

# Scenario sections a shock may change: the day's stages read them every day.
CHANGEABLE = ("energy.tariffs.", "energy.pv.", "materials.hub.", "materials.costs.")

Posture = Literal[POSTURES]  # type: ignore[valid-type]
Stance = Literal[STANCES]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShockText(_Strict):
    """What a shock is, in words, in one language."""

    title: str = Field(min_length=1, description="A few words (shown on the app's button and in reports).")
    description: str = Field(min_length=1, description="What happens, and the source of its figures.")


class Election(_Strict):
    """Officials an election brings on the shock's first day."""

    posture: Posture = Field(description="Their posture on the participation ladder.")
    stance: Stance = Field(description="Their stance toward the community.")


class Leave(_Strict):
    """Members who leave the energy community on the shock's first day."""

    largest_producers: int = Field(ge=1, le=1000, description="The members with the most PV who leave.")


class Shock(_Strict):
    """A shock (module docstring); ``start_day`` counts from the run's first day (0)."""

    name: str = Field(min_length=1, description="Short name (the file's stem for shipped shocks).")
    start_day: int = Field(ge=0, le=36500, description="First day of the shock, 0 being the run's first day.")
    duration_days: int | None = Field(
        None, ge=1, le=36500, description="How long it lasts [days]; none: until the end of the run."
    )
    en: ShockText
    fr: ShockText
    scale: dict[str, float] = Field(default_factory=dict, description="Scenario fields multiplied while it lasts.")
    set: dict[str, float | int | bool | str] = Field(
        default_factory=dict, description="Scenario fields replaced while it lasts."
    )
    election: Election | None = None
    leave: Leave | None = None

    @field_validator("scale", "set")
    @classmethod
    def _changeable(cls, fields: dict) -> dict:
        for path, value in fields.items():
            if not path.startswith(CHANGEABLE):
                raise ValueError(f"{path!r} is not read every day; allowed: fields under {', '.join(CHANGEABLE)}")
            if isinstance(value, float) and not (np.isfinite(value) and value >= 0):
                raise ValueError(f"{path!r}: allowed: a finite number >= 0")
        return fields

    @property
    def end_day(self) -> int | None:
        """The first day after the shock (``None``: it lasts to the end of the run)."""
        return None if self.duration_days is None else self.start_day + self.duration_days

    def active(self, day: int) -> bool:
        """Whether the shock is on during ``day``."""
        return day >= self.start_day and (self.end_day is None or day < self.end_day)

    def starting(self, day: int) -> Shock:
        """The same shock, starting on ``day``."""
        return self.model_copy(update={"start_day": int(day)})

    def text(self, lang: str) -> ShockText:
        """Its title and description in ``lang`` (``"en"`` or ``"fr"``)."""
        return self.fr if lang == "fr" else self.en

    def changes(self, base: Scenario) -> dict[str, object]:
        """The scenario fields it changes, with their values while it lasts, from ``base``."""
        values: dict[str, object] = {p: v for p, v in self.set.items()}
        for path, factor in self.scale.items():
            values[path] = float(scenario_value(base, path)) * factor
        return values


def shipped_shocks() -> list[str]:
    """The names of the shipped shocks (``experiments/shocks/*.toml``)."""
    return shipped_names("shocks")


def load_shock(source: Shock | str | Path) -> Shock:
    """A shock from a file, or from the name of a shipped one (``"price_spike"``).

    Raises :class:`~commons_abm.core.errors.InputError` naming the file and the field.
    """
    if isinstance(source, Shock):
        return source
    path = resolve_named(source, "shocks")
    data = read_toml(path, "shock")
    data.setdefault("name", path.stem)
    return validated(Shock, data, path)


def active_scenario(base: Scenario, shocks: list[Shock], day: int) -> Scenario:
    """``base`` with the changes of the shocks on during ``day``, in order (two shocks
    scaling one field multiply)."""
    scenario = base
    for shock in shocks:
        if shock.active(day) and (shock.scale or shock.set):
            try:
                scenario = with_overrides(scenario, **shock.changes(scenario))
            except InputError as exc:
                raise InputError(f"shock {shock.name}", exc.field, exc.message) from None
    return scenario


def leaving_producers(state: State, count: int) -> np.ndarray:
    """The ``count`` members with the most PV (by installed kWp times performance; ties
    by index), as state indices."""
    power = np.where(state.member, state.pv_kwp * state.pv_performance, -np.inf)
    order = np.lexsort((np.arange(state.n), -power))
    chosen = order[: min(count, int(state.member.sum()))]
    return np.sort(chosen[np.isfinite(power[chosen]) & (power[chosen] > 0)])
