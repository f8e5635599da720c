"""docs/architecture.md follows the code: the day's stages in the order of
``engines.day.STAGE_NAMES`` with their random streams, every sub-package and top-level
module named, the layers of ``pyproject.toml`` top to bottom, and no file named that
does not exist."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from commons_abm.engines.day import DAY, STAGE_NAMES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "commons_abm"
DOC = ROOT / "docs" / "architecture.md"
MERMAID = re.compile(r"^```mermaid\n(.*?)^```", re.MULTILINE | re.DOTALL)


def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def mermaid_blocks() -> list[str]:
    return MERMAID.findall(doc())


def stage_sequence(text: str) -> list[str]:
    """The stage names in ``text``, in order of appearance, a name repeated at once counted once."""
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, STAGE_NAMES)) + r")(?![\w])")
    names: list[str] = []
    for match in pattern.finditer(text):
        if not names or names[-1] != match.group(1):
            names.append(match.group(1))
    return names


def day_diagram() -> str:
    blocks = [block for block in mermaid_blocks() if STAGE_NAMES[0] in block]
    assert len(blocks) == 1, "one Mermaid diagram of the day"
    return blocks[0]


def test_the_day_diagram_shows_the_stages_in_the_declared_order() -> None:
    assert stage_sequence(day_diagram()) == list(STAGE_NAMES)


def test_the_day_diagram_names_each_stages_streams() -> None:
    labels = {}
    for line in day_diagram().splitlines():
        names = stage_sequence(line)
        if len(names) == 1 and "[" in line:
            labels[names[0]] = line
    assert set(labels) == set(STAGE_NAMES)
    for stage in DAY:
        label = labels[stage.name]
        if stage.streams:
            listed = re.search(r"streams?: ([\w, ]+)", label)
            assert listed, label
            assert [s.strip() for s in listed.group(1).split(",")] == list(stage.streams), label
        else:
            assert "no random draw" in label, label


def test_the_stage_table_lists_the_stages_in_the_declared_order() -> None:
    rows = re.findall(r"^\| `(\w+)` \|", doc(), re.MULTILINE)
    assert [r for r in rows if r in STAGE_NAMES] == list(STAGE_NAMES)


def test_every_sub_package_and_top_level_module_is_named() -> None:
    text = doc()
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert len(folders) >= 11
    missing = [f"{name}/" for name in folders if f"{name}/" not in text]
    modules = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    missing += [name for name in modules if name not in text]
    assert missing == [], f"docs/architecture.md does not name: {missing}"


def test_the_layers_diagram_follows_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    packages = [[name.strip().removeprefix("commons_abm.") for name in layer.split(":")] for layer in layers]
    blocks = [block for block in mermaid_blocks() if "cli" in block and "core" in block]
    assert len(blocks) == 1, "one Mermaid diagram of the layers"
    block = blocks[0]

    def first(name: str) -> int:
        match = re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", block)
        assert match, f"the layers diagram does not name {name}"
        return match.start()

    positions = [[first(name) for name in layer] for layer in packages]
    for upper, lower in zip(positions, positions[1:]):
        assert max(upper) < min(lower), "layers top to bottom, as in pyproject.toml"


def test_every_file_named_exists() -> None:
    """A module or file the page names (``monitoring.py``, ``core/seeding.py``,
    ``tests/test_compiled.py``) exists, in the package or from the repository's root."""
    names = set(re.findall(r"`([\w/]+\.(?:py|md|toml))`", doc()))
    package_files = {p.name for p in PACKAGE.rglob("*")}
    missing = [
        name
        for name in sorted(names)
        if not (PACKAGE / name).exists()
        and not (ROOT / name).exists()
        and not (DOC.parent / name).exists()
        and name not in package_files
    ]
    assert missing == [], f"docs/architecture.md names files that do not exist: {missing}"


@pytest.mark.parametrize(
    ("text", "in_order"),
    [
        ("decide, then exchange_energy, route_materials", ["decide", "exchange_energy", "route_materials"]),
        ("route_materials before decide", ["route_materials", "decide"]),
        ("materials are not route_materials_x nor engines.day.decide", []),
    ],
)
def test_stage_sequence_reads_the_order_written(text: str, in_order: list[str]) -> None:
    assert stage_sequence(text) == in_order
    assert (stage_sequence(text) == list(STAGE_NAMES)) is False
