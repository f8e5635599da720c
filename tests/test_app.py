"""The teaching app (``commons_abm.app``, ``commons-abm app``), without a browser.

The page is rendered with Solara's own test renderer (``solara.render``), and its widgets
are driven as a teacher would: step, change the sidebar, reset. The server is started as
the command starts it, and the address it listens on is read from the operating system.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import ipyvuetify as v
import ipywidgets
import psutil
import pytest
import solara
import solara.widgets

from commons_abm import app, load_scenario
from commons_abm.model import CommonsModel

SMALL = {
    "territory.households": 40,
    "territory.firms": 4,
    "territory.officials": 2,
    "territory.neighbourhoods": 2,
}


def small_model() -> CommonsModel:
    return CommonsModel(scenario="default", rulebook="full_ostrom", seed=3, record_events=True, **SMALL)


def render(model: solara.Reactive[CommonsModel]):
    """The app's page around ``model``, in the app layout that holds its sidebar."""

    @solara.component
    def Layout():
        with solara.AppLayout():
            app.build_page(model)

    return solara.render(Layout(), handle_error=False)[1]


def figures(rc) -> list:
    """What the page shows: the network's image, then each time series' Vega-Lite spec."""
    charts = [json.dumps(w.spec, sort_keys=True) for w in rc.find(solara.widgets.VegaLite).widgets]
    return [w.value for w in rc.find(ipywidgets.Image).widgets] + charts


def test_the_sidebar_offers_every_shipped_scenario_and_rulebook_and_builds_the_model() -> None:
    assert {"default", "pv_rich"} <= set(app.MODEL_PARAMS["scenario"]["values"])
    assert {"status_quo", "full_ostrom", "top_down"} <= set(app.MODEL_PARAMS["rulebook"]["values"])
    for name, options in app.MODEL_PARAMS.items():
        if isinstance(options, dict) and options["type"].startswith("Slider") and "." in name:
            assert "[" in options["label"], f"{name}: a lever's label gives its unit"
    model = app.default_model()
    assert model.rules.name == "full_ostrom" and model.steps == 0 and model.events_log is not None
    assert model.scenario.model_dump() == load_scenario(None).model_dump() | {"run": model.scenario.run.model_dump()}


def test_no_shipped_scenario_sets_a_lever() -> None:
    """A lever replaces the chosen scenario's value: none of the shipped scenarios may set one."""
    from commons_abm.core.scenario import resolve_named
    from commons_abm.core.tomlfile import read_toml

    levers = [name for name in app.MODEL_PARAMS if "." in name]
    for name in app.MODEL_PARAMS["scenario"]["values"]:
        data = read_toml(resolve_named(name, "scenarios"), "scenario")
        for lever in levers:
            section, field = lever.rsplit(".", 1)
            table = data
            for part in section.split("."):
                table = table.get(part, {})
            assert field not in table or name == "default", f"{name} sets {lever}, which the app's lever replaces"


def test_stepping_the_page_advances_the_model_and_redraws_the_network_and_plots() -> None:
    model = solara.reactive(small_model())
    rc = render(model)
    assert [b.children for b in rc.find(v.Btn).widgets][-3:] == [["Reset"], ["▶"], ["Step"]]
    before = figures(rc)
    assert len(before) == 5  # the network and four time series
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(3):
        step.click()
    days = rc.find(v.Slider, label="Render Interval (steps)").widget.v_model
    assert days == 5, "a press advances five days and redraws once (docs/performance.md)"
    assert model.value.steps == 3 * days and len(model.value.timeseries()) == 3 * days
    after = figures(rc)
    assert all(a != b for a, b in zip(before, after)), "every figure is redrawn after a step"


def test_reset_builds_a_new_model_from_the_sidebar() -> None:
    first = small_model()
    model = solara.reactive(first)
    rc = render(model)
    rc.find(v.Select, label="Rulebook").widget.v_model = "status_quo"
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert model.value is not first
    assert model.value.rules.name == "status_quo" and model.value.steps == 0


def test_the_events_feed_shows_the_latest_events_newest_first() -> None:
    model = small_model()
    model.run(70)  # full_ostrom: members meet every 30 days
    lines = app.feed_lines(model, shown=50)
    assert any("**meeting**" in line for line in lines)
    days = [int(line.split(":")[0].split()[-1]) for line in lines]
    assert days == sorted(days, reverse=True) and max(days) == model.events_log.rows[-1][0]
    wrongful = sum(1 for row in model.events_log.rows[-50:] if row[1] == "sanction" and "wrongful=true" in row[5])
    assert sum("**wrongful sanction**" in line for line in lines) == wrongful
    _, rc = solara.render(app.EventsFeed(model), handle_error=False)
    assert "meeting" in rc.find(v.VuetifyTemplate).widget.template
    assert (
        "No event yet"
        in solara.render(app.EventsFeed(small_model()), handle_error=False)[1].find(v.VuetifyTemplate).widget.template
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(process: subprocess.Popen, port: int, timeout: float = 120.0) -> set[str]:
    """The addresses the server started by ``process`` listens on at ``port``."""
    deadline = time.monotonic() + timeout
    parent = psutil.Process(process.pid)
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app stopped"
        found = set()
        for proc in [parent, *parent.children(recursive=True)]:
            try:
                sockets = proc.net_connections("tcp")
            except psutil.NoSuchProcess:
                continue
            found |= {c.laddr.ip for c in sockets if c.status == "LISTEN" and c.laddr.port == port}
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


@pytest.mark.parametrize(("options", "expected"), [([], {"127.0.0.1"}), (["--host", "0.0.0.0"], {"0.0.0.0"})])
def test_the_app_listens_on_loopback_unless_told_otherwise(options: list[str], expected: set[str]) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "commons_abm", "app", "--port", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _listening(process, port) == expected
    finally:
        for proc in psutil.Process(process.pid).children(recursive=True):
            proc.terminate()
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize(
    ("options", "field"),
    [(["--port", "0"], "--port"), (["--port", "70000"], "--port"), (["--host", "a b"], "--host")],
)
def test_bad_app_options_are_one_line_and_exit_2(options: list[str], field: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "commons_abm", "app", *options], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and field in result.stderr
