"""A product quota: units of one product a quota period, with its own bonus.

A second goal in units beside the sales quota (`Terms.unit_goals`, slot PRODUCT_GOAL): reps
weigh the chance of reaching it by the same normal closed form, from units booked, the product's
open pipeline deciding within the period and what each focus mix adds. It applies from
`from_day` (a launch's product quota starts with the launch).
"""

from __future__ import annotations

import numpy as np

from simulator.calendar import PERIOD_DAYS
from simulator.levers.base import Lever, Settlement, StaticPrice
from simulator.state.context import PRODUCT_GOAL, DayContext, Terms
from simulator.world.build import World
from simulator.world.market import build_products


class ProductQuota(Lever):
    """The product's unit goal and its bonus."""

    name = "product_quota"

    def __init__(self, world: World):
        self.spec = world.scenario.plan.product_quota
        self.bonus = world.scenario.plan.variable_scale * self.spec.bonus
        self.product = world.products.names.index(self.spec.product)
        self.win = world.products.win[self.product]
        self.unit = world.products.credited_deal[self.product]  # credited $ of one unit at list price

    @classmethod
    def build(cls, world: World, rng: np.random.Generator, built: dict) -> "ProductQuota | None":
        return cls(world) if world.scenario.plan.product_quota is not None else None

    def add_terms(self, ctx: DayContext, terms: Terms) -> None:
        terms.goal_product = self.product
        if ctx.day < self.spec.from_day:
            return
        r = ctx.reps
        p, w = self.product, self.win
        held = r.quota_days / ctx.period_len  # goals are cut to the part of the period a rep holds the job
        goal = terms.unit_goals[:, PRODUCT_GOAL]
        goal[:, 0] = r.p_by_product[:, p] / self.unit + r.in_period[:, p] * w
        goal[:, 1] = r.in_period[:, p] * w * (1.0 - w)
        goal[:, 2] = self.spec.units * held
        goal[:, 3] = self.bonus

    def settle(self, ctx: DayContext, idx: np.ndarray, days: np.ndarray, full: bool,
               variable: np.ndarray) -> Settlement:
        units = ctx.reps.p_by_product[idx, self.product] / self.unit
        quota = self.spec.units * days / ctx.period_len  # the days it held the job
        applies = ctx.day >= self.spec.from_day and ctx.period_end
        bonus = np.where(applies & (units >= quota - 1e-9), self.bonus, 0.0)
        return Settlement({"product_units": units, "product_quota": quota, "product_quota_bonus": bonus}, bonus)

    @classmethod
    def static_pay(cls, scenario, rows, variable) -> StaticPrice:
        """The bonus on complete periods (from `from_day`) whose units of the product reached the quota."""
        spec = scenario.plan.product_quota
        if spec is None or spec.bonus <= 0:
            return StaticPrice(None)
        column = f"sales_{spec.product}"
        if column not in rows:
            return StaticPrice(None, f"the current plan's runs do not sell {spec.product}")
        products = build_products(scenario)
        unit = products.credited_deal[products.names.index(spec.product)]
        units = rows[column].to_numpy(dtype=float) / unit
        quota = spec.units * rows["days"].to_numpy() / PERIOD_DAYS[scenario.quota.period]
        made = rows["complete"].to_numpy() & (rows["end_day"].to_numpy() >= spec.from_day) & (units >= quota - 1e-9)
        return StaticPrice(np.where(made, spec.bonus * scenario.plan.variable_scale, 0.0))
