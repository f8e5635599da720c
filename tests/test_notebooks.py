"""Every notebook in notebooks/ runs top to bottom, so none can silently rot.

Each notebook is read as JSON (nbformat 4) and its code cells are executed in order in
one namespace, with matplotlib's non-interactive Agg backend and the repository root as
the working directory, as a reader running "Run all" would. Notebooks are kept without
stored outputs, so that diffs stay readable and results always come from the code.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ holds no .ipynb file"


def code_cells(path: Path) -> list[tuple[int, str]]:
    """The source of each code cell of a notebook, checked for format and stored outputs."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook.get("nbformat") == 4, f"{path.name}: not an nbformat 4 notebook"
    sources = []
    for i, cell in enumerate(notebook["cells"]):
        assert cell["cell_type"] in {"code", "markdown", "raw"}, (path.name, i)
        source = cell["source"]
        source = "".join(source) if isinstance(source, list) else source
        if cell["cell_type"] != "code":
            continue
        assert cell.get("outputs") == [] and cell.get("execution_count") is None, (
            f"{path.name} cell {i}: stored outputs; clear them before committing"
        )
        for line in source.splitlines():
            assert not line.lstrip().startswith(("%", "!")), (
                f"{path.name} cell {i}: IPython magic or shell escape {line!r}; use plain Python"
            )
        sources.append((i, source))
    return sources


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cells = code_cells(path)
    assert cells, f"{path.name} has no code cell"
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__main__"}
    try:
        for i, source in cells:
            exec(compile(source, f"{path.name}[cell {i}]", "exec"), namespace)
    finally:
        plt.close("all")
