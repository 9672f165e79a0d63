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
booked, the product's open pipeline and what each focus mix adds. At a period's end each rep is
paid all three (`settle`).

When the plan has none of them, `rate`, `spif_on_day` and `product_goal` are zeros and nothing
in the valuation changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulator.activity import ActivityLog
    from simulator.engine import Engine
    from simulator.market import ProductTable
    from simulator.scenario import Scenario


class SidePay:
    """Activity pay and SPIFs: their value per unit of effort, and each period's payout."""

    def __init__(self, scenario: "Scenario", products: "ProductTable", shares: np.ndarray, n: int,
                 log: "ActivityLog | None"):
        self.log = log
        self.spif = np.array([scenario.plan.spif.get(p, 0.0) for p in products.names], dtype=float)
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
        self.goal_product = products.names.index(self.quota_spec.product) if self.quota_spec else 0
        self.win = products.win
        self.no_goal = np.zeros((n, 4))

    @property
    def on(self) -> bool:
        return self.log is not None or self.spif_on or self.quota_spec is not None

    def product_goal(self, x: "Engine") -> np.ndarray:
        """Per rep, for the reps' weighing: units of the quota's product expected by the period's end
        without further effort (booked + the open pipeline deciding within it), their variance, the
        rep's product quota and its bonus (zeros when there is none, or before it applies)."""
        spec = self.quota_spec
        if spec is None or x.day < spec.from_day:
            return self.no_goal
        r = x.reps
        p = self.goal_product
        w = self.win[p]
        out = np.empty((r.n, 4))
        out[:, 0] = r.p_by_product[:, p] / self.credited_deal[p] + r.in_period[:, p] * w
        out[:, 1] = r.in_period[:, p] * w * (1.0 - w)
        out[:, 2] = spec.units * r.quota_days / x.period_len  # cut to the part of the period it holds the job
        out[:, 3] = spec.bonus
        return out

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

    def settle(self, x: "Engine", idx: np.ndarray, block: dict) -> np.ndarray | None:
        """Add the period's activity and SPIF columns to the rep-period rows `block` of reps
        `idx`; return their pay from both, $ (None when the plan has neither)."""
        if not self.on:
            return None
        extra = np.zeros(idx.size)
        if self.log is not None:
            columns, pay = self.log.settle(idx)
            block.update(columns)
            extra += pay
        if self.quota_spec is not None:
            units = x.reps.p_by_product[idx, self.goal_product] / self.credited_deal[self.goal_product]
            quota = self.quota_spec.units * block["days"] / x.period_len  # the days it held the job
            applies = x.day >= self.quota_spec.from_day and x.calendar.is_last_day[x.day]
            bonus = np.where(applies & (units >= quota - 1e-9), self.quota_spec.bonus, 0.0)
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
        return extra
