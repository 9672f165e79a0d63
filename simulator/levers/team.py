"""Team quotas and team bonuses (`plan.team`): every member of a branch is paid when the branch
reaches its quota.

A rep values the bonus through its own contribution: the line it must reach is the team quota
less what it expects of its colleagues, whose results are uncertain too; in a big team one rep
hardly moves the chance, so effort falls (free-riding: Holmstrom 1982).
"""

from __future__ import annotations

import numpy as np

from simulator.levers.base import Lever, Settlement, StaticPrice
from simulator.state.context import DayContext, Terms
from simulator.world.build import World


class TeamBonus(Lever):
    """A team bonus as the second goal: each member's line, and which teams made it. Writes the
    reps' `stack_quota` and adds to `var_stack` each morning, as `levers.contest.Contest` does."""

    name = "team"
    stage = "awarded"
    column = "team_bonus"

    def __init__(self, world: World):
        self.spec = world.scenario.plan.team
        self.world = world
        self.amount = world.second.amount
        self.line_var = np.zeros(world.scenario.force.size)  # the line's variance, each rep (`add_terms`)

    @classmethod
    def build(cls, world: World, rng: np.random.Generator, built: dict) -> "TeamBonus | None":
        spec = world.scenario.plan.team
        return cls(world) if spec is not None and spec.amount > 0 else None

    def add_terms(self, ctx: DayContext, terms: Terms) -> None:
        r = ctx.reps
        cut, var = self.cutoffs(ctx)
        r.stack_quota[:] = cut
        r.var_stack += var
        terms.prize = self.amount
        self.line_var[:] = var  # in place: the terms keep their bundles (`LeverSet.valuation_terms`)
        terms.prize_var = self.line_var

    def cutoffs(self, ctx: DayContext) -> tuple[np.ndarray, np.ndarray]:
        """Per rep, the sales it must reach for the team to make its quota, given what it
        expects of its colleagues, and the variance of their sales still to come."""
        r = ctx.reps
        branch = self.world.branch
        n_branches = self.world.n_branches
        days_left = ctx.second_days_left
        on = r.active.astype(float)
        pace = r.typical_sales / ctx.period_len
        expected = (r.stack_sales + r.sales + pace * days_left) * on
        spread = pace * days_left * self.world.deal_size * on  # compound-Poisson variance of what is still to come
        team_quota = self.spec.at * np.bincount(branch, weights=r.quota * on, minlength=n_branches)
        team_expected = np.bincount(branch, weights=expected, minlength=n_branches)
        team_spread = np.bincount(branch, weights=spread, minlength=n_branches)
        others = team_expected[branch] - expected
        return team_quota[branch] - others, np.maximum(team_spread[branch] - spread, 0.0)

    def settle(self, ctx: DayContext, idx: np.ndarray, days: np.ndarray, full: bool,
               variable: np.ndarray) -> Settlement:
        paid = np.zeros(idx.size)
        if full and ctx.second_end:
            paid = self.amount * self.winners(ctx, idx)
        return Settlement({self.column: paid}, paid)

    def winners(self, ctx: DayContext, idx: np.ndarray) -> np.ndarray:
        """Members of the branches whose credited sales reached the team quota this period."""
        r = ctx.reps
        branch = self.world.branch[idx]
        n_branches = self.world.n_branches
        sales = np.bincount(branch, weights=r.stack_sales[idx], minlength=n_branches)
        quota = np.bincount(branch, weights=r.quota[idx], minlength=n_branches)
        return sales[branch] >= self.spec.at * quota[branch]

    @classmethod
    def static_pay(cls, scenario, rows, variable) -> StaticPrice:
        """The bonus to every complete row whose branch's sales that period reached the team quota."""
        team = scenario.plan.team
        if team is None or team.amount <= 0:
            return StaticPrice(None)
        out = np.zeros(len(rows))
        done = rows["complete"].to_numpy()
        frame = rows[done]
        teams = frame.groupby([frame["end_day"], frame["branch"]])[["sales", "quota"]].transform("sum")
        made = (teams["sales"] >= team.at * teams["quota"]).to_numpy()
        out[np.flatnonzero(done)] += team.amount * scenario.plan.variable_scale * made
        return StaticPrice(out)
