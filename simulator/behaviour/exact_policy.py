"""The exact within-period effort policy, and the decision rule that follows it where it exists.

Each morning the `forward_looking` rule chooses effort as if the rep would keep it to the period's
end (a constant plan, re-made the next morning). Where the rep's true, dynamic problem is small
enough to solve, it is solved here by backward induction (Bellman 1957) over deals won x days left:

- one product whose opportunities are decided the day they are worked; a unit of effort wins
  Poisson(lam) deals a day of value v; the effort cost is k (2/gamma) e^gamma a day (`effort_cost`);
- pay at the period's end is the plan's own curve (`pay.payout.PayCurve.kernel`, read through
  `valuation.curve_at`): commission, bonus, accelerator, cap, threshold;
- risk-neutral reps, or CARA reps valued in certainty equivalents (exact for exponential utility of
  pay net of effort cost); a goal value as the engine weighs it (a lump at quota: goal value x
  commitment, with any pressure or dismissal threat attached to missing); no demand uncertainty,
  quotas that do not follow sales.

V_0(n) = pay(n v); V_t(n) = max_e [-cost(e) + sum_j Poisson(j; lam e) V_{t-1}(n + j)], e on a grid of
801 points over [0, E_MAX]. `simulator.validation.exact_effort` measures how far the daily rule is
from this policy. The `exact` decision rule (`follow_exact_policy`) adopts it: its table is solved
once a period per rep type (rate of wins, effort cost, quota, risk aversion, goal value) when the
type is first seen, and looked up every day. The scenario schema refuses the rule where a scenario
has more than the solved problem (`scenario.schema.exact_world_problems`), since the table would
answer another problem there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import poisson

from simulator.behaviour.effort import E_MAX
from simulator.behaviour.valuation import curve_at

EFFORTS = np.linspace(0.0, E_MAX, 801)


@dataclass(frozen=True)
class OneRep:
    """The exact problem's terms, as the engine's world sets them."""

    lam: float  # deals a day per unit of effort
    deal_value: float
    effort_cost: float  # k: $ a day at effort e cost k (2 / curvature) e^curvature (`behaviour.effort_cost`)
    days: int  # the period's length
    quota: float
    curve: tuple  # `PayCurve.kernel` form
    curvature: float = 2.0
    risk_aversion: float = 0.0  # CARA per $ of the period's pay net of effort cost, as the engine's reps weigh it
    goal: float = 0.0  # $ the rep adds to pay on reaching the goal (`RepArrays.goal`; `valuation.curve_at`)

    def cost(self, effort: np.ndarray) -> np.ndarray:
        """A day's effort cost, as the engine's reps weigh it."""
        if self.curvature == 2.0:
            return self.effort_cost * effort ** 2
        return self.effort_cost * (2.0 / self.curvature) * effort ** self.curvature

    @property
    def quota_deals(self) -> int:
        return int(np.ceil(self.quota / self.deal_value - 1e-9))

    def pay(self, n: np.ndarray) -> np.ndarray:
        return np.array([curve_at(float(k) * self.deal_value, self.quota, self.curve, self.goal) for k in n])


@dataclass(frozen=True)
class Policy:
    """effort[t, n] and value[t, n] for t days left and n deals won (t = 0: the period is over)."""

    effort: np.ndarray
    value: np.ndarray
    terms: OneRep

    def effort_at(self, days_left: int | np.ndarray, deals: np.ndarray) -> np.ndarray:
        """The policy's effort with `days_left` days to go (today included) after `deals` won."""
        return self.effort[days_left, np.clip(deals, 0, self.effort.shape[1] - 1)]


def transitions(terms: OneRep, efforts: np.ndarray, jumps: int) -> np.ndarray:
    """P(j deals won in a day) at each effort, j = 0..jumps."""
    return poisson.pmf(np.arange(jumps + 1)[None, :], terms.lam * np.asarray(efforts)[:, None])


