"""Activities reps log (calls, demos, visits, follow-ups): the work effort produces, activity pay and
an activity target, the padding they invite, and the audits that find some of it.

Activity pay is behaviour-based control (Anderson and Oliver 1987): reps weigh it beside
commission, so it raises effort; a count that can be inflated will be (Kerr 1975), so a rep pads
the log where what padding brings (pay, the target's bonus times the gain in the chance of
reaching it) beats its moral cost and the expected sanction. Nothing here runs, and no random
number is drawn, unless the scenario defines `market.activities`. docs/model.md.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from simulator.behaviour.misconduct import believed, todays_ethics
from simulator.behaviour.valuation import ncdf
from simulator.calendar import PERIOD_DAYS
from simulator.draws import PAD, PAD_AUDIT, PAD_FOUND, binomial, uniform
from simulator.levers.base import Lever, Settlement, StaticPrice
from simulator.state.context import ACTIVITY_GOAL, DayContext, Terms
from simulator.steady import SteadyCall
from simulator.world.build import World

DAILY = ("activities", "activities_logged", "activities_padded", "padding_found", "padding_clawback")


class Kinds(NamedTuple):
    """Per kind of activity: activities a day per unit of effort, the product whose focus share
    produces them (-1: all effort), $ of activity pay each, and invented ones a rep could log a day."""

    per_effort: np.ndarray
    product: np.ndarray
    pay: np.ndarray
    cap: np.ndarray


class Log(NamedTuple):
    """Per rep and kind, this period: activities really done, logged, padded and found padded;
    and padding an audit could still find, by day in the audit window (a ring)."""

    real: np.ndarray
    logged: np.ndarray
    padded: np.ndarray
    found: np.ndarray
    ring: np.ndarray


class Padding(NamedTuple):
    """What padding the log costs: the moral cost per invented activity (before integrity and
    norm), the noise on taking it, warnings before dismissal, the chance an audit comes while
    today's padding is within its window, and the chance it finds each invented activity."""

    moral: float
    noise: float
    warnings_before_firing: int
    p_window: float
    catch: float


class Target(NamedTuple):
    """An activity target: its kind (-1: none), each rep's target this period and the bonus."""

    activity: int
    count: np.ndarray
    bonus: float


@njit(cache=True, error_model="numpy")
def log_day(slot, active, effort, focus, shares, kinds, log, ethics, padding, target, days_after, totals, rng):
    """Each active rep's activities today: what its effort did, and how many it pads the log with
    (the n in 0..cap with the best net value n x pay x (1 - p_n) - n x moral - p_n x sanction, p_n
    the chance an audit finds at least one of them; logistic noise on taking it). For the
    activity target's kind the value adds (1 - p_n) x bonus x the gain in the chance of reaching
    the rep's target by the period's end, counting the log so far (less padding found) and
    today's pace over the days left after today. (`ethics`: `behaviour.misconduct.Ethics`.)"""
    per_effort, product, pay, cap = kinds
    real, logged, padded, found_log, ring = log
    integrity, norm, warnings, _, job_cost, belief, _ = ethics
    moral, noise, warnings_before_firing, p_window, catch = padding
    target_a, target, target_bonus = target
    ring[:, :, slot] = 0  # padding older than the audit window is out of reach
    for i in range(len(active)):
        if not active[i]:
            continue
        moral_i = moral * integrity[i] * (1.0 - norm[i])
        sanction = job_cost[i] if warnings[i] >= warnings_before_firing else 0.1 * job_cost[i]
        for a in range(len(per_effort)):
            p = product[a]
            done = effort[i] * per_effort[a] * (shares[focus[i], p] if p >= 0 else 1.0)
            real[i, a] += done
            logged[i, a] += done
            totals[0] += done
            totals[1] += done
            aimed = a == target_a and target_bonus > 0.0
            if (pay[a] <= 0.0 and not aimed) or cap[a] <= 0:
                continue
            if aimed:  # the belief about the period's count, as in `behaviour.effort.unit_goal_value`
                s = math.sqrt(done * days_after + 0.25)
                short = target[i] - (logged[i, a] - found_log[i, a] + done * days_after)
                p_reach = ncdf(-short / s)
            best_n = 0
            best = 0.0
            for n in range(1, cap[a] + 1):
                found = believed(p_window * (1.0 - (1.0 - catch) ** n), belief[i])
                value = n * pay[a] * (1.0 - found) - n * moral_i - found * sanction
                if aimed:
                    value += (1.0 - found) * target_bonus * (ncdf((n - short) / s) - p_reach)
                if value > best:
                    best = value
                    best_n = n
            u = uniform(rng, i, PAD)
            if best_n == 0 or best + noise * math.log(u / (1.0 - u)) <= 0.0:
                continue
            logged[i, a] += best_n
            padded[i, a] += best_n
            ring[i, a, slot] += best_n
            totals[1] += best_n
            totals[2] += best_n


