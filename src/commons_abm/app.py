"""The teaching app: a commons live in the browser, on Mesa's SolaraViz.

``commons-abm app`` serves :data:`Page` (``solara run commons_abm.app``) on 127.0.0.1
unless told otherwise. The page has three tabs, in English or French (the switch in the
bar at the top):

* **Live** (Mesa's :func:`~mesa.visualization.SolaraViz`): the social network (agents by
  kind, membership and today's cooperation; ties by trust), the time series of trust,
  participation and the flows, one day's energy flows, the money of each kind of
  household, and the events as a running feed, all updated as the model steps. The
  sidebar picks the scenario, the rulebook, the seed and the main levers, and plays,
  pauses, steps and resets (a reset builds a new model from the sidebar); the play
  interval sets the speed. The rules card changes the rules in force from the next day,
  by its sliders or by a rulebook file dropped on it; the shocks card starts a shock on
  the next day.
* **Side by side**: two rulebooks on the same territory and seed, stepped together, and
  their difference.
* **Lessons**: the guided lessons of ``experiments/lessons/``, each opened side by side.

The model steps one day per ``model.step()``; the views read its arrays
(``model.state``), its timeseries and its ledger, and hold no model logic.

Over 400 lines: the page is one interface, its views read together.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import solara
import solara.lab
import solara.widgets
from markdown_it import MarkdownIt
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from commons_abm.core.errors import InputError
from commons_abm.core.kinds import KINDS
from commons_abm.core.scenario import load_scenario, scenario_value, shipped_names
from commons_abm.governance.accounts import HOUSEHOLD_GROUPS, Ledger, household_groups
from commons_abm.governance.rulebook import AIMS, Rulebook, load_rulebook, rulebook_with
from commons_abm.i18n import LANGS, eur, indicator, percent, tr
from commons_abm.lessons import load_lesson, shipped_lessons
from commons_abm.model import CommonsModel
from commons_abm.shocks import load_shock, shipped_shocks

__all__ = [
    "DumpingView",
    "EnergyDayView",
    "EventsFeed",
    "FlowsView",
    "LANG",
    "Lessons",
    "Live",
    "MODEL_PARAMS",
    "MoneyView",
    "NetworkView",
    "Page",
    "ParticipationView",
    "RULE_LEVERS",
    "RulesCard",
    "ShocksCard",
    "SideBySide",
    "TeachingModel",
    "TrustView",
    "VegaChart",
    "build_page",
    "default_model",
    "feed_lines",
    "model_params",
    "read_uploaded_rulebook",
]

DEFAULT = load_scenario(None)  # the shipped default scenario: the levers start at its values
LANG = solara.reactive("en")  # the page's language (one per browser tab)
UPLOADED: solara.Reactive[dict[str, Rulebook]] = solara.reactive({})  # rulebooks dropped on this page
MAX_UPLOAD_BYTES = 1024 * 1024
CHART_WIDTH = 440  # px: a chart in a card of the live view
VALIDATE_CHARTS = False  # check each chart against Vega-Lite's schema as it is sent (the tests do)


class TeachingModel(CommonsModel):
    """A :class:`~commons_abm.model.CommonsModel` as the app runs it: it keeps the events
    log, and shows each agent's money since day 0 (:attr:`ledger`)."""

    def __init__(self, scenario=None, **kwargs) -> None:
        kwargs.setdefault("record_events", True)
        super().__init__(scenario, **kwargs)

    @property
    def ledger(self) -> Ledger:
        """Each agent's money over the days simulated (:class:`~commons_abm.governance.accounts.Ledger`)."""
        return Ledger.of(self.state, self.steps)


# ---------------------------------------------------------------------------- text
@solara.component
def Prose(text: str) -> None:
    """Markdown text, as HTML. Not ``solara.Markdown``: that one loads KaTeX and Mermaid from a
    CDN each time it is shown, which the app never needs and which stalls a server without
    the internet (a classroom offline) while the download fails."""
    solara.HTML(tag="div", unsafe_innerHTML=_MARKDOWN.render(text), classes=["commons-prose"])


_MARKDOWN = MarkdownIt("commonmark", {"html": False})


