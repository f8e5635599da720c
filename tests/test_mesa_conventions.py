"""The model follows Mesa's conventions: built from keywords, run by ``mesa.batch_run``,
read through a ``DataCollector``, rebuilt by ``SolaraViz`` from its ``model_params``."""

from __future__ import annotations

import inspect

import mesa
import numpy as np
import pytest

from commons_abm.core.errors import InputError
from commons_abm.core.indicators import COLUMNS
from commons_abm.model import CommonsModel, IndicatorCollector

SMALL = {"territory.households": 30, "territory.firms": 3, "territory.officials": 1}


def test_batch_run_returns_rows_with_the_indicators() -> None:
    rows = mesa.batch_run(CommonsModel, parameters={"seed": [1, 2]}, max_steps=5, display_progress=False)
    assert len(rows) == 2
    for row in rows:
        assert {"RunId", "iteration", "Step", "seed"} <= set(row)
        assert set(COLUMNS) <= set(row)
        assert row["Step"] == 5  # batch_run steps while model.steps <= max_steps: 6 days, the last is day 5
        assert row["step"] == row["Step"]
        assert np.isfinite(row["trust_institutional"])
    assert rows[0]["trust_institutional"] != rows[1]["trust_institutional"]  # two seeds, two territories


def test_batch_run_varies_a_scenario_field_by_its_dotted_path() -> None:
    rows = mesa.batch_run(
        CommonsModel,
        parameters={"seed": 3, "energy.pv.adoption": [0.0, 0.6], **SMALL},
        max_steps=2,
        display_progress=False,
    )
    production = {row["energy.pv.adoption"]: row["production_kwh"] for row in rows}
    assert production[0.0] == 0.0 < production[0.6]


def test_model_from_keywords_alone_names_shipped_files() -> None:
    model = CommonsModel(scenario="default", rulebook="full_ostrom", seed=4, create_agents=False, **SMALL)
    assert model.scenario.run.seed == 4
    assert model.state.n == 34
    assert model.institutions.name == "full_ostrom"
    same = CommonsModel(
        scenario="default", rulebook="full_ostrom", overrides={**SMALL, "run.seed": 4}, create_agents=False
    )
    assert same.run(3).equals(model.run(3))


def test_unknown_names_and_keywords_are_refused() -> None:
    with pytest.raises(InputError, match="shipped"):
        CommonsModel(rulebook="no_such_rulebook")
    with pytest.raises(InputError, match="shipped"):
        CommonsModel(scenario="no_such_scenario")
    with pytest.raises(TypeError, match="dotted"):
        CommonsModel(households=3)
    with pytest.raises(InputError):
        CommonsModel(**{"territory.no_such_field": 3})


def test_mesa_rng_keyword_is_the_seed() -> None:
    a = CommonsModel(rng=5, create_agents=False, **SMALL).run(3)
    b = CommonsModel(seed=5, create_agents=False, **SMALL).run(3)
    assert a.equals(b)
    with pytest.raises(ValueError, match="seed"):
        CommonsModel(rng=np.random.default_rng(5))


def test_solara_viz_can_rebuild_it_from_model_params() -> None:
    """What Mesa's ``SolaraViz`` does: check the parameters against ``__init__`` (keywords
    only; anything goes through ``**kwargs``), then call the class with them and a simulator."""
    signature = inspect.signature(CommonsModel.__init__)
    assert not any(p.kind == p.VAR_POSITIONAL for p in signature.parameters.values())
    assert "kwargs" in signature.parameters  # SolaraViz lets any name through to a parameter called kwargs
    params = {
        "scenario": "default",
        "rulebook": "status_quo",
        "seed": 2,
        "energy.tariffs.import_eur_per_kwh": 0.3,
        **SMALL,
    }
    model = CommonsModel(simulator=None, **params)
    model.step()
    assert model.scenario.energy.tariffs.import_eur_per_kwh == 0.3
    assert len(model.timeseries()) == 1


def test_datacollector_reads_the_recorded_indicators_without_slowing_the_loop() -> None:
    model = CommonsModel(seed=1, create_agents=False, **SMALL)
    assert isinstance(model.datacollector, IndicatorCollector)
    assert not model.datacollector.collects_agents
    frame = model.run(10)  # the compiled loop: nothing is collected while it runs
    assert model.datacollector.get_model_vars_dataframe().equals(frame)
    assert model.datacollector.model_vars["trust_institutional"] == frame["trust_institutional"].tolist()


def test_agent_reporters_are_collected_each_step() -> None:
    model = CommonsModel(seed=1, create_agents=False, agent_reporters={"trust": "trust_institutional"}, **SMALL)
    model.run(4)
    agents = model.datacollector.get_agent_vars_dataframe()
    assert len(agents) == 4 * model.state.n
    last = agents.xs(4, level="Step")["trust"].to_numpy()
    np.testing.assert_array_equal(np.sort(last), np.sort(model.state.trust_institutional))
