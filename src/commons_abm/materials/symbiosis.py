"""Industrial symbiosis: firms' by-products replace other firms' virgin inputs.

"One's waste is another's resource" (Fing's Kit AgirLocal, ``002_2c516223579a919e.txt``);
industrial symbiosis engages traditionally separate firms in a collective exchange of materials, and
geographic proximity plus existing relations make it possible (Chertow 2000, Annu. Rev.
Energy Environ. 25:313-337). Here a firm's by-product substitutes another firm's input
over a (seller, buyer) pair: in a run, the day's pairs are the matches in force whose
seller delivers (:mod:`commons_abm.materials.byproduct_matches`, which decides which
matches exist); :func:`symbiosis_pairs` gives the pairs a territory starts with: two firms

* **tied in the social network** (either direction of an undirected tie of
  ``State.ties``: the seller can be either end), whose
* by-product is of the **same material type** as the buyer's input.

One day is a single simultaneous round over all such (seller, buyer) pairs:

1. each seller splits its by-product among its buyers **in proportion to their input
   demand** (the offer on each pair);
2. each buyer whose offers add up to more than its demand **scales every offer down by
   the same factor** so that it takes exactly its demand.

So no buyer receives more than its demand and no seller gives more than its by-product.
What a buyer refuses stays with its seller for the day (no second round: a seller does
not re-offer to other buyers what one buyer turned down), which under-estimates the
exchange a little when buyers are saturated. On the pair (seller ``s``, buyer ``b``), with
``B_s`` the seller's by-product, ``D_b`` the buyer's demand, ``W_s`` the demand of all
the seller's buyers and ``O_b`` all that is offered to the buyer::

    offer(s, b) = B_s D_b / W_s                                  (0 when W_s = 0)
    kg(s, b)    = offer(s, b) min(1, D_b / O_b)
    left_s      = max(B_s - sum_b kg(s, b), 0)

The one-pair forms :func:`pair_offer` and :func:`pair_taken` (and the one-firm
:func:`unsold`) hold these equations once: the population kernel :func:`exchange` calls
them pair by pair, and the reference engine's firms call them one at a time
(``FirmRules.offer_byproducts`` and ``accept_offers`` in :mod:`commons_abm.agents.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.kinds import role_mask
from commons_abm.core.state import FUNCTIONAL, Ties

__all__ = [
    "SymbiosisDay",
    "exchange",
    "exchange_byproducts",
    "pair_offer",
    "pair_taken",
    "symbiosis_pairs",
    "unsold",
]


@dataclass(frozen=True)
class SymbiosisDay:
    """One day of by-product exchange.

    ``seller[k]``, ``buyer[k]``, ``kg[k]``: the flow over each candidate pair [kg/day];
    per agent [kg/day]: ``received`` (secondary material received), ``sold`` (by-product
    given to other firms) and ``left`` (by-product not exchanged).
    """

    seller: np.ndarray
    buyer: np.ndarray
    kg: np.ndarray
    received: np.ndarray
    sold: np.ndarray
    left: np.ndarray

    @property
    def total(self) -> float:
        """Total exchanged [kg/day]."""
        return float(self.kg.sum())


def symbiosis_pairs(
    kind: np.ndarray, ties: Ties, byproduct_type: np.ndarray, input_type: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The (seller, buyer) pairs that may exchange: both firms, tied by a functional tie (they
    work with each other, ``000_027160d2fbf9a985.txt``'s functional proximity), and the seller's
    by-product type equal to the buyer's input type (types < 0 never match)."""
    u, v = ties.u, ties.v
    trades = role_mask(kind, "trades_byproducts")
    firm_tie = trades[u] & trades[v] & ((ties.proximity & FUNCTIONAL) != 0)
    u, v = u[firm_tie], v[firm_tie]
    seller = np.concatenate([u, v]).astype(np.int64)
    buyer = np.concatenate([v, u]).astype(np.int64)
    t = byproduct_type[seller]
    match = (t == input_type[buyer]) & (t >= 0)
    return seller[match], buyer[match]


def exchange_byproducts(
    kind: np.ndarray,
    ties: Ties,
    byproduct_kg: np.ndarray,
    byproduct_type: np.ndarray,
    demand_kg: np.ndarray,
    input_type: np.ndarray,
    enabled: bool = True,
    pairs: tuple[np.ndarray, np.ndarray] | None = None,
) -> SymbiosisDay:
    """One day's exchange over the tied pairs of :func:`symbiosis_pairs` (see the module
    docstring): the matches a territory starts with, all delivering. The engines call
    :func:`exchange` on the day's delivering matches instead.

    ``byproduct_kg`` and ``demand_kg`` are per agent [kg/day]; entries of non-firms are
    ignored. With ``enabled=False`` nothing is exchanged. ``pairs``: the result of
    :func:`symbiosis_pairs` for these arguments, if already known.
    """
    if enabled:
        seller, buyer = pairs if pairs is not None else symbiosis_pairs(kind, ties, byproduct_type, input_type)
    else:
        seller = buyer = np.empty(0, dtype=np.int64)
    kg, received, sold, left = exchange(
        seller,
        buyer,
        np.asarray(byproduct_kg, dtype=float),
        np.asarray(demand_kg, dtype=float),
        role_mask(kind, "trades_byproducts"),
    )
    return SymbiosisDay(seller, buyer, kg, received, sold, left)


@kernel
def pair_offer(byproduct, demand, wanted):  # pragma: no cover - compiled
    """What a seller offers one of its buyers [kg/day]: its ``byproduct`` in proportion to
    the buyer's ``demand`` among the demand ``wanted`` by all its buyers (0 when none)."""
    share = demand / wanted if wanted > 0.0 else 0.0
    return byproduct * share


@kernel
def pair_taken(offer, demand, offered):  # pragma: no cover - compiled
    """What a buyer takes of one ``offer`` [kg/day]: all of it, or, when all it is
    ``offered`` exceeds its ``demand``, the offer scaled down by ``demand / offered``."""
    return offer * (demand / offered if offered > demand else 1.0)


@kernel
def unsold(byproduct, sold):  # pragma: no cover - compiled
    """A firm's by-product not exchanged today [kg/day]."""
    return max(byproduct - sold, 0.0)


@kernel
def exchange(seller, buyer, byproduct_kg, demand_kg, is_firm):  # pragma: no cover - compiled
    """One round of :func:`exchange_byproducts` over the pairs ``(seller, buyer)``: the
    flow on each pair and each agent's ``received``, ``sold`` and ``left`` [kg/day]."""
    n = is_firm.size
    byproduct = np.maximum(byproduct_kg, 0.0)
    demand = np.maximum(demand_kg, 0.0)
    pairs = seller.size
    # 1. each seller's by-product, split pro rata to its buyers' demand
    wanted = np.zeros(n)
    for k in range(pairs):
        wanted[seller[k]] += demand[buyer[k]]
    offer = np.zeros(pairs)
    offered = np.zeros(n)
    for k in range(pairs):
        offer[k] = pair_offer(byproduct[seller[k]], demand[buyer[k]], wanted[seller[k]])
        offered[buyer[k]] += offer[k]
    # 2. buyers offered more than their demand scale every offer down alike
    kg = np.empty(pairs)
    received = np.zeros(n)
    sold = np.zeros(n)
    for k in range(pairs):
        b = buyer[k]
        kg[k] = pair_taken(offer[k], demand[b], offered[b])
        received[b] += kg[k]
        sold[seller[k]] += kg[k]
    left = np.zeros(n)
    for i in range(n):
        if is_firm[i]:
            left[i] = unsold(byproduct[i], sold[i])
    return kg, received, sold, left