@njit(cache=True, error_model="numpy")
def audit_day(slot, active, audit_rate, padding, pay, log, clawback, warnings, dismissed, totals, rng):
    """Audits of the activity log: an audited rep's padding in the window is found, each with
    chance `padding.catch` (oldest first); found padding is clawed back and the rep warned, or
    dismissed after `padding.warnings_before_firing` warnings."""
    catch, warnings_before_firing = padding.catch, padding.warnings_before_firing
    ring, found = log.ring, log.found
    window = ring.shape[2]
    for i in range(len(active)):
        if not active[i] or uniform(rng, i, PAD_AUDIT) >= audit_rate:
            continue
        caught = 0
        for a in range(ring.shape[1]):
            total = 0
            for d in range(window):
                total += ring[i, a, d]
            if total == 0:
                continue
            n_found = binomial(rng, i, PAD_FOUND, total, catch)
            if n_found == 0:
                continue
            caught += n_found
            found[i, a] += n_found
            clawback[i] += n_found * pay[a]
            totals[3] += n_found
            totals[4] += n_found * pay[a]
            left = n_found
            for d in range(1, window + 1):  # oldest first: the slot after today's is the oldest
                s = (slot + d) % window
                take = min(left, ring[i, a, s])
                ring[i, a, s] -= take
                left -= take
                if left == 0:
                    break
        if caught > 0:
            warnings[i] += 1
            if warnings[i] > warnings_before_firing:
                dismissed[i] = True


# called every day with the same objects: past numba's dispatch (`simulator.steady`)
_log_day = SteadyCall(log_day)
_audit_day = SteadyCall(audit_day)


