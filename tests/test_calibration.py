"""Calibration: the fit is reproducible, the shipped values are its output, and the territory
model and the lab games take them as their defaults."""

from __future__ import annotations

import importlib.util
import sys
import tomllib

import numpy as np
import pytest

from commons_abm.core.calibrated import CALIBRATED_FILE, calibrated_values, lab_setting, territory_fields
from commons_abm.core.scenario import Behaviour
from commons_abm.games import PublicGoodsRules
from commons_abm.games.lab import lab_behaviour

from .conftest import ROOT

FITTED = ROOT / "calibration" / "fitted.toml"


@pytest.fixture(scope="module")
def calibrate():
    """The calibration script, imported from calibration/calibrate.py."""
    spec = importlib.util.spec_from_file_location("calibrate", ROOT / "calibration" / "calibrate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["calibrate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fitted() -> dict:
    with open(FITTED, "rb") as fh:
        return tomllib.load(fh)


def test_targets_load_with_their_uncertainties(calibrate) -> None:
    targets = calibrate.load_targets()
    assert set(targets["trajectories"]) == set(calibrate.TREATMENTS)
    for values, sigma in targets["trajectories"].values():
        assert values.shape == sigma.shape == (10,)
        assert ((values >= 0) & (values <= 1)).all() and (sigma > 0).all()
    shares, sigma = targets["types"]
    assert shares.sum() == pytest.approx(1.0) and (sigma > 0).all()


def test_loss_is_zero_at_the_targets_and_grows_with_misfit(calibrate) -> None:
    targets = calibrate.load_targets()
    exact = {name: obs for name, (obs, _) in targets["trajectories"].items()}
    exact["types"] = targets["types"][0]
    assert calibrate.chi_square(exact, targets) == 0.0
    fitted_figures = 10 * (len(calibrate.TREATMENTS) - len(calibrate.HELD_OUT))
    off = dict(exact, partner_punishment=exact["partner_punishment"] - 0.05)  # z = 1 on 10 figures
    assert calibrate.chi_square(off, targets) == pytest.approx(10 / fitted_figures)
    strangers = dict(exact, stranger_punishment=exact["stranger_punishment"] + 0.2)  # z = 4 on 10 figures
    assert calibrate.HELD_OUT == ()  # every treatment is fitted, strangers with punishment too
    assert calibrate.chi_square(strangers, targets) == pytest.approx(16 * 10 / 40)
    assert calibrate.chi_square(strangers, targets, held_out=("stranger_punishment",)) == 0.0


def test_reduced_calibration_is_reproducible(calibrate) -> None:
    """A small budget, run twice with the same seed: the same fitted.toml text; another seed
    gives other values."""
    first = calibrate.render(calibrate.calibrate(seed=5, maxiter=1, popsize=2))
    second = calibrate.render(calibrate.calibrate(seed=5, maxiter=1, popsize=2))
    assert first == second
    other = calibrate.render(calibrate.calibrate(seed=6, maxiter=1, popsize=2))
    assert other != first


@pytest.mark.slow
def test_shipped_fitted_toml_is_what_calibrate_produces(calibrate, fitted) -> None:
    """Rerunning the full calibration with fitted.toml's settings reproduces it exactly
    (about 3-4 minutes on one core)."""
    c = fitted["calibration"]
    fit = calibrate.calibrate(seed=c["seed"], maxiter=c["maxiter"], popsize=c["popsize"])
    assert calibrate.render(fit) == FITTED.read_text(encoding="utf-8")


def test_packaged_values_are_the_fitted_ones(fitted) -> None:
    """src/commons_abm/data/calibrated_behaviour.toml holds fitted.toml's values."""
    packaged = calibrated_values()
    for section, fields in fitted["behaviour"].items():
        assert packaged[section] == fields
    assert packaged["lab"] == fitted["lab"]["public_goods"]
    assert list(territory_fields()) == fitted["territory_defaults"]["fields"]


def test_territory_defaults_are_the_calibrated_fields() -> None:
    """Behaviour() takes every listed field from the calibration, and no other."""
    behaviour = Behaviour()
    listed = territory_fields()
    assert listed, "the calibration lists no territory field"
    values = calibrated_values()
    for name in listed:
        section, field = name.split(".")
        assert getattr(getattr(behaviour, section), field) == values[section][field], name
    # a lab period is not a territory day: the belief rate stays the territory's own
    assert "decisions.belief_rate" not in listed
    assert behaviour.decisions.belief_rate != values["decisions"]["belief_rate"]


def test_lab_behaviour_takes_every_fitted_field() -> None:
    behaviour = lab_behaviour()
    for section, fields in calibrated_values().items():
        if section == "lab":
            continue
        for field, value in fields.items():
            assert getattr(getattr(behaviour, section), field) == value
    assert PublicGoodsRules().initial_sanction_belief == lab_setting("initial_sanction_belief", -1.0)


def test_loader_reads_a_given_file(tmp_path) -> None:
    path = tmp_path / "cal.toml"
    path.write_text(
        'territory_fields = ["decisions.deterrence_noise"]\n\n[decisions]\ndeterrence_noise = 0.7\nbelief_rate = 0.5\n',
        encoding="utf-8",
    )
    assert territory_fields(path) == ("decisions.deterrence_noise",)
    assert calibrated_values(path) == {"decisions": {"deterrence_noise": 0.7, "belief_rate": 0.5}}
    lab = lab_behaviour(Behaviour(), path)
    assert (lab.decisions.deterrence_noise, lab.decisions.belief_rate) == (0.7, 0.5)
    assert calibrated_values(tmp_path / "absent.toml") == {}
    assert CALIBRATED_FILE.exists()


def test_fitted_values_carry_their_spread(fitted) -> None:
    spread = fitted["spread"]
    for section, fields in fitted["behaviour"].items():
        for field in fields:
            if field != "other":
                assert spread[f"{section}.{field}"] >= 0.0
    assert np.isfinite(fitted["calibration"]["loss"])
