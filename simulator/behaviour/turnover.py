"""Staying or quitting: each month reps weigh a year in the job against their outside option.

A year is worth the certainty equivalent CE = base + 252 x mean variable pay a day - r/2 x the
variance of a year's variable pay - 252 x effort cost a day, from running averages of the rep's
own settlements (its expectation of what staying pays, effort and risk included); a rep whose CE
falls short of its outside option quits at a rate that rises with the shortfall (Lazear 2000 on
sorting). A rep who keeps missing quits because missing pays less, not by a rule: the morale floor
(quitting at the full rate once running attainment falls below `Turnover.morale_floor`, after Chung,
Steenburgh and Sudhir 2014's discouraged reps) is a reduced-form layer, off by default.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from simulator.calendar import DAYS_PER_YEAR
from simulator.scenario import Turnover


def certainty_equivalent(
    base_salary: np.ndarray | float,
    pay_per_day: np.ndarray,
    pay_var_per_day: np.ndarray,
    period_days: int,
    risk_aversion: np.ndarray,
    effort_cost_per_day: np.ndarray,
) -> np.ndarray:
    """A year's certainty-equivalent pay net of effort, $.

    `pay_var_per_day` is the variance across periods of variable pay per day; a year holds
    252 / period_days independent periods of period_days days each.
    """
    year_var = DAYS_PER_YEAR * period_days * pay_var_per_day
    return (
        base_salary
        + DAYS_PER_YEAR * pay_per_day
        - 0.5 * risk_aversion * year_var
        - DAYS_PER_YEAR * effort_cost_per_day
    )


def quit_probability(
    ce: np.ndarray, outside_option: np.ndarray, morale: np.ndarray, spec: Turnover, years: float
) -> np.ndarray:
    """Chance of quitting within `years`, from the yearly hazard the shortfall implies."""
    shortfall = (outside_option - ce) / np.maximum(outside_option, 1.0)
    pull = ndtr((shortfall - spec.tolerance) / (0.5 * spec.tolerance))
    yearly = spec.base_rate + spec.quit_rate * pull
    yearly = np.where(morale < spec.morale_floor, spec.base_rate + spec.quit_rate, yearly)
    yearly = np.clip(yearly, 0.0, 0.999)
    return 1.0 - (1.0 - yearly) ** years
