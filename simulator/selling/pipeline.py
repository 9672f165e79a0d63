"""The sales process: effort turns leads into opportunities, which close after their sales cycle.

Opportunities are Poisson per rep and product, each with its decision day (the product's sales
cycle) and hidden outcome (its win rate); the pipeline is a ring over decision days. On its day a
won opportunity becomes a ready customer who signs at once, is *flexible* (signs when asked within
a few days: the rep may hold or push it) or *waits* for a period-end discount. `book` is the one
place a sale enters the books: credited sales, revenue net of discount, gross profit, the day's
totals and any later cancellation (clawed back from pay).
"""

from __future__ import annotations

from numba import njit

from simulator.draws import (
    CANCEL,
    CANCEL_DAY,
    CUSTOMER,
    LEAD_COUNT,
    LEAD_DELAY,
    LEAD_WIN,
    SEED_COUNT,
    SEED_DELAY,
    SEED_WIN,
    poisson,
    uniform,
)
from simulator.state.reps import EMPTY  # (held customers' encoding, used by the kernels)
from simulator.world.per_rep import of_rep, per_rep

# columns of the day's running totals (kernels in other modules compile these in: after changing them,
# clear numba's caches, `find simulator -name __pycache__ -exec rm -rf {} +`)
LIST_VALUE, DISCOUNT, REVENUE, CREDITED, GROSS_PROFIT, DEALS = 0, 1, 2, 3, 4, 5
PULLED, PUSHED, OFFERED, REFUSED, WALKED, CANCELLED, HOUSE, CREDIT_CANCELLED, CLAWBACK_BOOKED = range(6, 15)
PRODUCT_COLUMNS = 15  # then list value booked per product
FLEXIBLE, WAITING, REFUSED_WAITING, PUSHED_FLEXIBLE = 0, 1, 2, 3  # the last: a flexible deal already pushed once


@njit(cache=True, error_model="numpy")
def book(i, p, n_deals, discount, t, terms, books, rng):
    """Book `n_deals` deals of product p for rep i at a `discount` share off list price
    (`terms`: `state.context.BookingTerms`; `books`: `state.reps.Books`)."""
    if n_deals <= 0:
        return 0.0
    list_value = n_deals * terms.price[p]
    disc = list_value * discount
    revenue = list_value - disc
    credited = revenue * terms.credit[p]
    books.sales[i] += credited
    books.revenue[i] += revenue
    books.list_value[i] += list_value
    books.discount[i] += disc
    books.deals[i] += n_deals
    books.by_product[i, p] += credited
    books.month_revenue[i, p] += revenue
    today = books.today
    today[LIST_VALUE] += list_value
    today[DISCOUNT] += disc
    today[REVENUE] += revenue
    today[CREDITED] += credited
    today[GROSS_PROFIT] += revenue - list_value * (1.0 - terms.margin[p])
    today[DEALS] += n_deals
    today[PRODUCT_COLUMNS + p] += list_value
    ring = books.cancel_credit.shape[1]
    for _ in range(n_deals):
        if uniform(rng, i, CANCEL) < of_rep(terms.cancel_rate, i):
            slot = (t + 1 + int(uniform(rng, i, CANCEL_DAY) * terms.cancel_days)) % ring
            books.cancel_credit[i, slot] += credited / n_deals
            books.cancel_revenue[i, slot] += revenue / n_deals
    return credited


@njit(cache=True, error_model="numpy")
def book_house(i, p, n_deals, terms, books):
    """A deal from a vacant territory's pipeline: revenue for the firm (a subscriber of the
    territory, where that is the business), credited to nobody."""
    list_value = n_deals * terms.price[p]
    books.month_revenue[i, p] += list_value
    today = books.today
    today[LIST_VALUE] += list_value
    today[REVENUE] += list_value
    today[GROSS_PROFIT] += list_value * terms.margin[p]
    today[DEALS] += n_deals
    today[HOUSE] += list_value
    today[PRODUCT_COLUMNS + p] += list_value


@njit(cache=True, error_model="numpy")
def book_house_held(slots, held_kind, held_product, terms, books):
    """The deals that the reps leaving `slots` were holding, each booked to the house (`book_house`),
    slot by slot and place by place: one compiled pass, where a loop in Python paid a call per deal."""
    for s in slots:
        for h in range(held_kind.shape[1]):
            if held_kind[s, h] != EMPTY:
                book_house(s, held_product[s, h], 1, terms, books)


