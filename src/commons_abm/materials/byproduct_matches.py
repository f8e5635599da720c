"""Firms' by-product exchange as a governed commons: matches that form, deliver and break.

"Faire en sorte que les déchets des uns puissent constituer pour d'autres acteurs des
ressources" (``002_2c516223579a919e.txt``): a **match** is a (seller, buyer) pair of firms
where the seller's by-product is of the kind the buyer uses as input (industrial symbiosis,
Chertow 2000). Which matches exist, and whether they deliver, is what firms, their ties and
the community's rules decide. Each candidate pair (every matching pair of firms, tied or
not) is active or not and has a trust ``T`` [0-1]. Each day, for each candidate ``k``, with
three uniforms from the stream ``materials``:

1. **Discovery and formation.** An inactive match is found with probability ``d_k``:
   ``tie_discovery_per_day`` when the two firms are tied in the social network (they talk:
   geographic proximity and existing relations make symbiosis possible, Chertow 2000), the
   platform's ``discovery_per_day`` when the community runs one (rule ``match_byproducts``:
   "les « plateformes d'appariement » territoriales ... restent à construire",
   ``002_2c516223579a919e.txt``; a "plateforme d'interfaçage", a "facilitateur",
   ``003_d0cbea24b0b91578.txt``), else 0. A
   found match forms when what the pair gains over the time firms give a cooperation to pay
   back exceeds the set-up cost ("une survalorisation des coûts de la coopération ... son
   retour sur investissement n'est pas immédiat", ``003_d0cbea24b0b91578.txt``)::

       min(B_s, I_b) x (virgin + avoided_disposal - transaction) x payback_days > setup_cost x (1 - r_setup)

   with ``B_s`` the seller's usual by-product, ``I_b`` the buyer's usual input [kg/day],
   ``virgin`` the price of virgin input the buyer saves, ``avoided_disposal`` the seller's
   disposal of a kg down the hierarchy and ``transaction`` the mean cost of handling a kg
   between them [EUR/kg]; the platform cuts set-up and handling by its shares ``r``. Each
   firm of a new match pays half the set-up cost that day; the match starts at the
   scenario's initial interpersonal trust.
2. **Delivery.** The seller of an active match delivers today with probability
   ``1 - exp(-g / transaction)``, ``g = secondary + avoided_disposal`` what delivering a kg
   earns it, against the day's handling cost (exponential with mean ``transaction``). A
   seller that does not deliver sends its by-product down the hierarchy: it landfills or
   burns what another firm could use, and the buyer buys virgin input.
3. **Trust.** A delivery raises the match's trust by ``interpersonal_gain (1 - T)``, a
   failure lowers it by ``interpersonal_loss T`` (trust builds slowly and falls fast,
   Slovic 1993).
4. **Break.** An active match breaks with probability ``break_per_day (1 - T)``; a broken
   match can be found again.

The platform's daily cost is shared equally by the firms in an active match that day
(those who use it pay for it: congruence of costs and benefits, Ostrom 1990).

Candidates are the pairs whose by-product and input are of the same kind and technically
compatible: a share ``compatible_share`` of them, drawn at set-up (a by-product rarely meets
another firm's specifications as it is). At set-up the candidates whose firms are tied are
active (the exchanges the territory already has). :func:`match_pair` is the one-match form
that :func:`match_day` applies to every candidate, in both engines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.kinds import role_mask
from commons_abm.core.state import Matches
from commons_abm.materials.symbiosis import symbiosis_pairs

if TYPE_CHECKING:
    from commons_abm.core.scenario import Scenario
    from commons_abm.core.state import State
    from commons_abm.governance.institutions import Institutions

__all__ = [
    "MatchParameters",
    "MatchPair",
    "candidate_matches",
    "delivering",
    "match_day",
    "match_pair",
    "match_parameters",
    "matches_of",
]


class MatchParameters(NamedTuple):
    """The matching of by-products, as :func:`match_day` takes it (:func:`match_parameters`
    reads the scenario's firms and prices and the rulebook's platform)."""

    tie_discovery_per_day: float  # chance that tied firms find a match of theirs on a day [1/day]
    platform_discovery_per_day: float  # ... that the platform finds any match (0 without one) [1/day]
    setup_cost_eur: float  # cost of setting up a match, after the platform's cut [EUR]
    payback_days: float  # the time firms give a match to pay back its set-up [days]
    transaction_eur_per_kg: float  # mean cost of handling a kg between two firms, after the platform's cut
    break_per_day: float  # chance that a match with no trust breaks on a day [1/day]
    virgin_eur_per_kg: float  # price of virgin input [EUR/kg]
    secondary_eur_per_kg: float  # price the buyer pays the seller [EUR/kg]
    disposal_eur_per_kg: float  # a by-product down the hierarchy (recycling and residual shares) [EUR/kg]
    trust_gain: float  # trust gained on a delivery, times (1 - T)
    trust_loss: float  # trust lost on a failure, times T
    initial_trust: float  # trust of a new match [0-1]
    platform_cost_eur_per_day: float  # the platform's cost, shared by the firms in active matches (0 without one)


class MatchPair(NamedTuple):
    """One candidate match's day (:func:`match_pair`)."""

    active: bool  # active at the end of the day
    trust: float  # trust at the end of the day [0-1]
    delivered: bool  # the seller delivered today
    formed: bool  # the match formed today (its firms pay the set-up)