# ---------------------------------------------------------------------------- the sidebar
def _lever(path: str, key: str, lang: str, low: float, high: float, step: float) -> dict:
    """A slider over the scenario field ``path``, starting at the default scenario's value."""
    value = float(scenario_value(DEFAULT, path))
    return {"type": "SliderFloat", "value": value, "min": low, "max": high, "step": step, "label": tr(key, lang)}


def model_params(lang: str = "en") -> dict:
    """The sidebar in ``lang``: what a teacher sets before a reset. Dotted names are scenario
    fields, which no shipped scenario sets (a test checks it), so a lever never hides a
    scenario's choice."""
    return {
        "scenario": {
            "type": "Select",
            "value": "default",
            "values": shipped_names("scenarios"),
            "label": tr("scenario", lang),
        },
        "rulebook": {
            "type": "Select",
            "value": "full_ostrom",
            "values": shipped_names("rulebooks"),
            "label": tr("rulebook", lang),
        },
        "seed": {"type": "SliderInt", "value": 1, "min": 1, "max": 100, "step": 1, "label": tr("seed", lang)},
        "rules.membership_share": _lever("rules.membership_share", "lever_membership", lang, 0.0, 1.0, 0.05),
        "behaviour.initial_trust_institutional": _lever(
            "behaviour.initial_trust_institutional", "lever_trust", lang, 0.0, 1.0, 0.05
        ),
        "network.average_degree": _lever("network.average_degree", "lever_degree", lang, 2.0, 12.0, 1.0),
    }


MODEL_PARAMS = model_params("en")


def default_model() -> TeachingModel:
    """A model with the sidebar's default values."""
    return TeachingModel(**{k: (v["value"] if isinstance(v, dict) else v) for k, v in MODEL_PARAMS.items()})


# ---------------------------------------------------------------------------- the network
KIND_MARKERS = {"household": "o", "firm": "s", "official": "^"}
MEMBER_COLOUR, DEFECTOR_COLOUR, OUTSIDER_COLOUR = "#1b9e77", "#d95f02", "#bdbdbd"


def _segments(model: CommonsModel) -> np.ndarray:
    """The ties as line segments between the agents' positions, ``(ties, 2, 2)``: the layout
    is the territory's (neighbourhoods on a grid), computed once when the model is built."""
    s = model.state
    return np.stack([s.position[s.ties.u], s.position[s.ties.v]], axis=1)


@solara.component
def NetworkView(model: CommonsModel, day: int = 0) -> None:
    """The social network: each agent a marker of its kind, green when a member that kept to
    its share today (every member before the first day), orange when a member that did not,
    grey outside the community; each tie a line whose darkness is the trust between the two.
    ``day``: the model's day, for a view that steps the model itself (a new day redraws it;
    in SolaraViz the update counter does)."""
    update_counter.get()
    lang = LANG.value
    segments = solara.use_memo(lambda: _segments(model), [model])
    s = model.state
    fig = Figure(figsize=(6, 6))
    ax = fig.add_subplot()
    trust = s.ties.tie_trust()
    colours = np.zeros((trust.size, 4))
    colours[:, 3] = 0.05 + 0.5 * trust
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=0.5))
    kept = s.cooperated | (model.steps == 0)  # before the first day nobody has decided anything
    fill = np.where(s.member, np.where(kept, MEMBER_COLOUR, DEFECTOR_COLOUR), OUTSIDER_COLOUR)
    for kind in KINDS:
        mask = s.kind == kind.code
        if mask.any():
            ax.scatter(
                s.position[mask, 0],
                s.position[mask, 1],
                c=fill[mask],
                marker=KIND_MARKERS.get(kind.name, "o"),
                s=18 if kind.name == "household" else 40,
                edgecolors="black",
                linewidths=0.3,
                label=tr(kind.name, lang) if kind.name in KIND_MARKERS else kind.name,
            )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="upper right", fontsize=7, markerscale=0.8)
    ax.set_title(tr("day_members", lang, day=model.steps, members=percent(float(s.member.mean()), lang)), fontsize=10)
    ax.set_xlabel(tr("legend_colours", lang), fontsize=7)
    solara.FigureMatplotlib(fig, format="png", dependencies=[update_counter.value, model, model.steps, lang])


