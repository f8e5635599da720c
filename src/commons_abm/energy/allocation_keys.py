"""Allocation keys: how the energy the community pool delivers in an hour is shared.

Ostrom (1990, design principle 2) asks that appropriation rules fit local conditions; in French
collective self-consumption (Code de l'énergie, art. L315-2 to L315-5 and D315-1 ff.) the operator
declares a *clé de répartition* to Enedis: static coefficients, dynamic pro rata of
consumption (the default), or custom coefficients (Enedis, *Autoconsommation collective:
les clés de répartition*, Enedis-NOI-CF_105E). The keys here are the ones a scenario
names in ``rules.allocation_key``:

* ``static``: fixed equal coefficients, ``1/k`` of the hour's production for each of the
  ``k`` participants, capped at what each still needs, with no redistribution: what a
  participant cannot use stays unallocated (Enedis's static key);
* ``equal``: same share for every eligible agent, what one cannot use redistributed to the
  others (a dynamic key with equal coefficients);
* ``pro_rata_consumption``: shares proportional to each agent's demand that hour (the
  Enedis default dynamic key);
* ``pro_rata_contribution``: past contributors first, in proportion to the energy they
  have offered the pool so far; what they cannot absorb goes pro rata consumption to the
  others;
* ``needs_first``: energy-poor households first, pro rata consumption; then everyone else,
  pro rata consumption.

Every dynamic key is weighted water-filling in tiers (the static key is one pass,
``x_i = min(amount / k, cap_i)``): in a tier, each agent gets
``min(cap, lambda * weight)`` with one ``lambda`` per hour chosen so the shares add up to
the amount; an agent never gets more than its cap (its uncovered demand), and what a tier
cannot absorb passes to the next. The level ``lambda`` is found exactly by a fixed point:
start from the amount over the open agents' weight, close the agents it saturates, repeat
(``lambda`` only rises; each round closes at least one agent or ends).

Agent ``i``'s weight in a tier (:func:`key_weight`), with ``c_i`` its claim, ``d_i(h)`` its
demand in hour ``h`` and ``C_i(h)`` its offer to the pool so far (before the day and up to
hour ``h``)::

    equal:                  w_i = c_i
    pro_rata_consumption:   w_i = d_i(h) c_i
    pro_rata_contribution:  w_i = C_i(h) c_i, then w_i = d_i(h) c_i
    needs_first:            w_i = d_i(h) c_i for the energy-poor (0 for the others), then w_i = d_i(h) c_i

and its share at level ``lambda`` (:func:`agent_share`) is ``x_i = min(lambda w_i, cap_i)``.
These two one-agent rules are written once: the whole-population kernel
(:func:`allocate_by_key`, through :func:`water_fill` and :func:`sorted_fill`) and the
one-hour form over Python lists that the reference engine calls
(:func:`allocate_hour_lists`, through :func:`water_fill_lists`) both call them.

Over 400 lines: the five keys of French collective self-consumption share one
water-filling core, kept beside them with its one-agent forms (:func:`key_weight`,
:func:`agent_share`) and its one-hour form over lists (:func:`allocate_hour_lists`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from commons_abm.core.kernels import kernel, total

__all__ = [
    "water_fill_lists",
    "KEYS",
    "agent_share",
    "allocate_hour_lists",
    "key_weight",
    "tiers_of",
    "KEY_CODES",
    "KeyInputs",
    "Tier",
    "allocate",
    "allocate_by_key",
    "allocate_tiers",
    "contribution_weights",
    "equal",
    "fill_hour",
    "fill_tier",
    "needs_first",
    "static",
    "pro_rata_consumption",
    "pro_rata_contribution",
    "water_fill",
]

EQUAL, PRO_RATA_CONSUMPTION, PRO_RATA_CONTRIBUTION, NEEDS_FIRST, STATIC = range(5)
MAX_ROUNDS = 30  # rounds of the fixed point before water_fill finishes by sorting
KEY_CODES = {
    "equal": EQUAL,
    "pro_rata_consumption": PRO_RATA_CONSUMPTION,
    "pro_rata_contribution": PRO_RATA_CONTRIBUTION,
    "needs_first": NEEDS_FIRST,
    "static": STATIC,
}


# ----------------------------------------------------------------- one agent's rules
@kernel
def tiers_of(key):  # pragma: no cover - compiled
    """How many priority tiers allocation key ``key`` (:data:`KEY_CODES`) serves in: 2 for
    the keys that serve some agents first, else 1."""
    return 2 if key == PRO_RATA_CONTRIBUTION or key == NEEDS_FIRST else 1


@kernel
def key_weight(key, tier, demand, claim, contributed, energy_poor):  # pragma: no cover - compiled
    """One agent's weight in tier ``tier`` (0 or 1) of allocation key ``key``, from its
    ``demand`` this hour, its ``claim`` multiplier, its offer to the pool so far
    (``contributed``, before the day and up to this hour) and whether it is ``energy_poor``
    (the equations of the module docstring)."""
    if tier == 0:
        if key == EQUAL or key == STATIC:
            return claim
        if key == PRO_RATA_CONTRIBUTION:
            return contributed * claim
        if key == NEEDS_FIRST and not energy_poor:
            return 0.0
    return demand * claim


@kernel
def agent_share(level, weight, cap):  # pragma: no cover - compiled
    """One agent's share at water level ``level``: ``min(level * weight, cap)``."""
    return min(level * weight, cap)