@kernel
def match_pair(active, trust, tied, byproduct_kg, input_kg, u, p):  # pragma: no cover - compiled
    """One candidate match's day (see the module docstring; ``byproduct_kg``,
    ``input_kg``: the seller's and buyer's usual flows [kg/day]; ``u``: its three uniforms;
    ``p``: :class:`MatchParameters`), as :class:`MatchPair`."""
    if not active:
        discovery = p.tie_discovery_per_day if tied else 0.0
        discovery = max(discovery, p.platform_discovery_per_day)
        worth = min(byproduct_kg, input_kg) * (p.virgin_eur_per_kg + p.disposal_eur_per_kg - p.transaction_eur_per_kg)
        if u[0] < discovery and worth * p.payback_days > p.setup_cost_eur:
            return MatchPair(True, p.initial_trust, False, True)
        return MatchPair(False, trust, False, False)
    gain = p.secondary_eur_per_kg + p.disposal_eur_per_kg
    chance = 1.0
    if p.transaction_eur_per_kg > 0.0:
        chance = 1.0 - np.exp(-max(gain, 0.0) / p.transaction_eur_per_kg)
    delivered = u[1] < chance
    if delivered:
        trust += p.trust_gain * (1.0 - trust)
    else:
        trust -= p.trust_loss * trust
    if u[2] < p.break_per_day * (1.0 - trust):
        return MatchPair(False, trust, delivered, False)
    return MatchPair(True, trust, delivered, False)


@kernel
def match_day(u, active, trust, tied, seller, buyer, byproduct_kg_per_day, input_kg_per_day, p):  # pragma: no cover
    """Every candidate's day (:func:`match_pair`), in place on ``active`` and ``trust``;
    ``u`` of shape ``(3, candidates)``. Returns whether each seller delivered today and
    each agent's share of today's set-up and platform costs [EUR]."""
    delivered = np.zeros(seller.size, dtype=np.bool_)
    setup = np.zeros(byproduct_kg_per_day.size)
    using = np.zeros(byproduct_kg_per_day.size, dtype=np.bool_)
    for k in range(seller.size):
        s, b = seller[k], buyer[k]
        day = match_pair(active[k], trust[k], tied[k], byproduct_kg_per_day[s], input_kg_per_day[b], u[:, k], p)
        active[k] = day.active
        trust[k] = day.trust
        delivered[k] = day.delivered
        if day.formed:
            setup[s] += 0.5 * p.setup_cost_eur
            setup[b] += 0.5 * p.setup_cost_eur
        if day.active:
            using[s] = True
            using[b] = True
    users = using.sum()
    if users > 0 and p.platform_cost_eur_per_day > 0.0:
        share = p.platform_cost_eur_per_day / users
        for i in range(using.size):
            if using[i]:
                setup[i] += share
    return delivered, setup


