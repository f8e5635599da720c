"""Monitoring (design principle 4): who checks whether others follow the rules.

Each monitor named in the rulebook (``monitor`` statements: peers, the operator or
officials) checks every agent bound by a rule each day. A breach is detected with the
monitor's ``detection_probability``; a compliant agent is wrongly accused with its
``error_rate``. Peers see only what happens around them: their detection and error
probabilities are scaled by the share of the agent's ties to members who cooperated
today, in the stage ``decide`` that runs before monitoring ("mutual vigilance", 003;
Ostrom 1990, ch. 3). Monitors act independently.
Costs: ``cost_eur_per_check`` per agent checked (per agent watched, for peers, shared
among the cooperating members who watch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commons_abm.decisions import peer_coverage
from commons_abm.rulebook import Institutions
from commons_abm.state import State

__all__ = ["Detection", "detections", "monitor"]


@dataclass
class Detection:
    """What monitoring found today."""

    detected: np.ndarray         # bool: breach detected
    wrongly_accused: np.ndarray  # bool: compliant but accused
    by_official: np.ndarray      # bool: the accusation came from officials' monitoring
    cost_eur: float              # total cost of monitoring today [EUR]
    official_cost_eur: float     # of which paid by the commune (officials) [EUR]
    peer_cost_eur: np.ndarray    # (n,) cost borne by each peer monitor [EUR]


def detections(breach: np.ndarray, u: np.ndarray, p: float, error: float,
               reach: np.ndarray | float = 1.0) -> np.ndarray:
    """Which checks end in an accusation, given uniform draws ``u``: a breach with probability
    ``p reach``, a compliant agent (wrongly) with ``error reach``."""
    return np.where(breach, u < p * reach, u < error * reach)


def monitor(state: State, inst: Institutions, bound: np.ndarray, breach: np.ndarray,
            rng: np.random.Generator) -> Detection:
    """Check every agent bound by a rule (stream ``governance``)."""
    n = state.n
    detected = np.zeros(n, dtype=bool)
    wrong = np.zeros(n, dtype=bool)
    by_official = np.zeros(n, dtype=bool)
    peer_cost = np.zeros(n)
    cost = official_cost = 0.0
    checked = int(bound.sum())
    for who, p, error, unit_cost in inst.monitors:
        reach = peer_coverage(state) if who == "peer" else np.ones(n)
        u = rng.random(n)
        hit = detections(breach, u, p, error, reach) & bound
        detected |= hit & breach
        wrong |= hit & ~breach
        if who == "official":
            by_official |= hit
        spent = unit_cost * float(reach[bound].sum()) if checked else 0.0
        cost += spent
        if who == "official":
            official_cost += spent
        elif who == "peer":
            watchers = state.member & state.cooperated
            if watchers.any():
                peer_cost[watchers] += spent / watchers.sum()
    return Detection(detected, wrong, by_official, cost, official_cost, peer_cost)
