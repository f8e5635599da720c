"""Citations: source documents by file name, every file cited exists, every author-year
citation in the code has an entry in ``docs/references.md``.

The prose of a Python file is its comments and its string literals (docstrings, and the
help and field descriptions that become ``docs/scenario.md`` and ``docs/rulebooks.md``).
Three checks read it:

(a) a French source document is cited by its file name (``000_027160d2fbf9a985.txt``),
    never by its bare three-digit number ("(000)", "000's ladder", "`003`");
(b) every source-document file name cited in ``src/`` or ``docs/`` exists in the
    project's shared folder ``shared/seeds/`` beside the repository, or, where that folder
    is absent, is one of the file names listed in ``docs/references.md``;
(c) every author-year citation ("Ostrom 1990", "Fehr & Gächter (2000)", "Fischbacher,
    Gächter & Fehr 2001", "Grimm et al. 2020") has an entry in ``docs/references.md``
    whose key is the authors' surnames and the year (``FischbacherGaechterFehr2001``; for
    "et al.", the first author's surname and the year begin and end the key).

Each checker is shown, at the end, to flag a bad example and to pass good ones.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
import tomllib
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "commons_abm"
DOCS = ROOT / "docs"
REFERENCES = DOCS / "references.md"
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
# Python files whose prose is checked: the package, and the calibration scripts.
PYTHON_FILES = sorted([*SRC.rglob("*.py"), *(ROOT / "calibration").glob("*.py")])

# (a) A bare code: three digits starting with 0, standing alone. Not part of a number
# ("0.002", "1,000", "2_000_000", "100 000", "1e-003") nor of a word or a file name
# ("000_027160d2fbf9a985.txt", "x003").
BARE_CODE = re.compile(r"(?<![\w.,/+\-])(?<!\d )0\d\d(?!\w|[.,]\d)")

# (b) Anything that looks like a source document's file name: three digits, an underscore
# and a hexadecimal hash, with or without ".txt" (so that a truncated name is caught too).
SEED_NAME = re.compile(r"(?<![\w/])\d{3}_[0-9a-f]{6,}\w*(?:\.txt)?")
SEED_FILE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")

# (c) Author-year citations. A surname is a capitalised word with lower-case letters
# after its capital (so acronyms such as "INSEE 2021" or "OWG 1992" are not surnames),
# optionally after a particle ("Van Lange"). Authors are joined by ", " and " & " (or
# " and "); "et al." may follow; then the year, bare or in parentheses, possibly after
# "'s" ("Crawford & Ostrom's (1995)"). "Directive (2008/98/EC" is not a citation.
_SURNAME = r"(?:(?:[Vv]an|[Vv]on|[Dd]e|[Dd]i|[Ll]a|[Ll]e) )?[A-Z][a-zß-öø-ÿ]+(?:-[A-Z][a-zß-öø-ÿ]+)*"
CITATION = re.compile(
    rf"(?<![\w'’])(?P<authors>{_SURNAME}(?:, {_SURNAME})*(?: (?:&|and) {_SURNAME})?)"
    rf"(?P<etal> et al\.)?(?:['’]s)? \(?(?P<year>(?:19|20)\d\d[a-z]?)(?![\d/])"
)
_SEPARATORS = re.compile(r", | & | and ")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
ENTRY = re.compile(r"^- `([^`]+)` — ", re.MULTILINE)


# ------------------------------------------------------------------------------ reading
def prose(path: Path) -> list[tuple[int, str]]:
    """The comments and string literals of a Python file, as ``(line, text)`` with runs of
    white space made one space; consecutive comment lines are one text."""
    source = path.read_text(encoding="utf-8")
    texts: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append((node.lineno, node.value))
    block: list[str] = []
    start = last = 0
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        line = token.start[0]
        if block and line != last + 1:
            texts.append((start, " ".join(block)))
            block = []
        if not block:
            start = line
        block.append(token.string.lstrip("#"))
        last = line
    if block:
        texts.append((start, " ".join(block)))
    return [(line, " ".join(text.split())) for line, text in texts]


def markdown_files() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def reference_keys() -> set[str]:
    """The keys of the entries of ``docs/references.md``."""
    return set(ENTRY.findall(REFERENCES.read_text(encoding="utf-8")))


def known_seed_files() -> set[str]:
    """The source documents: the files of the shared seeds folder, or, where the folder is
    absent (a copy of the repository alone), the file names listed in docs/references.md."""
    if SEEDS.is_dir():
        return {p.name for p in SEEDS.iterdir() if SEED_FILE.match(p.name)}
    return {key for key in reference_keys() if SEED_FILE.match(key)}


# ----------------------------------------------------------------------------- checkers
def bare_codes(text: str) -> list[str]:
    """(a) The bare three-digit codes in ``text``."""
    return [m.group(0) for m in BARE_CODE.finditer(text)]


def unknown_seed_names(text: str, known: set[str]) -> list[str]:
    """(b) What looks like a source document's file name in ``text`` but is not one."""
    return [name for name in SEED_NAME.findall(text) if name not in known]


