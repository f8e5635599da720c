"""The reference engine's agents (``engine="agents"``) and sweep mode (no agents at all)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from commons_abm.agents import Firm, Household
from commons_abm.behaviour.motives import CONDITIONAL, FREE_RIDER
from commons_abm.core.scenario import Scenario, with_overrides
from commons_abm.energy.allocation_keys import allocate
from commons_abm.energy.allocation_keys import water_fill_lists as water_fill
from commons_abm.model import CommonsModel

RULEBOOKS = Path(__file__).resolve().parents[1] / "experiments" / "rulebooks"


def small(households: int = 40, firms: int = 8, officials: int = 2) -> Scenario:
    return with_overrides(
        Scenario(name="small"),
        **{
            "territory.households": households,
            "territory.firms": firms,
            "territory.officials": officials,
            "territory.neighbourhoods": 2,
        },
    )


def reference_model(rulebook: str = "full_ostrom", seed: int = 5) -> CommonsModel:
    return CommonsModel(small(), seed=seed, rulebook=RULEBOOKS / f"{rulebook}.toml", engine="agents")


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine must be one of arrays, agents"):
        CommonsModel(small(), engine="threads")


def test_a_household_writes_its_decision_into_the_state():
    model = reference_model("open_access")
    model.step()
    home = next(a for a in model.agents if isinstance(a, Household))
    i = home.index
    home.cc_type, home.group_weight = FREE_RIDER, 0.0  # cooperates for nobody, no sanction to fear
    home.decide()
    assert model.state.propensity[i] == 0.0 and not model.state.cooperated[i]
    assert home.waste_choice.sort == 0.0 and home.waste_choice.compost == 0.0 and not home.pays_fee  # no warm glow
    home.cc_type, home.belief, home.group_weight = CONDITIONAL, 1.0, 10.0  # wholly group-minded
    home.decide()
    assert model.state.propensity[i] == 1.0 and model.state.cooperated[i]
    assert home.waste_choice.sort > 0.99 and home.claim == 1.0


def test_each_agent_uses_its_own_pv_first_and_offers_only_surplus():
    model = reference_model()
    model.step()
    for agent in model.agents:
        for h in range(24):
            demand, pv = agent.demand_kwh[h], agent.pv_kwh[h]
            assert agent.deficit_kwh[h] == pytest.approx(max(demand - pv, 0.0))
            assert agent.surplus_kwh[h] == pytest.approx(max(pv - demand, 0.0))
            assert 0.0 <= agent.offer_kwh[h] <= agent.surplus_kwh[h] + 1e-12
            assert agent.received_kwh[h] <= agent.deficit_kwh[h] + 1e-9  # the pool never over-serves
        if not agent.member:
            assert agent.offered == 0.0


@pytest.mark.parametrize(
    "rulebook", ["open_access", "status_quo", "community_enforced", "top_down", "facilitated_commons", "full_ostrom"]
)
def test_energy_and_mass_balances_close_agent_by_agent(rulebook):
    model = reference_model(rulebook, seed=2)
    frame = model.run(12)
    energy_scale = (frame["production_kwh"] + frame["import_kwh"] + frame["consumption_kwh"]).max()
    assert frame["energy_balance_residual_kwh"].abs().max() <= 1e-9 * energy_scale
    assert frame["material_balance_residual_kg"].abs().max() <= 1e-9 * frame["material_inputs_kg"].max()
    e = model.last_energy
    assert e.agent_import.sum() == pytest.approx(e.import_)
    assert np.all(e.agent_received >= 0) and np.all(e.agent_export >= -1e-9)


def test_firms_exchange_no_more_than_they_have_or_need():
    model = reference_model()
    model.run(3)
    firms = [a for a in model.agents if isinstance(a, Firm)]
    assert sum(f.secondary_kg for f in firms) > 0  # some exchange happens in this territory
    for firm in firms:
        assert firm.secondary_kg <= firm.input_demand_kg + 1e-9
        assert firm.sold_kg <= firm.byproduct_kg + 1e-9


def test_trust_in_a_neighbour_follows_what_it_did():
    model = reference_model()
    model.step()
    trust = model.state.ties.trust
    before = trust.copy()
    agent = next(a for a in model.agents if a.neighbour_agents)
    agent.learn()
    for other, slot in zip(agent.neighbour_agents, agent.tie_slots):
        assert (trust[slot] > before[slot]) == other.cooperated or before[slot] in (0.0, 1.0)
    untouched = np.ones(trust.size, bool)
    untouched[agent.tie_slots] = False
    assert np.array_equal(trust[untouched], before[untouched])  # an agent learns only on its own ties


def test_neighbours_come_from_the_network_space():
    model = reference_model()
    for agent in model.agents:
        from_space = sorted(cell.coordinate for cell in agent.cell.connections.values())
        assert sorted(o.index for o in agent.neighbour_agents) == from_space
        assert [model.state.ties.indices[s] for s in agent.tie_slots] == [o.index for o in agent.neighbour_agents]


def test_same_seed_same_run_and_same_territory_and_weather_as_the_array_engine():
    first = reference_model(seed=9).run(8)
    second = reference_model(seed=9).run(8)
    assert first.equals(second)
    arrays = CommonsModel(small(), seed=9, rulebook=RULEBOOKS / "full_ostrom.toml").run(8)
    assert np.allclose(first["production_kwh"], arrays["production_kwh"], rtol=1e-12)


@pytest.mark.parametrize("case", range(40))
def test_water_fill_matches_the_array_allocation(case):
    rng = np.random.default_rng(case)
    n = int(rng.integers(1, 30))
    caps = rng.random(n) * (rng.random(n) < 0.8)
    weights = rng.random(n) * (rng.random(n) < 0.9)
    amount = float(rng.random() * caps.sum() * 1.5)
    expected = allocate(np.array([amount]), caps[None, :], weights[None, :])[0]
    assert np.allclose(water_fill(amount, caps.tolist(), weights.tolist()), expected, rtol=1e-9, atol=1e-12)


def test_sweep_mode_builds_no_agents_until_asked():
    model = CommonsModel(small(), seed=1, create_agents=False)
    assert not model.agents_created and model.space is None
    assert len(mesa_agents(model)) == 0
    frame = model.run(5)
    assert len(mesa_agents(model)) == 0  # running needs none
    assert len(model.agents) == model.state.n  # created on first access, for inspection
    with_agents = CommonsModel(small(), seed=1, create_agents=True).run(5)
    assert frame.equals(with_agents)  # agents or not, the array engine gives the same run


def mesa_agents(model: CommonsModel) -> list:
    """The agents Mesa has registered, without triggering their lazy creation."""
    return list(super(CommonsModel, model).agents)