# ------------------------------------------------------------------------ water-filling
@kernel
def water_fill(amount, caps, weights, out, open_):  # pragma: no cover - compiled
    """One hour: ``out[j] = min(caps[j], lambda * weights[j])`` summing to ``amount``.

    Needs ``0 < amount < sum(caps)`` and a positive weight for every positive cap;
    ``open_`` is scratch space of the same length. A few rounds of the fixed point settle
    almost every hour; one whose saturation levels are spread so that each round closes
    only a few agents is finished exactly by sorting them (:func:`sorted_fill`).
    """
    k = caps.size
    for j in range(k):
        open_[j] = caps[j] > 0.0
        out[j] = weights[j] if open_[j] else 0.0
    taken = 0.0
    w_open = total(out)
    level = (amount - taken) / w_open if w_open > 0.0 else np.inf
    for _ in range(MAX_ROUNDS + 1):  # each round closes at least one agent, or stops
        if _ == MAX_ROUNDS:
            sorted_fill(amount, caps, weights, out)
            return
        closed = False
        for j in range(k):
            if open_[j] and level * weights[j] >= caps[j]:
                open_[j] = False
                taken += caps[j]
                closed = True
        if not closed:
            break
        for j in range(k):
            out[j] = weights[j] if open_[j] else 0.0
        w_open = total(out)
        level = (amount - taken) / w_open if w_open > 0.0 else np.inf
    if np.isinf(level):  # every agent saturated (the amount was at capacity, to rounding)
        out[:] = caps
        return
    for j in range(k):
        out[j] = agent_share(level, weights[j], caps[j])


@kernel
def sorted_fill(amount, caps, weights, out):  # pragma: no cover - compiled
    """:func:`water_fill` exactly, by sorting the saturation levels ``cap / weight``: the
    level lambda lies between two consecutive ones, where the amount placed is linear in it."""
    k = caps.size
    level = np.empty(k)
    for j in range(k):
        level[j] = caps[j] / weights[j] if caps[j] > 0.0 else 0.0
    order = np.argsort(level)
    # weight of the agents above each position, summed from the top (no cancellation)
    above = np.zeros(k)
    for p in range(k - 2, -1, -1):
        above[p] = above[p + 1] + (weights[order[p + 1]] if caps[order[p + 1]] > 0.0 else 0.0)
    taken = 0.0  # caps of the agents below position p, all saturated
    for p in range(k):
        j = order[p]
        c = caps[j]
        w = weights[j] if c > 0.0 else 0.0
        # amount placed when lambda reaches this agent's level (it and those below saturated)
        if taken + c + level[j] * above[p] >= amount or p == k - 1:
            lam = (amount - taken) / (above[p] + w)
            for i in range(k):
                out[i] = agent_share(lam, weights[i], caps[i]) if caps[i] > 0.0 else 0.0
            return
        taken += c


