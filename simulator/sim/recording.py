"""Recording a run into arrays: a row per day and a row per rep and quota period.

Rows are written into preallocated arrays by whole columns (per-agent reporters cost more than a
whole vectorised day), and become pandas tables at the end (`tables`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numba import njit

from simulator.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from simulator.conduct import oversight as acts
from simulator.levers import LeverSet
from simulator.selling import pipeline as sp
from simulator.state.context import DayContext
from simulator.world.build import World

DAILY_COLUMNS = (
    "bookings", "discounts", "revenue", "credited", "gross_profit", "deals", "pulled_in", "pushed_out",
    "discount_offers", "discounts_refused", "walkaways", "cancellations", "house_revenue", "credit_cancelled",
    "cancellation_clawback",
)
DAILY_STATE = ("effort", "headcount", "hires", "quits", "fired", "waiting_share", "demand", "exact_share",
               "base_pay", "variable_pay", "trust", "trust_demand", "behind_at_check_in")
BILLING_COLUMNS = ("recurring_revenue", "churned_mrr", "churned_mrr_excess", "active_mrr")
# counts, kept as floats while a run adds to them and written as integers
DAILY_COUNTS = frozenset(("deals", "pulled_in", "pushed_out", "discount_offers", "discounts_refused", "walkaways",
                          "headcount", "hires", "quits", "fired", "fabrications", "mis_sales", "complaints",
                          "detections", "dismissals", "behind_at_check_in"))
PERIOD_COUNTS = frozenset(("deals", "pulled_in", "pushed_out", "discount_offers", "fabrications", "mis_sales",
                           "acts_detected"))


@njit(cache=True, error_model="numpy")
def day_state(active, effort, waiting_share, exact_used, quitting, fired, trust, demand_factor, behind, segment,
              segment_effort):
    """Headcount, mean effort, mean waiting share, exact-valuation share, quits, firings, mean
    trust, mean demand factor from trust, and reps behind at a check-in; each segment's mean effort
    into `segment_effort` (summed rep by rep in order, as `np.bincount` sums its weights)."""
    headcount = 0
    effort_total = 0.0
    exact = 0
    quits = 0
    fires = 0
    late = 0
    members = np.zeros(len(segment_effort), dtype=np.int64)
    segment_effort[:] = 0.0
    for i in range(len(active)):
        quits += quitting[i]
        fires += fired[i]
        if active[i]:
            headcount += 1
            effort_total += effort[i]
            exact += exact_used[i]
            late += behind[i]
            members[segment[i]] += 1
            segment_effort[segment[i]] += effort[i]
    for s in range(len(segment_effort)):
        segment_effort[s] /= max(members[s], 1)
    share = max(headcount, 1)
    return (headcount, effort_total / share, waiting_share.mean(), exact / share, quits, fires, trust.mean(),
            demand_factor.mean(), late)


class Recorder:
    """Collects the daily table and the rep-period table of one run."""

    def __init__(self, world: World, levers: LeverSet):
        k = world.products.k
        self.products = world.products.names
        self.segments = world.composition.names
        self.levers = levers
        self.base_per_day = world.plan.base_per_day
        self.branch = world.branch
        self.demand = world.demand.realised
        self.demand_elasticity = world.scenario.market.trust.demand_elasticity
        self.flow_columns = DAILY_COLUMNS + tuple(f"bookings_{p}" for p in self.products)
        self.segment_columns = tuple(f"effort_{s}" for s in self.segments)
        self.columns = self.flow_columns + acts.DAY_COLUMNS + BILLING_COLUMNS + DAILY_STATE + self.segment_columns
        self.daily = np.zeros((world.n_days, len(self.columns)))
        self.blocks: list[dict[str, np.ndarray | int | bool]] = []  # a settlement's rows, by column
        self.period_of_day = world.calendar.period_of_day
        self.days_left = world.calendar.days_left
        self.variable_pay_today = 0.0
        self.lever_daily: dict[str, np.ndarray] = {}  # columns of the levers from selling practice, when on
        assert len(self.flow_columns) == sp.PRODUCT_COLUMNS + k

    def day(self, x: DayContext, wrongs: np.ndarray, billing: np.ndarray, quitting: np.ndarray,
            leaving: np.ndarray, hires: int, worked: int) -> None:
        """The row of day `x.day`: the day's totals, misconduct (`wrongs`), billing, and the
        force's state after the day (`leaving`: fired or dismissed today)."""
        r = x.reps
        t = x.day
        row = self.daily[t]
        n_flow = len(self.flow_columns)
        n_wrong = len(acts.DAY_COLUMNS)
        row[:n_flow] = x.today
        row[n_flow:n_flow + n_wrong] = wrongs
        n_bill = len(BILLING_COLUMNS)
        row[n_flow + n_wrong:n_flow + n_wrong + n_bill] = billing
        segment_effort = row[-len(self.segments):]
        headcount, effort, waiting, exact, quits, fired, trust, felt, behind = day_state(
            r.active, r.effort, r.waiting_share, r.exact_used, quitting, leaving,
            r.trust, r.trust_felt ** self.demand_elasticity, r.behind, r.segment, segment_effort)
        n_state = len(DAILY_STATE)
        row[n_flow + n_wrong + n_bill:n_flow + n_wrong + n_bill + n_state] = (
            effort, headcount, hires, quits, fired, waiting,
            self.demand[t], exact, self.base_per_day * worked,
            self.variable_pay_today, trust, felt, behind,
        )
        for name, value in self.levers.daily_values().items():
            self.lever_daily.setdefault(name, np.zeros(len(self.daily)))[t] = value
        self.variable_pay_today = 0.0

    def period(self, x: DayContext, idx, full, quota, attainment, base, commission, bonus, clawback,
               quit, fired, dismissed, other_pay: dict | None = None, outside: tuple | None = None,
               parts: dict | None = None) -> None:
        """Rows of the reps `idx` settling on day `x.day`. `other_pay`: the levers' awarded pay by
        column (prizes, team bonuses, draws), added to pay; `outside`: the earned levers' columns
        and their pay (activity pay, unit goals, SPIFs). Both absent when those levers are off.
        `parts`: columns that break down one already counted (churn clawback, part of clawback)."""
        r = x.reps
        t = x.day
        days = r.days_active[idx]
        pay = base + commission + bonus - clawback
        self.variable_pay_today += float((commission + bonus - clawback).sum())
        if other_pay:
            extra = sum(other_pay.values())
            pay = pay + extra
            self.variable_pay_today += float(extra.sum())
        effort_days = np.maximum(r.effort_sum[idx], 1e-12)
        # indexing with the array `idx` copies, so the rows own their values: the books reset after.
        # What all the rows share (period, end day, complete) is kept once and spread at `tables`.
        block = {
            "period": self.period_of_day[t],
            "rep_id": r.rep_id[idx],
            "slot": idx.copy(),
            "segment_index": r.segment[idx],
            "start_day": (t + 1) - days,
            "end_day": t,
            "days": days.copy(),
            "complete": full,
            "quota": quota.copy(),
            "sales": r.sales[idx],
            "revenue": r.p_revenue[idx],
            "list_value": r.p_list[idx],
            "discount": r.p_discount[idx],
            "attainment": attainment.copy(),
            "base": base,
            "commission": commission,
            "bonus": bonus,
            "clawback": clawback,
            "pay": pay,
            "effort": r.effort_sum[idx] / np.maximum(days, 1),
            "deals": r.p_deals[idx],
            "pulled_in": r.pulled[idx],
            "pushed_out": r.pushed[idx],
            "discount_offers": r.offered[idx],
            "quit": quit,
            "fired": fired | dismissed,
            "dismissed_for_misconduct": dismissed,
            "fabrications": r.p_fabrications[idx],
            "mis_sales": r.p_mis_sales[idx],
            "acts_detected": r.p_detected[idx],
            "warnings": r.warnings[idx],
            "integrity": r.integrity_now[idx],
            "norm": r.norm[idx],
            "branch": self.branch[idx],
            "tenure_days": t - r.hire_day[idx],
            "morale": r.morale[idx],
            "territory_potential": r.potential[idx],
            "ability": r.ability[idx],
        }
        focus, by_product = r.focus_sum[idx], r.p_by_product[idx]
        for p, name in enumerate(self.products):
            block[f"focus_{name}"] = focus[:, p] / effort_days
            block[f"sales_{name}"] = by_product[:, p]
        for name, values in (other_pay or {}).items():
            block[name] = np.asarray(values, dtype=float)
        for name, values in (parts or {}).items():
            block[name] = np.asarray(values, dtype=float)
        if outside is not None:
            columns, side = outside
            block.update(columns)
            block["pay"] = pay + side
            self.variable_pay_today += float(side.sum())
        self.blocks.append(block)

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The daily and the rep-period tables, each built in one go from its columns with their
        final dtypes (counts as integers), not cast column by column afterwards."""
        n_days = self.daily.shape[0]
        days = np.arange(n_days)
        columns = {"day": days, "month": days // DAYS_PER_MONTH, "year": days // DAYS_PER_YEAR,
                   "period": self.period_of_day, "days_left": self.days_left}
        for j, name in enumerate(self.columns):
            column = self.daily[:, j]
            columns[name] = column.astype(np.int64) if name in DAILY_COUNTS else column
        columns.update(self.lever_daily)
        daily = pd.DataFrame(columns)
        if not self.blocks:
            return daily, pd.DataFrame({k: [] for k in ("period", "rep_id")})
        columns = {}
        for name in self.blocks[0]:
            column = self._period_column(name)
            columns[name] = column.astype(np.int64) if name in PERIOD_COUNTS else column
        segments = pd.Categorical.from_codes(columns.pop("segment_index"), list(self.segments))
        names = list(columns)  # the performer type goes where the segment's index was
        rows = pd.DataFrame({**{k: columns[k] for k in names[:3]}, "performer_type": segments,
                             **{k: columns[k] for k in names[3:]}})
        return daily, rows

    def _period_column(self, name: str) -> np.ndarray:
        """One column of the rep-period table: the settlements' rows one after another, a value kept
        once for a whole settlement repeated over its rows (with the dtype `np.full` would give)."""
        if np.ndim(self.blocks[0][name]) == 0:
            sizes = [len(b["rep_id"]) for b in self.blocks]
            return np.repeat(np.array([b[name] for b in self.blocks]), sizes)
        return np.concatenate([b[name] for b in self.blocks])
