"""Common-pool resource appropriation game (Ostrom, Gardner & Walker 1994).

Ostrom, E., Gardner, R. and Walker, J. (1994) *Rules, Games, and Common-Pool Resources*,
University of Michigan Press, ch. 5-7; Ostrom, E., Walker, J. and Gardner, R. (1992)
"Covenants with and without a sword: self-governance is possible", *American Political
Science Review* 86(2): 404-417.

Eight players each split an endowment of ``e`` tokens (10 or 25) between an outside
market paying ``w`` per token and a common pool whose group return is ``F(X) = aX - bX^2``
for ``X`` tokens invested in all, shared in proportion to investment. OGW's values: ``a =
23``, ``b = 0.25``, ``w = 5`` (cents per token; OGW 1994 ch. 5, Table 5.1 design, as
summarised in OWG 1992, section "The CPR appropriation game"). The group's rent ``F(X) -
wX`` is largest at ``X* = (a - w) / 2b = 36`` (324 cents); the symmetric Nash equilibrium
is ``x = (a - w) / (b (n + 1)) = 8`` tokens each, ``X = 64``, a rent of 128 cents, 39.5 % of
the maximum.

Each round, every player decides with the territory's rule
(:mod:`commons_abm.behaviour.decisions`) whether to cooperate, with probability ``1 - (1 -
intrinsic)(1 - deterrence)``: cooperating means investing its share of the optimum
``X*/8 = 4.5`` tokens; defecting, its best response (capped at the endowment) to what it
expects: the others cooperating at its belief ``b`` and defecting otherwise at the Nash
investment. The belief follows the share of the others who kept to the optimum
(:func:`~commons_abm.behaviour.beliefs.revised_beliefs`, slowed by trust in the group, which
follows who cooperated: :func:`~commons_abm.behaviour.trust.update_interpersonal_trust`).

Treatments (OWG 1992; first ``baseline_rounds`` rounds without communication or
sanctions, as in their design, the treatment after):

* ``baseline``: no communication, no sanctions, for all rounds;
* ``one_shot_communication``: one meeting before the first treatment round;
* ``repeated_communication``: a meeting before every treatment round;
* ``sanctions``: after each treatment round, players may fine others (fee ``fee`` to the
  sanctioner, fine ``fine`` to the target), no communication;
* ``communication_sanctions``: both, the sanctioning institution imposed;
* ``chosen_sanctions``: meetings every round, at which each group votes (the territory's
  vote rule, :mod:`commons_abm.governance.collective_choice`) whether to sanction.

A meeting is the territory's collective choice with everyone present: expectations move
toward the group's average intention (:func:`~commons_abm.governance.collective_choice.communicated_beliefs`),
trust grows on every tie (:func:`~commons_abm.governance.collective_choice.trust_after_meeting`), and
the joint plan (invest ``X*/8`` each) is a rule the members chose themselves: its
legitimacy is the voice of shared governance (1), which adds ``legitimacy_weight x T`` to
intrinsic cooperation (:func:`~commons_abm.behaviour.decisions.intrinsic_cooperation`, Tyler 1990),
``T`` institutional trust (held at ``initial_trust_institutional`` in the lab).

Sanctioning is the territory's peer monitoring (:func:`commons_abm.governance.monitoring.detections`):
each player who cooperated watches each other player, fines a defector with probability
``sanction_probability`` and a cooperator by mistake or in revenge with ``error_rate``
(OWG 1992 report such "blind" and retaliatory sanctions). Expected fines deter
(:func:`~commons_abm.behaviour.decisions.deterrence_response`) against the temptation, the extra
earnings of defecting over cooperating given the belief; players learn the expected fine
per defection at ``belief_rate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from commons_abm.behaviour.beliefs import revised_beliefs
from commons_abm.behaviour.decisions import (
    deterrence_response,
    goodwill_shares,
    intrinsic_cooperation,
    with_deterrence,
)
from commons_abm.behaviour.trust import update_interpersonal_trust
from commons_abm.core.scenario import Behaviour
from commons_abm.games.lab import draw_subjects, game_streams, group_ties, lab_behaviour, mean_trust, others_mean
from commons_abm.governance.collective_choice import (
    STRICTER_WHEN_BREACHES_ABOVE,
    communicated_beliefs,
    trust_after_meeting,
)
from commons_abm.governance.monitoring import detections
from commons_abm.governance.rulebook import POSTURE_VOICE

__all__ = ["CPRResult", "CPRRules", "TREATMENTS", "play_cpr"]

TREATMENTS = (
    "baseline",
    "one_shot_communication",
    "repeated_communication",
    "sanctions",
    "communication_sanctions",
    "chosen_sanctions",
)
Treatment = Literal[
    "baseline",
    "one_shot_communication",
    "repeated_communication",
    "sanctions",
    "communication_sanctions",
    "chosen_sanctions",
]


@dataclass(frozen=True)
class CPRRules:
    """The game's parameters (OGW 1994; OWG 1992) and the sanctioning habits."""

    players: int = 8
    a: float = 23.0  # group return aX - bX^2 [cents]
    b: float = 0.25
    w: float = 5.0  # outside return per token [cents]
    baseline_rounds: int = 10
    fee: float = 20.0  # cost of a fine to the sanctioner [cents] (OWG 1992: 20)
    fine: float = 80.0  # cost of a fine to its target [cents] (OWG 1992: 80)
    # Sanctioning habits: not fitted (no target identifies them separately).
    sanction_probability: float = 0.05
    error_rate: float = 0.005
    initial_fine_belief: float = 0.0  # expected fines per defection [cents]

    @property
    def optimum(self) -> float:
        """Group investment with the largest rent, ``(a - w) / 2b`` [tokens]."""
        return (self.a - self.w) / (2.0 * self.b)

    @property
    def nash(self) -> float:
        """Each player's investment at the symmetric Nash equilibrium [tokens]."""
        return (self.a - self.w) / (self.b * (self.players + 1))

    def rent(self, total: np.ndarray | float) -> np.ndarray | float:
        """The group's rent ``F(X) - wX`` [cents]."""
        return (self.a - self.w) * total - self.b * np.square(total)

    @property
    def max_rent(self) -> float:
        """Rent at the optimum [cents]."""
        return float(self.rent(self.optimum))

    def nash_efficiency(self) -> float:
        """Rent at the Nash equilibrium over the maximum rent."""
        return float(self.rent(self.nash * self.players)) / self.max_rent


