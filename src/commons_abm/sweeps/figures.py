"""Figures of a sensitivity analysis: heat map, bar charts with intervals, scatter plots.

Each function takes the table of :func:`commons_abm.sweeps.sensitivity.analyse` and writes one
PNG (matplotlib, Agg backend).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

__all__ = ["main_index", "plot_bars", "plot_convergence", "plot_heatmap", "plot_scatter"]

TOP = 3


def main_index(method: str) -> tuple[str, str]:
    """The index each method is ranked by, and its label."""
    return {
        "sobol": ("ST", "total-order Sobol index ST"),
        "morris": ("mu_star", "Morris mu* / largest mu* of the output"),
        "latin": ("delta", "delta (moment-independent)"),
        "factorial": ("S1", "main effect (share of variance)"),
    }[method]


def _factors(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["level"].isin(["parameter", "group"])]


def _short(name: str, limit: int = 38) -> str:
    return name if len(name) <= limit else "..." + name[-(limit - 3) :]


def plot_heatmap(table: pd.DataFrame, method: str, path: Path, title: str = "") -> Path:
    """Factors (parameters or groups) x outputs, coloured by the method's main index; each
    output's noise share (variance due to stochastic noise) under its name."""
    index, label = main_index(method)
    factors = _factors(table)
    grid = factors.pivot_table(index="factor", columns="output", values=index, sort=False)
    grid = grid.reindex(index=list(dict.fromkeys(factors["factor"])), columns=list(dict.fromkeys(factors["output"])))
    if method == "morris":
        grid = grid / grid.max(axis=0).replace(0, np.nan)
    fig, ax = plt.subplots(figsize=(1.6 + 1.1 * grid.shape[1], 1.2 + 0.42 * grid.shape[0]))
    values = grid.to_numpy(dtype=float)
    top = 1.0 if method != "latin" else float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    image = ax.imshow(np.clip(values, 0, top), cmap="viridis", vmin=0, vmax=top, aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        if np.isfinite(value):
            ax.text(
                j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color="white" if value < 0.5 else "black"
            )
    noise = factors.groupby("output", sort=False)["noise_share"].first()
    labels = [
        f"{_short(c, 28)}\n(noise {noise[c]:.2f})" if np.isfinite(noise[c]) else _short(c, 28) for c in grid.columns
    ]
    ax.set_xticks(range(grid.shape[1]), labels, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(grid.shape[0]), [_short(r) for r in grid.index], fontsize=8)
    fig.colorbar(image, ax=ax, label=label, shrink=0.8)
    ax.set_title(f"{title}: {label} (colour clipped to [0, {top:g}])", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def plot_bars(table: pd.DataFrame, method: str, path: Path, title: str = "") -> Path:
    """One panel per output: each factor's indices with their confidence intervals."""
    factors = _factors(table)
    outputs = list(dict.fromkeys(factors["output"]))
    columns = min(2, len(outputs))
    rows = int(np.ceil(len(outputs) / columns))
    n_factors = factors["factor"].nunique()
    fig, axes = plt.subplots(
        rows, columns, figsize=(6.5 * columns, 0.9 + 0.3 * n_factors * rows + 0.6 * rows), squeeze=False
    )
    series = {
        "sobol": [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")],
        "morris": [("mu_star", "mu_star_conf", "mu*"), ("sigma", None, "sigma")],
        "latin": [("delta", "delta_conf", "delta"), ("S1", "S1_conf", "S1")],
        "factorial": [("S1", None, "main effect")],
    }[method]
    for ax, output in zip(axes.ravel(), outputs):
        rows_of = factors[factors["output"] == output]
        y = np.arange(len(rows_of))
        height = 0.8 / len(series)
        for k, (value, conf, label) in enumerate(series):
            err = rows_of[conf].to_numpy(dtype=float) if conf else None
            ax.barh(
                y + k * height, rows_of[value].to_numpy(dtype=float), height=height, xerr=err, capsize=2, label=label
            )
        ax.set_yticks(y + height * (len(series) - 1) / 2, [_short(f) for f in rows_of["factor"]], fontsize=7)
        ax.invert_yaxis()
        noise = rows_of["noise_share"].iloc[0]
        ax.set_title(f"{output} (noise share {noise:.2f})" if np.isfinite(noise) else output, fontsize=9)
        ax.axvline(0, color="grey", lw=0.5)
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes.ravel()[len(outputs) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"{title}: indices with {int(0.95 * 100)} % bootstrap intervals"
        if method != "factorial"
        else f"{title}: main effects",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def _numeric(values: pd.Series, levels: list | None = None) -> tuple[np.ndarray, list[str] | None]:
    """Numbers to plot, and tick labels (the levels, in the experiment's order) when categorical."""
    if levels is None and pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=float), None
    names = [str(v) for v in levels] if levels is not None else sorted(set(values.astype(str)))
    text = values.map(lambda v: str(v))
    return text.map({name: i for i, name in enumerate(names)}).to_numpy(dtype=float), names


def plot_scatter(
    table: pd.DataFrame, method: str, values: pd.DataFrame, means: pd.DataFrame, experiment, path: Path
) -> Path:
    """Each output (replicate mean per sample) against its most influential parameters."""
    index, _ = main_index(method)
    outputs = experiment.outputs
    fig, axes = plt.subplots(len(outputs), TOP, figsize=(3.3 * TOP, 2.6 * len(outputs)), squeeze=False)
    rng = np.random.default_rng(0)  # jitter of categorical levels only
    levels = {p.path: p.levels for p in experiment.spec.parameters}
    for r, output in enumerate(outputs):
        rows = table[(table["output"] == output) & (table["level"] == "parameter")]
        if len(rows) and rows[index].notna().any():
            ranked = list(rows.sort_values(index, ascending=False)["factor"])
        else:  # grouped designs: rank parameters by rank correlation with the output
            corr = {
                n: abs(
                    pd.Series(_numeric(values[n], levels[n])[0]).corr(
                        means[output].reset_index(drop=True), method="spearman"
                    )
                )
                for n in experiment.names
            }
            ranked = sorted(corr, key=lambda n: -np.nan_to_num(corr[n]))
        for c, name in enumerate(ranked[:TOP]):
            ax = axes[r, c]
            xs, ticks = _numeric(values[name], levels[name])
            if ticks is not None:
                xs = xs + rng.uniform(-0.15, 0.15, size=xs.size)
            ax.scatter(xs, means[output].to_numpy(dtype=float), s=5, alpha=0.5)
            if ticks is not None:
                ax.set_xticks(range(len(ticks)), [_short(t, 14) for t in ticks], fontsize=7, rotation=20)
            ax.set_xlabel(_short(name, 40), fontsize=7)
            if c == 0:
                ax.set_ylabel(_short(output, 28), fontsize=8)
            ax.tick_params(labelsize=7)
        for c in range(len(ranked[:TOP]), TOP):
            axes[r, c].set_visible(False)
    fig.suptitle(f"{experiment.spec.name}: outputs against their most influential parameters", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_convergence(table: pd.DataFrame, method: str, path: Path) -> Path:
    """Indices from the first half of the base samples against all of them."""
    full, half = ("ST", "ST_half") if method == "sobol" else ("mu_star", "mu_star_half")
    factors = _factors(table).dropna(subset=[full, half])
    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    for output, rows in factors.groupby("output", sort=False):
        ax.scatter(rows[half], rows[full], s=12, label=_short(output, 30))
    if len(factors):
        low = float(min(factors[full].min(), factors[half].min(), 0))
        high = float(max(factors[full].max(), factors[half].max()))
        ax.plot([low, high], [low, high], color="grey", lw=0.8)
    ax.set_xlabel(f"{full}, first half of base samples")
    ax.set_ylabel(f"{full}, all base samples")
    ax.legend(fontsize=6)
    ax.set_title("convergence check", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
