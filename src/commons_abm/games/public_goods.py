"""Linear public goods game, with or without costly punishment (Fehr & Gächter 2000).

Fehr, E. and Gächter, S. (2000) "Cooperation and punishment in public goods experiments",
*American Economic Review* 90(4): 980-994. Groups of 4, endowment 20 tokens, each token in
the group account returns 0.4 to every member; in the punishment stage each point costs
the punisher 1 token and the target 3 (at most 10 points per target). Partner matching
keeps the groups for the 10 periods; stranger matching regroups every period.

The subjects are the territory model's agents (:mod:`commons_abm.games.lab`); each
period, every subject decides with the territory's decision rule
(:mod:`commons_abm.behaviour.decisions`):

* intrinsic cooperation ``clip(r_type(b) + motive_weight w, 0, 1)``
  (:func:`~commons_abm.behaviour.decisions.intrinsic_cooperation`), ``b`` what it expects the others
  to contribute (share of the endowment);
* with punishment, deterrence ``Phi(ln(E / g) / deterrence_noise)``
  (:func:`~commons_abm.behaviour.decisions.deterrence_response`) against the temptation ``g = (1 -
  MPCR) x endowment`` (what a subject keeps by contributing nothing instead of
  everything), ``E`` the punishment it expects for contributing nothing while the others
  contribute ``b``: the damage per token of shortfall it expects from the people it now
  plays with x ``b`` x endowment;
  propensity ``1 - (1 - intrinsic)(1 - deterrence)``
  (:func:`~commons_abm.behaviour.decisions.with_deterrence`);
* each of the 20 tokens goes to the group account with that propensity (the territory's
  "cooperate with probability propensity", once per token).

After the contributions are shown, each subject punishes each member who gave less than
itself: peers detect the breach (:func:`commons_abm.governance.monitoring.detections`) with
probability ``punish_probability``, and wrongly (a "perverse" point on a member who gave
as much or more, Herrmann, Thöni & Gächter 2008, *Science* 319) with ``antisocial_rate``;
a punished shortfall of ``s`` tokens costs ``min(10, ceil(points_per_token s))`` points.
Subjects then learn: their belief follows the others' mean contribution with
:func:`commons_abm.behaviour.beliefs.revised_beliefs` (slowed by their trust in the group), their
expected damage per token of shortfall follows what the group's low contributors received
at the same ``belief_rate``, and interpersonal trust follows whether each member gave at
least half its endowment, crediting it with the share of its giving it would have given
without punishment (:func:`commons_abm.behaviour.trust.update_interpersonal_trust`).

**What a subject expects of strangers.** What a subject has learned about punishment is
about the people who punished: partners keep playing with them, so the damage it expects
is what it learned. A stranger meets new people every period, who have punished nobody in
front of it; it expects the prior ``initial_sanction_belief`` moved toward what it learned
by the share ``sanction_generalisation`` only. Fehr & Gächter (2000, section III) read the
gap between their partner and stranger treatments with punishment this way: a sanction
deters more where the punisher is met again. The share is fitted with the rest
(``calibration/calibrate.py``).
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
from commons_abm.core.calibrated import lab_setting
from commons_abm.core.scenario import Behaviour
from commons_abm.games.lab import (
    draw_subjects,
    game_streams,
    group_ties,
    lab_behaviour,
    mean_trust,
    others_mean,
    random_groups,
)
from commons_abm.governance.monitoring import detections

__all__ = ["PublicGoodsResult", "PublicGoodsRules", "play_public_goods"]

Matching = Literal["partner", "stranger"]


@dataclass(frozen=True)
class PublicGoodsRules:
    """The game's parameters (Fehr & Gächter 2000, section I) and the punishment habits."""

    group_size: int = 4
    endowment: int = 20
    mpcr: float = 0.4  # marginal per-capita return of the group account
    point_cost: float = 1.0  # cost of a punishment point to the punisher [tokens]
    point_damage: float = 3.0  # cost of a point to its target [tokens]
    max_points: int = 10  # per punisher and target
    # Punishment habits: not fitted; chosen so that a subject giving 10-20 tokens less than
    # the others receives about 4-7 points in all, the order of magnitude of F&G 2000, Fig. 3.
    punish_probability: float = 0.6  # a member who gave less is punished by a given peer
    points_per_token: float = 0.2  # points per token of shortfall, when punished
    antisocial_rate: float = 0.05  # one point on a member who gave as much or more
    # expected damage per token of shortfall before any is seen [tokens]; fitted
    initial_sanction_belief: float = field(default_factory=lambda: lab_setting("initial_sanction_belief", 1.0))
    # share of what a subject learned about punishment that it expects of strangers [0-1]; fitted
    sanction_generalisation: float = field(default_factory=lambda: lab_setting("sanction_generalisation", 1.0))