@kernel
def fill_hour(amount, caps, weights, columns, served, c, w, x, open_):  # pragma: no cover - compiled
    """Serve one tier in one hour: the agents ``columns`` (distinct) with ``weights`` (one
    per column), up to what is left of their ``caps`` (one per agent, changed). Adds the
    allocation to ``served`` (one per agent) and returns what the tier could not absorb.
    An agent of weight 0 (or less) takes nothing; ``c``, ``w``, ``x``, ``open_``: scratch."""
    k = columns.size
    c, w, x, open_ = c[:k], w[:k], x[:k], open_[:k]
    for j in range(k):
        wj = weights[j]
        cj = caps[columns[j]]
        if not wj > 0.0:
            wj = 0.0
            cj = 0.0
        elif not cj > 0.0:
            cj = 0.0
        c[j] = cj
        w[j] = wj
    capacity = total(c)
    if amount >= capacity:  # everyone is served up to the cap; the rest passes on
        x[:] = c
        left = max(amount - capacity, 0.0)
    else:
        water_fill(amount, c, w, x, open_)
        left = 0.0
    for j in range(k):
        i = columns[j]
        served[i] += x[j]
        caps[i] = max(caps[i] - x[j], 0.0)
    return left


@kernel
def fill_tier(remaining, caps, weights, columns, served):  # pragma: no cover - compiled
    """:func:`fill_hour` in every hour: ``weights`` ``(H, len(columns))``, ``caps`` and
    ``served`` ``(H, n)``; ``remaining`` ``(H,)`` keeps what the tier could not absorb."""
    n = caps.shape[1]
    c, w, x, open_ = np.empty(n), np.empty(n), np.empty(n), np.empty(n, dtype=np.bool_)
    for h in range(remaining.size):
        if remaining[h] > 0.0:
            remaining[h] = fill_hour(remaining[h], caps[h], weights[h], columns, served[h], c, w, x, open_)


@kernel
def contribution_weights(before, offer, offer_columns):  # pragma: no cover - compiled
    """The agents who have offered the pool something by the end of the day (sorted), and
    their cumulative offer up to and including each hour, ``(H, k)``.

    ``before``: each agent's offer before the day ``(n,)``; ``offer``: the day's hourly
    offer of the agents ``offer_columns`` (distinct), ``(H, m)``.
    """
    hours = offer.shape[0]
    n = before.size
    offered_by = np.full(n, -1)  # each agent's column of ``offer``
    for j in range(offer_columns.size):
        offered_by[offer_columns[j]] = j
    day_total = np.zeros(offer_columns.size)
    for j in range(offer_columns.size):
        for h in range(hours):
            day_total[j] += offer[h, j]
    chosen = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        chosen[i] = before[i] > 0.0 or (offered_by[i] >= 0 and day_total[offered_by[i]] > 0.0)
    columns = np.flatnonzero(chosen)
    weights = np.empty((hours, columns.size))
    for j in range(columns.size):
        i = columns[j]
        running = 0.0
        for h in range(hours):
            if offered_by[i] >= 0:
                running += offer[h, offered_by[i]]
            weights[h, j] = before[i] + running
    return columns, weights


