"""Mesa agents are thin views over the model's arrays."""

from __future__ import annotations

import numpy as np
import pytest

from commons_abm.agents import Firm, Household, Official
from commons_abm.core.scenario import Scenario
from commons_abm.model import CommonsModel


@pytest.fixture
def model(small_scenario: Scenario) -> CommonsModel:
    return CommonsModel(small_scenario)


def test_one_agent_per_row_by_type(model: CommonsModel) -> None:
    assert len(model.agents) == model.state.n == 60
    assert len(model.agents_by_type[Household]) == 50
    assert len(model.agents_by_type[Firm]) == 7
    assert len(model.agents_by_type[Official]) == 3
    assert sorted(a.index for a in model.agents) == list(range(60))


def test_reads_and_writes_go_to_the_arrays(model: CommonsModel) -> None:
    agent = model.agent_at(4)
    assert agent.pv_kwp == model.state.pv_kwp[4]
    agent.pv_kwp = 7.5
    assert model.state.pv_kwp[4] == 7.5
    model.state.trust_institutional[4] = 0.9
    assert agent.trust == pytest.approx(0.9)
    agent.trust = 0.2
    assert model.state.trust_institutional[4] == pytest.approx(0.2)


def test_selection_and_aggregation_use_the_arrays(model: CommonsModel) -> None:
    with_pv = model.agents.select(lambda a: a.pv_kwp > 0)
    assert len(with_pv) == int((model.state.pv_kwp > 0).sum())
    total = model.agents_by_type[Household].agg("annual_demand_kwh", sum)
    assert total == pytest.approx(model.state.annual_demand_kwh[:50].sum())


def test_agents_sit_on_the_network(model: CommonsModel) -> None:
    for agent in list(model.agents)[:20]:
        assert agent.cell.coordinate == agent.index
        from_space = sorted(a.index for c in agent.cell.neighborhood for a in c.agents)
        assert from_space == sorted(int(j) for j in model.state.ties.neighbours(agent.index))
        assert sorted(n.index for n in agent.neighbours) == from_space


def test_trust_in_a_neighbour(model: CommonsModel) -> None:
    ties = model.state.ties
    i = int(np.argmax(ties.degree()))
    j = int(ties.neighbours(i)[0])
    ties.trust[ties.indptr[i]] = 0.77
    assert model.agent_at(i).trust_in(model.agent_at(j)) == pytest.approx(0.77)
    stranger = next(k for k in range(model.state.n) if k != i and k not in set(ties.neighbours(i)))
    with pytest.raises(KeyError):
        model.agent_at(i).trust_in(model.agent_at(stranger))


def test_agents_created_lazily(small_scenario: Scenario) -> None:
    model = CommonsModel(small_scenario, create_agents=False)
    assert not model.agents_created
    model.step()
    assert len(model.agents) == 60  # created on first access
    assert model.agent_at(0).index == 0
