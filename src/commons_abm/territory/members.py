"""A community's own territory: its members file, metered loads, and the scenario made of them.

A members file is a CSV with one row per participant of the operation: ``id``, ``kind``
(``household``, ``firm`` or ``public``), ``neighbourhood``, ``annual_kwh``, ``pv_kwp``, and
optionally ``battery_kwh``, ``persons`` and ``load_profile`` (a named profile, or the path of
a CSV of metered load, relative to the members file). ``commons-abm territory`` reads it
(:func:`read_members`), and writes a scenario whose ``territory.members`` lists the
participants and whose every other field is the base scenario's (:func:`scenario_text`).

Both files may use ``,`` or ``;`` between fields (with ``;``, a decimal comma is read as a
point, as French spreadsheets write it), may start with a byte-order mark, and may hold
comment lines starting with ``#`` and blank lines. Rows are counted as a text editor or a
spreadsheet shows them: the header is row 1 unless comments come before it.

A metered load is a column ``kwh`` of one year from 1 January: 8760 hourly or 17520
half-hourly values (any other column, a timestamp, is ignored). Only its shape is used: it
is scaled so that the participant's year sums to its ``annual_kwh``, and read by day of the
year (the metered year's weekends stay where they fell). The day-to-day and hour-to-hour
noise of ``energy.noise`` still applies on top, with mean 1.
"""

from __future__ import annotations

import csv
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from commons_abm.core.calendar import HOURS
from commons_abm.core.errors import InputError
from commons_abm.core.kinds import LOAD_PROFILES, kind_named
from commons_abm.core.scenario import MEMBER_BOUNDS, MEMBER_KINDS, Member, Scenario, member_problem

__all__ = [
    "MEMBER_COLUMNS",
    "METERED_ROWS",
    "OPTIONAL_COLUMNS",
    "ordered_members",
    "read_members",
    "read_metered_load",
    "scenario_text",
]

MEMBER_COLUMNS: tuple[str, ...] = ("id", "kind", "neighbourhood", "annual_kwh", "pv_kwp")
OPTIONAL_COLUMNS: tuple[str, ...] = ("battery_kwh", "persons", "load_profile")
METERED_ROWS: dict[int, str] = {8760: "hourly", 17520: "half-hourly"}
DAYS_PER_YEAR = 365
MAX_BYTES = 10 * 1024 * 1024  # a members file is a few kilobytes, a half-hourly year about 1 MB
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_NUMERIC = ("annual_kwh", "pv_kwp", "battery_kwh", "persons")


