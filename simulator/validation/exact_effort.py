"""The exact within-period effort policy of one rep, and how far the engine's daily rule is from it.

Each morning the engine's reps choose effort as if they would keep today's effort for the rest of
the period (`behaviour.effort`: a constant plan, re-made the next morning). The rep's true problem
is dynamic: effort can follow luck. For the world where that problem is small enough to solve
exactly, this module solves it by backward induction (Bellman 1957) and compares the engine's
choices with it:

- one product whose opportunities are decided the day they are worked; a unit of effort wins
  Poisson(lam) deals a day of value v; the effort cost is k (2/gamma) e^gamma a day, k e^2 at the
  default gamma = 2 (as in the engine: `behaviour.effort_cost`);
- pay at the period's end is the plan's own curve (`pay.payout.PayCurve.kernel`, read through
  `behaviour.valuation.curve_at`): commission, bonus, accelerator, cap, threshold;
- risk-neutral reps, or CARA reps valued in certainty equivalents (exact for exponential utility of pay net
  of effort cost; `solve`, `evaluate` and `compare` only, the review plans are risk-neutral); no goal value,
  no demand uncertainty, identical reps.

State: deals won so far (n) and days left (t). V_0(n) = pay(n v); V_t(n) = max_e [-cost(e) +
sum_j Poisson(j; lam e) V_{t-1}(n + j)], e on a grid of 801 points over [0, E_MAX]. The exact
policy is solved in `behaviour.exact_policy` (where the `exact` decision rule adopts it); the engine's
choices are read from a real run of the same world (`Engine`, the decide phase paused), so the
comparison is of the shipped rule, not a re-implementation of it. `compare` returns the effort gap
by day, the chance of reaching quota and the mass just above it under both policies, and what the
engine's rule costs the rep: the exact value of following the engine's choices (policy evaluation
on the same recursion) against the optimum. Review plans (`review_plan`, `normal_review_plan`) sit
between the two, and `shared_table_losses` measures whether their values, solved for a ladder of rep types,
can serve reps of other productivity, effort cost, bonus and deal size, `coarse_table_losses` how finely
such a table must be solved (docs/model.md). `force_difficulties` places a shipped scenario's rep-periods on
the same scale of quota difficulty, to see how much of a force sits in a band, and `flagged_review_losses`
whether the constant plan's own value (`constant_plan_humps`) can tell which rep-days those are.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numba import njit
from scipy.stats import poisson

from simulator.behaviour.effort import E_MAX, FORK_APART, quiet_compilation, utility_grid
from simulator.behaviour.exact_policy import (
    EFFORTS,
    OneRep,
    Policy,
    certainty_equivalent,
    solve,
    state_sizes,
    transitions,
)
from simulator.behaviour.rules import effort_inputs
from simulator.behaviour.valuation import value_normal
from simulator.experiments.run import run
from simulator.scenario import Scenario, load_scenario
from simulator.sim.engine import Engine
from simulator.validation.review_tables import count_stage, normal_stages


def benchmark_scenario(plan: dict, *, reps: int = 300, years: float = 1.0, effort_cost: float = 40.0,
                       period: str = "month", difficulty: float = 1.0, seed: int = 3, risk_aversion: float = 0.0,
                       patience: float = 0.9, cycle_days: float = 0.0, effort_curvature: float = 2.0,
                       rule: str = "forward_looking", goal_value: float = 0.0) -> Scenario:
    """The world the exact policy is solved for, with `plan` (scenario plan fields) as its pay plan and
    `rule` the reps' decision rule (`exact`: the engine's reps follow the exact policy). A `goal_value` is held
    whole (no commitment learning), so that the reps stay identical.
    (The exact policy needs `cycle_days` 0; the review plans also risk-neutral reps; the other settings
    serve the closed-form checks of linear pay.)"""
    zero = {"mean": 0.0, "sd": 0.0}
    return Scenario.model_validate({
        "name": "exact_effort", "description": "One product decided the day it is worked; identical reps.",
        "horizon_years": years, "seed": seed,
        "plan": {"base_salary": 40000, "clawback": 0.0, **plan},
        "quota": {"period": period, "policy": "fixed", "basis": "uniform", "difficulty": difficulty},
        "management": {"allow_discounts": False},
        "force": {"size": reps, "segments": {"all": {"share": 1.0, "ability": {"mean": 1.0, "sd": 0.0, "low": 0.2}}},
                  "traits": {"risk_aversion": {"mean": risk_aversion, "sd": 0.0},
                             "goal_value": {"mean": goal_value, "sd": 0.0},
                             "outside_option": zero, "patience": {"mean": patience, "sd": 0.0},
                             "effort_cost": {"mean": effort_cost, "sd": 0.0, "low": 0.0}}},
        "products": {"deal": {"price": 5000, "margin": 0.4, "win_rate": 0.25, "leads_per_day": 4.0,
                              "cycle_days": cycle_days, "cycle_spread": 0.5 if cycle_days else 0.0}},
        "market": {"territory_spread": 0.0, "demand_uncertainty": 0.0,
                   "customers": {"flexible_share": 0.0, "waiting_share": 0.0, "waiting_ceiling": 0.0,
                                 "cancel_rate": 0.0}},
        "behaviour": {"rule": rule, "effort_curvature": effort_curvature, "commitment_learning": goal_value == 0.0,
                      "turnover": {"base_rate": 0.0, "quit_rate": 0.0, "morale_floor": 0.0}},
    })


def _risk_neutral(terms: OneRep) -> None:
    """Review plans and the constant plan's humps are solved for risk-neutral reps only: say so, not a wrong number."""
    if terms.risk_aversion != 0.0:
        raise ValueError(f"review plans are solved for risk-neutral reps; these terms have risk aversion "
                         f"{terms.risk_aversion:g} (only `solve`, `evaluate` and `compare` weigh risk)")


