"""Accounts (:mod:`commons_abm.governance.accounts`): the population's accounts are each
agent's by :func:`settle_agent`."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.governance import accounts
from commons_abm.governance.accounts import settle_agent, settle_arrays
from tests.contract import MechanismContract

OUTPUTS = ("fees", "fines", "governance_cost", "net_benefit", "cumulative")
INPUTS = (
    "pays_fee",
    "fee_eur_per_day",
    "fines",
    "monitoring_cost",
    "energy_reference",
    "energy_cost",
    "material_reference",
    "material_cost",
    "cumulative",
)


class TestAccounts(MechanismContract):
    module = accounts
    stream = None
    parameters = None  # the levels in force come per agent (its assembly's fee)
    # from the fixture's ranges: savings of at most 10 + 5 EUR, payments of at most 5 + 400 + 2 EUR
    bounds = {
        "fees": (0.0, 5.0),
        "fines": (0.0, 400.0),
        "governance_cost": (0.0, 2.0),
        "net_benefit": (-407.0, 15.0),
        "cumulative": (-507.0, 115.0),
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        energy_reference = rng.uniform(0, 10, n)
        material_reference = rng.uniform(0, 5, n)
        return {
            "pays_fee": rng.random(n) < 0.6,
            "fee_eur_per_day": rng.uniform(0, 5, n),
            "fines": np.where(rng.random(n) < 0.2, rng.uniform(0, 400, n), 0.0),
            "monitoring_cost": np.where(rng.random(n) < 0.5, rng.uniform(0, 2, n), 0.0),
            "energy_reference": energy_reference,
            "energy_cost": energy_reference * rng.uniform(0, 1, n),
            "material_reference": material_reference,
            "material_cost": material_reference * rng.uniform(0, 1, n),
            "cumulative": rng.uniform(-100, 100, n),
        }

    def population(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        n = self.agents
        out = {name: np.zeros(n) for name in OUTPUTS}
        out["cumulative"] = f["cumulative"].copy()
        settle_arrays(
            *(f[name] for name in INPUTS[:-1]),
            out["fees"],
            out["fines"],
            out["governance_cost"],
            out["net_benefit"],
            out["cumulative"],
        )
        return out

    def one_agent(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        rows = [settle_agent(*(f[name][i].item() for name in INPUTS)) for i in range(self.agents)]
        return {name: np.array([row[k] for row in rows]) for k, name in enumerate(OUTPUTS)}

    def test_the_net_benefit_is_the_saving_less_the_payments(self) -> None:
        fee, fine, own, net, cumulative = settle_agent(True, 1.0, 2.0, 0.5, 10.0, 6.0, 3.0, 1.0, 100.0)
        assert (fee, fine, own) == (1.0, 2.0, 0.5)
        assert net == (10.0 - 6.0) + (3.0 - 1.0) - 1.0 - 2.0 - 0.5
        assert cumulative == 100.0 + net
        assert settle_agent(False, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0)[0] == 0.0


def test_the_commune_pays_its_share_of_the_facilitator() -> None:
    """The share of the operator's cost the commune pays leaves the community's account but
    stays in the day's whole cost of governing; the fee vote's fixed cost counts only the
    community's part."""
    none = np.zeros(3)
    kept = accounts.community_accounts(20.0, 0.0, 5.0, 0.0, 0.0, False, 0.0, 0.0, none, none, none)
    paid = accounts.community_accounts(20.0, 1.0, 5.0, 0.0, 0.0, False, 0.0, 0.0, none, none, none)
    assert kept[0] == 25.0 and paid[0] == 5.0  # what the community's account pays
    assert kept[1] == -25.0 and paid[1] == -5.0
    assert kept[2] == paid[2] == 25.0  # the whole cost of governing
    assert accounts.fixed_cost(20.0, 0.5, 3.0) == 13.0


def test_fines_officials_impose_go_to_the_commune() -> None:
    """The community sanctions: its account takes the fines and pays the cost of sanctioning;
    officials sanction: the commune does both, and the whole cost of governing is the same."""
    none, fines = np.zeros(3), np.array([10.0, 0.0, 30.0])
    own = accounts.community_accounts(0.0, 0.0, 0.0, 0.0, 8.0, False, 0.0, 0.0, none, none, fines)
    communes = accounts.community_accounts(0.0, 0.0, 0.0, 0.0, 8.0, True, 0.0, 0.0, none, none, fines)
    assert own[0] == 8.0 and own[1] == 40.0 - 8.0
    assert communes[0] == 0.0 and communes[1] == 0.0
    assert own[2] == communes[2] == 8.0