def _lines(path: Path, what: str) -> tuple[list[tuple[int, list[str]]], str]:
    """The rows of the CSV ``what`` file at ``path`` as ``(row number, fields)``, comments and
    blank lines left out, and its delimiter."""
    if not path.exists():
        raise InputError(path, None, f"{what} not found; expected a CSV file")
    if not path.is_file():
        raise InputError(path, None, f"not a file; expected a CSV {what}")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(path, None, f"{path.stat().st_size} bytes; allowed: a CSV {what} under 10 MiB")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, None, "not UTF-8 text; allowed: a UTF-8 CSV (a spreadsheet's 'CSV UTF-8')") from None
    numbered = [
        (i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        raise InputError(path, None, f"empty; allowed: a header row, then the {what}'s rows")
    header = numbered[0][1]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows = []
    for i, line in numbered:
        try:
            fields = next(csv.reader([line], delimiter=delimiter, strict=True))
        except csv.Error as exc:
            raise InputError(
                path, f"row {i}", f"malformed CSV ({exc}); allowed: fields separated by {delimiter!r}"
            ) from None
        rows.append((i, [field.strip() for field in fields]))
    return rows, delimiter


def _number(path: Path, row: int, column: str, text: str, delimiter: str, low: float, high: float, why: str) -> float:
    """``text`` read as a finite number in ``[low, high]``."""
    plain = text.replace(",", ".") if delimiter == ";" else text
    allowed = f"allowed: a number from {low:g} to {high:g}{why}"
    if not _NUMBER.fullmatch(plain):
        raise InputError(path, f"row {row}, column {column}", f"{text!r} is not a number; {allowed}")
    value = float(plain)
    if not np.isfinite(value) or value < low or value > high:
        raise InputError(path, f"row {row}, column {column}", f"{text} is out of range; {allowed}")
    return value


def read_members(path: str | Path) -> list[Member]:
    """The participants of the members file at ``path``, in file order; a ``load_profile``
    that is a CSV is checked (:func:`read_metered_load`) and given as an absolute path.

    Raises :class:`~commons_abm.core.errors.InputError` naming the file, the row and the column."""
    path = Path(path)
    rows, delimiter = _lines(path, "members file")
    (header_row, header), body = rows[0], rows[1:]
    known = MEMBER_COLUMNS + OPTIONAL_COLUMNS
    for column in header:
        if column not in known:
            raise InputError(
                path, f"row {header_row}, column {column or '(empty)'}", f"unknown column; allowed: {', '.join(known)}"
            )
        if header.count(column) > 1:
            raise InputError(path, f"row {header_row}, column {column}", "named twice; allowed: each column once")
    for column in MEMBER_COLUMNS:
        if column not in header:
            raise InputError(
                path,
                f"row {header_row}, column {column}",
                f"missing column; allowed: a header naming {', '.join(MEMBER_COLUMNS)} (and optionally "
                f"{', '.join(OPTIONAL_COLUMNS)})",
            )
    if not body:
        raise InputError(
            path, f"row {header_row + 1}", "no participant; allowed: one row per participant after the header"
        )
    members: list[Member] = []
    first_row: dict[str, int] = {}
    for number, fields in body:
        if len(fields) != len(header):
            raise InputError(
                path,
                f"row {number}",
                f"{len(fields)} fields but the header has {len(header)}; allowed: one value per column "
                f"(empty for an optional one), separated by {delimiter!r}",
            )
        values = dict(zip(header, fields))
        members.append(_member(path, number, values, delimiter, first_row))
    if not any(m.kind == "household" for m in members):
        raise InputError(path, "column kind", "no household; allowed: a list with at least one household")
    return members


def _member(path: Path, number: int, values: dict[str, str], delimiter: str, first_row: dict[str, int]) -> Member:
    """One row of a members file as a :class:`~commons_abm.core.scenario.Member`."""
    where = f"row {number}, column "
    for column in MEMBER_COLUMNS:
        if not values[column]:
            raise InputError(path, where + column, "empty; allowed: a value in every row")
    for column in ("id", "neighbourhood", "load_profile"):
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in values.get(column, "")):
            raise InputError(path, where + column, "holds a control character; allowed: printable text")
    kind = values["kind"]
    if kind not in MEMBER_KINDS:
        raise InputError(path, where + "kind", f"unknown kind {kind!r}; allowed: {', '.join(MEMBER_KINDS)}")
    member_id = values["id"]
    if member_id in first_row:
        raise InputError(
            path,
            where + "id",
            f"{member_id!r} is already on row {first_row[member_id]}; allowed: one row per participant",
        )
    first_row[member_id] = number
    row: dict[str, Any] = {"id": member_id, "kind": kind, "neighbourhood": values["neighbourhood"]}
    bounds = {name: (most, why) for name, most, why in MEMBER_BOUNDS[kind]}
    for column in _NUMERIC:
        text = values.get(column, "")
        if not text:
            continue
        if column == "persons":
            low, high, why = 1.0, 20.0, "persons in a household"
        else:
            low, (high, why) = 0.0, bounds[column]
        row[column] = _number(path, number, column, text, delimiter, low, high, f" for a {kind} ({why})")
    profile = values.get("load_profile", "")
    if profile:
        row["load_profile"] = profile
    problem = member_problem(row)
    if problem is not None:
        raise InputError(path, where + problem[0], problem[1])
    if profile and profile not in LOAD_PROFILES:
        metered = (path.parent / profile).resolve()
        if not metered.is_file():
            raise InputError(
                path,
                where + "load_profile",
                f"{profile!r}: no such file ({metered}); allowed: {', '.join(LOAD_PROFILES)}, or the path of a CSV "
                "of metered load relative to the members file",
            )
        read_metered_load(metered)
        row["load_profile"] = str(metered)
    try:
        return Member.model_validate(row)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        column = ".".join(str(p) for p in err.get("loc", ())) or "id"
        raise InputError(
            path, where + column, f"{err.get('msg', 'invalid value')} (got {err.get('input')!r})"
        ) from None


@lru_cache(maxsize=256)
def _metered(path: str, mtime_ns: int, size: int) -> np.ndarray:
    """:func:`read_metered_load` of the file at ``path`` as it is at ``mtime_ns``, ``size``."""
    file = Path(path)
    rows, delimiter = _lines(file, "metered load")
    (header_row, header), body = rows[0], rows[1:]
    if "kwh" not in header:
        raise InputError(
            file,
            f"row {header_row}, column kwh",
            "missing column; allowed: a header with a column kwh (others ignored)",
        )
    column = header.index("kwh")
    if len(body) not in METERED_ROWS:
        raise InputError(
            file,
            f"row {body[-1][0] if body else header_row}",
            f"{len(body)} values; allowed: 8760 hourly or 17520 half-hourly values of one year from 1 January "
            "(a leap year without 29 February)",
        )
    values = np.empty(len(body))
    for k, (number, fields) in enumerate(body):
        text = fields[column] if column < len(fields) else ""
        values[k] = _number(file, number, "kwh", text, delimiter, 0.0, 1e9, " (a metered energy or power)")
    hourly = values.reshape(DAYS_PER_YEAR * HOURS, -1).sum(axis=1).reshape(DAYS_PER_YEAR, HOURS)
    total = float(hourly.sum())
    if total <= 0:
        raise InputError(file, "column kwh", "every value is 0; allowed: a year of metered load with some consumption")
    shape = hourly / (total / DAYS_PER_YEAR)
    shape.flags.writeable = False
    return shape


def read_metered_load(path: str | Path) -> np.ndarray:
    """The metered load at ``path`` as the expected kWh in each hour of each day of the year per
    kWh/day of mean demand, ``(365, 24)`` (its days sum to 365 in all). Read once per file
    version.

    Raises :class:`~commons_abm.core.errors.InputError` naming the file, the row and the column."""
    file = Path(path)
    if not file.is_file():
        raise InputError(file, None, "metered load not found; expected a CSV file with a column kwh")
    stat = file.stat()
    return _metered(str(file.resolve()), stat.st_mtime_ns, stat.st_size)


def ordered_members(members: list[Member]) -> list[Member]:
    """The participants in the model's agent order: kind by kind in the order of
    :data:`~commons_abm.core.kinds.KINDS`, in list order within a kind."""
    code = {name: kind_named(model).code for name, model in MEMBER_KINDS.items()}
    return sorted(members, key=lambda m: code[m.kind])


# --------------------------------------------------------------------- the scenario file
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items() if v is not None) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def _toml_string(text: str) -> str:
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _toml_table(data: dict[str, Any], prefix: str, lines: list[str]) -> None:
    """``data``'s values, then its sub-tables, as TOML under the table ``prefix``."""
    for key, value in data.items():
        if value is None or isinstance(value, dict):
            continue
        if key == "members":
            lines.append("members = [")
            lines += [f"  {_toml_value(row)}," for row in value]
            lines.append("]")
            continue
        lines.append(f"{key} = {_toml_value(value)}")
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{prefix}{key}]"]
            _toml_table(value, f"{prefix}{key}.", lines)


