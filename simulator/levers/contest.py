"""Sales contests (`plan.contest`): a prize for the top ranks (rank contest) or for everyone past a
level (threshold contest).

A rep reckons the winning line from the leaderboard, as the k-th best of its peers' uncertain
final results (`kth_best_of_others`), and values the prize as the world's second goal: a lump sum
times the chance of passing that line. Reps just behind the line work harder and take more risk
(Gaba and Kalra 1999; Casas-Arce and Martinez-Jerez 2009). docs/model.md, "Contests".
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simulator.calendar import PERIOD_DAYS
from simulator.levers.base import Lever, Settlement, StaticPrice
from simulator.special import SURE_HIGH, SURE_LOW
from simulator.special import ndtr as _ndtr
from simulator.state.context import DayContext, Terms
from simulator.world.build import World

NO_LINE = -1e30  # a cutoff that every score passes (fewer competitors than prizes)
LINE_GRID = 64  # points on which the distribution of the winning line is reckoned (128 at most: `pairwise_sum`)
NEGLIGIBLE = 1e-150  # chances below this are set to zero while counting (see `fold`)
GRID = np.linspace(0.0, 1.0, LINE_GRID)  # the line's grid across the range it can fall in, as a share of it


def rank_in_group(group: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Each entry's rank among its group by score, 0 for the highest (ties: lower index first)."""
    order = np.lexsort((np.arange(len(score)), -score, group))
    grouped = group[order]
    first = np.searchsorted(grouped, grouped, side="left")
    rank = np.empty(len(score), dtype=np.int64)
    rank[order] = np.arange(len(score)) - first
    return rank


