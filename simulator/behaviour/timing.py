"""Deal timing: book a ready deal now, hold it, push it into the next period, or pull one in from it.

Every timing move is priced by the plan's valuation in certainty equivalents, with the rep's own
risk aversion as its effort choice has it (`behaviour.valuation.gain_and_option_ce`), and
always costs something (a held customer may walk away; a waiting customer signs now only at the
period-end discount; a deal pulled in needs a discount too), so under linear pay nothing is moved.
Near a threshold, holding or discounting pays: sandbagging and the period-end rush (Oyer 1998;
Larkin 2014; Chung, Steenburgh and Sudhir 2014 on caps). Pay beside the quota's curve that
depends on when a deal lands is weighed too (`_landing`): a second prize (a stacked bonus, a
contest, a team bonus) over its window, a SPIF over its window, a product quota's bonus over the
period. A deal pushed past a window's end leaves it, so a contest quarter that ends with the quota
quarter holds sandbagging back and a SPIF's last day draws deals in, while a deal that lands in
the window either way is only at risk of walking away (Asch 1990 and Oyer 1998 on timing sales to
bonus deadlines). Activity targets count logged activities, not bookings, so timing leaves them
alone. docs/model.md, "The reps' decisions".
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simulator.behaviour.borrowing import borrowing
from simulator.behaviour.effort import focus_coefficients
from simulator.behaviour.valuation import gain_and_option_ce, prize_gain
from simulator.draws import PULL_ACCEPT, WALK_AWAY, uniform
from simulator.selling.pipeline import (
    EMPTY,
    FLEXIBLE,
    OFFERED,
    PULLED,
    PUSHED,
    PUSHED_FLEXIBLE,
    REFUSED,
    REFUSED_WAITING,
    WAITING,
    WALKED,
    book,
)
from simulator.world.per_rep import per_rep


@njit(cache=True, error_model="numpy", inline="always")
def _landing(p, unit, now, end, full, prize, mu_y, s_y, line, next_in_window, side, bonus, goal_mean, goal_s,
             goal_units):
    """Pay beside the quota's curve that a deal of product p brings by when it lands, for credit
    `now` if booked today, `end` if booked on the period's last day (after any discount) and `full`
    if booked next period: (booked today, at the period's end, next period).

    A second prize (`prize` > 0, believed window sales Normal(mu_y, s_y^2), its line `line`): its gain
    in the chance of passing the line, where the deal lands in its window; by the period's end it
    does (windows end with a quota period), next period only while the window goes on
    (`next_in_window`). A SPIF (`side`: `state.context.TimingTerms`): its $ a unit on the day the deal
    lands. A product quota on p (its `bonus`, 0 for none, the units believed by the period's end and
    their sd, as the effort choice believes them, and the quota's units): its bonus times the gain in
    the chance of reaching it this period."""
    p_now = side.spif[p] * now / unit
    p_end = side.spif_end[p] * end / unit
    p_next = side.spif_next[p] * full / unit
    if prize > 0.0:
        p_now += prize_gain(prize, mu_y, s_y, now, line)
        p_end += prize_gain(prize, mu_y, s_y, end, line)
        if next_in_window:
            p_next += prize_gain(prize, mu_y, s_y, full, line)
    if bonus > 0.0 and p == side.goal_product:
        p_now += prize_gain(bonus, goal_mean, goal_s, now / unit, goal_units)
        p_end += prize_gain(bonus, goal_mean, goal_s, end / unit, goal_units)
    return p_now, p_end, p_next


@borrowing
def concession(mu, s, value, base, now, beside, hold, q, curve, goal, points, risk, power, most):
    """The further discount, as a share of list price, that a customer who bargains takes when a rep
    wants the deal signed now: the rep gains `now + beside - hold` by the customer signing now at the
    `base` discount rather than waiting (`now`: the deal's gain on the quota's curve at the base
    discount, as the caller priced it; `hold`: the value of not signing now; `beside`: pay beside the
    quota's curve for landing it now, held at its value at the base discount), and the
    customer takes `power` of that gain (Nash 1950: the surplus split by bargaining power), up to
    `most` in all. The rep's gain is in pay, the discount in the firm's revenue: a rep paid a few
    percent of the deal pays a few percent of the discount, so a deal that lands a bonus or an
    accelerator is worth a deep discount to it. Larkin (2014): salespeople with a strong incentive
    to close in a quarter grant discounts larger than needed to win the deal, costing the vendor
    6-8% of revenue. Found by bisection on the rep's gain, which falls as the credit does."""
    room = most - base
    if power <= 0.0 or room <= 0.0:
        return 0.0
    keep = hold + (1.0 - power) * (now + beside - hold)
    if gain_and_option_ce(mu, s, value * (1.0 - most), 0.0, q, curve, goal, points, risk, False)[0] + beside >= keep:
        return room
    low, high = 0.0, room
    for _ in range(20):  # to a millionth of list price
        mid = 0.5 * (low + high)
        if gain_and_option_ce(mu, s, value * (1.0 - base - mid), 0.0, q, curve, goal, points, risk, False)[0] + beside >= keep:
            low = mid
        else:
            high = mid
    return low


@njit(cache=True, error_model="numpy")
def time_deals(t, days_left, active, allow_discounts, effort, focus, selling, demand_var, outlook, held, stakes,
               customers, pipe, second_days_left, terms, books, counts, rng, side, risk):
    """Each rep's timing choices for today; returns nothing, books through `book`. Bundles:
    `selling` (`state.context.Selling` for work after today), `outlook`, `held`, `stakes`, `pipe`,
    `books` and `counts` (`state.reps`: Outlook, Held, Stakes, Pipeline, Books, Timing),
    `customers` (`state.context.CustomerTerms`), `terms` (`state.context.BookingTerms`), `side`
    (`state.context.TimingTerms`: the SPIF, the product quota and the prize line's variance), `risk`:
    each rep's risk aversion, which values pay in certainty equivalents as effort does
    (`gain_and_option_ce`).

    With pay beside the curve (`_landing`) a choice compares booking now, with that pay now, against
    waiting, priced as the option of choosing at the period's end (`gain_and_option`) with that pay
    for booking then and for booking next period taken at their expected values: E[max(gain, later +
    P_next - P_end)] + P_end. Deals of the same kind and product are worth the same to a rep, so a
    decision is remembered (`memo`) until a booking moves the rep's sales.
    """
    n_prod = len(terms.price)
    memo = np.empty((2, 2, n_prod), dtype=np.int8)  # [kind, can be held to the period's end, product]
    memo_bargained = np.zeros(n_prod)  # a waiting customer's bargained discount, beside memo[WAITING, 0]
    points = np.empty(2 * stakes.curve[0] + 2)
    spif_on = np.any(side.spif != 0.0) or np.any(side.spif_end != 0.0) or np.any(side.spif_next != 0.0)
    _time_deals(t, days_left, active, allow_discounts, effort, focus, selling, demand_var, outlook, held, stakes,
                customers, pipe, second_days_left, terms, books, counts, rng, side, risk, memo, memo_bargained, points,
                spif_on)


@borrowing
def _time_deals(t, days_left, active, allow_discounts, effort, focus, selling, demand_var, outlook, held, stakes,
                customers, pipe, second_days_left, terms, books, counts, rng, side, risk, memo, memo_bargained, points,
                spif_on):
    """`time_deals` with its work arrays (`memo`, `memo_bargained`, `points`) given, without
    reference counting (`behaviour.borrowing`): it runs the whole force's timing in one call."""
    held_kind, held_product, held_age, held_life, held_top = held
    booked_plus_pipeline, pipeline_var = outlook.mu_fixed, outlook.var_fixed
    quota, goal, nu_next, curve = stakes.quota, stakes.goal, stakes.nu_next, stakes.curve
    amount, line = stakes.second_amount, stakes.second_line
    window_goes_on = second_days_left > days_left  # a deal booked next period still lands in the prize's window
    prod, leads, win, focus_g, din = selling.productivity, selling.leads, selling.win, selling.focus_g, selling.din
    walk_away, waiting_discount, pull_discount, pull_acceptance, pull_days, power, most = customers
    open_total, open_won, in_stack = pipe.open_total, pipe.open_won, pipe.in_second
    price, dealv, today = terms.price, selling.deal_value, books.today
    p_pulled, p_pushed, offered, refused = counts
    ring = open_total.shape[1]
    last_day = days_left == 1
    for i in range(len(active)):
        if not active[i]:
            continue
        has_held = False
        for h in range(held_top[i]):
            if held_kind[i, h] != EMPTY:
                has_held = True
                break
        if not has_held and not (last_day and allow_discounts and pull_acceptance > 0.0):
            continue
        # belief about the period's other sales: booked + pipeline + today's planned effort
        a_in, b_in, a_out, a_y = focus_coefficients(i, focus[i], selling)
        new = effort[i] * a_in
        held_total = 0.0
        for h in range(held_top[i]):
            if held_kind[i, h] != EMPTY:
                v = dealv[held_product[i, h]]
                held_total += v * (1.0 - waiting_discount) if held_kind[i, h] == WAITING else v
        mu = booked_plus_pipeline[i] - held_total + new
        s = math.sqrt(pipeline_var[i] + effort[i] * b_in + demand_var * new * new) + 1e-6
        mu_y = 0.0
        s_y = 1.0
        if amount > 0.0:  # the same belief over the prize's window, with the line's own uncertainty
            new_y = effort[i] * a_y
            mu_y = outlook.mu_second[i] - held_total + new_y
            var_y = outlook.var_second[i] + side.prize_var[i] + effort[i] * b_in + demand_var * new_y * new_y
            s_y = math.sqrt(var_y) + 1e-6
        bonus = side.unit_goals[i, 0, 3]  # a product quota: its units by the period's end, as effort weighs them
        goal_mean = 0.0
        goal_s = 1.0
        if bonus > 0.0:
            gp = side.goal_product
            new_units = (effort[i] * prod[i] * per_rep(leads, i, gp) * focus_g[focus[i], gp] * per_rep(win, i, gp)
                         * din[gp])
            goal_mean = side.unit_goals[i, 0, 0] + new_units
            goal_s = math.sqrt(side.unit_goals[i, 0, 1] + new_units + 0.25)
        goal_units = side.unit_goals[i, 0, 2]
        extra = amount > 0.0 or spif_on or bonus > 0.0
        q = quota[i]
        g = goal[i]
        nu = nu_next[i]
        memo[:] = -1
        for h in range(held_top[i]):
            kind = held_kind[i, h]
            if kind == EMPTY:
                continue
            p = held_product[i, h]
            value = dealv[p]
            remaining = held_life[i, h] - held_age[i, h]
            do_book = False
            discount = 0.0
            bargained = 0.0
            if kind == REFUSED_WAITING:
                do_book = True
            elif kind == FLEXIBLE or kind == PUSHED_FLEXIBLE:
                reach = 1 if remaining >= days_left else 0
                if remaining <= 0 or not (reach == 1 or last_day):
                    do_book = True  # last chance, or it cannot be held to the period's end anyway
                elif memo[FLEXIBLE, reach, p] >= 0:
                    do_book = memo[FLEXIBLE, reach, p] == 1
                else:
                    later = (1.0 - walk_away) * nu * value if reach == 1 else 0.0
                    if extra:
                        p_now, p_end, p_next = _landing(p, value, value, value, value, amount, mu_y, s_y, line[i],
                                                        window_goes_on, side, bonus, goal_mean, goal_s, goal_units)
                        p_next = (1.0 - walk_away) * p_next if reach == 1 else 0.0
                        gain, option = gain_and_option_ce(mu, s, value, later + p_next - p_end, q, curve, g, points,
                                                          risk[i], not last_day)
                        gain += p_now
                        hold = later + p_next if last_day else (1.0 - walk_away) ** (days_left - 1) * (option + p_end)
                    else:
                        gain, option = gain_and_option_ce(mu, s, value, later, q, curve, g, points, risk[i],
                                                          not last_day)
                        hold = later if last_day else (1.0 - walk_away) ** (days_left - 1) * option
                    do_book = gain >= hold
                    memo[FLEXIBLE, reach, p] = 1 if do_book else 0
            else:  # WAITING
                if remaining <= 0:
                    do_book = True  # patience over: signs at list price
                elif allow_discounts:
                    if memo[WAITING, 0, p] >= 0:
                        do_book = memo[WAITING, 0, p] == 1
                        bargained = memo_bargained[p]
                    else:
                        later = nu * value
                        p_now = 0.0
                        if extra:  # signs now or at the period's end at the discount, or at list price next period
                            p_now, p_end, p_next = _landing(p, value, value * (1.0 - waiting_discount),
                                                            value * (1.0 - waiting_discount), value, amount, mu_y, s_y,
                                                            line[i], window_goes_on, side, bonus, goal_mean, goal_s,
                                                            goal_units)
                            gain, option = gain_and_option_ce(mu, s, value * (1.0 - waiting_discount),
                                                           later + p_next - p_end, q, curve, g, points, risk[i],
                                                           not last_day)
                            hold = later + p_next if last_day else option + p_end
                            do_book = gain + p_now > hold
                        else:
                            gain, option = gain_and_option_ce(mu, s, value * (1.0 - waiting_discount), later, q, curve,
                                                           g, points, risk[i], not last_day)
                            hold = later if last_day else option
                            do_book = gain > hold
                        memo[WAITING, 0, p] = 1 if do_book else 0
                        if do_book and power > 0.0:
                            bargained = concession(mu, s, value, waiting_discount, gain, p_now, hold, q, curve, g,
                                                   points, risk[i], power, most)
                        memo_bargained[p] = bargained
                    if do_book:
                        discount = waiting_discount + bargained
                        offered[i] += 1
                        today[OFFERED] += 1
            if do_book:
                credited = book(i, p, 1, discount, t, terms, books, rng)
                mu += credited
                mu_y += credited
                if p == side.goal_product:
                    goal_mean += credited / dealv[p]
                held_kind[i, h] = EMPTY
                memo[:] = -1  # the rep's sales moved: values change
            elif last_day:
                if kind == FLEXIBLE:  # counted once, however many period ends it is held across
                    p_pushed[i] += 1
                    today[PUSHED] += 1
                    held_kind[i, h] = PUSHED_FLEXIBLE
                elif kind == WAITING:
                    held_kind[i, h] = REFUSED_WAITING
                    refused[i] += 1
                    today[REFUSED] += 1
        # pull deals due early next period into this one
        if last_day and allow_discounts and pull_acceptance > 0.0:
            for d in range(1, pull_days + 1):
                slot = (t + d) % ring
                for p in range(len(price)):
                    if open_total[i, slot, p] == 0:
                        continue
                    discounted = dealv[p] * (1.0 - pull_discount)
                    gain, _ = gain_and_option_ce(mu, s, discounted, 0.0, q, curve, g, points, risk[i], False)
                    stay = nu * dealv[p]
                    p_in = 0.0
                    if extra:  # a deal due inside the prize's window counts there either way
                        p_in, _, p_next = _landing(p, dealv[p], discounted, discounted, dealv[p], amount, mu_y, s_y,
                                                   line[i], d < second_days_left, side, bonus, goal_mean, goal_s,
                                                   goal_units)
                        stay += p_next
                    if gain + p_in <= stay:
                        continue
                    accepted = 0
                    for _ in range(open_won[i, slot, p]):
                        if uniform(rng, i, PULL_ACCEPT) < pull_acceptance:
                            accepted += 1
                    if accepted == 0:
                        continue
                    bargained = 0.0
                    if power > 0.0:
                        bargained = concession(mu, s, dealv[p], pull_discount, gain, p_in, stay, q, curve, g,
                                               points, risk[i], power, most)
                    open_won[i, slot, p] -= accepted
                    open_total[i, slot, p] -= accepted
                    if d < second_days_left:
                        in_stack[i, p] -= accepted
                    credited = book(i, p, accepted, pull_discount + bargained, t, terms, books, rng)
                    mu += credited
                    if d >= second_days_left:
                        mu_y += credited
                    if p == side.goal_product:
                        goal_mean += credited / dealv[p]
                    p_pulled[i] += accepted
                    today[PULLED] += accepted
        # customers kept waiting age; held ones may walk away
        for h in range(held_top[i]):
            kind = held_kind[i, h]
            if kind == EMPTY:
                continue
            held_age[i, h] += 1
            if (kind == FLEXIBLE or kind == PUSHED_FLEXIBLE) and uniform(rng, i, WALK_AWAY) < walk_away:
                held_kind[i, h] = EMPTY
                today[WALKED] += 1
        top = held_top[i]
        while top > 0 and held_kind[i, top - 1] == EMPTY:
            top -= 1
        held_top[i] = top
