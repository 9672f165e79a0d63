"""The day context: what the phases of a day, the decision rules and the levers share.

One `DayContext` lives through a run. It holds the world (fixed), the reps' arrays, the run's
generator, the selling tables in force (a lever may keep per-rep tables of leads, win rates or
cancellation rates), today's place in the calendar with what reps expect of the rest of the
period (`open_day` sets them each morning), and the day's running totals. `Terms` is what the
levers add to the morning's valuation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from simulator.state.reps import Books, RepArrays, Stakes
from simulator.steady import KeepsBundles
from simulator.world.build import World

# slots of `Terms.unit_goals`: goals counted in units rather than $ of sales
PRODUCT_GOAL = 0
ACTIVITY_GOAL = 1


class SideTerms(NamedTuple):
    """`Terms` as the effort kernel takes them."""

    rate: np.ndarray
    spif: np.ndarray
    unit_goals: np.ndarray
    goal_product: int
    goal_rate: np.ndarray


class TimingTerms(NamedTuple):
    """`Terms` as the timing kernel takes them: what a deal earns beside the quota's pay by when
    it lands (`behaviour.timing`)."""

    prize_var: np.ndarray
    spif: np.ndarray  # $ a unit booked today, per product
    spif_end: np.ndarray  # ... booked on the period's last day
    spif_next: np.ndarray  # ... booked on the next period's first day
    unit_goals: np.ndarray
    goal_product: int


@dataclass
class Terms(KeepsBundles):
    """What the levers add to the reps' valuation this morning (all zeros: nothing).

    `rate`: $ a day per unit of effort, per focus mix (activity pay). `spif`: $ per unit booked
    today, per product. `unit_goals`: per rep and unit goal (slot PRODUCT_GOAL or ACTIVITY_GOAL)
    the units expected by the period's end without further effort, their variance, the goal and
    its bonus. `goal_product`: the product whose units the product goal counts. `goal_rate`: per
    focus mix, the activity goal's units a unit of effort adds over the rest of the period.
    `prize`: a contest or team bonus (its amount), and `prize_var`: the extra variance of the line
    it is won at. `spif_end`, `spif_next`: the SPIF's $ a unit on the period's last day and on the
    next period's first (what a deal held or pushed out would earn)."""

    rate: np.ndarray
    spif: np.ndarray
    unit_goals: np.ndarray
    goal_rate: np.ndarray
    prize_var: np.ndarray
    spif_end: np.ndarray
    spif_next: np.ndarray
    goal_product: int = 0
    prize: float = 0.0

    def side(self) -> SideTerms:
        return self.kept(SideTerms, lambda: SideTerms(self.rate, self.spif, self.unit_goals, self.goal_product,
                                                      self.goal_rate))

    def timing(self) -> TimingTerms:
        return self.kept(TimingTerms, lambda: TimingTerms(self.prize_var, self.spif, self.spif_end, self.spif_next,
                                                          self.unit_goals, self.goal_product))

    @classmethod
    def zeros(cls, n_reps: int, n_focus: int, n_products: int) -> "Terms":
        return cls(rate=np.zeros(n_focus), spif=np.zeros(n_products), unit_goals=np.zeros((n_reps, 2, 4)),
                   goal_rate=np.zeros(n_focus), prize_var=np.zeros(n_reps), spif_end=np.zeros(n_products),
                   spif_next=np.zeros(n_products))


class BookingTerms(NamedTuple):
    """What a booking is worth by product, and how it may be cancelled."""

    price: np.ndarray  # $ list revenue a deal
    credit: np.ndarray  # credited $ per $ of net revenue
    margin: np.ndarray  # gross margin share
    cancel_rate: float | np.ndarray  # chance a sale is cancelled (the force's, or each rep's)
    cancel_days: int  # business days within which a cancellation comes


class CustomerTerms(NamedTuple):
    """How ready customers behave toward a rep's timing (`market.customers`)."""

    walk_away: float  # daily chance a held customer walks away
    period_end_discount: float  # the discount a waiting customer waits for
    pull_in_discount: float  # the discount that pulls a deal due next period into this one
    pull_in_acceptance: float  # the chance a customer accepts it
    pull_in_days: int  # how far into next period deals can be pulled from
    bargaining_power: float  # share of a rep's gain from signing now that the customer takes as a further discount
    max_discount: float  # the deepest discount a rep can grant


class Today(NamedTuple):
    """Today's share of the period's work and how present-biased each rep is
    (`behaviour.present_bias`): per product, demand-weighted effort-days of today whose
    opportunities are decided inside the period and after it; per rep, beta (1: no bias)."""

    din: np.ndarray
    aout: np.ndarray
    present_bias: np.ndarray


class Selling(NamedTuple):
    """What a unit of a rep's effort brings today, per product: the tables `behaviour.effort`'s
    focus coefficients read. `din` and `aout`: demand-weighted effort-days of the rest of the
    period whose opportunities are decided inside it and after it; `din_second`: inside the
    second goal's window."""

    productivity: np.ndarray
    leads: np.ndarray
    win: np.ndarray
    deal_value: np.ndarray
    focus_g: np.ndarray
    din: np.ndarray
    aout: np.ndarray
    din_second: np.ndarray