def kth_best_of_others(group: np.ndarray, mean: np.ndarray, sd: np.ndarray, k: int,
                       n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """For each entry, the mean and variance of the k-th best final score among the others of its
    group, each other's score being Normal(mean, sd^2) and independent: the line the entry must
    pass to win a rank contest with k prizes. On a grid over the range the line can fall in, the line is
    at most x when fewer than k others end past x (a Poisson-binomial count, built up one rival
    at a time). NO_LINE (variance 0) where the group has no more than k members.

    A line read off the others' expected scores alone would be sure: a rep just behind it would
    see no chance short of out-working it, and a spread of its own results would be worth
    nothing to it; with the line as uncertain as the rivals' results, a rep a little behind
    gains from a wider spread of its own and one ahead loses by it (Gaba and Kalra 1999)."""
    n = len(mean)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    counts = np.bincount(group, minlength=n_groups)
    sd = np.maximum(sd, 1e-9 * (1.0 + np.abs(mean)))
    slot = rank_in_group(group, mean)  # places in each group by expected score, 0 the highest
    x, past, row = rivals_past(group, mean, sd, slot, counts, k)
    # P(fewer than k others end past x): for everyone but the contenders, all contenders are rivals;
    # a contender's own place is left out of the count
    by_slot = fewer_than_k_past(past, k)
    line, var = line_moments(by_slot, x, group, row)
    field = counts[group] - 1 >= k
    return np.where(field, line, NO_LINE), np.where(field, var, 0.0)


@njit(cache=True, error_model="numpy")
def rivals_past(group: np.ndarray, mean: np.ndarray, sd: np.ndarray, slot: np.ndarray, counts: np.ndarray,
                k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each group's grid of possible lines x[group, point], each rival's chance of ending past each
    point past[group, place, point], and each entry's row of `fewer_than_k_past` (its own place + 1
    when it is a rival, else 0). Places are by expected score (`slot`, 0 the highest).

    The line, the k-th best of an entry's others, lies between the k-th largest of their results'
    lowest plausible values (6 sd below their means) and the k-th largest of their highest: for any
    entry of a group, between the group's (k + 1)-th largest low and its k-th largest high. The grid
    spans that range, far narrower than all results' range once a race has settled (a 64-point grid
    over it reckons the line's spread closer than 96 points over the rivals' whole range did), and
    rivals who never end above its floor are left out of the count: a big field costs no more than
    its leaders. One pass over the entries: a contest reckons this every day for a few dozen groups,
    where array code paid more for its calls than its work."""
    n, n_groups = len(mean), len(counts)
    size = counts.max()
    members_mean = np.full((n_groups, size), -np.inf)  # an empty place never ends past the line
    members_sd = np.ones((n_groups, size))
    lows = np.full((n_groups, size), -np.inf)
    highs = np.full((n_groups, size), -np.inf)
    for i in range(n):
        members_mean[group[i], slot[i]] = mean[i]
        members_sd[group[i], slot[i]] = sd[i]
        lows[group[i], slot[i]] = mean[i] - 6.0 * sd[i]
        highs[group[i], slot[i]] = mean[i] + 6.0 * sd[i]
    floor = np.empty(n_groups)
    ceiling = np.empty(n_groups)
    for g in range(n_groups):
        at_floor, at_ceiling = size - 1 - min(k, size - 1), size - 1 - min(k - 1, size - 1)
        floor[g] = np.partition(lows[g], at_floor)[at_floor]  # the (k + 1)-th largest low
        ceiling[g] = np.partition(highs[g], at_ceiling)[at_ceiling]  # the k-th largest high
    row = np.zeros(n, dtype=np.int64)
    rivals = 0
    for i in range(n):
        g = group[i]
        if mean[i] + 6.0 * sd[i] >= floor[g]:
            row[i] = slot[i] + 1
            rivals = max(rivals, slot[i] + 1)
        else:
            members_mean[g, slot[i]] = -np.inf
    x = np.empty((n_groups, LINE_GRID))
    for g in range(n_groups):
        # a group with no more members than prizes has no line (its entries get NO_LINE); any grid will do
        low = floor[g] if np.isfinite(floor[g]) else 0.0
        width = ceiling[g] - low if np.isfinite(ceiling[g]) and ceiling[g] > low else 1.0
        for p in range(LINE_GRID):
            x[g, p] = low + width * GRID[p]
    return x, chance_past(members_mean[:, :rivals], members_sd[:, :rivals], x), row


@njit(cache=True, error_model="numpy")
def line_moments(by_slot: np.ndarray, x: np.ndarray, group: np.ndarray, row: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of each entry's line from P(line <= x) on its group's grid
    (`by_slot[group, row]`, taken as 1 at the grid's top): the mass of (x_i-1, x_i] sits at its middle.
    Sums run in numpy's pairwise order (`pairwise_sum`), so the moments are those numpy would give.
    Entries who are no rivals (row 0) share their group's line, reckoned once: late in a contest
    that is most of a big field."""
    n, points = len(group), x.shape[1]
    line = np.empty(n)
    var = np.empty(n)
    mass = np.empty(points)
    cell = np.empty(points)
    term = np.empty(points)
    shared = np.full(by_slot.shape[0], -1)  # the first entry of each group whose row is 0
    for i in range(n):
        if row[i] == 0:
            first = shared[group[i]]
            if first >= 0:
                line[i], var[i] = line[first], var[first]
                continue
            shared[group[i]] = i
        g, at = group[i], by_slot[group[i], row[i]]
        below = 0.0
        for p in range(points):
            upto = at[p] if p < points - 1 else 1.0
            mass[p] = upto - below
            below = upto
            cell[p] = x[g, 0] if p == 0 else 0.5 * (x[g, p] + x[g, p - 1])
            term[p] = mass[p] * cell[p]
        line[i] = pairwise_sum(term, points)
        for p in range(points):
            gap = cell[p] - line[i]
            term[p] = mass[p] * (gap * gap)
        v = pairwise_sum(term, points)
        var[i] = 0.0 if v < 0.0 else v  # noqa: FURB136 (a NaN stays NaN, as with np.maximum)
    return line, var


@njit(cache=True)
def pairwise_sum(a: np.ndarray, n: int) -> float:
    """The sum of a[:n], n <= 128, in the order numpy's `sum` adds a contiguous row that short (eight
    running sums, then the rest), so a kernel's sums match the array code they replace."""
    if n < 8:
        total = 0.0
        for i in range(n):
            total += a[i]
        return total
    r0, r1, r2, r3, r4, r5, r6, r7 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
    i = 8
    while i < n - n % 8:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += a[i]
        i += 1
    return total


