"""The array engine: a whole sales force, one business day at a time, without Mesa.

`Engine.step` runs the phases of `simulator.sim.schedule.PHASES` in order; each phase is a few
compiled or vectorised steps over all reps, and its logic lives in the module of its subject
(selling, behaviour, conduct, pay, levers). The Mesa model steps this engine, so a run through
`SalesForceModel` and one through `Engine` give the same numbers for the same seed.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from simulator import draws
from simulator.behaviour.effort import decision_workspace, log_effort
from simulator.behaviour.effort_cost import cost
from simulator.behaviour.memory import remember_period
from simulator.behaviour.misconduct import Acting, Prize, choose_misconduct, conduct_terms, todays_ethics
from simulator.behaviour.outlook import period_outlook
from simulator.behaviour.rules import RULES
from simulator.behaviour.turnover import certainty_equivalent, quit_probability
from simulator.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from simulator.conduct import climate
from simulator.conduct import oversight as acts
from simulator.levers import LeverSet
from simulator.pay.payout import pay_moments
from simulator.pay.quota import initial_quotas, next_quotas
from simulator.scenario import Scenario
from simulator.selling import pipeline as sales_process
from simulator.selling.subscriptions import YoungContracts, bill_month
from simulator.sim.recording import Recorder
from simulator.sim.schedule import PHASE_NAMES
from simulator.state.context import BookingTerms, DayContext, Terms
from simulator.state.reps import RepArrays
from simulator.steady import SteadyCall
from simulator.world.build import build_world
from simulator.world.force import TRAITS, Recruits, ramped_productivity
from simulator.world.market import territory_potential

NO_VACANCY = 2**62  # `Engine.next_hire_day` while every position is filled

# The day's kernels that take bundles, called with the same argument objects every day, so without numba's
# dispatch (`simulator.steady`); those handed only arrays and numbers are called directly, which numba types faster
_prospect = SteadyCall(sales_process.prospect)
_places_needed = SteadyCall(sales_process.places_needed)
_close_due = SteadyCall(sales_process.close_due)
_pipeline_outlook = SteadyCall(sales_process.pipeline_outlook)
_choose_misconduct = SteadyCall(choose_misconduct)
_oversee_acts = SteadyCall(acts.oversee_acts)


class Engine:
    """State and daily phases of one run. One `numpy.random.Generator` drives everything: the world is
    drawn from it, and the day's chance events either from it too (`dice`, the kernels' handle on it) or
    from its keyed generator (the scenario's `random_draws`, `simulator.draws`)."""

    def __init__(self, scenario: Scenario, seed: int | None = None, rng: np.random.Generator | None = None):
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else int(seed)
        self.rng = rng if rng is not None else np.random.default_rng(self.seed)
        n = scenario.force.size
        self.keyed = scenario.random_draws == "keyed"
        self.dice = draws.keyed_for(self.rng, n) if self.keyed else draws.stream_for(self.rng)
        self.hires = np.zeros(n, dtype=np.int64)  # hires each position has had (keys a keyed hire's traits)
        self.rule = RULES[scenario.behaviour.rule]
        self.world = world = build_world(scenario, self.rng)
        self.n_days = world.n_days
        self.day = 0
        self.levers = LeverSet.build(world, self.rng)
        products = world.products
        reps = RepArrays(n, products.k, products.horizon, scenario.market.customers.cancel_days + 1)
        reps.potential[:] = territory_potential(scenario.market.territory_spread, n, self.rng)
        reps.waiting_share[:] = scenario.market.customers.waiting_share
        reps.pressure[:] = world.pressure_cost * world.manager
        reps.tolerance[:] = np.minimum(scenario.management.sanctions.tolerance * world.manager, 0.95)
        c = scenario.market.customers
        cancel = self.levers.table("cancel", None)
        self.ctx = DayContext(
            world=world, reps=reps, dice=self.dice,
            leads=self.levers.table("leads", products.leads), win=self.levers.table("win", products.win),
            booking=BookingTerms(products.price, products.credit, products.margin,
                                 c.cancel_rate if cancel is None else cancel, c.cancel_days),
            today=np.zeros(sales_process.PRODUCT_COLUMNS + products.k), dismissed=np.zeros(n, dtype=np.bool_),
            workspace=decision_workspace(len(world.focus_shares), products.k),
            **{name: np.zeros(products.k) for name in ("din", "aout", "din_rest", "aout_rest", "din_second")},
        )
        self.terms = Terms.zeros(n, len(world.focus_shares), products.k)  # set each morning (`decide`)
        self.act_ledger = acts.Ledger(n, self.n_days)
        self.conduct = conduct_terms(scenario, products, world.p_found, world.plan.clawback_share)
        mg, regulator = scenario.management, scenario.market.regulator
        d = mg.detection
        self.rules = acts.Rules(
            world.plan.clawback_share, mg.sanctions.clawback, mg.sanctions.warnings_before_firing,
            scenario.market.trust.harm_per_complaint, scenario.market.mis_selling.refund_rate,
            d.complaint_investigation, d.audit_rate, d.audit_catch, d.audit_window_days, regulator.threshold_acts,
            regulator.fine_per_act, regulator.remediation_per_customer)
        self.wrongs = np.zeros(len(acts.DAY_COLUMNS))
        self._var_second = np.zeros(n)  # the variance of a contest's line as misconduct weighs it (`misbehave`)
        self._who = np.zeros(n, dtype=np.bool_)  # `_flagged`
        self.billing = np.zeros(4)  # recurring revenue billed, churned, churned for trust or mis-selling, active
        self.month_start_act = 0
        # churn clawback (`plan.churn_clawback`): kept only when on, so other plans compute what they did
        claw = scenario.plan.churn_clawback
        self.young = None
        if claw is not None and claw.share > 0 and scenario.market.business_model == "subscription":
            self.young = YoungContracts(n, products.k, claw.window_months)
            self.churn_share = claw.share
            self.churn_rate = np.full(n, world.plan.curve.first_rate)  # commission per credited $ last earned
            self.churn_clawed = np.zeros(n)  # churn clawback booked in the open period, for the pay table
        self.recorder = Recorder(world, self.levers)
        self.next_rep_id = 1
        self.hired_today: list[int] = []
        self.left_today: list[int] = []
        self.leaving = np.zeros(n, dtype=np.bool_)
        self.quitting = np.zeros(n, dtype=np.bool_)
        self.fired = np.zeros(n, dtype=np.bool_)
        self.worked_today = 0
        self.next_hire_day = NO_VACANCY  # the first day a vacant position is filled (staff looks no sooner)
        self._recruit(np.arange(n), start_day=0, initial=True)
        self._seed_pipeline()

    # ------------------------------------------------------------------------- the daily schedule

    def step(self) -> None:
        """One business day: every phase of `simulator.sim.schedule.PHASES` in order."""
        for phase in PHASE_NAMES:
            getattr(self, phase)()

    def phases(self) -> Iterator[str]:
        """One business day, a phase at a time: yields each phase's name just before it runs, so a
        caller can look at (or time) the state between phases of the real day."""
        for phase in PHASE_NAMES:
            yield phase
            getattr(self, phase)()

    def run(self, days: int | None = None) -> Engine:
        for _ in range(self.n_days - self.day if days is None else days):
            self.step()
        return self

    @property
    def finished(self) -> bool:
        return self.day >= self.n_days

    @property
    def reps(self) -> RepArrays:
        return self.ctx.reps

    # ------------------------------------------------------------------------------------ phases

    def open_day(self) -> None:
        """The calendar, demand, and what the rest of the period holds for the work of each day."""
        w = self.world
        x = self.ctx
        r = x.reps
        t = self.day
        x.day = t
        draws.start_day(self.dice, t)
        x.today[:] = 0.0
        self.wrongs[:] = 0.0
        self.hired_today, self.left_today = [], []
        x.days_left = int(w.calendar.days_left[t])
        # written in place: the context's arrays stay the same objects (`simulator.steady`)
        x.din[:] = w.closing[0][t]
        x.aout[:] = w.closing[1][t]
        # what is still to come once today's work has closed: from tomorrow, within the period
        last = x.days_left == 1 or t + 1 >= self.n_days
        x.din_rest[:] = 0.0 if last else w.closing[0][t + 1]
        x.aout_rest[:] = 0.0 if last else w.closing[1][t + 1]
        if w.calendar.is_first_day[t]:
            sales_process.count_window(t, x.days_left, r.open_total, r.in_period)
        if w.second is not None:
            x.second_days_left = int(w.second.calendar.days_left[t])
            x.din_second[:] = w.closing_second[0][t]
            if w.second.calendar.is_first_day[t]:
                sales_process.count_window(t, x.second_days_left, r.open_total, r.in_stack)
        else:  # no second goal: its window is the period's
            x.second_days_left = x.days_left
            x.din_second[:] = 0.0
            if w.calendar.is_first_day[t]:
                r.in_stack[:] = r.in_period
        x.demand_var = w.demand.uncertainty**2 * w.demand.unknown_share(t, x.days_left)
        force = self.scenario.force
        ramped_productivity(r.ability, r.potential, r.hire_day, t, force.ramp_start, force.ramp_days, r.productivity)
        if w.misconduct_on:  # demand follows customers' trust (repeat purchases, referrals)
            r.productivity *= r.trust_felt ** self.scenario.market.trust.demand_elasticity

    def start_levers(self) -> None:
        """A launched product's awareness and learning, skills and training (`simulator.levers`)."""
        self.levers.start_day(self.ctx)

    def outlook(self) -> None:
        """Each rep's belief about its period's sales, and the levers' terms for today's valuation."""
        self._outlook()
        self.terms = self.levers.valuation_terms(self.ctx)

    def decide(self) -> None:
        """Reps choose effort and product focus, weighing the plan and the levers' terms."""
        self.rule.choose(self.ctx, self.terms)
        r = self.reps
        self.worked_today = log_effort(r.active, r.effort, r.focus, self.world.focus_shares,
                                      self.scenario.behaviour.effort_curvature, r.effort_sum,
                                      r.effort_cost_units, r.focus_sum, r.days_active)

    def prospect(self) -> None:
        """Effort turns leads into opportunities."""
        x = self.ctx
        r = x.reps
        w = self.world
        _prospect(
            self.day, x.days_left, x.second_days_left, r.active, r.effort, r.focus, x.selling(),
            float(w.demand.realised[self.day]), *w.products.delay_alias, r.pipeline(), self.dice,
        )

    def close_deals(self) -> None:
        """Opportunities due today are decided; ready customers sign, wait or are held."""
        x = self.ctx
        r = x.reps
        c = self.scenario.market.customers
        r.make_room_to_hold(_places_needed(self.day, r.active, r.pipeline(), r.held()))
        _close_due(
            self.day, r.active, r.pipeline(), r.held(), r.waiting_share, c.flexible_share, c.flexible_days,
            c.max_wait_days, x.booking, x.books(), self.dice,
        )

    def time_deals(self) -> None:
        """Reps book, hold, discount, pull in or push out ready deals."""
        self._outlook()
        self.rule.time(self.ctx, self.terms)

    def misbehave(self) -> None:
        """Reps weigh fabricating sales and mis-selling (`behaviour.misconduct`)."""
        w = self.world
        if not w.misconduct_on:
            return
        x = self.ctx
        r = x.reps
        m = self.scenario.market
        self._outlook()
        self.act_ledger.reserve(int(r.active.sum()) * m.fabrication.per_day + int(r.lost_today.sum()))
        position = w.period_len - x.days_left
        check_today = climate.is_check_in(self.scenario.management.pressure.check_ins, position, x.days_left)
        terms = self.terms
        contest = terms.prize > 0
        if contest:  # a contest's line is uncertain
            np.add(r.var_stack, terms.prize_var, out=self._var_second)
        # the bundles are kept (and the job's value written in place) so the kernel is called past dispatch
        ethics = todays_ethics(x)
        acting = x.kept((Engine, Acting), lambda: Acting(r.p_fabrications, r.p_mis_sales, r.acted_today))
        prize = x.kept((Engine, Prize, contest), lambda: Prize(
            w.second_amount, r.stack_quota, r.mu_stack, self._var_second if contest else r.var_stack))
        _choose_misconduct(
            self.day, int(w.calendar.period_of_day[self.day]), x.days_left, check_today, (position + 1) / w.period_len,
            r.active, r.rep_id, r.effort, r.focus, x.selling(after_today=True), x.demand_var, r.outlook(), x.stakes(),
            ethics, self.conduct, r.lost_today, x.booking, x.books(), self.act_ledger.arrays(), self.act_ledger.events(),
            self.n_days, acting, self.wrongs, self.dice, prize,
        )

    def cancel(self) -> None:
        """Cancellations reverse sales and come back as clawbacks."""
        r = self.reps
        sales_process.cancel_due(
            self.day, r.active, r.sales, r.cancel_credit, r.cancel_revenue, r.old_clawback, r.old_revenue,
            r.clawback_due, r.month_cancelled, self.ctx.today,
        )

    def oversee(self) -> None:
        """Check-ins, complaints, audits and reports, sanctions; norms, integrity and trust move."""
        w = self.world
        x = self.ctx
        r = x.reps
        x.dismissed[:] = False
        pressure = self.scenario.management.pressure
        if w.pressure_cost > 0:
            position = w.period_len - x.days_left
            if climate.is_check_in(pressure.check_ins, position, x.days_left):
                climate.check_in(r.active, r.sales, r.quota, (position + 1) / w.period_len, r.integrity_now,
                                 self.scenario.behaviour.ethics.erosion, r.behind)
        if not w.misconduct_on:
            return
        m = self.scenario.market
        e = self.scenario.behaviour.ethics
        r.caught_today[:] = False
        record = x.kept((Engine, acts.Record), lambda: acts.Record(
            r.active, r.rep_id, r.sales, r.clawback_due, r.last_rate, r.warnings, x.dismissed, r.caught_today,
            r.p_detected, r.trust))
        _oversee_acts(self.day, int(w.calendar.period_of_day[self.day]), self.act_ledger.arrays(),
                      self.act_ledger.events(), record, self.rules, self.wrongs, self.dice)
        # colleagues remember who cheated or was caught lately, fading over norm_memory days
        fade = 1.0 - 1.0 / e.norm_memory
        r.seen_acting[:] = np.where(r.acted_today, 1.0, r.seen_acting * fade)
        r.seen_caught[:] = np.where(r.caught_today, 1.0, r.seen_caught * fade)
        climate.update_norms(r.active, *w.network_csr, r.seen_acting, r.seen_caught, r.tolerance,
                             e.peer_influence, e.norm_memory, r.norm, r.exposure)
        r.integrity_now *= 1.0 - e.erosion * e.peer_influence * r.exposure
        r.integrity_now += e.recovery * (r.integrity - r.integrity_now)
        r.trust += m.trust.recovery * (1.0 - r.trust)
        r.trust_felt += (r.trust - r.trust_felt) / m.trust.delay_days

    def end_levers(self) -> None:
        """Activities logged (some perhaps never made) and audited; SPIF units counted (`simulator.levers`)."""
        self.levers.end_work(self.ctx)

    def bill(self) -> None:
        """Month ends: subscriptions are billed and churn (`selling.subscriptions`)."""
        self.billing[:] = 0.0
        m = self.scenario.market
        if m.business_model != "subscription" or (self.day + 1) % DAYS_PER_MONTH:
            return
        r = self.reps
        mis_sold = self.act_ledger.mis_sold_since(self.month_start_act, r.n, self.world.products.k)
        self.month_start_act = int(self.act_ledger.count[0])
        *billing, churned = bill_month(r, mis_sold, m.subscription, self.young)
        self.billing[:] = billing
        if churned is not None:
            # the commission the churned contracts earned: a year of service credited, at the rep's rate
            owed = self.churn_share * self.churn_rate * (12.0 * churned * self.world.products.credit).sum(axis=1)
            owed *= r.active
            r.clawback_due += owed
            self.churn_clawed += owed

    def turnover(self) -> None:
        """Month ends: reps weigh their job against their outside option."""
        r = self.reps
        self.quitting[:] = False
        if (self.day + 1) % DAYS_PER_MONTH:
            return
        chance = draws.uniforms(self.dice if self.keyed else self.rng, r.n, draws.QUIT)
        eligible = r.active & (self.day - r.hire_day >= self.scenario.force.ramp_days)
        p = quit_probability(self.value_of_staying(), r.outside_option, r.morale, self.scenario.behaviour.turnover,
                             1.0 / 12.0)
        self.quitting[:] = eligible & (chance < p)

    def value_of_staying(self) -> np.ndarray:
        """Each position's certainty equivalent of a year in the job, $ (`behaviour.turnover`): the plan's
        pay curve at the rep's current quota and usual sales, forward, and pay beside the curve from
        running averages, less the risk premium and effort cost."""
        r = self.reps
        period_len = self.world.period_len
        full_quota = r.quota * period_len / np.maximum(r.quota_days, 1)
        curve_mean, curve_var = self._expected_curve_pay(r.typical_sales, full_quota)
        return certainty_equivalent(
            self.world.plan.base_salary, curve_mean / period_len + r.beside_mean,
            curve_var / period_len**2 + r.beside_var, period_len, r.risk_aversion, r.effort_cost_mean,
        )

    def settle(self) -> None:
        """Pay at the period's end (and for leavers at departure), then move quotas and learn."""
        w = self.world
        r = self.reps
        t = self.day
        self.fired[:] = False
        departing = self.quitting | self.ctx.dismissed
        if w.calendar.is_last_day[t]:
            self._settle(r.active.copy(), full=True)
        elif departing.any():
            self._settle(departing.copy(), full=False)
        self.leaving[:] = departing | self.fired
        if w.second is not None and w.second.calendar.is_last_day[t]:
            r.stack_sales[:] = 0.0
            r.stack_quota[:] = np.maximum(r.quota * w.second.calendar.length / w.period_len, 1.0)
        if (t + 1) % DAYS_PER_YEAR == 0:
            r.year_sales[:] = 0.0
            r.year_quota[:] = 0.0
        moved = self.levers.end_day(self.ctx)  # quotas re-set when the market shifts
        if moved is not None:
            self._period_outlook(moved)

    def staff(self) -> None:
        """Leavers go; new hires start after the vacancy."""
        r = self.reps
        t = self.day
        if self.leaving.any():
            self._release(np.flatnonzero(self.leaving))
        if t + 1 < self.n_days and t + 1 >= self.next_hire_day:
            due = np.flatnonzero(~r.active & (r.vacant_until >= 0) & (r.vacant_until <= t + 1))
            if due.size:
                self._recruit(due, start_day=t + 1, initial=False)
            open_until = r.vacant_until[~r.active]
            self.next_hire_day = int(open_until.min()) if open_until.size else NO_VACANCY

    def record(self) -> None:
        """The day's row of the daily table; the day ends."""
        x = self.ctx
        self.recorder.day(x, self.wrongs, self.billing, self.quitting, self.fired | x.dismissed,
                          len(self.hired_today), self.worked_today)
        self.day += 1

    # ------------------------------------------------------------------------------------ helpers

    def _outlook(self) -> None:
        """Each rep's belief about its period's (and second goal's) sales from what is booked,
        held and in the pipeline (`selling.pipeline.pipeline_outlook`)."""
        r = self.reps
        w = self.world
        _pipeline_outlook(
            r.active, r.pipeline(), self.ctx.win, w.deal_value, r.held(), r.sales, r.stack_sales,
            self.scenario.market.customers.period_end_discount, r.outlook(),
        )

    def _period_outlook(self, who: np.ndarray) -> None:
        """Next period as the reps in `who` see it from this one (`behaviour.outlook`)."""
        r = self.reps
        w = self.world
        period_len = w.period_len
        patience = r.patience ** (period_len / DAYS_PER_YEAR)
        uses = self.rule.uses_foresight
        period_outlook(
            who, r.typical_sales, w.deal_size, w.demand.uncertainty**2 * self._fresh_unknown_share(),
            r.quota * period_len / np.maximum(r.quota_days, 1), r.goal,
            r.foresight if uses else np.zeros(r.n), r.ratchet_foresight if uses else np.zeros(r.n),
            patience, w.plan.curve.first_rate, w.decision_curve, *w.quota_carry, r.nu_next, r.ratchet_w,
        )

    def _flagged(self, idx: np.ndarray) -> np.ndarray:
        """The reps `idx` as flags, in an array kept for it (`_period_outlook` takes flags)."""
        who = self._who
        who[:] = False
        who[idx] = True
        return who

    def _expected_curve_pay(self, typical: np.ndarray, full_quota: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of a full period's pay on the plan's curve (commission, bonus, tiers, cap) at a
        quota of `full_quota`, for a rep who expects to sell `typical` with the noise of Poisson deals and the
        market's uncertainty: what a rep expects of the job, on joining and each month after
        (`behaviour.turnover`)."""
        w = self.world
        sd = np.sqrt(typical * w.deal_size + (w.demand.uncertainty * typical) ** 2 * self._fresh_unknown_share())
        return pay_moments(w.plan.curve, typical, sd, full_quota)

    def _fresh_unknown_share(self) -> float:
        length = self.world.period_len
        if length <= DAYS_PER_MONTH:
            return 1.0
        full, part = divmod(length, DAYS_PER_MONTH)
        return (full * DAYS_PER_MONTH**2 + part**2) / length**2

    def _full_quota(self, slots: np.ndarray) -> np.ndarray:
        """A full period's starting quota for reps in these positions."""
        r = self.reps
        w = self.world
        per_day = w.reference_rate
        return initial_quotas(
            self.scenario.quota, w.period_len,
            sales_per_day=r.ability[slots] * r.potential[slots] * per_day,
            force_sales_per_day=w.mean_ability * per_day,
            territory_sales_per_day=w.mean_ability * r.potential[slots] * per_day,
        )

    def _recruit(self, slots: np.ndarray, start_day: int, initial: bool) -> None:
        """Fill positions with reps drawn from the force's composition."""
        r = self.reps
        w = self.world
        recruits, tenure = self._draw_recruits(slots, initial)
        for trait in TRAITS:
            getattr(r, trait)[slots] = recruits.traits[trait]
        r.segment[slots] = recruits.segment
        r.rep_id[slots] = np.arange(self.next_rep_id, self.next_rep_id + len(slots))
        self.next_rep_id += len(slots)
        ramp = self.scenario.force.ramp_days
        if initial:
            r.hire_day[slots] = -ramp - tenure
        else:
            r.hire_day[slots] = start_day
        r.active[slots] = True
        r.vacant_until[slots] = -1
        full_quota = self._full_quota(slots)
        period_len = w.period_len
        days_left = int(w.calendar.days_left[start_day]) if start_day < self.n_days else period_len
        r.start_quota[slots] = full_quota
        r.quota[slots] = full_quota * days_left / period_len
        r.quota_days[slots] = days_left
        r.carried[slots] = 0.0
        if w.second is not None:
            r.stack_quota[slots] = full_quota * w.second.calendar.length / period_len
        r.reset_period_books(slots)
        r.stack_sales[slots] = 0.0
        r.year_sales[slots] = 0.0
        r.year_quota[slots] = 0.0
        r.effort[slots] = 1.0
        r.focus[slots] = w.balanced
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
        r.last_rate[slots] = w.plan.curve.first_rate
        # what a rep expects of the job on joining: a period's sales at normal effort, and the pay
        typical = r.ability[slots] * r.potential[slots] * w.reference_rate * period_len
        r.typical_sales[slots] = typical
        mean_pay, _ = self._expected_curve_pay(typical, full_quota)
        r.pay_mean[slots] = mean_pay / period_len  # the job's pay as a misconduct risk weighs it (`DayContext.job_value`)
        r.beside_mean[slots] = 0.0
        r.beside_var[slots] = 0.0
        # a day at normal effort: k at the quadratic cost, k (2 / gamma) in general (`behaviour.effort_cost`)
        r.effort_cost_mean[slots] = r.effort_cost[slots] * cost(1.0, 1.0, self.scenario.behaviour.effort_curvature)
        self._period_outlook(self._flagged(slots))
        self.hired_today.extend(int(s) for s in slots)

    def _draw_recruits(self, slots: np.ndarray, initial: bool) -> tuple[Recruits, np.ndarray | None]:
        """The recruits' traits (and the starting force's days in the job before day 0). From the stream,
        in one draw; under keyed draws the starting force from a generator of its own and each hire
        from one fixed by its position and how many hires the position has had, so a hire's traits
        do not depend on who else left when."""
        composition = self.world.composition
        if initial:
            g = draws.recruits_rng(self.dice, 0) if self.keyed else self.rng
            return composition.initial(len(slots), g), g.integers(0, 3 * DAYS_PER_YEAR, size=len(slots))
        if not self.keyed:
            return composition.hire(len(slots), self.rng), None
        each = []
        for slot in slots:
            self.hires[slot] += 1
            each.append(composition.hire(1, draws.recruits_rng(self.dice, 1, int(slot), int(self.hires[slot]))))
        return Recruits(np.concatenate([e.segment for e in each]),
                        {t: np.concatenate([e.traits[t] for e in each]) for t in TRAITS}), None

    def _set_goal_value(self, idx) -> None:
        """What reaching the goal is worth to a rep: its committed goal value (scaled to the goal's
        length), the pressure attached to missing it where progress is checked, and the dismissal it
        avoids where management fires for runs of misses (docs/model.md, goal value); nothing if the
        quota is not its goal."""
        r = self.reps
        if not self.scenario.quota.assigned:
            r.goal[idx] = 0.0
            return
        scope = (self.world.period_len / 63.0) ** self.scenario.behaviour.goal_scaling
        r.goal[idx] = r.goal_value[idx] * scope * r.commitment[idx] + r.pressure[idx]
        mgmt = self.scenario.management
        if mgmt.fire_below_attainment > 0:
            limit = mgmt.fire_after_misses
            pi = r.miss_rate[idx]
            r.goal[idx] += self.ctx.job_value(idx) * (pi ** np.maximum(limit - r.misses[idx] - 1, 0) - pi**limit)

    def _seed_pipeline(self) -> None:
        r = self.reps
        w = self.world
        force = self.scenario.force
        productivity = np.empty(r.n)
        ramped_productivity(r.ability, r.potential, r.hire_day, 0, force.ramp_start, force.ramp_days, productivity)
        sales_process.seed_pipeline(
            r.active, productivity, self.ctx.leads, w.focus_g[w.balanced],
            float(w.demand.planned[0]), self.ctx.win, *w.products.delay_alias, r.open_total, r.open_won,
            self.dice,
        )

    def _release(self, slots: np.ndarray) -> None:
        """Reps leave: their waiting customers go to the house, clawbacks lapse."""
        r = self.reps
        sales_process.book_house_held(slots, r.held_kind, r.held_product, self.ctx.booking, self.ctx.books())
        r.held_kind[slots] = sales_process.EMPTY
        r.held_top[slots] = 0
        r.old_revenue[slots] += r.cancel_revenue[slots]
        r.cancel_revenue[slots] = 0.0
        r.cancel_credit[slots] = 0.0
        r.old_clawback[slots] = 0.0
        if self.young is not None:
            self.young.release(slots)
            self.churn_rate[slots] = self.world.plan.curve.first_rate
        r.active[slots] = False
        filled_from = self.day + 1 + self.scenario.management.vacancy_days
        r.vacant_until[slots] = filled_from
        self.next_hire_day = min(self.next_hire_day, filled_from)
        self.left_today.extend(int(s) for s in slots)

    def _settle(self, who: np.ndarray, full: bool) -> None:
        """Pay the reps in `who` for the period so far; at a period's end, move their quotas,
        averages, commitment and customers' learning on, and apply firing rules."""
        w = self.world
        r = self.reps
        t = self.day
        idx = np.flatnonzero(who)
        if idx.size == 0:
            return
        curve = w.plan.curve
        days = np.maximum(r.days_active[idx], 1)
        quota = r.quota[idx] * (1.0 if full else days / np.maximum(r.quota_days[idx], 1))
        sales = r.sales[idx]
        commission, bonus = curve.commission_and_bonus(sales, quota)
        if not full:
            bonus = np.zeros(idx.size)
        stacked_bonus = np.zeros(idx.size)
        if full:
            r.stack_sales[idx] += sales
        if full and w.plan.stacked is not None and w.second.calendar.is_last_day[t]:
            stacked_bonus = w.plan.stacked.curve.pay(r.stack_sales[idx], r.stack_quota[idx])
        base = w.plan.base_per_day * days
        clawback = r.clawback_due[idx].copy()
        variable = commission + bonus + stacked_bonus - clawback
        # pay beside the curve: activity pay, unit goals and SPIFs; prizes, team bonuses and draws
        variable, awarded, earned = self.levers.settle(self.ctx, idx, r.days_active[idx], full, variable)
        attainment = sales / quota
        # clawbacks to come on this period's sales, at the commission rate it earned
        rate = np.where(sales > 0, commission / np.maximum(sales, 1e-9), curve.first_rate)
        r.last_rate[idx] = rate
        churn_column = None
        if self.young is not None:
            self.churn_rate[idx] = rate
            churn_column = {"churn_clawback": self.churn_clawed[idx].copy()}
            self.churn_clawed[idx] = 0.0
        sales_process.carry_cancellations(idx, w.plan.clawback_share * rate, r.cancel_credit, r.cancel_revenue,
                                          r.old_clawback, r.old_revenue)
        if full:
            self._learn(idx, attainment, sales, quota, variable, variable - commission - bonus, days)
        dismissed = self.ctx.dismissed
        self.recorder.period(self.ctx, idx, full, quota, attainment, base, commission, bonus + stacked_bonus, clawback,
                             self.quitting[idx].copy(), self.fired[idx], dismissed[idx].copy(), awarded, earned,
                             churn_column)
        r.reset_period_books(idx)

    def _learn(self, idx, attainment, sales, quota, variable, beside, days) -> None:
        """Period's end: running averages, goal commitment, customers' learning and misses
        (`behaviour.memory`), quotas, firing."""
        w = self.world
        r = self.reps
        t = self.day
        m = self.scenario.behaviour.memory
        c = self.scenario.market.customers
        mgmt = self.scenario.management
        remember_period(
            idx, m, w.period_len, days, attainment, sales, quota, variable, beside,
            self.scenario.behaviour.commitment_learning, c.waiting_learning, c.waiting_ceiling,
            mgmt.fire_below_attainment, mgmt.fire_after_misses, self.scenario.force.ramp_days, t,
            (r.pay_mean, r.beside_var, r.beside_mean, r.effort_cost_mean, r.effort_cost, r.effort_cost_units,
             r.typical_sales, r.morale, r.commitment, r.year_sales, r.year_quota),
            (r.offered, r.refused, r.waiting_share), (r.hire_day, r.misses, r.miss_rate, self.fired),
        )
        scale = w.period_len / days
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
        full_quota = (quota - r.carried[idx]) * w.period_len / np.maximum(r.quota_days[idx], 1)
        r.quota[idx] = next_quotas(
            self.scenario.quota, full_quota, sales * scale, r.start_quota[idx],
            r.year_sales[idx] if year_end else None, w.calendar.periods_per_year,
        )
        if mgmt.pressure.carry_shortfall:
            r.carried[idx] = np.maximum(quota - sales, 0.0)
            r.quota[idx] += r.carried[idx]
        r.quota_days[idx] = w.period_len
        r.misses[idx] = np.where(self.fired[idx], 0, r.misses[idx])
        self._set_goal_value(idx)
        self._period_outlook(self._flagged(idx))
