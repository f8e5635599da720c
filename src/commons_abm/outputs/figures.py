"""Figures of a run: the key indicators over time, and one day's energy flows."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

__all__ = ["plain_text", "plot_energy_day", "plot_indicators"]

_PANELS = (
    (
        "Energy",
        [("energy_self_sufficiency", "self-sufficiency"), ("energy_self_consumption", "self-consumption")],
        "share",
    ),
    (
        "Materials",
        [
            ("household_waste_recovery_rate", "household waste recovery"),
            ("byproduct_exchange_rate", "by-product exchange"),
            ("material_circularity", "circularity"),
        ],
        "share",
    ),
    (
        "Waste disposal",
        [
            ("landfill_kg", "landfill"),
            ("dumping_kg", "dumped in the street"),
            ("displaced_waste_kg", "in neighbours' bins"),
        ],
        "kg/day",
    ),
    (
        "Trust and participation",
        [
            ("trust_interpersonal", "interpersonal trust"),
            ("trust_institutional", "institutional trust"),
            ("members_share", "members"),
            ("attendance_rate", "attendance"),
            ("compliance_rate", "compliance"),
        ],
        "share",
    ),
    (
        "Satisfaction and equity",
        [("satisfaction", "satisfaction"), ("gini_net_benefit", "Gini of net benefit")],
        "index",
    ),
    (
        "Conservation check",
        [
            ("energy_balance_residual_kwh", "energy residual [kWh]"),
            ("material_balance_residual_kg", "material residual [kg]"),
        ],
        "residual",
    ),
)


def plain_text(label: str, limit: int = 100) -> str:
    """A label as matplotlib draws it literally: no mathtext (``$`` escaped), one line, at
    most ``limit`` characters (a scenario's name is data, not markup)."""
    text = " ".join(str(label).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("$", r"\$")


def plot_indicators(frame: pd.DataFrame, path: Path, title: str = "") -> Path:
    """A grid of the key indicators against simulated day; 7-day rolling means for flows."""
    fig, axes = plt.subplots(3, 2, figsize=(12, 10), sharex=True, constrained_layout=True)
    x = frame["step"].to_numpy()
    for ax, (name, series, unit) in zip(axes.ravel(), _PANELS):
        for column, label in series:
            y = frame[column]
            if unit in {"share", "kg/day"} and name != "Trust and participation":
                ax.plot(x, y, alpha=0.25, lw=0.8)
                ax.plot(
                    x,
                    y.rolling(7, min_periods=1).mean(),
                    lw=1.6,
                    label=f"{label} (7-day mean)",
                    color=ax.lines[-1].get_color(),
                )
            else:
                ax.plot(x, y, lw=1.4, label=label)
        ax.set_title(name)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    for ax in axes[-1]:
        ax.set_xlabel("simulated day")
    if title:
        fig.suptitle(plain_text(title))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _day_panel(ax: plt.Axes, flows: pd.DataFrame, label: str) -> None:
    hours = np.arange(24) + 0.5
    stacks = [
        ("self_consumed", "PV used on site", "#f4b400"),
        ("pool_direct", "PV shared through the pool", "#0f9d58"),
        ("battery_discharge", "from the shared battery", "#4285f4"),
        ("import", "imported from the grid", "#9e9e9e"),
    ]
    ax.stackplot(
        hours,
        *[flows[c].to_numpy() for c, _, _ in stacks],
        labels=[lab for _, lab, _ in stacks],
        colors=[col for _, _, col in stacks],
        step="mid",
        alpha=0.85,
    )
    ax.plot(hours, flows["demand"], color="black", lw=1.8, drawstyle="steps-mid", label="demand")
    ax.plot(hours, flows["pv"], color="#db4437", lw=1.6, ls="--", drawstyle="steps-mid", label="PV production")
    ax.plot(
        hours,
        -flows["battery_charge"],
        color="#4285f4",
        lw=1.2,
        drawstyle="steps-mid",
        label="battery charging (negative)",
    )
    ax.plot(hours, -flows["export"], color="#7b1fa2", lw=1.2, drawstyle="steps-mid", label="export (negative)")
    ax.axhline(0, color="grey", lw=0.6)
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 3))
    ax.set_xlabel("hour of day")
    ax.set_ylabel("kWh per hour")
    ax.set_title(label)
    ax.grid(alpha=0.3)
    axb = ax.twinx()
    axb.plot(hours, flows["soc_kwh"], color="#4285f4", lw=1, ls=":", label="battery state of charge")
    axb.set_ylabel("battery state of charge [kWh]")


def plot_energy_day(days: list[tuple[str, pd.DataFrame]], path: Path, title: str = "") -> Path:
    """Stacked hourly supply of demand (PV on site, pool, battery, grid) for chosen days."""
    fig, axes = plt.subplots(1, len(days), figsize=(7 * len(days), 5), squeeze=False, constrained_layout=True)
    for ax, (label, flows) in zip(axes[0], days):
        _day_panel(ax, flows, label)
    axes[0][0].legend(fontsize=8, loc="upper left")
    if title:
        fig.suptitle(plain_text(title))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
