"""Staying or quitting: each month reps weigh a year in the job against their outside option.

A year is worth the certainty equivalent CE = base + 252 x expected variable pay a day - r/2 x the
variance of a year's variable pay - 252 x effort cost a day (`sim.engine.Engine.value_of_staying`).
The pay is reckoned forward from the plan as it stands, the participation constraint of agency
models weighed each month (Holmstrom and Milgrom 1987): the rep expects the plan's pay curve at its
current quota and at its usual sales, so a ratcheted quota or a leaner plan lowers the value of
staying the month it comes, not periods later when pay has fallen; the rep's usual sales, its effort cost and
what it earns beside the curve (a stacked bonus, prizes, SPIFs, activity pay, less clawbacks) are
running averages of its own experience. A rep whose CE falls short of its outside option quits at a
rate that rises with the shortfall (Lazear 2000 on sorting). A rep who keeps missing quits because
missing pays less, not by a rule: the morale floor (quitting at the full rate once running
attainment falls below `Turnover.morale_floor`, after Chung, Steenburgh and Sudhir 2014's
discouraged reps) is a reduced-form layer, off by default.
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