@dataclass
class CPRResult:
    """Per round: group investment, gross and net efficiency, sanctions."""

    treatment: str
    endowment: int
    groups: int
    seed: int
    rules: CPRRules = field(repr=False)
    investment: np.ndarray = field(repr=False)  # (rounds,) mean group investment [tokens]
    gross_efficiency: np.ndarray = field(repr=False)  # (rounds,)
    net_efficiency: np.ndarray = field(repr=False)  # (rounds,)
    cooperation: np.ndarray = field(repr=False)  # (rounds,) share keeping to the optimum
    fines_per_player: np.ndarray = field(repr=False)  # (rounds,)

    @property
    def treatment_rounds(self) -> slice:
        """The rounds the treatment's efficiency is measured on (all rounds for the baseline)."""
        return slice(0, None) if self.treatment == "baseline" else slice(self.rules.baseline_rounds, None)

    def summary(self) -> dict:
        """Efficiency (share of the maximum rent) over the treatment's rounds, and more."""
        s = self.treatment_rounds
        return {
            "game": "cpr",
            "treatment": self.treatment,
            "endowment": self.endowment,
            "groups": self.groups,
            "rounds": int(self.investment.size),
            "seed": self.seed,
            "gross_efficiency": float(self.gross_efficiency[s].mean()),
            "net_efficiency": float(self.net_efficiency[s].mean()),
            "nash_efficiency": self.rules.nash_efficiency(),
            "optimum_efficiency": 1.0,
            "mean_group_investment": float(self.investment[s].mean()),
            "optimum_group_investment": self.rules.optimum,
            "nash_group_investment": self.rules.nash * self.rules.players,
            "cooperation_share": float(self.cooperation[s].mean()),
            "fines_per_player_per_round": float(self.fines_per_player[s].mean()),
            "measured_over_rounds": [int(s.start) + 1, int(self.investment.size)],
        }


def defection_level(belief: np.ndarray, rules: CPRRules, endowment: int) -> np.ndarray:
    """What a defector invests: the best response to the others cooperating at ``belief`` and
    the other defectors doing the same as itself (the Nash equilibrium among defectors, given
    the cooperators), capped at the endowment; ``nash`` when no one is expected to cooperate."""
    k, x_coop = rules.players, rules.optimum / rules.players
    level = (rules.a - rules.w - rules.b * (k - 1) * belief * x_coop) / (rules.b * (2.0 + (k - 1) * (1.0 - belief)))
    return np.clip(level, 0.0, endowment)


def _earnings(own: np.ndarray, others: np.ndarray, rules: CPRRules, endowment: int) -> np.ndarray:
    total = own + others
    return rules.w * (endowment - own) + own * (rules.a - rules.b * total)


