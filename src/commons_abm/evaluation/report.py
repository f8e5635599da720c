"""The report a community brings to its meeting: what an evaluation found, in plain words,
in English or French, as one self-contained HTML page, a PDF with the same content, and its
tables as CSV files.

It says, in order: the verdict (each indicator under today's rulebook and the proposal,
the difference with its 90 % interval and the chance that the proposal does better), the
money of each kind of participant (who gains, who loses), the same comparisons under each
shock (one column per situation), where the proposal fails (the conditions PRIM found,
:mod:`commons_abm.evaluation.discovery`), the assumptions, and the command that reproduces
it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from commons_abm import __version__
from commons_abm.evaluation.discovery import MIN_FAILURES, UNCERTAINTIES, FailureBox, Uncertainty
from commons_abm.evaluation.document import Document, write_html, write_pdf
from commons_abm.evaluation.measures import MONEY_ITEMS, VERDICT, Measure
from commons_abm.evaluation.runs import BASELINE, EvaluationResult
from commons_abm.i18n import PARAMETERS, TEXT, eur, indicator, number, percent, tr
from commons_abm.outputs.files import atomic_output_dir

__all__ = ["CSV_FILES", "build_document", "condition_text", "tables", "verdict_counts", "write_report"]

CSV_FILES = ("verdict.csv", "money.csv", "runs.csv", "discovery.csv", "failure_conditions.csv")
GREEN, RED, GREY = "#2a6f4e", "#b23a2e", "#9a9a9a"


def _value(m: Measure, value: float, lang: str) -> str:
    return percent(value, lang, 1) if m.reads_as == "share" else number(value, lang, 2)


def _difference(m: Measure, d: float, low: float, high: float, lang: str) -> str:
    share = m.reads_as == "share"
    scale, unit, digits = (100.0, " pts" if lang == "en" else "\u202fpts", 1) if share else (1.0, "", 2)
    sign = "+" if d * scale >= 0.5 * 10**-digits else ""
    text = f"{sign}{number(d * scale, lang, digits)}{unit}"
    bounds = (
        f"{number(low * scale, lang, digits)} ; {number(high * scale, lang, digits)}"
        if lang == "fr"
        else (f"{number(low * scale, lang, digits)} to {number(high * scale, lang, digits)}")
    )
    return f"{text} [{bounds}]"


def _mark(m: Measure, low: float, high: float) -> str:
    """``better`` when the whole interval lies on the good side of zero, ``worse`` on the bad side."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return ""
    good_low, good_high = (low, high) if m.better > 0 else (-high, -low)
    return "better" if good_low > 0 else "worse" if good_high < 0 else ""


def verdict_counts(verdict: pd.DataFrame) -> tuple[int, int]:
    """How many indicators of a verdict table the proposal does better on, and worse on, with
    the whole 90 % interval on one side of zero."""
    measures = {m.column: m for m in VERDICT}
    marks = [_mark(measures[c], r["low"], r["high"]) for c, r in verdict.iterrows()]
    return marks.count("better"), marks.count("worse")


def _group_name(group: str, lang: str) -> str:
    key = f"group_{group}"
    return tr(key, lang) if key in TEXT else group


def _condition_name(result: EvaluationResult, condition: str, lang: str) -> str:
    if condition == BASELINE:
        return tr("report_baseline", lang)
    shock = result.evaluation.shocks_of(condition)[0]
    return shock.text(lang).title


def _participants(scenario) -> dict[str, int]:
    members = scenario.territory.members
    if members:
        kinds = [m.kind for m in members]
        return {k: kinds.count(k) for k in ("household", "firm", "public")}
    t = scenario.territory
    return {"household": t.households, "firm": t.firms, "public": 0}


# ------------------------------------------------------------------------------ figures
def _verdict_figure(verdict: pd.DataFrame, lang: str) -> Figure:
    figure = Figure(figsize=(7.0, 0.32 * len(verdict) + 0.8))
    ax = figure.add_subplot()
    names = [indicator(c, lang) for c in verdict.index][::-1]
    shares = verdict["p_better"].to_numpy()[::-1]
    ax.barh(names, shares, color=[GREEN if s > 0.5 else RED if s < 0.5 else GREY for s in shares])
    ax.axvline(0.5, color="black", linewidth=0.8)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _: percent(x, lang))
    ax.set_xlabel(tr("report_col_p_better", lang))
    ax.tick_params(labelsize=8)
    figure.tight_layout()
    return figure


