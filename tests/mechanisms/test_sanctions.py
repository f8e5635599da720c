"""Sanctions (:mod:`commons_abm.governance.sanctions`): the population's fines, ladder moves
and exclusions are each agent's by :func:`sanction_agent`."""

from __future__ import annotations

from typing import Any

import numpy as np

from commons_abm.governance import sanctions
from commons_abm.governance.institutions import FLAT, GRADUATED, NO_SANCTION, SanctionTable
from commons_abm.governance.sanctions import EXCLUSION_DAYS, sanction_agent, sanction_arrays
from tests.contract import MechanismContract

STEP = 400
LADDER = (0.0, 10.0, 30.0, 100.0)
OUTPUTS = ("fines", "excluded", "clean_days", "offence_level", "member", "excluded_until")


class TestSanctions(MechanismContract):
    module = sanctions
    stream = None
    parameters = SanctionTable
    bounds = {
        "fines": (0.0, 4.0 * max(LADDER)),  # the fine scale stays within FINE_BOUNDS (x0.25 to x4)
        "excluded": (0.0, 1.0),
        "clean_days": (0.0, 151.0),
        "offence_level": (0.0, 6.0),
        "member": (0.0, 1.0),
        "excluded_until": (0.0, STEP + EXCLUSION_DAYS),
    }

    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        n = self.agents
        scheme = int(rng.choice([NO_SANCTION, FLAT, GRADUATED, GRADUATED]))
        return {
            "table": SanctionTable(
                scheme=scheme, ladder_eur=np.array(LADDER[: rng.integers(1, 5)]), flat_fine_eur=rng.uniform(0, 50)
            ),
            "accused": rng.random(n) < 0.4,
            "fine_scale": rng.uniform(0.25, 4.0, n),
            "forgiveness_days": int(rng.integers(1, 120)),
            "exclude_after": int(rng.integers(0, 5)),
            "clean_days": rng.integers(0, 150, n).astype(np.int32),
            "offence_level": rng.integers(0, 6, n).astype(np.int16),
            "member": rng.random(n) < 0.7,
            "excluded_until": rng.integers(0, STEP, n).astype(np.int64),
        }

    def population(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        t = f["table"]
        state = {name: f[name].copy() for name in ("clean_days", "offence_level", "member", "excluded_until")}
        fines, excluded = sanction_arrays(
            t.scheme,
            t.ladder_eur,
            t.flat_fine_eur,
            f["accused"],
            f["fine_scale"],
            f["forgiveness_days"],
            f["exclude_after"],
            STEP + EXCLUSION_DAYS,
            state["clean_days"],
            state["offence_level"],
            state["member"],
            state["excluded_until"],
        )
        return {"fines": fines, "excluded": excluded, **state}

    def one_agent(self, f: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        t = f["table"]
        out: dict[str, list] = {name: [] for name in OUTPUTS}
        for i in range(self.agents):
            day = sanction_agent(
                t.scheme,
                t.ladder_eur,
                t.flat_fine_eur,
                bool(f["accused"][i]),
                float(f["fine_scale"][i]),
                f["forgiveness_days"],
                f["exclude_after"],
                STEP + EXCLUSION_DAYS,
                int(f["clean_days"][i]),
                int(f["offence_level"][i]),
                bool(f["member"][i]),
                int(f["excluded_until"][i]),
            )
            for name, value in zip(OUTPUTS, day):
                out[name].append(value)
        return {name: np.array(values) for name, values in out.items()}

    @staticmethod
    def one(accused: bool, level: int, clean: int = 0, member: bool = True, exclude_after: int = 0) -> tuple:
        table = SanctionTable(GRADUATED, np.array(LADDER), 0.0)
        return sanction_agent(
            table.scheme, table.ladder_eur, 0.0, accused, 2.0, 90, exclude_after, 765, clean, level, member, 0
        )

    def test_graduated_ladder_climbs_and_is_forgiven(self) -> None:
        assert self.one(True, 0) == (0.0, False, 0, 1, True, 0)  # a warning first
        assert self.one(True, 2, clean=50) == (60.0, False, 0, 3, True, 0)
        assert self.one(True, 9) == (200.0, False, 0, 10, True, 0)  # the top rung's fine beyond the ladder
        assert self.one(False, 2, clean=89) == (0.0, False, 0, 1, True, 0)  # 90 clean days: one rung down
        assert self.one(False, 0, clean=89) == (0.0, False, 90, 0, True, 0)

    def test_exclusion_resets_the_ladder(self) -> None:
        assert self.one(True, 2, exclude_after=3) == (60.0, True, 0, 0, False, 765)
        assert self.one(True, 2, member=False, exclude_after=3) == (60.0, False, 0, 3, False, 0)
