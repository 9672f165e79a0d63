"""The array engine: a whole sales force, one business day at a time, without Mesa.

Each phase of the day is a handful of compiled or vectorised steps over all reps. `step()` is the
day's schedule; `SalesForceModel` (the Mesa face) runs the same phases, so a batch run can drive
this engine directly and get the same numbers for the same seed.
"""

from __future__ import annotations

import numpy as np

from simulator.behaviour.effort import decision_workspace, log_effort
from simulator.behaviour.misconduct import choose_misconduct
from simulator.behaviour.outlook import period_outlook
from simulator.behaviour.rules import RULES
from simulator.behaviour.turnover import certainty_equivalent, quit_probability
from simulator.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR, PeriodCalendar
from simulator.conduct import climate
from simulator.conduct import oversight as acts
from simulator.levers.activity import ActivityLog
from simulator.levers.launch import Launch
from simulator.levers.prizes import Prizes
from simulator.levers.side_pay import SidePay
from simulator.levers.training import Training
from simulator.pay.payout import compile_plan, pay_moments
from simulator.pay.quota import initial_quotas, next_quotas
from simulator.scenario import Scenario
from simulator.selling import pipeline as sales_process
from simulator.sim.recording import Recorder
from simulator.sim.state import RepArrays
from simulator.world.force import TRAITS, ForceComposition
from simulator.world.market import (
    build_demand,
    build_products,
    focus_lattice,
    lattice_neighbours,
    territory_potential,
)


