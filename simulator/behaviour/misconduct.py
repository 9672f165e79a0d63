"""Misconduct: whether to book fake sales (fabrication) or sell declining customers what they do not
need (mis-selling), weighed by the same valuation as every other choice.

A rep takes the number of acts n with the best net value (plus logistic noise):

    net(n) = E[value(S + n x) - value(S)] x (1 - t_open) + [check-in cleared]
             - n x (moral cost + p x sanction + (t - t_open) x clawback share x rate x x)

where p is the chance the act is ever found, t the chance its credit is ever taken back and t_open
the chance that happens before its period settles: the world reverses an act's credit while its
period is open, and once the period is paid claws back only the commission it earned, never a
bonus (`conduct.oversight`). Credit is taken back when the act is found (with clawback on) or, for
a mis-sale, when the customer complains and is refunded (whatever the clawback); with neither, a
found act costs only the sanction. So acts peak just short of a threshold near its
deadline and vanish under linear pay, with no rule saying so (Schweitzer, Ordonez and Douma 2004;
Cadsby, Song and Tapon 2010). Cases: Wells Fargo's unauthorised accounts, Sears Auto Centers'
unneeded repairs (docs/model.md, "Misconduct").
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from simulator.behaviour.borrowing import borrowing
from simulator.behaviour.effort import focus_coefficients
from simulator.behaviour.valuation import gain_and_option, prize_gain
from simulator.conduct.oversight import (
    FABRICATION,
    FABRICATIONS,
    FAKE_CREDIT,
    FEES,
    MIS_SALE,
    MIS_SALES,
    MIS_SOLD,
    REPORT_DELAY_DAYS,
    record_act,
)
from simulator.draws import FABRICATE, LOST_MISSOLD, binomial, uniform
from simulator.selling.pipeline import book


@borrowing
def _best_count(cap, x, mu, s, q, curve, goal, points, sales_now, target, pressure_cost, cost_per_act, keep,
                prize, mu_y, s_y, cut):
    """The number of acts (0..cap) with the largest net value, and that value. A second prize
    (a stacked bonus, a contest or a team bonus) adds its gain in the chance of reaching `cut`."""
    best_n = 0
    best = 0.0
    for n in range(1, cap + 1):
        gain, _ = gain_and_option(mu, s, n * x, 0.0, q, curve, goal, points, False)
        if prize > 0.0:
            gain += prize_gain(prize, mu_y, s_y, n * x, cut)
        value = gain * keep - n * cost_per_act
        if target > 0.0 and sales_now < target <= sales_now + n * x:
            value += pressure_cost
        if value > best:
            best = value
            best_n = n
    return best_n, best


class Conduct(NamedTuple):
    """What the misconduct choice weighs beside the plan, from the scenario: the moral cost and
    the noise on taking a choice, integrity's erosion per act, warnings before dismissal, the
    chance each kind of act is found, the chance a colleague reports it (times 1 - norm), and per
    kind: fabrication's acts a day, product, fee, complaint rate and delay; mis-selling's share
    of declining customers, complaint rate and delay; then how acts come to light (audits, the share
    of complaints investigated) and what a found act's credit costs (`found_while_open`)."""

    moral_cost: float
    noise: float
    erosion: float
    warnings_before_firing: int
    p_found: np.ndarray
    report_rate: float
    fab_per_day: int
    fab_product: int
    fab_fee: float
    fab_complaint: float
    fab_delay: float
    mis_share: float
    mis_complaint: float
    mis_delay: float
    audit_rate: float
    audit_catch: float
    audit_window: int
    investigation: float
    reversal: float  # 1 if a found act's credit is taken back (`sanctions.clawback`), else 0
    clawback_share: float  # the plan's share of a settled sale's commission taken back with its credit
    refund_rate: float  # chance a complaining mis-sold customer is refunded (the sale's credit goes with it)