def surname_key(surname: str) -> str:
    """A surname as it is written in a key: "Gächter" -> "Gaechter", "Van Lange" -> "VanLange"."""
    ascii_ = unicodedata.normalize("NFKD", surname.translate(_GERMAN)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z]", "", ascii_)


def citations(text: str) -> list[tuple[str, list[str], bool, str]]:
    """(c) The author-year citations in ``text``: ``(as written, surnames, et al., year)``."""
    return [
        (m.group(0), _SEPARATORS.split(m.group("authors")), bool(m.group("etal")), m.group("year"))
        for m in CITATION.finditer(text)
    ]


def resolves(surnames: list[str], et_al: bool, year: str, keys: set[str]) -> bool:
    """Whether a citation has an entry: the key is its surnames and year; with "et al.",
    a key that begins with the first surname, goes on with letters only and ends with the year."""
    names = [surname_key(s) for s in surnames]
    if not et_al:
        return "".join(names) + year in keys
    first = "".join(names)
    for key in keys:
        middle = key[len(first) : len(key) - len(year)]
        if key.startswith(first) and key.endswith(year) and len(key) >= len(first) + len(year):
            if middle == "" or middle.isalpha():
                return True
    return False


def unresolved_citations(text: str, keys: set[str]) -> list[str]:
    """(c) The citations in ``text`` that have no entry among ``keys``."""
    return [written for written, names, et_al, year in citations(text) if not resolves(names, et_al, year, keys)]


# ------------------------------------------------------------------------------- checks
def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def test_code_cites_source_documents_by_file_name() -> None:
    """(a) No comment or string in the code cites a source document by its bare code."""
    found = [
        f"{_where(path, line)}: {code!r} in {text[:100]!r}"
        for path in PYTHON_FILES
        for line, text in prose(path)
        for code in bare_codes(text)
    ]
    assert found == [], "cite the file name (``000_027160d2fbf9a985.txt``), not the bare code:\n" + "\n".join(found)


def test_documentation_cites_source_documents_by_file_name() -> None:
    """(a) Nor does the documentation (``docs/``, generated pages included)."""
    found = [
        f"{_where(path, number)}: {code!r} in {line.strip()[:100]!r}"
        for path in markdown_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for code in bare_codes(line)
    ]
    assert found == [], "cite the file name (`000_027160d2fbf9a985.txt`), not the bare code:\n" + "\n".join(found)


def test_cited_source_documents_exist() -> None:
    """(b) Every source-document file name cited in src/ or docs/ is a real file."""
    known = known_seed_files()
    assert len(known) >= 5, f"no source documents found in {SEEDS} nor listed in {REFERENCES}"
    found = []
    for path in [*SRC.rglob("*.py"), *markdown_files()]:
        for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{_where(path, line_number)}: {name}" for name in unknown_seed_names(line, known)]
    assert found == [], f"no such source document (known: {sorted(known)}):\n" + "\n".join(found)


def test_without_the_seeds_folder_the_references_list_the_source_documents(monkeypatch, tmp_path: Path) -> None:
    """Where the shared folder is absent, (b) checks against the file names of docs/references.md."""
    monkeypatch.setattr(sys.modules[__name__], "SEEDS", tmp_path / "absent")
    known = known_seed_files()
    assert len(known) == 5 and all(SEED_FILE.match(name) for name in known)
    test_cited_source_documents_exist()


def test_references_list_every_source_document() -> None:
    """The bibliography has one entry per source document, keyed by its file name."""
    listed = {key for key in reference_keys() if SEED_FILE.match(key)}
    assert len(listed) >= 5
    if SEEDS.is_dir():
        assert listed == known_seed_files()


def test_author_year_citations_have_an_entry() -> None:
    """(c) Every author-year citation in the code's prose has an entry in docs/references.md."""
    keys = reference_keys()
    found = [
        f"{_where(path, line)}: {written!r}"
        for path in PYTHON_FILES
        for line, text in prose(path)
        for written in unresolved_citations(text, keys)
    ]
    assert found == [], f"no entry in {REFERENCES.relative_to(ROOT)} for:\n" + "\n".join(found)


