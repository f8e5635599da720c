"""Monitoring (design principle 4): who checks whether others follow the rules.

Each monitor ``m`` named in the rulebook (``monitor`` statements: peers, the operator or
officials) checks every agent ``i`` bound by a rule each day. A breach is detected with the
monitor's ``detection_probability`` ``p_m``; a compliant agent is wrongly accused with its
``error_rate`` ``e_m``. Peers see only what happens around them: their detection and error
probabilities are scaled by the reach ``r_i``, the share of the agent's ties to the members who
watch. The statement's deontic says who watches: members who *may* monitor watch as they
choose, and those who cooperated today (in the stage ``decide`` that runs before monitoring) do
("mutual vigilance", ``003_d0cbea24b0b91578.txt``; Ostrom 1990, ch. 3; Fehr & Gächter 2000:
those who punish free riders are mostly those who contribute); members who *must* monitor take
their turn whether they cooperate or not, as in the rotating guards of Ostrom's (1990, ch. 3)
irrigation and grazing commons, so ``r_i`` is the share of the agent's ties to members. For
officials and the operator (who monitor as a duty: ``must``) ``r`` is
the breach's visibility ``v_i`` from outside the neighbourhood: 1, but for a bag put in a
neighbour's chipped bin, which only the neighbours see (``v_i`` = 1 less the share of its
bag a household put in neighbours' bins, when that is its only breach today,
:func:`commons_abm.behaviour.decisions.bag_destination`; ``002_2c516223579a919e.txt``). With one uniform
draw ``u_mi`` per monitor and agent (stream ``governance``)::

    accused_mi  = u_mi < p_m r_mi          if i breaches a rule
                = u_mi < e_m r_mi          if i complies (a wrongful accusation)
    detected_i  = breach_i and any_m accused_mi
    wrongly_i   = not breach_i and any_m accused_mi

Monitors act independently. Costs: ``cost_eur_per_check`` per agent checked,
``cost_m = c_m sum_i r_mi`` over the bound agents (for peers, shared equally among the
members who watch: the cooperating ones, or every member on duty). Its parameters are the monitors' table
(:class:`commons_abm.governance.institutions.MonitorTable`); one agent's checks are
:func:`monitored` (the reference engine's), everyone's :func:`monitor_arrays`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commons_abm.core.kernels import flat, kernel, shaped
from commons_abm.core.state import State
from commons_abm.governance.institutions import DUTY_MONITOR, OFFICIAL_MONITOR, PEER_MONITOR, Institutions

__all__ = ["peer_coverage", "Detection", "accused", "detections", "monitor", "monitor_reach", "monitored"]


@dataclass
class Detection:
    """What monitoring found today."""

    detected: np.ndarray  # bool: breach detected
    wrongly_accused: np.ndarray  # bool: compliant but accused
    by_official: np.ndarray  # bool: the accusation came from officials' monitoring
    cost_eur: float  # total cost of monitoring today [EUR]
    official_cost_eur: float  # of which paid by the commune (officials) [EUR]
    peer_cost_eur: np.ndarray  # (n,) cost borne by each peer monitor [EUR]


@kernel
def peer_coverage(indptr, indices, member, cooperated):  # pragma: no cover - compiled
    """Share of each agent's ties that are to members who cooperated at the last decision:
    the day before when an agent perceives its risk in ``decide``, today when monitors
    check after ``decide`` ("mutual vigilance", ``003_d0cbea24b0b91578.txt``)."""
    n = indptr.size - 1
    out = np.zeros(n)
    for i in range(n):
        deg = indptr[i + 1] - indptr[i]
        if deg > 0:
            seen = 0.0
            for j in range(indptr[i], indptr[i + 1]):
                if member[indices[j]] and cooperated[indices[j]]:
                    seen += 1.0
            out[i] = seen / deg
    return out


@kernel
def accused(breach, u, p, error, reach):  # pragma: no cover - compiled
    """Whether one check ends in an accusation, given a uniform draw ``u``: a breach with
    probability ``p reach``, a compliant agent (wrongly) with ``error reach``."""
    return u < p * reach if breach else u < error * reach


@kernel
def _accusations(breach, u, p, error, reach):  # pragma: no cover - compiled
    out = np.empty(u.size, dtype=np.bool_)
    for i in range(u.size):
        out[i] = accused(breach[i], u[i], p[i], error[i], reach[i])
    return out


def detections(
    breach: np.ndarray, u: np.ndarray, p: float, error: float, reach: np.ndarray | float = 1.0
) -> np.ndarray:
    """Which checks end in an accusation, given uniform draws ``u``: a breach with probability
    ``p reach``, a compliant agent (wrongly) with ``error reach``."""
    shape = np.broadcast_shapes(np.shape(breach), np.shape(u), np.shape(p), np.shape(error), np.shape(reach))
    return shaped(
        _accusations(flat(breach, shape, bool), flat(u, shape), flat(p, shape), flat(error, shape), flat(reach, shape)),
        shape,
    )


@kernel
def monitor_reach(who, coverage, duty_coverage, visible):  # pragma: no cover - compiled
    """How much of an agent one monitor sees: ``coverage`` (the share of its ties to
    cooperating members) for members who may watch, ``duty_coverage`` (to members) for
    members on duty; for officials and the operator, what is ``visible`` from outside the
    neighbourhood."""
    if who == PEER_MONITOR:
        return coverage
    return duty_coverage if who == DUTY_MONITOR else visible


@kernel
def monitored(breach, coverage, duty_coverage, visible, u, who, p, error):  # pragma: no cover - compiled
    """The one-agent form: one bound agent checked by every monitor ``m`` (``who``, ``p``
    and ``error``: the columns of the monitors' table), given its peer ``coverage`` (and
    ``duty_coverage``, :func:`monitor_reach`), how ``visible`` its breach is from outside
    the neighbourhood and one uniform draw ``u[m]`` per monitor; returns (breach detected,
    wrongly accused, accused by officials)."""
    detected = False
    wrong = False
    by_official = False
    for m in range(who.size):
        if accused(breach, u[m], p[m], error[m], monitor_reach(who[m], coverage, duty_coverage, visible)):
            if breach:
                detected = True
            else:
                wrong = True
            if who[m] == OFFICIAL_MONITOR:
                by_official = True
    return detected, wrong, by_official


@kernel
def monitor_arrays(
    who, p, error, unit_cost, u, bound, breach, visible, member, cooperated, indptr, indices
):  # pragma: no cover - compiled
    """The checks of :func:`monitor` (each bound agent's by :func:`monitored`): accusations,
    costs and each peer monitor's share."""
    monitors, n = u.shape
    detected = np.zeros(n, dtype=np.bool_)
    wrong = np.zeros(n, dtype=np.bool_)
    by_official = np.zeros(n, dtype=np.bool_)
    peer_cost = np.zeros(n)
    cost = 0.0
    official_cost = 0.0
    coverage = peer_coverage(indptr, indices, member, cooperated)
    on_duty = (who == DUTY_MONITOR).any()  # members must monitor: every member's ties watch
    duty_coverage = peer_coverage(indptr, indices, member, member) if on_duty else np.zeros(n)
    watchers = 0
    members = 0
    for i in range(n):
        watchers += member[i] and cooperated[i]
        members += member[i]
    checked = bound.any()
    watched = np.zeros(monitors)
    for i in range(n):
        if bound[i]:
            for m in range(monitors):
                watched[m] += monitor_reach(who[m], coverage[i], duty_coverage[i], 1.0)
            detected[i], wrong[i], by_official[i] = monitored(
                breach[i], coverage[i], duty_coverage[i], visible[i], u[:, i], who, p, error
            )
    for m in range(monitors):
        spent = unit_cost[m] * watched[m] if checked else 0.0
        cost += spent
        if who[m] == OFFICIAL_MONITOR:
            official_cost += spent
        elif who[m] == PEER_MONITOR and watchers:
            for i in range(n):
                if member[i] and cooperated[i]:
                    peer_cost[i] += spent / watchers
        elif who[m] == DUTY_MONITOR and members:
            for i in range(n):
                if member[i]:
                    peer_cost[i] += spent / members
    return detected, wrong, by_official, cost, official_cost, peer_cost


def monitor(
    state: State,
    inst: Institutions,
    bound: np.ndarray,
    breach: np.ndarray,
    rng: np.random.Generator,
    visible: np.ndarray | None = None,
) -> Detection:
    """Check every agent bound by a rule (stream ``governance``: one uniform per agent and
    monitor); ``visible``: how visible each agent's breach is from outside its
    neighbourhood (all of it when omitted)."""
    table = inst.monitor_table
    u = rng.random((table.who.size, state.n))
    return Detection(
        *monitor_arrays(
            table.who,
            table.detection_probability,
            table.error_rate,
            table.cost_eur_per_check,
            u,
            bound,
            breach,
            np.ones(state.n) if visible is None else visible,
            state.member,
            state.cooperated,
            state.ties.indptr,
            state.ties.indices,
        )
    )
