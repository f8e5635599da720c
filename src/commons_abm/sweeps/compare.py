"""Comparing rulebooks over many seeds: effect sizes with confidence intervals.

For a community weighing a proposed rulebook against today's, or a test checking the
direction of a design principle: run both on the same scenario with the same seeds,
summarise an indicator over a window of each run, and report the difference of means
with a confidence interval (paired by seed) and the standardised effect.

:func:`without_principle` removes the statements that implement one design principle
from a rulebook (an ablation), :func:`with_flat_sanctions` swaps a graduated ladder for a
flat fine of the same mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from commons_abm.governance.rulebook import PRINCIPLES, Rulebook

__all__ = [
    "Effect",
    "compare_rulebooks",
    "effect",
    "final_window",
    "with_conditions",
    "with_parameters",
    "with_statement",
    "with_flat_sanctions",
    "with_officials",
    "without_aims",
    "without_principle",
]


@dataclass(frozen=True)
class Effect:
    """Difference ``treatment - control`` of an indicator's mean over seeds."""

    indicator: str
    control_mean: float
    treatment_mean: float
    difference: float
    ci_low: float
    ci_high: float
    cohens_d: float
    p_value: float
    seeds: int
    confidence: float
    paired: bool = False

    def __str__(self) -> str:
        test = "paired t" if self.paired else "Welch"
        size = "d_z" if self.paired else "d"
        return (
            f"{self.indicator}: {self.control_mean:.4f} -> {self.treatment_mean:.4f}, "
            f"difference {self.difference:+.4f} ({self.confidence:.0%} CI {self.ci_low:+.4f} "
            f"to {self.ci_high:+.4f}), Cohen's {size} {self.cohens_d:+.2f}, {test} p = {self.p_value:.2g}, "
            f"{self.seeds} seeds"
        )


def effect(
    control: np.ndarray, treatment: np.ndarray, indicator: str = "", confidence: float = 0.95, paired: bool = False
) -> Effect:
    """Difference of means ``treatment - control`` with its confidence interval.

    Unpaired (default): Welch's t interval and Cohen's d. Paired (``control[k]`` and
    ``treatment[k]`` share seed ``k``, common random numbers): the t interval of the mean
    of the per-seed differences, and Cohen's d_z (mean difference over its SD), over the
    seeds where the indicator is defined in both arms (``seeds`` counts them).
    """
    a, b = np.asarray(control, float), np.asarray(treatment, float)
    if paired:
        return _paired_effect(a, b, indicator, confidence)
    va, vb = a.var(ddof=1), b.var(ddof=1)
    se = np.sqrt(va / a.size + vb / b.size)
    diff = float(b.mean() - a.mean())
    if se > 0:
        dof = se**4 / ((va / a.size) ** 2 / (a.size - 1) + (vb / b.size) ** 2 / (b.size - 1))
        half = float(stats.t.ppf(0.5 + confidence / 2, dof) * se)
        p = float(2 * stats.t.sf(abs(diff) / se, dof))
    else:
        half, p = 0.0, 0.0 if diff != 0 else 1.0
    pooled = np.sqrt((va + vb) / 2)
    d = diff / pooled if pooled > 0 else (np.inf if diff > 0 else -np.inf if diff < 0 else 0.0)
    return Effect(
        indicator,
        float(a.mean()),
        float(b.mean()),
        diff,
        diff - half,
        diff + half,
        float(d),
        p,
        int(min(a.size, b.size)),
        confidence,
    )


def _paired_effect(a: np.ndarray, b: np.ndarray, indicator: str, confidence: float) -> Effect:
    if a.shape != b.shape:
        raise ValueError("paired samples must have the same length")
    # a pair where the indicator is undefined in either arm (member trust once every member
    # has left) says nothing about the difference: left out, and ``seeds`` counts the rest
    defined = np.isfinite(a) & np.isfinite(b)
    a, b = a[defined], b[defined]
    d = b - a
    diff, sd = float(d.mean()), float(d.std(ddof=1))
    se = sd / np.sqrt(d.size)
    if se > 0:
        half = float(stats.t.ppf(0.5 + confidence / 2, d.size - 1) * se)
        p = float(2 * stats.t.sf(abs(diff) / se, d.size - 1))
        dz = diff / sd
    else:
        half, p = 0.0, 0.0 if diff != 0 else 1.0
        dz = np.inf if diff > 0 else -np.inf if diff < 0 else 0.0
    return Effect(
        indicator,
        float(a.mean()),
        float(b.mean()),
        diff,
        diff - half,
        diff + half,
        float(dz),
        p,
        int(d.size),
        confidence,
        paired=True,
    )


