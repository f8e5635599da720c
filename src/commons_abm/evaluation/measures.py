"""What an evaluation measures: the verdict's indicators, each with the direction that is
better, and the tables that compare two rulebooks run on the same seeds.

For indicator ``x``, seed ``k`` and condition (the baseline or a shock), ``x_k`` is the
mean of ``x`` over the run's last ``window`` days under each rulebook; the verdict gives the
means over seeds, the mean paired difference ``proposal - today`` with its t interval
(:func:`commons_abm.sweeps.compare.effect`, paired, so the figures equal
:func:`~commons_abm.sweeps.compare.compare_rulebooks` on the same seeds) and the share of
seeds where the proposal does better in the indicator's good direction, an estimate of
the probability that it does better in a future like those simulated.

Money (:func:`money_table`) comes from each agent's totals since day 0
(:class:`commons_abm.governance.accounts.Ledger`): per agent of each group and per month,
the energy bill, the fee, the fines and the saving on the bill against acting alone, and
the net gain ``saving - fee - fines``; a group whose net gain falls under the proposal is
a loser of the change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from commons_abm.sweeps.compare import effect

__all__ = [
    "CONFIDENCE",
    "MONEY_ITEMS",
    "VERDICT",
    "Measure",
    "better_share",
    "money_table",
    "verdict_table",
]

CONFIDENCE = 0.90  # the verdict's intervals
MONEY_ITEMS = ("bill", "fee", "fines", "saving")  # Ledger.by_group's columns, per agent and month [EUR]


@dataclass(frozen=True)
class Measure:
    """An indicator of the verdict: a timeseries column, whether more of it is better
    (``better = +1``) or worse (``-1``), and how it reads (``share``: a 0-1 share shown in
    percent; ``level``: a 0-1 level; ``amount``: a quantity in its unit)."""

    column: str
    better: int
    reads_as: str


VERDICT: tuple[Measure, ...] = (
    Measure("members_share", +1, "share"),
    Measure("attendance_rate", +1, "share"),
    Measure("compliance_rate", +1, "share"),
    Measure("trust_institutional", +1, "level"),
    Measure("trust_interpersonal", +1, "level"),
    Measure("community_self_sufficiency", +1, "share"),
    Measure("household_waste_recovery_rate", +1, "share"),
    Measure("dumping_kg", -1, "amount"),
    Measure("bill_saving_eur_per_participant", +1, "amount"),
    Measure("gini_net_benefit", -1, "level"),
)


def better_share(today: np.ndarray, proposal: np.ndarray, better: int) -> float:
    """The share of paired seeds where the proposal does better (ties count half), over the
    seeds where the indicator is defined under both rulebooks."""
    a, b = np.asarray(today, float), np.asarray(proposal, float)
    defined = np.isfinite(a) & np.isfinite(b)
    if not defined.any():
        return float("nan")
    gain = better * (b[defined] - a[defined])
    return float(((gain > 0) + 0.5 * (gain == 0)).mean())


def verdict_table(today: pd.DataFrame, proposal: pd.DataFrame, measures=VERDICT) -> pd.DataFrame:
    """One row per measure: ``today`` and ``proposal`` means, ``difference`` (proposal -
    today) with its :data:`CONFIDENCE` interval ``low``-``high``, ``p_better`` and
    ``seeds``. ``today`` and ``proposal``: one row per seed, in the same seed order, one
    column per measure."""
    rows = []
    for m in measures:
        a, b = today[m.column].to_numpy(float), proposal[m.column].to_numpy(float)
        e = effect(a, b, m.column, confidence=CONFIDENCE, paired=True)
        rows.append(
            {
                "indicator": m.column,
                "today": e.control_mean,
                "proposal": e.treatment_mean,
                "difference": e.difference,
                "low": e.ci_low,
                "high": e.ci_high,
                "p_better": better_share(a, b, m.better),
                "seeds": e.seeds,
                "better": m.better,
            }
        )
    return pd.DataFrame(rows).set_index("indicator")


def money_table(today: pd.DataFrame, proposal: pd.DataFrame) -> pd.DataFrame:
    """Mean money per agent and month of each group under each rulebook, and the change of
    its net gain. ``today`` and ``proposal``: one row per (seed, group) with the group's
    ``agents`` and :data:`MONEY_ITEMS`; rows of the result: the groups, in order of first
    appearance; columns ``agents``, ``<item>_today``, ``<item>_proposal`` for each item,
    ``net_today``, ``net_proposal`` and ``net_change`` [EUR per agent and month]."""
    order = list(dict.fromkeys(today["group"]))
    means = {}
    for arm, frame in (("today", today), ("proposal", proposal)):
        grouped = frame.groupby("group", sort=False)[list(MONEY_ITEMS)].mean().reindex(order)
        means[arm] = grouped
    table = pd.DataFrame(index=pd.Index(order, name="group"))
    table["agents"] = today.groupby("group", sort=False)["agents"].mean().reindex(order).round().astype(int)
    for item in MONEY_ITEMS:
        for arm in ("today", "proposal"):
            table[f"{item}_{arm}"] = means[arm][item]
    for arm in ("today", "proposal"):
        m = means[arm]
        table[f"net_{arm}"] = m["saving"] - m["fee"] - m["fines"]
    table["net_change"] = table["net_proposal"] - table["net_today"]
    return table