@kernel
def allocate_by_key(
    key, amount, caps, demand, energy_poor, before, offer, offer_columns, claim
):  # pragma: no cover - compiled
    """What each agent gets of ``amount`` ``(H,)`` under allocation key ``key``
    (:data:`KEY_CODES`), capped by ``caps`` ``(H, n)``; see :class:`KeyInputs` for the rest.
    Hours with nothing to share take no work."""
    hours, n = caps.shape
    served = np.zeros((hours, n))
    everyone = np.arange(n)
    first = everyone
    contributed = np.zeros((hours, n))  # offers so far of the agents ``first`` (contribution key)
    if key == PRO_RATA_CONTRIBUTION:
        first, contributed = contribution_weights(before, offer, offer_columns)
    elif key == NEEDS_FIRST:
        first = np.flatnonzero(energy_poor)
    left = np.empty(n)
    weights = np.empty(n)
    c, w, x, open_ = np.empty(n), np.empty(n), np.empty(n), np.empty(n, dtype=np.bool_)
    for h in range(hours):
        remaining = amount[h]
        if not remaining > 0.0:
            continue
        for i in range(n):
            left[i] = max(caps[h, i], 0.0)
        if key == STATIC:  # fixed equal coefficients, nothing redistributed
            for i in range(n):
                served[h, i] = agent_share(remaining / n, 1.0, left[i])
            continue
        # the first tier: everyone (equal, pro rata consumption), contributors or the energy-poor
        for j in range(first.size):
            i = first[j]
            weights[j] = key_weight(key, 0, demand[h, i], claim[i], contributed[h, j], energy_poor[i])
        remaining = fill_hour(remaining, left, weights[: first.size], first, served[h], c, w, x, open_)
        if remaining > 0.0 and tiers_of(key) > 1:
            # what they cannot absorb goes pro rata consumption to everyone still in need
            for i in range(n):
                weights[i] = key_weight(key, 1, demand[h, i], claim[i], 0.0, energy_poor[i])
            fill_hour(remaining, left, weights, everyone, served[h], c, w, x, open_)
    return served


# --------------------------------------------------------------------------- Python API
@dataclass(frozen=True)
class KeyInputs:
    """What the keys may weigh, for the agents being served (the columns of ``caps``).

    ``demand``: demand in each hour, ``(24, n)`` [kWh]; ``energy_poor``: ``(n,)`` bool;
    ``contributed_before``: energy each agent offered the pool before this day, ``(n,)``
    [kWh]; ``offer``: the day's hourly offer [kWh], ``(24, n)``, or ``(24, k)`` for the
    distinct columns ``offer_columns`` only (the others offered nothing), or ``None``;
    ``claim``: each agent's claim multiplier ``(n,)`` (a member who overdraws claims more
    than the key gives it; its cap still bounds what it gets), or ``None`` for 1.
    """

    demand: np.ndarray
    energy_poor: np.ndarray
    contributed_before: np.ndarray
    offer: np.ndarray | None = None
    offer_columns: np.ndarray | None = None
    claim: np.ndarray | None = None

    def claimed(self, weights: np.ndarray | float, columns: np.ndarray | None = None) -> np.ndarray | float:
        """``weights`` times each agent's claim (of the agents ``columns``)."""
        if self.claim is None:
            return weights
        claim = self.claim if columns is None else self.claim[columns]
        return np.asarray(weights) * claim

    def contributions(self) -> tuple[np.ndarray, np.ndarray]:
        """The agents who have offered something, by the end of the day (sorted column
        indices), and their cumulative offer up to and including each hour, ``(24, k)``."""
        before = np.asarray(self.contributed_before, dtype=float)
        hours = self.demand.shape[0]
        offer = np.zeros((hours, 0)) if self.offer is None else np.asarray(self.offer, dtype=float)
        columns = (
            np.arange(offer.shape[1])
            if self.offer_columns is None
            else _columns(self.offer_columns, before.size, "KeyInputs.offer_columns")
        )
        return contribution_weights(before, np.ascontiguousarray(offer), columns)

    @property
    def contributed(self) -> np.ndarray:
        """Cumulative offer of every agent up to and including each hour [kWh], ``(24, n)``."""
        columns, weights = self.contributions()
        out = np.zeros((self.demand.shape[0], np.asarray(self.contributed_before).size))
        out[:, columns] = weights
        return out


@dataclass(frozen=True)
class Tier:
    """One priority tier of an allocation: weights ((H, k), (k,) or a scalar) for the
    distinct columns ``columns`` (``None``: all columns, ``k = n``); the other agents take
    nothing in this tier."""

    weights: np.ndarray | float
    columns: np.ndarray | None = None


def _caps(caps: np.ndarray) -> np.ndarray:
    caps = np.asarray(caps, dtype=float)
    if caps.ndim != 2:
        raise ValueError(f"caps must be (hours, agents), got shape {caps.shape}")
    return caps


