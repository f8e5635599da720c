"""Calibrated behaviour: values fitted to lab experiments, and the territory's defaults.

``calibration/calibrate.py`` fits the behavioural core to the public goods experiments of
Fehr & Gächter (2000) and the type shares of Fischbacher, Gächter & Fehr (2001) through the
lab games (:mod:`commons_abm.games`), writes ``calibration/fitted.toml`` and, with
``--install``, the packaged copy :data:`CALIBRATED_FILE`: every fitted field by Behaviour
section, and ``territory_fields``, the fields the territory model takes as its defaults.

* :func:`commons_abm.games.lab.lab_behaviour`: the behaviour with every fitted field (the lab games' default);
* :func:`calibrated`: the default :mod:`commons_abm.core.scenario` gives a field listed in
  ``territory_fields``, its literal fallback for any other.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

__all__ = ["CALIBRATED_FILE", "calibrated", "calibrated_values", "lab_setting", "territory_fields"]

CALIBRATED_FILE = Path(__file__).resolve().parents[1] / "data" / "calibrated_behaviour.toml"


@cache
def _load(path: Path) -> dict:
    if not path.exists():
        return {}
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def calibrated_values(path: Path = CALIBRATED_FILE) -> dict[str, dict[str, float]]:
    """Every fitted field, by Behaviour section (empty if the file is absent); the lab's own
    settings (not Behaviour fields) under ``lab``."""
    return {
        section: {k: float(v) for k, v in fields.items()}
        for section, fields in _load(path).items()
        if isinstance(fields, dict)
    }


def lab_setting(name: str, fallback: float) -> float:
    """A fitted setting of the lab games themselves (section ``lab``), or ``fallback``."""
    return calibrated_values().get("lab", {}).get(name, fallback)


def territory_fields(path: Path = CALIBRATED_FILE) -> tuple[str, ...]:
    """The fields (``section.field``) the territory model takes from the calibration."""
    return tuple(_load(path).get("territory_fields", ()))


def calibrated(section: str, field: str, fallback: float) -> float:
    """The territory's default of ``behaviour.<section>.<field>``: calibrated, or ``fallback``."""
    if f"{section}.{field}" not in territory_fields():
        return fallback
    return calibrated_values().get(section, {}).get(field, fallback)
