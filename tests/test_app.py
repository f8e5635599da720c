"""The teaching app (``commons_abm.app``, ``commons-abm app``), without a browser.

The page is rendered with Solara's own test renderer (``solara.render``), and its widgets
are driven as a teacher would: step, change the sidebar, reset. The server is started as
the command starts it, and the address it listens on is read from the operating system.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time

import ipyvuetify as v
import ipywidgets
import numpy as np
import pandas as pd
import psutil
import pytest
import solara
import solara.widgets

from commons_abm import app, load_scenario
from commons_abm.core.errors import InputError
from commons_abm.core.events import EVENTS
from commons_abm.governance.accounts import household_groups
from commons_abm.i18n import TEXT, eur, number, percent, tr
from commons_abm.lessons import load_lesson
from commons_abm.model import CommonsModel
from commons_abm.shocks import shipped_shocks

from .conftest import ROOT

SMALL = {
    "territory.households": 40,
    "territory.firms": 4,
    "territory.officials": 2,
    "territory.neighbourhoods": 2,
}


def small_model(rulebook: str = "full_ostrom") -> app.TeachingModel:
    return app.TeachingModel(scenario="default", rulebook=rulebook, seed=3, **SMALL)


def render(model: solara.Reactive[CommonsModel]):
    """The app's page around ``model``, in the app layout that holds its sidebar."""

    @solara.component
    def Layout():
        with solara.AppLayout():
            app.Live(model)

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
    assert [b.children for b in rc.find(v.Btn).widgets][:3] == [["Reset"], ["▶"], ["Step"]]
    before = figures(rc)
    assert len(before) == 5  # the network and four time series (one day's flows and money come after a day)
    step = rc.find(v.Btn, children=["Step"]).widget
    for _ in range(3):
        step.click()
    days = rc.find(v.Slider, label="Render Interval (steps)").widget.v_model
    assert days == 5, "a press advances five days and redraws once (docs/performance.md)"
    assert model.value.steps == 3 * days and len(model.value.timeseries()) == 3 * days
    after = figures(rc)
    assert len(after) == 7, "and now one day's energy flows and the households' money"
    assert all(a != b for a, b in zip(before, after)), "every figure is redrawn after a step"


def test_reset_builds_a_new_model_from_the_sidebar() -> None:
    first = small_model()
    model = solara.reactive(first)
    rc = render(model)
    rc.find(v.Select, label="Rulebook").widget.v_model = "status_quo"
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert model.value is not first and isinstance(model.value, app.TeachingModel)
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
    assert "<strong>meeting</strong>" in rc.find(solara.widgets.HTML).widget.unsafe_innerHTML
    empty = solara.render(app.EventsFeed(small_model()), handle_error=False)[1]
    assert "No event yet" in empty.find(solara.widgets.HTML).widget.unsafe_innerHTML


def test_text_is_shown_without_loading_anything_from_a_cdn() -> None:
    """solara.Markdown loads KaTeX and Mermaid from a CDN whenever it is shown, which stalls
    a server without the internet; the app's text is plain HTML."""
    _, rc = solara.render(app.Prose("**bold** and a [link](#x)\n\n- one\n- two"), handle_error=False)
    html = rc.find(solara.widgets.HTML).widget.unsafe_innerHTML
    assert "<strong>bold</strong>" in html and "<li>two</li>" in html
    templates = [str(w.template) for w in rc.find(v.VuetifyTemplate).widgets]
    assert templates and not any("katex" in t or "mermaid" in t for t in templates)
    _, markdown = solara.render(solara.Markdown("text"), handle_error=False)
    assert "katex" in str(markdown.find(v.VuetifyTemplate).widget.template), "the check can fail"


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


def test_the_rules_card_starts_at_the_rulebook_s_values_and_adopts_new_ones_from_the_next_day() -> None:
    model = small_model("community_enforced")  # a 3 EUR/month fee, peers who see a breach 3 times in 10
    model.run(4)
    _, rc = solara.render(app.RulesCard(model), handle_error=False)
    fee = rc.find(v.Slider, label="Members' fee [EUR/month]").widget
    detection = rc.find(v.Slider, label="Chance a breach is seen [0-1]").widget
    assert (fee.v_model, detection.v_model) == (3.0, 0.3)
    fee.v_model = 12.0
    detection.v_model = 0.8
    rc.find(v.Btn, children=["Adopt from tomorrow"]).widget.click()
    assert model.rules.fee_eur_per_day == pytest.approx(12.0 * 12 / 365)
    assert model.rules.monitors[0][1] == pytest.approx(0.8)
    assert model.levels.fee_eur_per_day == pytest.approx(12.0 * 12 / 365)
    assert model.events_log.rows[-1][:2] == (4, "rules_adopted")
    assert "Rules adopted from day 4" in rc.find(v.Alert).widget.children[0]
    model.run(3)  # the model goes on with them


