"""Business days and quota periods.

Time runs in business days: 21 a month, 63 a quarter, 252 a year, so every period boundary falls on
a whole day and a run lasts whole years. Quota periods are aligned to the start of the run, so all
reps share the same period calendar (new hires join mid-period on a pro-rated quota).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

DAYS_PER_MONTH = 21
DAYS_PER_YEAR = 252
PeriodName = Literal["day", "week", "month", "quarter", "half_year", "year"]
PERIOD_DAYS: dict[str, int] = {
    "day": 1,
    "week": 5,
    "month": 21,
    "quarter": 63,
    "half_year": 126,
    "year": 252,
}


@dataclass(frozen=True)
class PeriodCalendar:
    """Precomputed day-by-day view of one kind of period over a run.

    Arrays are indexed by day (0 .. n_days - 1): which period a day belongs to, how many days of
    that period are left counting the day itself, and whether the day opens or closes a period.
    """

    name: str
    length: int
    n_days: int
    period_of_day: np.ndarray
    days_left: np.ndarray
    is_last_day: np.ndarray
    is_first_day: np.ndarray

    @classmethod
    def build(cls, name: str, n_days: int) -> "PeriodCalendar":
        length = PERIOD_DAYS[name]
        days = np.arange(n_days)
        position = days % length
        return cls(
            name=name,
            length=length,
            n_days=n_days,
            period_of_day=days // length,
            days_left=length - position,
            is_last_day=position == length - 1,
            is_first_day=position == 0,
        )

    @property
    def n_periods(self) -> int:
        return -(-self.n_days // self.length)

    @property
    def periods_per_year(self) -> float:
        return DAYS_PER_YEAR / self.length

    def start_of(self, period: int) -> int:
        return period * self.length


def month_of_year(day: np.ndarray | int) -> np.ndarray | int:
    """Calendar month (0-11) of a business day."""
    return (np.asarray(day) // DAYS_PER_MONTH) % 12


def n_days_for(years: float) -> int:
    """Whole business days in a horizon given in years (runs last whole years)."""
    return int(round(years * DAYS_PER_YEAR))
