"""Allocation keys: how the energy the community pool delivers in an hour is shared.

Ostrom's design principle 2 asks that appropriation rules fit local conditions; in French
collective self-consumption (Code de l'énergie, art. L315-2 and R315-1 ff.) the operator
declares a *clé de répartition* to Enedis: static coefficients, dynamic pro rata of
consumption (the default), or custom coefficients (Enedis, *Autoconsommation collective:
les clés de répartition*, Enedis-NOI-CF_105E). The keys here are the ones a scenario
names in ``rules.allocation_key``:

* ``equal``: same share for every eligible agent (static, equal coefficients);
* ``pro_rata_consumption``: shares proportional to each agent's demand that hour (the
  Enedis default dynamic key);
* ``pro_rata_contribution``: past contributors first, in proportion to the energy they
  have offered the pool so far; what they cannot absorb goes pro rata consumption to the
  others;
* ``needs_first``: energy-poor households first, pro rata consumption; then everyone else,
  pro rata consumption.

Every key is weighted water-filling in tiers: in a tier, each agent gets
``min(cap, lambda * weight)`` with one ``lambda`` per hour chosen so the shares add up to
the amount; an agent never gets more than its cap (its uncovered demand), and what a tier
cannot absorb passes to the next.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "KEYS",
    "KeyInputs",
    "Tier",
    "allocate",
    "allocate_tiers",
    "equal",
    "needs_first",
    "pro_rata_consumption",
    "pro_rata_contribution",
]

_MAX_ITERATIONS = 30  # fixed-point rounds before falling back to sorting

_scratch = threading.local()


def _workspace(
    name: str, shape: tuple[int, int], dtypes: tuple[type, ...]
) -> tuple[np.ndarray, ...]:
    """Reusable scratch arrays of ``shape``, one per dtype, for this thread.

    Fresh large arrays cost page faults on every call, more than the arithmetic itself in
    big territories. Scratch arrays never leave this module; each ``name`` has its own,
    grown to the largest size asked for.
    """
    size = shape[0] * shape[1]
    cache = getattr(_scratch, "arrays", None)
    if cache is None:
        cache = _scratch.arrays = {}
    cached = cache.get(name)
    if cached is None or cached[0].size < size:
        cached = cache[name] = tuple(np.empty(size, dtype=d) for d in dtypes)
    return tuple(a[:size].reshape(shape) for a in cached)


@dataclass(frozen=True)
class KeyInputs:
    """What the keys may weigh, for the agents being served (the columns of ``caps``).

    ``demand``: demand in each hour, ``(24, n)`` [kWh]; ``energy_poor``: ``(n,)`` bool;
    ``contributed_before``: energy each agent offered the pool before this day, ``(n,)``
    [kWh]; ``offer``: the day's hourly offer [kWh], ``(24, n)``, or ``(24, k)`` for the
    distinct columns ``offer_columns`` only (the others offered nothing), or ``None``.
    """

    demand: np.ndarray
    energy_poor: np.ndarray
    contributed_before: np.ndarray
    offer: np.ndarray | None = None
    offer_columns: np.ndarray | None = None
    claim: np.ndarray | None = None

    def claimed(self, weights: np.ndarray | float, columns: np.ndarray | None = None) -> np.ndarray | float:
        """``weights`` times each agent's claim (``(n,)``, 1 when absent): a member who
        overdraws claims more than the key gives it (its cap still bounds what it gets)."""
        if self.claim is None:
            return weights
        claim = self.claim if columns is None else self.claim[columns]
        return np.asarray(weights) * claim

    def contributions(self) -> tuple[np.ndarray, np.ndarray]:
        """The agents who have offered something, by the end of the day (sorted column
        indices), and their cumulative offer up to and including each hour, ``(24, k)``."""
        before = np.asarray(self.contributed_before, dtype=float)
        hours = self.demand.shape[0]
        if self.offer is None:
            columns = np.flatnonzero(before > 0)
            return columns, np.broadcast_to(before[columns], (hours, columns.size)).copy()
        offer = np.asarray(self.offer, dtype=float)
        offer_columns = (np.arange(before.size) if self.offer_columns is None
                         else np.asarray(self.offer_columns))
        cum = np.empty(offer.shape)
        if hours:
            cum[0] = offer[0]
        for h in range(1, hours):  # (row by row: much faster than cumsum on axis 0)
            np.add(cum[h - 1], offer[h], out=cum[h])
        chosen = before > 0
        if hours:
            chosen[offer_columns[cum[-1] > 0]] = True
        columns = np.flatnonzero(chosen)
        rank = np.cumsum(chosen) - 1  # position of each chosen agent among the columns
        weights = np.empty((hours, columns.size))
        weights[:] = before[columns]
        keep = chosen[offer_columns]
        weights[:, rank[offer_columns[keep]]] += cum[:, keep]
        return columns, weights

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


def _sorted_fill(amount: np.ndarray, caps: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Exact water-filling by sorting saturation levels ``cap / weight``; rows need
    ``0 < amount < sum(caps)`` and every positive cap a positive weight."""
    weights = np.where(caps > 0, weights, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.where(caps > 0, caps / weights, 0.0)
    order = np.argsort(level, axis=1)
    lev = np.take_along_axis(level, order, axis=1)
    c = np.take_along_axis(caps, order, axis=1)
    w = np.take_along_axis(weights, order, axis=1)
    cum_c = np.cumsum(c, axis=1)
    # weight of the agents above each level, summed from the top (no cancellation)
    above_w = np.zeros(w.shape)
    above_w[:, :-1] = np.cumsum(w[:, :0:-1], axis=1)[:, ::-1]
    # amount placed when lambda reaches the k-th saturation level (agents 0..k saturated)
    placed = cum_c + lev * above_w
    reached = placed >= amount[:, None]
    k = np.where(reached.any(axis=1), np.argmax(reached, axis=1), caps.shape[1] - 1)
    rows = np.arange(caps.shape[0])
    taken_c = np.where(k > 0, cum_c[rows, k - 1], 0.0)
    open_w = above_w[rows, k] + w[rows, k]
    lam = (amount - taken_c) / open_w
    return np.minimum(caps, lam[:, None] * weights)


def _fill(
    amount: np.ndarray, caps: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Water-filling of ``amount`` (H,) over ``caps`` and ``weights`` (H, n), all >= 0.

    Returns the allocation and, per hour, whether the whole amount was placed. Only the
    hours where the amount is positive and below the capacity need the water level; the
    others take nothing or every cap (at night, with no PV and an empty battery, most
    hours are idle).
    """
    hours, n = caps.shape
    if ((caps > 0) & ~(weights > 0)).any():
        caps = caps * (weights > 0)  # an agent of weight 0 gets nothing
    capacity = caps.sum(axis=1)
    idle = amount <= 0
    full = (amount >= capacity) & ~idle  # everyone is served up to the cap
    placed_all = ~full
    rows = np.flatnonzero(~(idle | full))
    if rows.size == hours:
        out = _fill_level(amount, caps, weights)
    else:
        out = np.zeros((hours, n))
        if rows.size:
            out[rows] = _fill_level(amount[rows], caps[rows], weights[rows])
    if full.any():
        out[full] = caps[full]
    return out, placed_all


def _fill_level(amount: np.ndarray, caps: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """:func:`_fill` on hours where ``0 < amount < capacity``: one water level per hour.

    (Written with preallocated buffers and boolean masks: fresh large temporaries and
    ``np.where`` cost more than the arithmetic for big territories.)
    """
    hours, n = caps.shape
    active = np.ones(hours, dtype=bool)
    out = np.empty((hours, n))  # every entry is written below
    buf, open_, newly = _workspace("fill", (hours, n), (float, bool, bool))
    np.greater(caps, 0.0, out=open_)  # not yet saturated
    taken = np.zeros(hours)
    lam = _level(amount, taken, weights, open_, buf, active)
    # fixed point: lambda only rises as saturated agents drop out; a few rounds suffice
    for _ in range(_MAX_ITERATIONS):
        with np.errstate(invalid="ignore"):  # inf * 0 on an hour filled by rounding
            np.multiply(lam[:, None], weights, out=buf)
        np.greater_equal(buf, caps, out=newly)
        newly &= open_
        if not newly.any():
            break
        open_ ^= newly
        np.multiply(caps, newly, out=buf)
        taken += buf.sum(axis=1)
        lam = _level(amount, taken, weights, open_, buf, active)
    else:  # pathological spread of saturation levels: finish exactly by sorting
        return _sorted_fill(amount, caps, weights)
    # saturated agents have lambda * w >= cap, the others lambda * w < cap
    with np.errstate(invalid="ignore"):
        np.multiply(lam[:, None], weights, out=buf)
    np.minimum(buf, caps, out=out)
    filled = np.isinf(lam)  # every agent saturated (the amount was at capacity)
    if filled.any():
        out[filled] = caps[filled]
    return out


def _level(
    amount: np.ndarray, taken: np.ndarray, weights: np.ndarray, open_: np.ndarray,
    buf: np.ndarray, active: np.ndarray,
) -> np.ndarray:
    """The water level ``lambda`` per hour: what is left over the weight still open (0 on
    inactive hours; on an hour where everyone saturated by rounding, the level that fills
    every cap)."""
    np.multiply(weights, open_, out=buf)
    w_open = buf.sum(axis=1)
    ok = active & (w_open > 0)
    lam = np.zeros(amount.size)
    lam[ok] = (amount[ok] - taken[ok]) / w_open[ok]
    lam[active & ~ok] = np.inf
    return lam


def _as_hourly(values: np.ndarray | float, shape: tuple[int, int]) -> np.ndarray:
    """``values`` broadcast to ``(H, n)``, negatives as 0 (a view when nothing is negative)."""
    arr = np.asarray(values, dtype=float)
    if arr.size and arr.min() < 0:
        arr = np.maximum(arr, 0.0)
    return np.broadcast_to(arr, shape)


def _amount_and_caps(amount: np.ndarray | float, caps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    caps = np.asarray(caps, dtype=float)
    if caps.ndim != 2:
        raise ValueError(f"caps must be (hours, agents), got shape {caps.shape}")
    if caps.size and caps.min() < 0:
        caps = np.maximum(caps, 0.0)
    amount = np.maximum(np.broadcast_to(np.asarray(amount, dtype=float), caps.shape[:1]), 0.0)
    return amount, caps


def allocate(amount: np.ndarray, caps: np.ndarray, weights: np.ndarray | float) -> np.ndarray:
    """Share ``amount[h]`` among agents: ``x[h, i] = min(caps[h, i], lambda[h] * weights[h, i])``
    with ``sum_i x[h, i] = amount[h]`` (to rounding).

    ``amount``: (H,) [kWh]; ``caps``: (H, n) [kWh]; ``weights``: (H, n), (n,) or a scalar.
    Negative inputs count as 0. Agents with weight 0 get nothing; if the amount exceeds
    what the agents of positive weight can take, each gets its cap and the rest is left
    unallocated (the sum of the result then falls short of the amount).
    """
    amount, caps = _amount_and_caps(amount, caps)
    return _fill(amount, caps, _as_hourly(weights, caps.shape))[0]


def allocate_tiers(
    amount: np.ndarray, caps: np.ndarray, tiers: Sequence[Tier | np.ndarray | float]
) -> np.ndarray:
    """Water-filling in priority tiers: tier 1 is served by its weights up to the caps, what
    it cannot absorb goes to tier 2 (with what is left of the caps), and so on.

    Each tier is a :class:`Tier` or a weights array ((H, n), (n,) or a scalar) for all
    agents; an agent of weight 0 in a tier takes nothing in that tier. Same conventions as
    :func:`allocate`.
    """
    caps = np.asarray(caps, dtype=float)
    if caps.ndim == 2 and caps.shape[0] > 1:
        # hours with nothing to share (at night, with an empty battery) take no work
        live = np.broadcast_to(np.asarray(amount, dtype=float), caps.shape[:1]) > 0
        if not live.all():
            rows = np.flatnonzero(live)
            out = np.zeros(caps.shape)
            if rows.size:
                hours = caps.shape[0]
                out[rows] = allocate_tiers(
                    np.broadcast_to(np.asarray(amount, dtype=float), (hours,))[rows], caps[rows],
                    [_tier_rows(tier, rows, hours) for tier in tiers])
            return out
    remaining, caps = _amount_and_caps(amount, caps)
    parts: list[tuple[np.ndarray | None, np.ndarray]] = []  # (columns, allocation)
    own_caps = False
    for tier in tiers:
        if parts and not (remaining > 0).any():
            break
        tier = tier if isinstance(tier, Tier) else Tier(tier)
        columns = tier.columns
        tier_caps = caps if columns is None else np.take(caps, columns, axis=1)
        x, placed_all = _fill(remaining, tier_caps, _as_hourly(tier.weights, tier_caps.shape))
        parts.append((columns, x))
        remaining = np.where(placed_all, 0.0, np.maximum(remaining - x.sum(axis=1), 0.0))
        if (remaining > 0).any():  # what is left of the caps for the next tiers
            if not own_caps:
                (left,) = _workspace("tiers", caps.shape, (float,))
                np.copyto(left, caps)
                caps, own_caps = left, True
            if columns is None:
                caps -= x
                np.maximum(caps, 0.0, out=caps)
            else:
                caps[:, columns] = np.maximum(tier_caps - x, 0.0)
    # the sum of the tiers' allocations, built on a whole-population one where possible
    base = next((i for i, (columns, _) in enumerate(parts) if columns is None), None)
    total = parts[base][1] if base is not None else np.zeros(caps.shape)
    for i, (columns, x) in enumerate(parts):
        if i == base:
            continue
        if columns is None:
            total += x
        else:
            total[:, columns] += x
    return total


def _tier_rows(tier: Tier | np.ndarray | float, rows: np.ndarray, hours: int) -> Tier:
    """``tier`` restricted to the hours ``rows``."""
    tier = tier if isinstance(tier, Tier) else Tier(tier)
    weights = tier.weights
    if np.ndim(weights) == 2 and np.shape(weights)[0] == hours:
        weights = np.asarray(weights)[rows]
    return Tier(weights, tier.columns)


# ------------------------------------------------------------------------------- keys
def equal(amount: np.ndarray, caps: np.ndarray, inputs: KeyInputs) -> np.ndarray:
    """Equal shares for all eligible agents (capped by what each still needs)."""
    return allocate_tiers(amount, caps, [inputs.claimed(1.0)])


def pro_rata_consumption(amount: np.ndarray, caps: np.ndarray, inputs: KeyInputs) -> np.ndarray:
    """Shares proportional to each agent's demand in the hour (Enedis default key)."""
    return allocate_tiers(amount, caps, [inputs.claimed(inputs.demand)])


def pro_rata_contribution(amount: np.ndarray, caps: np.ndarray, inputs: KeyInputs) -> np.ndarray:
    """Contributors first, in proportion to their cumulative offer; the rest of the energy
    pro rata consumption to everyone still in need."""
    columns, contributed = inputs.contributions()
    return allocate_tiers(amount, caps, [Tier(inputs.claimed(contributed, columns), columns),
                                         inputs.claimed(inputs.demand)])


def needs_first(amount: np.ndarray, caps: np.ndarray, inputs: KeyInputs) -> np.ndarray:
    """Energy-poor households first (pro rata consumption), then everyone else (same key)."""
    poor = np.flatnonzero(inputs.energy_poor)
    return allocate_tiers(amount, caps, [Tier(inputs.claimed(np.take(inputs.demand, poor, axis=1), poor), poor),
                                         inputs.claimed(inputs.demand)])


Key = Callable[[np.ndarray, np.ndarray, KeyInputs], np.ndarray]

KEYS: dict[str, Key] = {
    "equal": equal,
    "pro_rata_consumption": pro_rata_consumption,
    "pro_rata_contribution": pro_rata_contribution,
    "needs_first": needs_first,
}
