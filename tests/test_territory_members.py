"""A community's own territory: a members file becomes a scenario whose agents are its rows.

``commons-abm territory MEMBERS.csv --out SCENARIO.toml`` writes the scenario; the state it
builds has exactly the participants' kinds, demands, PV and persons; a year of demand sums to
each one's ``annual_kwh`` (to 1 %, whatever its load profile: its kind's, another named one or
a metered year); a run closes its energy balance and repeats itself; a bad file is one line
naming the file, the row and the column, exit 2, and nothing written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from commons_abm.cli import main
from commons_abm.core.calendar import HOURS, day_of_step
from commons_abm.core.errors import InputError
from commons_abm.core.kinds import KIND_NAMES, LOAD_PROFILES
from commons_abm.core.scenario import MEMBER_KINDS, load_scenario, scenario_from_dict, with_overrides
from commons_abm.core.seeding import streams
from commons_abm.model import CommonsModel
from commons_abm.territory.build import build_state
from commons_abm.territory.demand import _day_table, daily_demand, profile_day
from commons_abm.territory.members import ordered_members, read_members, read_metered_load, scenario_text

from .conftest import ROOT

EXAMPLE = ROOT / "experiments" / "territories" / "members_example.csv"
EXAMPLE_TOML = ROOT / "experiments" / "territories" / "example.toml"
HEADER = "id,kind,neighbourhood,annual_kwh,pv_kwp,battery_kwh,persons,load_profile\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _metered_year(path: Path, half_hourly: bool = False) -> np.ndarray:
    """A made-up metered year (a winter-heavy evening load), written as a CSV with a timestamp column."""
    days = np.arange(365)[:, None]
    hours = np.arange(HOURS)[None, :]
    load = (1.0 + 0.4 * np.cos(2 * np.pi * days / 365)) * (0.3 + np.exp(-((hours - 19) ** 2) / 8.0))
    values = np.repeat(load.ravel() / 2, 2) if half_hourly else load.ravel()
    lines = ["timestamp;kwh"] + [f"{k};{str(round(v, 6)).replace('.', ',')}" for k, v in enumerate(values)]
    _write(path, "# a smart meter's year\n" + "\n".join(lines) + "\n")
    return load


def _territory(tmp_path: Path, *extra: str) -> Path:
    """A small members file: three households, a firm and a public building, and ``extra`` rows."""
    rows = [
        "a,household,Centre,4500,3,,2,",
        "b,household,Centre,3000,0,,,",
        "c,household,Haut,6000,6,5,4,",
        "f,firm,Haut,30000,12,,,",
        "p,public,Centre,40000,36,,,",
        *extra,
    ]
    return _write(tmp_path / "members.csv", HEADER + "\n".join(rows) + "\n")


def _scenario_of(members: Path, out: Path):
    assert main(["territory", str(members), "--out", str(out)]) == 0
    return load_scenario(out)


# ----------------------------------------------------------------------- the example
def test_the_example_builds_a_state_of_exactly_its_rows(tmp_path: Path) -> None:
    members = read_members(EXAMPLE)
    assert 35 <= len(members) <= 45  # a real-sized collective operation
    scenario = _scenario_of(EXAMPLE, tmp_path / "example.toml")
    state = build_state(scenario, streams(7))
    rows = ordered_members(members)
    assert state.n == len(rows)
    assert [KIND_NAMES[k] for k in state.kind] == [MEMBER_KINDS[r.kind] for r in rows]
    np.testing.assert_array_equal(state.annual_demand_kwh, [r.annual_kwh for r in rows])
    np.testing.assert_array_equal(state.pv_kwp, [r.pv_kwp for r in rows])
    homes = state.kind == 0
    want = [r.persons if r.persons is not None else scenario.territory.persons_per_household for r in rows]
    np.testing.assert_array_equal(state.persons[homes], np.array(want)[homes])
    assert (state.persons[~homes] == 0).all()
    # neighbourhoods: one index per name, the same name the same index
    names = [r.neighbourhood for r in rows]
    for i in range(state.n):
        for j in range(state.n):
            assert (names[i] == names[j]) == (state.neighbourhood[i] == state.neighbourhood[j])
    assert scenario.territory.neighbourhoods == len(set(names))
    # the members' own batteries join the shared battery
    base = load_scenario(None)
    own = sum(r.battery_kwh for r in members)
    assert own > 0
    assert scenario.energy.battery.capacity_kwh == pytest.approx(base.energy.battery.capacity_kwh + own)
    # a named profile other than the kind's own is followed
    gite = [i for i, r in enumerate(rows) if r.load_profile == "residential" and r.kind == "firm"]
    assert gite and (state.load_profile[gite] == LOAD_PROFILES.index("residential")).all()


def test_the_shipped_example_scenario_is_the_one_the_command_writes() -> None:
    text = scenario_text(read_members(EXAMPLE), load_scenario(None), EXAMPLE, EXAMPLE_TOML)
    assert EXAMPLE_TOML.read_text(encoding="utf-8") == text, (
        "run: commons-abm territory experiments/territories/members_example.csv "
        "--out experiments/territories/example.toml"
    )


def test_the_scenario_states_what_came_from_where(tmp_path: Path) -> None:
    out = tmp_path / "s.toml"
    _scenario_of(_territory(tmp_path), out)
    head = out.read_text(encoding="utf-8").split("\nname = ")[0]
    assert "From the members file" in head and "From the base scenario" in head
    for field in ("territory.members", "energy.battery.capacity_kwh", "rules", "network", "behaviour"):
        assert field in head, field
    assert "default.toml" in head


def test_the_default_scenario_follows_its_kinds_profiles() -> None:
    state = build_state(load_scenario(None), streams(1))
    np.testing.assert_array_equal(state.load_profile, state.kind)
    assert state.metered_load is None


# --------------------------------------------------------------------------- demand
def _year_of_demand(scenario, seed: int = 3) -> tuple[np.ndarray, object]:
    quiet = with_overrides(scenario, **{"energy.noise.daily_cv": 0.0, "energy.noise.hourly_cv": 0.0})
    state = build_state(quiet, streams(seed))
    rng = np.random.default_rng(0)
    total = np.zeros(state.n)
    for step in range(365):
        total += daily_demand(state, quiet.energy, day_of_step(step, 1, 0), rng).sum(axis=1)
    return total, state


def test_a_year_of_demand_is_each_participants_annual_kwh(tmp_path: Path) -> None:
    _metered_year(tmp_path / "hourly.csv")
    _metered_year(tmp_path / "half.csv", half_hourly=True)
    members = _territory(
        tmp_path,
        "m1,household,Haut,5200,0,,,hourly.csv",
        "m2,firm,Centre,18000,0,,,half.csv",
        "g,firm,Haut,7000,0,,,residential",
    )
    scenario = _scenario_of(members, tmp_path / "out" / "s.toml")
    total, state = _year_of_demand(scenario)
    np.testing.assert_allclose(total, state.annual_demand_kwh, rtol=0.01)
    metered = state.load_profile >= len(LOAD_PROFILES)
    assert metered.sum() == 2
    np.testing.assert_allclose(total[metered], state.annual_demand_kwh[metered], rtol=1e-9)


def test_a_metered_load_keeps_its_shape(tmp_path: Path) -> None:
    load = _metered_year(tmp_path / "hourly.csv")
    scenario = _scenario_of(_territory(tmp_path, "m,household,Haut,5200,0,,,hourly.csv"), tmp_path / "s.toml")
    quiet = with_overrides(scenario, **{"energy.noise.daily_cv": 0.0, "energy.noise.hourly_cv": 0.0})
    state = build_state(quiet, streams(3))
    i = int(np.flatnonzero(state.load_profile >= len(LOAD_PROFILES))[0])
    rng = np.random.default_rng(0)
    for step in (0, 40, 200, 364):
        day = day_of_step(step, 1, 0)
        got = daily_demand(state, quiet.energy, day, rng)[i]
        want = 5200.0 * np.round(load[step], 6) / np.round(load, 6).sum()
        np.testing.assert_allclose(got, want, rtol=1e-9)
    # half-hourly values of the same year give the same shape
    _metered_year(tmp_path / "half.csv", half_hourly=True)
    np.testing.assert_allclose(
        read_metered_load(tmp_path / "half.csv"), read_metered_load(tmp_path / "hourly.csv"), rtol=1e-5
    )


def test_each_profile_day_is_its_demand_table_column(tmp_path: Path) -> None:
    """The reference engine (profile_day) and the arrays (the demand tables) expect the same."""
    _metered_year(tmp_path / "hourly.csv")
    scenario = _scenario_of(_territory(tmp_path, "m,household,Haut,5200,0,,,hourly.csv"), tmp_path / "s.toml")
    state = build_state(scenario, streams(3))
    for step in (0, 5, 6, 100, 364):
        day = day_of_step(step, 1, 0)
        table = _day_table(state, day)
        for profile in range(table.shape[1]):
            factor, shape = profile_day(profile, day, state.metered_load)
            np.testing.assert_allclose(factor * shape, table[:, profile], rtol=1e-12)


# ------------------------------------------------------------------------------- runs
@pytest.fixture(scope="module")
def metered_scenario(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("metered")
    _metered_year(folder / "hourly.csv")
    return _scenario_of(
        _territory(folder, "m,household,Haut,5200,2,,,hourly.csv", "g,firm,Haut,7000,0,,,residential"),
        folder / "s.toml",
    )


def test_a_run_closes_its_energy_balance_and_repeats_itself(metered_scenario) -> None:
    first = CommonsModel(metered_scenario, seed=11, create_agents=False).run(40)
    again = CommonsModel(metered_scenario, seed=11, create_agents=False).run(40)
    assert first["energy_balance_residual_kwh"].abs().max() < 1e-6
    assert first["material_balance_residual_kg"].abs().max() < 1e-6
    assert first.equals(again)
    other = CommonsModel(metered_scenario, seed=12, create_agents=False).run(40)
    assert not first["consumption_kwh"].equals(other["consumption_kwh"])


def test_day_by_day_is_the_compiled_run(metered_scenario) -> None:
    run = CommonsModel(metered_scenario, seed=5, create_agents=False).run(10)
    model = CommonsModel(metered_scenario, seed=5, create_agents=False)
    for _ in range(10):
        model.step()
    stepped = model.timeseries()
    for column in run.columns:
        np.testing.assert_allclose(
            stepped[column].to_numpy(float), run[column].to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True
        )


def test_the_reference_engine_runs_a_metered_territory(metered_scenario) -> None:
    frame = CommonsModel(metered_scenario, seed=5, engine="agents", create_agents=True).run(3)
    assert frame["energy_balance_residual_kwh"].abs().max() < 1e-6
    assert (frame["consumption_kwh"] > 0).all()


def test_the_same_members_file_writes_the_same_scenario(tmp_path: Path) -> None:
    members = _territory(tmp_path)
    assert main(["territory", str(members), "--out", str(tmp_path / "a.toml")]) == 0
    assert main(["territory", str(members), "--out", str(tmp_path / "b.toml")]) == 0
    a, b = (tmp_path / "a.toml").read_text(), (tmp_path / "b.toml").read_text()
    assert a.replace('name = "a"', "") == b.replace('name = "b"', "")


# -------------------------------------------------------------------------- bad files
GOOD = "a,household,Centre,4500,3,,2,\n"
BAD_FILES = {
    # case: (members file, words the message must contain)
    "missing_column": ("id,kind,neighbourhood,annual_kwh\n" + "a,household,Centre,4500\n", ["row 1", "column pv_kwp"]),
    "unknown_column": (HEADER.replace("persons", "people") + GOOD, ["row 1", "column people", "persons"]),
    "malformed_number": (HEADER + GOOD + "b,household,Centre,4 500,0,,,\n", ["row 3", "column annual_kwh", "number"]),
    "negative": (HEADER + GOOD + "b,household,Centre,4500,-3,,,\n", ["row 3", "column pv_kwp", "0 to 36"]),
    "absurd_household": (HEADER + "a,household,Centre,4500000,3,,2,\n", ["row 2", "column annual_kwh", "100000"]),
    "absurd_battery": (HEADER + "a,household,Centre,4500,3,5000,2,\n", ["row 2", "column battery_kwh", "100"]),
    "not_finite": (HEADER + "a,household,Centre,nan,3,,2,\n", ["row 2", "column annual_kwh", "not a number"]),
    "unknown_kind": (
        HEADER + GOOD + "s,school,Centre,40000,36,,,\n",
        ["row 3", "column kind", "household, firm, public"],
    ),
    "duplicate_id": (HEADER + GOOD + "a,household,Haut,3000,0,,,\n", ["row 3", "column id", "row 2"]),
    "unknown_profile": (
        HEADER + "a,household,Centre,4500,3,,2,RES9\n",
        ["row 2", "column load_profile", "residential"],
    ),
    "persons_of_a_firm": (HEADER + GOOD + "f,firm,Centre,30000,0,,3,\n", ["row 3", "column persons", "households"]),
    "too_few_persons": (HEADER + "a,household,Centre,4500,3,,0,\n", ["row 2", "column persons", "1 to 20"]),
    "empty_value": (HEADER + "a,household,,4500,3,,2,\n", ["row 2", "column neighbourhood", "empty"]),
    "wrong_field_count": (HEADER + "a,household,Centre,4500\n", ["row 2", "fields", "header"]),
    "malformed_csv": (HEADER + GOOD + 'b,household,"Cen"tre,3000,0,,,\n', ["row 3", "malformed CSV"]),
    "nul_byte": (HEADER + GOOD + "b,household,Cen\0tre,3000,0,,,\n", ["row 3", "column neighbourhood", "printable"]),
    "empty_file": ("", ["empty"]),
    "comments_only": ("# nothing yet\n\n", ["empty"]),
    "header_only": (HEADER, ["row 2", "no participant"]),
    "no_household": (HEADER + "f,firm,Centre,30000,0,,,\n", ["column kind", "no household"]),
    "metered_missing": (
        HEADER + "a,household,Centre,4500,3,,2,nowhere.csv\n",
        ["row 2", "column load_profile", "nowhere.csv", "no such file"],
    ),
    "metered_short": (HEADER + "a,household,Centre,4500,3,,2,short.csv\n", ["short.csv", "row 3", "8760"]),
    "metered_negative": (
        HEADER + "a,household,Centre,4500,3,,2,negative.csv\n",
        ["negative.csv", "row 3", "column kwh"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_members_file_is_one_line_exit_2_nothing_written(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    content, words = BAD_FILES[case]
    _write(tmp_path / "short.csv", "kwh\n1\n2\n")
    _write(tmp_path / "negative.csv", "kwh\n1\n-2\n" + "1\n" * 8758)
    members = _write(tmp_path / "members.csv", content)
    out = tmp_path / "out" / "s.toml"
    assert main(["territory", str(members), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert ("members.csv" in lines[0]) or ("short.csv" in lines[0]) or ("negative.csv" in lines[0])
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert not out.exists() and not (tmp_path / "out").exists()


def test_a_bad_output_path_or_base_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    members = _territory(tmp_path)
    assert main(["territory", str(members), "--out", str(tmp_path / "s.txt")]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["territory", str(members), "--out", str(tmp_path / "s.toml"), "--base", "nowhere"]) == 2
    assert "nowhere" in capsys.readouterr().err
    assert main(["territory", str(tmp_path / "absent.csv"), "--out", str(tmp_path / "s.toml")]) == 2
    assert "absent.csv" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.toml")) and not list(tmp_path.glob(".*partial*"))


def test_a_french_spreadsheet_is_read(tmp_path: Path) -> None:
    """Semicolons, decimal commas and a byte-order mark, as a French spreadsheet saves a CSV."""
    text = "\ufeff" + HEADER.replace(",", ";") + "a;household;Centre;4500,5;3,2;;2;\n"
    (row,) = read_members(_write(tmp_path / "m.csv", text))
    assert row.annual_kwh == 4500.5 and row.pv_kwp == 3.2 and row.persons == 2


def test_an_inline_members_list_is_checked() -> None:
    row = {"id": "a", "kind": "household", "neighbourhood": "n", "annual_kwh": 4000.0, "pv_kwp": 3.0}
    with pytest.raises(InputError, match="households = 5 but members lists 1"):
        scenario_from_dict({"territory": {"households": 5, "members": [row]}})
    with pytest.raises(InputError, match="appears twice"):
        scenario_from_dict({"territory": {"members": [row, row]}})
    with pytest.raises(InputError, match="at least 50"):
        scenario_from_dict(
            {"territory": {"members": [{**row, "battery_kwh": 50.0}]}, "energy": {"battery": {"capacity_kwh": 10.0}}}
        )
    with pytest.raises(InputError, match="absurd for a household"):
        scenario_from_dict({"territory": {"members": [{**row, "pv_kwp": 300.0}]}})
    scenario = scenario_from_dict({"territory": {"members": [row]}})
    assert (scenario.territory.households, scenario.territory.firms, scenario.territory.officials) == (1, 0, 0)
    assert with_overrides(scenario, **{"run.steps": 5}).territory.members == scenario.territory.members
