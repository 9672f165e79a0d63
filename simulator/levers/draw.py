"""Draws for new hires (`plan.draw`): variable pay topped up to a guaranteed amount a month for the
first months, while a new rep ramps up.

A recoverable draw is an advance paid back from later earnings above it; a non-recoverable one is
the firm's cost. Reps feel it through the pay they weigh against their outside option (Zoltners,
Sinha and Lorimer 2006, ch. 12). A balance still owed when a rep leaves is written off.
"""

from __future__ import annotations

import numpy as np

from simulator.calendar import DAYS_PER_MONTH
from simulator.levers.base import Lever, Settlement, StaticPrice
from simulator.state.context import DayContext
from simulator.world.build import World


class Draw(Lever):
    """Each position's draw balance (top-ups still to recover) and whom it belongs to."""

    name = "draw"
    stage = "awarded"  # tops up all other variable pay, so it settles last

    def __init__(self, spec, n: int, scale: float = 1.0):
        self.spec = spec
        self.per_day = spec.amount * scale / DAYS_PER_MONTH
        self.last_day = spec.months * DAYS_PER_MONTH  # days after hiring the draw covers
        self.balance = np.zeros(n)
        self.owner = np.full(n, -1, dtype=np.int64)

    @classmethod
    def build(cls, world: World, rng: np.random.Generator, built: dict) -> "Draw | None":
        plan = world.scenario.plan
        if plan.draw is None or plan.draw.amount <= 0:
            return None
        return cls(plan.draw, world.scenario.force.size, plan.variable_scale)

    def settle(self, ctx: DayContext, idx: np.ndarray, days: np.ndarray, full: bool,
               variable: np.ndarray) -> Settlement:
        r = ctx.reps
        days = np.maximum(r.days_active[idx], 1)
        columns = self.top_up(r.rep_id, r.hire_day, idx, ctx.day + 1 - days, days, variable)
        return Settlement(columns, columns["draw_paid"] + columns["draw_recovered"])

    def top_up(self, rep_id: np.ndarray, hire_day: np.ndarray, idx: np.ndarray, first_day: np.ndarray,
               days: np.ndarray, variable: np.ndarray) -> dict[str, np.ndarray]:
        """Top-ups paid and draws recovered for the reps `idx` settling a period that began on
        `first_day` and lasted `days` days, given their variable pay for it."""
        fresh = self.owner[idx] != rep_id[idx]
        self.balance[idx[fresh]] = 0.0
        self.owner[idx] = rep_id[idx]
        covered = np.clip(hire_day[idx] + self.last_day - first_day, 0, days)
        due = self.per_day * covered
        top_up = np.maximum(due - variable, 0.0)
        recovered = np.zeros(idx.size)
        if self.spec.recoverable:
            owed = self.balance[idx] + top_up
            recovered = np.minimum(owed, self.spec.recovery_share * np.maximum(variable - due, 0.0))
            self.balance[idx] = owed - recovered
        return {"draw_paid": top_up, "draw_recovered": -recovered}

    @classmethod
    def static_pay(cls, scenario, rows, variable) -> StaticPrice:
        """Top-ups of new hires' rows to the draw and, when recoverable, repayments from later rows
        in order, given the `variable` pay of each row (other levers' pay included)."""
        draw = scenario.plan.draw
        if draw is None or draw.amount <= 0:
            return StaticPrice(None)
        book = cls(draw, 1, scenario.plan.variable_scale)
        end = rows["end_day"].to_numpy()
        hire = end - rows["tenure_days"].to_numpy()
        days = rows["days"].to_numpy()
        first = end + 1 - days
        covered = np.clip(hire + book.last_day - first, 0, days)
        due = book.per_day * covered
        out = np.maximum(due - variable, 0.0)
        if draw.recoverable:  # paid back in each rep's later periods, in order
            top_up = out.copy()
            owed: dict[int, float] = {}
            for i in np.lexsort((end, rows["rep_id"].to_numpy())):
                rep = int(rows["rep_id"].iat[i])
                balance = owed.get(rep, 0.0) + top_up[i]
                back = min(balance, draw.recovery_share * max(variable[i] - due[i], 0.0))
                owed[rep] = balance - back
                out[i] -= back
        return StaticPrice(out)
