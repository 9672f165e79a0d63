"""Sales contests: a prize for the top ranks (rank contest) or for everyone past a level (threshold
contest), on top of the plan.

A rep cannot know where the winning line will fall; it reckons it from what it sees of its peers
(their results so far on the leaderboard and their usual pace) and values the contest as a prize
won when its own credited sales over the contest period reach that line. The prize enters the
rep's weighing as a second threshold (`simulator.prizes`), so its effects come from the same
valuation as the plan: just outside the winning ranks the value of one more sale is steep, and so
is that of a riskier product mix or a fake sale or a mis-sale, while reps far ahead or far behind
are barely moved. Gaba and Kalra (1999, Marketing Science 18(3)) found in experiments
that reps facing a contest or quota with few winners choose riskier options; Casas-Arce and
Martinez-Jerez (2009, Management Science 55(8)) found in a retailer's field data that contestants
near the winning line work harder while those far from it ease off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.scenario import Contest

if TYPE_CHECKING:
    from simulator.engine import Engine

NO_LINE = -1e30  # a cutoff that every score passes (fewer competitors than prizes)


def rank_in_group(group: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Each entry's rank among its group by score, 0 for the highest (ties: lower index first)."""
    order = np.lexsort((np.arange(len(score)), -score, group))
    grouped = group[order]
    first = np.searchsorted(grouped, grouped, side="left")
    rank = np.empty(len(score), dtype=np.int64)
    rank[order] = np.arange(len(score)) - first
    return rank


def nth_best(group: np.ndarray, score: np.ndarray, n: int, n_groups: int) -> np.ndarray:
    """Per group, the n-th highest score (n = 1 is the best); NO_LINE where the group is smaller."""
    order = np.lexsort((-score, group))
    grouped = group[order]
    counts = np.bincount(group, minlength=n_groups)
    first = np.searchsorted(grouped, np.arange(n_groups), side="left")
    at = np.minimum(first + n - 1, max(len(score) - 1, 0))
    values = score[order][at] if len(score) else np.zeros(n_groups)
    return np.where(counts >= n, values, NO_LINE)


class ContestPrize:
    """A contest as a second prize: the cutoff each rep expects, and who wins at the end."""

    column = "contest_prize"

    def __init__(self, spec: Contest):
        self.spec = spec
        self.amount = spec.prize
        self.period = spec.period

    def _groups(self, engine: "Engine", who: np.ndarray) -> tuple[np.ndarray, int]:
        if self.spec.scope == "branch":
            return engine.branch[who], int(engine.branch.max()) + 1
        return np.zeros(len(who), dtype=np.int64), 1

    def _base(self, engine: "Engine") -> np.ndarray:
        """$ of credited sales per point of the ranked score, per rep: the contest period's quota
        (attainment contests) or 1 (sales contests)."""
        r = engine.reps
        if self.spec.measure == "sales":
            return np.ones(r.n)
        return r.quota * engine.stack_calendar.length / np.maximum(r.quota_days, 1)

    def cutoffs(self, engine: "Engine") -> tuple[np.ndarray, np.ndarray]:
        """Per rep, the credited sales over the contest period that it expects to win with, and
        the extra variance of that line (none: the line is read from many peers)."""
        r = engine.reps
        base = self._base(engine)
        if self.spec.kind == "threshold":
            return self.spec.level * base, np.zeros(r.n)
        pace = r.typical_sales / engine.period_len
        projected = (r.stack_sales + r.sales + pace * engine.stack_days_left) / base
        who = np.flatnonzero(r.active)
        group, n_groups = self._groups(engine, who)
        k = self.spec.winners
        score = projected[who]
        rank = rank_in_group(group, score)
        kth = nth_best(group, score, k, n_groups)[group]
        next_ = nth_best(group, score, k + 1, n_groups)[group]
        # a rep among the leaders has to stay ahead of the best of the rest, the others have to pass the k-th
        line = np.full(r.n, NO_LINE)
        line[who] = np.where(rank < k, next_, kth)
        return np.where(line > NO_LINE, line * base, NO_LINE), np.zeros(r.n)

    def winners(self, engine: "Engine", idx: np.ndarray) -> np.ndarray:
        """Who among the reps settling at the contest's end wins (their contest sales are final)."""
        r = engine.reps
        score = r.stack_sales[idx] / self._base(engine)[idx]
        if self.spec.kind == "threshold":
            return score >= self.spec.level
        group, _ = self._groups(engine, idx)
        return rank_in_group(group, score) < self.spec.winners
