"""The package's architecture: layers, no import cycle, modules a reader can take in."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

import commons_abm

PACKAGE = Path(commons_abm.__file__).parent
ROOT = PACKAGE.parents[1]
MAX_LINES = 400
REASON = "Over 400 lines:"


def _import_graph() -> nx.DiGraph:
    graph = grimp.build_graph("commons_abm", cache_dir=None)  # every import: top-level, in functions, typing-only
    edges = nx.DiGraph()
    for module in graph.modules:
        edges.add_node(module)
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add_edge(module, imported)
    return edges


def test_no_import_cycle_between_modules() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(_import_graph()) if len(c) > 1]
    assert cycles == []


def test_import_graph_sees_function_level_imports() -> None:
    """The check above would miss nothing: an import inside a function is an edge."""
    edges = _import_graph()
    assert edges.has_edge("commons_abm.sweeps.runs", "commons_abm.model")  # imported inside _row


@pytest.mark.skipif(
    shutil.which("lint-imports") is None and not (Path(sys.executable).parent / "lint-imports").exists(),
    reason="import-linter is a test dependency",
)
def test_layers_contract_holds() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "0 broken" in done.stdout


def test_domain_packages_are_folders_named_for_what_they_hold() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert {
        "core",
        "territory",
        "energy",
        "materials",
        "behaviour",
        "governance",
        "engines",
        "agents",
        "sweeps",
        "games",
        "outputs",
    } <= folders
    # a newcomer finds a mechanism by its file name
    for module in (
        "governance/monitoring.py",
        "energy/allocation_keys.py",
        "governance/officials.py",
        "governance/sanctions.py",
        "energy/battery.py",
        "materials/repair_hub.py",
        "behaviour/trust.py",
        "engines/day.py",
        "core/kinds.py",
    ):
        assert (PACKAGE / module).is_file(), module


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_short_or_says_why(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    if lines <= MAX_LINES:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert REASON in docstring, f"{lines} lines: split it, or say why at its top ({REASON!r} in the docstring)"


@pytest.mark.parametrize(
    "path", [p for p in _modules() if p.name != "__init__.py"], ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_every_module_says_what_it_is(path: Path) -> None:
    assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