@dataclass
class PublicGoodsResult:
    """Per period: mean contribution share, punishment points per subject, payoffs."""

    punishment: bool
    matching: Matching
    groups: int
    seed: int
    contribution_share: np.ndarray = field(repr=False)  # (periods,)
    points_per_subject: np.ndarray = field(repr=False)  # (periods,)
    payoff: np.ndarray = field(repr=False)  # (periods,) mean per subject [tokens]
    type_counts: np.ndarray = field(repr=False)  # subjects of each CC type

    def summary(self) -> dict:
        """Headline figures of the session."""
        share = self.contribution_share
        return {
            "game": "public_goods",
            "punishment": self.punishment,
            "matching": self.matching,
            "groups": self.groups,
            "periods": int(share.size),
            "seed": self.seed,
            "first_period_share": float(share[0]),
            "last_period_share": float(share[-1]),
            "mean_share": float(share.mean()),
            "mean_points_per_subject": float(self.points_per_subject.mean()),
            "mean_payoff_tokens": float(self.payoff.mean()),
            "type_shares": (self.type_counts / self.type_counts.sum()).tolist(),
        }


def play_public_goods(
    behaviour: Behaviour | None = None,
    *,
    punishment: bool = False,
    matching: Matching = "partner",
    groups: int = 50,
    periods: int = 10,
    seed: int | np.random.SeedSequence = 0,
    rules: PublicGoodsRules | None = None,
) -> PublicGoodsResult:
    """Play one session of ``groups`` groups for ``periods`` periods (default behaviour: the
    calibrated one, :func:`commons_abm.games.lab.lab_behaviour`)."""
    behaviour = behaviour or lab_behaviour()
    rules = rules or PublicGoodsRules()
    rng = game_streams(seed)
    d = behaviour.decisions
    n, e = groups * rules.group_size, rules.endowment
    subjects = draw_subjects(n, behaviour, rng["subjects"])
    belief = subjects.belief
    sanction_belief = np.full(n, rules.initial_sanction_belief)
    temptation = (1.0 - rules.mpcr) * e
    shares, points_out, payoffs = np.zeros(periods), np.zeros(periods), np.zeros(periods)
    group = random_groups(n, rules.group_size, rng["matching"])
    ties = group_ties(group, behaviour.initial_trust_interpersonal)
    for t in range(periods):
        if matching == "stranger" and t > 0:
            group = random_groups(n, rules.group_size, rng["matching"])
            ties = group_ties(group, behaviour.initial_trust_interpersonal)
        intrinsic = propensity = intrinsic_cooperation(subjects.cc_type, belief, subjects.group_weight, behaviour)
        if punishment:
            prior = rules.initial_sanction_belief
            expected_rate = sanction_belief
            if matching == "stranger":
                expected_rate = prior + rules.sanction_generalisation * (sanction_belief - prior)
            expected = expected_rate * belief * e
            propensity = with_deterrence(propensity, deterrence_response(expected, temptation, d.deterrence_noise))
        given = rng["decisions"].binomial(e, propensity).astype(float)
        share = given / e
        pot = np.bincount(group, weights=given)[group]
        payoff = e - given + rules.mpcr * pot
        if punishment:
            punisher, target = ties.owners, ties.indices
            shortfall = given[punisher] - given[target]
            breach = shortfall > 0
            hit = detections(
                breach, rng["sanctions"].random(shortfall.size), rules.punish_probability, rules.antisocial_rate
            )
            points = (
                np.where(breach, np.minimum(rules.max_points, np.ceil(rules.points_per_token * shortfall)), 1.0) * hit
            )
            received = np.bincount(target, weights=points, minlength=n)
            spent = np.bincount(punisher, weights=points, minlength=n)
            payoff -= rules.point_damage * received + rules.point_cost * spent
            points_out[t] = points.sum() / n
            gap = np.maximum(others_mean(given, group) - given, 0.0)
            damage_g = np.bincount(group, weights=rules.point_damage * received * (gap > 0))
            gap_g = np.bincount(group, weights=gap)
            seen = gap_g[group] > 0
            rate = np.divide(damage_g[group], gap_g[group], out=np.zeros(n), where=seen)
            sanction_belief = np.where(
                seen, sanction_belief + d.belief_rate * (rate - sanction_belief), sanction_belief
            )
        shares[t], payoffs[t] = share.mean(), payoff.mean()
        update_interpersonal_trust(ties, share >= 0.5, behaviour.trust, goodwill_shares(intrinsic, propensity))
        belief = revised_beliefs(belief, others_mean(share, group), mean_trust(ties), behaviour)
    return PublicGoodsResult(
        punishment,
        matching,
        groups,
        int(seed) if isinstance(seed, int) else -1,
        shares,
        points_out,
        payoffs,
        np.bincount(subjects.cc_type, minlength=4),
    )
