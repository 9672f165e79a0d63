"""Pay outside the quota plan: activity pay and SPIFs (sales performance incentive funds).

Both are linear: a $ amount per logged activity (`plan.activity_pay`) and per unit booked of a
product (`plan.spif`, within `plan.spif_window`). For the reps' weighing
(`behaviour.effort.side_column`) they become what a unit of effort over the rest of the period
earns at each focus mix, added to U beside commission: activity pay through the activities that
effort produces (Anderson and Oliver 1987 on behaviour-based pay), a SPIF through the expected
units that mix wins, so a SPIF moves the product-focus choice by the value of a unit of its
product and nothing else (launch SPIFs: Zoltners, Sinha and Lorimer 2006, *The Complete Guide
to Sales Force Incentive Compensation*). At a period's end each rep is paid both (`settle`).

When the plan has neither, `rate` and `spif_on_day` are zeros and nothing in the valuation
changes.
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

    @property
    def on(self) -> bool:
        return self.log is not None or self.spif_on

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
        if self.spif_on:
            spif = self.spif_earned[idx].copy()
            block["spif_pay"] = spif
            extra += spif
            self.spif_earned[idx] = 0.0
            self.seen[idx] = 0.0  # their period books start again
        return extra