def _money_figure(money: pd.DataFrame, lang: str) -> Figure:
    figure = Figure(figsize=(7.0, 0.4 * len(money) + 0.9))
    ax = figure.add_subplot()
    names = [_group_name(g, lang) for g in money.index][::-1]
    change = money["net_change"].to_numpy()[::-1]
    ax.barh(names, change, color=[GREEN if c >= 0 else RED for c in change])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(tr("report_col_net_change", lang) + (" [€/mois]" if lang == "fr" else " [EUR/month]"))
    ax.tick_params(labelsize=8)
    figure.tight_layout()
    return figure


def _failure_figure(result: EvaluationResult, box: FailureBox, lang: str) -> Figure:
    outcomes = result.outcomes()
    paths = [c.path for c in box.conditions][:2]
    others = [u.path for u in UNCERTAINTIES if u.path not in paths]
    if len(paths) < 2:
        paths.append(others[0])
    x, y = outcomes[paths[0]].to_numpy(), outcomes[paths[1]].to_numpy()
    worse = outcomes[box.indicator].to_numpy() < 0
    figure = Figure(figsize=(5.5, 4.2))
    ax = figure.add_subplot()
    ax.scatter(x[~worse], y[~worse], s=14, color=GREY, label="")
    ax.scatter(x[worse], y[worse], s=14, color=RED)
    limits = {c.path: c for c in box.conditions}
    ranges = {u.path: (u.low, u.high) for u in UNCERTAINTIES}
    corners = []
    for p in paths:
        c = limits.get(p)
        low, high = ranges[p]
        corners.append((c.low if c and c.low is not None else low, c.high if c and c.high is not None else high))
    (x0, x1), (y0, y1) = corners
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="black", linewidth=1.4))
    ax.set_xlabel(_parameter(paths[0], lang))
    ax.set_ylabel(_parameter(paths[1], lang))
    ax.tick_params(labelsize=8)
    figure.tight_layout()
    return figure


def _parameter(path: str, lang: str) -> str:
    names = PARAMETERS.get(path)
    return path if names is None else names[lang == "fr"]


def _uncertainty_value(u: Uncertainty, value: float, lang: str) -> str:
    if u.percent:
        return percent(value, lang)
    return number(value, lang, 2 if abs(u.high) < 10 else 0)


# ------------------------------------------------------------------------------ the text
def condition_text(box: FailureBox, lang: str) -> str:
    """The box's conditions in words ("cooperative households is at most 35 % and ...")."""
    by_path = {u.path: u for u in UNCERTAINTIES}
    parts = []
    for c in box.conditions:
        u, name = by_path[c.path], _parameter(c.path, lang)
        if c.low is not None and c.high is not None:
            low, high = _uncertainty_value(u, c.low, lang), _uncertainty_value(u, c.high, lang)
            parts.append(tr("report_between", lang, name=name, low=low, high=high))
        elif c.high is not None:
            parts.append(tr("report_below", lang, name=name, value=_uncertainty_value(u, c.high, lang)))
        else:
            parts.append(tr("report_above", lang, name=name, value=_uncertainty_value(u, c.low, lang)))
    return tr("report_and", lang).join(parts)


def _verdict_blocks(doc: Document, result: EvaluationResult, lang: str) -> None:
    verdict = result.verdict(BASELINE)
    measures = {m.column: m for m in VERDICT}
    rows, marks = [], []
    for column, row in verdict.iterrows():
        m = measures[column]
        rows.append(
            {
                tr("report_col_indicator", lang): indicator(column, lang),
                tr("report_col_today", lang): _value(m, row["today"], lang),
                tr("report_col_proposal", lang): _value(m, row["proposal"], lang),
                tr("report_col_difference", lang): _difference(m, row["difference"], row["low"], row["high"], lang),
                tr("report_col_p_better", lang): percent(row["p_better"], lang),
            }
        )
        marks.append(["", "", _mark(m, row["low"], row["high"]), ""])
    table = pd.DataFrame(rows).set_index(tr("report_col_indicator", lang))
    better, worse = verdict_counts(verdict)
    doc.add("h2", tr("report_verdict", lang))
    doc.add("p", tr("report_verdict_summary", lang, better=better, total=len(verdict), worse=worse))
    doc.add("table", table=table, marks=pd.DataFrame(marks, index=table.index, columns=table.columns))
    doc.add("note", tr("report_better_note", lang))
    doc.add("figure", tr("report_figure_verdict", lang), figure=_verdict_figure(verdict, lang))