def delivering(matches: Matches, delivered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Today's (seller, buyer) pairs that exchange: the active matches whose seller delivered."""
    return matches.seller[delivered], matches.buyer[delivered]


def candidate_matches(state: State, initial_trust: float, compatible_share: float, rng: np.random.Generator) -> Matches:
    """Every (seller, buyer) pair of distinct firms whose by-product and input are of the
    same kind and, with probability ``compatible_share`` (one uniform per such pair from
    ``rng``), technically compatible; tied pairs are active from the start."""
    trades = np.flatnonzero(role_mask(state.kind, "trades_byproducts"))
    seller = np.repeat(trades, trades.size).astype(np.int64)
    buyer = np.tile(trades, trades.size).astype(np.int64)
    kind_of = state.byproduct_type[seller]
    keep = (seller != buyer) & (kind_of >= 0) & (kind_of == state.input_type[buyer])
    seller, buyer = seller[keep], buyer[keep]
    compatible = rng.random(seller.size) < compatible_share
    seller, buyer = seller[compatible], buyer[compatible]
    tied_seller, tied_buyer = symbiosis_pairs(state.kind, state.ties, state.byproduct_type, state.input_type)
    tied_keys = set(zip(tied_seller.tolist(), tied_buyer.tolist()))
    tied = np.array([(s, b) in tied_keys for s, b in zip(seller.tolist(), buyer.tolist())], dtype=bool)
    return Matches(seller=seller, buyer=buyer, tied=tied, active=tied.copy(), trust=np.full(seller.size, initial_trust))


def matches_of(state: State, scenario: Scenario, rng: np.random.Generator | None = None) -> Matches:
    """The state's candidate matches (none when symbiosis is off), built from ``rng`` if
    the state has none yet (``CommonsModel`` builds them at set-up from the stream
    ``territory``, after every other draw of the territory)."""
    if state.matches is None:
        if rng is None:
            raise ValueError("the state has no by-product matches yet: give a generator to build them")
        f = scenario.materials.firms
        if f.symbiosis:
            trust = scenario.behaviour.initial_trust_interpersonal
            state.matches = candidate_matches(state, trust, f.matching.compatible_share, rng)
        else:
            state.matches = Matches.empty()
    return state.matches


def match_parameters(scenario: Scenario, inst: Institutions) -> MatchParameters:
    """The matching's parameters: the scenario's firms and prices, the rulebook's platform."""
    f, c, t = scenario.materials.firms, scenario.materials.costs, scenario.behaviour.trust
    m = f.matching
    e = scenario.materials.households.energy_recovery_share
    residual = e * c.recovery_eur_per_kg + (1.0 - e) * c.landfill_eur_per_kg
    r = f.byproduct_recycling_share
    platform = inst.byproduct_platform
    return MatchParameters(
        tie_discovery_per_day=float(m.tie_discovery_per_day),
        platform_discovery_per_day=float(inst.platform_discovery_per_day) if platform else 0.0,
        setup_cost_eur=float(m.setup_cost_eur) * (1.0 - (inst.platform_setup_cut if platform else 0.0)),
        payback_days=float(m.payback_days),
        transaction_eur_per_kg=float(m.transaction_eur_per_kg)
        * (1.0 - (inst.platform_transaction_cut if platform else 0.0)),
        break_per_day=float(m.break_per_day),
        virgin_eur_per_kg=float(c.virgin_eur_per_kg),
        secondary_eur_per_kg=float(c.secondary_eur_per_kg),
        disposal_eur_per_kg=float(r * c.recycling_eur_per_kg + (1.0 - r) * residual),
        trust_gain=float(t.interpersonal_gain),
        trust_loss=float(t.interpersonal_loss),
        initial_trust=float(scenario.behaviour.initial_trust_interpersonal),
        platform_cost_eur_per_day=float(inst.platform_cost_eur_per_day) if platform else 0.0,
    )
