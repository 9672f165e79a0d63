"""Decision rules, chosen by name in a scenario (`behaviour.rule`), so their results can be compared.

- `forward_looking`: the full weighing of `effort` and `timing`, with each rep's foresight and
  ratchet foresight;
- `myopic`: the same weighing by reps who count next period only at the plan's commission rate and
  ignore what this period does to the next quota (the static benchmark of Misra and Nair 2011);
- `rule_of_thumb`: no weighing at all: work at the pace the remaining quota needs, a balanced
  product mix, book every deal at once and never discount (a heuristic sales manager's rule, the
  comparison Chung, Steenburgh and Sudhir 2014 draw against dynamic models);
- `exact`: the forward-looking weighing, with effort taken from the exact within-period policy
  (`exact_policy`: backward induction over deals won x days left), in the world where that policy
  is solved (the scenario schema refuses it elsewhere): the dynamic benchmark the constant plan
  re-made each morning approximates.

Each rule is two functions over the engine's arrays of reps: `choose` sets today's effort and
focus, `time` makes the day's timing choices.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import numba
import numpy as np
from numba import njit

from simulator.behaviour.effort import (
    choose_block,
    decision_workspace,
    focus_coefficients,
    quiet_compilation,
    variant,
)
from simulator.behaviour.exact_policy import ExactTables
from simulator.behaviour.timing import time_deals
from simulator.selling.pipeline import EMPTY, FLEXIBLE, REFUSED, REFUSED_WAITING, book
from simulator.state.context import DayContext, Terms
from simulator.state.reps import EffortCost
from simulator.steady import SteadyCall

# called with the same argument objects every day, so without numba's dispatch (`simulator.steady`)
_choose_block = SteadyCall(choose_block)
_time_deals = SteadyCall(time_deals)


@dataclass(frozen=True)
class DecisionRule:
    name: str
    uses_foresight: bool  # False: reps count next period at the commission rate only
    choose: Callable[[DayContext, Terms], None]
    time: Callable[[DayContext, Terms], None]


def effort_inputs(x: DayContext, terms: Terms) -> tuple:
    """What `effort.choose_effort` weighs (its arguments before the choice), in its order."""
    r = x.reps
    return (r.active, r.full_search, x.days_left, x.stakes(), r.outlook(),
            x.kept((DayContext, EffortCost), lambda: EffortCost(r.effort_cost, x.scenario.behaviour.effort_curvature)),
            r.risk_aversion,
            x.selling(), x.world.neighbours, x.demand_var, x.scenario.behaviour.exact_below_deals, terms.side(),
            x.todays_work())


# Forces this large decide on several threads (`effort.choose_block`, the same numbers). Below it a day's decisions
# take a few milliseconds and handing blocks to threads costs more than it saves. Threads: numba's setting
# (NUMBA_NUM_THREADS, by default the machine's cores); sweep workers run with it at 1, since the workers are the
# parallelism there (`experiments.runner.single_threaded_blas`).
THREADED_FROM_REPS = 10_000
BLOCKS_PER_THREAD = 2  # exact valuations cost more than normal ones: two blocks a thread keep the threads even


@cache
def _deciders(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="salesim-decide")


def weigh_effort(x: DayContext, terms: Terms) -> None:
    """Effort and focus that maximise each rep's valuation of the plan (`effort.choose_effort`)."""
    r = x.reps
    period_start = x.day - (x.period_len - x.days_left)
    inputs = effort_inputs(x, terms)
    *_, side, today = inputs
    markers = variant(side, today, r.choice())
    threads = numba.config.NUMBA_NUM_THREADS
    threaded = r.n >= THREADED_FROM_REPS and threads > 1
    with quiet_compilation((choose_block, markers)):  # threaded: an empty first block compiles before the threads ask together
        _choose_block(0, 0 if threaded else r.n, *inputs, r.choice(), x.workspace, x.day, period_start, *markers)
    if threaded:
        blocks = BLOCKS_PER_THREAD * threads
        edges = [b * r.n // blocks for b in range(blocks + 1)]
        done = [_deciders(threads).submit(choose_block, lo, hi, *inputs, r.choice(), work, x.day, period_start,
                                          *markers)
                for lo, hi, work in zip(edges[:-1], edges[1:], _workspaces(x, blocks))]
        for future in done:
            future.result()
    r.full_search[:] = False


def _workspaces(x: DayContext, blocks: int) -> list[tuple]:
    """One set of work arrays per block (the first the run's own), kept on the run's context for later days."""
    if len(x.block_workspaces) != blocks:
        n_focus, n_prod = x.workspace[1].shape
        x.block_workspaces[:] = [x.workspace] + [decision_workspace(n_focus, n_prod) for _ in range(blocks - 1)]
    return x.block_workspaces


def weigh_timing(x: DayContext, terms: Terms) -> None:
    """Book, hold, discount, pull in or push out by the same valuation (`timing.time_deals`), with
    the pay beside the curve that `terms` hold (a SPIF, a product quota, a prize's line)."""
    r = x.reps
    _time_deals(x.day, x.days_left, r.active, x.scenario.management.allow_discounts, r.effort, r.focus,
               x.selling(after_today=True), x.demand_var, r.outlook(), r.held(), x.stakes(), x.customers(),
               r.pipeline(), x.second_days_left, x.booking, x.books(), r.timing(), x.dice, terms.timing(),
               r.risk_aversion)


@njit(cache=True, error_model="numpy")
def _pace(active, quota, mu_fixed, per_effort, balanced, effort, focus):
    for i in range(len(active)):
        if not active[i]:
            continue
        needed = max(quota[i] - mu_fixed[i], 0.0)
        effort[i] = min(max(needed / max(per_effort[i], 1e-9), 0.3), 2.0)
        focus[i] = balanced


def pace_effort(x: DayContext, terms: Terms) -> None:
    """Work at the pace the rest of the quota needs (0.3 to 2 times normal), balanced focus."""
    r = x.reps
    w = x.world
    balanced = int(np.argmin(np.abs(w.focus_g - w.focus_g.mean(axis=1, keepdims=True)).sum(axis=1)))
    selling = x.selling()
    per_effort = np.array([
        focus_coefficients(i, balanced, selling)[0]
        for i in range(len(r.active))
    ]) if r.active.any() else np.zeros(len(r.active))
    _pace(r.active, r.quota, r.mu_fixed, per_effort, balanced, r.effort, r.focus)
    r.full_search[:] = False


@njit(cache=True, error_model="numpy")
def _book_at_once(t, last_day, active, held, terms, books, refused, rng):
    for i in range(len(active)):
        if not active[i]:
            continue
        for h in range(held.top[i]):
            kind = held.kind[i, h]
            if kind == FLEXIBLE or kind == REFUSED_WAITING:
                book(i, held.product[i, h], 1, 0.0, t, terms, books, rng)
                held.kind[i, h] = EMPTY
            elif kind != EMPTY and last_day:
                held.kind[i, h] = REFUSED_WAITING
                refused[i] += 1
                books.today[REFUSED] += 1


def book_at_once(x: DayContext, terms: Terms) -> None:
    """Book every ready deal at list price at once; never discount, never hold."""
    r = x.reps
    _book_at_once(x.day, x.days_left == 1, r.active, r.held(), x.booking, x.books(), r.refused, x.dice)


def follow_exact_policy(x: DayContext, terms: Terms) -> None:
    """Effort from the exact policy's table (solved once a period per rep type, `exact_policy.ExactTables`); the
    weighing runs first for everything else it sets (focus, the search's warm start)."""
    weigh_effort(x, terms)
    r = x.reps
    if x.exact_tables is None:
        x.exact_tables = ExactTables(x.world, x.scenario.behaviour.effort_curvature)
    idx = np.flatnonzero(r.active)
    r.effort[idx] = x.exact_tables.effort(r, x.leads, x.win, idx, x.days_left)


RULES: dict[str, DecisionRule] = {
    "forward_looking": DecisionRule("forward_looking", True, weigh_effort, weigh_timing),
    "myopic": DecisionRule("myopic", False, weigh_effort, weigh_timing),
    "rule_of_thumb": DecisionRule("rule_of_thumb", False, pace_effort, book_at_once),
    "exact": DecisionRule("exact", True, follow_exact_policy, weigh_timing),
}