def allocate(amount: np.ndarray, caps: np.ndarray, weights: np.ndarray | float) -> np.ndarray:
    """Share ``amount[h]`` among agents: ``x[h, i] = min(caps[h, i], lambda[h] * weights[h, i])``
    with ``sum_i x[h, i] = amount[h]`` (to rounding).

    ``amount``: (H,) [kWh]; ``caps``: (H, n) [kWh]; ``weights``: (H, n), (n,) or a scalar.
    Negative inputs count as 0. Agents with weight 0 get nothing; if the amount exceeds
    what the agents of positive weight can take, each gets its cap and the rest is left
    unallocated (the sum of the result then falls short of the amount).
    """
    return allocate_tiers(amount, caps, [weights])


def allocate_tiers(amount: np.ndarray, caps: np.ndarray, tiers: Sequence[Tier | np.ndarray | float]) -> np.ndarray:
    """Water-filling in priority tiers: tier 1 is served by its weights up to the caps, what
    it cannot absorb goes to tier 2 (with what is left of the caps), and so on.

    Each tier is a :class:`Tier` or a weights array ((H, n), (n,) or a scalar) for all
    agents; an agent of weight 0 in a tier takes nothing in that tier. Same conventions as
    :func:`allocate`.
    """
    caps = _caps(caps)
    hours, n = caps.shape
    remaining = np.maximum(np.broadcast_to(np.asarray(amount, dtype=float), (hours,)), 0.0)
    left = np.maximum(caps, 0.0)
    served = np.zeros((hours, n))
    for tier in tiers:
        tier = tier if isinstance(tier, Tier) else Tier(tier)
        columns = np.arange(n) if tier.columns is None else _columns(tier.columns, n, "Tier.columns")
        weights = np.broadcast_to(np.asarray(tier.weights, dtype=float), (hours, columns.size))
        fill_tier(remaining, left, np.ascontiguousarray(weights), columns, served)
    return served


def _columns(columns: np.ndarray, n: int, name: str) -> np.ndarray:
    """``columns`` as indices, checked: distinct agents among ``n`` (the kernels trust them)."""
    columns = np.asarray(columns, dtype=np.intp)
    if columns.size and (columns.min() < 0 or columns.max() >= n or np.unique(columns).size != columns.size):
        raise ValueError(f"{name} must be distinct column indices in 0..{n - 1}")
    return columns


def _by_key(key: int, amount: np.ndarray, caps: np.ndarray, inputs: KeyInputs) -> np.ndarray:
    caps = _caps(caps)
    hours, n = caps.shape
    offer = np.zeros((hours, 0)) if inputs.offer is None else np.asarray(inputs.offer, dtype=float)
    columns = (
        np.arange(offer.shape[1])
        if inputs.offer_columns is None
        else _columns(inputs.offer_columns, n, "KeyInputs.offer_columns")
    )
    claim = np.ones(n) if inputs.claim is None else np.asarray(inputs.claim, dtype=float)
    return allocate_by_key(
        key,
        np.broadcast_to(np.asarray(amount, dtype=float), (hours,)).copy(),
        caps,
        np.ascontiguousarray(inputs.demand, dtype=float),
        np.asarray(inputs.energy_poor, dtype=bool),
        np.asarray(inputs.contributed_before, dtype=float),
        np.ascontiguousarray(offer),
        columns,
        claim,
    )


# ------------------------------------------------------------------------------- keys
def static(amount: np.ndarray, caps: np.ndarray, inputs: KeyInputs) -> np.ndarray:
    """Fixed equal coefficients, capped by what each still needs; nothing redistributed
    (Enedis static key)."""
    return _by_key(STATIC, amount, caps, inputs)


def equal(amount: np.ndarray, caps: np.ndarray, inputs: KeyInputs) -> np.ndarray:
    """Equal shares for all eligible agents (capped by what each still needs)."""
    return _by_key(EQUAL, amount, caps, inputs)


def pro_rata_consumption(amount: np.ndarray, caps: np.ndarray, inputs: KeyInputs) -> np.ndarray:
    """Shares proportional to each agent's demand in the hour (Enedis default key)."""
    return _by_key(PRO_RATA_CONSUMPTION, amount, caps, inputs)


