"""The day context: what the phases of a day, the decision rules and the levers share.

One `DayContext` lives through a run. It holds the world (fixed), the reps' arrays, the run's
generator, the selling tables in force (a lever may keep per-rep tables of leads, win rates or
cancellation rates), today's place in the calendar with what reps expect of the rest of the
period (`open_day` sets them each morning), and the day's running totals. `Terms` is what the
levers add to the morning's valuation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.state.reps import RepArrays
from simulator.world.build import World

# slots of `Terms.unit_goals`: goals counted in units rather than $ of sales
PRODUCT_GOAL = 0
ACTIVITY_GOAL = 1


@dataclass
class Terms:
    """What the levers add to the reps' valuation this morning (all zeros: nothing).

    `rate`: $ a day per unit of effort, per focus mix (activity pay). `spif`: $ per unit booked
    today, per product. `unit_goals`: per rep and unit goal (slot PRODUCT_GOAL or ACTIVITY_GOAL)
    the units expected by the period's end without further effort, their variance, the goal and
    its bonus. `goal_product`: the product whose units the product goal counts. `goal_rate`: per
    focus mix, the activity goal's units a unit of effort adds over the rest of the period.
    `prize`: a second threshold prize the misconduct choice weighs (a contest or team bonus), and
    `prize_var`: the extra variance of the line it is won at."""

    rate: np.ndarray
    spif: np.ndarray
    unit_goals: np.ndarray
    goal_rate: np.ndarray
    prize_var: np.ndarray
    goal_product: int = 0
    prize: float = 0.0

    @classmethod
    def zeros(cls, n_reps: int, n_focus: int, n_products: int) -> "Terms":
        return cls(rate=np.zeros(n_focus), spif=np.zeros(n_products), unit_goals=np.zeros((n_reps, 2, 4)),
                   goal_rate=np.zeros(n_focus), prize_var=np.zeros(n_reps))


@dataclass
class DayContext:
    """The world, the reps and today, as every phase of the day sees them."""

    world: World
    reps: RepArrays
    rng: np.random.Generator
    leads: np.ndarray  # opportunities a day per product (or per rep and product)
    win: np.ndarray  # win rate per product (or per rep and product)
    booking: tuple  # price, credit, margin, cancellation rate (force or per rep), cancellation window
    today: np.ndarray  # the day's running totals (`selling.pipeline` columns, then list value by product)
    dismissed: np.ndarray  # reps dismissed today
    workspace: tuple  # scratch arrays of the decision search, kept between days
    day: int = 0
    days_left: int = 0  # business days left in the quota period, today included
    second_days_left: int = 0  # ... in the second goal's window (the quota period's without one)
    din: np.ndarray = field(default_factory=lambda: np.zeros(0))  # `Demand.closing_table` today: inside ...
    aout: np.ndarray = field(default_factory=lambda: np.zeros(0))  # ... and after the period
    din_rest: np.ndarray = field(default_factory=lambda: np.zeros(0))  # inside, from tomorrow
    din_second: np.ndarray = field(default_factory=lambda: np.zeros(0))  # inside the second goal's window
    demand_var: float = 0.0  # variance share of demand still unknown this period

    @property
    def scenario(self):
        return self.world.scenario

    @property
    def period_len(self) -> int:
        return self.world.calendar.length

    @property
    def period_end(self) -> bool:
        return bool(self.world.calendar.is_last_day[self.day])

    @property
    def second_end(self) -> bool:
        second = self.world.second
        return second is not None and bool(second.calendar.is_last_day[self.day])

    def job_value(self, idx) -> np.ndarray:
        """What losing the job costs each rep in `idx`, $: `behaviour.ethics.job_loss_months` of its pay."""
        monthly_pay = self.world.plan.base_salary / 12.0 + self.reps.pay_mean[idx] * 21.0
        return self.scenario.behaviour.ethics.job_loss_months * monthly_pay

    def ledger(self) -> tuple:
        """The arrays a booking writes into (`selling.pipeline.book`), in its argument order."""
        r = self.reps
        return (r.sales, r.p_revenue, r.p_list, r.p_discount, r.p_deals, r.p_by_product, r.month_revenue,
                r.cancel_credit, r.cancel_revenue, self.today)
