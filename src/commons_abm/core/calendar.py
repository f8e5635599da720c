"""The model's calendar: one step is one day of 24 hourly slots."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Day", "HOURS", "day_of_step"]

HOURS = 24


@dataclass(frozen=True)
class Day:
    """The calendar day simulated at a step."""

    step: int
    day_of_year: int  # 1..365
    weekday: int  # 0 = Monday .. 6 = Sunday

    @property
    def is_weekend(self) -> bool:
        """Saturday or Sunday."""
        return self.weekday >= 5


def day_of_step(step: int, start_day_of_year: int = 1, start_weekday: int = 0) -> Day:
    """The calendar day of ``step`` (a 365-day year, no leap days)."""
    return Day(
        step=step,
        day_of_year=(start_day_of_year - 1 + step) % 365 + 1,
        weekday=(start_weekday + step) % 7,
    )
