"""The hub as an organisation (:mod:`commons_abm.materials.hub_organisation`): the volunteers'
day of the whole population equals each household's one-agent form, one after another,
with the same draws of the ``materials`` stream; fatigue, staff and money act the
documented way."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from commons_abm.core.kinds import DISCARDS_GOODS, MATERIAL_ROLE_OF
from commons_abm.core.scenario import Scenario, with_overrides
from commons_abm.governance.institutions import Institutions
from commons_abm.materials import hub_organisation as ho
from commons_abm.model import CommonsModel
from tests.contract import MechanismContract

from ..conftest import ROOT

P = ho.organisation_parameters(Scenario(), Institutions())


class TestVolunteers(MechanismContract):
    """Volunteers come as often as they are asked and rested, tire, quit; others join."""

    module = ho
    stream = "materials"
    parameters = ho.HubOrganisation
    bounds = {"volunteer": (0.0, 1.0), "stamina": (0.0, 1.0), "hours": (0.0, 24.0 * 40)}

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        return {
            "role": MATERIAL_ROLE_OF[rng.integers(0, 3, n)],
            "q": rng.uniform(0.0, 1.0, n),
            "volunteer": rng.random(n) < 0.3,
            "stamina": rng.uniform(0.0, 1.0, n),
            "staff": float(rng.uniform(0.0, 10.0)),
            "p": P._replace(
                recruit_per_day=float(rng.uniform(0.0, 0.2)), fatigue_per_session=float(rng.uniform(0, 0.5))
            ),
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        volunteer, stamina = f["volunteer"].copy(), f["stamina"].copy()
        u = rngs["materials"].random((2, self.agents))
        hours = ho.volunteers_day(f["role"], f["q"], volunteer, stamina, f["staff"], u, f["p"])
        return {"volunteer": volunteer, "stamina": stamina, "hours": np.array([hours])}

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        u = rngs["materials"].random((2, self.agents))
        ask = ho.volunteer_ask(f["volunteer"].sum(), f["staff"], f["p"])
        days = [
            ho.volunteer_day(int(f["role"][i]), float(f["q"][i]), bool(f["volunteer"][i]), float(f["stamina"][i]),
                             ask, float(u[0, i]), float(u[1, i]), f["p"])
            for i in range(self.agents)
        ]  # fmt: skip
        hours = 0.0
        for d in days:
            hours += d.hours
        return {
            "volunteer": np.array([d.volunteer for d in days], dtype=float),
            "stamina": np.array([d.stamina for d in days]),
            "hours": np.array([hours]),
        }


def test_fewer_volunteers_are_asked_more_and_staff_relieve_them() -> None:
    assert ho.volunteer_ask(2, 0.0, P) == 1.0  # 8 hours needed, 6 offered: everyone every day
    assert ho.volunteer_ask(8, 0.0, P) == pytest.approx(8.0 / 24.0)
    assert ho.volunteer_ask(8, 4.0, P) == pytest.approx(4.0 / 24.0)
    assert ho.volunteer_ask(0, 0.0, P) == 0.0


def test_few_volunteers_tire_and_quit_where_many_last() -> None:
    """'Toujours les mêmes' (002_2c516223579a919e.txt): a small team, asked every day, wears
    out; a large one, asked less, lasts. 200 days, no recruitment."""
    p = P._replace(recruit_per_day=0.0)
    rng = np.random.default_rng(3)
    left = {}
    for team in (3, 20):
        role = np.full(team, DISCARDS_GOODS, dtype=np.int64)
        volunteer, stamina = np.ones(team, dtype=bool), np.ones(team)
        for _ in range(200):
            ho.volunteers_day(role, np.full(team, 0.5), volunteer, stamina, 0.0, rng.random((2, team)), p)
        left[team] = volunteer.mean()
    assert left[3] == 0.0 and left[20] > 0.8


def test_money_pays_staff_and_staff_keep_the_hub_open() -> None:
    assert ho.staff_hours(0.0, P) == 0.0 and ho.staff_hours(-500.0, P) == 0.0
    assert ho.staff_hours(2400.0, P) == pytest.approx(2400.0 / (20.0 * 60.0))
    assert ho.staff_hours(1e9, P) == P.max_staff_hours
    open_with, open_without = ho.hub_capacity(4.0, 2.0, P), ho.hub_capacity(4.0, 0.0, P)
    assert open_with.open_hours == 3.0 and open_without.open_hours == 2.0
    assert open_with.intake_kg_per_day == 30.0 and open_with.repair_kg_per_day == pytest.approx(3.0)


def test_the_account_closes() -> None:
    p = P._replace(subsidy_eur_per_day=50.0)
    after = ho.hub_account(100.0, 2.0, 10.0, 1.5, 1.0, p)
    assert after == pytest.approx(100.0 + 50.0 + 2.0 + 10.0 * p.sale_eur_per_kg - 1.5 * 20.0 - p.fixed_eur_per_day)
    cut = ho.hub_account(100.0, 2.0, 10.0, 1.5, 0.0, p)  # officials who cut the subsidy
    assert after - cut == pytest.approx(50.0)


def test_a_subsidy_pays_staff_hours_in_the_model() -> None:
    """With ``fund_hub`` (full_ostrom) the hub pays staff and is open longer than without."""
    scenario = with_overrides(Scenario(), **{"territory.households": 120, "territory.firms": 8})
    book = ROOT / "experiments" / "rulebooks" / "full_ostrom.toml"
    funded = CommonsModel(scenario, seed=4, rulebook=book).run(200)
    from commons_abm.governance.rulebook import Rulebook, load_rulebook

    data = load_rulebook(book).model_dump()
    data["statements"] = [s for s in data["statements"] if s["aim"] != "fund_hub"]
    unfunded = CommonsModel(scenario, seed=4, rulebook=Rulebook.model_validate(data)).run(200)
    assert funded["hub_staff_hours"].iloc[-50:].mean() > 1.0 > unfunded["hub_staff_hours"].iloc[-50:].mean()
    assert funded["hub_open_hours"].iloc[-50:].mean() > unfunded["hub_open_hours"].iloc[-50:].mean()
