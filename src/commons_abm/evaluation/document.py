"""A report as a list of blocks (headings, paragraphs, lists, tables, figures, code), written
as one self-contained HTML page and as a PDF with the same content.

The HTML page holds its style and its figures (inline SVG): it opens without network
access. The PDF is laid out on A4 pages with matplotlib (tables as table artists, figures
as images at 150 dpi), so no browser or system library is needed to write it.
"""

from __future__ import annotations

import html
import io
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.image
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

__all__ = ["Block", "Document", "write_html", "write_pdf"]

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.6rem; border-bottom: 3px solid #2a6f4e; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; color: #2a6f4e; margin-top: 2rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .9rem; }
th, td { border: 1px solid #c8c8c8; padding: .3rem .55rem; text-align: right; vertical-align: top; }
th { background: #eef4f0; }
td:first-child, th:first-child { text-align: left; }
td.better { background: #e3f2e8; } td.worse { background: #f8e1df; }
figure { margin: 1rem 0; } figcaption { font-size: .85rem; color: #555; }
pre { background: #f4f4f4; padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
p.note { font-size: .85rem; color: #555; }
"""

PAGE_IN = (8.27, 11.69)  # A4 [inches]
MARGIN_IN = 0.7
LINE_IN = 0.2
WRAP_CHARS = {"h1": 60, "h2": 75, "p": 105, "note": 120, "code": 95}
SIZES = {"h1": 15, "h2": 12.5, "p": 9, "note": 7.5, "code": 7.5}


@dataclass
class Block:
    """One piece of a report: ``kind`` is ``h1``, ``h2``, ``p``, ``note``, ``list`` (``items``),
    ``table`` (``table``, a frame of text; ``marks``: a frame of ``""``, ``"better"`` or
    ``"worse"`` cells), ``figure`` (``figure``, with ``text`` its caption) or ``code``."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    marks: pd.DataFrame | None = None
    figure: Figure | None = None


@dataclass
class Document:
    """A report: its title, language and blocks."""

    title: str
    lang: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, kind: str, text: str = "", **parts) -> Block:
        """Append a block and return it."""
        block = Block(kind, text, **parts)
        self.blocks.append(block)
        return block


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _html_table(block: Block) -> str:
    table = block.table
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [table.index.name or "", *table.columns])
    rows = []
    for r, (label, row) in enumerate(table.iterrows()):
        cells = [f"<td>{html.escape(str(label))}</td>"]
        for c, value in enumerate(row):
            mark = block.marks.iat[r, c] if block.marks is not None else ""
            klass = f' class="{mark}"' if mark else ""
            cells.append(f"<td{klass}>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def to_html(document: Document) -> str:
    """The document as one self-contained HTML page."""
    parts = []
    for b in document.blocks:
        if b.kind in ("h1", "h2"):
            parts.append(f"<{b.kind}>{html.escape(b.text)}</{b.kind}>")
        elif b.kind == "p":
            parts.append(f"<p>{html.escape(b.text)}</p>")
        elif b.kind == "note":
            parts.append(f'<p class="note">{html.escape(b.text)}</p>')
        elif b.kind == "list":
            parts.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in b.items) + "</ul>")
        elif b.kind == "table":
            parts.append(_html_table(b))
        elif b.kind == "figure":
            parts.append(f"<figure>{_svg(b.figure)}<figcaption>{html.escape(b.text)}</figcaption></figure>")
        elif b.kind == "code":
            parts.append(f"<pre><code>{html.escape(b.text)}</code></pre>")
        else:
            raise ValueError(f"unknown block kind {b.kind!r}")
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="{document.lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(document.title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def write_html(document: Document, path: Path) -> Path:
    """Write the document's HTML page to ``path``."""
    path.write_text(to_html(document), encoding="utf-8")
    return path


class _Pages:
    """A4 pages filled from the top, a new one when a block does not fit."""

    def __init__(self, pdf: PdfPages) -> None:
        self.pdf = pdf
        self.figure: Figure | None = None
        self.y = 0.0

    def room(self, height: float) -> None:
        if self.figure is None or self.y - height < MARGIN_IN:
            self.close()
            self.figure = Figure(figsize=PAGE_IN)
            self.y = PAGE_IN[1] - MARGIN_IN

    def text(self, text: str, kind: str) -> None:
        lines = []
        for paragraph in text.split("\n"):
            lines += textwrap.wrap(paragraph, WRAP_CHARS[kind]) or [""]
        step = LINE_IN * SIZES[kind] / 9
        for line in lines:
            self.room(step)
            self.figure.text(
                MARGIN_IN / PAGE_IN[0],
                self.y / PAGE_IN[1],
                line,
                fontsize=SIZES[kind],
                va="top",
                weight="bold" if kind in ("h1", "h2") else "normal",
                family="monospace" if kind == "code" else None,
                color="#2a6f4e" if kind == "h2" else "#1b1b1b",
            )
            self.y -= step
        self.y -= step * (0.8 if kind in ("h1", "h2") else 0.5)

    def axes(self, height: float):
        self.room(height)
        width = PAGE_IN[0] - 2 * MARGIN_IN
        box = [MARGIN_IN / PAGE_IN[0], (self.y - height) / PAGE_IN[1], width / PAGE_IN[0], height / PAGE_IN[1]]
        self.y -= height + 0.15
        return self.figure.add_axes(box)

    def close(self) -> None:
        if self.figure is not None:
            self.pdf.savefig(self.figure)
            self.figure = None


def _pdf_table(pages: _Pages, block: Block) -> None:
    table = block.table
    labels = [table.index.name or "", *map(str, table.columns)]
    cells = [[str(i), *map(str, row)] for i, row in zip(table.index, table.itertuples(index=False), strict=True)]
    wrap = max(12, 110 // max(len(labels), 1))
    labels = ["\n".join(textwrap.wrap(x, wrap)) or "" for x in labels]
    cells = [["\n".join(textwrap.wrap(x, wrap)) or "" for x in row] for row in cells]
    lines = [max(x.count("\n") + 1 for x in row) for row in [labels, *cells]]
    height = 0.17 * sum(lines) + 0.1
    ax = pages.axes(height)
    ax.axis("off")
    artist = ax.table(cellText=cells, colLabels=labels, loc="upper left", cellLoc="right", bbox=[0, 0, 1, 1])
    artist.auto_set_font_size(False)
    artist.set_fontsize(6.5)
    total = sum(lines)
    for (r, c), cell in artist.get_celld().items():
        cell.set_height(lines[r] / total)
        cell.set_edgecolor("#c8c8c8")
        if r == 0:
            cell.set_facecolor("#eef4f0")
        elif block.marks is not None and c > 0:
            mark = block.marks.iat[r - 1, c - 1]
            cell.set_facecolor({"better": "#e3f2e8", "worse": "#f8e1df"}.get(mark, "white"))
        if c == 0:
            cell.set_text_props(ha="left")
            cell.PAD = 0.02


def write_pdf(document: Document, path: Path) -> Path:
    """Write the document as a PDF of A4 pages to ``path``."""
    with PdfPages(path, metadata={"Title": document.title}) as pdf:
        pages = _Pages(pdf)
        for b in document.blocks:
            if b.kind in ("h1", "h2", "p", "note", "code"):
                pages.text(b.text, b.kind)
            elif b.kind == "list":
                for item in b.items:
                    pages.text(f"• {item}", "p")
            elif b.kind == "table":
                _pdf_table(pages, b)
            elif b.kind == "figure":
                buffer = io.BytesIO()
                b.figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
                buffer.seek(0)
                image = matplotlib.image.imread(buffer)
                width = PAGE_IN[0] - 2 * MARGIN_IN
                height = min(width * image.shape[0] / image.shape[1], PAGE_IN[1] - 2 * MARGIN_IN - 0.5)
                ax = pages.axes(height)
                ax.imshow(image)
                ax.axis("off")
                pages.text(b.text, "note")
            else:
                raise ValueError(f"unknown block kind {b.kind!r}")
        pages.close()
    return path