@njit(cache=True, error_model="numpy")
def prospect(t, days_left, second_days_left, active, effort, focus, selling, demand_today, keep, alias, pipe, rng):
    """Today's effort becomes opportunities, each with its decision day (drawn from the product's
    sales cycle by Walker's alias method: `keep`, `alias`) and hidden outcome.

    `pipe.in_period` / `pipe.in_second` count each rep's open opportunities decided within the
    quota period (and the second goal's window), kept up to date here and in `close_due`."""
    ring = pipe.open_total.shape[1]
    leads, win = selling.leads, selling.win
    n_prod = leads.shape[-1]
    for i in range(len(active)):
        if not active[i] or effort[i] <= 0.0:
            continue
        for p in range(n_prod):
            lam = effort[i] * selling.productivity[i] * per_rep(leads, i, p) * selling.focus_g[focus[i], p] * demand_today
            if lam <= 0.0:
                continue
            n_new = poisson(rng, i, LEAD_COUNT, lam)
            for _ in range(n_new):
                x = uniform(rng, i, LEAD_DELAY) * ring
                d = int(x)
                if x - d >= keep[p, d]:
                    d = alias[p, d]
                slot = (t + d) % ring
                pipe.open_total[i, slot, p] += 1
                if d < days_left:
                    pipe.in_period[i, p] += 1
                if d < second_days_left:
                    pipe.in_second[i, p] += 1
                if uniform(rng, i, LEAD_WIN) < per_rep(win, i, p):
                    pipe.open_won[i, slot, p] += 1


@njit(cache=True, error_model="numpy")
def seed_pipeline(active, prod, leads, focus_shares_g, demand, win, keep, alias, open_total, open_won, rng):
    """The open pipeline a force that has been working at normal effort and balanced focus would
    have on day 0: opportunities found on each of the last `ring` days whose decision is still
    to come. Without it every run would start with an empty pipeline and a depressed first
    period."""
    ring = open_total.shape[1]
    for i in range(len(active)):
        if not active[i]:
            continue
        for age in range(1, ring):
            for p in range(leads.shape[-1]):
                n_new = poisson(rng, i, SEED_COUNT, prod[i] * per_rep(leads, i, p) * focus_shares_g[p] * demand)
                for _ in range(n_new):
                    x = uniform(rng, i, SEED_DELAY) * ring
                    d = int(x)
                    if x - d >= keep[p, d]:
                        d = alias[p, d]
                    won = uniform(rng, i, SEED_WIN) < per_rep(win, i, p)
                    if d >= age:  # still open today
                        open_total[i, d - age, p] += 1
                        if won:
                            open_won[i, d - age, p] += 1


@njit(cache=True, error_model="numpy")
def count_window(t, window, open_total, out):
    """Open opportunities per rep and product decided within the next `window` days."""
    ring = open_total.shape[1]
    for i in range(open_total.shape[0]):
        for p in range(open_total.shape[2]):
            total = 0
            for d in range(min(window, ring)):
                total += open_total[i, (t + d) % ring, p]
            out[i, p] = total


@njit(cache=True, error_model="numpy")
def pipeline_outlook(active, pipe, win, dealv, held, sales, second_sales, waiting_discount, out):
    """Each rep's belief about the period's end before today's effort (`out`: `state.reps.Outlook`):
    booked + held + the pipeline expected to close in the period, its variance, and the same for
    the second goal's window."""
    n_prod = win.shape[-1]
    for i in range(len(active)):
        if not active[i]:
            continue
        held_value = 0.0
        for h in range(held.top[i]):
            kind = held.kind[i, h]
            if kind == EMPTY:
                continue
            value = dealv[held.product[i, h]]
            held_value += value * (1.0 - waiting_discount) if kind == WAITING else value
        mu = 0.0
        var = 0.0
        mu_y = 0.0
        var_y = 0.0
        for p in range(n_prod):
            count = pipe.in_period[i, p]
            count_y = pipe.in_second[i, p]
            out.pipe_count[i, p] = count
            mu += count * per_rep(win, i, p) * dealv[p]
            var += count * per_rep(win, i, p) * (1.0 - per_rep(win, i, p)) * dealv[p] * dealv[p]
            mu_y += count_y * per_rep(win, i, p) * dealv[p]
            var_y += count_y * per_rep(win, i, p) * (1.0 - per_rep(win, i, p)) * dealv[p] * dealv[p]
        out.booked[i] = sales[i] + held_value
        out.mu_fixed[i] = out.booked[i] + mu
        out.var_fixed[i] = var
        out.mu_second[i] = second_sales[i] + sales[i] + held_value + mu_y
        out.var_second[i] = var_y