def _money_blocks(doc: Document, result: EvaluationResult, lang: str) -> None:
    money = result.money_by_group(BASELINE)
    doc.add("h2", tr("report_money", lang))
    doc.add("p", tr("report_money_intro", lang, years=result.evaluation.years))
    names = {item: tr(f"money_{item}", lang) for item in MONEY_ITEMS}
    rows, marks = [], []
    for group, row in money.iterrows():
        line = {
            tr("report_col_group", lang): _group_name(group, lang),
            tr("report_col_agents", lang): int(row["agents"]),
        }
        for item in MONEY_ITEMS:
            line[names[item]] = f"{eur(row[f'{item}_today'], lang)} → {eur(row[f'{item}_proposal'], lang)}"
        line[tr("report_col_net_change", lang)] = eur(row["net_change"], lang)
        rows.append(line)
        change = row["net_change"]
        marks.append(
            [""] * (1 + len(MONEY_ITEMS)) + ["better" if change > 0.005 else "worse" if change < -0.005 else ""]
        )
    table = pd.DataFrame(rows).set_index(tr("report_col_group", lang))
    doc.add("table", table=table, marks=pd.DataFrame(marks, index=table.index, columns=table.columns))
    sentences = []
    for group, row in money.iterrows():
        change = row["net_change"]
        if abs(change) >= 0.005:
            key = "report_gains" if change > 0 else "report_loses"
            sentences.append(tr(key, lang, group=_group_name(group, lang).capitalize(), amount=eur(abs(change), lang)))
    if sentences:
        doc.add("list", items=sentences)
    doc.add("figure", tr("report_col_net_change", lang), figure=_money_figure(money, lang))


def _shock_blocks(doc: Document, result: EvaluationResult, lang: str) -> None:
    conditions = result.evaluation.conditions
    if len(conditions) < 2:
        return
    doc.add("h2", tr("report_shocks", lang))
    doc.add("p", tr("report_shocks_intro", lang))
    names = [_condition_name(result, c, lang) for c in conditions]
    verdicts = [result.verdict(c) for c in conditions]
    measures = {m.column: m for m in VERDICT}
    rows, marks = {}, {}
    for column in verdicts[0].index:
        m = measures[column]
        label = indicator(column, lang)
        rows[label], marks[label] = [], []
        for v in verdicts:
            r = v.loc[column]
            d = _difference(m, r["difference"], r["low"], r["high"], lang).split(" [")[0]
            rows[label].append(f"{d} ({percent(r['p_better'], lang)})")
            marks[label].append(_mark(m, r["low"], r["high"]))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=names)
    table.index.name = tr("report_col_indicator", lang)
    doc.add("table", table=table, marks=pd.DataFrame.from_dict(marks, orient="index", columns=names))
    for condition in conditions[1:]:
        shock = result.evaluation.shocks_of(condition)[0]
        doc.add("note", f"{shock.text(lang).title}: {shock.text(lang).description}")
    money = {name: result.money_by_group(c)["net_change"] for name, c in zip(names, conditions, strict=True)}
    table = pd.DataFrame(money).map(lambda v: eur(v, lang))
    table.index = [_group_name(g, lang) for g in table.index]
    table.index.name = tr("report_col_group", lang)
    doc.add("p", tr("report_shocks_money", lang))
    doc.add("table", table=table)


def _failure_blocks(doc: Document, result: EvaluationResult, lang: str) -> None:
    doc.add("h2", tr("report_failures", lang))
    doc.add(
        "p",
        tr("report_failures_intro", lang, samples=result.evaluation.samples, replicates=result.evaluation.replicates),
    )
    sentences, first = [], None
    for m in VERDICT:
        box = result.boxes[m.column]
        name = indicator(m.column, lang)
        if box.found:
            first = first or box
            sentences.append(
                tr(
                    "report_failure_box",
                    lang,
                    indicator=name,
                    conditions=condition_text(box, lang),
                    density=percent(box.density, lang),
                    rate=percent(box.failure_rate, lang),
                    coverage=percent(box.coverage, lang),
                )
            )
        elif np.isfinite(box.failure_rate) and MIN_FAILURES < box.failure_rate < 1 - MIN_FAILURES:
            sentences.append(tr("report_failure_none", lang, indicator=name, rate=percent(box.failure_rate, lang)))
        else:
            sentences.append(tr("report_failure_rare", lang, indicator=name, rate=percent(box.failure_rate, lang)))
    doc.add("list", items=sentences)
    if first is not None:
        caption = tr("report_figure_failures", lang, indicator=indicator(first.indicator, lang))
        doc.add("figure", caption, figure=_failure_figure(result, first, lang))