class Activities(Lever):
    """Every rep's activities this period (done, logged, padded, found by audits), the padding an
    audit could still find, activity pay and an activity target (a unit goal, slot ACTIVITY_GOAL).
    Writes the reps' `warnings` and the day's dismissals."""

    name = "activities"

    def __init__(self, world: World, n: int):
        scenario = world.scenario
        acts = scenario.market.activities
        self.names = tuple(acts)
        k = len(self.names)
        self.per_effort = np.array([acts[a].per_effort for a in self.names], dtype=float)
        self.product = np.array([world.products.names.index(acts[a].product) if acts[a].product else -1
                                 for a in self.names], dtype=np.int64)
        self.cap = np.array([acts[a].padding_per_day for a in self.names], dtype=np.int64)
        scale = scenario.plan.variable_scale  # equal-cost calibration scales activity pay like the curve's
        self.pay = scale * np.array([scenario.plan.activity_pay.get(a, 0.0) for a in self.names], dtype=float)
        d = scenario.management.detection
        self.audit_rate, self.catch = d.audit_rate, d.audit_catch
        self.p_window = 1.0 - (1.0 - d.audit_rate) ** d.audit_window_days  # audited while today's padding is in reach
        self.real = np.zeros((n, k))
        self.logged = np.zeros((n, k))
        self.padded = np.zeros((n, k), dtype=np.int64)
        self.found = np.zeros((n, k), dtype=np.int64)
        self.clawback = np.zeros(n)
        self.ring = np.zeros((n, k, d.audit_window_days), dtype=np.int64)
        self.today = np.zeros(len(DAILY))
        target = scenario.plan.activity_target
        self.target_a = self.names.index(target.activity) if target is not None else -1
        self.target_bonus = scale * target.bonus if target is not None else 0.0
        self.target_count = target.count if target is not None else 0.0
        self.no_target = np.zeros(n)
        # what the kernels take, the same objects every day (`simulator.steady`): the targets are written in place
        self.kinds = Kinds(self.per_effort, self.product, self.pay, self.cap)
        self.log = Log(self.real, self.logged, self.padded, self.found, self.ring)
        e = scenario.behaviour.ethics
        self.padding = Padding(e.moral_cost * e.padding_moral_share, e.noise,
                               scenario.management.sanctions.warnings_before_firing, self.p_window, self.catch)
        self.target_now = Target(self.target_a, self.no_target if target is None else np.zeros(n), self.target_bonus)
        aimed = np.arange(k) == self.target_a
        self.padding_possible = bool(np.any(((self.pay > 0) | (aimed & (self.target_bonus > 0))) & (self.cap > 0)))
        self.owner = np.zeros(n, dtype=np.int64)  # whose log each position holds
        self.after_sales = np.array([acts[a].after_sales for a in self.names], dtype=np.bool_)
        self.follow_ups = np.zeros(n)  # after-sales follow-ups each rep did today (`simulator.levers.training`)
        # $ a day per unit of effort from activity pay, per focus mix
        shares = world.focus_shares
        self.rate = np.zeros(len(shares))
        for a in range(k):
            produced = shares[:, self.product[a]] if self.product[a] >= 0 else np.ones(len(shares))
            self.rate += self.pay[a] * self.per_effort[a] * produced
        self.target = target
        if target is not None:  # the target's activities a day per unit of effort, per focus mix
            a = self.target_a
            self.target_per_day = self.per_effort[a] * (shares[:, self.product[a]] if self.product[a] >= 0
                                                        else np.ones(len(shares)))
            self.goal_rate = np.zeros(len(shares))  # `add_terms`

    @classmethod
    def build(cls, world: World, rng: np.random.Generator, built: dict) -> Activities | None:
        return cls(world, world.scenario.force.size) if world.scenario.market.activities else None

    def add_terms(self, ctx: DayContext, terms: Terms) -> None:
        terms.rate = self.rate
        if self.target is None:
            return
        held = ctx.reps.quota_days / ctx.period_len  # goals are cut to the part of the period a rep holds the job
        goal = terms.unit_goals[:, ACTIVITY_GOAL]
        goal[:, 0] = self.count(slice(None), self.target_a)
        goal[:, 2] = self.target.count * held
        goal[:, 3] = self.target_bonus
        terms.goal_rate = np.multiply(ctx.days_left, self.target_per_day, out=self.goal_rate)  # in place, as `rate`

    def end_work(self, ctx: DayContext) -> None:
        """Log today's activities, then audit the logs."""
        r = ctx.reps
        slot = ctx.day % self.ring.shape[2]
        self.today[:] = 0.0
        newcomer = r.rep_id != self.owner  # a new hire's log starts clean
        if newcomer.any():
            self.ring[newcomer] = 0
            self.owner[:] = r.rep_id
        shares = ctx.world.focus_shares
        self.targets(ctx)
        _log_day(slot, r.active, r.effort, r.focus, shares, self.kinds, self.log, todays_ethics(ctx), self.padding,
                 self.target_now, ctx.days_left - 1, self.today, ctx.dice)
        if self.after_sales.any():
            share = np.where(self.product[None, :] >= 0, shares[r.focus][:, np.maximum(self.product, 0)], 1.0)
            done = r.effort[:, None] * self.per_effort[None, :] * share
            self.follow_ups[:] = np.where(r.active, done[:, self.after_sales].sum(axis=1), 0.0)
        if self.padding_possible and self.audit_rate > 0.0:
            _audit_day(slot, r.active, self.audit_rate, self.padding, self.pay, self.log, self.clawback, r.warnings,
                       ctx.dismissed, self.today, ctx.dice)

    def targets(self, ctx: DayContext) -> np.ndarray:
        """Each rep's activity target this period, cut to the part of the period it holds the job, written into
        the target the logging kernel takes (`target_now`)."""
        if self.target_a < 0:
            return self.no_target
        out = self.target_now.count
        np.multiply(self.target_count, ctx.reps.quota_days, out=out)
        return np.divide(out, ctx.period_len, out=out)

    def count(self, idx, a: int) -> np.ndarray:
        """Reps' logged count of activity `a` this period, net of padding audits found."""
        return self.logged[idx, a] - self.found[idx, a]

    def settle(self, ctx: DayContext, idx: np.ndarray, days: np.ndarray, full: bool,
               variable: np.ndarray) -> Settlement:
        """The period's activity target (its count, target, bonus, and the activities of its kind
        really done and padded), activity columns and activity pay (net of padding clawed back);
        the counts start again."""
        columns: dict[str, np.ndarray] = {}
        bonus = None
        if self.target is not None:
            a = self.target_a
            count = self.count(idx, a)
            target = self.target.count * days / ctx.period_len  # the days it held the job
            bonus = np.where(ctx.period_end & (count >= target - 1e-9), self.target_bonus, 0.0)
            columns.update(activity_target_count=count, activity_target=target, activity_target_bonus=bonus,
                           activity_target_done=self.real[idx, a].copy(),
                           activity_target_padded=self.padded[idx, a].astype(float))
        pay = self.logged[idx] @ self.pay - self.clawback[idx]
        columns.update({
            "activities": self.real[idx].sum(axis=1),
            "activities_logged": self.logged[idx].sum(axis=1),
            "activities_padded": self.padded[idx].sum(axis=1),
            "padding_found": self.found[idx].sum(axis=1),
            "activity_pay": pay,
        })
        for a, name in enumerate(self.names):
            columns[f"logged_{name}"] = self.logged[idx, a].copy()
        for arr in (self.real, self.logged, self.padded, self.found, self.clawback):
            arr[idx] = 0
        return Settlement(columns, pay if bonus is None else bonus + pay)

    def daily_values(self) -> dict[str, float]:
        return dict(zip(DAILY, self.today))

    @classmethod
    def static_pay(cls, scenario, rows, variable) -> StaticPrice:
        """$ per logged activity on the activities logged in `rows` (padding found is not known
        there), and the target's bonus on complete periods whose count reached it."""
        plan = scenario.plan
        pay = {name: rate * plan.variable_scale for name, rate in plan.activity_pay.items() if rate}
        target = plan.activity_target if plan.activity_target is not None and plan.activity_target.bonus > 0 else None
        needed = set(pay) | ({target.activity} if target else set())
        if not needed:
            return StaticPrice(None)
        missing = sorted(name for name in needed if f"logged_{name}" not in rows)
        if missing:
            return StaticPrice(None, f"the current plan's runs do not log {', '.join(missing)}")
        out = np.zeros(len(rows))
        for name, rate in pay.items():
            out += rate * rows[f"logged_{name}"].to_numpy(dtype=float)
        if target is not None:
            goal = target.count * rows["days"].to_numpy() / PERIOD_DAYS[scenario.quota.period]
            made = rows["complete"].to_numpy() & (rows[f"logged_{target.activity}"].to_numpy(dtype=float) >= goal - 1e-9)
            out += np.where(made, target.bonus * plan.variable_scale, 0.0)
        return StaticPrice(out)
