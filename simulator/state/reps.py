"""The reps' state as arrays, one row per position in the force, and the bundles the kernels take.

A position (slot) is a territory with its own potential and pipeline; the rep holding it may quit
or be fired, and a new hire takes the slot after a vacancy. The Mesa agents (`simulator.sim.rep`)
read and write their own row; the daily phases work on whole columns. A kernel takes its arrays in
a few named bundles (NamedTuples of these arrays, which numba compiles like arrays), the same bundle
object day after day while its arrays stay the same (`simulator.steady`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from simulator.steady import KeepsBundles
from simulator.world.force import TRAITS

HELD_CAPACITY = 32  # places for held customers each rep starts with; widened on a day that needs more (`make_room_to_hold`)
EMPTY = -1  # a free place among a rep's held customers (`held_kind`)


class Books(NamedTuple):
    """What a booking writes into (`selling.pipeline.book`): the period's books per rep, this
    month's revenue by product, cancellations to come, and the day's running totals."""

    sales: np.ndarray  # credited, net of cancellations inside the period
    revenue: np.ndarray
    list_value: np.ndarray
    discount: np.ndarray
    deals: np.ndarray
    by_product: np.ndarray  # credited, by product
    month_revenue: np.ndarray  # (reps, products)
    cancel_credit: np.ndarray  # (reps, cancellation ring)
    cancel_revenue: np.ndarray
    today: np.ndarray  # the day's totals (`selling.pipeline` columns)


class Held(NamedTuple):
    """Ready customers a rep keeps waiting: kind (`selling.pipeline` FLEXIBLE ... or EMPTY), product,
    days held and days they will wait."""

    kind: np.ndarray
    product: np.ndarray
    age: np.ndarray
    life: np.ndarray
    top: np.ndarray  # per rep, past the last place in use: the places from there on are free


class Pipeline(NamedTuple):
    """Open opportunities by decision day (a ring) and product, their hidden outcomes, those decided
    within the quota period and the second goal's window, and the customers who declined today."""

    open_total: np.ndarray
    open_won: np.ndarray
    in_period: np.ndarray
    in_second: np.ndarray
    lost_today: np.ndarray


class Outlook(NamedTuple):
    """Each rep's belief about its period's end before today's work (`selling.pipeline.pipeline_outlook`)."""

    pipe_count: np.ndarray  # open opportunities decided within the period, by product
    mu_fixed: np.ndarray  # expected credited sales: booked, held and the pipeline
    var_fixed: np.ndarray
    booked: np.ndarray  # booked and held
    mu_second: np.ndarray  # the same over the second goal's window
    var_second: np.ndarray


class Stakes(NamedTuple):
    """What the plan puts at stake for each rep this period, as the kernels weigh it: the quota, the
    goal's value, the value of a sale that counts next period, the ratchet's weight and how next
    quota moves with this period's sales, the pay curve (`pay.payout.PayCurve.kernel`), and the
    second goal's prize and each rep's line for it."""

    quota: np.ndarray
    goal: np.ndarray
    nu_next: np.ndarray
    ratchet_w: np.ndarray
    quota_up: float
    quota_down: float
    curve: tuple
    second_amount: float
    second_line: np.ndarray


class EffortCost(NamedTuple):
    """What effort costs each rep: a day at effort e costs scale (2 / curvature) e^curvature
    (`behaviour.effort_cost`)."""

    scale: np.ndarray
    curvature: float


class Choice(NamedTuple):
    """Today's effort and focus (yesterday's on entry to the search: its warm start), the value
    found, which valuation and search were used, and the guard's memory (`behaviour.effort`)."""

    effort: np.ndarray
    focus: np.ndarray
    value: np.ndarray
    exact_used: np.ndarray
    exhaustive_used: np.ndarray
    guard_memory: np.ndarray


class Timing(NamedTuple):
    """The period's timing counts per rep: deals pulled in and pushed out, discounts offered and refused."""

    pulled: np.ndarray
    pushed: np.ndarray
    offered: np.ndarray
    refused: np.ndarray


def with_hump_columns(guard_memory: np.ndarray, every_mix: bool = True) -> np.ndarray:
    """A guard memory (margin, expected sales, day of the last guard) with the hump margins' columns after
    it, nan until the guard measures them (`RepArrays.track_humps`): the fork flag's, and with `every_mix`
    also the guard's own mixes' and every mix's (`behaviour.effort.HUMP_MARKERS`)."""
    width = 3 if every_mix else 1
    return np.column_stack([guard_memory[:, :3], np.full((len(guard_memory), width), np.nan)])