# ---------------------------------------------------------------------------- the events
def feed_lines(model: CommonsModel, shown: int = 12, lang: str = "en") -> list[str]:
    """The latest ``shown`` events of the run as Markdown list items, newest first (a
    sanction on an agent that had kept the rules is a wrongful sanction)."""
    rows = [] if model.events_log is None else model.events_log.rows[-shown:][::-1]
    lines = []
    for day, event, agents, _, _, detail in rows:
        wrongful = event == "sanction" and "wrongful=true" in detail
        what = tr("event_wrongful_sanction" if wrongful else f"event_{event}", lang)
        name = detail.removeprefix("name=") if event in ("shock", "shock_over", "rules_adopted") else ""
        who = f" ({tr('agents', lang)} {agents})" if agents and len(agents) <= 40 else ""
        lines.append(f"- {tr('day', lang)} {day}: **{what}**{' ' + name if name else ''}{who}")
    return lines


@solara.component
def EventsFeed(model: CommonsModel) -> None:
    """The latest events of the run (meetings and votes, sanctions, wrongful sanctions,
    mediations, overrides, elections, shocks, new rules), newest first."""
    update_counter.get()
    lang = LANG.value
    lines = feed_lines(model, lang=lang)
    with solara.Card(tr("events", lang)):
        Prose("\n".join(lines) if lines else tr("no_event", lang))


# ---------------------------------------------------------------------------- the charts
@solara.component
def VegaChart(chart: alt.TopLevelMixin) -> None:
    """An Altair chart drawn by the browser (Vega-Lite): the server sends its spec and data.
    The spec is written without schema validation (:data:`VALIDATE_CHARTS`: the tests validate)
    and without switching Altair's process-wide renderer, which two pages drawing at once
    would race on (``solara.FigureAltair`` does)."""
    solara.widgets.VegaLite.element(spec=json.loads(chart.to_json(validate=VALIDATE_CHARTS)))  # plain JSON types


def line_chart(
    frame: pd.DataFrame, x: str, y: str, colour: str, title: str, *, legend_columns: int = 1, height: int = 180
):
    """Lines of ``y`` over ``x`` (Altair encodings, with their axis titles), one per value of
    ``colour``, under ``title``, with the legend below in ``legend_columns`` columns."""
    return (
        alt.Chart(frame, title=title)
        .mark_line()
        .encode(
            x=x,
            y=y,
            color=alt.Color(colour, title=None, legend=alt.Legend(orient="bottom", columns=legend_columns)),
        )
        .properties(width=CHART_WIDTH, height=height)
    )


def series_chart(frame: pd.DataFrame, columns: list[str], title: str, lang: str) -> alt.Chart:
    """Lines of ``columns`` of a timeseries over the days, named in ``lang``."""
    long = frame[["step", *columns]].melt("step", var_name="column", value_name="value")
    long["series"] = [indicator(c, lang) for c in long["column"]]
    x = alt.X("step:Q", title=tr("day", lang))
    return line_chart(long, x, alt.Y("value:Q", title=tr("value", lang)), "series:N", title)


SERIES_POINTS = 200  # days drawn per line at most: a longer run is thinned evenly, its last day always drawn