class Engine:
    """State and daily phases of one run. One `numpy.random.Generator` drives everything."""

    def __init__(self, scenario: Scenario, seed: int | None = None, rng: np.random.Generator | None = None):
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else int(seed)
        self.rng = rng if rng is not None else np.random.default_rng(self.seed)
        self.rule = RULES[scenario.behaviour.rule]
        self.n_days = scenario.n_days
        self.day = 0
        self.calendar = PeriodCalendar.build(scenario.quota.period, self.n_days)
        self.period_len = self.calendar.length
        self.products = build_products(scenario)
        self.deal_value = self.products.credited_deal
        lattice = focus_lattice(self.products.k)
        self.focus_shares = lattice
        self.focus_g = lattice**scenario.market.focus_returns
        self.neighbours = lattice_neighbours(lattice)
        self.balanced = int(np.argmin(np.abs(lattice - 1.0 / self.products.k).sum(axis=1)))
        self.decision_work = decision_workspace(len(lattice), self.products.k)
        self.plan = compile_plan(scenario.plan, self.calendar.periods_per_year, self.products.credit)
        # what reps weigh: the plan's pay with a boundary at quota, where a rep's goal value starts
        decision_curve, goal_index = self.plan.curve.with_breakpoint(1.0)
        self.decision_curve = decision_curve.kernel(goal_index)
        stacked = self.plan.stacked
        self.stack_calendar = PeriodCalendar.build(stacked.period, self.n_days) if stacked else None
        self.stack_amount = float(stacked.curve.lump[-1]) if stacked else 0.0
        self.prizes = Prizes(self)  # contests, team bonuses, draws, quota resets (off: changes nothing)
        self.booking_terms = (
            self.products.price, self.products.credit, self.products.margin,
            scenario.market.customers.cancel_rate, scenario.market.customers.cancel_days,
        )
        self._quota_response()
        # the world: demand, territories, the force
        self.demand = build_demand(scenario.market, self.n_days, self.rng)
        self.closing = self.demand.closing_table(self.calendar.days_left, self.products.delay_cdf)
        if self.stack_calendar is not None:
            self.closing_stack = self.demand.closing_table(self.stack_calendar.days_left, self.products.delay_cdf)
        n = scenario.force.size
        self.composition = ForceComposition(scenario.force)
        self.reps = RepArrays(n, self.products.k, self.products.horizon, scenario.market.customers.cancel_days + 1)
        self.reps.potential[:] = territory_potential(scenario.market.territory_spread, n, self.rng)
        self.reps.waiting_share[:] = scenario.market.customers.waiting_share
        self.reference_rate = self.products.expected_value_per_effort(self.focus_g[self.balanced])
        self.deal_size = float(np.sum(self.focus_g[self.balanced] * self.products.leads * self.products.win * self.deal_value**2)
                               / max(np.sum(self.focus_g[self.balanced] * self.products.leads * self.products.win * self.deal_value), 1e-9))
        self.mean_ability = self.composition.mean_trait("ability")
        self.next_rep_id = 1
        self.recorder = Recorder(self)
        self.hired_today: list[int] = []
        self.left_today: list[int] = []
        self.leaving = np.zeros(n, dtype=np.bool_)
        self.quitting = np.zeros(n, dtype=np.bool_)
        self.fired = np.zeros(n, dtype=np.bool_)
        self.today = np.zeros(sales_process.PRODUCT_COLUMNS + self.products.k)
        # levers from selling practice: activities reps log, pay outside the quota plan (off: nothing)
        self.activity_log = ActivityLog.build(scenario, n, self.products.names)
        self.side_pay = SidePay(scenario, self.products, lattice, n, self.activity_log)
        self.launch = Launch.build(scenario, self.products, n)
        self.leads = self.products.leads if self.launch is None else self.launch.leads  # per rep once one is launched
        self.training = Training.build(scenario, self.products, n, self.rng)
        self.win = self.products.win if self.training is None else self.training.win  # per rep with skills
        if self.training is not None:  # cancellations per rep, where customers' trust in their rep keeps them
            self.booking_terms = self.training.with_retention(self.booking_terms)
        self._set_up_climate(n)
        self._recruit(np.arange(n), start_day=0, initial=True)
        self._seed_pipeline()

    # ------------------------------------------------------------------------- the daily schedule

    def step(self) -> None:
        """One business day."""
        self.open_day()  # the calendar, demand and what reps expect of the rest of the period
        self.diffuse()  # a launched product: awareness grows with selling on it, reps learn to sell it
        self.train()  # courses end and skills grow; skilled reps win more and keep customers' trust
        self.decide()  # reps choose effort and product focus
        self.prospect()  # effort turns leads into opportunities
        self.close_deals()  # opportunities due today are decided; ready customers sign, wait or are held
        self.time_deals()  # reps book, hold, discount, pull in or push out
        self.misbehave()  # reps weigh fabricating sales or selling customers what they do not need
        self.cancel()  # cancellations reverse sales and come back as clawbacks
        self.oversee()  # check-ins, complaints, audits, reports and sanctions; norms and trust move
        self.log_activities()  # reps log the day's calls, demos ... (perhaps some never made); audits; SPIF units
        self.bill()  # month ends: recurring revenue is recognised and subscriptions churn
        self.turnover()  # month ends: reps weigh quitting
        self.settle()  # period ends: pay, quotas, customers learn, firing
        self.staff()  # leavers go, new hires start after the vacancy
        self.record()

    def run(self, days: int | None = None) -> "Engine":
        for _ in range(self.n_days - self.day if days is None else days):
            self.step()
        return self

    @property
    def finished(self) -> bool:
        return self.day >= self.n_days

    # ------------------------------------------------------------------------------------ phases

    def open_day(self) -> None:
        t = self.day
        r = self.reps
        self.today[:] = 0.0
        self.wrongs[:] = 0.0
        self.hired_today, self.left_today = [], []
        self.days_left = int(self.calendar.days_left[t])
        self.din, self.aout = self.closing[0][t], self.closing[1][t]
        # what is still to come once today's work has closed: from tomorrow, within the period
        last = self.days_left == 1 or t + 1 >= self.n_days
        self.din_rest = np.zeros(self.products.k) if last else self.closing[0][t + 1]
        if self.calendar.is_first_day[t]:
            sales_process.count_window(t, self.days_left, r.open_total, r.in_period)
        if self.stack_calendar is not None:
            self.stack_days_left = int(self.stack_calendar.days_left[t])
            self.din_stack = self.closing_stack[0][t]
            if self.stack_calendar.is_first_day[t]:
                sales_process.count_window(t, self.stack_days_left, r.open_total, r.in_stack)
        else:  # no stacked goal: its window is the period's
            self.stack_days_left = self.days_left
            self.din_stack = np.zeros(self.products.k)
            if self.calendar.is_first_day[t]:
                r.in_stack[:] = r.in_period
        self.demand_var = self.demand.uncertainty**2 * self.demand.unknown_share(t, self.days_left)
        tenure = t - r.hire_day
        ramp_days = max(self.scenario.force.ramp_days, 1)
        start = self.scenario.force.ramp_start
        ramp = start + (1.0 - start) * np.minimum(1.0, tenure / ramp_days)
        r.productivity[:] = r.ability * r.potential * ramp
        if self.misconduct_on:  # demand follows customers' trust (repeat purchases, referrals)
            r.productivity *= r.trust_felt ** self.scenario.market.trust.demand_elasticity

    def diffuse(self) -> None:
        """A launched product's awareness and the reps' learning curve on it (`simulator.levers.launch`)."""
        if self.launch is not None:
            self.launch.day(self)

    def train(self) -> None:
        """Relationship skills, training and customers' trust in their rep (`simulator.levers.training`)."""
        if self.training is not None:
            self.training.day(self)

    def decide(self) -> None:
        self._outlook()
        self.prizes.refresh(self)  # a contest's or team bonus's cutoff each rep expects today
        self.rule.choose(self)
        self._log_effort()

    def _log_effort(self) -> None:
        r = self.reps
        self.worked_today = log_effort(r.active, r.effort, r.focus, self.focus_shares, r.effort_sum,
                                       r.effort_sq_sum, r.focus_sum, r.days_active)

    def prospect(self) -> None:
        r = self.reps
        sales_process.prospect(
            self.day, self.days_left, self.stack_days_left, r.active, r.effort, r.focus, r.productivity,
            self.leads, self.focus_g, float(self.demand.realised[self.day]), self.win,
            *self.products.delay_alias, r.open_total, r.open_won, r.in_period, r.in_stack, self.rng,
        )

    def close_deals(self) -> None:
        r = self.reps
        c = self.scenario.market.customers
        sales_process.close_due(
            self.day, r.active, r.open_total, r.open_won, r.in_period, r.in_stack, r.lost_today, r.waiting_share, c.flexible_share, c.flexible_days,
            c.max_wait_days, r.held_kind, r.held_product, r.held_age, r.held_life, *self.booking_terms,
            *self.ledger(), self.rng,
        )

    def time_deals(self) -> None:
        self._outlook()
        self.rule.time(self)

    def misbehave(self) -> None:
        """Reps weigh fabricating sales and mis-selling (`behaviour.misconduct`)."""
        if not self.misconduct_on:
            return
        r = self.reps
        m = self.scenario.market
        e = self.scenario.behaviour.ethics
        self._outlook()
        self.act_ledger.reserve(int(r.active.sum()) * m.fabrication.per_day + int(r.lost_today.sum()))
        position = self.period_len - self.days_left
        check_today = climate.is_check_in(self.scenario.management.pressure.check_ins, position, self.days_left)
        fab = m.fabrication
        fab_product = self.products.names.index(fab.product) if fab.per_day > 0 else 0
        choose_misconduct(
            self.day, int(self.calendar.period_of_day[self.day]), self.days_left, check_today,
            (position + 1) / self.period_len,
            r.pressure, r.active, r.rep_id, r.quota, r.mu_fixed, r.var_fixed, self.demand_var, r.effort,
            r.focus, r.productivity, self.leads, self.win, self.deal_value, self.focus_g,
            self.din_rest, self.aout, self.din_stack, r.goal, self.decision_curve,
            r.integrity_now, r.norm, r.warnings, self._job_value(slice(None)), e.moral_cost, e.noise, e.erosion,
            self.scenario.management.sanctions.warnings_before_firing, self.p_found,
            self.scenario.management.detection.whistleblowing, fab.per_day, fab_product, fab.fee, fab.complaint_rate,
            fab.complaint_delay_days, m.mis_selling.share_of_declines, m.mis_selling.complaint_rate,
            m.mis_selling.complaint_delay_days, r.lost_today, *self.booking_terms, *self.ledger(),
            self.act_ledger.arrays(), self.act_ledger.events(), self.n_days, r.p_fabrications, r.p_mis_sales,
            r.acted_today, self.wrongs, self.rng, *self.prizes.misconduct_terms(self),
        )

    def cancel(self) -> None:
        r = self.reps
        sales_process.cancel_due(
            self.day, r.active, r.sales, r.cancel_credit, r.cancel_revenue, r.old_clawback, r.old_revenue,
            r.clawback_due, r.month_cancelled, self.today,
        )

    def oversee(self) -> None:
        """Check-ins, complaints, audits and reports, sanctions; norms, integrity and trust move."""
        r = self.reps
        self.dismissed[:] = False
        pressure = self.scenario.management.pressure
        if self.pressure_cost > 0:
            position = self.period_len - self.days_left
            if climate.is_check_in(pressure.check_ins, position, self.days_left):
                climate.check_in(r.active, r.sales, r.quota, (position + 1) / self.period_len, r.integrity_now,
                                 self.scenario.behaviour.ethics.erosion, r.behind)
        if not self.misconduct_on:
            return
        m = self.scenario.market
        mg = self.scenario.management
        e = self.scenario.behaviour.ethics
        r.caught_today[:] = False
        acts.oversee_acts(
            self.day, int(self.calendar.period_of_day[self.day]), self.act_ledger.arrays(), self.act_ledger.events(),
            r.active, r.rep_id, r.sales, r.clawback_due, r.last_rate, self.plan.clawback_share, mg.sanctions.clawback,
            r.warnings, mg.sanctions.warnings_before_firing, self.dismissed, r.caught_today, r.p_detected, r.trust,
            m.trust.harm_per_complaint, m.mis_selling.refund_rate, mg.detection.complaint_investigation,
            mg.detection.audit_rate, mg.detection.audit_catch, mg.detection.audit_window_days,
            m.regulator.threshold_acts, m.regulator.fine_per_act, m.regulator.remediation_per_customer,
            self.wrongs, self.rng,
        )
        # colleagues remember who cheated or was caught lately, fading over norm_memory days
        fade = 1.0 - 1.0 / e.norm_memory
        r.seen_acting[:] = np.where(r.acted_today, 1.0, r.seen_acting * fade)
        r.seen_caught[:] = np.where(r.caught_today, 1.0, r.seen_caught * fade)
        climate.update_norms(r.active, *self.network_csr, r.seen_acting, r.seen_caught, r.tolerance,
                             e.peer_influence, e.norm_memory, r.norm, r.exposure)
        r.integrity_now *= 1.0 - e.erosion * e.peer_influence * r.exposure
        r.integrity_now += e.recovery * (r.integrity - r.integrity_now)
        r.trust += m.trust.recovery * (1.0 - r.trust)
        r.trust_felt += (r.trust - r.trust_felt) / m.trust.delay_days

    def log_activities(self) -> None:
        """Activities done and logged, padding and its audits (`simulator.levers.activity`); units that
        earn a SPIF (`simulator.levers.side_pay`)."""
        if self.side_pay.on:
            self.side_pay.day(self)

    def lever_day_values(self) -> dict[str, float]:
        """Today's figures of the levers from selling practice, for the daily table (none when off)."""
        out: dict[str, float] = {}
        if self.activity_log is not None:
            out.update(zip(self.activity_log.daily_names, self.activity_log.today))
        if self.launch is not None:
            out.update(zip(self.launch.daily_names, self.launch.today))
        if self.training is not None:
            out.update(zip(self.training.daily_names, self.training.today))
        return out

    def bill(self) -> None:
        """Subscriptions: at each month's end the month's new business joins the recurring revenue
        (a twelfth of its net value a month), the month is billed, and customers churn: at the
        base rate, faster where trust has fallen, fastest if sold what they did not need. Churn is
        taken in expectation, so no random numbers are drawn."""
        self.billing[:] = 0.0
        m = self.scenario.market
        if m.business_model != "subscription" or (self.day + 1) % DAYS_PER_MONTH:
            return
        r = self.reps
        s = m.subscription
        mis_sold = self.act_ledger.mis_sold_since(self.month_start_act, r.n, self.products.k)
        self.month_start_act = int(self.act_ledger.count[0])
        r.mrr += (r.month_revenue - mis_sold) / 12.0
        r.mrr_mis_sold += mis_sold / 12.0
        # cancelled subscriptions stop, taken from the territory's pool in proportion
        pool = r.mrr.sum(axis=1)
        keep = 1.0 - np.minimum(r.month_cancelled / 12.0 / np.maximum(pool, 1e-9), 1.0)
        r.mrr *= keep[:, None]
        r.month_revenue[:] = 0.0
        r.month_cancelled[:] = 0.0
        billed = r.mrr.sum() + r.mrr_mis_sold.sum()
        excess = s.churn_per_lost_trust * (1.0 - r.trust)[:, None]
        normal = r.mrr * s.monthly_churn
        from_trust = r.mrr * excess
        from_mis_selling = r.mrr_mis_sold * max(s.mis_sold_churn - s.monthly_churn, 0.0)
        churned = normal + from_trust + r.mrr_mis_sold * s.mis_sold_churn
        r.mrr -= normal + from_trust
        r.mrr_mis_sold *= 1.0 - s.mis_sold_churn
        self.billing[:] = (billed, churned.sum(), from_trust.sum() + from_mis_selling.sum(),
                           r.mrr.sum() + r.mrr_mis_sold.sum())

    def turnover(self) -> None:
        """At each month's end reps weigh their job against their outside option."""
        r = self.reps
        self.quitting[:] = False
        if (self.day + 1) % DAYS_PER_MONTH:
            return
        draws = self.rng.random(r.n)
        eligible = r.active & (self.day - r.hire_day >= self.scenario.force.ramp_days)
        ce = certainty_equivalent(
            self.plan.base_salary, r.pay_mean, r.pay_var, self.period_len, r.risk_aversion, r.effort_cost_mean,
        )
        p = quit_probability(ce, r.outside_option, r.morale, self.scenario.behaviour.turnover, 1.0 / 12.0)
        self.quitting[:] = eligible & (draws < p)

    def settle(self) -> None:
        """Pay at the period's end (and for leavers at departure), then move quotas and learn."""
        r = self.reps
        t = self.day
        self.fired[:] = False
        period_end = bool(self.calendar.is_last_day[t])
        departing = self.quitting | self.dismissed
        if period_end:
            self._settle(r.active.copy(), full=True)
        elif departing.any():
            self._settle(departing.copy(), full=False)
        self.leaving[:] = departing | self.fired
        if self.stack_calendar is not None and self.stack_calendar.is_last_day[t]:
            r.stack_sales[:] = 0.0
            r.stack_quota[:] = np.maximum(r.quota * self.stack_calendar.length / self.period_len, 1.0)
        if (t + 1) % DAYS_PER_YEAR == 0:
            r.year_sales[:] = 0.0
            r.year_quota[:] = 0.0
        self.prizes.end_of_day(self)  # quotas re-set when the market shifts

    def staff(self) -> None:
        r = self.reps
        t = self.day
        if self.leaving.any():
            self._release(np.flatnonzero(self.leaving))
        if t + 1 < self.n_days and not r.active.all():
            due = np.flatnonzero(~r.active & (r.vacant_until >= 0) & (r.vacant_until <= t + 1))
            if due.size:
                self._recruit(due, start_day=t + 1, initial=False)

    def record(self) -> None:
        self.recorder.day(self)
        self.day += 1

    # ------------------------------------------------------------------------------------ helpers

    def reference_margin(self) -> float:
        """Gross margin of the sales a balanced product mix would bring: the yardstick for
        product-mix distortion."""
        p = self.products
        value = p.leads * self.focus_g[self.balanced] * p.win * p.price
        return float(np.sum(value * p.margin) / np.sum(value))

    def ledger(self) -> tuple:
        """The arrays `pipeline.book` writes into, in its argument order."""
        r = self.reps
        return (r.sales, r.p_revenue, r.p_list, r.p_discount, r.p_deals, r.p_by_product, r.month_revenue,
                r.cancel_credit, r.cancel_revenue, self.today)

    def _quota_response(self) -> None:
        """How next quota moves per $ of this period's sales above (up) or below (down) quota."""
        spec = self.scenario.quota
        if spec.amount is None and spec.policy == "ratchet":
            self.quota_up, self.quota_down = spec.ratchet_up, spec.ratchet_down
        elif spec.amount is None and spec.policy == "growth":
            self.quota_up = self.quota_down = 1.0 + spec.growth
        else:
            self.quota_up = self.quota_down = 0.0

    def _outlook(self) -> None:
        r = self.reps
        sales_process.pipeline_outlook(
            r.active, r.in_period, r.in_stack, self.win, self.deal_value, r.held_kind, r.held_product,
            r.sales, r.stack_sales,
            self.scenario.market.customers.period_end_discount, r.pipe_count, r.mu_fixed, r.var_fixed, r.booked,
            r.mu_stack, r.var_stack,
        )

    def _period_outlook(self, who: np.ndarray) -> None:
        r = self.reps
        patience = r.patience ** (self.period_len / DAYS_PER_YEAR)
        uses = self.rule.uses_foresight
        period_outlook(
            who, r.typical_sales, self.deal_size, self.demand.uncertainty**2 * self._fresh_unknown_share(),
            r.quota * self.period_len / np.maximum(r.quota_days, 1), r.goal,
            r.foresight if uses else np.zeros(r.n), r.ratchet_foresight if uses else np.zeros(r.n),
            patience, self.plan.curve.first_rate, self.decision_curve, r.nu_next, r.ratchet_w,
        )

    def _fresh_unknown_share(self) -> float:
        length = self.period_len
        if length <= DAYS_PER_MONTH:
            return 1.0
        full, part = divmod(length, DAYS_PER_MONTH)
        return (full * DAYS_PER_MONTH**2 + part**2) / length**2

    def _full_quota(self, slots: np.ndarray) -> np.ndarray:
        """A full period's starting quota for reps in these positions."""
        r = self.reps
        per_day = self.reference_rate
        return initial_quotas(
            self.scenario.quota, self.period_len,
            sales_per_day=r.ability[slots] * r.potential[slots] * per_day,
            force_sales_per_day=self.mean_ability * per_day,
            territory_sales_per_day=self.mean_ability * r.potential[slots] * per_day,
        )

    def _recruit(self, slots: np.ndarray, start_day: int, initial: bool) -> None:
        """Fill positions with reps drawn from the force's composition."""
        r = self.reps
        recruits = self.composition.initial(len(slots), self.rng) if initial else self.composition.hire(len(slots), self.rng)
        for trait in TRAITS:
            getattr(r, trait)[slots] = recruits.traits[trait]
        r.segment[slots] = recruits.segment
        r.rep_id[slots] = np.arange(self.next_rep_id, self.next_rep_id + len(slots))
        self.next_rep_id += len(slots)
        ramp = self.scenario.force.ramp_days
        if initial:
            r.hire_day[slots] = -ramp - self.rng.integers(0, 3 * DAYS_PER_YEAR, size=len(slots))
        else:
            r.hire_day[slots] = start_day
        r.active[slots] = True
        r.vacant_until[slots] = -1
        full_quota = self._full_quota(slots)
        days_left = int(self.calendar.days_left[start_day]) if start_day < self.n_days else self.period_len
        r.start_quota[slots] = full_quota
        r.quota[slots] = full_quota * days_left / self.period_len
        r.quota_days[slots] = days_left
        r.carried[slots] = 0.0
        if self.stack_calendar is not None:
            r.stack_quota[slots] = full_quota * self.stack_calendar.length / self.period_len
        r.reset_period_books(slots)
        r.stack_sales[slots] = 0.0
        r.year_sales[slots] = 0.0
        r.year_quota[slots] = 0.0
        r.effort[slots] = 1.0
        r.focus[slots] = self.balanced
        r.full_search[slots] = True
        r.morale[slots] = 1.0
        r.commitment[slots] = 1.0
        r.misses[slots] = 0
        r.miss_rate[slots] = 0.0
        self._set_goal_value(slots)
        r.integrity_now[slots] = r.integrity[slots]
        r.norm[slots] = 0.0
        r.warnings[slots] = 0
        r.seen_acting[slots] = 0.0
        r.seen_caught[slots] = 0.0
        r.last_rate[slots] = self.plan.curve.first_rate
        # what a rep expects of the job on joining: a period's sales at normal effort, and the pay
        typical = r.ability[slots] * r.potential[slots] * self.reference_rate * self.period_len
        r.typical_sales[slots] = typical
        sd = np.sqrt(typical * self.deal_size + (self.demand.uncertainty * typical) ** 2 * self._fresh_unknown_share())
        mean_pay, var_pay = pay_moments(self.plan.curve, typical, sd, full_quota)
        r.pay_mean[slots] = mean_pay / self.period_len
        r.pay_var[slots] = var_pay / self.period_len**2
        r.effort_cost_mean[slots] = r.effort_cost[slots]
        who = np.zeros(r.n, dtype=np.bool_)
        who[slots] = True
        self._period_outlook(who)
        self.hired_today.extend(int(s) for s in slots)

    def _set_up_climate(self, n: int) -> None:
        """Branches and the network, pressure, detection odds and the act ledger.

        The network is drawn from a child of the run's seed, so building it does not move the
        run's random stream: scenarios without misconduct give the same numbers as before.
        """
        sc = self.scenario
        m, mg = sc.market, sc.management
        self.misconduct_on = m.fabrication.per_day > 0 or m.mis_selling.share_of_declines > 0
        self.dismissed = np.zeros(n, dtype=np.bool_)
        self.wrongs = np.zeros(len(acts.DAY_COLUMNS))
        self.billing = np.zeros(4)  # recurring revenue billed, churned, churned for trust or mis-selling, active
        self.month_start_act = 0
        pressure = mg.pressure
        checked = pressure.check_ins != "none" and sc.quota.assigned
        self.pressure_cost = pressure.cost * (2.0 if pressure.public_ranking else 1.0) if checked else 0.0
        self.act_ledger = acts.Ledger(n, self.n_days)
        child = np.random.default_rng(self.rng.bit_generator.seed_seq.spawn(1)[0])
        self.network, self.branch, indptr, indices = climate.branch_network(n, sc.force.network, child)
        self.network_csr = (indptr, indices)
        # branch managers differ in how hard they press and how much they look away (one factor)
        spread = sc.force.network.manager_spread
        manager = np.exp(child.normal(-0.5 * spread**2, spread, size=int(self.branch.max()) + 1))[self.branch]
        self.reps.pressure[:] = self.pressure_cost * manager
        self.reps.tolerance[:] = np.minimum(mg.sanctions.tolerance * manager, 0.95)
        d = mg.detection
        audited = d.audit_catch * (1.0 - (1.0 - d.audit_rate) ** d.audit_window_days)
        self.p_found = np.array([
            1.0 - (1.0 - audited) * (1.0 - m.fabrication.complaint_rate * d.complaint_investigation),
            1.0 - (1.0 - audited) * (1.0 - m.mis_selling.complaint_rate * d.complaint_investigation),
        ])

    def _set_goal_value(self, idx) -> None:
        """What reaching the goal is worth to a rep: its committed goal value (scaled to the goal's
        length, so a day's goal counts for less than a quarter's but a year of daily goals for
        more), the pressure attached to missing it where progress is checked, and the dismissal it
        avoids where management fires for runs of misses; nothing if the quota is not its goal.

        With its running miss rate pi, a streak of m misses and dismissal at M in a row, meeting
        the goal now is worth job x (pi^(M-m-1) - pi^M): the chance the streak would run on to M,
        less the chance a fresh one does. The firing line is taken to be the goal itself.
        """
        r = self.reps
        if not self.scenario.quota.assigned:
            r.goal[idx] = 0.0
            return
        scope = (self.period_len / 63.0) ** self.scenario.behaviour.goal_scaling
        r.goal[idx] = r.goal_value[idx] * scope * r.commitment[idx] + r.pressure[idx]
        mgmt = self.scenario.management
        if mgmt.fire_below_attainment > 0:
            limit = mgmt.fire_after_misses
            pi = r.miss_rate[idx]
            r.goal[idx] += self._job_value(idx) * (pi ** np.maximum(limit - r.misses[idx] - 1, 0) - pi**limit)

    def _job_value(self, idx) -> np.ndarray:
        """What losing the job costs a rep, $: `behaviour.ethics.job_loss_months` of its pay."""
        r = self.reps
        monthly_pay = self.plan.base_salary / 12.0 + r.pay_mean[idx] * 21.0
        return self.scenario.behaviour.ethics.job_loss_months * monthly_pay

    def _seed_pipeline(self) -> None:
        r = self.reps
        ramp = self.scenario.force.ramp_start + (1.0 - self.scenario.force.ramp_start) * np.minimum(
            1.0, -r.hire_day / max(self.scenario.force.ramp_days, 1))
        sales_process.seed_pipeline(
            r.active, r.ability * r.potential * ramp, self.leads, self.focus_g[self.balanced],
            float(self.demand.planned[0]), self.win, *self.products.delay_alias, r.open_total, r.open_won,
            self.rng,
        )

    def _release(self, slots: np.ndarray) -> None:
        """Reps leave: their waiting customers go to the house, clawbacks lapse."""
        r = self.reps
        held = r.held_kind[slots] != sales_process.EMPTY
        for s, row in zip(slots, held):
            for h in np.flatnonzero(row):
                sales_process.book_house(int(s), int(r.held_product[s, h]), 1, self.products.price,
                                         self.products.margin, r.month_revenue, self.today)
        r.held_kind[slots] = sales_process.EMPTY
        r.old_revenue[slots] += r.cancel_revenue[slots]
        r.cancel_revenue[slots] = 0.0
        r.cancel_credit[slots] = 0.0
        r.old_clawback[slots] = 0.0
        r.active[slots] = False
        r.vacant_until[slots] = self.day + 1 + self.scenario.management.vacancy_days
        self.left_today.extend(int(s) for s in slots)

    def _settle(self, who: np.ndarray, full: bool) -> None:
        """Pay the reps in `who` for the period so far; at a period's end, move their quotas,
        averages, commitment and customers' learning on, and apply firing rules."""
        r = self.reps
        t = self.day
        idx = np.flatnonzero(who)
        if idx.size == 0:
            return
        curve = self.plan.curve
        days = np.maximum(r.days_active[idx], 1)
        quota = r.quota[idx] * (1.0 if full else days / np.maximum(r.quota_days[idx], 1))
        sales = r.sales[idx]
        commission = curve.commission(sales, quota)
        bonus = curve.bonus(sales, quota) if full else np.zeros(idx.size)
        stacked_bonus = np.zeros(idx.size)
        if full:
            r.stack_sales[idx] += sales
        if full and self.plan.stacked is not None and self.stack_calendar.is_last_day[t]:
            stacked_bonus = self.plan.stacked.curve.pay(r.stack_sales[idx], r.stack_quota[idx])
        base = self.plan.base_per_day * days
        clawback = r.clawback_due[idx].copy()
        variable = commission + bonus + stacked_bonus - clawback
        # activity pay, unit-goal bonuses and SPIFs (None if the plan has none): variable pay like the rest
        outside = self.side_pay.settle(self, idx, r.days_active[idx])
        if outside is not None:
            variable = variable + outside[1]
        side = self.prizes.period_pay(self, idx, full, variable)  # prizes, team bonus, draws ({} if off)
        if side:
            variable = variable + sum(side.values())
        attainment = sales / quota
        # clawbacks to come on this period's sales, at the commission rate it earned
        rate = np.where(sales > 0, commission / np.maximum(sales, 1e-9), curve.first_rate)
        r.last_rate[idx] = rate
        r.old_clawback[idx] += r.cancel_credit[idx] * (self.plan.clawback_share * rate)[:, None]
        r.old_revenue[idx] += r.cancel_revenue[idx]
        r.cancel_credit[idx] = 0.0
        r.cancel_revenue[idx] = 0.0
        if full:
            self._learn(idx, attainment, sales, quota, variable, days)
        self.recorder.period(self, idx, full, quota, attainment, base, commission, bonus + stacked_bonus, clawback, side,
                             outside)
        r.reset_period_books(idx)

    def _learn(self, idx, attainment, sales, quota, variable, days) -> None:
        """Period's end: running averages, goal commitment, customers' learning, quotas, firing."""
        r = self.reps
        t = self.day
        m = self.scenario.behaviour.memory
        scale = self.period_len / days
        pay_rate = variable / days
        r.pay_var[idx] = (1 - m) * r.pay_var[idx] + m * (pay_rate - r.pay_mean[idx]) ** 2
        r.pay_mean[idx] = (1 - m) * r.pay_mean[idx] + m * pay_rate
        r.effort_cost_mean[idx] = (1 - m) * r.effort_cost_mean[idx] + m * r.effort_cost[idx] * r.effort_sq_sum[idx] / days
        r.typical_sales[idx] = (1 - m) * r.typical_sales[idx] + m * sales * scale
        hit = attainment >= 1.0
        r.morale[idx] = (1 - m) * r.morale[idx] + m * np.minimum(attainment, 1.5)
        # commitment to the goal follows the experience of reaching it (Locke and Latham 2002)
        r.commitment[idx] = (1 - m) * r.commitment[idx] + m * hit
        # customers learn whether waiting for a period-end discount pays (MECHANISM.md)
        c = self.scenario.market.customers
        asked = r.offered[idx] + r.refused[idx]
        paid = np.where(asked > 0, r.offered[idx] / np.maximum(asked, 1), np.nan)
        learn = asked > 0
        share = r.waiting_share[idx]
        share[learn] += c.waiting_learning * (c.waiting_ceiling * paid[learn] - share[learn])
        r.waiting_share[idx] = share
        # firing on repeated misses
        mgmt = self.scenario.management
        if mgmt.fire_below_attainment > 0:  # misses count once a rep has ramped up
            ramped = (t - r.hire_day[idx]) >= self.scenario.force.ramp_days
            missed = (attainment < mgmt.fire_below_attainment) & ramped
            r.misses[idx] = np.where(missed, r.misses[idx] + 1, 0)
            r.miss_rate[idx] = (1 - m) * r.miss_rate[idx] + m * missed
            self.fired[idx] |= r.misses[idx] >= mgmt.fire_after_misses
        r.year_sales[idx] += sales
        r.year_quota[idx] += quota
        year_end = (t + 1) % DAYS_PER_YEAR == 0
        if year_end and mgmt.fire_bottom_share > 0:
            seasoned = idx[(t - r.hire_day[idx]) >= DAYS_PER_YEAR // 2]
            if seasoned.size:
                annual = r.year_sales[seasoned] / np.maximum(r.year_quota[seasoned], 1e-9)
                n_fire = int(np.floor(mgmt.fire_bottom_share * seasoned.size))
                if n_fire:
                    self.fired[seasoned[np.argsort(annual, kind="stable")[:n_fire]]] = True
        # next period's quota, on a full-period basis; a carried shortfall sits on top of the
        # policy's quota and is replaced, not compounded, each period
        full_quota = (quota - r.carried[idx]) * self.period_len / np.maximum(r.quota_days[idx], 1)
        r.quota[idx] = next_quotas(
            self.scenario.quota, full_quota, sales * scale, r.start_quota[idx],
            r.year_sales[idx] if year_end else None, self.calendar.periods_per_year,
        )
        if mgmt.pressure.carry_shortfall:
            r.carried[idx] = np.maximum(quota - sales, 0.0)
            r.quota[idx] += r.carried[idx]
        r.quota_days[idx] = self.period_len
        r.misses[idx] = np.where(self.fired[idx], 0, r.misses[idx])
        self._set_goal_value(idx)
        who = np.zeros(r.n, dtype=np.bool_)
        who[idx] = True
        self._period_outlook(who)
