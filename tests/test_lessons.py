"""Guided lessons (``commons_abm.lessons``): every shipped lesson loads, in English and
French; each lesson's expected observation holds over seeds 1..20 at its stated share, and
its inverse does not; bad lesson files are refused with one line naming the file and field."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from commons_abm.core.errors import InputError
from commons_abm.lessons import (
    DEFAULT_SEEDS,
    LANGUAGES,
    Check,
    ObservationResult,
    check_observation,
    load_lesson,
    shipped_lessons,
)
from commons_abm.model import CommonsModel

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "experiments" / "lessons"
INVERSE = {"a < b": "a > b", "a > b": "a < b", "a < value": "a > value", "a > value": "a < value"}
INVERSE |= {"b < value": "b > value", "b > value": "b < value"}


@pytest.fixture(scope="module")
def observations() -> dict[str, ObservationResult]:
    """Each shipped lesson's observation over seeds 1..20 (run once for the module)."""
    return {name: check_observation(load_lesson(name), DEFAULT_SEEDS) for name in shipped_lessons()}


def test_four_lessons_ship_and_load_in_both_languages() -> None:
    names = shipped_lessons()
    assert {"tragedy_of_open_access", "monitoring_without_trust", "top_down_backfires", "nested_communities"} <= set(
        names
    )
    for name in names:
        lesson = load_lesson(name)
        assert lesson.name == name and lesson.source_file == (LESSONS / f"{name}.toml").resolve()
        assert set(lesson.text) == set(LANGUAGES)
        en, fr = lesson.text["en"], lesson.text["fr"]
        assert en.title != fr.title and en.observation != fr.observation  # translated, not copied
        assert len(en.steps) == len(fr.steps) and len(en.questions) == len(fr.questions)
        assert set(en.runs) == set(fr.runs) == set(lesson.runs)
        assert lesson.scenario.run.steps == lesson.days


def test_a_lesson_loads_by_path_too_and_builds_its_models() -> None:
    lesson = load_lesson(LESSONS / "monitoring_without_trust.toml")
    assert lesson.side_by_side and lesson.runs == ("a", "b")
    assert lesson.rulebooks["a"].name == "community_enforced_by_officials"  # a file beside the lesson
    assert lesson.rulebooks["b"].name == "community_enforced"  # a shipped rulebook by name
    model = lesson.model("a", seed=3, create_agents=False)
    assert isinstance(model, CommonsModel) and model.scenario.run.seed == 3
    assert model.rules.external_control and not lesson.model("b", 3, create_agents=False).rules.external_control
    with pytest.raises(ValueError, match="not 'c'"):
        lesson.model("c")


@pytest.mark.parametrize("name", shipped_lessons())
def test_each_lesson_shows_its_observation_over_20_seeds(name: str, observations) -> None:
    result = observations[name]
    assert result.seeds == tuple(range(1, 21))
    assert result.holds, result.describe()
    assert result.share >= load_lesson(name).expect.min_share_of_seeds


@pytest.mark.parametrize("name", shipped_lessons())
def test_the_inverse_of_each_observation_does_not_hold(name: str, observations) -> None:
    """A lesson's observation is not true whatever the model does: each check, inverted,
    holds on fewer seeds than the lesson requires."""
    result = observations[name]
    for check_result in result.checks:
        check = check_result.check
        inverse = check.model_copy(update={"compare": INVERSE[check.compare], "by_at_least": 0.0})
        values = check_result.values
        held = [
            inverse.holds(values["a"][k], values.get("b", [None] * len(result.seeds))[k])
            for k in range(len(result.seeds))
        ]
        assert sum(held) / len(held) < result.min_share, check.describe()


def test_a_false_observation_is_reported_false(tmp_path: Path) -> None:
    """The same lesson with its first comparison turned round fails on every seed."""
    data = tomllib.loads((LESSONS / "nested_communities.toml").read_text(encoding="utf-8"))
    data["rulebooks"]["b"] = str(LESSONS / data["rulebooks"]["b"])
    data["expect"]["checks"] = [dict(data["expect"]["checks"][0], compare="a < b")]
    path = write_lesson(tmp_path / "inverted.toml", data)
    result = check_observation(load_lesson(path), seeds=range(1, 6))
    assert not result.holds and result.share == 0.0 and result.seeds_shown == ()
    assert "0 of 5 seeds" in result.describe()


@pytest.mark.parametrize(
    ("compare", "a", "b", "value", "by", "holds"),
    [
        ("a < b", 0.1, 0.3, None, 0.0, True),
        ("a < b", 0.3, 0.3, None, 0.0, False),  # strictly
        ("a < b", 0.1, 0.3, None, 0.25, False),  # not by enough
        ("a > b", 0.5, 0.3, None, 0.2, True),
        ("a > value", 0.6, None, 0.5, 0.0, True),
        ("a < value", 0.6, None, 0.5, 0.0, False),
        ("b > value", 0.0, 0.7, 0.5, 0.0, True),
        ("a < b", math.nan, 0.3, None, 0.0, False),  # a NaN never shows anything
        ("a > value", math.nan, None, 0.5, 0.0, False),
    ],
)
def test_a_check_compares_as_stated(compare, a, b, value, by, holds) -> None:
    check = Check(indicator="attendance_rate", compare=compare, value=value, by_at_least=by)
    assert check.holds(a, b) is holds