def thinned(frame: pd.DataFrame, points: int = SERIES_POINTS) -> pd.DataFrame:
    """Every k-th row of ``frame`` and its last, so that at most about ``points`` rows remain."""
    if len(frame) <= points:
        return frame
    keep = np.unique(np.append(np.arange(0, len(frame), -(-len(frame) // points)), len(frame) - 1))
    return frame.iloc[keep]


def _draw_series(model: CommonsModel, key: str, columns: list[str]) -> None:
    """Draw ``columns`` of the model's timeseries under the title ``key``."""
    update_counter.get()
    lang = LANG.value
    VegaChart(series_chart(thinned(model.timeseries()), columns, tr(key, lang), lang))


@solara.component
def TrustView(model: CommonsModel) -> None:
    """Institutional and interpersonal trust over the days."""
    _draw_series(model, "chart_trust", ["trust_institutional", "trust_interpersonal"])


@solara.component
def ParticipationView(model: CommonsModel) -> None:
    """Members' share, attendance at meetings and compliance over the days."""
    _draw_series(model, "chart_participation", ["members_share", "attendance_rate", "compliance_rate"])


@solara.component
def FlowsView(model: CommonsModel) -> None:
    """Community self-sufficiency and self-consumption, household waste recovered."""
    _draw_series(
        model,
        "chart_flows",
        ["community_self_sufficiency", "community_self_consumption", "household_waste_recovery_rate"],
    )


@solara.component
def DumpingView(model: CommonsModel) -> None:
    """Illegal dumping over the days [kg/day]."""
    _draw_series(model, "chart_dumping", ["dumping_kg"])


DAY_FLOWS = ("pv", "demand", "self_consumed", "pool_direct", "battery_charge", "battery_discharge", "import", "export")


@solara.component
def EnergyDayView(model: CommonsModel) -> None:
    """The territory's energy flows, hour by hour, on the latest simulated day."""
    update_counter.get()
    lang = LANG.value
    if model.last_energy is None:
        solara.Text(tr("no_day_yet", lang))
        return
    hourly = model.last_energy.hourly
    frame = pd.DataFrame(
        [
            {"hour": h, "flow": tr(f"flow_{name}", lang), "kwh": float(hourly[name][h])}
            for name in DAY_FLOWS
            for h in range(24)
        ]
    )
    title = tr("energy_day", lang, day=model.steps - 1)
    x, y = alt.X("hour:O", title=tr("hour", lang)), alt.Y("kwh:Q", title=tr("kwh", lang))
    VegaChart(line_chart(frame, x, y, "flow:N", title, legend_columns=2, height=200).mark_line(point=True))


def money_frame(ledger: Ledger, groups: dict[str, np.ndarray], lang: str) -> pd.DataFrame:
    """The ledger's mean bill, fee, fines and saving per household and month, by group, in ``lang``."""
    table = ledger.by_group(groups)
    rows = []
    for group, row in table.iterrows():
        for amount in ("bill", "fee", "fines", "saving"):
            rows.append(
                {
                    "group": f"{tr(f'group_{group}', lang)} ({row['agents']})",
                    "amount": tr(f"money_{amount}", lang),
                    "eur": float(row[amount]),
                    "label": eur(float(row[amount]), lang),
                }
            )
    return pd.DataFrame(rows)


@solara.component
def MoneyView(model: CommonsModel) -> None:
    """What each kind of household pays and saves per month since day 0: its energy bill,
    its fee, its fines, and what sharing saved it (with PV, without PV, energy-poor)."""
    update_counter.get()
    lang = LANG.value
    ledger = getattr(model, "ledger", None)
    if ledger is None or ledger.days == 0:
        solara.Text(tr("no_day_yet", lang))
        return
    frame = money_frame(ledger, {g: m for g, m in household_groups(model.state).items() if g in HOUSEHOLD_GROUPS}, lang)
    chart = (
        alt.Chart(frame, title=tr("money", lang))
        .mark_bar()
        .encode(
            x=alt.X("group:N", title=tr("group", lang)),
            xOffset="amount:N",
            y=alt.Y("eur:Q", title="€" if lang == "fr" else "EUR"),
            color=alt.Color("amount:N", title=None, legend=alt.Legend(orient="bottom", columns=2)),
            tooltip=["group", "amount", "label"],
        )
        .properties(width=CHART_WIDTH, height=200)
    )
    VegaChart(chart)


# ---------------------------------------------------------------------------- the rules
# The rule levers: (aim, parameter, label key, min, max, step), each shown when the
# rulebook in force has a statement of that aim; the slider starts at its value there.
RULE_LEVERS = (
    ("pay_fee", "eur_per_month", "lever_fee", 0.0, 30.0, 0.5),
    ("monitor", "detection_probability", "lever_detection", 0.0, 1.0, 0.05),
    ("vote_rules", "every_days", "lever_meetings", 7, 120, 1),
)


def rule_values(book: Rulebook) -> dict[str, float | int]:
    """The levers' values in ``book``, by path ``rulebook.<aim>.<parameter>``, for the
    levers whose aim it states (the aim's default when the statement leaves it out)."""
    values = {}
    for aim, field, *_ in RULE_LEVERS:
        for statement in book.statements:
            if statement.aim == aim:
                params = AIMS[aim].params.model_validate(statement.parameters)
                values[f"rulebook.{aim}.{field}"] = getattr(params, field)  # an int stays an int
                break
    return values


def read_uploaded_rulebook(name: str, data: bytes) -> Rulebook:
    """A rulebook from an uploaded file's ``name`` and bytes, validated as the command line
    does; an :class:`~commons_abm.core.errors.InputError` names the file as uploaded."""
    clean = Path(name).name or "rulebook.toml"
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(clean, None, f"{len(data)} bytes; allowed: a TOML rulebook under 1 MiB")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / clean
        path.write_bytes(data)
        try:
            return load_rulebook(path)
        except InputError as exc:
            raise InputError(clean, exc.field, exc.message) from None


@solara.component
def RulesCard(model: CommonsModel) -> None:
    """The rules in force, with a slider for each main lever they have and a place to drop
    a rulebook file; both take effect from the next simulated day."""
    update_counter.get()
    lang = LANG.value
    version, set_version = solara.use_state(0)
    message, set_message = solara.use_state(("", ""))
    book = model.rulebook
    values = solara.use_reactive(rule_values(book) if book is not None else {})
    solara.use_effect(lambda: values.set(rule_values(book) if book is not None else {}), [model, book])

    def adopt(new: Rulebook, note: str) -> None:
        model.adopt_rulebook(new)
        set_message(("ok", note))
        set_version(version + 1)

    def apply() -> None:
        adopt(rulebook_with(book, dict(values.value), "app"), tr("adopted", lang, day=model.steps))

    def on_file(file: dict) -> None:
        try:
            new = read_uploaded_rulebook(file["name"], file["data"])
        except InputError as exc:
            set_message(("error", str(exc)))
            return
        UPLOADED.set({**UPLOADED.value, new.name: new})
        adopt(new, tr("uploaded", lang, name=new.name))

    with solara.Card(tr("rules", lang, name=model.rules.name)):
        if book is None:
            solara.Text(tr("no_rulebook", lang))
        else:
            for aim, field, key, low, high, step in RULE_LEVERS:
                path = f"rulebook.{aim}.{field}"
                if path not in values.value:
                    continue
                slider = solara.SliderInt if isinstance(step, int) else solara.SliderFloat
                slider(
                    tr(key, lang),
                    value=int(values.value[path]) if isinstance(step, int) else values.value[path],
                    min=low,
                    max=high,
                    step=step,
                    on_value=lambda v, path=path: values.set({**values.value, path: v}),
                )
            if values.value:
                solara.Button(tr("apply_rules", lang), on_click=apply, color="primary")
        solara.FileDrop(label=tr("upload", lang), on_file=on_file, lazy=False)
        kind, text = message
        if kind == "error":
            solara.Error(text)
        elif kind == "ok":
            solara.Success(text)


# ---------------------------------------------------------------------------- the shocks
@solara.component
def ShocksCard(model: CommonsModel) -> None:
    """A button for each shipped shock, which starts it on the next simulated day; the
    shocks on now."""
    update_counter.get()
    lang = LANG.value
    version, set_version = solara.use_state(0)
    shocks = solara.use_memo(lambda: [load_shock(name) for name in shipped_shocks()], [])

    def start(name: str) -> None:
        model.add_shock(name)
        set_version(version + 1)

    with solara.Card(tr("shocks", lang)):
        with solara.Row(style={"flex-wrap": "wrap"}):
            for shock in shocks:
                solara.Button(shock.text(lang).title, on_click=lambda name=shock.name: start(name), outlined=True)
        on = model.active_shocks()
        if on:
            Prose(
                tr("active_shocks", lang, names=", ".join(s.text(lang).title for s in on))
                + "\n\n"
                + "\n".join(f"- {s.text(lang).description}" for s in on)
            )
        else:
            solara.Text(tr("no_shock", lang))


def build_page(model, lang: str = "en"):
    """The live view (a SolaraViz element) around ``model``, in ``lang``."""
    return SolaraViz(
        model,
        components=[
            NetworkView,
            EventsFeed,
            TrustView,
            ParticipationView,
            FlowsView,
            DumpingView,
            EnergyDayView,
            MoneyView,
            RulesCard,
            ShocksCard,
        ],
        model_params=model_params(lang),
        name=tr("app_title", lang),
        # ms between two presses of Play: at 20, one tab playing on a busy server starved another
        # (docs/performance.md)
        play_interval=100,
        render_interval=5,  # days per redraw: about 17 days/s with the network drawn (docs/performance.md)
    )


@solara.component
def Live(model) -> None:
    """The live view in the page's language."""
    build_page(model, LANG.value)


# ---------------------------------------------------------------------------- side by side
COMPARED = [
    "trust_institutional",
    "members_share",
    "compliance_rate",
    "community_self_sufficiency",
    "household_waste_recovery_rate",
]


def pair_frames(a: CommonsModel, b: CommonsModel, lang: str, labels: tuple[str, str] | None = None):
    """The compared indicators of two runs over their common days, long (``day``,
    ``indicator``, ``rulebook``, ``value``), and their difference B - A (``day``,
    ``indicator``, ``difference``); ``labels`` name the runs (default: their rulebooks)."""
    days = min(a.steps, b.steps)
    ta, tb = a.timeseries().iloc[:days], b.timeseries().iloc[:days]
    label_a, label_b = labels or (a.rules.name, b.rules.name)
    both, diff = [], []
    for column in COMPARED:
        name = indicator(column, lang)
        for label, frame in ((f"A: {label_a}", ta), (f"B: {label_b}", tb)):
            both.append(pd.DataFrame({"day": frame.step, "indicator": name, "rulebook": label, "value": frame[column]}))
        diff.append(
            pd.DataFrame(
                {"day": ta.step, "indicator": name, "difference": tb[column].to_numpy() - ta[column].to_numpy()}
            )
        )
    return pd.concat(both, ignore_index=True), pd.concat(diff, ignore_index=True)


def _rulebook_choice(choice):
    """A rulebook as the pair takes it: a shipped rulebook's name, a rulebook dropped on
    this page (by name), or a :class:`~commons_abm.governance.rulebook.Rulebook`."""
    return UPLOADED.value.get(choice, choice) if isinstance(choice, str) else choice


@solara.component
def SideBySide(
    scenario="default",
    rulebooks: tuple = ("status_quo", "full_ostrom"),
    seed: int = 1,
    overrides: dict | None = None,
    days_per_press: int = 30,
    labels: tuple[str, str] | None = None,
    fixed: bool = False,
) -> None:
    """Two rulebooks on the same territory (``scenario``: a name or a
    :class:`~commons_abm.core.scenario.Scenario`) and seed, stepped together, with their
    networks, the compared indicators, and B minus A. ``fixed``: the rulebooks are the
    given ones (a lesson's), not chosen on the page; ``labels`` name the two runs."""
    lang = LANG.value
    choice_a = solara.use_reactive(rulebooks[0])
    choice_b = solara.use_reactive(rulebooks[1])
    seed_value = solara.use_reactive(seed)
    per_press = solara.use_reactive(days_per_press)
    playing = solara.use_reactive(False)
    version, set_version = solara.use_state(0)
    resets, set_resets = solara.use_state(0)

    def build():
        kwargs = dict(seed=seed_value.value, create_agents=False, **(overrides or {}))
        return (
            TeachingModel(scenario, rulebook=_rulebook_choice(choice_a.value), **kwargs),
            TeachingModel(scenario, rulebook=_rulebook_choice(choice_b.value), **kwargs),
        )

    a, b = solara.use_memo(build, [choice_a.value, choice_b.value, seed_value.value, resets])

    def advance() -> None:
        for _ in range(per_press.value):
            a.step()
            b.step()
        set_version(lambda v: v + 1)

    async def play() -> None:
        while playing.value:
            advance()
            await asyncio.sleep(0.05)

    solara.lab.use_task(play, dependencies=[playing.value, a, b])
    with solara.Row():
        if not fixed:
            names = shipped_names("rulebooks") + sorted(UPLOADED.value)
            solara.Select(tr("rulebook_a", lang), values=names, value=choice_a)
            solara.Select(tr("rulebook_b", lang), values=names, value=choice_b)
        with solara.Column(style={"min-width": "220px"}):
            solara.SliderInt(tr("seed", lang), value=seed_value, min=1, max=100, thumb_label="always")
        with solara.Column(style={"min-width": "220px"}):
            solara.SliderInt(tr("days_per_press", lang), value=per_press, min=1, max=90, thumb_label="always")
    with solara.Row():
        solara.Button(tr("advance", lang), on_click=advance, color="primary")
        solara.Button(
            tr("pause", lang) if playing.value else tr("play", lang), on_click=lambda: playing.set(not playing.value)
        )
        solara.Button(tr("reset", lang), on_click=lambda: (playing.set(False), set_resets(resets + 1)))
    solara.Text(tr("same_seed", lang, seed=seed_value.value, day=a.steps))
    with solara.Columns([1, 1]):
        NetworkView(a, a.steps)
        NetworkView(b, b.steps)
    both, diff = pair_frames(a, b, lang, labels)
    days = np.sort(both.day.unique())
    shown = set(thinned(pd.DataFrame({"day": days})).day)
    both, diff = both[both.day.isin(shown)], diff[diff.day.isin(shown)]
    lines = (
        alt.Chart(both)
        .mark_line()
        .encode(
            x=alt.X("day:Q", title=tr("day", lang)),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("rulebook:N", title=None, legend=alt.Legend(orient="bottom")),
            facet=alt.Facet("indicator:N", columns=3, title=None),
        )
        .properties(width=220, height=120)
    )
    x, y = alt.X("day:Q", title=tr("day", lang)), alt.Y("difference:Q", title=tr("difference", lang))
    difference = line_chart(diff, x, y, "indicator:N", tr("difference", lang), legend_columns=2, height=200)
    VegaChart(lines)
    VegaChart(difference)


# ---------------------------------------------------------------------------- lessons
@solara.component
def Lessons() -> None:
    """The guided lessons: pick one, read it to the class, and run its two rulebooks side by side."""
    lang = LANG.value
    names = solara.use_memo(shipped_lessons, [])
    lessons = solara.use_memo(lambda: {name: load_lesson(name) for name in names}, [names])
    chosen = solara.use_reactive(names[0] if names else None)
    started, set_started = solara.use_state(None)
    if not names:
        return
    lesson = lessons[chosen.value]
    text = lesson.text[lang]
    titles = {lessons[n].text[lang].title: n for n in names}
    solara.Select(
        tr("lesson", lang),
        values=list(titles),
        value=text.title,
        on_value=lambda title: (chosen.set(titles[title]), set_started(None)),
    )
    Prose(
        f"## {text.title}\n\n{text.introduction}\n\n"
        f"**{tr('steps', lang)}**\n\n"
        + "\n".join(f"{i}. {step}" for i, step in enumerate(text.steps, 1))
        + f"\n\n{tr('lesson_days', lang, days=lesson.days)}"
    )
    solara.Button(tr("start_lesson", lang), on_click=lambda: set_started(lesson.name), color="primary")
    if started == lesson.name:
        runs = lesson.runs
        SideBySide(
            scenario=lesson.scenario,
            rulebooks=(lesson.rulebooks[runs[0]], lesson.rulebooks[runs[-1]]),
            labels=(text.runs[runs[0]], text.runs[runs[-1]]),
            fixed=True,
        ).key(f"lesson-{lesson.name}")
        Prose(
            f"**{tr('questions', lang)}**\n\n"
            + "\n".join(f"- {q}" for q in text.questions)
            + f"\n\n**{tr('observation', lang)}**: {text.observation}"
        )


# ---------------------------------------------------------------------------- the page
@solara.component
def LanguageSwitch() -> None:
    """English or French, for every label of the page."""
    solara.ToggleButtonsSingle(value=LANG, values=list(LANGS))


@solara.component
def Page():
    """The page ``solara run commons_abm.app`` serves: each browser tab its own model."""
    model = solara.use_memo(default_model, [])
    lang = LANG.value
    with solara.AppBar():
        LanguageSwitch()
    with solara.lab.Tabs():
        with solara.lab.Tab(tr("tab_live", lang)):
            Live(model)
        with solara.lab.Tab(tr("tab_side", lang)):
            SideBySide()
        with solara.lab.Tab(tr("tab_lessons", lang)):
            Lessons()
