"""The generated reference pages in docs/ are current."""

from __future__ import annotations

from commons_abm.docgen import indicators_page, rulebook_page, scenario_page

from .conftest import ROOT


def test_scenario_page_is_current() -> None:
    assert (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8") == scenario_page(), (
        "run: python -m commons_abm.docgen docs/"
    )


def test_indicators_page_is_current() -> None:
    assert (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8") == indicators_page(), (
        "run: python -m commons_abm.docgen docs/"
    )


def test_rulebook_page_is_current() -> None:
    assert (ROOT / "docs" / "rulebooks.md").read_text(encoding="utf-8") == rulebook_page(), (
        "run: python -m commons_abm.docgen docs/"
    )