def final_window(frame: pd.DataFrame, indicator: str, window: int) -> float:
    """Mean of ``indicator`` over the last ``window`` steps of a run (NaN ignored)."""
    return float(frame[indicator].iloc[-window:].mean())


def compare_rulebooks(
    scenario,
    control,
    treatment,
    indicators: list[str],
    *,
    seeds: int = 20,
    steps: int | None = None,
    window: int = 90,
    first_seed: int = 0,
    confidence: float = 0.95,
    shocks: tuple = (),
) -> dict[str, Effect]:
    """Run both rulebooks over ``seeds`` seeds (the same seeds for both: common random
    numbers, so the territory, network, weather and motives are shared), under ``shocks``
    (:mod:`commons_abm.shocks`) if any, and compare indicators, paired by seed, with
    ``confidence`` intervals."""
    from commons_abm.model import CommonsModel

    results: dict[str, list[list[float]]] = {name: [[], []] for name in indicators}
    for seed in range(first_seed, first_seed + seeds):
        for arm, rulebook in enumerate((control, treatment)):
            model = CommonsModel(scenario, seed=seed, create_agents=False, rulebook=rulebook, shocks=list(shocks))
            frame = model.run(steps)
            for name in indicators:
                results[name][arm].append(final_window(frame, name, window))
    return {
        name: effect(np.array(c), np.array(t), name, confidence=confidence, paired=True)
        for name, (c, t) in results.items()
    }


def without_principle(book: Rulebook, principle: int | str) -> Rulebook:
    """A copy of ``book`` without the statements that implement ``principle``."""
    number = PRINCIPLES.get(principle, principle) if isinstance(principle, str) else principle
    kept = [s for s in book.statements if s.principle != number]
    if not any(s.aim == "sanction" for s in kept):
        kept = [s.model_copy(update={"or_else": ""}) for s in kept]
    copy = book.model_copy(update={"statements": kept, "name": f"{book.name} without principle {number}"})
    return Rulebook.model_validate(copy.model_dump())


def without_aims(book: Rulebook, aims: set[str] | frozenset[str], sanctions: bool = True) -> Rulebook:
    """A copy of ``book`` without its statements of ``aims``; with ``sanctions`` false, the
    statements kept lose their or-else too (rules written without a sanction)."""
    data = book.model_dump()
    data["statements"] = [s for s in data["statements"] if s["aim"] not in aims]
    if not sanctions:
        for s in data["statements"]:
            s["or_else"] = ""
    return Rulebook.model_validate(data)


def with_officials(book: Rulebook, **fields) -> Rulebook:
    """A copy of ``book`` whose ``[officials]`` table has ``fields`` set (validated)."""
    data = book.model_dump()
    data["officials"] = {**data["officials"], **fields}
    return Rulebook.model_validate(data)


def with_parameters(book: Rulebook, aim: str, **parameters) -> Rulebook:
    """A copy of ``book`` whose statements with ``aim`` have ``parameters`` set (validated)."""
    return _with_fields(book, aim, "parameters", parameters)


def with_conditions(book: Rulebook, aim: str, **conditions) -> Rulebook:
    """A copy of ``book`` whose statements with ``aim`` apply only when ``conditions``
    (when-clauses) hold (validated)."""
    return _with_fields(book, aim, "conditions", conditions)


def with_statement(book: Rulebook, aim: str, **fields) -> Rulebook:
    """A copy of ``book`` whose statements with ``aim`` have ``fields`` set (``attribute``,
    ``deontic``, ``or_else``; validated)."""
    return _edited(book, aim, lambda s: s.update(fields))


def _with_fields(book: Rulebook, aim: str, part: str, values: dict) -> Rulebook:
    return _edited(book, aim, lambda s: s.update({part: {**s[part], **values}}))


def _edited(book: Rulebook, aim: str, edit) -> Rulebook:
    """A copy of ``book`` whose statements with ``aim`` (as dicts) ``edit`` changes, validated."""
    data = book.model_dump()
    for s in data["statements"]:
        if s["aim"] == aim:
            edit(s)
    return Rulebook.model_validate(data)


def with_flat_sanctions(book: Rulebook) -> Rulebook:
    """A copy of ``book`` whose graduated ladder is replaced by a flat fine of the ladder's mean."""
    statements = []
    for s in book.statements:
        if s.aim == "sanction" and s.params.scheme == "graduated":
            fines = s.params.fines_eur
            parameters = {**s.parameters, "scheme": "flat", "flat_fine_eur": float(np.mean(fines))}
            s = s.model_copy(update={"parameters": parameters})
        statements.append(s)
    return Rulebook.model_validate(
        {
            **book.model_dump(),
            "statements": [s.model_dump() for s in statements],
            "name": f"{book.name} with flat fines",
        }
    )
