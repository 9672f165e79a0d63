"""Pay outside the quota plan: activity pay, SPIFs (sales performance incentive funds) and a
product quota.

Both are linear: a $ amount per logged activity (`plan.activity_pay`) and per unit booked of a
product (`plan.spif`, within `plan.spif_window`). For the reps' weighing
(`behaviour.effort.side_column`) they become what a unit of effort over the rest of the period
earns at each focus mix, added to U beside commission: activity pay through the activities that
effort produces (Anderson and Oliver 1987 on behaviour-based pay), a SPIF through the expected
units that mix wins, so a SPIF moves the product-focus choice by the value of a unit of its
product and nothing else (launch SPIFs: Zoltners, Sinha and Lorimer 2006, *The Complete Guide
to Sales Force Incentive Compensation*). A product quota (`plan.product_quota`) is a second goal
in units of one product with its own bonus: the reps weigh the chance of reaching it by the same
normal closed form as the sales quota (`behaviour.effort.product_goal_value`), from their units
booked, the product's open pipeline and what each focus mix adds. An activity target
(`plan.activity_target`: 60 logged calls a period) is the same kind of unit goal on an activity's
count: the chance of reaching it from the activities logged so far (net of padding audits found)
plus those each focus mix's effort would log over the rest of the period (`unit_goals`,
`goal_rate`), so effort and focus answer it as they answer the product quota; the padding
decision counts its gain in that chance too (`activity.log_day`). What is paid for is what gets
done, and logged (Kerr 1975). At a period's end each rep is paid all of them (`settle`).

When the plan has none of them, `rate`, `spif_on_day` and `unit_goals` are zeros and nothing
in the valuation changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulator.levers.activity import ActivityLog
    from simulator.scenario import Scenario
    from simulator.sim.engine import Engine
    from simulator.world.market import ProductTable


class SidePay:
    """Activity pay and SPIFs: their value per unit of effort, and each period's payout."""

    def __init__(self, scenario: "Scenario", products: "ProductTable", shares: np.ndarray, n: int,
                 log: "ActivityLog | None"):
        self.log = log
        scale = scenario.plan.variable_scale  # equal-cost calibration scales this pay like the curve's
        self.spif = scale * np.array([scenario.plan.spif.get(p, 0.0) for p in products.names], dtype=float)
        self.no_spif = np.zeros_like(self.spif)
        self.window = scenario.plan.spif_window or (0, scenario.n_days)
        self.credited_deal = products.credited_deal
        # $ a day per unit of effort from activity pay, per focus mix
        self.rate = np.zeros(len(shares))
        if log is not None:
            for a in range(len(log.names)):
                produced = shares[:, log.product[a]] if log.product[a] >= 0 else np.ones(len(shares))
                self.rate += log.pay[a] * log.per_effort[a] * produced
        self.spif_on = bool(np.any(self.spif > 0))
        self.seen = np.zeros((n, products.k))  # credited sales by product already counted for SPIFs
        self.spif_earned = np.zeros(n)
        self.quota_spec = scenario.plan.product_quota
        self.quota_bonus = scale * self.quota_spec.bonus if self.quota_spec else 0.0
        self.goal_product = products.names.index(self.quota_spec.product) if self.quota_spec else 0
        self.win = products.win
        self.no_goal = np.zeros((n, 2, 4))
        self.target = scenario.plan.activity_target
        self.target_bonus = scale * self.target.bonus if self.target else 0.0
        self.no_goal_rate = np.zeros(len(shares))
        if self.target is not None:
            a = log.names.index(self.target.activity)
            self.target_activity = a
            # activities a day per unit of effort, per focus mix
            self.target_per_day = log.per_effort[a] * (shares[:, log.product[a]] if log.product[a] >= 0
                                                       else np.ones(len(shares)))

    @property
    def on(self) -> bool:
        return self.log is not None or self.spif_on or self.quota_spec is not None

    def unit_goals(self, x: "Engine") -> np.ndarray:
        """Per rep and unit goal (0: the product quota, 1: the activity target), for the reps'
        weighing (`behaviour.effort.side_column`): units expected by the period's end without
        further effort, their variance, the rep's goal and its bonus (zeros when there is none, or
        before it applies). The product quota's units: booked + the open pipeline deciding within
        the period; the activity target's: activities logged so far, less padding audits found."""
        spec, target = self.quota_spec, self.target
        quota_on = spec is not None and x.day >= spec.from_day
        if not quota_on and target is None:
            return self.no_goal
        r = x.reps
        out = np.zeros((r.n, 2, 4))
        held = r.quota_days / x.period_len  # goals are cut to the part of the period a rep holds the job
        if quota_on:
            p = self.goal_product
            w = self.win[p]
            out[:, 0, 0] = r.p_by_product[:, p] / self.credited_deal[p] + r.in_period[:, p] * w
            out[:, 0, 1] = r.in_period[:, p] * w * (1.0 - w)
            out[:, 0, 2] = spec.units * held
            out[:, 0, 3] = self.quota_bonus
        if target is not None:
            out[:, 1, 0] = self.target_count(slice(None))
            out[:, 1, 2] = target.count * held
            out[:, 1, 3] = self.target_bonus
        return out

    def goal_rate(self, x: "Engine") -> np.ndarray:
        """Per focus mix, the target's activities a unit of effort logs over the rest of the period."""
        return self.no_goal_rate if self.target is None else x.days_left * self.target_per_day

    def target_count(self, idx) -> np.ndarray:
        """Reps' logged count of the target's activity this period, net of padding audits found."""
        a = self.target_activity
        return self.log.logged[idx, a] - self.log.found[idx, a]

    def spif_on_day(self, day: int) -> np.ndarray:
        """$ a unit by product for units booked today."""
        return self.spif if self.window[0] <= day < self.window[1] else self.no_spif

    def day(self, x: "Engine") -> None:
        """Log today's activities; count today's SPIF units (credited sales by product since the
        last count: a discounted unit counts a little under one)."""
        if self.log is not None:
            self.log.day(x)
        if self.spif_on:
            booked = x.reps.p_by_product
            self.spif_earned += ((booked - self.seen) / self.credited_deal) @ self.spif_on_day(x.day)
            self.seen[:] = booked

    def settle(self, x: "Engine", idx: np.ndarray, days: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray] | None:
        """The period's activity, unit-goal and SPIF columns for the rep-period rows of reps `idx`
        (who held the job `days` days of it), and their pay from all of them, $ (None when the
        plan has none). Called once per settlement: the log's counts start again after it."""
        if not self.on:
            return None
        block: dict[str, np.ndarray] = {}
        extra = np.zeros(idx.size)
        if self.target is not None:  # before the log's counts start again
            count = self.target_count(idx)
            target = self.target.count * days / x.period_len  # the days it held the job
            bonus = np.where(x.calendar.is_last_day[x.day] & (count >= target - 1e-9), self.target_bonus, 0.0)
            block["activity_target_count"] = count
            block["activity_target"] = target
            block["activity_target_bonus"] = bonus
            block["activity_target_done"] = self.log.real[idx, self.target_activity].copy()  # really done
            block["activity_target_padded"] = self.log.padded[idx, self.target_activity].astype(float)
            extra += bonus
        if self.log is not None:
            columns, pay = self.log.settle(idx)
            block.update(columns)
            extra += pay
        if self.quota_spec is not None:
            units = x.reps.p_by_product[idx, self.goal_product] / self.credited_deal[self.goal_product]
            quota = self.quota_spec.units * days / x.period_len  # the days it held the job
            applies = x.day >= self.quota_spec.from_day and x.calendar.is_last_day[x.day]
            bonus = np.where(applies & (units >= quota - 1e-9), self.quota_bonus, 0.0)
            block["product_units"] = units
            block["product_quota"] = quota
            block["product_quota_bonus"] = bonus
            extra += bonus
        if self.spif_on:
            spif = self.spif_earned[idx].copy()
            block["spif_pay"] = spif
            extra += spif
            self.spif_earned[idx] = 0.0
            self.seen[idx] = 0.0  # their period books start again
        return block, extra
