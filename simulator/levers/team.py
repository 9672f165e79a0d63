"""Team quotas and team bonuses: every member of a branch is paid when the branch reaches its quota.

A rep values the team bonus through its own contribution: the team reaches its quota when the rep's
own credited sales reach the team quota less what it expects of its colleagues (their sales so
far and their usual pace), and its colleagues' results are uncertain too. In a big team that
uncertainty dwarfs what one rep can add, so the chance of the bonus hardly moves with its own
effort and the rep leaves the work to others: free-riding emerges from the weighing, as in
Holmstrom's (1982, Bell Journal of Economics 13(2)) moral hazard in teams, where a shared reward
dilutes each member's incentive as the team grows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.scenario import TeamBonus

if TYPE_CHECKING:
    from simulator.sim.engine import Engine


class TeamPrize:
    """A team bonus as a second prize: each member's cutoff, and which teams made it."""

    column = "team_bonus"

    def __init__(self, spec: TeamBonus, quota_period: str):
        self.spec = spec
        self.amount = spec.amount
        self.period = quota_period  # a team quota per quota period

    def cutoffs(self, engine: "Engine") -> tuple[np.ndarray, np.ndarray]:
        """Per rep, the sales it must reach for the team to make its quota, given what it
        expects of its colleagues, and the variance of their sales still to come."""
        r = engine.reps
        branch = engine.branch
        n_branches = int(branch.max()) + 1
        days_left = engine.stack_days_left
        on = r.active.astype(float)
        pace = r.typical_sales / engine.period_len
        expected = (r.stack_sales + r.sales + pace * days_left) * on
        spread = pace * days_left * engine.deal_size * on  # compound-Poisson variance of what is still to come
        team_quota = self.spec.at * np.bincount(branch, weights=r.quota * on, minlength=n_branches)
        team_expected = np.bincount(branch, weights=expected, minlength=n_branches)
        team_spread = np.bincount(branch, weights=spread, minlength=n_branches)
        others = team_expected[branch] - expected
        return team_quota[branch] - others, np.maximum(team_spread[branch] - spread, 0.0)

    def winners(self, engine: "Engine", idx: np.ndarray) -> np.ndarray:
        """Members of the branches whose credited sales reached the team quota this period."""
        r = engine.reps
        branch = engine.branch[idx]
        n_branches = int(engine.branch.max()) + 1
        sales = np.bincount(branch, weights=r.stack_sales[idx], minlength=n_branches)
        quota = np.bincount(branch, weights=r.quota[idx], minlength=n_branches)
        return sales[branch] >= self.spec.at * quota[branch]
