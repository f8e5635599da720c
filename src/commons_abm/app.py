"""The teaching app: a commons live in the browser, on Mesa's SolaraViz.

``commons-abm app`` serves :data:`Page` (``solara run commons_abm.app``) on 127.0.0.1
unless told otherwise. A class sees the social network (agents by kind, membership and
today's cooperation; ties by trust), the time series of trust, participation and the
flows, and the events log as a running feed, all updated as the model steps. A teacher
picks the scenario and the rulebook, moves the main levers and the seed, and plays,
pauses, steps and resets with SolaraViz's controls (a reset builds a new
:class:`~commons_abm.model.CommonsModel` from the sidebar's values; the levers start at
the default scenario's values and replace the chosen scenario's).

The model steps one day per call of ``model.step()``; the views read its arrays
(``model.state``) and its timeseries, and hold no model logic.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from commons_abm.core.kinds import KINDS
from commons_abm.core.scenario import load_scenario, scenario_value, shipped_names
from commons_abm.model import CommonsModel

__all__ = ["EventsFeed", "MODEL_PARAMS", "NetworkView", "Page", "build_page", "default_model", "feed_lines"]

# Solara's FigureAltair switches altair's process-wide renderer to "mimetype" for each chart
# and back: with two tabs drawing at once, one could read the other's restored default and
# fail (KeyError 0). With "mimetype" the default, every switch back leaves it in place.
alt.renderers.enable("mimetype")

DEFAULT = load_scenario(None)  # the shipped default scenario: the levers start at its values


def _lever(path: str, label: str, low: float, high: float, step: float) -> dict:
    """A slider over the scenario field ``path``, starting at the default scenario's value."""
    value = float(scenario_value(DEFAULT, path))
    return {"type": "SliderFloat", "value": value, "min": low, "max": high, "step": step, "label": label}


# The sidebar: what a teacher sets before a reset. Dotted names are scenario fields, which
# no shipped scenario sets (a test checks it), so a lever never hides a scenario's choice.
MODEL_PARAMS = {
    "scenario": {"type": "Select", "value": "default", "values": shipped_names("scenarios"), "label": "Scenario"},
    "rulebook": {"type": "Select", "value": "full_ostrom", "values": shipped_names("rulebooks"), "label": "Rulebook"},
    "seed": {"type": "SliderInt", "value": 1, "min": 1, "max": 100, "step": 1, "label": "Seed"},
    "rules.membership_share": _lever(
        "rules.membership_share", "Members of the energy community at the start [share]", 0.0, 1.0, 0.05
    ),
    "behaviour.initial_trust_institutional": _lever(
        "behaviour.initial_trust_institutional", "Trust in the institutions at the start [0-1]", 0.0, 1.0, 0.05
    ),
    "network.average_degree": _lever("network.average_degree", "Ties per agent [mean]", 2.0, 12.0, 1.0),
    "record_events": True,
}

KIND_MARKERS = {"household": "o", "firm": "s", "official": "^"}
MEMBER_COLOUR, DEFECTOR_COLOUR, OUTSIDER_COLOUR = "#1b9e77", "#d95f02", "#bdbdbd"


def _segments(model: CommonsModel) -> np.ndarray:
    """The ties as line segments between the agents' positions, ``(ties, 2, 2)``: the layout
    is the territory's (neighbourhoods on a grid), computed once when the model is built."""
    s = model.state
    return np.stack([s.position[s.ties.u], s.position[s.ties.v]], axis=1)


@solara.component
def NetworkView(model: CommonsModel) -> None:
    """The social network: each agent a marker of its kind, green when a member that kept to
    its share today (every member before the first day), orange when a member that did not,
    grey outside the community; each tie
    a line whose darkness is the trust between the two."""
    update_counter.get()
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
                label=kind.name,
            )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="upper right", fontsize=7, markerscale=0.8)
    members = float(s.member.mean())
    ax.set_title(f"Day {model.steps}: {members:.0%} members", fontsize=10)
    solara.FigureMatplotlib(fig, format="png", dependencies=[update_counter.value, model])


def feed_lines(model: CommonsModel, shown: int = 12) -> list[str]:
    """The latest ``shown`` events of the run as Markdown list items, newest first (a
    sanction on an agent that had kept the rules is a wrongful sanction)."""
    rows = [] if model.events_log is None else model.events_log.rows[-shown:][::-1]
    lines = []
    for day, event, agents, _, _, detail in rows:
        what = "wrongful sanction" if event == "sanction" and "wrongful=true" in detail else event.replace("_", " ")
        who = f" (agents {agents})" if agents and len(agents) <= 40 else ""
        lines.append(f"- day {day}: **{what}**{who}")
    return lines


@solara.component
def EventsFeed(model: CommonsModel) -> None:
    """The latest events of the run (meetings and votes, sanctions, wrongful sanctions,
    mediations, overrides, elections), newest first."""
    update_counter.get()
    lines = feed_lines(model)
    with solara.Card("Events"):
        solara.Markdown("\n".join(lines) if lines else "No event yet.")


# The time series, drawn by the browser (Vega-Lite): the server sends the data, not images
TRUST = make_plot_component(["trust_institutional", "trust_interpersonal"], backend="altair")
PARTICIPATION = make_plot_component(["members_share", "attendance_rate", "compliance_rate"], backend="altair")
FLOWS = make_plot_component(
    ["community_self_sufficiency", "community_self_consumption", "household_waste_recovery_rate"], backend="altair"
)
DUMPING = make_plot_component("dumping_kg", backend="altair")


def default_model() -> CommonsModel:
    """A model with the sidebar's default values."""
    return CommonsModel(**{k: (v["value"] if isinstance(v, dict) else v) for k, v in MODEL_PARAMS.items()})


def build_page(model: CommonsModel):
    """The app's page (a SolaraViz element) around ``model``."""
    return SolaraViz(
        model,
        components=[NetworkView, EventsFeed, TRUST, PARTICIPATION, FLOWS, DUMPING],
        model_params=MODEL_PARAMS,
        name="commons-abm: a commons, live",
        play_interval=20,  # ms between two presses of Play (the sidebar slows it down)
        render_interval=5,  # days per redraw: 12-19 days/s with the network drawn (docs/performance.md)
    )


@solara.component
def Page():
    """The page ``solara run commons_abm.app`` serves: each browser tab its own model."""
    model = solara.use_memo(default_model, [])
    return build_page(model)