@njit(cache=True, error_model="numpy")
def chance_past(mean: np.ndarray, sd: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a member with final score Normal(mean, sd^2) ends past x), `[group, member, point]`, by
    scipy's `ndtr` to the bit (`_ndtr`).

    Far out in its tails the normal distribution function is exactly 0 or 1 in double precision
    (below SURE_LOW and above SURE_HIGH standard deviations), so it is evaluated only between them:
    late in a contest most rivals are certain to end above or below most of the grid."""
    groups, members = mean.shape
    points = x.shape[1]
    past = np.empty((groups, members, points))
    for g in range(groups):
        for j in range(members):
            for p in range(points):
                z = (mean[g, j] - x[g, p]) / sd[g, j]
                past[g, j, p] = 1.0 if z >= SURE_HIGH else (_ndtr(z) if z > SURE_LOW else 0.0)
    return past


@njit(cache=True, error_model="numpy")
def fold(before: np.ndarray, after: np.ndarray, p: np.ndarray) -> None:
    """One more rival, past x with chance p[x]: the count distribution `before[m, x]` (m < k) becomes `after`.

    Chances below NEGLIGIBLE become zero. A long field drives the chance that few rivals end past a
    low x towards the floating-point underflow limit, where each multiplication costs the processor
    about a hundred times as much; what is dropped moves the line by less than 1e-140 of a unit."""
    w = len(p)
    for x in range(w):
        v = before[0, x] * (1.0 - p[x])
        after[0, x] = v if v > NEGLIGIBLE else 0.0
    for m in range(1, before.shape[0]):
        for x in range(w):
            v = before[m, x] * (1.0 - p[x]) + before[m - 1, x] * p[x]
            after[m, x] = v if v > NEGLIGIBLE else 0.0


@njit(cache=True, error_model="numpy")
def fewer_than_k_past(past: np.ndarray, k: int) -> np.ndarray:
    """P(fewer than k of a group's rivals end past x), for each group and grid point, with every rival
    (`[:, 0]`) and with rival j left out (`[:, j + 1]`); `past[g, j, x]` is rival j's chance.

    The count of rivals past x is Poisson-binomial; counts of k or more never matter, so each
    distribution keeps k cells. The rivals after j (a suffix) are folded once and kept; the rivals
    before j (a prefix) are folded on the way forward, and leaving j out joins the two, so a group of
    n costs n*k per point, not n*n*k. Only the suffixes are stored, for a few grid points at a time,
    so the work stays in the processor's cache for fields of thousands."""
    groups, rivals, points = past.shape
    out = np.empty((groups, rivals + 1, points))
    block = min(points, 32)  # grid points folded side by side (vectorised), a few at a time (in cache)
    suffix = np.empty((rivals + 1, k, block))
    prefix = np.empty((k, block))
    folded = np.empty((k, block))
    tail = np.empty(block)
    below = np.empty(block)
    for g in range(groups):
        for x0 in range(0, points, block):
            w = min(block, points - x0)
            suffix[rivals] = 0.0
            suffix[rivals, 0] = 1.0
            for j in range(rivals - 1, -1, -1):
                fold(suffix[j + 1], suffix[j], past[g, j, x0:x0 + w])
            prefix[:] = 0.0
            prefix[0] = 1.0
            for j in range(rivals):
                # fewer than k past among the others: a past before j, b past after j, a + b < k
                tail[:] = 0.0  # P(fewer than k - a past after j), built up as a falls
                below[:] = 0.0
                for a in range(k - 1, -1, -1):
                    for x in range(w):
                        tail[x] += suffix[j + 1, k - 1 - a, x]
                        below[x] += prefix[a, x] * tail[x]
                out[g, j + 1, x0:x0 + w] = below[:w]
                fold(prefix, folded, past[g, j, x0:x0 + w])
                prefix, folded = folded, prefix
            for x in range(w):
                out[g, 0, x0 + x] = prefix[:, x].sum()
    return out


class Contest(Lever):
    """A contest as the second goal: the line each rep expects to win at, and who wins at the end.
    Writes the reps' `stack_quota` (the second goal's line) and adds the line's variance to
    `var_stack` each morning."""

    name = "contest"
    stage = "awarded"
    column = "contest_prize"

    def __init__(self, world: World):
        self.spec = world.scenario.plan.contest
        self.world = world
        self.amount = world.second.amount
        self.line_var = np.zeros(world.scenario.force.size)  # the line's variance, each rep (`add_terms`)

    @classmethod
    def build(cls, world: World, rng: np.random.Generator, built: dict) -> "Contest | None":
        spec = world.scenario.plan.contest
        return cls(world) if spec is not None and spec.prize > 0 else None

    def _groups(self, who: np.ndarray) -> tuple[np.ndarray, int]:
        if self.spec.scope == "branch":
            return self.world.branch[who], self.world.n_branches
        return np.zeros(len(who), dtype=np.int64), 1

    def _base(self, ctx: DayContext) -> np.ndarray:
        """$ of credited sales per point of the ranked score, per rep: the contest period's quota
        (attainment contests) or 1 (sales contests)."""
        r = ctx.reps
        if self.spec.measure == "sales":
            return np.ones(r.n)
        return r.quota * self.world.second.calendar.length / np.maximum(r.quota_days, 1)

    def add_terms(self, ctx: DayContext, terms: Terms) -> None:
        r = ctx.reps
        cut, var = self.cutoffs(ctx)
        r.stack_quota[:] = cut
        r.var_stack += var
        terms.prize = self.amount
        self.line_var[:] = var  # in place: the terms keep their bundles (`LeverSet.valuation_terms`)
        terms.prize_var = self.line_var

    def cutoffs(self, ctx: DayContext) -> tuple[np.ndarray, np.ndarray]:
        """Per rep, the credited sales over the contest period that it expects to win with, and
        that line's variance. Each rep reads its peers' results so far off the leaderboard and
        expects each to go on at its usual pace, as uncertainly as anyone's sales are
        (compound Poisson with the force's deal size); the line is the k-th best of the others'
        final results (`kth_best_of_others`)."""
        r = ctx.reps
        base = self._base(ctx)
        if self.spec.kind == "threshold":
            return self.spec.level * base, np.zeros(r.n)
        pace = r.typical_sales / ctx.period_len
        remaining = pace * ctx.second_days_left
        projected = (r.stack_sales + r.sales + remaining) / base
        spread = np.sqrt(remaining * self.world.deal_size) / base  # sd of the rest of the period, in score units
        who = np.flatnonzero(r.active)
        group, n_groups = self._groups(who)
        line_score, var_score = kth_best_of_others(group, projected[who], spread[who], self.spec.winners, n_groups)
        line = np.full(r.n, NO_LINE)
        var = np.zeros(r.n)
        has = line_score > NO_LINE
        line[who[has]] = line_score[has] * base[who[has]]
        var[who[has]] = var_score[has] * base[who[has]] ** 2
        return line, var

    def settle(self, ctx: DayContext, idx: np.ndarray, days: np.ndarray, full: bool,
               variable: np.ndarray) -> Settlement:
        """The prize to the winners among the reps settling at the contest period's end."""
        paid = np.zeros(idx.size)
        if full and ctx.second_end:
            paid = self.amount * self.winners(ctx, idx)
        return Settlement({self.column: paid}, paid)

    def winners(self, ctx: DayContext, idx: np.ndarray) -> np.ndarray:
        """Who among the reps settling at the contest's end wins (their contest sales are final)."""
        score = ctx.reps.stack_sales[idx] / self._base(ctx)[idx]
        if self.spec.kind == "threshold":
            return score >= self.spec.level
        group, _ = self._groups(idx)
        return rank_in_group(group, score) < self.spec.winners

    @classmethod
    def static_pay(cls, scenario, rows, variable) -> StaticPrice:
        """The prize to the rows that close a contest period and win it on their sales."""
        contest = scenario.plan.contest
        if contest is None or contest.prize <= 0:
            return StaticPrice(None)
        out = np.zeros(len(rows))
        done = rows["complete"].to_numpy()
        end = rows["end_day"].to_numpy()
        quota = rows["quota"].to_numpy(dtype=float)
        length = PERIOD_DAYS[contest.period]
        window = end // length
        frame = rows.assign(window=window, own=quota)[done]
        totals = frame.groupby(["window", "rep_id"]).agg(sales=("sales", "sum"), quota=("own", "sum"),
                                                         branch=("branch", "last"), last=("end_day", "max"))
        totals = totals[(totals["last"] + 1) % length == 0].reset_index()
        score = totals["sales"] / (totals["quota"] if contest.measure == "attainment" else 1.0)
        if contest.kind == "threshold":
            won = score >= contest.level
        else:
            group = totals["window"] * (int(rows["branch"].max()) + 1) + (totals["branch"] if contest.scope == "branch" else 0)
            won = rank_in_group(group.to_numpy(), score.to_numpy()) < contest.winners
        winners = set(zip(totals.loc[won, "window"], totals.loc[won, "rep_id"], totals.loc[won, "last"]))
        keys = zip(window, rows["rep_id"], end)
        out += contest.prize * scenario.plan.variable_scale * np.array([done[i] and key in winners for i, key in enumerate(keys)])
        return StaticPrice(out)
