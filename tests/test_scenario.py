"""Scenario files: validation, defaults, overrides, documentation of every field."""

from __future__ import annotations

import pydantic
import pytest

from commons_abm.core.errors import InputError
from commons_abm.core.scenario import Scenario, describe_fields, load_scenario, scenario_from_dict, with_overrides

from .conftest import DEFAULT_SCENARIO


def test_default_file_equals_schema_defaults() -> None:
    """The shipped default.toml and the schema's defaults describe the same scenario."""
    expected = Scenario(name="default", rules={"rulebook": "../rulebooks/status_quo.toml"})
    assert load_scenario(DEFAULT_SCENARIO).model_dump() == expected.model_dump()


def test_default_scenario_matches_the_brief() -> None:
    sc = load_scenario(DEFAULT_SCENARIO)
    assert 250 <= sc.territory.households <= 350
    assert sc.territory.firms == 20 and sc.territory.officials == 5
    assert 4250 <= sc.energy.households.annual_demand_kwh <= 4800  # RTE, ORE
    assert sc.materials.households.kg_per_inhabitant_year == 615  # INSEE 2021


def test_every_field_is_documented_with_a_unit_or_choice() -> None:
    rows = describe_fields()
    assert len(rows) > 60
    for name, _default, allowed, description in rows:
        assert description, f"{name} has no description"
        assert allowed, f"{name} has no allowed values"


def test_overrides_are_validated() -> None:
    sc = Scenario()
    assert with_overrides(sc, **{"run.steps": 7}).run.steps == 7
    with pytest.raises(InputError, match="run.steps"):
        with_overrides(sc, **{"run.steps": 0})


def test_errors_name_source_and_field() -> None:
    with pytest.raises(InputError) as info:
        scenario_from_dict({"energy": {"battery": {"capacity_kwh": -1}}}, source="x.toml")
    text = str(info.value)
    assert text.startswith("x.toml: energy.battery.capacity_kwh: ")
    assert "greater than or equal to 0" in text and "\n" not in text


def test_file_generator_needs_a_file() -> None:
    with pytest.raises(InputError, match="network.file"):
        scenario_from_dict({"network": {"generator": "file"}}, source="x.toml")


def test_validate_assignment() -> None:
    sc = Scenario()
    with pytest.raises(pydantic.ValidationError):
        sc.territory.households = -3


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"territory": {"households": True}}, "territory.households"),  # a boolean is no count
        ({"territory": {"households": 3.0}}, "territory.households"),  # nor is a real number
        ({"territory": {"energy_poor_share": "0.5"}}, "territory.energy_poor_share"),  # a string is no share
        ({"energy": {"households": {"annual_demand_kwh": float("inf")}}}, "energy.households.annual_demand_kwh"),
        ({"energy": {"tariffs": {"import_eur_per_kwh": float("nan")}}}, "energy.tariffs.import_eur_per_kwh"),
        ({"energy": {"battery": {"capacity_kwh": float("inf")}}}, "energy.battery.capacity_kwh"),
    ],
)
def test_types_are_not_converted_and_numbers_are_finite(data: dict, field: str) -> None:
    with pytest.raises(InputError) as info:
        scenario_from_dict(data, source="strict.toml")
    assert info.value.field == field and "\n" not in str(info.value)


def test_an_integer_is_a_real_number_and_sampled_numbers_are_plain() -> None:
    import numpy as np

    sc = scenario_from_dict({"energy": {"households": {"annual_demand_kwh": 4000}}})
    assert sc.energy.households.annual_demand_kwh == 4000.0
    sc = with_overrides(sc, **{"territory.households": np.int64(40), "energy.households.pv_adoption": np.float64(0.3)})
    assert sc.territory.households == 40 and type(sc.territory.households) is int


def test_a_file_nested_too_deeply_or_too_large_is_refused(tmp_path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 1000 + "]" * 1000 + "\n")
    with pytest.raises(InputError, match="nested too deeply") as info:
        load_scenario(deep)
    assert "\n" not in str(info.value)
    large = tmp_path / "large.toml"
    large.write_text('name = "' + "x" * (11 * 1024 * 1024) + '"\n')
    with pytest.raises(InputError, match="MiB"):
        load_scenario(large)


def test_a_graph_file_is_read_only_by_the_file_generator() -> None:
    with pytest.raises(InputError, match="read only with generator 'file'") as info:
        scenario_from_dict({"network": {"generator": "small_world", "file": "graph.graphml"}}, source="net.toml")
    assert info.value.field == "network" and "\n" not in str(info.value)


@pytest.mark.parametrize(
    "field",
    [
        "energy.households.annual_demand_kwh",
        "energy.firms.pv_kwp_mean",
        "energy.battery.capacity_kwh",
        "energy.tariffs.import_eur_per_kwh",
        "materials.households.kg_per_inhabitant_year",
        "materials.costs.virgin_eur_per_kg",
    ],
)
def test_absurd_magnitudes_are_refused(field: str) -> None:
    section, *rest = field.split(".")
    data: dict = {}
    node = data.setdefault(section, {})
    for key in rest[:-1]:
        node = node.setdefault(key, {})
    node[rest[-1]] = 1e308
    with pytest.raises(InputError) as info:
        scenario_from_dict(data, source="absurd.toml")
    assert info.value.field == field and "less than or equal" in info.value.message


def test_a_territory_at_every_upper_limit_keeps_its_balances_closed() -> None:
    """The limits of docs/scenario.md are low enough for float64: balances close to 1e-6 of the flows."""
    import numpy as np

    from commons_abm.core import scenario as sc_module
    from commons_abm.model import CommonsModel

    limits = {
        "territory.households": 30,
        "territory.firms": 4,
        "territory.officials": 2,
        "energy.households.annual_demand_kwh": sc_module.MAX_ANNUAL_KWH,
        "energy.firms.annual_demand_kwh": sc_module.MAX_ANNUAL_KWH,
        "energy.households.pv_adoption": 1.0,
        "energy.households.pv_kwp_mean": sc_module.MAX_PV_KWP,
        "energy.firms.pv_kwp_mean": sc_module.MAX_PV_KWP,
        "energy.battery.capacity_kwh": sc_module.MAX_BATTERY_KWH,
        "energy.battery.power_kw": sc_module.MAX_BATTERY_KW,
        "energy.tariffs.import_eur_per_kwh": sc_module.MAX_EUR_PER_KWH,
        "materials.households.kg_per_inhabitant_year": sc_module.MAX_KG_PER_INHABITANT_YEAR,
        "materials.firms.input_kg_per_day": sc_module.MAX_KG_PER_DAY,
        "materials.firms.byproduct_kg_per_day": sc_module.MAX_KG_PER_DAY,
        "materials.hub.storage_kg": sc_module.MAX_STORAGE_KG,
        "materials.hub.intake_kg_per_hour": sc_module.MAX_KG_PER_DAY,
        "materials.hub.sales_kg_per_hour": sc_module.MAX_KG_PER_DAY,
        "materials.costs.virgin_eur_per_kg": sc_module.MAX_EUR_PER_KG,
    }
    ts = CommonsModel(DEFAULT_SCENARIO, seed=3, create_agents=False, **limits).run(20)
    numbers = ts.drop(columns=["member_trust_institutional"]).select_dtypes("number").to_numpy()  # NaN: no members
    assert np.isfinite(numbers).all()
    demand = ts["consumption_kwh"].abs().max()
    assert (ts["energy_balance_residual_kwh"].abs() <= 1e-6 * demand).all()
    assert (ts["material_balance_residual_kg"].abs() <= 1e-6 * ts["material_inputs_kg"].abs().max()).all()
