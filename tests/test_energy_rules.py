"""Every rulebook parameter of the energy community acts on some indicator.

PV-rich territory (``experiments/scenarios/pv_rich.toml``), the full rulebook against the
same rulebook with one energy rule changed, one simulated year, paired seeds: the 95 %
confidence interval of the mean paired difference excludes zero, in the stated
direction. The effects are printed with the test report. The governance parameters
(monitoring, sanctions, mediation, meetings, officials) are the governance issue's.
"""

from __future__ import annotations

import pytest

from commons_abm.core.scenario import load_scenario
from commons_abm.governance.rulebook import Rulebook, load_rulebook
from commons_abm.sweeps.compare import compare_rulebooks, with_parameters

from .conftest import EFFECTS, ROOT

BASE = load_rulebook(ROOT / "experiments" / "rulebooks" / "full_ostrom.toml")


def _without(book: Rulebook, aim: str) -> Rulebook:
    kept = [s.model_dump() for s in book.statements if s.aim != aim]
    return Rulebook.model_validate({**book.model_dump(), "statements": kept})


# (rule changed, treatment rulebook, indicator, sign of the effect, seeds)
CASES = [
    ("allocate_energy.key: static", with_parameters(BASE, "allocate_energy", key="static"),
     "bill_saving_eur_per_participant", -1, 12),
    # the Gini is among households, non-members' zeros included: serving energy-poor members first
    # concentrates the operation's gains (what it does for the energy-poor: docs/validation.md)
    ("allocate_energy.key: needs_first", with_parameters(BASE, "allocate_energy", key="needs_first"),
     "gini_net_benefit", +1, 12),
    ("pay_fee.eur_per_month: 3 -> 30", with_parameters(BASE, "pay_fee", eur_per_month=30.0), "members_share", -1, 12),
    ("facilitate.load_shift_share: 0.1 -> 0.5", with_parameters(BASE, "facilitate", load_shift_share=0.5),
     "community_self_sufficiency", +1, 12),
    ("draw_pool: members only -> open access", _without(BASE, "draw_pool"), "community_self_sufficiency", -1, 12),
    ("overdraw: forbidden -> allowed", _without(BASE, "overdraw"), "cooperation_rate", -1, 20),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "treatment", "indicator", "sign", "seeds"), CASES, ids=[c[0] for c in CASES])
def test_the_energy_rule_acts(rule: str, treatment: Rulebook, indicator: str, sign: int, seeds: int) -> None:
    scenario = load_scenario(ROOT / "experiments" / "scenarios" / "pv_rich.toml")
    effect = compare_rulebooks(scenario, BASE, treatment, [indicator], seeds=seeds, steps=365, window=365)[indicator]
    EFFECTS.append(f"{rule}: {effect}")
    if sign > 0:
        assert effect.ci_low > 0, str(effect)
    else:
        assert effect.ci_high < 0, str(effect)