def _assumption_blocks(doc: Document, result: EvaluationResult, lang: str, command: str) -> None:
    e = result.evaluation
    doc.add("h2", tr("report_assumptions", lang))
    items = [
        tr("report_assumption_model", lang, version=__version__),
        tr("report_assumption_scenario", lang, source=e.scenario.source or e.scenario.name),
        tr("report_assumption_runs", lang, seeds=e.seeds, years=e.years, window=e.window),
    ]
    if e.scenario.territory.members:
        items.append(tr("report_assumption_batteries", lang))
    doc.add("list", items=items)
    rows = [
        {
            tr("report_col_parameter", lang): _parameter(u.path, lang),
            tr(
                "report_col_range", lang
            ): f"{_uncertainty_value(u, u.low, lang)} – {_uncertainty_value(u, u.high, lang)}",
            tr("report_col_source", lang): u.source_fr if lang == "fr" else u.source,
        }
        for u in UNCERTAINTIES
    ]
    doc.add("table", table=pd.DataFrame(rows).set_index(tr("report_col_parameter", lang)))
    doc.add("h2", tr("report_reproduce", lang))
    doc.add("p", tr("report_reproduce_text", lang))
    doc.add("code", command)


def build_document(result: EvaluationResult, lang: str, command: str) -> Document:
    """The report of ``result`` in ``lang``; ``command`` reproduces it."""
    e = result.evaluation
    title = tr("report_title", lang, proposal=e.proposal.name, today=e.today.name)
    doc = Document(title, lang)
    doc.add("h1", title)
    counts = _participants(e.scenario)
    doc.add(
        "p",
        tr(
            "report_intro",
            lang,
            scenario=e.scenario.name,
            participants=sum(counts.values()),
            households=counts["household"],
            firms=counts["firm"],
            public=counts["public"],
            years=e.years,
            today=e.today.name,
            proposal=e.proposal.name,
            seeds=e.seeds,
        ),
    )
    _verdict_blocks(doc, result, lang)
    _money_blocks(doc, result, lang)
    _shock_blocks(doc, result, lang)
    _failure_blocks(doc, result, lang)
    _assumption_blocks(doc, result, lang, command)
    return doc


def tables(result: EvaluationResult) -> dict[str, pd.DataFrame]:
    """The report's tables for its CSV files, by file name (:data:`CSV_FILES`)."""
    conditions = result.evaluation.conditions
    verdict = pd.concat({c: result.verdict(c) for c in conditions}, names=["condition"]).reset_index()
    money = pd.concat({c: result.money_by_group(c) for c in conditions}, names=["condition"]).reset_index()
    boxes = [
        {
            "indicator": box.indicator,
            "parameter": c.path,
            "low": c.low,
            "high": c.high,
            "density": box.density,
            "coverage": box.coverage,
            "failure_rate": box.failure_rate,
            "samples": box.samples,
        }
        for box in result.boxes.values()
        for c in box.conditions
    ]
    columns = ["indicator", "parameter", "low", "high", "density", "coverage", "failure_rate", "samples"]
    return {
        "verdict.csv": verdict,
        "money.csv": money,
        "runs.csv": result.runs,
        "discovery.csv": result.outcomes(),
        "failure_conditions.csv": pd.DataFrame(boxes, columns=columns),
    }


def write_report(result: EvaluationResult, out: Path, lang: str, command: str) -> list[Path]:
    """Write ``report.html``, ``report.pdf`` and the CSV tables into the folder ``out``, all
    or nothing (:func:`commons_abm.outputs.files.atomic_output_dir`); the files written."""
    document = build_document(result, lang, command)
    frames = tables(result)

    def write(folder: Path) -> None:
        write_html(document, folder / "report.html")
        write_pdf(document, folder / "report.pdf")
        for name, frame in frames.items():
            frame.to_csv(folder / name, index=False)

    return atomic_output_dir(out, write)
