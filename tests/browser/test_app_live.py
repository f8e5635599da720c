"""The teaching app in Debian's chromium: it loads, plays, pauses, steps and resets, and
every figure follows the model. ``docs/figures/app_live.png`` is its screenshot after some
days played."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.app_page import (
    CHART_COUNT,
    CHARTS,
    NETWORK,
    day,
    figures,
    press,
    screenshot,
    select,
    settled,
    wait_for_day,
    wait_until_redrawn,
)

pytestmark = pytest.mark.browser


def test_the_page_shows_the_network_and_the_sidebar_then_every_chart_after_a_day(app_page) -> None:
    network = app_page.locator(NETWORK)
    expect(network).to_be_visible()
    assert network.evaluate("img => img.naturalWidth") > 0, "the network's image is drawn"
    for label in ("Reset", "▶", "Step"):
        expect(app_page.get_by_role("button", name=label, exact=True)).to_be_enabled()
    for label in ("Scenario", "Rulebook"):
        expect(app_page.get_by_label(label, exact=True)).to_be_visible()
    assert day(app_page) == 0
    press(app_page, "Step")
    wait_for_day(app_page, 5, exactly=True)
    settled(app_page)
    charts = app_page.locator(CHARTS)
    expect(charts).to_have_count(CHART_COUNT)
    for chart in charts.all():
        assert chart.evaluate("c => c.width * c.height") > 0


def test_play_advances_the_days_and_redraws_every_figure_until_paused(app_page) -> None:
    press(app_page, "Step")
    wait_for_day(app_page, 5, exactly=True)
    before = settled(app_page)
    press(app_page, "▶")
    wait_for_day(app_page, 30)
    press(app_page, "❚❚")
    expect(app_page.get_by_role("button", name="Step", exact=True)).to_be_enabled()  # disabled while playing
    after = wait_until_redrawn(app_page, before)
    assert len(after) == 1 + CHART_COUNT
    # paused, nothing moves: no figure changes for 1.5 s (playing, one would within 0.5 s)
    settled(app_page, quiet_s=1.5)
    assert day(app_page) >= 30
    screenshot(app_page, "live")


def test_step_advances_one_render_interval_and_reset_builds_a_new_model(app_page) -> None:
    before = settled(app_page, count=1)
    press(app_page, "Step")
    assert wait_for_day(app_page, 5, exactly=True) == 5  # one press: the render interval, 5 days
    stepped = settled(app_page)
    assert stepped[0] != before[0]
    press(app_page, "Step")
    wait_for_day(app_page, 10, exactly=True)
    select(app_page, "Rulebook", "status_quo")
    press(app_page, "Reset")
    wait_for_day(app_page, 0, exactly=True)
    assert figures(app_page)[0] != stepped[0], "the network is redrawn for the new model"
    press(app_page, "Step")
    wait_for_day(app_page, 5, exactly=True)


def test_two_tabs_play_at_once(new_page) -> None:
    """A class: each tab its own model, drawn at the same time on one server."""
    tabs = [new_page(), new_page()]
    for tab in tabs:
        press(tab, "▶")
        expect(tab.get_by_role("button", name="❚❚", exact=True)).to_be_visible()  # playing
    for tab in tabs:
        try:
            wait_for_day(tab, 10)
        except Exception as exc:
            shown = [t.inner_text("body")[:300].replace("\n", " | ") for t in tabs]
            raise AssertionError(f"what the tabs showed when the wait ended: {shown}") from exc
    for tab in tabs:
        press(tab, "❚❚")
        expect(tab.get_by_role("button", name="Step", exact=True)).to_be_enabled()
