"""Mid-year quota resets (`quota.reset`): quotas re-set from realised demand when the market shifts.

At each check the demand of the last month or quarter (net of seasonality) is compared with the
level the quotas assume; past the threshold, the rest of the period's quota and later quotas move
to the new level (Zoltners, Sinha and Lorimer 2006, ch. 10). Fixed and territory policies only: a
ratchet or growth quota follows sales, and so the market, already.
"""

from __future__ import annotations

import numpy as np

from simulator.calendar import PERIOD_DAYS, month_of_year
from simulator.levers.base import Lever
from simulator.state.context import DayContext
from simulator.world.build import World


class QuotaReset(Lever):
    """The demand level quotas assume, and each position's quota at that level. Writes the reps'
    `quota` and returns who it moved, so their outlook on next period is refreshed."""

    name = "quota_reset"

    def __init__(self, world: World):
        self.spec = world.scenario.quota.reset
        self.every = PERIOD_DAYS[self.spec.check]
        season = world.scenario.market.seasonality
        months = month_of_year(np.arange(world.n_days))
        self.season = 1.0 + season.amplitude * np.cos(2 * np.pi * (months - season.peak_month) / 12)
        self.level = 1.0
        n = world.scenario.force.size
        self.owner = np.full(n, -1, dtype=np.int64)
        self.full = np.zeros(n)  # a whole period's quota at the current level, without carried shortfalls
        self.resets = 0

    @classmethod
    def build(cls, world: World, rng: np.random.Generator, built: dict) -> "QuotaReset | None":
        return cls(world) if world.scenario.quota.reset is not None else None

    def end_day(self, ctx: DayContext) -> np.ndarray | None:
        """At the end of a check window (after the day's settlement): move quotas to the demand
        that came, and keep new periods' and new hires' quotas at that level."""
        r = ctx.reps
        t = ctx.day
        calendar = ctx.world.calendar
        who = np.flatnonzero(r.active)
        fresh = who[self.owner[who] != r.rep_id[who]]
        if fresh.size:  # new hires start at the current level
            self.owner[fresh] = r.rep_id[fresh]
            self.full[fresh] = r.start_quota[fresh] * self.level
            r.quota[fresh] *= self.level
        if calendar.is_last_day[t]:  # a new period opens at the current level
            r.quota[who] = self.full[who] + r.carried[who]
        if (t + 1) % self.every:
            return None
        window = slice(t + 1 - self.every, t + 1)
        level = float(np.mean(ctx.world.demand.realised[window] / self.season[window]))
        ratio = level / self.level
        if abs(ratio - 1.0) <= self.spec.threshold:
            return None
        self.level = level
        self.resets += 1
        self.full[who] *= ratio
        rest = (calendar.days_left[t] - 1) / ctx.period_len  # share of the period still to come
        if calendar.is_last_day[t]:
            r.quota[who] = self.full[who] + r.carried[who]
        else:
            r.quota[who] = (r.quota[who] - r.carried[who]) * (1.0 - rest + rest * ratio) + r.carried[who]
        moved = np.zeros(r.n, dtype=np.bool_)
        moved[who] = True
        return moved  # next period's value of a sale moves with the quota
