"""Sanctions (design principle 5): graduated ladder or flat fine.

A detected breach of a rule backed by a sanction (``or_else = "sanction"``), or a wrong
accusation, is sanctioned by the rulebook's ``sanction`` statement:

* ``graduated``: the fine is the rung of ``fines_eur`` at the agent's offence level (the
  first rung usually a warning, 0 EUR); each sanction moves the agent one rung up, and
  ``forgiveness_days`` clean days move it one rung down (Ostrom 1990, ch. 3: sanctions
  "graduated depending on the seriousness and context of the offense");
* ``flat``: ``flat_fine_eur`` for every offence.

``fine_scale`` (voted at meetings, :mod:`commons_abm.collective_choice`) multiplies the
fines. A member reaching ``exclude_after`` offences is excluded for a year (principle 1).
Fines go to the community account.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commons_abm.decisions import next_fine
from commons_abm.rulebook import Institutions
from commons_abm.state import State

__all__ = ["SanctionDay", "impose_sanctions"]

EXCLUSION_DAYS = 365


@dataclass
class SanctionDay:
    """Sanctions imposed today."""

    sanctioned: np.ndarray   # bool
    fines_eur: np.ndarray    # (n,) [EUR]
    excluded: np.ndarray     # bool: excluded today
    cost_eur: float          # administrative cost [EUR]

    @property
    def count(self) -> int:
        """Number of sanctions."""
        return int(self.sanctioned.sum())


def impose_sanctions(state: State, inst: Institutions, accused: np.ndarray,
                     fine_scale: np.ndarray | float, step: int) -> SanctionDay:
    """Sanction the ``accused`` and move everyone on the ladder."""
    n = state.n
    if inst.sanction_scheme == "none":
        accused = np.zeros(n, dtype=bool)
    fines = np.where(accused, next_fine(state, inst, fine_scale), 0.0)
    state.clean_days += 1
    state.clean_days[accused] = 0
    state.offence_level[accused] += 1
    forgiven = (state.clean_days >= inst.forgiveness_days) & (state.offence_level > 0)
    state.offence_level[forgiven] -= 1
    state.clean_days[forgiven] = 0
    excluded = np.zeros(n, dtype=bool)
    if inst.exclude_after > 0:
        excluded = accused & state.member & (state.offence_level >= inst.exclude_after)
        state.member[excluded] = False
        state.excluded_until[excluded] = step + EXCLUSION_DAYS
        state.offence_level[excluded] = 0
    return SanctionDay(accused, fines, excluded, inst.sanction_cost_eur * float(accused.sum()))
