"""Errors for bad input: one line naming the file, the field and what is allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

__all__ = ["InputError", "describe_validation_error"]


class InputError(Exception):
    """Bad input in a file or on the command line.

    ``str(error)`` is a single line: ``FILE: FIELD: what is wrong and what is allowed``.
    The command-line interface prints it to stderr and exits with status 2.
    """

    def __init__(self, source: str | Path | None, field: str | None, message: str) -> None:
        self.source = str(source) if source is not None else None
        self.field = field
        self.message = " ".join(str(message).split())  # always one line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.field) if p]
        return ": ".join([*parts, self.message])


def _sub_model(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model found by following ``loc`` from ``model`` (None if not a model)."""
    current: Any = model
    for key in loc:
        fields = getattr(current, "model_fields", None)
        if not fields or key not in fields:
            return None
        annotation = fields[key].annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        current = annotation
    return current


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_validation_error(exc: ValidationError, model: type[BaseModel]) -> tuple[str | None, str]:
    """The first error of ``exc`` as ``(dotted field, what is wrong and allowed)``."""
    err = exc.errors(include_url=False)[0]
    loc = tuple(p for p in err.get("loc", ()) if not isinstance(p, int) or True)
    field = ".".join(str(p) for p in loc) or None
    kind = err.get("type", "")
    given = err.get("input")
    if kind == "extra_forbidden":
        parent = _sub_model(model, loc[:-1])
        allowed = sorted(name for name, info in (parent.model_fields.items() if parent else []) if not info.exclude)
        hint = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        return field, f"unknown key{hint}"
    if kind == "missing":
        return field, "required field is missing"
    msg = err.get("msg", "invalid value")
    msg = msg.removeprefix("Value error, ")
    if kind not in {"value_error", "assertion_error"} and not isinstance(given, dict):
        msg = f"{msg} (got {_short(given)})"
    return field, msg