def test_a_dropped_rulebook_is_read_as_the_command_line_reads_it_and_named_as_dropped() -> None:
    good = (ROOT / "experiments" / "rulebooks" / "full_ostrom.toml").read_bytes()
    assert app.read_uploaded_rulebook("ours.toml", good).name == "full_ostrom"
    bad = good.replace(b'aim = "monitor"', b'aim = "spy"', 1)
    with pytest.raises(InputError) as info:
        app.read_uploaded_rulebook("../../ours.toml", bad)
    message = str(info.value)
    assert message.startswith("ours.toml: ") and "\n" not in message and "spy" in message
    assert "tmp" not in message, "the page names the file the teacher dropped, not where the server kept it"
    with pytest.raises(InputError, match="under 1 MiB"):
        app.read_uploaded_rulebook("big.toml", b"#" * (2 * 1024 * 1024))
    with pytest.raises(InputError, match="not UTF-8"):
        app.read_uploaded_rulebook("binary.toml", b"\xff\xfe\x00")


def test_a_shock_button_starts_the_shock_on_the_next_day() -> None:
    model = small_model()
    model.run(6)
    _, rc = solara.render(app.ShocksCard(model), handle_error=False)
    assert len(rc.find(v.Btn).widgets) == len(shipped_shocks())
    rc.find(v.Btn, children=["The repair hub closes"]).widget.click()
    assert [(s.name, s.start_day) for s in model.active_shocks()] == [("hub_closes", 6)]
    for _ in range(3):
        model.step()
    assert model.timeseries().hub_open_hours.iloc[6:].eq(0).all()


def test_the_ledger_adds_up_the_days_the_model_ran() -> None:
    model = small_model("community_enforced")
    for _ in range(40):
        model.step()
    ts = model.timeseries()
    assert model.ledger.days == 40
    assert model.ledger.fines.sum() == pytest.approx(ts.fines_eur.sum())
    table = model.ledger.by_group(household_groups(model.state))
    assert list(table.index) == ["with_pv", "without_pv", "energy_poor"]
    households = model.state.kind == 0
    assert table.agents.loc["with_pv"] + table.agents.loc["without_pv"] == households.sum()
    assert table.saving.loc["with_pv"] > table.saving.loc["without_pv"], "owners save by sharing their surplus"


def test_switching_to_french_translates_the_page_and_its_numbers() -> None:
    model = solara.reactive(small_model())
    rc = render(model)
    rc.find(v.Btn, children=["Step"]).widget.click()
    app.LANG.set("fr")
    try:
        labels = {w.label for w in rc.find(v.Select).widgets} | {w.label for w in rc.find(v.Slider).widgets}
        assert {"Scénario", "Règlement", "Graine aléatoire"} <= labels
        buttons = {b.children[0] for b in rc.find(v.Btn).widgets if b.children}
        assert {"Adopter dès demain", "Flambée du prix de l'énergie"} <= buttons
        specs = [json.dumps(w.spec, ensure_ascii=False) for w in rc.find(solara.widgets.VegaLite).widgets]
        assert any("confiance dans les institutions" in s for s in specs)
        assert any("avec panneaux" in s and "€" in s for s in specs)
        model.value.run(40)
        assert all(line.startswith("- jour ") for line in app.feed_lines(model.value, lang="fr"))
        assert any("**assemblée**" in line for line in app.feed_lines(model.value, shown=100, lang="fr"))
    finally:
        app.LANG.set("en")


def test_every_label_exists_in_english_and_french_and_numbers_follow_each_language() -> None:
    for key, (en, fr) in TEXT.items():
        assert en and fr, key
        assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", fr)), key
    assert number(1234.5, "en") == "1,234.5" and number(1234.5, "fr") == "1\u202f234,5"
    assert percent(0.453, "fr") == "45\u202f%" and percent(0.453, "en") == "45%"
    assert eur(3.5, "fr") == "3,50\u202f€" and eur(3.5, "en") == "EUR\u00a03.50"
    for event in EVENTS:
        tr(f"event_{event}", "fr")  # every event of the log has its words


