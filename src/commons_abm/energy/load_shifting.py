"""Load shifting: the community operator schedules members' flexible load into PV hours.

The operator synchronises flows (``000_027160d2fbf9a985.txt``: "la synchronisation et la
coopération entre acteurs", the community energy operator): on each day, every member who
cooperates follows its schedule, moving the share ``s`` (the ``facilitate`` statement's
``load_shift_share``) of its daily demand ``D_i`` into the hours of the territory's PV
output, in proportion to production in each hour::

    d_i(h) <- (1 - s) d_i(h) + s D_i P(h) / sum_h P(h)

Each agent's daily demand is unchanged; on a day without PV nothing moves. Without an
operator, or with ``s = 0``, nobody shifts (:func:`operator_schedule` returns ``None``).

One agent's rule is written once, in its one-agent forms: :func:`operator_share` (the
share ``s`` an agent follows: ``s`` for a member who cooperates today, else 0) and
:func:`shift_agent_load` (its 24 hourly demands moved by the equation above). The
whole-population kernels :func:`operator_shares` and :func:`shift_load_kernel` call them
agent by agent; the reference engine's agents call them one at a time
(``AgentRules.follow_operator_schedule`` in :mod:`commons_abm.agents.rules`).
"""

from __future__ import annotations

import numpy as np

from commons_abm.core.kernels import kernel

__all__ = [
    "operator_schedule",
    "operator_share",
    "operator_shares",
    "shift_agent_load",
    "shift_load",
    "shift_load_kernel",
]


def operator_schedule(
    operator: bool, load_shift_share: float, member: np.ndarray, cooperated: np.ndarray
) -> np.ndarray | None:
    """Share of each agent's demand the community operator schedules into PV hours today
    (:func:`operator_shares`); ``None`` without an operator or without load shifting."""
    if not operator or load_shift_share <= 0:
        return None
    return operator_shares(member, cooperated, float(load_shift_share))


@kernel
def operator_share(member, cooperated, share):  # pragma: no cover - compiled
    """One agent's share of its daily demand the community operator schedules into PV
    hours today: ``share`` for a member who cooperates, else 0 (one-agent form of
    :func:`operator_shares`)."""
    if member and cooperated:
        return share
    return 0.0


@kernel
def operator_shares(member, cooperated, share):  # pragma: no cover - compiled
    """Share of each agent's daily demand the community operator schedules into PV hours
    today: members who cooperate follow its schedule (:func:`shift_load`); each agent by
    :func:`operator_share`."""
    out = np.zeros(member.size)
    for i in range(member.size):
        out[i] = operator_share(member[i], cooperated[i], share)
    return out


def shift_load(demand: np.ndarray, pv_by_hour: np.ndarray, share: np.ndarray) -> None:
    """Move the share ``share[i]`` of each agent's daily demand into the hours of the day's
    PV output, in proportion to the territory's production in each hour (in place).

    The community operator synchronises flows (``000_027160d2fbf9a985.txt``: "la
    synchronisation et la coopération entre acteurs"): it schedules members' flexible loads (water heating,
    washing) when the community produces. Each agent's daily demand is unchanged; on a day
    without PV nothing moves. ``demand`` is ``(24, agents)``.
    """
    shift_load_kernel(demand, np.asarray(pv_by_hour, dtype=float), np.asarray(share, dtype=float))


@kernel
def shift_agent_load(demand, pv_by_hour, total, share):  # pragma: no cover - compiled
    """One agent's day (one-agent form of :func:`shift_load_kernel`): move the share
    ``share`` of its hourly ``demand`` (changed in place) into the hours of ``pv_by_hour``
    (the territory's PV output, or any profile proportional to it), whose sum over the
    day is ``total``. Nothing moves when ``share`` or ``total`` is not positive."""
    if not (share > 0.0 and total > 0.0):
        return
    hours = demand.size
    movable = 0.0
    for h in range(hours):
        movable += demand[h]
    movable *= share
    for h in range(hours):
        demand[h] = demand[h] * (1.0 - share) + pv_by_hour[h] / total * movable


@kernel
def shift_load_kernel(demand, pv_by_hour, share):  # pragma: no cover - compiled
    """:func:`shift_load` on plain arrays: :func:`shift_agent_load` for each agent (each
    column of ``demand``)."""
    total = pv_by_hour.sum()
    if total <= 0.0:
        return
    for i in range(share.size):
        if share[i] > 0:
            shift_agent_load(demand[:, i], pv_by_hour, total, share[i])
