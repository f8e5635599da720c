"""Rulebooks: ADICO statements over a finite vocabulary, compiled into mechanisms; bad ones rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commons_abm.core.errors import InputError
from commons_abm.governance.institutions import compile_rulebook, no_rules
from commons_abm.governance.rulebook import AIMS, PRINCIPLES, Rulebook, load_rulebook
from commons_abm.model import CommonsModel, institutions_for

from .conftest import ROOT
from .test_cli import _cli, _write

RULEBOOKS = ROOT / "experiments" / "rulebooks"
SHIPPED = sorted(RULEBOOKS.glob("*.toml"))


def test_shipped_rulebooks_include_the_required_ones() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"open_access", "top_down", "full_ostrom"} <= names
    assert len(names) >= 5  # and at least two in between


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_rulebook_loads_and_compiles(path: Path) -> None:
    inst = compile_rulebook(load_rulebook(path))
    assert inst.name == path.stem


def test_full_ostrom_implements_all_eight_principles_and_open_access_none() -> None:
    full = compile_rulebook(load_rulebook(RULEBOOKS / "full_ostrom.toml"))
    assert full.principles == frozenset(range(1, 9))
    assert full.boundary == "members_only" and full.meetings and full.monitored
    assert full.sanction_scheme == "graduated" and full.mediation and full.recognised and full.federated
    assert full.posture == "shared_governance" and full.stance == "ally"
    open_ = compile_rulebook(load_rulebook(RULEBOOKS / "open_access.toml"))
    assert open_.principles == frozenset() and open_ == no_rules("open_access")


def test_top_down_is_official_monitoring_and_flat_fines() -> None:
    inst = compile_rulebook(load_rulebook(RULEBOOKS / "top_down.toml"))
    assert inst.official_monitoring and inst.sanction_scheme == "flat" and inst.posture == "authority"


def test_principle_may_be_named_or_numbered() -> None:
    statement = {"principle": 4, "attribute": "official", "deontic": "must", "aim": "monitor"}
    by_number = Rulebook.model_validate({"statements": [statement]})
    by_name = Rulebook.model_validate({"statements": [{**statement, "principle": "monitoring"}]})
    assert by_number.statements[0].principle == by_name.statements[0].principle == PRINCIPLES["monitoring"]


def test_every_aim_documents_its_principles() -> None:
    for aim in AIMS.values():
        assert aim.description and aim.principles and set(aim.principles) <= set(range(1, 9))


def test_scenario_names_its_rulebook_and_the_argument_overrides_it(default_scenario) -> None:
    assert institutions_for(default_scenario).name == "status_quo"
    assert institutions_for(default_scenario, RULEBOOKS / "full_ostrom.toml").name == "full_ostrom"
    assert (
        CommonsModel(default_scenario, rulebook=RULEBOOKS / "top_down.toml", create_agents=False).institutions.name
        == "top_down"
    )


def test_scenario_naming_a_missing_rulebook_is_an_input_error(tmp_path: Path) -> None:
    scenario = _write(tmp_path / "s.toml", '[rules]\nrulebook = "nowhere.toml"\n')
    result = _cli("run", str(scenario), "--steps", "2", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "nowhere.toml" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_rulebook_option_is_used(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _cli(
        "run", "--steps", "3", "--rulebook", str(RULEBOOKS / "full_ostrom.toml"), "--out", str(out), "--no-progress"
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rulebook"] == "full_ostrom" and summary["design_principles"] == list(range(1, 9))


_OK = 'principle = "monitoring"\nattribute = "official"\ndeontic = "must"\naim = "monitor"\n'
BAD_RULEBOOKS = {
    # case: (statement body, words the one-line message must contain)
    "unknown_aim": (_OK.replace('"monitor"', '"surveil"'), ["statements.0", "unknown aim", "'surveil'", "monitor"]),
    "unknown_attribute": (_OK.replace('"official"', '"mayor"'), ["statements.0.attribute", "official"]),
    "unknown_principle": (
        _OK.replace('"monitoring"', '"transparency"'),
        ["statements.0", "unknown principle", "nested_enterprises"],
    ),
    "principle_out_of_range": (_OK.replace('"monitoring"', "9"), ["statements.0", "unknown principle"]),
    "wrong_principle_for_aim": (
        _OK.replace('"monitoring"', '"boundaries"'),
        ["statements.0", "implements principle 4"],
    ),
    "attribute_not_allowed_for_aim": (_OK.replace('"official"', '"firm"'), ["statements.0", "applies to attribute"]),
    "bad_deontic": (_OK.replace('"must"', '"shall"'), ["statements.0.deontic", "must_not"]),
    "deontic_not_for_attribute": (
        _OK.replace('"must"', '"may"'),
        ["statements.0", "takes deontic must for attribute 'official'", "not 'may'"],
    ),
    "bad_parameter": (
        _OK + "parameters = { detection_probability = 2.0 }\n",
        ["statements.0", "parameters.detection_probability", "less than or equal to 1"],
    ),
    "unknown_parameter": (_OK + "parameters = { detection = 0.5 }\n", ["parameters.detection", "unknown key"]),
    "parameter_written_as_condition": (
        _OK + "conditions = { detection_probability = 0.5 }\n",
        ["conditions.detection_probability", "a parameter of aim 'monitor'", "under `parameters`"],
    ),
    "unknown_condition": (_OK + "conditions = { when = 0.5 }\n", ["conditions.when", "unknown key", "weekdays"]),
    "bad_weekday": (_OK + 'conditions = { weekdays = ["caturday"] }\n', ["conditions.weekdays", "monday"]),
    "bad_month": (_OK + "conditions = { months = [13] }\n", ["conditions", "between 1 and 12"]),
    "empty_battery_band": (
        _OK + "conditions = { battery_above = 0.8, battery_below = 0.2 }\n",
        ["conditions", "battery_above must be below battery_below"],
    ),
    "clause_not_for_aim": (_OK + "conditions = { has_pv = true }\n", ["conditions.has_pv", "aim 'monitor' takes"]),
    "non_finite_clause": (_OK + "conditions = { battery_below = nan }\n", ["conditions.battery_below"]),
    "or_else_without_sanction": (_OK + 'or_else = "sanction"\n', ["needs a statement with aim 'sanction'"]),
}


@pytest.mark.parametrize("case", sorted(BAD_RULEBOOKS))
def test_bad_rulebook_is_one_line_exit_2_nothing_written(case: str, tmp_path: Path) -> None:
    body, words = BAD_RULEBOOKS[case]
    book = _write(tmp_path / "book.toml", f'name = "bad"\n[[statements]]\n{body}')
    out = tmp_path / "out"
    result = _cli("run", "--steps", "2", "--rulebook", str(book), "--out", str(out))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(book) in lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in result.stderr
    assert not out.exists() and not list(tmp_path.glob(".*partial*"))


def test_missing_and_malformed_rulebook_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="rulebook file not found"):
        load_rulebook(tmp_path / "none.toml")
    with pytest.raises(InputError, match="malformed TOML"):
        load_rulebook(_write(tmp_path / "bad.toml", "[[statements]\n"))


def _bound(statement: dict, engine: str = "arrays"):
    """Who the one-statement rulebook binds, under both engines, on a small territory."""
    from commons_abm.core.scenario import Scenario
    from commons_abm.governance.institutions import bound_by_rules

    sc = Scenario(name="attributes")
    sc.territory.households, sc.territory.firms, sc.territory.officials = 30, 4, 1
    book = Rulebook.model_validate({"name": "one rule", "statements": [statement]})
    model = CommonsModel(sc, seed=1, create_agents=engine == "agents", rulebook=book, engine=engine)
    s = model.state
    arrays = bound_by_rules(s, model.institutions)
    if engine == "agents":
        per_agent = [model.agent_at(i).is_bound() for i in range(s.n)]
        assert list(arrays) == per_agent
    return s, arrays


@pytest.mark.parametrize("engine", ["arrays", "agents"])
def test_statement_attribute_decides_who_is_bound(engine: str) -> None:
    from commons_abm.core.kinds import HOUSEHOLD

    dumping = {"principle": 2, "deontic": "must_not", "aim": "dump_waste"}
    s, everyone = _bound({**dumping, "attribute": "household"}, engine)
    assert (everyone == (s.kind == HOUSEHOLD)).all()
    s, members = _bound({**dumping, "attribute": "member"}, engine)
    assert (members == ((s.kind == HOUSEHOLD) & s.member)).all() and members.sum() < everyone.sum()
    overdraw = {"principle": 2, "deontic": "must_not", "aim": "overdraw"}
    s, only_members = _bound({**overdraw, "attribute": "member"}, engine)
    assert (only_members == s.member).all()
    s, anyone = _bound({**overdraw, "attribute": "anyone"}, engine)  # open access: all may draw
    assert anyone.all()


def test_a_removed_aim_is_refused_with_the_reason(tmp_path: Path) -> None:
    """``share_surplus`` has no counterpart in collective self-consumption: a rulebook that
    still has it is refused on one line that says why and what to do."""
    path = tmp_path / "old.toml"
    path.write_text(
        'name = "old"\n[[statements]]\nprinciple = "congruence"\nattribute = "member"\n'
        'deontic = "must"\naim = "share_surplus"\nparameters = { min_share = 0.5 }\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="was removed: .*allocation key.*remove the statement") as info:
        load_rulebook(path)
    assert info.value.field == "statements.0" and "\n" not in str(info.value)