@dataclass
class DayContext(KeepsBundles):
    """The world, the reps and today, as every phase of the day sees them; the bundles its kernels take,
    kept until an attribute they are built from is replaced (`steady.KeepsBundles`)."""

    BUNDLE_SOURCES = frozenset({"world", "reps", "leads", "win", "din", "aout", "din_rest", "aout_rest", "din_second",
                                "work_today", "job_value_today", "dismissed"})

    # Kept with the reps' bundles, under keys of their own: a bundle of the context holds reps' arrays too
    # (`stakes`, `selling`), so replacing one of them must drop it as it drops the reps' own.
    def bundle_store(self) -> dict:
        return self.reps.bundle_store()

    def drop_bundles(self) -> None:
        reps = self.__dict__.get("reps")  # not yet there while the dataclass sets the fields before it
        if reps is not None:
            reps.drop_bundles()

    world: World
    reps: RepArrays
    dice: object  # the day's chance events: the run's stream (`draws.Stream`) or its keyed generator (`simulator.draws`)
    leads: np.ndarray  # opportunities a day per product (or per rep and product)
    win: np.ndarray  # win rate per product (or per rep and product)
    booking: BookingTerms
    today: np.ndarray  # the day's running totals (`selling.pipeline` columns, then list value by product)
    dismissed: np.ndarray  # reps dismissed today
    workspace: tuple  # scratch arrays of the decision search, kept between days
    day: int = 0
    days_left: int = 0  # business days left in the quota period, today included
    second_days_left: int = 0  # ... in the second goal's window (the quota period's without one)
    din: np.ndarray = field(default_factory=lambda: np.zeros(0))  # `Demand.closing_table` today: inside ...
    aout: np.ndarray = field(default_factory=lambda: np.zeros(0))  # ... and after the period
    din_rest: np.ndarray = field(default_factory=lambda: np.zeros(0))  # inside, from tomorrow
    aout_rest: np.ndarray = field(default_factory=lambda: np.zeros(0))  # after, from tomorrow
    din_second: np.ndarray = field(default_factory=lambda: np.zeros(0))  # inside the second goal's window
    demand_var: float = 0.0  # variance share of demand still unknown this period
    block_workspaces: list = field(default_factory=list)  # one `workspace` per block of a threaded decision
    work_today: tuple = ()  # (inside, after): `todays_work`'s arrays, rewritten in place each call
    job_value_today: np.ndarray = field(default_factory=lambda: np.zeros(0))  # `job_values`, rewritten in place
    exact_tables: object = None  # the `exact` rule's solved policies of the period (`behaviour.exact_policy.ExactTables`)

    @property
    def scenario(self):
        return self.world.scenario

    @property
    def period_len(self) -> int:
        return self.world.calendar.length

    @property
    def period_end(self) -> bool:
        return bool(self.world.calendar.is_last_day[self.day])

    @property
    def second_end(self) -> bool:
        second = self.world.second
        return second is not None and bool(second.calendar.is_last_day[self.day])

    def job_value(self, idx) -> np.ndarray:
        """What losing the job costs each rep in `idx`, $: `behaviour.ethics.job_loss_months` of its pay."""
        return self.job_values()[idx]

    def job_values(self) -> np.ndarray:
        """What losing the job costs every rep, $ (`job_value`), written into `job_value_today` in place."""
        pay_mean = self.reps.pay_mean
        if self.job_value_today.shape != pay_mean.shape:
            self.job_value_today = np.empty_like(pay_mean)
        out = self.job_value_today
        np.multiply(pay_mean, 21.0, out=out)
        np.add(self.world.plan.base_salary / 12.0, out, out=out)
        np.multiply(self.scenario.behaviour.ethics.job_loss_months, out, out=out)
        return out

    def books(self) -> Books:
        """What a booking writes into (`selling.pipeline.book`)."""
        return self.reps.books(self.today)

    def customers(self) -> CustomerTerms:
        c = self.scenario.market.customers
        return self.kept((DayContext, CustomerTerms), lambda: CustomerTerms(
            c.walk_away, c.period_end_discount, c.pull_in_discount, c.pull_in_acceptance, c.pull_in_days,
            c.bargaining_power, c.max_discount))

    def stakes(self) -> Stakes:
        r = self.reps
        w = self.world
        return self.kept((DayContext, Stakes), lambda: Stakes(
            r.quota, r.goal, r.nu_next, r.ratchet_w, w.quota_up, w.quota_down, w.decision_curve, w.second_amount,
            r.stack_quota))

    def todays_work(self) -> Today:
        if len(self.work_today) != 2 or self.work_today[0].shape != self.din.shape:
            self.work_today = (np.empty_like(self.din), np.empty_like(self.aout))
        inside, after = self.work_today
        np.subtract(self.din, self.din_rest, out=inside)
        np.subtract(self.aout, self.aout_rest, out=after)
        return self.kept((DayContext, Today), lambda: Today(inside, after, self.reps.present_bias))

    def selling(self, after_today: bool = False) -> Selling:
        """Today's `Selling` tables; `after_today`: for work still to come once today's has closed
        (timing and misconduct are weighed after the day's work)."""
        w = self.world
        return self.kept((DayContext, Selling, after_today), lambda: Selling(
            self.reps.productivity, self.leads, self.win, w.deal_value, w.focus_g,
            self.din_rest if after_today else self.din, self.aout, self.din_second))
