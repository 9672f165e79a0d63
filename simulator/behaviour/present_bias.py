"""Today's effort of a present-biased rep: quasi-hyperbolic discounting (Laibson 1997).

A rep with present bias beta < 1 feels today's effort cost in full but every later payoff at beta
times its value: the period's pay, next period's and the ratchet's. On the period's last day its
pay comes tonight, and the rep works to its plan. Such a rep is naive about it (O'Donoghue and Rabin 1999): it
plans the rest of the period as a patient rep would (the effort `effort.choose_effort` finds) and
believes it will keep to that plan, but today it works only as hard as beta-discounted pay repays
today's cost. Each morning the same happens again, so work slips towards the period's end and a
rep behind on quota falls further behind: the self-control problem that makes frequent quotas help
laggards (Jain 2012; Chung, Steenburgh and Sudhir 2014 on reps who procrastinate within the
quarter). With beta = 1 today's effort is the plan's and nothing here runs.

Today's work: per unit of effort today, `today.din[p]` and `today.aout[p]` demand-weighted
effort-days whose opportunities are decided inside and after the period.
"""

from __future__ import annotations

import math

from numba import njit

from simulator.behaviour.borrowing import borrowing
from simulator.behaviour.effort_cost import cost
from simulator.behaviour.valuation import ratchet_cost, value_normal
from simulator.world.per_rep import per_rep

GRID = 16  # coarse scan of today's effort before the golden-section refinement
GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


@borrowing
def todays_coefficients(i, k, selling, today, later_risk):
    """Per unit of effort today at focus mix k: credited sales inside the period, their variance,
    and (risk-adjusted, as in `effort.focus_table`) sales after it."""
    prod, leads, win, dealv, focus_g = selling.productivity, selling.leads, selling.win, selling.deal_value, selling.focus_g
    a_t = 0.0
    b_t = 0.0
    o_t = 0.0
    for p in range(leads.shape[-1]):
        rate = prod[i] * per_rep(leads, i, p) * focus_g[k, p] * per_rep(win, i, p)
        a_t += rate * today.din[p] * dealv[p]
        b_t += rate * today.din[p] * dealv[p] * dealv[p]
        o_t += rate * today.aout[p] * dealv[p] * (1.0 - later_risk * dealv[p])
    return a_t, b_t, o_t


@njit(cache=True, error_model="numpy", inline="always")
def _felt(e0, plan, c, t, R, beta):
    """U as a present-biased rep feels it at effort e0 today and the plan's effort later."""
    (mu0, var0, booked, q, demand_var, goal, r, rw, up, down, nu, kct, stack_amt, stack_q, mu_y0, var_y0, curve, gamma) = R
    a_in, b_in, a_out = c[0], c[1], c[2]
    a_t, b_t, o_t, kcost = t
    new = e0 * a_t + plan * (a_in - a_t)
    mu = mu0 + new
    s = math.sqrt(max(var0 + e0 * b_t + plan * (b_in - b_t) + demand_var * new * new, 0.0))
    pay = value_normal(mu, s, q, curve, goal, r)
    u = beta * (pay - ratchet_cost(mu, s, q, rw, up, down))
    u += beta * nu * (e0 * o_t + plan * (a_out - o_t))
    return u - cost(kcost, e0, gamma)


@borrowing
def todays_effort(plan, c, t, R, beta, e_max):
    """The effort in [0, e_max] that maximises `_felt`: the plan's effort and a coarse scan, then
    golden-section search around the best point. `c`: the chosen mix's (a_in, b_in, a_out); `t`:
    today's (a_t, b_t, o_t) and the rep's daily effort cost."""
    best_e = plan
    best_u = _felt(plan, plan, c, t, R, beta)
    step = e_max / (GRID - 1)
    for m in range(GRID):
        u = _felt(m * step, plan, c, t, R, beta)
        if u > best_u:
            best_u, best_e = u, m * step
    lo = max(best_e - step, 0.0)
    hi = min(best_e + step, e_max)
    x1 = hi - GOLDEN * (hi - lo)
    x2 = lo + GOLDEN * (hi - lo)
    f1 = _felt(x1, plan, c, t, R, beta)
    f2 = _felt(x2, plan, c, t, R, beta)
    while hi - lo > 1e-5:
        if f1 < f2:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + GOLDEN * (hi - lo)
            f2 = _felt(x2, plan, c, t, R, beta)
        else:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - GOLDEN * (hi - lo)
            f1 = _felt(x1, plan, c, t, R, beta)
    e = 0.5 * (lo + hi)
    return e if _felt(e, plan, c, t, R, beta) >= best_u else best_e
