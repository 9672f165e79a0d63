"""Optional levers of the plan and of selling practice, one module each, all behind one interface
(`base.Lever`): activity pay and targets (`activity`), product quotas (`product_quota`), SPIFs
(`spif`), product launches (`launch`), skills and training (`training`), contests (`contest`),
team bonuses (`team`), draws (`draw`) and mid-year quota resets (`quota_reset`).

A lever that a scenario does not use is not built, and a day without levers runs exactly as
before they existed. To add one: its schema section in `simulator.scenario.schema`, its module
here implementing `Lever`, and its class in `LEVER_TYPES` (where it enters the valuation, a slot
in `simulator.state.context.Terms`).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd

from simulator.levers.activity import Activities
from simulator.levers.base import Lever, Settlement, StaticPrice
from simulator.levers.contest import Contest
from simulator.levers.draw import Draw
from simulator.levers.launch import Launch
from simulator.levers.product_quota import ProductQuota
from simulator.levers.quota_reset import QuotaReset
from simulator.levers.spif import Spif
from simulator.levers.team import TeamBonus
from simulator.levers.training import Training
from simulator.state.context import DayContext, Terms
from simulator.world.build import World

# the order levers are built in and take part in each point of the day
LEVER_TYPES: tuple[type[Lever], ...] = (
    Activities, ProductQuota, Spif, Launch, Training, Contest, TeamBonus, Draw, QuotaReset,
)


TERM_FIELDS = tuple(f.name for f in fields(Terms))


class LeverSet:
    """The levers a run has switched on, in `LEVER_TYPES` order."""

    def __init__(self, levers: list[Lever], n_reps: int, n_focus: int, n_products: int):
        self.levers = levers
        self.by_name = {lever.name: lever for lever in levers}
        self.earned = [lever for lever in levers if lever.stage == "earned" and _settles(lever)]
        self.awarded = [lever for lever in levers if lever.stage == "awarded"]
        self.terms = Terms.zeros(n_reps, n_focus, n_products)
        self._blank = Terms.zeros(n_reps, n_focus, n_products)
        self._draft = Terms.zeros(n_reps, n_focus, n_products)  # where the levers write each morning
        self._draft.unit_goals = self.terms.unit_goals  # written in place by the levers
        self._goals = any(isinstance(lever, (Activities, ProductQuota)) for lever in levers)

    @classmethod
    def build(cls, world: World, rng: np.random.Generator) -> "LeverSet":
        built: dict[str, Lever] = {}
        for kind in LEVER_TYPES:
            lever = kind.build(world, rng, built)
            if lever is not None:
                built[lever.name] = lever
        return cls(list(built.values()), world.scenario.force.size, len(world.focus_shares), world.products.k)

    def __bool__(self) -> bool:
        return bool(self.levers)

    def table(self, name: str, default: np.ndarray) -> np.ndarray:
        """The per-rep product table a lever keeps in place of the products' own (`leads`, `win`
        or `cancel`), or `default`."""
        for lever in self.levers:
            own = getattr(lever, f"{name}_table")
            if own is not None:
                return own
        return default

    def start_day(self, ctx: DayContext) -> None:
        for lever in self.levers:
            lever.start_day(ctx)

    def valuation_terms(self, ctx: DayContext) -> Terms:
        """This morning's `Terms`: zeros, with each lever's part added. The levers write a draft; a
        field of the terms is replaced only by another object than yesterday's, so the terms keep
        their bundles (`Terms.side`, `Terms.timing`) from day to day and the kernels that take them
        are called past numba's dispatch (`simulator.steady`)."""
        if not self.levers:
            return self._blank
        draft, blank = self._draft, self._blank
        draft.rate, draft.spif, draft.goal_rate = blank.rate, blank.spif, blank.goal_rate
        draft.spif_end, draft.spif_next = blank.spif_end, blank.spif_next
        draft.prize, draft.prize_var = 0.0, blank.prize_var
        draft.goal_product = self.terms.goal_product
        if self._goals:
            draft.unit_goals[:] = 0.0
        for lever in self.levers:
            lever.add_terms(ctx, draft)
        terms = self.terms
        for name in TERM_FIELDS:
            value, held = getattr(draft, name), getattr(terms, name)
            if held is not value and (isinstance(value, np.ndarray) or type(held) is not type(value) or held != value):
                setattr(terms, name, value)
        return terms

    def end_work(self, ctx: DayContext) -> None:
        for lever in self.levers:
            lever.end_work(ctx)

    def settle(self, ctx: DayContext, idx: np.ndarray, days: np.ndarray, full: bool, variable: np.ndarray):
        """Pay beside the curve for the reps `idx` settling now. Returns the variable pay with it,
        the awarded pay by column (prizes, draws) and the earned levers' columns with their pay
        (None when no earned lever is on). Earned pay is summed first and added to variable pay;
        each awarded lever then sees the variable pay so far (a draw tops up all of it)."""
        earned = None
        if self.earned:
            columns: dict[str, np.ndarray] = {}
            extra = np.zeros(idx.size)
            for lever in self.earned:
                part = lever.settle(ctx, idx, days, full, variable)
                columns.update(part.columns)
                extra += part.pay
            variable = variable + extra
            earned = (columns, extra)
        awarded: dict[str, np.ndarray] = {}
        for lever in self.awarded:
            seen = variable + sum(awarded.values()) if awarded else variable
            awarded.update(lever.settle(ctx, idx, days, full, seen).columns)
        if awarded:
            variable = variable + sum(awarded.values())
        return variable, awarded, earned

    def end_day(self, ctx: DayContext) -> np.ndarray | None:
        """Reps whose quota a lever moved today (None if none)."""
        moved = None
        for lever in self.levers:
            who = lever.end_day(ctx)
            if who is not None:
                moved = who if moved is None else moved | who
        return moved

    def daily_values(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for lever in self.levers:
            out.update(lever.daily_values())
        return out


def _settles(lever: Lever) -> bool:
    return type(lever).settle is not Lever.settle


def static_pay(scenario, rows: pd.DataFrame, variable: np.ndarray) -> StaticPrice:
    """What the scenario's levers would pay on another run's rep-period `rows`, given the curve's
    `variable` pay on them (`salesim compare`'s static what-if): earned levers first, then
    awarded ones, each seeing the variable pay so far. `unpriced` says which levers could not be
    priced from those rows, and why."""
    total = None
    reasons = []
    ordered = sorted(LEVER_TYPES, key=lambda kind: kind.stage != "earned")
    for kind in ordered:
        price = kind.static_pay(scenario, rows, variable if total is None else variable + total)
        if price.unpriced:
            reasons.append(f"{kind.name}: {price.unpriced}")
        if price.pay is not None:
            total = price.pay if total is None else total + price.pay
    return StaticPrice(total, "; ".join(reasons))


__all__ = ["LEVER_TYPES", "Lever", "LeverSet", "Settlement", "StaticPrice", "static_pay"]
