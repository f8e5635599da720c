"""Reading the project's input files: TOML, then validation, with one-line errors.

Scenario, rulebook and experiment files are all read the same way: a missing file, a
folder, malformed TOML or text that is not UTF-8 is an :class:`InputError` naming the
file; a pydantic validation error is one naming the file and the field.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from commons_abm.core.errors import InputError, describe_validation_error

__all__ = ["read_toml", "validated"]

Model = TypeVar("Model", bound=BaseModel)

MAX_BYTES = 10 * 1024 * 1024  # an input file is a few kilobytes; a larger one is refused before parsing


def read_toml(path: str | Path, kind: str) -> dict:
    """The parsed content of the TOML ``kind`` file (``"scenario"``, ``"rulebook"``, ...) at ``path``."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, None, f"{kind} file not found; expected a TOML {kind} file")
    if not path.is_file():
        raise InputError(path, None, f"not a file; expected a TOML {kind} file")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(
            path,
            None,
            f"{path.stat().st_size} bytes; allowed: a TOML {kind} file under {MAX_BYTES // (1024 * 1024)} MiB",
        )
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, None, f"malformed TOML: {exc}") from None
    except RecursionError:
        raise InputError(
            path, None, f"nested too deeply; allowed: a TOML {kind} file of tables and arrays a few levels deep"
        ) from None
    except UnicodeDecodeError:
        raise InputError(path, None, f"not UTF-8 text; expected a TOML {kind} file") from None


def validated(model: type[Model], data: dict, source: str | Path) -> Model:
    """``data`` validated as ``model``; an error names ``source`` and the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        where, message = describe_validation_error(exc, model)
        raise InputError(source, where, message) from None