def state_sizes(terms: OneRep) -> tuple[int, int]:
    """The counts of deals a period can reach, and the largest day's count kept."""
    top = terms.lam * E_MAX
    jumps = int(top + 10.0 * np.sqrt(top) + 15)
    return jumps * terms.days + 1, jumps


def certainty_equivalent(expect: Callable[[np.ndarray], np.ndarray], ahead: np.ndarray,
                         risk_aversion: float) -> np.ndarray:
    """The certainty equivalent of tomorrow's values ahead[state, deals won today] under the day's odds
    (`expect` takes the expectation over its last axis): the mean for a risk-neutral rep; for a CARA rep
    -log E[exp(-r V)] / r, exact for exponential utility of pay net of effort cost (Pratt 1964), shifted by
    each state's lowest value so that no exponential overflows."""
    if risk_aversion == 0.0:
        return expect(ahead)
    low = ahead.min(axis=1)
    return low - np.log(expect(np.exp(-risk_aversion * (ahead - low[:, None])))) / risk_aversion


def solve(terms: OneRep) -> Policy:
    """Backward induction over (days left, deals won), in certainty equivalents for a risk-averse rep."""
    states, jumps = state_sizes(terms)
    n = np.arange(states + jumps)
    value = np.zeros((terms.days + 1, states + jumps))
    effort = np.zeros((terms.days + 1, states))
    value[0] = terms.pay(n)
    step = transitions(terms, EFFORTS, jumps)
    cost = terms.cost(EFFORTS[:, None])
    for t in range(1, terms.days + 1):
        ahead = np.lib.stride_tricks.sliding_window_view(value[t - 1], jumps + 1)[:states]
        total = certainty_equivalent(lambda x: step @ x.T, ahead, terms.risk_aversion) - cost
        best = total.argmax(axis=0)
        effort[t] = EFFORTS[best]
        value[t, :states] = total[best, np.arange(states)]
        value[t, states:] = value[t, states - 1]  # beyond any count the period can reach: padding only
    return Policy(effort, value[:, :states], terms)


# ------------------------------------------------------------------------------ the `exact` rule

class ExactTables:
    """The exact policy for each rep type of this period, solved the first day the type decides. A type is
    a rep's rate of wins, effort cost, quota, risk aversion and goal value: reps equal in all five share
    one solve. The tables are dropped at each period's start (goal values and quotas move between
    periods, and a run would otherwise keep every period's tables)."""

    def __init__(self, world, curvature: float):
        self.world = world
        self.curvature = curvature
        self.policies: dict[tuple, Policy] = {}

    def effort(self, reps, leads: np.ndarray, win: np.ndarray, idx: np.ndarray, days_left: int) -> np.ndarray:
        """Today's effort of reps `idx`, looked up at their days left and deals won (a loop over types, not reps)."""
        w = self.world
        if days_left == w.period_len:
            self.policies.clear()
        value = float(w.deal_value[0])
        lam = reps.productivity[idx] * _per_rep(leads, idx) * _per_rep(win, idx) * w.focus_g[reps.focus[idx], 0]
        types = np.column_stack([lam, reps.effort_cost[idx], reps.quota[idx], reps.risk_aversion[idx], reps.goal[idx]])
        unique, which = np.unique(types, axis=0, return_inverse=True)
        deals = np.rint(reps.sales[idx] / value).astype(np.int64)
        out = np.empty(len(idx))
        for k, row in enumerate(unique):
            key = tuple(float(v) for v in row)
            policy = self.policies.get(key)
            if policy is None:
                rate, cost, quota, risk, goal = key
                policy = self.policies[key] = solve(OneRep(rate, value, cost, int(w.period_len), quota,
                                                           w.decision_curve, self.curvature, risk, goal))
            mine = which.ravel() == k
            out[mine] = policy.effort_at(days_left, deals[mine])
        return out


def _per_rep(table: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The one product's column of a per-product (or per-rep-and-product) selling table."""
    return table[idx, 0] if table.ndim == 2 else np.full(len(idx), table[0])
