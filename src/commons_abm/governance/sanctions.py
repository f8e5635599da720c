"""Sanctions (design principle 5): graduated ladder or flat fine.

A detected breach of a rule backed by a sanction (``or_else = "sanction"``), or a wrong
accusation, is sanctioned by the rulebook's ``sanction`` statement:

* ``graduated``: the fine is the rung of ``fines_eur`` at the agent's offence level (the
  first rung usually a warning, 0 EUR); each sanction moves the agent one rung up, and
  ``forgiveness_days`` clean days move it one rung down (Ostrom 1990, ch. 3: sanctions
  "graduated depending on the seriousness and context of the offense");
* ``flat``: ``flat_fine_eur`` for every offence.

``fine_scale`` (voted at meetings, :mod:`commons_abm.governance.collective_choice`) multiplies the
fines. A member reaching ``exclude_after`` offences is excluded for a year (principle 1).
Fines go to the community account. For one agent with offence level ``l`` and ``c``
clean days, accused today (``a``) under a scheme other than ``none``::

    fine = s ladder[min(l, len(ladder) - 1)]  (graduated)  or  s flat_fine  (flat),  if a
    l, c = l + 1, 0                                          if a, else  c = c + 1
    l, c = l - 1, 0                                          if c >= forgiveness_days and l > 0
    excluded for EXCLUSION_DAYS, l = 0                       if a, a member and l >= exclude_after > 0

The scheme and its fines are the record
:class:`commons_abm.governance.institutions.SanctionTable`; one agent's day is
:func:`sanction_agent` (the reference engine's), everyone's :func:`sanction_arrays`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from commons_abm.core.kernels import flat, kernel
from commons_abm.core.state import State
from commons_abm.governance.institutions import FLAT, GRADUATED, NO_SANCTION, Institutions

__all__ = ["next_fine_of", "SanctionDay", "accusations", "impose_sanctions", "sanction_agent"]

EXCLUSION_DAYS = 365


@dataclass
class SanctionDay:
    """Sanctions imposed today."""

    sanctioned: np.ndarray  # bool
    fines_eur: np.ndarray  # (n,) [EUR]
    excluded: np.ndarray  # bool: excluded today
    cost_eur: float  # administrative cost [EUR]

    @property
    def count(self) -> int:
        """Number of sanctions."""
        return int(self.sanctioned.sum())


@kernel
def next_fine_of(scheme, ladder, flat_fine, offence_level, fine_scale):  # pragma: no cover - compiled
    """The fine an agent at ``offence_level`` would pay for its next breach [EUR]."""
    if scheme == FLAT:
        return flat_fine * fine_scale
    if scheme == GRADUATED:
        return ladder[min(offence_level, ladder.size - 1)] * fine_scale
    return 0.0


@kernel
def accusations(detected, wrongly_accused, sanctionable, bound_sanctioned):  # pragma: no cover - compiled
    """Who is accused today: breaches detected under a rule backed by a sanction
    (``sanctionable``), and wrong accusations of agents bound by such a rule (a wrong
    accusation can only be sanctioned under a rule backed by a sanction)."""
    return (detected & sanctionable) | (wrongly_accused & bound_sanctioned)


def impose_sanctions(
    state: State, inst: Institutions, accused: np.ndarray, fine_scale: np.ndarray | float, step: int
) -> SanctionDay:
    """Sanction the ``accused`` and move everyone on the ladder."""
    table = inst.sanction_table
    fines, excluded = sanction_arrays(
        table.scheme,
        table.ladder_eur,
        table.flat_fine_eur,
        accused,
        flat(fine_scale, (state.n,)),
        inst.forgiveness_days,
        inst.exclude_after,
        step + EXCLUSION_DAYS,
        state.clean_days,
        state.offence_level,
        state.member,
        state.excluded_until,
    )
    sanctioned = accused if table.scheme != NO_SANCTION else np.zeros(state.n, dtype=bool)
    return SanctionDay(sanctioned, fines, excluded, inst.sanction_cost_eur * float(np.count_nonzero(sanctioned)))


@kernel
def sanction_arrays(
    scheme,
    ladder,
    flat_fine,
    accused,
    fine_scale,
    forgiveness_days,
    exclude_after,
    excluded_until_step,
    clean_days,
    offence_level,
    member,
    excluded_until,
):  # pragma: no cover - compiled
    """The fines, the ladder's moves and the exclusions of :func:`impose_sanctions`, agent
    by agent (:func:`sanction_agent`)."""
    n = accused.size
    fines = np.zeros(n)
    excluded = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        fines[i], excluded[i], clean_days[i], offence_level[i], member[i], excluded_until[i] = sanction_agent(
            scheme,
            ladder,
            flat_fine,
            accused[i],
            fine_scale[i],
            forgiveness_days,
            exclude_after,
            excluded_until_step,
            clean_days[i],
            offence_level[i],
            member[i],
            excluded_until[i],
        )
    return fines, excluded


@kernel
def sanction_agent(
    scheme,
    ladder,
    flat_fine,
    accused,
    fine_scale,
    forgiveness_days,
    exclude_after,
    excluded_until_step,
    clean_days,
    offence_level,
    member,
    excluded_until,
):  # pragma: no cover - compiled
    """The one-agent form: one agent's fine, exclusion and move on the ladder today;
    returns (fine [EUR], excluded today, clean days, offence level, member, excluded until)."""
    fine = 0.0
    excluded = False
    hit = accused and scheme != NO_SANCTION
    if hit:
        fine = next_fine_of(scheme, ladder, flat_fine, offence_level, fine_scale)
        clean_days = 0
        offence_level += 1
    else:
        clean_days += 1
    if clean_days >= forgiveness_days and offence_level > 0:  # forgiven one rung
        offence_level -= 1
        clean_days = 0
    if exclude_after > 0 and hit and member and offence_level >= exclude_after:
        excluded = True
        member = False
        excluded_until = excluded_until_step
        offence_level = 0
    return fine, excluded, clean_days, offence_level, member, excluded_until