class Ethics(NamedTuple):
    """Each rep's integrity now, the norm it reads from colleagues, its warnings, what being behind
    at a check-in costs it, what losing the job would cost it, and how far it believes the chance
    of being found (`force.traits.detection_belief`: 1 = as the world's rules make it)."""

    integrity: np.ndarray
    norm: np.ndarray
    warnings: np.ndarray
    pressure: np.ndarray
    job_cost: np.ndarray
    detection_belief: np.ndarray
    commission_rate: np.ndarray  # commission per credited $ in the last settled period (what a clawback takes)


def todays_ethics(ctx) -> Ethics:
    """Every rep's `Ethics` today (`ctx`: the day's `state.context.DayContext`): what losing the job costs
    is written in place (`DayContext.job_values`) and the bundle is kept, so the kernels that take it are
    called past numba's dispatch (`simulator.steady`)."""
    ctx.job_values()
    r = ctx.reps
    return ctx.kept((Ethics,), lambda: Ethics(r.integrity_now, r.norm, r.warnings, r.pressure, ctx.job_value_today,
                                              r.detection_belief, r.last_rate))


@njit(cache=True, inline="always")
def believed(found: float, belief: float) -> float:
    """The chance of being found a rep weighs: the world's chance `found` times its belief, at most
    certainty. Underrating detection is a named trait, not a silent gap between belief and world:
    offenders who think they will not be caught (Becker 1968 on the expected sanction; Gino, Ayal
    and Ariely 2009 on cheating that goes unpunished) offend more. A trait distribution overridden
    without its lower limit can draw a negative belief; it counts as certainty of not being found."""
    return max(0.0, min(1.0, belief * found))


@njit(cache=True, inline="always")
def audited_within(days, conduct):
    """The chance audits find an act within `days` of review (at most their window), reckoned as
    `world.build` reckons the overall chance: a catch counted once."""
    return conduct.audit_catch * (1.0 - (1.0 - conduct.audit_rate) ** min(days, conduct.audit_window))


@njit(cache=True, inline="always")
def found_while_open(days_left, complaint_rate, complaint_delay, report, conduct):
    """The chance an act done today is found before its period settles, by the world's own timing
    (`conduct.oversight`): audits review it from tomorrow to the period's last day within their
    window, and complaints and colleagues' reports arrive after exponential delays. Its
    complement within the chance of ever being found is found after the period is paid."""
    ahead = days_left - 1
    audited = audited_within(ahead, conduct)
    complained = complaint_rate * conduct.investigation * (1.0 - math.exp(-ahead / complaint_delay))
    reported = report * (1.0 - math.exp(-ahead / REPORT_DELAY_DAYS))
    return 1.0 - (1.0 - audited) * (1.0 - complained) * (1.0 - reported)


@njit(cache=True, inline="always")
def credit_taken(found, complained, found_on_complaint, refund_rate, reversal):
    """The chance an act's credit is taken back within some time: it is found and clawback is on
    (`reversal` 1), or its customer complains (`complained`) and is refunded, which reverses a
    mis-sale's credit whatever the clawback; a refunded act counts once even when it is found too
    (`found_on_complaint`: the chance it is found given the complaint). As `conduct.oversight`
    does: a complaint is refunded and investigated by separate draws. Zero `complained` (a fake
    account, whose refund is its fees) leaves `reversal x found`."""
    return reversal * found + complained * refund_rate * (1.0 - reversal * found_on_complaint)


class Prize(NamedTuple):
    """A second threshold prize (a stacked bonus, a contest or a team bonus; amount 0: none), each
    rep's line for it and its belief about its sales over the prize's window (mean, variance)."""

    amount: float
    line: np.ndarray
    mu: np.ndarray
    var: np.ndarray


class Acting(NamedTuple):
    """The period's counts of acts per rep, and who acted today."""

    fabrications: np.ndarray
    mis_sales: np.ndarray
    acted_today: np.ndarray


