"""The teaching app's other tabs and controls in Debian's chromium: two rulebooks side by
side, a lesson, a bad rulebook dropped on the page, and the language switch. Each saves
its screenshot to ``docs/figures/app_*.png`` (``docs/teaching.md`` shows them)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.app_page import CHARTS, NETWORK, TIMEOUT_S, screenshot

pytestmark = pytest.mark.browser

DRAWN_CHARTS_JS = f"""() => [...document.querySelectorAll('{CHARTS}')]
    .filter(c => c.width * c.height > 0 && c.offsetParent !== null)
    .map(c => c.toDataURL().length + ':' + c.toDataURL().slice(-64))"""


def visible_charts(page: Page) -> list[str]:
    return page.evaluate(DRAWN_CHARTS_JS)


def wait_for_visible_charts(page: Page, count: int, differ_from: list[str] | None = None) -> list[str]:
    page.wait_for_function(
        f"""([count, before]) => {{
            const now = ({DRAWN_CHARTS_JS})();
            return now.length === count && (before === null || now.every((c, i) => c !== before[i]));
        }}""",
        arg=[count, differ_from],
        timeout=TIMEOUT_S * 1000,
        polling=200,
    )
    return visible_charts(page)


def test_side_by_side_steps_two_rulebooks_and_plots_their_difference(app_page) -> None:
    app_page.get_by_role("tab", name="Side by side").click()
    expect(app_page.get_by_text(re.compile(r"only the rules differ\. Day 0\."))).to_be_visible(timeout=TIMEOUT_S * 1000)
    app_page.get_by_role("button", name="Advance", exact=True).click()
    expect(app_page.get_by_text(re.compile(r"only the rules differ\. Day 30\."))).to_be_visible(
        timeout=TIMEOUT_S * 1000
    )
    first = wait_for_visible_charts(app_page, 2)  # both runs' indicators, then B minus A
    assert sum(1 for n in app_page.locator(NETWORK).all() if n.is_visible()) == 2
    app_page.get_by_role("button", name="Advance", exact=True).click()
    expect(app_page.get_by_text(re.compile(r"only the rules differ\. Day 60\."))).to_be_visible(
        timeout=TIMEOUT_S * 1000
    )
    wait_for_visible_charts(app_page, 2, differ_from=first)
    screenshot(app_page, "side_by_side")


def test_a_lesson_opens_in_french_and_runs_its_two_rulebooks(app_page) -> None:
    app_page.get_by_role("button", name="fr", exact=True).click()
    app_page.get_by_role("tab", name="Leçons").click()
    expect(app_page.get_by_role("button", name="Commencer la leçon")).to_be_visible(timeout=TIMEOUT_S * 1000)
    app_page.get_by_role("button", name="Commencer la leçon").click()
    app_page.get_by_role("button", name="Avancer", exact=True).click()
    expect(app_page.get_by_text(re.compile(r"seules les règles diffèrent\. Jour 30\."))).to_be_visible(
        timeout=TIMEOUT_S * 1000
    )
    wait_for_visible_charts(app_page, 2)
    expect(app_page.get_by_text("Questions pour la classe")).to_be_visible()
    screenshot(app_page, "lesson_fr")


def test_a_bad_rulebook_dropped_on_the_page_is_refused_in_one_line(app_page, tmp_path) -> None:
    bad = tmp_path / "our_rules.toml"
    bad.write_text('name = "ours"\n[[statements]]\naim = "spy"\n', encoding="utf-8")
    zone = app_page.locator(".solara-file-drop")
    zone.scroll_into_view_if_needed()
    box = zone.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # a real file dragged onto the zone, as from a file manager (Chrome DevTools Protocol)
    cdp = app_page.context.new_cdp_session(app_page)
    data = {"items": [], "files": [str(bad)], "dragOperationsMask": 1}
    for kind in ("dragEnter", "dragOver", "drop"):
        cdp.send("Input.dispatchDragEvent", {"type": kind, "x": x, "y": y, "data": data})
    alert = app_page.locator(".v-alert").filter(has_text="our_rules.toml")
    expect(alert).to_be_visible(timeout=TIMEOUT_S * 1000)
    message = alert.inner_text().strip()
    assert message.startswith("our_rules.toml: ") and "\n" not in message, message
    alert.scroll_into_view_if_needed()
    screenshot(app_page, "upload_error")
    app_page.get_by_role("button", name="Step", exact=True).click()  # the model goes on
    expect(app_page.get_by_text("Step: 5")).to_be_visible(timeout=TIMEOUT_S * 1000)


def test_the_language_switch_translates_the_page(app_page) -> None:
    expect(app_page.get_by_role("tab", name="Side by side")).to_be_visible()
    app_page.get_by_role("button", name="fr", exact=True).click()
    for label in ("En direct", "Côte à côte", "Leçons"):
        expect(app_page.get_by_role("tab", name=label)).to_be_visible(timeout=TIMEOUT_S * 1000)
    expect(app_page.get_by_text("Événements", exact=True)).to_be_visible()
    expect(app_page.get_by_text("commons-abm : un commun, en direct")).to_be_visible()
    expect(app_page.get_by_text("Scénario", exact=True)).to_be_visible()
    app_page.get_by_role("button", name="en", exact=True).click()
    expect(app_page.get_by_role("tab", name="Live")).to_be_visible(timeout=TIMEOUT_S * 1000)
