"""The stylized facts table of ``docs/validation.md`` is up to date: it is
``calibration/patterns.py``'s rendering of ``docs/figures/patterns.json``, and its lab and field
rows agree with the figure files they are read from (``validation.json``, ``waste_rules.json``,
``energy_community.json``). Regenerate with ``python calibration/patterns.py``."""

from __future__ import annotations

import importlib.util
import json

import pytest

from .conftest import ROOT

FIGURES = ROOT / "docs" / "figures"


@pytest.fixture(scope="module")
def patterns_module():
    spec = importlib.util.spec_from_file_location("patterns", ROOT / "calibration" / "patterns.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def stored() -> dict:
    return json.loads((FIGURES / "patterns.json").read_text(encoding="utf-8"))


def test_the_table_is_the_rendering_of_the_stored_patterns(patterns_module, stored) -> None:
    page = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert patterns_module.render(stored) in page


def test_lab_and_field_rows_agree_with_their_figure_files(patterns_module, stored) -> None:
    """Rerunning the lab and field rows on today's figure files gives the stored rows: a
    figure file regenerated without rerunning patterns.py fails here."""
    validation = json.loads((FIGURES / "validation.json").read_text(encoding="utf-8"))
    waste = json.loads((FIGURES / "waste_rules.json").read_text(encoding="utf-8"))
    energy = json.loads((FIGURES / "energy_community.json").read_text(encoding="utf-8"))
    assert patterns_module.lab_rows(validation) == stored["lab"]
    assert patterns_module.field_rows(waste, energy) == stored["field"]


def test_every_row_names_its_source_and_condition(stored) -> None:
    rows = [r for group in ("lab", "field", "governance") for r in stored[group]]
    assert len(rows) >= 20
    for r in rows:
        assert r["fact"] and r["source"] and r["figure"] and r["condition"]
        assert isinstance(r["holds"], bool)
    principles = [r for r in stored["governance"] if r["fact"].startswith("P")]
    assert [r["fact"][:2] for r in principles] == [f"P{k}" for k in range(1, 9)]
