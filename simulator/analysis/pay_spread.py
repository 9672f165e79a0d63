"""How a plan's pay spreads across reps: each rep's pay a year, and its percentiles.

A designer sets on-target earnings; what reps take home spreads around it with ability, territory
and luck. The P10, P50 and P90 of pay a year, beside the design's OTE, say whether the plan pays
the force what it was meant to.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR

MIN_DAYS = 3 * DAYS_PER_MONTH  # reps in post under a quarter are left out: their year is mostly guesswork


def pay_a_year(rep_periods: pd.DataFrame, min_days: int = MIN_DAYS) -> pd.Series:
    """Each rep's pay (base, commission, bonus, less clawback) a year in post, for reps in post at least `min_days`."""
    if rep_periods.empty:
        return pd.Series(dtype=float)
    per_rep = rep_periods.groupby("rep_id")[["pay", "days"]].sum()
    per_rep = per_rep[per_rep["days"] >= min_days]
    return per_rep["pay"] / per_rep["days"] * DAYS_PER_YEAR


def pay_percentiles(rep_periods: pd.DataFrame, levels: tuple[float, ...] = (0.1, 0.5, 0.9)) -> tuple[float, ...]:
    """Percentiles of reps' pay a year (nan when no rep was in post long enough)."""
    pay = pay_a_year(rep_periods)
    if pay.empty:
        return tuple(float("nan") for _ in levels)
    return tuple(float(v) for v in np.quantile(pay.to_numpy(), levels))
