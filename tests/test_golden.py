"""Golden trajectories: the model reproduces its recorded runs (``tests/golden/``).

A stage rewritten for speed must give the same runs; a deliberate change of the model
regenerates the file (``tests/golden/cases.py``). Values are compared to 1e-9 relative:
the same code on another machine may round the last digits differently, never more.
Both ways of running a model are checked: ``model.run()`` (the stages compiled into one
loop, :mod:`commons_abm.engines.compiled`) and ``model.step()`` day by day (the stages one Python
call at a time).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from .golden.cases import FILE, STEPS, cases

RESIDUALS = ("energy_balance_residual_kwh", "material_balance_residual_kg")


@pytest.fixture(scope="module")
def recorded() -> pd.DataFrame:
    return pd.read_parquet(FILE)


def _stepped(model):
    for _ in range(STEPS):
        model.step()
    return model.timeseries()


@pytest.mark.parametrize("how", ["run", "step"])
@pytest.mark.parametrize("name, build", list(cases()), ids=lambda v: v if isinstance(v, str) else "")
def test_run_reproduces_its_golden_trajectory(name: str, build, how: str, recorded: pd.DataFrame) -> None:
    expected = recorded[recorded["case"] == name].drop(columns="case").reset_index(drop=True)
    assert len(expected) == STEPS, f"no golden trajectory for {name}: regenerate tests/golden"
    model = build()
    frame = model.run(STEPS) if how == "run" else _stepped(model)
    assert list(frame.columns) == list(expected.columns)
    for column in frame.columns:
        got, want = frame[column].to_numpy(float), expected[column].to_numpy(float)
        if column in RESIDUALS:  # rounding noise: both must be tiny, not equal
            assert np.abs(got).max() < 1e-6 and np.abs(want).max() < 1e-6, column
            continue
        np.testing.assert_allclose(
            got,
            want,
            rtol=1e-9,
            atol=1e-9,
            equal_nan=True,
            err_msg=f"{name}: {column} differs from the golden trajectory",
        )