def _relative(path: Path, folder: Path) -> str:
    """``path`` relative to ``folder`` when it can be, else absolute, with ``/`` separators."""
    try:
        return Path(os.path.relpath(path, folder)).as_posix()
    except ValueError:  # another drive
        return path.as_posix()


def scenario_text(members: list[Member], base: Scenario, members_file: Path, out: Path) -> str:
    """The TOML text of the scenario of ``members`` (read from ``members_file``) with every
    other field from ``base``, to be written at ``out``; its header says which is which.

    Each participant's own battery is added to the shared battery's capacity: the model has
    one battery, operated for the community (:class:`~commons_abm.core.scenario.Member`)."""
    folder = out.resolve().parent
    data = base.model_dump(mode="python")
    rows = []
    for member in members:
        row = {k: v for k, v in member.model_dump().items() if v is not None and not (k == "battery_kwh" and v == 0)}
        if member.load_profile is not None and member.load_profile not in LOAD_PROFILES:
            row["load_profile"] = _relative(Path(member.load_profile), folder)
        rows.append(row)
    territory = {
        k: v for k, v in data["territory"].items() if k not in ("households", "firms", "officials", "neighbourhoods")
    }
    territory["members"] = rows
    data["territory"] = territory
    own = sum(m.battery_kwh for m in members)
    base_battery = base.energy.battery.capacity_kwh
    data["energy"]["battery"]["capacity_kwh"] = base_battery + own
    if base.rules.rulebook is not None:
        data["rules"]["rulebook"] = _relative(base.resolve(base.rules.rulebook).resolve(), folder)
    if base.network.file is not None:
        data["network"]["file"] = _relative(base.resolve(base.network.file).resolve(), folder)
    data["name"] = out.stem

    counts = {name: sum(1 for m in members if m.kind == name) for name in MEMBER_KINDS}
    neighbourhoods = len({m.neighbourhood for m in members})
    given = [c for c in OPTIONAL_COLUMNS if any(getattr(m, c) not in (None, 0.0) for m in members)]
    metered = sum(1 for m in members if m.load_profile is not None and m.load_profile not in LOAD_PROFILES)
    base_name = _relative(base.source_file, folder) if base.source_file is not None else "the built-in defaults"
    header = [
        f"# The territory of {members_file.name}, written by `commons-abm territory`; every field, its unit",
        "# and its allowed values: docs/scenario.md (section 'A community's own territory').",
        "#",
        f"# From the members file ({_relative(members_file.resolve(), folder)}):",
        f"#   territory.members: {len(members)} participants, {counts['household']} households, {counts['firm']} firms "
        f"and {counts['public']} public buildings,",
        f"#     each with its id, kind, neighbourhood, annual_kwh, pv_kwp{''.join(', ' + c for c in given)}"
        + (f" ({metered} metered load(s))" if metered else ""),
        f"#   territory.households, firms, officials, neighbourhoods ({neighbourhoods}): counted from the list",
        f"#   energy.battery.capacity_kwh = {base_battery:g} kWh (base) + {own:g} kWh (the members' own batteries):",
        "#     the model has one shared battery, operated for the community, so the members' batteries join it",
        f"# From the base scenario ({base_name}): every other field, among them",
        "#   territory.persons_per_household (households without persons), territory.energy_poor_share,",
        "#   energy.pv, energy.battery (but its capacity), energy.tariffs, energy.noise, the calendar,",
        "#   network, materials, behaviour, rules (rules.membership_share: the share of the participants who",
        "#   are members of the energy community at the start), officials and run.",
        "#   energy.households, energy.firms and energy.public_buildings (the statistics the territory is",
        "#   drawn from without a members list) are not used: the participants' own values replace them.",
        "",
    ]
    lines = list(header)
    _toml_table({k: v for k, v in data.items() if not isinstance(v, dict)}, "", lines)
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{key}]"]
            _toml_table(value, f"{key}.", lines)
    return "\n".join(lines) + "\n"