def test_the_code_cites_the_literature() -> None:
    """The citation reader finds what it is meant to find: the code cites dozens of works."""
    found = {
        "".join(surname_key(s) for s in names) + year
        for path in PYTHON_FILES
        for _, text in prose(path)
        for _, names, _, year in citations(text)
    }
    assert {"FehrGaechter2000", "FischbacherGaechterFehr2001", "OstromGardnerWalker1994", "Ostrom1990"} <= found
    assert len(found) >= 30


def test_reference_keys_are_unique() -> None:
    keys = ENTRY.findall(REFERENCES.read_text(encoding="utf-8"))
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


# ------------------------------------------------------------------------ self-checks
KEYS_FOR_EXAMPLES = {"FehrGaechter2000", "FischbacherGaechterFehr2001", "Grimm2020", "VanLange1997", "Ostrom1990"}
SEEDS_FOR_EXAMPLES = {"000_027160d2fbf9a985.txt", "003_d0cbea24b0b91578.txt"}


@pytest.mark.parametrize(
    "bad",
    [
        "(000)",
        "(000: four proximities)",
        "000 (Territoire E+C-): the participation ladder",
        "(003: soutenir sans étouffer)",
        "(000, 003)",
        "000's ladder",
        "the ladder of `000`",
        "mutual vigilance, 003;",
        "# see 002 for the bins",
    ],
)
def test_bare_code_checker_flags(bad: str) -> None:
    assert bare_codes(bad)


@pytest.mark.parametrize(
    "good",
    [
        "(``000_027160d2fbf9a985.txt``)",
        "(seed 003_d0cbea24b0b91578.txt: soutenir sans étouffer)",
        "error rate 0.002",
        "1,000 kWh and 100,000 agents",
        "2_000_000 values",
        "100 000 agents",
        "0.001-0.003",
        "x003",
    ],
)
def test_bare_code_checker_passes(good: str) -> None:
    assert bare_codes(good) == []


def test_bare_code_checker_flags_a_docstring(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text('def f():\n    """Officials\' stance (000)."""\n    return 1  # also (003)\n', encoding="utf-8")
    codes = [code for _, text in prose(module) for code in bare_codes(text)]
    assert codes == ["000", "003"]


def test_seed_name_checker() -> None:
    assert unknown_seed_names("(``000_027160d2fbf9a985.txt``)", SEEDS_FOR_EXAMPLES) == []
    assert unknown_seed_names("see 003_d0cbea24b0b91578.txt.", SEEDS_FOR_EXAMPLES) == []
    assert unknown_seed_names("(``005_0123456789abcdef.txt``)", SEEDS_FOR_EXAMPLES) == ["005_0123456789abcdef.txt"]
    assert unknown_seed_names("(000_027160d2fbf9a98.txt)", SEEDS_FOR_EXAMPLES)  # a digit lost
    assert unknown_seed_names("(000_027160d2)", SEEDS_FOR_EXAMPLES)  # truncated


@pytest.mark.parametrize(
    "good",
    [
        "Fehr & Gächter 2000",
        "Fehr & Gächter (2000)",
        "Fehr & Gächter's (2000) game",
        "Fischbacher, Gächter & Fehr 2001",
        "Grimm et al. 2020",
        "Grimm et al. (2020)",
        "Van Lange et al. 1997",
        "Ostrom 1990, ch. 3",
        "Ostrom (1990, ch. 3, table 3.1)",
    ],
)
def test_citation_checker_passes(good: str) -> None:
    assert citations(good), good
    assert unresolved_citations(good, KEYS_FOR_EXAMPLES) == []


@pytest.mark.parametrize(
    "bad",
    [
        "as Nobody (2001) found",
        "Nobody 2001",
        "Fehr & Nobody 2000",
        "Fischbacher, Nobody & Fehr 2001",
        "Smith et al. 2005",
        "Grimm et al. 2021",
        "Fehr & Gächter 2001",
    ],
)
def test_citation_checker_flags(bad: str) -> None:
    assert unresolved_citations(bad, KEYS_FOR_EXAMPLES), bad


@pytest.mark.parametrize(
    "not_a_citation",
    ["in 2020", "INSEE 2021", "OWG 1992", "Directive (2008/98/EC, art. 4)", "seed 2026", "0.2516 EUR/kWh, 2024"],
)
def test_citation_checker_ignores(not_a_citation: str) -> None:
    assert citations(not_a_citation) == []


def test_citation_file_names_the_package_version() -> None:
    """CITATION.cff cites the version pyproject.toml builds."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r"^cff-version: 1\.2\.0$", cff, re.MULTILINE)
    assert re.search(rf'^version: "{re.escape(version)}"$', cff, re.MULTILINE), version
    assert re.search(r"^license: MIT$", cff, re.MULTILINE)