@njit(cache=True, error_model="numpy")
def places_needed(t, active, pipe, held):
    """The most held-customer places any rep could need after today's decisions: those taken
    plus every deal won today (each might wait or be held), so `close_due` always finds a place."""
    slot = t % pipe.open_total.shape[1]
    most = 0
    for i in range(len(active)):
        if not active[i]:
            continue
        need = 0
        for p in range(pipe.open_won.shape[2]):
            need += pipe.open_won[i, slot, p]
        for h in range(held.top[i]):
            if held.kind[i, h] != EMPTY:
                need += 1
        most = max(most, need)
    return most


@njit(cache=True, error_model="numpy")
def close_due(t, active, pipe, held, waiting_share, flexible_share, flexible_days, max_wait_days, terms, books, rng):
    """Opportunities whose decision day is today: the won ones become ready customers who sign,
    or are held (flexible), or wait for a discount; vacant territories' deals go to the house. The
    engine has made room for every deal won today (`places_needed`), so none who would wait is
    booked at once for want of a place.
    (`pipe`: `state.reps.Pipeline`; `held`: `state.reps.Held`.)"""
    ring = pipe.open_total.shape[1]
    slot = t % ring
    capacity = held.kind.shape[1]
    for i in range(len(active)):
        for p in range(len(terms.price)):
            won = pipe.open_won[i, slot, p]
            total = pipe.open_total[i, slot, p]
            pipe.lost_today[i, p] = total - won
            pipe.in_period[i, p] -= total
            pipe.in_second[i, p] -= total
            pipe.open_total[i, slot, p] = 0
            pipe.open_won[i, slot, p] = 0
            if won == 0:
                continue
            if not active[i]:
                book_house(i, p, won, terms, books)
                continue
            for _ in range(won):
                u = uniform(rng, i, CUSTOMER)
                kind = EMPTY
                if u < waiting_share[i]:
                    kind = WAITING
                elif u < waiting_share[i] + flexible_share:
                    kind = FLEXIBLE
                placed = False
                if kind != EMPTY:
                    for h in range(capacity):
                        if held.kind[i, h] == EMPTY:
                            held.kind[i, h] = kind
                            held.product[i, h] = p
                            held.age[i, h] = 0
                            held.life[i, h] = max_wait_days if kind == WAITING else flexible_days
                            held.top[i] = max(held.top[i], h + 1)
                            placed = True
                            break
                if not placed:
                    book(i, p, 1, 0.0, t, terms, books, rng)


@njit(cache=True, error_model="numpy")
def carry_cancellations(idx, claw_rate, cancel_credit, cancel_revenue, old_clawback, old_revenue):
    """A period settles for the reps `idx`: cancellations still to come on its sales can no longer
    reduce its credit, so they become clawbacks at `claw_rate` a credited $ (the clawback share
    times the commission rate the period earned) and revenue to reverse, and the period's own
    ring empties. In place, a rep at a time: a settlement is daily under daily quotas."""
    for n in range(len(idx)):
        i = idx[n]
        for j in range(cancel_credit.shape[1]):
            old_clawback[i, j] += cancel_credit[i, j] * claw_rate[n]
            old_revenue[i, j] += cancel_revenue[i, j]
            cancel_credit[i, j] = 0.0
            cancel_revenue[i, j] = 0.0


@njit(cache=True, error_model="numpy")
def cancel_due(t, active, sales, cancel_credit, cancel_revenue, old_clawback, old_revenue, clawback_due,
               month_cancelled, today):
    """Cancellations falling today: a sale from the open period no longer counts toward it; one
    from a settled period is clawed back at the next settlement (`month_cancelled` keeps the
    territory's cancelled revenue for subscription billing)."""
    ring = cancel_credit.shape[1]
    slot = t % ring
    for i in range(len(active)):
        reversed_revenue = cancel_revenue[i, slot] + old_revenue[i, slot]
        if reversed_revenue == 0.0:
            continue
        if active[i]:
            sales[i] -= cancel_credit[i, slot]
            clawback_due[i] += old_clawback[i, slot]
            today[CREDIT_CANCELLED] += cancel_credit[i, slot]
            today[CLAWBACK_BOOKED] += old_clawback[i, slot]
        today[CANCELLED] += reversed_revenue
        month_cancelled[i] += reversed_revenue
        cancel_credit[i, slot] = 0.0
        cancel_revenue[i, slot] = 0.0
        old_clawback[i, slot] = 0.0
        old_revenue[i, slot] = 0.0