def pro_rata_contribution(amount: np.ndarray, caps: np.ndarray, inputs: KeyInputs) -> np.ndarray:
    """Contributors first, in proportion to their cumulative offer; the rest of the energy
    pro rata consumption to everyone still in need."""
    return _by_key(PRO_RATA_CONTRIBUTION, amount, caps, inputs)


def needs_first(amount: np.ndarray, caps: np.ndarray, inputs: KeyInputs) -> np.ndarray:
    """Energy-poor households first (pro rata consumption), then everyone else (same key)."""
    return _by_key(NEEDS_FIRST, amount, caps, inputs)


Key = Callable[[np.ndarray, np.ndarray, KeyInputs], np.ndarray]

KEYS: dict[str, Key] = {
    "equal": equal,
    "pro_rata_consumption": pro_rata_consumption,
    "pro_rata_contribution": pro_rata_contribution,
    "needs_first": needs_first,
    "static": static,
}


# The one-agent rules run as plain Python by the forms over lists: the same source, without
# the half microsecond a call into compiled code costs from Python (a few calls per agent
# and hour in the reference engine). Python's floats are IEEE doubles and the kernels
# compile without fast-math, so both give the same numbers.
_tiers_of = getattr(tiers_of, "py_func", tiers_of)
_key_weight = getattr(key_weight, "py_func", key_weight)
_agent_share = getattr(agent_share, "py_func", agent_share)


def water_fill_lists(amount: float, caps: list[float], weights: list[float]) -> list[float]:
    """One-agent form of :func:`water_fill` over Python lists (the reference engine's):
    share ``amount`` so that each gets ``min(cap, level * weight)``, one level for all.

    Agents of weight 0 get nothing; when the amount exceeds what the others can take,
    each gets its cap (the rest is not placed). Exact: agents saturate in the order of
    ``cap / weight``.
    """
    out = [0.0] * len(caps)
    if amount <= 0.0:
        return out
    takers = sorted((c / w, i) for i, (c, w) in enumerate(zip(caps, weights)) if c > 0.0 and w > 0.0)
    open_weight = sum(weights[i] for _, i in takers)
    left = amount
    for rank, (saturation, i) in enumerate(takers):
        level = left / open_weight if open_weight > 0.0 else math.inf
        if level < saturation:  # nobody else saturates: all still open share at this level
            for _, j in takers[rank:]:
                out[j] = _agent_share(level, weights[j], caps[j])
            return out
        out[i] = caps[i]
        left -= caps[i]
        open_weight -= weights[i]
    return out


def allocate_hour_lists(
    key: int,
    amount: float,
    caps: list[float],
    demand: list[float],
    claim: list[float],
    contributed: list[float],
    energy_poor: list[bool],
) -> list[float]:
    """One hour of allocation key ``key`` (:data:`KEY_CODES`) over Python lists, one entry
    per eligible agent (the reference engine's form of :func:`allocate_by_key`): each
    agent's weight in each tier by :func:`key_weight`, the tier shared by
    :func:`water_fill_lists`, and what a tier cannot absorb passed to the next, with what is
    left of the caps. ``contributed``: each agent's offer to the pool so far (before the
    day and up to this hour) [kWh]."""
    n = len(caps)
    if key == STATIC:
        return [_agent_share(amount / n, 1.0, max(c, 0.0)) if amount > 0 else 0.0 for c in caps]
    caps = list(caps)
    total = [0.0] * n
    left = amount
    for tier in range(_tiers_of(key)):
        if left <= 0:
            break
        weights = [_key_weight(key, tier, demand[i], claim[i], contributed[i], energy_poor[i]) for i in range(n)]
        x = water_fill_lists(left, caps, weights)
        placed = sum(x)
        room = sum(c for c, w in zip(caps, weights) if c > 0 and w > 0)
        left = 0.0 if left < room else max(left - placed, 0.0)
        caps = [max(c - xi, 0.0) for c, xi in zip(caps, x)]
        total = [t + xi for t, xi in zip(total, x)]
    return total