def conduct_terms(scenario, products, p_found: np.ndarray, clawback_share: float) -> Conduct:
    """`Conduct` from a scenario (`products`: its `world.market.ProductTable`; `clawback_share`: the
    plan's share of commission taken back on a reversed sale)."""
    m = scenario.market
    e = scenario.behaviour.ethics
    d, sanctions = scenario.management.detection, scenario.management.sanctions
    fab, mis = m.fabrication, m.mis_selling
    return Conduct(e.moral_cost, e.noise, e.erosion, sanctions.warnings_before_firing, p_found,
                   d.whistleblowing, fab.per_day,
                   products.names.index(fab.product) if fab.per_day > 0 else 0, fab.fee, fab.complaint_rate,
                   fab.complaint_delay_days, mis.share_of_declines, mis.complaint_rate, mis.complaint_delay_days,
                   d.audit_rate, d.audit_catch, d.audit_window_days, d.complaint_investigation,
                   1.0 if sanctions.clawback else 0.0, clawback_share, mis.refund_rate)


@njit(cache=True, error_model="numpy")
def choose_misconduct(day, period_now, days_left, check_today, elapsed_share, active, rep_id, effort, focus, selling,
                      demand_var, outlook, stakes, ethics, conduct, lost_today, terms, books, acts, events, n_days,
                      acting, totals, rng, prize):
    """Each active rep's acts of misconduct today. Bundles: `selling` (`state.context.Selling`
    for work after today), `outlook` and `stakes` (`state.reps`), `ethics`, `conduct`, `acting`
    and `prize` (this module), `terms` and `books` (booking), `acts` and `events`
    (`conduct.oversight.Acts`, `Events`). With a prize (`prize.amount` > 0), won when the
    window's credited sales reach `prize.line[i]`, believed Normal(prize.mu + today's work,
    prize.var + ...), an act is also worth its gain in the chance of winning."""
    mu_fixed, var_fixed = outlook.mu_fixed, outlook.var_fixed
    quota, goal, curve = stakes.quota, stakes.goal, stakes.curve
    integrity, norm, warnings, pressure, job_cost, belief, commission_rate = ethics
    (moral_cost, noise, erosion, warnings_before_firing, p_found, report_rate, fab_per_day, fab_product, fab_fee,
     fab_complaint, fab_delay, mis_share, mis_complaint, mis_delay, _, _, audit_window, investigation,
     reversal, clawback_share, refund_rate) = conduct
    p_fabrications, p_mis_sales, acted_today = acting
    sales, p_by_product = books.sales, books.by_product
    price, dealv = terms.price, selling.deal_value
    amount, prize_cut, mu_y0, var_y0 = prize
    points = np.empty(2 * curve[0] + 2)
    # what no rep's own state changes today: audits within their window and within the period's rest,
    # and the chance a mis-sold customer's complaint comes before the period settles
    window = days_left - 1  # complaints, audits and reports from tomorrow to the period's last day
    audited = audited_within(audit_window, conduct)
    audited_early = audited_within(window, conduct)
    complained_early = mis_complaint * (1.0 - math.exp(-window / mis_delay))
    for i in range(len(active)):
        acted_today[i] = False
        if not active[i]:
            continue
        # belief about the period's end after today's bookings, with the rest of today's plan
        a_in, b_in, a_out, a_y = focus_coefficients(i, focus[i], selling)
        new = effort[i] * a_in
        mu = mu_fixed[i] + new
        s = math.sqrt(var_fixed[i] + effort[i] * b_in + demand_var * new * new) + 1e-6
        q = quota[i]
        mu_y = 0.0
        s_y = 1.0
        cut = 0.0
        if amount > 0.0:
            new_y = effort[i] * a_y
            mu_y = mu_y0[i] + new_y
            s_y = math.sqrt(var_y0[i] + effort[i] * b_in + demand_var * new_y * new_y) + 1e-6
            cut = prize_cut[i]
        standing = sales[i] / q
        target = q * elapsed_share if check_today else 0.0
        moral = moral_cost * integrity[i] * (1.0 - norm[i])
        sanction = job_cost[i] if warnings[i] >= warnings_before_firing else 0.1 * job_cost[i]
        for kind in range(2):
            if kind == FABRICATION:
                if fab_per_day <= 0:
                    continue
                products = 1
            else:
                if mis_share <= 0.0:
                    continue
                products = len(price)
            for j in range(products):
                p = fab_product if kind == FABRICATION else j
                if kind == FABRICATION:
                    cap = fab_per_day
                else:
                    cap = binomial(rng, i, LOST_MISSOLD, lost_today[i, p], mis_share) if lost_today[i, p] > 0 else 0
                if cap == 0:
                    continue
                x = dealv[p]
                # the chance the act comes to light, as the world's rules make it: audits and
                # investigated complaints (p_found), or a colleague who does not share the norm reports it;
                # its credit taken back while its period is open loses all of it, later only its commission
                report = report_rate * (1.0 - norm[i])
                found = believed(1.0 - (1.0 - p_found[kind]) * (1.0 - report), belief[i])
                fab = kind == FABRICATION
                early = min(found, believed(found_while_open(days_left, fab_complaint if fab else mis_complaint,
                                                             fab_delay if fab else mis_delay, report, conduct),
                                            belief[i]))
                taken = reversal * found
                taken_early = reversal * early
                if not fab and refund_rate > 0.0:  # a refunded mis-sale's credit goes with the refund
                    reported_early = report * (1.0 - math.exp(-window / REPORT_DELAY_DAYS))
                    on_complaint = believed(1.0 - (1.0 - investigation) * (1.0 - audited) * (1.0 - report), belief[i])
                    on_complaint_early = believed(
                        1.0 - (1.0 - investigation) * (1.0 - audited_early) * (1.0 - reported_early), belief[i])
                    taken = credit_taken(found, mis_complaint, on_complaint, refund_rate, reversal)
                    taken_early = credit_taken(early, complained_early, on_complaint_early, refund_rate, reversal)
                # a chance of being taken back by some time cannot fall as the time grows; the two
                # approximations of the overlap between refund and finding could cross by a rounding
                clawed = max(taken - taken_early, 0.0) * clawback_share * commission_rate[i] * x
                cost_per_act = moral + found * sanction + clawed
                n, net = _best_count(cap, x, mu, s, q, curve, goal[i], points, sales[i], target, pressure[i],
                                     cost_per_act, 1.0 - taken_early, amount, mu_y, s_y, cut)
                u = uniform(rng, i, FABRICATE)
                if n == 0 or net + noise * math.log(u / (1.0 - u)) <= 0.0:
                    continue
                for _ in range(n):
                    if kind == FABRICATION:
                        sales[i] += x
                        p_by_product[i, p] += x
                        totals[FAKE_CREDIT] += x
                        totals[FABRICATIONS] += 1
                        totals[FEES] += fab_fee
                        p_fabrications[i] += 1
                        record_act(i, rep_id[i], day, FABRICATION, p, x, fab_fee, period_now, standing, days_left,
                                   fab_complaint, fab_delay, report_rate * (1.0 - norm[i]), n_days, acts, events, rng)
                    else:
                        book(i, p, 1, 0.0, day, terms, books, rng)
                        totals[MIS_SOLD] += price[p]
                        totals[MIS_SALES] += 1
                        p_mis_sales[i] += 1
                        record_act(i, rep_id[i], day, MIS_SALE, p, x, price[p], period_now, standing, days_left,
                                   mis_complaint, mis_delay, report_rate * (1.0 - norm[i]), n_days, acts, events, rng)
                    integrity[i] *= 1.0 - erosion  # the slippery slope
                mu += n * x
                mu_y += n * x
                acted_today[i] = True