def play_cpr(
    behaviour: Behaviour | None = None,
    *,
    treatment: Treatment = "baseline",
    endowment: int = 25,
    groups: int = 50,
    rounds: int = 20,
    seed: int | np.random.SeedSequence = 0,
    rules: CPRRules | None = None,
) -> CPRResult:
    """Play one session of ``groups`` groups of eight for ``rounds`` rounds (default behaviour:
    the calibrated one, :func:`commons_abm.games.lab.lab_behaviour`)."""
    if treatment not in TREATMENTS:
        raise ValueError(f"unknown treatment {treatment!r}; allowed: {', '.join(TREATMENTS)}")
    behaviour = behaviour or lab_behaviour()
    rules = rules or CPRRules()
    rng = game_streams(seed)
    d = behaviour.decisions
    k, n = rules.players, groups * rules.players
    subjects = draw_subjects(n, behaviour, rng["subjects"])
    belief = subjects.belief
    group = np.repeat(np.arange(groups), k)
    ties = group_ties(group, behaviour.initial_trust_interpersonal)
    trust_inst = behaviour.initial_trust_institutional
    fine_belief = np.full(n, rules.initial_fine_belief)
    x_coop = rules.optimum / k
    talk = treatment in (
        "one_shot_communication",
        "repeated_communication",
        "communication_sanctions",
        "chosen_sanctions",
    )
    sanctioning = np.full(groups, treatment in ("sanctions", "communication_sanctions"))
    legit = 0.0
    everyone = np.ones(n, dtype=bool)
    last_breach = np.zeros(n, dtype=bool)
    out = {key: np.zeros(rounds) for key in ("inv", "gross", "net", "coop", "fines")}
    for t in range(rounds):
        treated = treatment != "baseline" and t >= rules.baseline_rounds
        x_defect = defection_level(belief, rules, endowment)
        expected_others = (k - 1) * (belief * x_coop + (1.0 - belief) * x_defect)
        temptation = np.maximum(
            _earnings(x_defect, expected_others, rules, endowment)
            - _earnings(np.full(n, x_coop), expected_others, rules, endowment),
            1e-9,
        )
        meets = treated and talk and (treatment != "one_shot_communication" or t == rules.baseline_rounds)
        if meets:
            legit = POSTURE_VOICE["shared_governance"]
            intention = intrinsic_cooperation(
                subjects.cc_type, belief, subjects.group_weight, behaviour, legit, trust_inst
            )
            belief = communicated_beliefs(belief, intention, group, everyone, groups)
            ties.trust[:] = trust_after_meeting(ties.trust, everyone[ties.owners], behaviour.trust.meeting_gain)
            if treatment == "chosen_sanctions":
                # the territory's ballot: cooperators vote for enforcement when more than
                # 10 % broke the plan last round, defectors against; the median decides
                breaches = np.bincount(group, weights=last_breach, minlength=groups) / k
                strict = breaches > STRICTER_WHEN_BREACHES_ABOVE
                ballot = np.where(~last_breach, strict[group].astype(float), -1.0)
                votes = np.array([np.median(ballot[group == g]) for g in range(groups)])
                sanctioning = votes > 0
        enforced = treated & sanctioning[group]
        intrinsic = propensity = intrinsic_cooperation(
            subjects.cc_type, belief, subjects.group_weight, behaviour, legit, trust_inst
        )
        deterrence = np.where(enforced, deterrence_response(fine_belief, temptation, d.deterrence_noise), 0.0)
        propensity = with_deterrence(propensity, deterrence)
        cooperated = rng["decisions"].random(n) < propensity
        invest = np.where(cooperated, x_coop, x_defect)
        total = np.bincount(group, weights=invest, minlength=groups)
        rent = rules.rent(total)
        cost = np.zeros(groups)
        fines_n = np.zeros(n)
        if enforced.any():
            watcher, target = ties.owners, ties.indices
            active = enforced[watcher] & cooperated[watcher]
            hit = (
                detections(
                    ~cooperated[target],
                    rng["sanctions"].random(watcher.size),
                    rules.sanction_probability,
                    rules.error_rate,
                )
                & active
            )
            fines_n = np.bincount(target, weights=hit.astype(float), minlength=n)
            spent = np.bincount(watcher, weights=hit.astype(float), minlength=n)
            cost = np.bincount(group, weights=rules.fine * fines_n + rules.fee * spent, minlength=groups)
            defectors = np.bincount(group, weights=(~cooperated).astype(float), minlength=groups)
            fined = np.bincount(group, weights=rules.fine * fines_n * ~cooperated, minlength=groups)
            seen = enforced & (defectors[group] > 0)
            observed = np.divide(fined[group], defectors[group], out=np.zeros(n), where=seen)
            fine_belief = np.where(seen, fine_belief + d.belief_rate * (observed - fine_belief), fine_belief)
        out["inv"][t] = total.mean()
        out["gross"][t] = rent.mean() / rules.max_rent
        out["net"][t] = (rent - cost).mean() / rules.max_rent
        out["coop"][t] = cooperated.mean()
        out["fines"][t] = fines_n.mean()
        last_breach = ~cooperated
        update_interpersonal_trust(ties, cooperated, behaviour.trust, goodwill_shares(intrinsic, propensity))
        belief = revised_beliefs(belief, others_mean(cooperated.astype(float), group), mean_trust(ties), behaviour)
    return CPRResult(
        treatment,
        endowment,
        groups,
        int(seed) if isinstance(seed, int) else -1,
        rules,
        out["inv"],
        out["gross"],
        out["net"],
        out["coop"],
        out["fines"],
    )
