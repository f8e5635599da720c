"""Each agent's money since day 0 kept in the state (``bill_total_eur``, ``alone_total_eur``,
``fees_total_eur``, ``fines_total_eur``) by every engine, and the ledger that reads it.

The compiled loop (:meth:`CommonsModel.run`), the staged engine (:meth:`CommonsModel.step`)
and the reference engine (one Mesa agent at a time) must each keep totals equal to the sums
of the day's settled amounts: the energy bill, the bill alone, the fee and the fine.
"""

from __future__ import annotations

import numpy as np
import pytest

from commons_abm.core.kinds import KINDS, OFFICIAL
from commons_abm.core.scenario import Scenario, with_overrides
from commons_abm.governance.accounts import (
    HOUSEHOLD_GROUPS,
    PARTICIPANT_GROUPS,
    Ledger,
    household_groups,
    participant_groups,
)
from commons_abm.model import CommonsModel

TOTALS = ("bill_total_eur", "alone_total_eur", "fees_total_eur", "fines_total_eur")
DAYS = 200


def small_scenario() -> Scenario:
    """The default scenario's mix and parameters on 60 agents."""
    return with_overrides(
        Scenario(name="money"),
        **{"territory.households": 50, "territory.firms": 7, "territory.officials": 3, "territory.neighbourhoods": 2},
    )


def stepped_sums(model: CommonsModel, days: int) -> dict[str, np.ndarray]:
    """The day's bill, bill alone, fee and fine of every agent, summed over ``days`` steps."""
    sums = {name: np.zeros(model.state.n) for name in TOTALS}
    for _ in range(days):
        model.step()
        e, s = model.last_energy, model.state
        sums["bill_total_eur"] += e.agent_cost_eur
        sums["alone_total_eur"] += e.agent_reference_cost_eur
        sums["fees_total_eur"] += s.fees_eur
        sums["fines_total_eur"] += s.fines_eur
    return sums


@pytest.fixture(scope="module")
def compiled_runs() -> dict[tuple[str, int], tuple[CommonsModel, object]]:
    """A compiled 200-day run per rulebook and seed, with its timeseries."""
    out = {}
    for rulebook in ("full_ostrom", "status_quo"):
        for seed in (1, 2):
            model = CommonsModel(small_scenario(), seed=seed, create_agents=False, rulebook=rulebook)
            out[rulebook, seed] = model, model.run(DAYS)
    return out


@pytest.mark.parametrize("rulebook", ["full_ostrom", "status_quo"])
@pytest.mark.parametrize("seed", [1, 2])
def test_compiled_totals_are_the_sums_of_the_days_stepped(compiled_runs, rulebook: str, seed: int) -> None:
    compiled, _ = compiled_runs[rulebook, seed]
    stepped = CommonsModel(small_scenario(), seed=seed, create_agents=False, rulebook=rulebook)
    sums = stepped_sums(stepped, DAYS)
    for name in TOTALS:
        np.testing.assert_allclose(getattr(compiled.state, name), sums[name], rtol=1e-9, atol=1e-9, err_msg=name)
        np.testing.assert_array_equal(getattr(stepped.state, name), sums[name], err_msg=name)
    assert np.abs(sums["bill_total_eur"]).sum() > 0 and np.abs(sums["alone_total_eur"]).sum() > 0


def test_full_ostrom_takes_fees_and_fines_and_the_totals_keep_them(compiled_runs) -> None:
    """The test above compares something: under full_ostrom fees and fines are paid."""
    model, _ = compiled_runs["full_ostrom", 1]
    assert model.state.fees_total_eur.sum() > 0
    assert model.state.fines_total_eur.sum() > 0
    assert (model.state.fees_total_eur >= 0).all() and (model.state.fines_total_eur >= 0).all()


def test_the_reference_engine_keeps_its_own_days_totals() -> None:
    model = CommonsModel(small_scenario(), seed=4, rulebook="full_ostrom", engine="agents", create_agents=True)
    sums = stepped_sums(model, 40)
    for name in TOTALS:
        np.testing.assert_allclose(getattr(model.state, name), sums[name], rtol=1e-9, atol=1e-9, err_msg=name)
    agent = next(a for a in model.agents if a.member)
    assert agent.bill_total_eur == model.state.bill_total_eur[agent.index]
    assert model.state.fees_total_eur.sum() > 0


@pytest.mark.parametrize("key", [("full_ostrom", 1), ("full_ostrom", 2), ("status_quo", 1)])
def test_the_fines_totals_add_up_to_the_timeseries_fines(compiled_runs, key) -> None:
    model, ts = compiled_runs[key]
    assert model.state.fines_total_eur.sum() == pytest.approx(ts.fines_eur.sum(), rel=1e-9, abs=1e-9)


def test_the_ledger_is_the_state_totals_by_group_per_month(compiled_runs) -> None:
    model, _ = compiled_runs["full_ostrom", 1]
    s = model.state
    ledger = Ledger.of(s, model.steps)
    assert ledger.days == DAYS
    ledger.fines[:] = -1.0
    assert (s.fines_total_eur >= 0).all(), "the ledger holds copies"
    ledger = Ledger.of(s, model.steps)
    groups = participant_groups(s)
    table = ledger.by_group(groups)
    assert list(table.index) == list(groups)
    for name, mask in groups.items():
        assert table.agents.loc[name] == mask.sum()
        scale = 30.0 / DAYS
        assert table.bill.loc[name] == pytest.approx(s.bill_total_eur[mask].mean() * scale, rel=1e-12)
        assert table.fee.loc[name] == pytest.approx(s.fees_total_eur[mask].mean() * scale, rel=1e-12)
        assert table.fines.loc[name] == pytest.approx(s.fines_total_eur[mask].mean() * scale, rel=1e-12)
        saving = (s.alone_total_eur[mask] - s.bill_total_eur[mask]).mean() * scale
        assert table.saving.loc[name] == pytest.approx(saving, rel=1e-12)


def test_participant_groups_cover_every_agent_by_kind(compiled_runs) -> None:
    model, _ = compiled_runs["status_quo", 2]
    s = model.state
    groups = participant_groups(s)
    assert tuple(groups) == PARTICIPANT_GROUPS == (*HOUSEHOLD_GROUPS, "firm", "public")
    for name in HOUSEHOLD_GROUPS:
        np.testing.assert_array_equal(groups[name], household_groups(s)[name])
    partition = ("with_pv", "without_pv", "firm", "public")
    stacked = np.stack([groups[name] for name in partition])
    assert (stacked.sum(axis=0) == 1).all(), "each agent in exactly one of the partition's groups"
    assert not (groups["energy_poor"] & ~(groups["with_pv"] | groups["without_pv"])).any()
    assert groups["energy_poor"].sum() > 0
    np.testing.assert_array_equal(groups["public"], s.kind == OFFICIAL)
    assert KINDS[OFFICIAL].energy == "public_buildings"
    assert (groups["firm"].sum(), groups["public"].sum()) == (7, 3)


def test_participant_groups_leave_out_kinds_not_present() -> None:
    scenario = with_overrides(small_scenario(), **{"territory.firms": 0, "territory.officials": 0})
    model = CommonsModel(scenario, seed=0, create_agents=False)
    assert tuple(participant_groups(model.state)) == HOUSEHOLD_GROUPS
