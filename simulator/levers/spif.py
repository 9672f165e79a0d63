"""SPIFs (sales performance incentive funds): $ per unit booked of a product, within a window of days.

Reps weigh a SPIF through the expected units each focus mix wins (`Terms.spif`), so it moves the
product-focus choice by the value of a unit of its product; deal timing weighs it by the day a
deal would land (`Terms.spif_end`, `spif_next`), so a window's end draws deals into it. Units are counted
from credited sales by product each day (a discounted unit counts a little under one) and paid at
the period's settlement.
"""

from __future__ import annotations

import numpy as np

from simulator.levers.base import Lever, Settlement, StaticPrice
from simulator.state.context import DayContext, Terms
from simulator.world.build import World
from simulator.world.market import build_products


class Spif(Lever):
    """$ a unit by product, its window, and each rep's SPIF pay earned this period."""

    name = "spif"

    def __init__(self, world: World, n: int):
        plan = world.scenario.plan
        products = world.products
        self.spif = plan.variable_scale * np.array([plan.spif.get(p, 0.0) for p in products.names], dtype=float)
        self.no_spif = np.zeros_like(self.spif)
        self.window = plan.spif_window or (0, world.n_days)
        self.unit = products.credited_deal
        self.seen = np.zeros((n, products.k))  # credited sales by product already counted
        self.earned = np.zeros(n)

    @classmethod
    def build(cls, world: World, rng: np.random.Generator, built: dict) -> "Spif | None":
        on = any(v > 0 for v in world.scenario.plan.spif.values()) and world.scenario.plan.variable_scale > 0
        return cls(world, world.scenario.force.size) if on else None

    def on_day(self, day: int) -> np.ndarray:
        """$ a unit by product for units booked on `day`."""
        return self.spif if self.window[0] <= day < self.window[1] else self.no_spif

    def add_terms(self, ctx: DayContext, terms: Terms) -> None:
        terms.spif = self.on_day(ctx.day)
        terms.spif_end = self.on_day(ctx.day + ctx.days_left - 1)  # a deal held to the period's end
        terms.spif_next = self.on_day(ctx.day + ctx.days_left)  # ... or pushed into the next period

    def end_work(self, ctx: DayContext) -> None:
        booked = ctx.reps.p_by_product
        self.earned += ((booked - self.seen) / self.unit) @ self.on_day(ctx.day)
        self.seen[:] = booked

    def settle(self, ctx: DayContext, idx: np.ndarray, days: np.ndarray, full: bool,
               variable: np.ndarray) -> Settlement:
        pay = self.earned[idx].copy()
        self.earned[idx] = 0.0
        self.seen[idx] = 0.0  # their period books start again
        return Settlement({"spif_pay": pay}, pay)

    @classmethod
    def static_pay(cls, scenario, rows, variable) -> StaticPrice:
        """$ a unit on the units each row sold of each SPIF product, pro rata to the part of the
        row's days inside the window."""
        plan = scenario.plan
        rates = {name: rate * plan.variable_scale for name, rate in plan.spif.items() if rate > 0}
        if not rates:
            return StaticPrice(None)
        missing = [name for name in rates if f"sales_{name}" not in rows]
        if missing:
            return StaticPrice(None, f"the current plan's runs do not sell {', '.join(missing)}")
        products = build_products(scenario)
        first, last = plan.spif_window or (0, scenario.n_days)
        start, end = rows["start_day"].to_numpy(), rows["end_day"].to_numpy() + 1
        inside = np.clip(np.minimum(end, last) - np.maximum(start, first), 0, None) / np.maximum(end - start, 1)
        units = sum(rate * rows[f"sales_{name}"].to_numpy(dtype=float) / products.credited_deal[products.names.index(name)]
                    for name, rate in rates.items())
        return StaticPrice(units * inside)