def minimal() -> dict:
    """A valid one-run lesson as parsed TOML."""
    text = {
        "title": "T",
        "introduction": "I",
        "runs": {"a": "A"},
        "steps": ["s"],
        "questions": ["q"],
        "observation": "o",
    }
    return {
        "scenario": "default",
        "days": 10,
        "rulebooks": {"a": "status_quo"},
        "text": {"en": dict(text), "fr": dict(text, title="T fr")},
        "expect": {
            "min_share_of_seeds": 0.5,
            "checks": [{"indicator": "members_share", "window": "last_5_days", "compare": "a > value", "value": 0.0}],
        },
    }


def write_lesson(path: Path, data: dict) -> Path:
    def value(v) -> str:
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f'"{k}" = {value(x)}' for k, x in v.items()) + " }"
        return repr(v)

    path.write_text("\n".join(f'"{k}" = {value(v)}' for k, v in data.items()) + "\n", encoding="utf-8")
    return path


def test_the_minimal_lesson_is_valid(tmp_path: Path) -> None:
    lesson = load_lesson(write_lesson(tmp_path / "ok.toml", minimal()))
    assert lesson.runs == ("a",) and not lesson.side_by_side and lesson.days == 10
    result = check_observation(lesson, seeds=[1, 2])
    assert result.holds and set(result.checks[0].values) == {"a"}


def _without(data: dict, *path: str) -> dict:
    node = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return data


def _with(data: dict, value, *path: str) -> dict:
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


BAD = [
    (lambda d: _with(d, 1, "colour"), "colour", "unknown key"),
    (lambda d: _with(d, "x", "text", "fr", "subtitle"), "text.fr.subtitle", "unknown key"),
    (lambda d: _with(d, "trust", "expect", "checks", 0, "indicator"), "expect.checks.0.indicator", "unknown indicator"),
    (lambda d: _without(d, "text", "fr"), "text.fr", "required field is missing"),
    (lambda d: _without(d, "text", "fr", "observation"), "text.fr.observation", "required field is missing"),
    (lambda d: _with(d, "  ", "text", "fr", "introduction"), "text.fr.introduction", "empty text"),
    (lambda d: _with(d, {"a": ""}, "text", "fr", "runs"), "text.fr.runs", "empty text"),
    (lambda d: _with(d, ["s", "t"], "text", "en", "steps"), "text", "text.fr.steps: 1 items against 2"),
    (lambda d: _with(d, {"a": "A", "b": "B"}, "text", "fr", "runs"), "text", "text.fr.runs"),
    (lambda d: _with(d, "a < b", "expect", "checks", 0, "compare"), "expect.checks.0", "value is for a threshold"),
    (lambda d: _with(d, "last_week", "expect", "checks", 0, "window"), "expect.checks.0.window", "unknown window"),
    (lambda d: _with(d, "last_20_days", "expect", "checks", 0, "window"), None, "longer than the 10 days"),
    (lambda d: _with(d, 1.5, "expect", "min_share_of_seeds"), "expect.min_share_of_seeds", "less than or equal"),
    (lambda d: _with(d, math.inf, "expect", "checks", 0, "value"), "expect.checks.0.value", "finite"),
    (lambda d: _with(d, {"c": "status_quo"}, "rulebooks"), "rulebooks", "give a (one run) or a and b"),
    (lambda d: _with(d, "no_such_rulebook", "rulebooks", "a"), "rulebooks.a", "no such file"),
    (lambda d: _with(d, "no_such_scenario", "scenario"), "scenario", "no such file"),
    (lambda d: _with(d, {"run.seed": 3}, "overrides"), "overrides", "set by the lesson"),
    (lambda d: _with(d, {"energy.households.pv_adoption": 2.0}, "overrides"), "overrides.energy", "less than"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD)
def test_a_bad_lesson_is_refused_with_one_line(tmp_path: Path, change, field, message) -> None:
    path = write_lesson(tmp_path / "bad.toml", change(minimal()))
    with pytest.raises(InputError) as info:
        load_lesson(path)
    text = str(info.value)
    assert "\n" not in text and text.startswith(f"{path}: ")
    if field is not None:
        assert info.value.field is not None and info.value.field.startswith(field), text
    assert message in text, text


def test_a_missing_or_malformed_lesson_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file, nor a shipped lesson"):
        load_lesson("no_such_lesson")
    with pytest.raises(InputError, match="lesson file not found"):
        load_lesson(tmp_path / "absent.toml")
    (tmp_path / "broken.toml").write_text("days = \n", encoding="utf-8")
    with pytest.raises(InputError, match="malformed TOML"):
        load_lesson(tmp_path / "broken.toml")
