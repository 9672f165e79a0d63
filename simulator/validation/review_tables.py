"""A review plan's value table, solved by compiled loops: what an engine reading tables per plan and rep type
would have to solve before a run (docs/model.md, "What a table costs to solve").

The plan is the one `exact_effort.normal_review_values(..., compiled=False)` solves in numpy, the reference
(tests hold the two equal to rounding): a rep holds an effort until it reviews it after a `blocks`-th of the
days left, valuing the review's state by the same plan made then (Bellman 1957, on a few stages). While many
deals are still to come a block's sales are believed normal (Gauss-Hermite over its outcome, the state sales
so far on a grid); in the last days, few deals to come, the counts are exact (Poisson). The numpy solver
spends its time where a loop need not: `np.interp`'s binary search for every point, where a block's
outcomes at one effort and node are the grid shifted by one amount, so on the evenly spaced grid every point
reads the same two neighbours at the same fraction; the count stage's matrix product over every count a
period can reach and every count a day can bring, where only the counts the sales grid reads, and the
Poisson's non-negligible terms, matter.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simulator.behaviour.valuation import curve_at, value_normal

# Poisson terms further than this many standard deviations (plus 10 counts) from the mean are left out of a
# block's expectation: each is below 1e-21 of the largest for means from half a deal to 30 deals (a block of
# the count stage reaches about 20), far under a double's rounding.
_TAIL_SDS = 12.0


@njit(cache=True, error_model="numpy")
def _poisson_window(mean: float, reach: int, out: np.ndarray) -> tuple[int, int]:
    """P(j; mean) for j in [lo, hi) into out[0:hi - lo], the terms that matter among 0..reach."""
    if mean <= 0.0:
        out[0] = 1.0
        return 0, 1
    spread = _TAIL_SDS * math.sqrt(mean) + 10.0
    lo = max(0, int(mean - spread))
    hi = min(reach + 1, int(mean + spread) + 1)
    log_mean = math.log(mean)
    for j in range(lo, hi):
        out[j - lo] = math.exp(j * log_mean - math.lgamma(j + 1.0) - mean)
    return lo, hi


@njit(cache=True, error_model="numpy")
def count_stage(deal_value: float, lam: float, quota: float, curve: tuple, blocks: int, count_days: int,
                width: int, jumps: int, needed: int, efforts: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """value[t, n] of the review plan on exact counts, t = 0..count_days days left and n deals won, for
    n < `needed` (the counts the sales grid reads). `width` and `jumps` are the reference's (`_sizes`): its
    values stop at `width` counts, read beyond as the last one."""
    top = np.zeros(count_days + 1, dtype=np.int64)  # how many counts each stage must hold for the ones after it
    for t in range(count_days, 0, -1):
        top[t] = max(top[t], needed)
        block = -(-t // blocks)
        top[t - block] = max(top[t - block], top[t] + jumps * block)
    top[0] = max(top[0], needed)
    for t in range(count_days + 1):
        top[t] = min(top[t], width)
    value = np.zeros((count_days + 1, width))
    for n in range(top[0]):
        value[0, n] = curve_at(n * deal_value, quota, curve, 0.0)
    pmf = np.empty(jumps * max(count_days, 1) + 1)
    for t in range(1, count_days + 1):
        block = -(-t // blocks)
        later = value[t - block]
        last = later[width - 1] if top[t - block] == width else 0.0  # the reference's padding past its last count
        best = np.full(top[t], -np.inf)
        for e in range(len(efforts)):
            lo, hi = _poisson_window(lam * (efforts[e] * block), jumps * block, pmf)
            for n in range(top[t]):
                total = 0.0
                inside = min(hi, width - n)  # terms from here read past the reference's last count
                for j in range(lo, inside):
                    total += pmf[j - lo] * later[n + j]
                for j in range(max(lo, inside), hi):
                    total += pmf[j - lo] * last
                best[n] = max(best[n], total - block * cost[e])
        value[t, :top[t]] = best
    return value[:, :needed]


@njit(cache=True, error_model="numpy")
def _add_shifted(values: np.ndarray, rises: np.ndarray, step: float, shift: float, weight: float,
                 total: np.ndarray) -> None:
    """total[i] += weight * (values interpolated at grid[i] + shift), held at the ends, on an evenly spaced
    grid `step` apart: every point reads the same two neighbours `shift / step` places on, at the same
    fraction between them (`rises` holds values[j + 1] - values[j])."""
    n = len(values)
    places = shift / step
    k = math.floor(places)
    fraction = places - k
    lo = min(max(-k, 0), n)  # points below the grid's start read its first value
    hi = min(max(n - 1 - k, 0), n)  # points from here read its last
    for i in range(lo):
        total[i] += weight * values[0]
    for i in range(lo, hi):
        total[i] += weight * (values[i + k] + fraction * rises[i + k])
    for i in range(max(hi, lo), n):
        total[i] += weight * values[n - 1]


@njit(cache=True, error_model="numpy")
def normal_stages(grid: np.ndarray, counted: np.ndarray, days: int, blocks: int, count_days: int, lam: float,
                  deal_value: float, quota: float, curve: tuple, efforts: np.ndarray, cost: np.ndarray,
                  nodes: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """value[t, point] for t = 0..days days left: the count stage's values read onto the grid (`counted`,
    t <= count_days), then each later day's best effort held for its block, the review's value taken over
    the block's normal outcome at the Gauss-Hermite `nodes` (a last block valued as the engine values pay)."""
    points = len(grid)
    value = np.zeros((days + 1, points))
    value[:count_days + 1] = counted[:count_days + 1]
    step = (grid[-1] - grid[0]) / (points - 1)
    rises = np.empty(points - 1)
    total = np.empty(points)
    for t in range(count_days + 1, days + 1):
        block = -(-t // blocks)
        later = value[t - block]
        for j in range(points - 1):
            rises[j] = later[j + 1] - later[j]
        best = np.full(points, -np.inf)
        scale = lam * block * deal_value
        for e in range(len(efforts)):
            sd = math.sqrt(efforts[e] * lam * block) * deal_value
            if block == t:
                for i in range(points):
                    total[i] = value_normal(grid[i] + efforts[e] * scale, sd, quota, curve, 0.0, 0.0)
            else:
                total[:] = 0.0
                for z in range(len(nodes)):
                    _add_shifted(later, rises, step, efforts[e] * scale + nodes[z] * sd, weights[z], total)
            for i in range(points):
                best[i] = max(best[i], total[i] - block * cost[e])
        value[t] = best
    return value
