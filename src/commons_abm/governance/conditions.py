"""When-clauses: the conditions of a rulebook's statements, evaluated each day.

In Crawford & Ostrom's (1995) grammar the **C**onditions of a statement say when and where
it applies. A statement's ``conditions`` (:class:`~commons_abm.governance.rulebook.WhenClause`)
are clauses over the model's state; all the clauses it gives must hold:

* ``weekdays``, ``months``: the day of the scenario's calendar (a 365-day year starting on
  ``energy.start_day_of_year``, ``energy.start_weekday``);
* ``battery_below``, ``battery_above``: the charge of the shared battery at the start of the
  day, as a share of its capacity (an empty battery, or none, has share 0);
* ``has_pv``: whom the statement binds, agents with rooftop PV (true) or without (false):
  an agent-level clause, compiled into whom a rule binds
  (:class:`~commons_abm.governance.institutions.Binding`), not evaluated by day.

Before the day's stages, :func:`rules_in_force` gives the rules in force today: the
rulebook compiled from the statements whose day clauses hold. A statement out of force is
absent for the day, with the consequences its absence has in the model: no monitor
checks, no sanction is imposed, the platform finds no match, the commune pays no subsidy,
no rule binds and so none deters or is breached, the pool is open to everyone. What
statements set that lasts beyond a day (the levels members voted, offences on the ladder)
is kept. The rules in force are compiled once for each set of statements in force, and a
rulebook without day clauses is in force every day as it is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from commons_abm.core.calendar import Day
from commons_abm.governance.institutions import Institutions, compile_statements
from commons_abm.governance.rulebook import WEEKDAYS, WhenClause

__all__ = ["DayContext", "MONTH_STARTS", "clause_holds", "day_context", "month_of", "rules_in_force"]

# First day of year (1..365) of each month of a 365-day year.
MONTH_STARTS = (1, 32, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335)


class DayContext(NamedTuple):
    """What the day clauses read of a day."""

    weekday: int  # 0 = Monday .. 6 = Sunday
    month: int  # 1..12
    battery_share: float  # the shared battery's charge at the start of the day over its capacity [0-1]


def month_of(day_of_year: int) -> int:
    """The month (1-12) of a day of a 365-day year (1-365)."""
    return sum(1 for start in MONTH_STARTS if day_of_year >= start)


def day_context(day: Day, battery_soc_kwh: float, battery_capacity_kwh: float) -> DayContext:
    """What the day clauses read of ``day``, with the battery's charge at its start."""
    share = battery_soc_kwh / battery_capacity_kwh if battery_capacity_kwh > 0 else 0.0
    return DayContext(day.weekday, month_of(day.day_of_year), min(max(share, 0.0), 1.0))


def clause_holds(when: WhenClause, today: DayContext) -> bool:
    """Whether the day clauses of ``when`` all hold ``today`` (``has_pv`` is not a day clause)."""
    if when.weekdays is not None and WEEKDAYS[today.weekday] not in when.weekdays:
        return False
    if when.months is not None and today.month not in when.months:
        return False
    if when.battery_below is not None and not today.battery_share < when.battery_below:
        return False
    return when.battery_above is None or today.battery_share > when.battery_above


def rules_in_force(rules: Institutions, today: DayContext) -> Institutions:
    """The rules in force ``today``: ``rules`` compiled from the statements whose day clauses
    hold (``rules`` itself when it has no day clause, or when all of them hold)."""
    if not rules.conditional:
        return rules
    whens = rules.whens
    in_force = tuple(i for i, when in enumerate(whens) if when is None or clause_holds(when, today))
    if len(in_force) == len(whens):
        return rules
    compiled = rules.in_force_cache.get(in_force)
    if compiled is None:
        statements = tuple(rules.statements[i] for i in in_force)
        compiled = compile_statements(rules.name, rules.officials, statements)
        if rules.fee_eur_per_day > 0 and not compiled.fee_eur_per_day > 0:  # the fee's level stays, unpaid today
            compiled = replace(compiled, fee_eur_per_day=rules.fee_eur_per_day, fee_suspended=True)
        rules.in_force_cache[in_force] = compiled
    return compiled