def test_side_by_side_steps_two_rulebooks_on_one_territory_and_plots_their_difference() -> None:
    @solara.component
    def Layout():
        with solara.AppLayout():
            app.SideBySide(rulebooks=("status_quo", "community_enforced"), overrides=SMALL, days_per_press=20)

    rc = solara.render(Layout(), handle_error=False)[1]
    before = [w.value for w in rc.find(ipywidgets.Image).widgets]
    rc.find(v.Btn, children=["Advance"]).widget.click()
    networks = rc.find(ipywidgets.Image).widgets
    assert len(networks) == 2
    assert all(w.value != old for w, old in zip(networks, before)), "both networks are redrawn at day 20"
    charts = [w.spec for w in rc.find(solara.widgets.VegaLite).widgets]
    both, difference = charts
    values = difference["datasets"][difference["data"]["name"]]
    assert len(values) == 20 * len(app.COMPARED) and max(v["day"] for v in values) == 19
    assert any(abs(v["difference"]) > 0 for v in values), "two rulebooks, two runs"
    days0 = [v for v in both["datasets"][both["data"]["name"]] if v["day"] == 0]
    assert {v["rulebook"] for v in days0} == {"A: status_quo", "B: community_enforced"}


def test_side_by_side_with_one_rulebook_twice_differs_in_nothing() -> None:
    a = app.TeachingModel(scenario="default", rulebook="full_ostrom", seed=5, create_agents=False, **SMALL)
    b = app.TeachingModel(scenario="default", rulebook="full_ostrom", seed=5, create_agents=False, **SMALL)
    for _ in range(15):
        a.step()
        b.step()
    _, diff = app.pair_frames(a, b, "en")
    assert len(diff) == 15 * len(app.COMPARED) and (diff.difference == 0).all()


def test_a_lesson_opens_with_its_text_and_runs_its_two_rulebooks_side_by_side() -> None:
    @solara.component
    def Layout():
        with solara.AppLayout():
            app.Lessons()

    rc = solara.render(Layout(), handle_error=False)[1]
    select = rc.find(v.Select, label="Lesson").widget
    lesson = load_lesson("nested_communities")
    select.v_model = lesson.text["en"].title
    rc.find(v.Btn, children=["Start the lesson"]).widget.click()
    rc.find(v.Btn, children=["Advance"]).widget.click()
    both, difference = [w.spec for w in rc.find(solara.widgets.VegaLite).widgets]
    runs = {row["rulebook"] for row in both["datasets"][both["data"]["name"]]}
    assert runs == {f"A: {lesson.text['en'].runs['a']}", f"B: {lesson.text['en'].runs['b']}"}
    assert max(row["day"] for row in difference["datasets"][difference["data"]["name"]]) == 29
    assert not rc.find(v.Select, label="Rulebook A").widgets, "a lesson's rulebooks are its own"
    app.LANG.set("fr")
    try:
        assert rc.find(v.Btn, children=["Avancer"]).widgets
        assert rc.find(v.Select, label="Leçon").widget.v_model == lesson.text["fr"].title
    finally:
        app.LANG.set("en")


def test_long_runs_are_thinned_evenly_for_the_charts_and_keep_their_last_day() -> None:
    frame = pd.DataFrame({"step": range(730)})
    kept = app.thinned(frame)
    assert len(kept) <= app.SERIES_POINTS + 1 and kept.step.iloc[0] == 0 and kept.step.iloc[-1] == 729
    gaps = np.diff(kept.step.to_numpy()[:-1])
    assert gaps.min() == gaps.max() == 4
    assert app.thinned(frame.iloc[:150]).equals(frame.iloc[:150])


def test_every_chart_the_pages_send_is_valid_vega_lite(monkeypatch) -> None:
    """The app sends its charts unvalidated, for speed: here each is checked against the schema."""
    monkeypatch.setattr(app, "VALIDATE_CHARTS", True)
    model = solara.reactive(small_model())
    rc = render(model)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert len(rc.find(solara.widgets.VegaLite).widgets) == 6

    @solara.component
    def Pair():
        with solara.AppLayout():
            app.SideBySide(overrides=SMALL, days_per_press=3)

    pair = solara.render(Pair(), handle_error=False)[1]
    pair.find(v.Btn, children=["Advance"]).widget.click()
    assert len(pair.find(solara.widgets.VegaLite).widgets) == 2
