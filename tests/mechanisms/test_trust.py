"""Trust (:mod:`commons_abm.behaviour.trust`): the population kernels equal their one-agent
forms, interpersonal trust on each tie and institutional trust of each agent."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from commons_abm.behaviour import trust
from commons_abm.core.scenario import TrustDynamics
from tests.contract import MechanismContract


def trust_dynamics(rng: np.random.Generator) -> TrustDynamics:
    """Trust parameters drawn within their realistic ranges."""
    return TrustDynamics(
        interpersonal_gain=rng.uniform(0.005, 0.2),
        interpersonal_loss=rng.uniform(0.01, 0.4),
        institutional_gain=rng.uniform(0.005, 0.1),
        institutional_loss=rng.uniform(0.01, 0.3),
        observed_compliance_weight=rng.uniform(0.0, 2.0),
        wrongful_sanction_loss=rng.uniform(0.0, 0.5),
        confirmation_bias=rng.uniform(0.0, 0.5),
        affective_forgiveness=rng.uniform(0.0, 1.0),
    )


class TestInterpersonalTrust(MechanismContract):
    """Trust on each tie follows what the neighbour did today."""

    module = trust
    stream = None
    parameters = trust.InterpersonalParameters
    bounds = {"trust": (0.0, 1.0)}

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        degree = rng.integers(0, 8, n)
        ties = int(degree.sum())
        trust_values = rng.uniform(0.0, 1.0, ties)
        trust_values[rng.random(ties) < 0.1] = 0.5  # on the boundary of the confirmation bias
        return {
            "trust": trust_values,
            "indices": rng.integers(0, n, ties),
            "cooperated": rng.random(n) < 0.6,
            "goodwill": np.where(rng.random(n) < 0.5, 1.0, rng.uniform(0.0, 1.0, n)),
            "affective": rng.random(ties) < 0.4,
            "p": trust.interpersonal_parameters(trust_dynamics(rng)),
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        out = fixture["trust"].copy()
        f = fixture
        trust.interpersonal_arrays(out, f["indices"], f["cooperated"], f["goodwill"], f["affective"], f["p"])
        return {"trust": out}

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        before, indices, cooperated, p = fixture["trust"], fixture["indices"], fixture["cooperated"], fixture["p"]
        goodwill = fixture["goodwill"]
        out = np.array(
            [
                trust.interpersonal_trust(
                    float(before[j]), bool(cooperated[k]), float(goodwill[k]), bool(fixture["affective"][j]), p
                )
                for j, k in enumerate(indices)
            ]
        )
        return {"trust": out}

    def test_slow_to_build_quick_to_lose(self) -> None:
        p = trust.interpersonal_parameters(TrustDynamics())
        assert trust.interpersonal_trust(0.6, True, 1.0, False, p) - 0.6 < 0.6 - trust.interpersonal_trust(
            0.6, False, 1.0, False, p
        )

    def test_cooperation_under_surveillance_builds_less_trust(self) -> None:
        """Cooperation credited to the neighbour's goodwill builds trust in proportion to
        that credit (Strickland 1958): none when all of it is put down to the sanctions it
        expects; defection costs the same whatever the credit."""
        p = trust.interpersonal_parameters(TrustDynamics())
        full, half, none = (trust.interpersonal_trust(0.6, True, g, False, p) for g in (1.0, 0.5, 0.0))
        assert none == 0.6 and half - 0.6 == pytest.approx((full - 0.6) / 2)
        assert trust.interpersonal_trust(0.6, False, 0.0, False, p) == trust.interpersonal_trust(
            0.6, False, 1.0, False, p
        )

    def test_large_rates_stay_within_bounds(self) -> None:
        p = trust.interpersonal_parameters(
            TrustDynamics(interpersonal_gain=0.9, interpersonal_loss=0.95, confirmation_bias=0.5)
        )
        assert p.may_overshoot
        for before in (0.0, 0.2, 0.5, 0.8, 1.0):
            for seen in (True, False):
                assert 0.0 <= trust.interpersonal_trust(before, seen, 1.0, False, p) <= 1.0


class TestInstitutionalTrust(MechanismContract):
    """Institutional trust follows satisfaction, observed compliance and today's events."""

    module = trust
    stream = None
    parameters = trust.InstitutionalParameters
    bounds = {"trust_institutional": (0.0, 1.0)}

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        wrongful = rng.random(n) < 0.2
        return {
            "trust": rng.uniform(0.0, 1.0, n),
            "member": rng.random(n) < 0.7,
            "satisfaction_short": rng.uniform(0.0, 1.0, n),
            "compliance": rng.uniform(0.0, 1.0, n),
            "fines": np.where(wrongful & (rng.random(n) < 0.5), rng.uniform(5.0, 50.0, n), 0.0),
            "wrongful": wrongful,
            "settled": rng.random(n) < 0.1,
            "voiced": rng.random(n) < 0.3,
            "voice": float(rng.choice([0.0, rng.uniform(0.1, 1.0)])),
            "p": trust.institutional_parameters(trust_dynamics(rng)),
        }

    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        out = f["trust"].copy()
        trust.institutional_arrays(
            out,
            f["member"],
            f["satisfaction_short"],
            f["compliance"],
            f["fines"],
            f["wrongful"],
            f["settled"],
            f["voiced"],
            f["voice"],
            f["p"],
        )
        return {"trust_institutional": out}

    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        f = fixture
        out = np.array(
            [
                trust.institutional_trust(
                    float(f["trust"][i]),
                    bool(f["member"][i]),
                    float(f["satisfaction_short"][i]),
                    float(f["compliance"][i]),
                    float(f["fines"][i]),
                    bool(f["wrongful"][i]),
                    bool(f["settled"][i]),
                    bool(f["voiced"][i]),
                    f["voice"],
                    f["p"],
                )
                for i in range(f["trust"].size)
            ]
        )
        return {"trust_institutional": out}

    def test_wrongful_fine_costs_more_than_a_warning(self) -> None:
        p = trust.institutional_parameters(TrustDynamics())
        fined = trust.institutional_trust(0.6, False, 0.5, 0.5, 20.0, True, False, False, 0.0, p)
        warned = trust.institutional_trust(0.6, False, 0.5, 0.5, 0.0, True, False, False, 0.0, p)
        assert fined < warned < 0.6
