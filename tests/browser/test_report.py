"""A community's report in Debian's chromium: it opens from the disk without the network,
with its tables and figures. ``docs/figures/report_*.png`` are its screenshots."""

from __future__ import annotations

import pytest

from tests.browser.app_page import FIGURES
from tests.browser.conftest import VIEWPORT
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The example territory's report (status quo against full Ostrom, every shipped shock,
    6 seeds, 100 sampled futures), in English and in French; the folder."""
    from commons_abm.core.scenario import load_scenario
    from commons_abm.evaluation import Evaluation, evaluate
    from commons_abm.evaluation.report import write_report
    from commons_abm.governance.rulebook import load_rulebook
    from commons_abm.shocks import load_shock, shipped_shocks

    folder = tmp_path_factory.mktemp("report")
    territory = ROOT / "experiments" / "territories" / "example.toml"
    books = ROOT / "experiments" / "rulebooks"
    evaluation = Evaluation(
        load_scenario(territory),
        load_rulebook(books / "status_quo.toml"),
        load_rulebook(books / "full_ostrom.toml"),
        years=2,
        seeds=6,
        shocks=tuple(load_shock(name) for name in shipped_shocks()),
    )
    result = evaluate(evaluation, workers=2)
    for lang in ("en", "fr"):
        command = f"commons-abm evaluate --scenario {territory.relative_to(ROOT)} --today status_quo "
        command += f"--proposal full_ostrom --seeds 6 --lang {lang} --out report_{lang}"
        write_report(result, folder / lang, lang, command)
    return folder


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_report_opens_offline_with_its_tables_and_figures(browser, report, lang) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    fetched: list[str] = []
    context.route("http*://**", lambda route: (fetched.append(route.request.url), route.abort()))
    page = context.new_page()
    try:
        page.goto((report / lang / "report.html").as_uri())
        page.wait_for_load_state("load")
        assert fetched == [], "the report asks for nothing over the network"
        tables = page.locator("table")
        assert tables.count() >= 5  # verdict, money, shocks (two), assumptions
        assert page.locator("table").first.locator("tbody tr").count() == 10
        figures = page.locator("figure svg")
        assert figures.count() == 3  # the verdict, the money, where the proposal fails
        for i in range(figures.count()):
            box = figures.nth(i).bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 100
        heading = "The verdict" if lang == "en" else "Le verdict"
        assert page.get_by_role("heading", name=heading).is_visible()
        if lang == "en":
            page.screenshot(path=FIGURES / "report_verdict.png")
            page.get_by_role("heading", name="Where the proposal fails").scroll_into_view_if_needed()
            page.screenshot(path=FIGURES / "report_failures.png")
        else:
            page.get_by_role("heading", name="Face aux chocs").scroll_into_view_if_needed()
            page.screenshot(path=FIGURES / "report_shocks_fr.png")
    finally:
        context.close()