class RepArrays(KeepsBundles):
    """Every rep's traits, today's decision, beliefs, period books and running averages; the bundles of
    them its kernels take, kept until an array is replaced (`steady.KeepsBundles`)."""

    def __init__(self, n: int, n_products: int, ring: int, cancel_ring: int):
        self.n = n
        zeros = lambda: np.zeros(n)  # noqa: E731
        # who holds the position
        self.active = np.zeros(n, dtype=np.bool_)
        self.rep_id = np.zeros(n, dtype=np.int64)
        self.segment = np.zeros(n, dtype=np.int64)
        self.hire_day = np.zeros(n, dtype=np.int64)
        self.vacant_until = np.full(n, -1, dtype=np.int64)
        self.potential = np.ones(n)
        for trait in TRAITS:
            setattr(self, trait, zeros())
        # today's decision and what went into it
        self.productivity = zeros()
        self.effort = np.ones(n)
        self.focus = np.zeros(n, dtype=np.int64)
        self.value = zeros()
        self.exact_used = np.zeros(n, dtype=np.bool_)
        self.exhaustive_used = np.zeros(n, dtype=np.bool_)
        self.guard_memory = np.full((n, 3), -1.0)  # margin, expected sales and day of the last guard
        self.full_search = np.ones(n, dtype=np.bool_)
        self.goal = zeros()  # goal value x commitment, $ per goal
        self.mu_fixed = zeros()
        self.var_fixed = zeros()
        self.booked = zeros()
        self.pipe_count = np.zeros((n, n_products))
        self.mu_stack = zeros()
        self.var_stack = zeros()
        self.nu_next = zeros()
        self.ratchet_w = zeros()
        # the period's books
        self.quota = zeros()
        self.quota_days = np.ones(n, dtype=np.int64)
        self.carried = zeros()  # shortfall carried into this period's quota
        self.start_quota = zeros()
        self.stack_quota = np.ones(n)
        self.sales = zeros()  # credited, net of cancellations inside the period
        self.stack_sales = zeros()
        self.p_revenue = zeros()
        self.p_list = zeros()
        self.p_discount = zeros()
        self.p_deals = zeros()
        self.p_by_product = np.zeros((n, n_products))
        self.pulled = zeros()
        self.pushed = zeros()
        self.offered = zeros()
        self.refused = zeros()
        self.effort_sum = zeros()
        self.effort_cost_units = zeros()  # the period's effort cost in units of the rep's k (`effort_cost.cost`)
        self.focus_sum = np.zeros((n, n_products))
        self.days_active = np.zeros(n, dtype=np.int64)
        self.clawback_due = zeros()
        self.year_sales = zeros()
        self.year_quota = zeros()
        # running averages across periods
        self.typical_sales = zeros()
        self.pay_mean = zeros()
        self.beside_mean = zeros()  # pay beside the plan's curve a day (stacked bonus, levers, clawbacks)
        self.beside_var = zeros()
        self.effort_cost_mean = zeros()
        self.morale = np.ones(n)
        self.commitment = np.ones(n)
        self.misses = np.zeros(n, dtype=np.int64)
        self.miss_rate = zeros()  # running share of periods missed, for firing rules
        self.waiting_share = zeros()  # customers of this territory who wait for a discount
        # pipeline by decision day, held customers, cancellations to come
        self.open_total = np.zeros((n, ring, n_products), dtype=np.int64)
        self.open_won = np.zeros((n, ring, n_products), dtype=np.int64)
        self.in_period = np.zeros((n, n_products), dtype=np.int64)  # open, decided within the period
        self.in_stack = np.zeros((n, n_products), dtype=np.int64)  # open, decided within the stacked period
        self.lost_today = np.zeros((n, n_products), dtype=np.int64)  # customers who declined today
        # ethics and climate
        self.integrity_now = zeros()  # integrity after erosion and recovery (the trait is where it recovers to)
        self.norm = zeros()  # how acceptable misconduct looks where the rep works, 0-1
        self.warnings = np.zeros(n, dtype=np.int64)
        self.acted_today = np.zeros(n, dtype=np.bool_)
        self.caught_today = np.zeros(n, dtype=np.bool_)
        self.seen_acting = zeros()  # running share of recent days the rep was seen cheating
        self.seen_caught = zeros()  # ... and seen caught
        self.exposure = zeros()  # share of colleagues seen cheating unpunished
        self.pressure = zeros()  # $ being behind at a check-in costs, under this position's manager
        self.tolerance = zeros()  # this position's manager's tolerance of misconduct
        self.behind = np.zeros(n, dtype=np.bool_)  # behind the pro-rated goal at today's check-in
        self.p_fabrications = zeros()
        self.p_mis_sales = zeros()
        self.p_detected = zeros()
        self.last_rate = zeros()  # commission per credited $ in the last settled period
        self.trust = np.ones(n)  # customers' trust in the firm in this territory
        self.trust_felt = np.ones(n)  # trust as demand has caught up with it
        # subscriptions (business_model: subscription)
        self.month_revenue = np.zeros((n, n_products))  # net revenue booked this month
        self.month_cancelled = zeros()  # revenue cancelled this month
        self.mrr = np.zeros((n, n_products))  # monthly recurring revenue of the territory's customers
        self.mrr_mis_sold = np.zeros((n, n_products))  # ... of customers who did not need it
        # narrow types (7 bytes a place): a busy territory may need hundreds of places, and the tables
        # are as wide as the busiest rep's; days held fit int16 (MAX_DAYS is 12,600)
        self.held_kind = np.full((n, HELD_CAPACITY), EMPTY, dtype=np.int8)
        self.held_product = np.zeros((n, HELD_CAPACITY), dtype=np.int16)
        self.held_age = np.zeros((n, HELD_CAPACITY), dtype=np.int16)
        self.held_life = np.zeros((n, HELD_CAPACITY), dtype=np.int16)
        self.held_top = np.zeros(n, dtype=np.int64)  # loops over a rep's held customers stop here
        self.cancel_credit = np.zeros((n, cancel_ring))
        self.cancel_revenue = np.zeros((n, cancel_ring))
        self.old_clawback = np.zeros((n, cancel_ring))
        self.old_revenue = np.zeros((n, cancel_ring))

    def books(self, today: np.ndarray) -> Books:
        books = self.kept(Books, lambda: Books(
            self.sales, self.p_revenue, self.p_list, self.p_discount, self.p_deals, self.p_by_product,
            self.month_revenue, self.cancel_credit, self.cancel_revenue, today))
        return books if books.today is today else books._replace(today=today)

    def held(self) -> Held:
        return self.kept(Held, lambda: Held(self.held_kind, self.held_product, self.held_age, self.held_life,
                                            self.held_top))

    def make_room_to_hold(self, needed: int) -> None:
        """Widen the held-customer tables to at least `needed` places a rep (doubling, so it happens
        rarely). A fixed width would be a hidden limit on behaviour: a customer who found no free
        place signed at once, at list price, so a full table cut the period-end rush short."""
        width = self.held_kind.shape[1]
        if needed <= width:
            return
        while width < needed:
            width *= 2
        for name, fill in (("held_kind", EMPTY), ("held_product", 0), ("held_age", 0), ("held_life", 0)):
            old = getattr(self, name)
            wide = np.full((old.shape[0], width), fill, dtype=old.dtype)
            wide[:, :old.shape[1]] = old
            setattr(self, name, wide)

    def pipeline(self) -> Pipeline:
        return self.kept(Pipeline, lambda: Pipeline(self.open_total, self.open_won, self.in_period, self.in_stack,
                                                    self.lost_today))

    def outlook(self) -> Outlook:
        return self.kept(Outlook, lambda: Outlook(self.pipe_count, self.mu_fixed, self.var_fixed, self.booked,
                                                  self.mu_stack, self.var_stack))

    def track_humps(self, every_mix: bool = True) -> None:
        """Have the guard also record the hump margins it finds (`effort.distant_check`) after the three
        columns of `guard_memory` (nan until it runs): the fork flag's (its own focus mixes and those selling
        between the chosen one and the fastest in-period seller), and with `every_mix` also over its own mixes
        alone and over every mix. A measurement, off by default because it costs valuations
        (`validation.exact_effort.engine_hump_days`, `python -m benchmarks.decide --track-humps`); it changes
        no choice."""
        self.guard_memory = with_hump_columns(self.guard_memory, every_mix)

    def choice(self) -> Choice:
        return self.kept(Choice, lambda: Choice(self.effort, self.focus, self.value, self.exact_used,
                                                self.exhaustive_used, self.guard_memory))

    def timing(self) -> Timing:
        return self.kept(Timing, lambda: Timing(self.pulled, self.pushed, self.offered, self.refused))

    def reset_period_books(self, who: np.ndarray) -> None:
        """Open a new period's books for the reps at indices `who`: what they sold, were paid and did
        this period goes back to zero (one compiled pass: at a daily quota this runs every day)."""
        _zero_books(who, (self.sales, self.p_revenue, self.p_list, self.p_discount, self.p_deals, self.pulled,
                          self.pushed, self.offered, self.refused, self.effort_sum, self.effort_cost_units,
                          self.clawback_due, self.p_fabrications, self.p_mis_sales, self.p_detected),
                    (self.p_by_product, self.focus_sum), self.days_active)


@njit(cache=True)
def _zero_books(who, flat, wide, days_active):
    for i in who:
        for column in flat:
            column[i] = 0.0
        for table in wide:
            table[i, :] = 0.0
        days_active[i] = 0