def review_plan(terms: OneRep, blocks: int, up_to: int | None = None, efforts: np.ndarray = EFFORTS) -> Policy:
    """The rolling plan of a rep who expects to review its effort after a `blocks`-th of the days
    left: each morning it chooses an effort to hold until that review, valuing the review's state
    by the same plan made then (so the next block is again a `blocks`-th of what is left, and the
    blocks shorten towards the period's end), and re-decides the next morning.

    One block is the constant plan the engine's reps make each morning (no review before the
    period's end: `behaviour.effort`); a block a day is the exact policy of `solve`. In between,
    the rep keeps the option to give up (or push on) at a few review points: a coarse version of
    the backward induction (Bellman 1957), on as many stages as halving (or thirding) the days left
    takes. effort[t, n] is the first block's effort at t days left and n deals won; with `up_to`,
    only for t <= up_to (the rows after are zero): the plan late in the period, which needs no
    stage earlier than itself. `efforts` are the efforts each block chooses among."""
    if blocks < 1:
        raise ValueError(f"blocks must be 1 or more, got {blocks}")
    _risk_neutral(terms)
    last = terms.days if up_to is None else min(up_to, terms.days)
    states, jumps = state_sizes(terms)
    width = jumps * terms.days + states  # every count reachable from a state by any block
    counts = np.arange(width)
    cost = terms.cost(efforts[:, None])
    values = {0: terms.pay(counts)}
    first = {}
    # the stages a later stage continues from need every reachable count; the others only the plan's states
    # (with one block no stage but the period's end is continued from, so each is solved on the states alone)
    continued = {d - -(-d // blocks) for d in range(1, last + 1)}

    def value(days: int) -> np.ndarray:
        if days not in values:
            block = -(-days // blocks)
            later = value(days - block)
            reach = jumps * block
            needed = width if days in continued else states
            ahead = np.lib.stride_tricks.sliding_window_view(
                np.concatenate([later, np.full(reach, later[-1])]), reach + 1)[:needed]
            total = transitions(terms, efforts * block, reach) @ ahead.T - block * cost
            best = total.argmax(axis=0)
            first[days] = efforts[best[:states]]
            values[days] = total[best, counts[:needed]]
        return values[days]

    effort = np.zeros((terms.days + 1, states))
    for t in range(1, last + 1):
        value(t)
        effort[t] = first[t]
    planned = np.zeros((terms.days + 1, states))
    for t in range(last + 1):
        planned[t] = value(t)[:states]
    return Policy(effort, planned, terms)


@dataclass(frozen=True)
class TableGrid:
    """How finely a normal-belief review plan is solved: points of sales so far over the reachable range,
    efforts each normal block chooses among, Gauss-Hermite nodes for a block's normal outcome, and efforts
    each block of the count stage (the last days, few deals to come) chooses among."""

    points: int = 700
    efforts: int = 161
    nodes: int = 12
    count_efforts: int = 801

    def __str__(self) -> str:
        return f"{self.points} x {self.efforts} x {self.nodes}, counts {self.count_efforts}"


FINE = TableGrid()  # the grids a review plan is solved on unless told otherwise
# Grids coarser and finer than FINE, compared by what a rep choosing against each loses (`coarse_table`).
COARSE_GRIDS = (FINE, TableGrid(700, 41, 6, 81), TableGrid(700, 17, 4, 17), TableGrid(400, 17, 4, 17),
                TableGrid(150, 17, 4, 17), TableGrid(1400, 17, 4, 17), TableGrid(2800, 17, 4, 17))


def _normal_nodes(count: int = FINE.nodes) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes (in standard deviations) and weights summing to 1, for a block's normal outcome."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(count)
    return nodes, weights / weights.sum()


@njit(cache=True)
def _pay_normal(mean: np.ndarray, sd: np.ndarray, quota: float, curve: tuple) -> np.ndarray:
    """`value_normal` (risk-neutral, no goal value) at each (mean[m, e], sd[e])."""
    out = np.empty(mean.shape)
    for m in range(mean.shape[0]):
        for e in range(mean.shape[1]):
            out[m, e] = value_normal(mean[m, e], sd[e], quota, curve, 0.0, 0.0)
    return out


def normal_review_plan(terms: OneRep, blocks: int, exact_below: float = 10.0, depth: int | None = None) -> np.ndarray:
    """`review_plan` for a rep that believes what the engine's reps believe (`behaviour.effort`):
    while `exact_below` deals or more are still to come (at unit effort; the scenario's
    `exact_below_deals`), a block's sales are normal with the Poisson's mean and variance; from
    there on, the true counts (the review plan of `review_plan` on the same blocks). The state is
    the period's sales so far, on a grid; a last normal block is valued as the engine values pay
    (`valuation.value_normal`), earlier ones by the expectation of the next review's value over the
    block's normal outcome (Gauss-Hermite). One block is the engine's own rule. Returns effort[t, n],
    the first block's effort at t days left and n deals won, as `Policy.effort`.

    `depth` bounds how deep the reviews nest while sales are believed normal: at a review that
    many levels down the rep plans a constant effort to the period's end, as the engine's rule does
    (depth 1: one review, then the constant plan; None: no bound). It measures how far ahead of
    today's choice a continuation value must see.

    What it measures: how much of the far-goal gap a review plan closes under the engine's own
    belief about sales, against the count belief throughout (docs/model.md)."""
    if depth is not None and depth < 0:
        raise ValueError(f"depth must be 0 or more, got {depth}")
    plan = _NormalReviews(terms, blocks, exact_below)
    states, _ = state_sizes(terms)
    effort = np.zeros((terms.days + 1, states))
    for t in range(1, terms.days + 1):
        plan.value(t, depth)
        effort[t] = np.interp(np.arange(states) * terms.deal_value, plan.grid, plan.first[plan.stage(t, depth)])
    return effort


def normal_review_values(terms: OneRep, blocks: int, exact_below: float = 10.0, resolution: TableGrid = FINE,
                         compiled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The value of `normal_review_plan` (unbounded depth) at every days left and sales so far: (grid of
    sales so far, value[t, point]), solved on the grids of `resolution`. What a table solved once per plan
    and rep type would hold, and what an engine would solve before a run.

    By compiled loops (`review_tables`) unless `compiled` is False; then by the numpy stages that
    `normal_review_plan` also solves, the reference the compiled values equal to rounding (tests)."""
    if not compiled:
        plan = _NormalReviews(terms, blocks, exact_below, resolution)
        return plan.grid, np.array([plan.value(t, None) for t in range(terms.days + 1)])
    if blocks < 1:
        raise ValueError(f"blocks must be 1 or more, got {blocks}")
    _risk_neutral(terms)
    v, lam, days = terms.deal_value, terms.lam, terms.days
    count_days = min(int(np.ceil(exact_below / lam)) - 1, days)
    states, jumps = state_sizes(terms)
    grid = _sales_grid(terms, resolution.points)
    needed = min(states, int(grid[-1] // v) + 2)  # the counts the grid reads (np.interp holds the last beyond)
    count_efforts = np.linspace(0.0, E_MAX, resolution.count_efforts)
    counted = count_stage(v, lam, terms.quota, terms.curve, blocks, count_days, jumps * days + states, jumps,
                          needed, count_efforts, terms.cost(count_efforts))
    on_grid = np.array([np.interp(grid, np.arange(needed) * v, row) for row in counted])
    efforts = np.linspace(0.0, E_MAX, resolution.efforts)
    nodes, weights = _normal_nodes(resolution.nodes)
    return grid, normal_stages(grid, on_grid, days, blocks, count_days, lam, v, terms.quota, terms.curve, efforts,
                               terms.cost(efforts), nodes, weights)


def _sales_grid(terms: OneRep, points: int) -> np.ndarray:
    """Sales so far on which a normal-belief plan is solved: every level a period's effort can reach, six
    standard deviations beyond, and the quota above the most."""
    most = terms.lam * E_MAX * terms.days * terms.deal_value  # the most a period's effort sells, in expectation
    spread = 6.0 * np.sqrt(most * terms.deal_value)
    return np.linspace(-spread, most + spread + terms.quota, points)


class _NormalReviews:
    """The stages of a review plan on the engine's normal belief (`normal_review_plan`), solved as asked."""

    def __init__(self, terms: OneRep, blocks: int, exact_below: float, resolution: TableGrid = FINE):
        if blocks < 1:
            raise ValueError(f"blocks must be 1 or more, got {blocks}")
        _risk_neutral(terms)
        self.terms, self.blocks = terms, blocks
        v, lam, days = terms.deal_value, terms.lam, terms.days
        self.count_days = count_days = int(np.ceil(exact_below / lam)) - 1  # fewer than exact_below deals at unit effort
        # the plan once few deals are to come
        counted = review_plan(terms, blocks, up_to=count_days, efforts=np.linspace(0.0, E_MAX, resolution.count_efforts))
        self.efforts = np.linspace(0.0, E_MAX, resolution.efforts)
        self.nodes, self.weights = _normal_nodes(resolution.nodes)
        self.grid = grid = _sales_grid(terms, resolution.points)
        self.cost = terms.cost(self.efforts)
        counts = np.arange(counted.value.shape[1]) * v
        self.values = {t: np.interp(grid, counts, counted.value[t]) for t in range(min(count_days, days) + 1)}
        self.first = {t: np.interp(grid, counts, counted.effort[t]) for t in range(1, min(count_days, days) + 1)}

    def stage(self, days_left: int, levels: int | None) -> int | tuple[int, int]:
        """Where the plan at `days_left` with `levels` more reviews allowed is kept: the count stage and an
        unbounded plan do not depend on how many reviews are left."""
        return days_left if days_left <= self.count_days or levels is None else (days_left, levels)

    def value(self, days_left: int, levels: int | None) -> np.ndarray:
        """The value on the grid at `days_left`, with `levels` more reviews allowed (None: any)."""
        key = self.stage(days_left, levels)
        if key not in self.values:
            terms, grid = self.terms, self.grid
            block = days_left if levels == 0 else -(-days_left // self.blocks)
            mean = grid[:, None] + self.efforts[None, :] * (terms.lam * block * terms.deal_value)
            sd = np.sqrt(self.efforts * terms.lam * block) * terms.deal_value
            if block == days_left:  # the last block, and still many deals to come: pay at the period's end
                total = _pay_normal(mean, sd, terms.quota, terms.curve)
            else:
                later = self.value(days_left - block, None if levels is None else levels - 1)
                total = sum(w * np.interp(mean + z * sd[None, :], grid, later) for z, w in zip(self.nodes, self.weights))
            total = total - block * self.cost[None, :]
            best = total.argmax(axis=1)
            self.first[key] = self.efforts[best]
            self.values[key] = total[np.arange(len(grid)), best]
        return self.values[key]


def _first_block_values(terms: OneRep, later: Callable[[int, np.ndarray], np.ndarray], blocks: int,
                        exact_below: float, efforts: np.ndarray, nodes: int) -> Iterator[tuple[int, np.ndarray]]:
    """(t, value[n, e]) for t = 1..days days left: what holding efforts[e] for the first block is worth at n deals
    won, net of its effort cost, against the continuation value `later` (as `continuation_plan` weighs it)."""
    _risk_neutral(terms)
    v, lam = terms.deal_value, terms.lam
    states, _ = state_sizes(terms)
    sales = np.arange(states) * v
    z_nodes, weights = _normal_nodes(nodes)
    cost = terms.cost(efforts)
    for t in range(1, terms.days + 1):
        block = -(-t // blocks)
        if lam * t >= exact_below:
            mean = sales[:, None] + efforts[None, :] * (lam * block * v)
            sd = np.sqrt(efforts * lam * block) * v
            if block == t:
                total = _pay_normal(mean, sd, terms.quota, terms.curve)
            else:
                total = sum(w * later(t - block, mean + z * sd[None, :]) for z, w in zip(z_nodes, weights))
        else:
            jumps = int(lam * E_MAX * block + 10.0 * np.sqrt(lam * E_MAX * block) + 15)
            ahead = later(t - block, sales[:, None] + np.arange(jumps + 1)[None, :] * v)
            total = ahead @ poisson.pmf(np.arange(jumps + 1)[None, :], lam * block * efforts[:, None]).T
        yield t, total - block * cost[None, :]


def continuation_plan(terms: OneRep, later: Callable[[int, np.ndarray], np.ndarray], blocks: int = 2,
                      exact_below: float = 10.0, efforts: np.ndarray = EFFORTS, nodes: int = FINE.nodes) -> np.ndarray:
    """The first-block effort a rep chooses for itself at every (days left, deals won) against a
    continuation value solved by someone else, `later(days left after the block, sales so far)`: how an
    engine would use a table solved once per plan and rep type, each rep still weighing its own effort
    cost and productivity today. The block is a `blocks`-th of the days left (`review_plan`); its
    sales are believed normal while `exact_below` deals or more are to come at unit effort (Gauss-Hermite
    over the block's outcome), counted after (Poisson); a last normal block is valued as the engine
    values pay. The rep chooses among `efforts`, a normal block's outcome taken at `nodes` Gauss-Hermite
    nodes. Returns effort[t, n], as `Policy.effort`."""
    effort = np.zeros((terms.days + 1, state_sizes(terms)[0]))
    for t, value in _first_block_values(terms, later, blocks, exact_below, efforts, nodes):
        effort[t] = efforts[value.argmax(axis=1)]
    return effort


def table_regret(terms: OneRep, later: Callable[[int, np.ndarray], np.ndarray], constant: np.ndarray,
                 blocks: int = 2, efforts: np.ndarray = EFFORTS[::5], exact_below: float = 10.0,
                 nodes: int = FINE.nodes) -> tuple[np.ndarray, np.ndarray]:
    """What the constant plan's effort constant[t, n] (one of `efforts`) gives up by the table's own reckoning:
    (effort[t, n] chosen against the continuation value `later`, as `continuation_plan`; regret[t, n], the
    value of that choice less the value of holding the constant plan's effort for the first block instead).

    Solved with the table, before a run, regret is a map over (days left, sales so far) that an engine
    reads with one lookup a rep-day, where the other flags probe the constant plan's value along effort
    every day (docs/model.md, "A flag from the table")."""
    step = efforts[1] - efforts[0]
    chosen, regret = np.zeros(constant.shape), np.zeros(constant.shape)
    for t, value in _first_block_values(terms, later, blocks, exact_below, efforts, nodes):
        rows = np.arange(value.shape[0])
        best = value.argmax(axis=1)
        held = np.rint(constant[t] / step).astype(int)
        if not np.allclose(efforts[held], constant[t]):
            raise ValueError("the constant plan's efforts must lie on `efforts`")
        chosen[t] = efforts[best]
        regret[t] = value[rows, best] - value[rows, held]
    return chosen, regret


def _benchmark_terms(plan: dict, **world) -> OneRep:
    """The benchmark rep's terms in the benchmark world with `plan` (read off a short run of the engine)."""
    return engine_choices(benchmark_scenario(plan, **{"reps": 20, "years": 0.25, **world})).terms


def _value_lost(terms: OneRep, exact: Policy, effort: np.ndarray) -> float:
    """The share of the exact policy's value (above what the period pays with no sale and no effort) that
    following effort[t, n] gives up."""
    best, floor = float(exact.value[terms.days, 0]), float(terms.pay(np.array([0]))[0])
    return (best - evaluate(terms, effort)) / max(best - floor, 1e-9)


def _rep_label(rep: tuple[float, float, float, float]) -> str:
    """A rep of the ladder tables (productivity, effort cost, bonus, deal size) by how it differs."""
    differs = [f"{name} {value:g}" for name, value in zip(("productivity", "effort cost", "bonus", "deal size"), rep)
               if value != 1.0]
    return ", ".join(differs) or "the benchmark rep"


def _types_around(place: float, ratio: float) -> list[tuple[float, float]]:
    """The rep types of a ladder `ratio` apart (1, ratio, ratio^2, ... times the benchmark rep's) that
    bracket `place`, each with its weight when interpolating between them in logs (types of weight 0
    left out)."""
    step = np.log(place) / np.log(ratio)
    low = np.floor(step)
    share = float(step - low)
    return [(float(ratio ** k), w) for k, w in ((low, 1.0 - share), (low + 1, share)) if w > 0.0]


def _with_bonus(terms: OneRep, multiple: float) -> OneRep:
    """The rep with every lump of its pay curve (the bonus at quota) `multiple` times the plan's."""
    curve = list(terms.curve)
    curve[4] = tuple(multiple * lump for lump in curve[4])
    return replace(terms, curve=tuple(curve))


def _rep_type(terms: OneRep, productivity: float = 1.0, cost: float = 1.0, bonus: float = 1.0,
              deal: float = 1.0) -> OneRep:
    """The benchmark rep `terms` with `productivity` times its sales a day per unit effort, `cost` times its
    effort cost, `bonus` times its plan's lumps, and deals `deal` times as large (fewer of them for the same
    sales)."""
    sized = replace(terms, lam=terms.lam * productivity / deal, deal_value=terms.deal_value * deal,
                    effort_cost=terms.effort_cost * cost)
    return _with_bonus(sized, bonus)


def shared_table_losses(plan: dict, reps: Sequence[tuple[float, float, float, float]],
                        ratios: Sequence[float] = (1.25, 1.5, 2.0), blocks: int = 2, resolution: TableGrid = FINE,
                        **world) -> dict:
    """Can one set of value tables per plan serve a force whose reps differ? In the benchmark world with
    `plan`, each of `reps` (productivity, effort cost, bonus, deal size: multiples of the benchmark rep's
    sales a day per unit effort, its effort cost, the plan's bonus and the deal's value, a rep of larger
    deals winning fewer of them for the same sales; the quota stays) chooses effort by
    `continuation_plan` against the value of a `blocks`-block review plan (`normal_review_values`) solved
    for a ladder of rep types `ratio` apart in productivity, bonus and deal size, interpolated between the
    types around it in logs (multilinear). For each rep, keyed by its tuple, the share of its exact
    policy's value given up: by the engine's constant plan ("constant"), against its own table ("own"),
    against the ladder's tables (each ratio), and by averaging the types' efforts in sales a day instead
    of their values ("policies averaged", at the first ratio); "reach" is the exact chance of reaching quota.
    Every table (the ladder's and the rep's own) is solved on the grids of `resolution`.

    A rep's problem depends on productivity and effort cost only through k / lam^2 (in deals a day
    u = lam e, the cost k e^2 is (k / lam^2) u^2), up to the effort cap and where the count stage starts:
    a rep of effort cost c times the benchmark's reads the productivity ladder at 1 / sqrt(c) times its
    own productivity (docs/model.md)."""
    terms = _benchmark_terms(plan, **world)
    tables: dict[tuple[float, float, float], tuple[np.ndarray, np.ndarray]] = {}

    def table(kind: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
        key = tuple(round(x, 12) for x in kind)
        if key not in tables:
            tables[key] = normal_review_values(_rep_type(terms, kind[0], bonus=kind[1], deal=kind[2]), blocks,
                                               resolution=resolution)
        return tables[key]

    def ladder(place: tuple[float, float, float], ratio: float) -> list[tuple[tuple[float, float, float], float]]:
        """The types around `place` (productivity, bonus, deal size) and their weights."""
        return [((p, b, d), wp * wb * wd) for p, wp in _types_around(place[0], ratio)
                for b, wb in _types_around(place[1], ratio) for d, wd in _types_around(place[2], ratio)]

    def interpolated(types: list[tuple[tuple[float, float, float], float]]) -> Callable[[int, np.ndarray], np.ndarray]:
        def later(days_left: int, sales: np.ndarray) -> np.ndarray:
            return sum(w * np.interp(sales, table(kind)[0], table(kind)[1][days_left]) for kind, w in types)
        return later

    out = {}
    for productivity, cost, bonus, deal in reps:
        rep = _rep_type(terms, productivity, cost, bonus, deal)
        place = (productivity / np.sqrt(cost), bonus, deal)  # the productivity of the benchmark's cost with the same k / lam^2
        states, _ = state_sizes(rep)
        exact = solve(rep)

        def lost(effort: np.ndarray, rep: OneRep = rep, exact: Policy = exact) -> float:
            return _value_lost(rep, exact, effort)

        own = normal_review_values(rep, blocks, resolution=resolution)
        row = {"constant": lost(normal_review_plan(rep, 1)),
               "own": lost(continuation_plan(rep, lambda t, sales, own=own: np.interp(sales, own[0], own[1][t]), blocks)),
               "reach": float(forward(rep, exact.effort)[0][rep.quota_deals:].sum())}
        for ratio in ratios:
            row[ratio] = lost(continuation_plan(rep, interpolated(ladder(place, ratio)), blocks))
        sales_rate = 0.0  # each type's sales a day at the rep's sales so far, averaged
        for kind, w in ladder(place, ratios[0]):
            kind_terms = _rep_type(terms, kind[0], bonus=kind[1], deal=kind[2])
            effort = _on_sales(normal_review_plan(kind_terms, blocks), kind_terms.deal_value, rep.deal_value, states)
            sales_rate = sales_rate + w * kind_terms.lam * kind_terms.deal_value * effort
        row["policies averaged"] = lost(np.minimum(sales_rate / (rep.lam * rep.deal_value), E_MAX))
        out[(productivity, cost, bonus, deal)] = row
    return out


def coarse_table_losses(plan: dict, reps: Sequence[tuple[float, float, float, float]],
                        grids: Sequence[TableGrid] = COARSE_GRIDS, blocks: int = 2, **world) -> dict:
    """How coarse can a table be? In the benchmark world with `plan`, each of `reps` (as in
    `shared_table_losses`) chooses effort by `continuation_plan` (its own choice on the fine effort grid)
    against its own `blocks`-block review values (`normal_review_values`) solved on each of `grids`.
    Returns {grid: {"seconds": the mean wall time of solving one table by compiled loops, "numpy seconds":
    by the numpy reference, rep: the share of the rep's exact policy's value given up}}: what a table's
    resolution costs to solve against what it loses."""
    terms = _benchmark_terms(plan, **world)
    rows: dict = {grid: {"seconds": 0.0, "numpy seconds": 0.0} for grid in grids}
    for productivity, cost, bonus, deal in reps:
        rep = _rep_type(terms, productivity, cost, bonus, deal)
        exact = solve(rep)
        for grid in grids:
            for compiled, column in ((False, "numpy seconds"), (True, "seconds")):
                start = time.perf_counter()
                sales, value = normal_review_values(rep, blocks, resolution=grid, compiled=compiled)
                rows[grid][column] += (time.perf_counter() - start) / len(reps)
            effort = continuation_plan(rep, lambda t, at, sales=sales, value=value: np.interp(at, sales, value[t]), blocks)
            rows[grid][(productivity, cost, bonus, deal)] = _value_lost(rep, exact, effort)
    return rows


def _on_sales(effort: np.ndarray, value: float, to_value: float, states: int) -> np.ndarray:
    """effort[t, n] of a rep whose deals are worth `value`, read at the sales of `states` counts of deals
    worth `to_value` (its last column beyond its end)."""
    sales = np.arange(effort.shape[1]) * value
    return np.array([np.interp(np.arange(states) * to_value, sales, row) for row in effort])


def evaluate(terms: OneRep, effort: np.ndarray) -> float:
    """Exact expected value (certainty equivalent for a risk-averse rep), from the period's start, of
    following effort[t, n]."""
    states, jumps = state_sizes(terms)
    n = np.arange(states + jumps)
    value = terms.pay(n)
    for t in range(1, terms.days + 1):
        ahead = np.lib.stride_tricks.sliding_window_view(value, jumps + 1)[:states]
        step = transitions(terms, effort[t], jumps)
        now = certainty_equivalent(lambda x, step=step: np.einsum("sj,sj->s", step, x), ahead, terms.risk_aversion) - terms.cost(effort[t])
        value = np.concatenate([now, np.full(jumps, now[-1])])
    return float(value[0])


def forward(terms: OneRep, effort: np.ndarray, measure: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Under effort[t, n] from zero deals: the distribution of deals at the period's end, and the
    expected effort on each day (first day first), or the expected `measure[t, n]` if given."""
    states, jumps = state_sizes(terms)
    measure = effort if measure is None else measure
    dist = np.zeros(states)
    dist[0] = 1.0
    path = np.zeros(terms.days)
    for day, t in enumerate(range(terms.days, 0, -1)):
        path[day] = float(dist @ measure[t])
        step = transitions(terms, effort[t], jumps)
        new = np.zeros(states + jumps)
        for j in range(jumps + 1):
            new[j:j + states] += dist * step[:, j]
        dist = new[:states]
    return dist, path


@dataclass(frozen=True)
class EngineChoices:
    """What the engine's reps did in the benchmark world: per rep-day, days left, deals won so far
    and effort; per rep-period, the deals won."""

    days_left: np.ndarray
    deals: np.ndarray
    effort: np.ndarray
    period_deals: np.ndarray
    terms: OneRep


def engine_choices(scenario: Scenario, seed: int | None = None) -> EngineChoices:
    """Run the engine on the benchmark world and record its reps' states and choices."""
    engine = Engine(scenario, seed=scenario.seed if seed is None else seed)
    x, r, w = engine.ctx, engine.reps, engine.world
    if w.products.k != 1 or np.any(w.closing[1]):
        raise ValueError("the exact benchmark needs one product decided the day it is worked")
    v = float(w.deal_value[0])
    rows, ends = [], []
    while not engine.finished:
        for phase in engine.phases():
            if phase == "decide":
                reps = np.flatnonzero(r.active)
            elif phase == "close_deals":  # the reps have chosen today's effort
                rows.append(np.column_stack([np.full(len(reps), x.days_left), r.sales[reps] / v, r.effort[reps]]))
            elif phase == "settle" and x.days_left == 1:
                ends.append(r.sales[r.active] / v)
    data = np.vstack(rows)
    quota = np.unique(r.quota[r.active])
    if len(quota) != 1 or np.ptp(r.productivity[r.active]) > 0 or np.ptp(r.effort_cost[r.active]) > 0:
        raise ValueError("the exact benchmark needs identical reps: one quota, productivity and effort cost")
    lam = float(r.productivity[r.active][0] * x.leads[0] * x.win[0])
    if np.ptp(r.risk_aversion[r.active]) > 0 or np.ptp(r.goal[r.active]) > 0:
        raise ValueError("the exact benchmark needs identical reps: one risk aversion and goal value")
    terms = OneRep(lam, v, float(r.effort_cost[r.active][0]), int(w.period_len), float(quota[0]), w.decision_curve,
                   scenario.behaviour.effort_curvature, float(r.risk_aversion[r.active][0]), float(r.goal[r.active][0]))
    return EngineChoices(data[:, 0].astype(int), np.rint(data[:, 1]).astype(int), data[:, 2],
                         np.rint(np.concatenate(ends)).astype(int), terms)


def engine_policy(choices: EngineChoices, exact: Policy) -> tuple[np.ndarray, np.ndarray]:
    """The engine's mean effort in each (days left, deals) state it visited, the exact policy's
    where it never went; and the share of the exact policy's probability mass on visited states."""
    effort = exact.effort.copy()
    total = np.zeros_like(effort)
    count = np.zeros_like(effort)
    n = np.minimum(choices.deals, effort.shape[1] - 1)
    np.add.at(total, (choices.days_left, n), choices.effort)
    np.add.at(count, (choices.days_left, n), 1.0)
    seen = count > 0
    effort[seen] = total[seen] / count[seen]
    return effort, seen


def compare(plan: dict, **world) -> dict:
    """The engine's rule against the exact policy on one plan in the benchmark world."""
    choices = engine_choices(benchmark_scenario(plan, **world))
    terms = choices.terms
    exact = solve(terms)
    engine_effort, _ = engine_policy(choices, exact)
    best = float(exact.value[terms.days, 0])
    achieved = evaluate(terms, engine_effort)
    floor = float(terms.pay(np.array([0]))[0])  # what the period pays with no sale and no effort
    dist, path = forward(terms, exact.effort)
    q = terms.quota_deals
    gap = choices.effort - exact.effort[choices.days_left, np.minimum(choices.deals, exact.effort.shape[1] - 1)]
    late_near = (choices.days_left <= max(terms.days // 4, 1)) & (choices.deals >= q - 5) & (choices.deals < q)
    engine_path = np.array([choices.effort[choices.days_left == t].mean() for t in range(terms.days, 0, -1)])
    ends = choices.period_deals
    return {
        "plan": plan, "quota_deals": q, "days": terms.days,
        "value_exact": best - floor, "value_engine": achieved - floor,
        "value_loss": (best - achieved) / max(best - floor, 1e-9),
        "effort_path_exact": path, "effort_path_engine": engine_path,
        "mean_abs_gap": float(np.abs(gap).mean()), "first_day_gap": float(engine_path[0] - path[0]),
        "last_day_abs_gap": float(np.abs(gap[choices.days_left == 1]).mean()),
        "late_near_quota_abs_gap": float(np.abs(gap[late_near]).mean()) if late_near.any() else 0.0,
        "reach_exact": float(dist[q:].sum()), "reach_engine": float((ends >= q).mean()),
        "just_above_exact": float(dist[q:q + 2].sum()), "just_above_engine": float(((ends >= q) & (ends < q + 2)).mean()),
        "periods": len(ends),
    }


# The plans the benchmark checks: (name, plan fields, quota difficulty, quota period), each a threshold the
# exact policy can react to; `far_bonus` is a large bonus on a quota far above normal output.
CASES: tuple[tuple[str, dict, float, str], ...] = (
    ("bonus", {"commission_rate": 0.02, "bonus": 1500}, 1.0, "month"),
    ("bonus, hard quota", {"commission_rate": 0.02, "bonus": 1500}, 1.6, "month"),
    ("bonus, quarterly", {"commission_rate": 0.02, "bonus": 1500}, 1.3, "quarter"),
    ("bonus, weekly", {"commission_rate": 0.02, "bonus": 1500}, 1.3, "week"),
    ("accelerator", {"commission_rate": 0.02, "tiers": [{"at": 1.0, "rate": 0.04}]}, 1.6, "month"),
    ("cap", {"commission_rate": 0.03, "cap": 1.2, "bonus": 1000}, 1.3, "month"),
    ("threshold", {"commission_rate": 0.03, "threshold": 0.6}, 1.6, "month"),
    ("large bonus", {"commission_rate": 0.01, "bonus": 4000}, 1.3, "month"),
    ("far_bonus", {"commission_rate": 0.01, "bonus": 4000}, 2.5, "month"),
)


def table(reps: int = 200) -> str:
    """The benchmark's cases as a Markdown table (docs/model.md quotes it)."""
    lines = [markdown_header(["case", "quota", "value lost", "first-day effort, engine - exact", "mean abs. effort gap",
                              "last-day gap", "reach quota: exact / engine", "just above quota: exact / engine"])]
    for name, plan, difficulty, period in CASES:
        r = compare(plan, difficulty=difficulty, period=period, reps=reps)
        lines.append(f"| {name} | {difficulty:g} x normal, {period} | {100 * r['value_loss']:.2f}% "
                     f"| {r['first_day_gap']:+.3f} | {r['mean_abs_gap']:.3f} | {r['last_day_abs_gap']:.4f} "
                     f"| {r['reach_exact']:.3f} / {r['reach_engine']:.3f} "
                     f"| {r['just_above_exact']:.3f} / {r['just_above_engine']:.3f} |")
    return "\n".join(lines)


def review_losses(plan: dict, blocks: tuple[int, ...] = (1, 2, 3, 4), belief: str = "count", **world) -> dict:
    """Review plans of each number of `blocks` against the exact policy in the benchmark world with
    `plan`: {blocks: (share of the exact policy's value given up, chance of reaching quota)}, and
    the exact policy's chance under "exact". `belief` "count": the rep plans on the true Poisson
    counts (`review_plan`); "normal": on the engine's normal belief (`normal_review_plan`)."""
    if belief not in ("count", "normal"):
        raise ValueError(f"belief must be 'count' or 'normal', got {belief!r}")
    terms = _benchmark_terms(plan, **world)
    exact = solve(terms)
    q = terms.quota_deals
    out: dict = {"exact": float(forward(terms, exact.effort)[0][q:].sum())}
    for b in blocks:
        effort = review_plan(terms, b).effort if belief == "count" else normal_review_plan(terms, b)
        out[b] = (_value_lost(terms, exact, effort), float(forward(terms, effort)[0][q:].sum()))
    return out


def markdown_header(columns: Sequence[str]) -> str:
    """A Markdown table's header and rule (docs/model.md quotes the tables)."""
    return "| " + " | ".join(columns) + " |\n" + "|" + " --- |" * len(columns)


def _review_header(first: list[str], blocks: tuple[int, ...]) -> list[str]:
    """A review table's header rows: the `first` columns, one per number of blocks, the exact reach."""
    return [markdown_header([*first, *(f"{b} block{'s' if b > 1 else ''}" for b in blocks), "exact: reach quota"])]


def _review_cells(losses: dict, blocks: tuple[int, ...]) -> str:
    """A review table's cells for one plan: value lost (reach quota) per number of blocks, the exact reach."""
    lost = {b: round(100 * losses[b][0], 2) + 0.0 for b in blocks}  # + 0.0: a round-off loss of -0 prints as 0
    return " | ".join([*(f"{lost[b]:.2f}% ({losses[b][1]:.3f})" for b in blocks), f"{losses['exact']:.3f}"])


def review_table(blocks: tuple[int, ...] = (1, 2, 3, 4)) -> str:
    """Value lost (and chance of reaching quota) by review plans of 1 to 4 blocks on the benchmark's
    cases, as a Markdown table (docs/model.md quotes it)."""
    lines = _review_header(["case", "quota"], blocks)
    for name, plan, difficulty, period in CASES:
        r = review_losses(plan, blocks, difficulty=difficulty, period=period)
        lines.append(f"| {name} | {difficulty:g} x normal, {period} | {_review_cells(r, blocks)} |")
    return "\n".join(lines)


# Quota difficulties across which the large bonus goes from pursued to given up (`difficulty_table`).
DIFFICULTIES = (1.3, 2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8)

# The shipped baseline's plan as its reps value it: 2% commission, 4% above quota, a $4,000 bonus a
# quarter and the default goal value of $500 a quarter, paid like the bonus at quota (the benchmark's
# reps carry no goal value of their own), on a quarter's quota.
BASELINE_PLAN = {"commission_rate": 0.02, "tiers": [{"at": 1.0, "rate": 0.04}], "bonus": 4500}
BASELINE_DIFFICULTIES = (1.0, 1.6, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7)

# The baseline's effort cost in the benchmark's world. Its reps pay $90 a day to avoid a day at unit effort and
# sell about $4,554 a day at it (the force's average rep: the baseline's quota a day at difficulty 1, one
# year, seed 1); a rep's problem depends on the cost only through k / (sales a day)^2, so in the benchmark's
# world of $5,000 a day the same rep's cost is 90 x (5000 / 4554)^2 = 108. The benchmark still leaves out the
# baseline's demand uncertainty, second product and pipeline; its risk aversion is a setting (`risk_table`).
BASELINE_EFFORT_COST = 108.0
BASELINE_MATCHED_DIFFICULTIES = (0.9, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.4)

# Review plans on the engine's normal belief, across the far-goal band (the fifth table).
NORMAL_BLOCKS = (1, 2, 3, 4, 6)
NORMAL_DIFFICULTIES = (1.3, 2.2, 2.3, 2.4, 2.5, 2.6)


def difficulty_table(plan: dict | None = None, blocks: tuple[int, ...] = (1, 2, 3), period: str = "month",
                     difficulties: tuple[float, ...] = DIFFICULTIES, belief: str = "count", **world) -> str:
    """Where along quota difficulty the constant plan and the exact policy give up a bonus (by
    default the large bonus on month quotas), with the review plans between them (planned on the
    `belief` of `review_losses`), as a Markdown table (docs/model.md). `world`: the benchmark world's
    other settings (`benchmark_scenario`)."""
    plan = plan or next(c[1] for c in CASES if c[0] == "far_bonus")
    lines = _review_header(["quota"], blocks)
    for difficulty in difficulties:
        r = review_losses(plan, blocks, belief, difficulty=difficulty, period=period, **world)
        lines.append(f"| {difficulty:g} x normal | {_review_cells(r, blocks)} |")
    return "\n".join(lines)


# Reps around the far goal's band (`shared_table`): (productivity, effort cost, bonus, deal size) as multiples
# of the benchmark rep's.
SHARED_REPS = ((0.95, 1.0, 1.0, 1.0), (1.0, 1.0, 1.0, 1.0), (1.03, 1.0, 1.0, 1.0), (1.07, 1.0, 1.0, 1.0),
               (1.15, 1.0, 1.0, 1.0), (1.0, 0.9, 1.0, 1.0), (1.0, 1.1, 1.0, 1.0), (1.0, 1.0, 0.9, 1.0),
               (1.0, 1.0, 1.1, 1.0), (1.0, 1.0, 1.0, 0.9), (1.0, 1.0, 1.0, 1.1), (1.03, 0.9, 1.1, 1.1))
SHARED_RATIOS = (1.25, 1.5, 2.0)


def shared_table(plan: dict | None = None, difficulty: float = 2.5, period: str = "month") -> str:
    """`shared_table_losses` around the far goal's band (by default the large bonus on a month's quota at 2.5
    times the benchmark rep's output at unit effort), as a Markdown table (docs/model.md)."""
    plan = plan or next(c[1] for c in CASES if c[0] == "far_bonus")
    losses = shared_table_losses(plan, SHARED_REPS, SHARED_RATIOS, difficulty=difficulty, period=period)
    columns = ["rep (x the benchmark's)", "quota / its output at unit effort", "constant plan", "own table",
               *(f"types {r:g}x apart" for r in SHARED_RATIOS), f"efforts averaged ({SHARED_RATIOS[0]:g}x)",
               "exact: reach quota"]
    lines = [markdown_header(columns)]
    for (productivity, cost, bonus, deal), row in losses.items():
        cells = [row["constant"], row["own"], *(row[r] for r in SHARED_RATIOS), row["policies averaged"]]
        lines.append(f"| {_rep_label((productivity, cost, bonus, deal))} | {difficulty / productivity:.2f} | "
                     + " | ".join(f"{round(100 * c, 2) + 0.0:.2f}%" for c in cells) + f" | {row['reach']:.3f} |")
    return "\n".join(lines)


# Reps of the far goal's band whose tables `coarse_table` solves coarsely: the benchmark rep, two more
# productive reps (who pursue the goal), a cheaper effort, a larger bonus, larger deals, all four.
COARSE_REPS = ((1.0, 1.0, 1.0, 1.0), (1.03, 1.0, 1.0, 1.0), (1.07, 1.0, 1.0, 1.0), (1.0, 0.9, 1.0, 1.0),
               (1.0, 1.0, 1.1, 1.0), (1.0, 1.0, 1.0, 1.1), (1.03, 0.9, 1.1, 1.1))


def coarse_table(plan: dict | None = None, difficulty: float = 2.5, period: str = "month") -> str:
    """`coarse_table_losses` around the far goal's band, as a Markdown table (docs/model.md): one row per
    resolution, the time one table took to solve (numpy, compiled) and each rep's value lost."""
    plan = plan or next(c[1] for c in CASES if c[0] == "far_bonus")
    rows = coarse_table_losses(plan, COARSE_REPS, difficulty=difficulty, period=period)
    columns = ["grid: points x efforts x nodes, count efforts", "seconds a table: numpy", "compiled",
               *map(_rep_label, COARSE_REPS)]
    lines = [markdown_header(columns)]
    for grid, row in rows.items():
        lines.append(f"| {grid} | {row['numpy seconds']:.3f} | {row['seconds']:.4f} | "
                     + " | ".join(f"{round(100 * row[rep], 2) + 0.0:.2f}%" for rep in COARSE_REPS) + " |")
    return "\n".join(lines)


HUMP_APART = 0.05  # efforts closer than this to the chosen one are its own hump (a flat top), not another


def other_hump_margin(value: np.ndarray, efforts: np.ndarray, apart: float = HUMP_APART) -> np.ndarray:
    """Per row of value[rows, efforts]: how far its best lies above its best other hump (another local maximum
    more than `apart` from the best effort; inf where there is none)."""
    rows = np.arange(value.shape[0])
    best = value.argmax(axis=1)
    edge = np.full((value.shape[0], 1), -np.inf)
    below = np.concatenate([edge, value[:, :-1]], axis=1)
    above = np.concatenate([value[:, 1:], edge], axis=1)
    away = np.abs(efforts[None, :] - efforts[best][:, None]) > apart  # not the chosen hump's flat top
    hump = (value >= below) & (value > above) & away
    return value[rows, best] - np.where(hump, value, -np.inf).max(axis=1)


def constant_plan_humps(terms: OneRep, efforts: np.ndarray = EFFORTS[::5],
                        exact_below: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """The engine's constant plan at every days left t and deals won n, on its own belief (sales normal while
    `exact_below` deals or more are to come at unit effort, counted after): (effort[t, n] it chooses among
    `efforts`, margin[t, n]), the margin being how far the value of that choice lies above the best other
    hump of the value along effort (another local maximum more than `HUMP_APART` from the chosen effort; inf
    where there is one hump). Near a band the
    value has two humps, giving the lump up and pursuing it, and a small margin marks the days where the
    choice between them is close: where a rep that keeps its option to review effort may choose otherwise."""
    _risk_neutral(terms)
    states, jumps = state_sizes(terms)
    v, lam = terms.deal_value, terms.lam
    n = np.arange(states)
    cost = terms.cost(efforts)
    effort = np.zeros((terms.days + 1, states))
    margin = np.full((terms.days + 1, states), np.inf)
    for t in range(1, terms.days + 1):
        if lam * t >= exact_below:
            mean = n[:, None] * v + efforts[None, :] * (lam * t * v)
            value = _pay_normal(mean, np.sqrt(efforts * lam * t) * v, terms.quota, terms.curve)
        else:
            reach = jumps * t
            ahead = np.lib.stride_tricks.sliding_window_view(terms.pay(np.arange(states + reach)), reach + 1)[:states]
            value = ahead @ transitions(terms, efforts * t, reach).T
        value = value - t * cost[None, :]
        effort[t] = efforts[value.argmax(axis=1)]
        margin[t] = other_hump_margin(value, efforts)
    return effort, margin


FLAG_MARGINS = (0.05, 0.1, 0.2, 0.5)  # margins of `flagged_review_losses`, in lumps


def flagged_review_losses(plan: dict, margins: Sequence[float] = FLAG_MARGINS, blocks: int = 2, **world) -> dict:
    """A review plan run only on the days the constant plan flags: where its value has another hump within
    `margin` times the plan's largest lump of its choice (`constant_plan_humps`); the constant plan's effort
    elsewhere. In the benchmark world with `plan`: {"constant": value lost by the constant plan alone,
    "review": by the `blocks`-block review plan alone (`normal_review_plan`), margin: (value lost, the share of
    rep-days flagged on the days the flagged plan reaches, its chance of reaching quota)}. What an engine that
    ran the review only for reps near a band would lose, and on how many rep-days it would run it."""
    terms = _benchmark_terms(plan, **world)
    exact = solve(terms)
    constant, margin = constant_plan_humps(terms)
    review = normal_review_plan(terms, blocks)
    lump = max(terms.curve[4])
    out: dict = {"constant": _value_lost(terms, exact, constant), "review": _value_lost(terms, exact, review)}
    for m in margins:
        out[m] = _flagged_outcome(terms, exact, margin < m * lump, review, constant)
    return out


def _flagged_outcome(terms: OneRep, exact: Policy, flag: np.ndarray, flagged_effort: np.ndarray,
                     effort: np.ndarray) -> tuple[float, float, float]:
    """Following flagged_effort[t, n] where flag[t, n] and effort[t, n] elsewhere: (the share of the exact
    policy's value given up, the share of rep-days flagged on the days it reaches, its chance of reaching quota)."""
    followed = np.where(flag, flagged_effort, effort)
    dist, flagged = forward(terms, followed, flag.astype(float))
    return _value_lost(terms, exact, followed), float(flagged.mean()), float(dist[terms.quota_deals:].sum())


def _flag_cases() -> list[tuple[str, dict, float, dict]]:
    """The plans and difficulties the flag tables run: across the band of the baseline's plan priced like the
    baseline, and of the far bonus over a month."""
    far_bonus = next(c[1] for c in CASES if c[0] == "far_bonus")
    cases = [("baseline's plan, quarter, effort cost 108", BASELINE_PLAN, d,
              {"period": "quarter", "effort_cost": BASELINE_EFFORT_COST}) for d in (1.0, 1.1, 1.15, 1.2, 1.25, 1.4)]
    return cases + [("far bonus, month", far_bonus, d, {"period": "month"}) for d in (1.3, 2.3, 2.4, 2.5, 2.6)]


def flagged_review_table() -> str:
    """`flagged_review_losses` across the band of the baseline's plan priced like the baseline and of the far
    bonus over a month, as a Markdown table (docs/model.md)."""
    columns = ["plan", "quota", "constant plan", "review plan", *(f"flagged within {m:g} lump" for m in FLAG_MARGINS)]
    lines = [markdown_header(columns)]
    for label, plan, difficulty, world in _flag_cases():
        r = flagged_review_losses(plan, difficulty=difficulty, **world)
        cells = [f"{100 * r['constant']:.2f}%", f"{100 * r['review']:.2f}%"]
        cells += [f"{100 * r[m][0]:.2f}% ({r[m][1]:.3f}; {r[m][2]:.3f})" for m in FLAG_MARGINS]
        lines.append(f"| {label} | {difficulty:g} x normal | " + " | ".join(cells) + " |")
    return "\n".join(lines)


REGRET_CUTS = (0.005, 0.01, 0.02, 0.05)  # cuts of `table_flag_losses`, in lumps
HUMP_CUT = 0.2  # the second hump's margin it compares them with, in lumps (the tenth table's best)


def table_flag_losses(plan: dict, cuts: Sequence[float] = REGRET_CUTS, margin: float = HUMP_CUT, blocks: int = 2,
                      **world) -> dict:
    """A flag read from the table instead of probed each day: the rep chooses against its own `blocks`-block
    review values (`normal_review_values`, `continuation_plan`) only where the constant plan's effort gives up
    more than `cut` times the plan's largest lump by the table's reckoning (`table_regret`), and holds the
    constant plan's effort elsewhere. In the benchmark world with `plan`: {"constant": value lost by the
    constant plan alone, "table": choosing against the table every day, ("hump", margin): flagged where the
    constant plan's value has another hump within `margin` lumps (`flagged_review_losses`'s flag, with the
    same choice against the table), ("regret", cut): flagged by regret; each of the last two (value lost, the
    share of rep-days flagged on the days the flagged plan reaches, its chance of reaching quota)}."""
    terms = _benchmark_terms(plan, **world)
    exact = solve(terms)
    efforts = EFFORTS[::5]
    constant, hump = constant_plan_humps(terms, efforts)
    grid, value = normal_review_values(terms, blocks)
    chosen, regret = table_regret(terms, lambda t, sales: np.interp(sales, grid, value[t]), constant, blocks,
                                  efforts)
    lump = max(terms.curve[4])
    out: dict = {"constant": _value_lost(terms, exact, constant), "table": _value_lost(terms, exact, chosen)}
    flags = {("hump", margin): hump < margin * lump, **{("regret", cut): regret > cut * lump for cut in cuts}}
    for key, flag in flags.items():
        out[key] = _flagged_outcome(terms, exact, flag, chosen, constant)
    return out


def table_flag_table() -> str:
    """`table_flag_losses` on the cases of `flagged_review_table`, as a Markdown table (docs/model.md)."""
    columns = ["plan", "quota", "constant plan", "table every day", f"hump within {HUMP_CUT:g} lump",
               *(f"regret over {cut:g} lump" for cut in REGRET_CUTS)]
    lines = [markdown_header(columns)]
    for label, plan, difficulty, world in _flag_cases():
        r = table_flag_losses(plan, difficulty=difficulty, **world)
        cells = [f"{100 * r['constant']:.2f}%", f"{100 * r['table']:.2f}%"]
        cells += [f"{100 * r[key][0]:.2f}% ({r[key][1]:.3f}; {r[key][2]:.3f})"
                  for key in (("hump", HUMP_CUT), *(("regret", cut) for cut in REGRET_CUTS))]
        lines.append(f"| {label} | {difficulty:g} x normal | " + " | ".join(cells) + " |")
    return "\n".join(lines)


RISK_AVERSIONS = (0.0, 5e-5, 1e-4)  # none, the baseline's mean CARA per $, twice it
RISK_DIFFICULTIES = (1.0, 1.1, 1.15, 1.2, 1.25)


def risk_table(risk_aversions: Sequence[float] = RISK_AVERSIONS,
               difficulties: Sequence[float] = RISK_DIFFICULTIES) -> str:
    """The engine's choices against the exact policy of a CARA rep (`compare`, certainty equivalents) on the
    baseline's plan over a quarter, priced like the baseline, across the band, as a Markdown table
    (docs/model.md): where risk aversion moves the band and what the constant plan loses in it."""
    lines = [markdown_header(["risk aversion (per $)", "quota", "value lost", "first-day effort, engine - exact",
                              "reach quota: exact / engine"])]
    for r in risk_aversions:
        for d in difficulties:
            c = compare(BASELINE_PLAN, period="quarter", difficulty=d, effort_cost=BASELINE_EFFORT_COST,
                        risk_aversion=r, reps=150)
            lines.append(f"| {r:g} | {d:g} x normal | {100 * c['value_loss']:.2f}% | {c['first_day_gap']:+.3f} | "
                         f"{c['reach_exact']:.3f} / {c['reach_engine']:.3f} |")
    return "\n".join(lines)


ENVELOPE_EFFORTS = np.linspace(0.0, E_MAX, 161)  # where the engine's reps' valuations are read along effort


def _chosen_envelopes(engine: Engine) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Each day of the rest of `engine`'s run, once its reps have chosen (the day's "prospect" phase about to
    run): the active reps' indices, and each one's valuation along `ENVELOPE_EFFORTS`, the best focus mix at
    each (`effort.utility_grid`)."""
    reps = engine.reps
    while not engine.finished:
        for phase in engine.phases():
            if phase == "decide":
                inputs = effort_inputs(engine.ctx, engine.terms)
            if phase != "prospect":
                continue
            active = np.flatnonzero(reps.active)
            with quiet_compilation():
                values = np.array([utility_grid(i, ENVELOPE_EFFORTS, *inputs, bool(reps.exact_used[i])).max(axis=0)
                                   for i in active])
            yield active, values


def engine_hump_days(scenario: Scenario, lump: float, margins: Sequence[float] = FLAG_MARGINS,
                     seed: int | None = None) -> pd.DataFrame:
    """On every rep-day of a run of `scenario`: does the value the rep chose have another hump within
    `margin` x `lump`, a fork between pursuing the goal and letting it go? The reference is the envelope of
    the rep's valuation along effort (`effort.utility_grid` at 161 efforts, the best focus mix at each;
    `other_hump_margin` with humps more than `effort.FORK_APART` apart; nearer ones, neighbouring focus mixes
    crossing, are counted apart). Against it, the margins the engine keeps in `guard_memory` (`effort.distant_check`,
    the run tracking humps): the guard's own, and the hump margins found at the guard's own focus mixes, at
    those and the mixes selling between the chosen one and the fastest in-period seller (the fork flag), and at
    every mix, on the rep-days the guard ran after a warm search ("guarded") and, as the last guard left
    them, on every rep-day ("held": what an engine would carry between guards). Per margin (columns): the
    share of rep-days each flags, and for the hump margins the share of the envelope's flags they find and
    the share of their own flags the envelope confirms. `attrs` holds the counts. How many rep-days an engine
    running review plans only near a band would run them on, and whether its own probes can find them
    (`flagged_review_losses` measures the first on the benchmark's reps)."""
    engine = Engine(scenario, seed=seed)
    reps = engine.reps
    reps.track_humps()
    envelope, crossing, memory, guarded = [], [], [], []
    for active, values in _chosen_envelopes(engine):  # the reps have chosen: read their values and the guard's memory
        envelope.append(other_hump_margin(values, ENVELOPE_EFFORTS, FORK_APART))
        crossing.append(other_hump_margin(values, ENVELOPE_EFFORTS))
        memory.append(reps.guard_memory[active])
        guarded.append((reps.guard_memory[active, 2] == engine.day) & ~reps.exhaustive_used[active])
    envelope, crossing, memory, guarded = (np.concatenate(x) for x in (envelope, crossing, memory, guarded))
    columns = {}
    for m in margins:
        fork = envelope < m * lump
        column = {"envelope": fork.mean(), "crossing": ((crossing < m * lump) & ~fork).mean(),
                  "guard": (memory[guarded, 0] < m * lump).mean()}
        for name, at in (("guard's mixes", 4), ("flag", 3), ("every mix", 5)):
            flag = memory[:, at] < m * lump  # nan (an exhaustive search's day) flags nothing
            fresh = flag & guarded
            column |= {name: fresh[guarded].mean(), f"{name} finds": fresh[fork & guarded].mean(),
                       f"{name} right": fork[fresh].mean()}
        for name, at in (("held flag", 3), ("held", 5)):
            flag = memory[:, at] < m * lump
            column |= {name: flag.mean(), f"{name} finds": flag[fork].mean(), f"{name} right": fork[flag].mean()}
        columns[m] = column
    table = pd.DataFrame(columns)
    table.attrs = {"rep-days": len(envelope), "guarded rep-days": int(guarded.sum()),
                   "no hump margin": float(np.isnan(memory[:, 5]).mean()),
                   "missed optimum": float((memory[guarded, 5] < 0.0).mean())}
    return table


ENGINE_HUMP_ROWS = {
    "envelope": "rep-days: a fork within the margin",
    "crossing": "rep-days: only focus mixes crossing within it",
    "guard": "guarded: the guard's own margin within it",
    "guard's mixes": "guarded: a fork found at the guard's mixes",
    "guard's mixes finds": "... of the envelope's forks on those days",
    "guard's mixes right": "... of its flags, forks",
    "flag": "guarded: a fork found at those and the mixes selling between the chosen one and the fastest",
    "flag finds": "... of the envelope's forks on those days",
    "flag right": "... of its flags, forks",
    "every mix": "guarded: a fork found at every mix",
    "every mix finds": "... of the envelope's forks on those days",
    "every mix right": "... of its flags, forks",
    "held flag": "rep-days: the last guard's fork flag within it",
    "held flag finds": "... of the envelope's forks",
    "held flag right": "... of its flags, forks",
    "held": "rep-days: the last guard's fork (every mix) within it",
    "held finds": "... of the envelope's forks",
    "held right": "... of its flags, forks",
}


def engine_hump_table(path: str = "scenarios/baseline.yaml", lump: float = 4500.0, years: float = 1.0,
                      seed: int = 1) -> str:
    """`engine_hump_days` of a shipped scenario as a Markdown table (docs/model.md); `lump` by default the
    baseline's bonus and the reps' mean goal value."""
    days = engine_hump_days(load_scenario(path, [f"horizon_years={years}"]), lump, seed=seed)
    lines = [markdown_header(["share", *(f"within {m:g} lump" for m in days.columns)])]
    lines += [f"| {label} | " + " | ".join(f"{v:.4f}" for v in days.loc[row]) + " |"
              for row, label in ENGINE_HUMP_ROWS.items()]
    a = days.attrs
    lines.append(f"\n{a['rep-days']} rep-days, {a['guarded rep-days']} guarded; {a['no hump margin']:.4f} without a hump "
                 f"margin (an exhaustive search's day); on {a['missed optimum']:.4f} of guarded rep-days a probe "
                 f"for the hump margin beat the choice")
    return "\n".join(lines)


TYPE_DIFFICULTIES = tuple(np.round(np.arange(0.7, 1.601, 0.025), 3))  # the ladder of `engine_table_flags`
TYPE_READINGS = {"calendar days": "a type at the rep's place, read at the calendar's days left",
                 "days closing inside": "read at the days whose work still closes inside the period",
                 "and effort cost": "also placed by the rep's effort cost (k / lam^2)"}


def _type_maps(plan: dict, difficulties: Sequence[float], margin: float, cut: float,
               **world) -> dict[float, tuple[OneRep, np.ndarray, np.ndarray]]:
    """For each difficulty: the benchmark type's terms and its two flag maps over (days left, deals won), the
    second hump within `margin` lumps (`constant_plan_humps`) and the regret over `cut` lumps (`table_regret`,
    4 Gauss-Hermite nodes: they flag as 12 do on all but a few states in ten thousand, docs/model.md)."""
    efforts = EFFORTS[::5]
    maps = {}
    for difficulty in difficulties:
        terms = _benchmark_terms(plan, difficulty=float(difficulty), **world)
        constant, hump = constant_plan_humps(terms, efforts)
        grid, value = normal_review_values(terms, 2)
        _, regret = table_regret(terms, lambda t, sales, g=grid, v=value: np.interp(sales, g, v[t]), constant, 2,
                                 efforts, nodes=4)
        lump = max(terms.curve[4])
        maps[float(difficulty)] = (terms, hump < margin * lump, regret > cut * lump)
    return maps


def engine_table_flags(scenario: Scenario, lump: float, difficulties: Sequence[float] = TYPE_DIFFICULTIES,
                       margin: float = HUMP_CUT, cut: float = 0.01, seed: int | None = None) -> pd.DataFrame:
    """Can the benchmark rep's flag maps, solved for a ladder of quota `difficulties` on the baseline's plan priced
    like the baseline (`_type_maps`), find the forks of the engine's own reps in a run of `scenario` (the
    envelope's other hump within `margin` x `lump`, as `engine_hump_days` counts them)? Each rep-day reads the
    map of the type nearest its place (its quota over its productivity, against the force's mean ability x
    potential; at a place times the square root of its effort cost over the type's in the last reading, since
    a problem depends on productivity and effort cost only through k / lam^2) at its sales in hand
    (`RepArrays.mu_fixed`, as a share of quota) and its days left, three ways (`TYPE_READINGS`: the
    calendar's days left, or the days whose work still closes inside the period, `Demand.closing_table`'s
    in-period effort-days weighted by the sales a unit of effort brings at the rep's focus mix). Returns per
    reading (rows) and map (columns): the share of rep-days flagged, of the forks found, of its flags that
    are forks. `attrs`: the counts, and where the ladder's flags lie for the forks (the offset, in difficulty,
    from the rep's place to the nearest type whose second-hump map flags the fork's state, read at the days
    closing inside: quantiles 5, 25, 50, 75 and 95, and the share of forks some type flags).

    The types are the baseline's plan's, whatever the scenario's: `scenario` should be the baseline or a
    variant of it on the same plan. What it measures: whether an engine's rep can borrow the flag of a table
    solved for a simpler rep at another difficulty (docs/model.md, "A flag from the table")."""
    if scenario.quota.period != "quarter" or scenario.quota.policy != "fixed":
        raise ValueError(f"the type maps are solved for a fixed quarterly quota; {scenario.name} has "
                         f"{scenario.quota.period!r}, {scenario.quota.policy!r}")
    ladder = np.asarray(difficulties, dtype=float)
    maps = _type_maps(BASELINE_PLAN, ladder, margin, cut, period="quarter", effort_cost=BASELINE_EFFORT_COST)
    engine = Engine(scenario, seed=seed)
    reps, world = engine.reps, engine.world
    days: dict[str, list] = {name: [] for name in ("calendar", "inside", "share", "place", "cost", "fork")}
    for active, values in _chosen_envelopes(engine):
        x = engine.ctx
        weights = world.focus_shares[reps.focus[active]] * (x.leads * x.win * world.deal_value)[None, :]
        potential = reps.ability * reps.potential
        days["calendar"].append(np.full(len(active), float(x.days_left)))
        days["inside"].append((weights * x.din[None, :]).sum(axis=1) / weights.sum(axis=1))
        days["share"].append(reps.mu_fixed[active] / reps.quota[active])
        days["place"].append(scenario.quota.difficulty * potential[active].mean() / reps.productivity[active])
        days["cost"].append(reps.effort_cost[active])
        days["fork"].append(other_hump_margin(values, ENVELOPE_EFFORTS, FORK_APART) < margin * lump)
    d = {name: np.concatenate(parts) for name, parts in days.items()}
    fork = d["fork"]

    def read(at: float, days_left: np.ndarray, which: int, rows: np.ndarray) -> np.ndarray:
        """The map `which` (1: second hump, 2: regret) of the type at difficulty `at`, on the rep-days `rows`."""
        terms, flags = maps[at][0], maps[at][which]
        n = np.clip(np.rint(d["share"][rows] * terms.quota / terms.deal_value).astype(int), 0, flags.shape[1] - 1)
        return flags[np.clip(np.rint(days_left[rows]).astype(int), 1, terms.days), n]

    step = ladder[1] - ladder[0]
    rows = {}
    for name, days_left, place in (("calendar days", d["calendar"], d["place"]),
                                   ("days closing inside", d["inside"], d["place"]),
                                   ("and effort cost", d["inside"],
                                    d["place"] * np.sqrt(d["cost"] / BASELINE_EFFORT_COST))):
        nearest = ladder[np.clip(np.rint((place - ladder[0]) / step).astype(int), 0, len(ladder) - 1)]
        on_ladder = np.abs(place - nearest) <= step / 2
        row = {}
        for which, label in ((1, "second hump"), (2, "regret")):
            flag = np.zeros(len(fork), dtype=bool)
            for at in np.unique(nearest[on_ladder]):
                chosen = on_ladder & (nearest == at)
                flag[chosen] = read(float(at), days_left, which, chosen)
            row |= {f"{label}: flagged": flag.mean(), f"{label}: finds": flag[fork].mean(),
                    f"{label}: right": fork[flag].mean() if flag.any() else np.nan}
        rows[name] = row
    table = pd.DataFrame(rows).T
    by_type = np.array([read(float(at), d["inside"], 1, fork) for at in ladder])  # types x forks
    found = by_type.any(axis=0)
    offsets = [ladder[hit][np.argmin(np.abs(ladder[hit] - place))] - place
               for hit, place in zip(by_type.T[found], d["place"][fork][found])]
    table.attrs = {"rep-days": len(fork), "forks": int(fork.sum()), "forks some type flags": float(found.mean()),
                   "offset quantiles": np.quantile(offsets, [0.05, 0.25, 0.5, 0.75, 0.95]) if offsets else None}
    return table


def engine_table_flag_table(path: str = "scenarios/baseline.yaml", lump: float = 4500.0, years: float = 1.0,
                            seed: int = 1) -> str:
    """`engine_table_flags` of a shipped scenario as a Markdown table (docs/model.md)."""
    flags = engine_table_flags(load_scenario(path, [f"horizon_years={years}"]), lump, seed=seed)
    lines = [markdown_header(["reading", *flags.columns])]
    lines += [f"| {TYPE_READINGS[name]} | " + " | ".join(f"{v:.4f}" for v in row) + " |" for name, row in flags.iterrows()]
    a = flags.attrs
    lines.append(f"\n{a['rep-days']} rep-days, {a['forks']} forks; some type flags {a['forks some type flags']:.3f} of "
                 f"them, at an offset from the rep's place of " + ", ".join(f"{q:+.3f}" for q in a["offset quantiles"])
                 + " (5th, 25th, 50th, 75th, 95th percentiles)")
    return "\n".join(lines)


FORCE_EDGES = (0.8, 0.9, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.4, 1.6, 2.0)


def force_difficulties(scenario: Scenario, seed: int | None = None,
                       edges: Sequence[float] = FORCE_EDGES) -> pd.DataFrame:
    """How hard each rep's quota is in a run of `scenario`, and what the engine's reps do about it: each
    complete rep-period's quota over the rep's own expected sales at unit effort (its ability x territory
    potential x ramp-up at mid-period, against the force's mean ability x potential; a fixed uniform quota is
    the force's expected sales at unit effort times its difficulty), in bins cut at `edges`: the share of
    rep-periods, their mean effort and attainment and the share reaching quota. Read beside the review plans
    on the same plan (`difficulty_table` with the scenario's effort cost): the share of the force inside their
    band is the share of rep-periods whose reps give up a goal a rep that keeps its option to review effort
    would still chase."""
    quota = scenario.quota
    if quota.policy != "fixed" or quota.basis != "uniform":
        raise ValueError(f"a fixed, uniform quota is needed to place reps on quota difficulty; "
                         f"{scenario.name} has policy {quota.policy!r}, basis {quota.basis!r}")
    periods = run(scenario, seed, summary=False).rep_periods
    periods = periods[periods.complete]
    force = scenario.force
    tenure = periods.tenure_days - periods.days / 2  # at mid-period
    ramp = force.ramp_start + (1.0 - force.ramp_start) * np.clip(tenure / max(force.ramp_days, 1), 0.0, 1.0)
    potential = periods.ability * periods.territory_potential
    difficulty = quota.difficulty * potential.mean() / (potential * ramp)
    bins = pd.cut(difficulty, [0.0, *edges, np.inf])
    table = periods.groupby(bins, observed=True).agg(
        rep_periods=("effort", "size"), effort=("effort", "mean"), attainment=("attainment", "mean"),
        made=("attainment", lambda a: float((a >= 1.0).mean())))
    table.insert(1, "share", table.rep_periods / len(periods))
    return table


def force_difficulty_table(path: str = "scenarios/baseline.yaml", seed: int = 1) -> str:
    """`force_difficulties` of a shipped scenario as a Markdown table (docs/model.md)."""
    table = force_difficulties(load_scenario(path), seed)
    lines = [markdown_header(["quota / the rep's output at unit effort", "share of rep-periods", "effort", "attainment",
                              "reach quota"])]
    for interval, row in table.iterrows():
        high = "" if np.isinf(interval.right) else f"{interval.right:g}"
        lines.append(f"| {interval.left:g}-{high} | {row.share:.3f} | {row.effort:.2f} | {row.attainment:.2f} | "
                     f"{row.made:.3f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
    print()
    print(review_table())
    print()
    print(difficulty_table())
    print()
    print(difficulty_table(BASELINE_PLAN, period="quarter", difficulties=BASELINE_DIFFICULTIES))
    print()
    print(difficulty_table(blocks=NORMAL_BLOCKS, difficulties=NORMAL_DIFFICULTIES, belief="normal"))
    print()
    print(shared_table())
    print()
    print(coarse_table())
    print()
    print(difficulty_table(BASELINE_PLAN, period="quarter", difficulties=BASELINE_MATCHED_DIFFICULTIES,
                           belief="normal", effort_cost=BASELINE_EFFORT_COST))
    print()
    print(force_difficulty_table())
    print()
    print(flagged_review_table())
    print()
    print(engine_hump_table())
    print()
    print(risk_table())
    print()
    print(table_flag_table())
    print()
    print(engine_table_flag_table())
