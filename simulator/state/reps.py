"""The reps' state as arrays, one row per position in the force.

A position (slot) is a territory with its own potential and pipeline; the rep holding it may quit
or be fired, and a new hire takes the slot after a vacancy. The Mesa agents (`simulator.sim.rep`)
read and write their own row; the daily phases work on whole columns.
"""

from __future__ import annotations

import numpy as np

from simulator.world.force import TRAITS

HELD_CAPACITY = 32  # ready customers a rep can keep waiting at once
EMPTY = -1  # a free place among a rep's held customers (`held_kind`)


class RepArrays:
    """Every rep's traits, today's decision, beliefs, period books and running averages."""

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
        self.effort_sq_sum = zeros()
        self.focus_sum = np.zeros((n, n_products))
        self.days_active = np.zeros(n, dtype=np.int64)
        self.clawback_due = zeros()
        self.year_sales = zeros()
        self.year_quota = zeros()
        # running averages across periods
        self.typical_sales = zeros()
        self.pay_mean = zeros()
        self.pay_var = zeros()
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
        self.held_kind = np.full((n, HELD_CAPACITY), EMPTY, dtype=np.int64)
        self.held_product = np.zeros((n, HELD_CAPACITY), dtype=np.int64)
        self.held_age = np.zeros((n, HELD_CAPACITY), dtype=np.int64)
        self.held_life = np.zeros((n, HELD_CAPACITY), dtype=np.int64)
        self.cancel_credit = np.zeros((n, cancel_ring))
        self.cancel_revenue = np.zeros((n, cancel_ring))
        self.old_clawback = np.zeros((n, cancel_ring))
        self.old_revenue = np.zeros((n, cancel_ring))

    PERIOD_BOOKS = (
        "sales", "p_revenue", "p_list", "p_discount", "p_deals", "p_by_product", "pulled", "pushed",
        "offered", "refused", "effort_sum", "effort_sq_sum", "focus_sum", "days_active", "clawback_due",
        "p_fabrications", "p_mis_sales", "p_detected",
    )

    def reset_period_books(self, who: np.ndarray) -> None:
        for name in self.PERIOD_BOOKS:
            getattr(self, name)[who] = 0
