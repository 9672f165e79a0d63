"""Effort and product focus: each rep, each day, picks the effort and focus mix that maximise its
valuation of the plan over the rest of the period (docs/model.md, "The reps' decisions"):

    U(e, f) = V(mu, s) - ratchet(mu, s) + nu_next * e * A_out(f) + side pay - k * (2 / gamma) * e^gamma * T

V is the plan's value under the rep's belief about its period's end (`behaviour.valuation`),
A_in/A_out what a unit of effort sells inside and after the period through each product's sales
cycle (Chung, Narayandas and Chang 2021), nu_next the value of work that counts next period
(`behaviour.outlook`), the ratchet term the cost of a higher next quota (Weitzman 1980), the last
term the effort's cost over the T days left (`behaviour.effort_cost`; k e^2 T at gamma = 2). Nothing
here refers to a kind of plan. The search (`search`) is over the focus lattice and continuous in
effort, warm-started from yesterday's choice, with a guard that falls back to the exhaustive
search when a distant optimum wins; `tests/test_decisions.py` holds it to an exhaustive grid.
"""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager

import numpy as np
from numba import njit
from numba.core.errors import NumbaIRAssumptionWarning
from numba.extending import overload

from simulator.behaviour.borrowing import borrowing
from simulator.behaviour.effort_cost import cost, cost_grad, least_bend, linear_optimum
from simulator.behaviour.present_bias import todays_coefficients, todays_effort
from simulator.behaviour.valuation import (
    MAX_ATOMS,
    MAX_COUNT,
    binomial_pmf,
    compound_binomial_row,
    compound_row,
    ncdf,
    npdf,
    ratchet_cost,
    ratchet_cost_grad,
    value_counts,
    value_normal,
    value_normal_grad,
    value_pair,
    value_pair_grad,
)
from simulator.pay.payout import MAX_SEGMENTS
from simulator.world.per_rep import per_rep

E_GRID = np.array([0.0, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 1.1, 1.35, 1.6, 1.9, 2.3, 2.8, 3.4, 4.0])
E_MAX = 4.0
STEP = 0.06  # first step of the parabolic refinement of effort
GUARD_DAYS = 3  # the guard reruns at least this often
GUARD_MARGIN = 0.2  # ... and whenever its last margin was under this share of the rep's value
# the margin the guard returns when a probe beat the local optimum, by where the probe was: at the chosen mix,
# the mix that sells most inside the period, the one that moves the stacked goal most, the one a rep who lets
# the goal go would pick (`distant_check`). Negative, so the guard reruns the next day, as after any
# exhaustive search; they tell a benchmark what the guard's cost buys (`benchmarks.core`).
CAUGHT = (-1.0, -2.0, -3.0, -4.0)
# When a run tracks humps (`state.reps.RepArrays.track_humps`), the guard also leaves in the search's work array how far
# the chosen value lies above the best other humps of U along effort that it found (`distant_check`). Humps closer than
# FORK_APART in effort are one hump's flat top, or neighbouring focus mixes crossing, not a fork between pursuing a goal
# and letting it go: on the baseline the crossings lie at most 0.2 apart (margins of $0.4-63), the forks 0.3 or more
# (`validation.exact_effort.engine_hump_days`).
FORK_APART = 0.25
# The fork flag alone (the run's hump tracking a flag, not the measurement) keeps only margins within FLAG_CUT of the
# rep's largest jump of pay (`largest_jump`: on the baseline the $4,000 bonus and the rep's goal value, about $500),
# inf beyond. Within a fifth of the lump the flag finds nine in ten of the baseline's forks
# (`validation.exact_effort.engine_hump_days`).
FLAG_CUT = 0.2
# ... and climbs only humps with a probe within FLAG_SCREEN x that cut of the choice, which halves its cost: on the
# baseline's year it keeps 415 of the 417 flags the whole measurement finds within the cut (twice the cut kept all
# 417 at almost twice the cost; docs/model.md, "Finding the reps in a band").
FLAG_SCREEN = 1.0
TOL = 0.001  # $: the local search stops when a step could gain less than this ...
TOL_REL = 1e-7  # ... plus this share of the rep's value
MAX_STEP = 0.5  # the longest Newton step in effort
THRESHOLD_Z = np.array([-0.5, 0.5, 1.5, 2.5])  # probes around each threshold, in standard deviations
PROBES = len(E_GRID) + (len(THRESHOLD_Z) + 1) * (MAX_SEGMENTS + 1)  # the most efforts probed at one mix
HUMP = 3 * PROBES  # the slots of the work array `probes` after the guard's efforts, values and rises (`distant_check`)
HUMP_SLOTS = 3  # the hump margins left there: the flag's, the guard's own mixes', every mix's
# Per focus mix: credited sales in / after the period per unit effort, variance, stacked, side pay, then the
# terms of each unit goal, a goal counted in units rather than $ (goal 0: a product quota, units of one product;
# goal 1: an activity target, logged activities of one kind): units in the period per unit effort; the rep's
# expected units without further effort, their variance, the goal and its bonus (the same for every mix). Filled
# by `side_column`.
SIDE = 4
UNIT_GOALS = 2
RATE, MEAN, VAR, GOAL, BONUS = range(5)  # offsets inside a unit goal's terms
PRODUCT_GOAL, ACTIVITY_GOAL = 5, 10  # where each unit goal's terms start
N_COEF = 5 + 5 * UNIT_GOALS
PLAIN_COEF = 5  # without unit goals the search carries only the first five (compiled apart: the hot path)


@njit(cache=True, error_model="numpy")
def focus_table(i, selling, table, lam, later_risk):
    """Per focus mix k, per unit of effort over the rest of the period: expected credited sales
    inside the period, their variance, sales after the period, sales inside the second goal's
    window (table[k]); and expected wins per product inside the period (lam[k]).
    (`selling`: `state.context.Selling`.)

    Sales after the period are worth nu_next a $ in U; a risk-averse rep values them at their
    certainty equivalent, as it values this period's pay: nu_next x (a_out - later_risk x b_out),
    b_out their compound-Poisson variance per unit effort and later_risk = r/2 x nu_next, so that
    under linear pay a $ counts the same whichever period it lands in and effort has no calendar
    (Holmstrom and Milgrom 1987). table[k, 2] holds that risk-adjusted a_out."""
    prod, leads, win, dealv, focus_g = selling.productivity, selling.leads, selling.win, selling.deal_value, selling.focus_g
    din, aout, din_y = selling.din, selling.aout, selling.din_second
    for k in range(focus_g.shape[0]):
        a_in = 0.0
        b_in = 0.0
        a_out = 0.0
        a_y = 0.0
        for p in range(leads.shape[-1]):
            rate = prod[i] * per_rep(leads, i, p) * focus_g[k, p] * per_rep(win, i, p)
            a_in += rate * din[p] * dealv[p]
            b_in += rate * din[p] * dealv[p] * dealv[p]
            a_out += rate * aout[p] * dealv[p] * (1.0 - later_risk * dealv[p])
            a_y += rate * din_y[p] * dealv[p]
            lam[k, p] = rate * din[p]
        table[k, 0] = a_in
        table[k, 1] = b_in
        table[k, 2] = a_out
        table[k, 3] = a_y


@borrowing
def focus_coefficients(i, k, selling):
    """The focus_table row of one mix."""
    prod, leads, win, dealv, focus_g = selling.productivity, selling.leads, selling.win, selling.deal_value, selling.focus_g
    din, aout, din_y = selling.din, selling.aout, selling.din_second
    a_in = 0.0
    b_in = 0.0
    a_out = 0.0
    a_y = 0.0
    for p in range(leads.shape[-1]):
        rate = prod[i] * per_rep(leads, i, p) * focus_g[k, p] * per_rep(win, i, p)
        a_in += rate * din[p] * dealv[p]
        b_in += rate * din[p] * dealv[p] * dealv[p]
        a_out += rate * aout[p] * dealv[p]
        a_y += rate * din_y[p] * dealv[p]
    return a_in, b_in, a_out, a_y


@njit(cache=True, error_model="numpy")
def side_column(i, days_left, selling, side, table):
    """Pay outside the quota plan, per focus mix (`side`: `state.context.SideTerms`). table[k, SIDE]:
    what a unit of effort over the rest of the period earns in activity pay (`side.rate[k]` $ a day
    per unit of effort) and SPIFs on the units it wins (`side.spif[p]` $ a unit), whenever they
    close; linear in effort, it enters U beside the commission on work that closes later. Unit
    goals (`side.unit_goals[i, j]`: expected units, variance, goal, bonus): a product quota, whose
    units a unit of effort wins inside the period at each mix (its product `side.goal_product`),
    and an activity target, whose activities a unit of effort logs over the rest of the period at
    each mix (`side.goal_rate[k]`); each is valued in U as its bonus times the chance of reaching
    it (`unit_goal_value`)."""
    prod, leads, win, focus_g = selling.productivity, selling.leads, selling.win, selling.focus_g
    din, aout = selling.din, selling.aout
    spif, unit_goals = side.spif, side.unit_goals
    for k in range(focus_g.shape[0]):
        value = days_left * side.rate[k]
        for p in range(leads.shape[-1]):
            if spif[p] != 0.0:
                value += prod[i] * per_rep(leads, i, p) * focus_g[k, p] * per_rep(win, i, p) * (din[p] + aout[p]) * spif[p]
        table[k, SIDE] = value
        for j in range(UNIT_GOALS):
            at = PRODUCT_GOAL + 5 * j
            if unit_goals[i, j, 3] > 0.0:
                if j == 0:
                    p = side.goal_product
                    table[k, at + RATE] = prod[i] * per_rep(leads, i, p) * focus_g[k, p] * per_rep(win, i, p) * din[p]
                else:
                    table[k, at + RATE] = side.goal_rate[k]
                table[k, at + MEAN] = unit_goals[i, j, 0]
                table[k, at + VAR] = unit_goals[i, j, 1]
                table[k, at + GOAL] = unit_goals[i, j, 2]
                table[k, at + BONUS] = unit_goals[i, j, 3]
            else:
                table[k, at + BONUS] = 0.0


@njit(cache=True, error_model="numpy", inline="always")
def unit_goal_value(e, g, mean, var, goal, bonus):
    """(value, d value / de) at effort e of a unit goal (g units per unit effort, `mean` and `var`
    expected without further effort): bonus x P(units >= goal) under a normal belief whose
    variance is the rep's own plus the new units' (Poisson: their mean), the same closed form as
    every other threshold."""
    s = math.sqrt(var + e * g + 0.25)
    z = (mean + e * g - goal) / s
    return bonus * ncdf(z), bonus * npdf(z) * (g - z * g / (2.0 * s)) / s


def has_unit_goal(c):
    """Whether the coefficients carry a unit goal with a bonus (never, for the plain ones)."""


@overload(has_unit_goal, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _has_unit_goal(c):
    if len(c) == PLAIN_COEF:
        return lambda c: False
    return lambda c: c[9] > 0.0 or c[14] > 0.0  # PRODUCT_GOAL + BONUS, ACTIVITY_GOAL + BONUS (literal: c mixes types)


def unit_goals_value(e, c):
    """(value, d value / de) of every unit goal with a bonus (`unit_goal_value`)."""


@overload(unit_goals_value, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _unit_goals_value(e, c):
    if len(c) == PLAIN_COEF:
        return lambda e, c: (0.0, 0.0)

    def both(e, c):  # the indices are PRODUCT_GOAL and ACTIVITY_GOAL plus the offsets, literal because c mixes types
        v = 0.0
        dv = 0.0
        if c[9] > 0.0:
            v, dv = unit_goal_value(e, c[5], c[6], c[7], c[8], c[9])
        if c[14] > 0.0:
            v2, dv2 = unit_goal_value(e, c[10], c[11], c[12], c[13], c[14])
            v += v2
            dv += dv2
        return v, dv
    return both


_RUN_BEFORE: set = set()


@contextmanager
def quiet_compilation(kernel=None):
    """Silence numba's pedantic IR-assumption checks, which the inlined `evaluate` overload trips
    while compiling (benign: the inlined code is tested against the exhaustive grid). Once
    `kernel` has run in this process it is compiled, and nothing is done."""
    if kernel is not None and kernel in _RUN_BEFORE:
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumbaIRAssumptionWarning)
        yield
    if kernel is not None:
        _RUN_BEFORE.add(kernel)


# A rep's scalars R = (mu0, var0, booked, q, demand_var, goal, r, rw, up, down, nu, kcost_t,
#                      stack_amt, stack_q, mu_y0, var_y0, curve, gamma): kcost_t is the effort cost's scale over
#                      the rest of the period, gamma its curvature (`effort_cost`)
# A focus mix's coefficients c = (a_in, b_in, a_out, a_y, side) for the normal valuation, the same plus
# (expected wins per product, the exact valuation's work arrays) for the exact one.


@njit(cache=True, error_model="numpy", inline="always")
def u_normal(e, c, R):
    """U of one rep at effort e for a focus mix with coefficients c, normal belief."""
    (mu0, var0, booked, q, demand_var, goal, r, rw, up, down, nu, kct, stack_amt, stack_q, mu_y0, var_y0, curve, gamma) = R
    a_in, b_in, a_out, a_y, side = c[0], c[1], c[2], c[3], c[4]
    new = e * a_in
    mu = mu0 + new
    s = math.sqrt(var0 + e * b_in + demand_var * new * new)
    u = value_normal(mu, s, q, curve, goal, r)
    u -= ratchet_cost(mu, s, q, rw, up, down)
    u += nu * e * a_out - cost(kct, e, gamma)
    if side != 0.0:  # activity pay and SPIFs (`side_column`)
        u += side * e
    if has_unit_goal(c):  # a product quota, an activity target
        u += unit_goals_value(e, c)[0]
    if stack_amt > 0.0:
        new_y = e * a_y
        s_y = math.sqrt(var_y0 + e * b_in + demand_var * new_y * new_y) + 1e-9
        u += stack_amt * ncdf((mu_y0 + new_y - stack_q) / s_y)
    return u


@njit(cache=True, error_model="numpy", inline="always")
def u_normal_grad(e, c, R):
    """(U, dU/de) of one rep at effort e for a focus mix with coefficients c, normal belief; U is
    computed exactly as `u_normal` computes it."""
    (mu0, var0, booked, q, demand_var, goal, r, rw, up, down, nu, kct, stack_amt, stack_q, mu_y0, var_y0, curve, gamma) = R
    a_in, b_in, a_out, a_y, side = c[0], c[1], c[2], c[3], c[4]
    new = e * a_in
    mu = mu0 + new
    s = math.sqrt(var0 + e * b_in + demand_var * new * new)
    ds = (b_in + 2.0 * demand_var * new * a_in) / (2.0 * s) if s > 0.0 else 0.0
    u, g = value_normal_grad(mu, s, a_in, ds, q, curve, goal, r)
    cost, d_cost = ratchet_cost_grad(mu, s, a_in, ds, q, rw, up, down)
    u -= cost
    g -= d_cost
    c_e, dc_e = cost_grad(kct, e, gamma)
    u += nu * e * a_out - c_e
    g += nu * a_out - dc_e
    if side != 0.0:
        u += side * e
        g += side
    if has_unit_goal(c):
        v, dv = unit_goals_value(e, c)
        u += v
        g += dv
    if stack_amt > 0.0:
        new_y = e * a_y
        root = math.sqrt(var_y0 + e * b_in + demand_var * new_y * new_y)
        s_y = root + 1e-9
        z_y = (mu_y0 + new_y - stack_q) / s_y
        u += stack_amt * ncdf(z_y)
        ds_y = (b_in + 2.0 * demand_var * new_y * a_y) / (2.0 * root) if root > 0.0 else 0.0
        g += stack_amt * npdf(z_y) * (a_y - z_y * ds_y) / s_y
    return u, g


@njit(cache=True, error_model="numpy", inline="always")
def _win_counts(e, lam_k, pipe_nw, pipe_pmf, pipe_len, work, lengths):
    """Each product's distribution of the period's remaining wins at effort e, into work[p] (its
    length into lengths[p]): pipeline wins and new wins together."""
    for p in range(len(lam_k)):
        length = compound_binomial_row(pipe_nw[p, 0], pipe_nw[p, 1], e * lam_k[p], p, work, pipe_nw[p, 2],
                                       pipe_nw[p, 3])
        if length == 0:
            length = compound_row(pipe_pmf, p, pipe_len[p], e * lam_k[p], work)
        lengths[p] = length


@borrowing
def u_exact(e, c, R):
    """U with the exact distribution of the period's remaining wins (few expected deals):
    pipeline wins (binomial) plus new wins (Poisson), per product."""
    (mu0, var0, booked, q, demand_var, goal, r, rw, up, down, nu, kct, stack_amt, stack_q, mu_y0, var_y0, curve, gamma) = R
    a_out = c[2]
    lam_k, dealv, pipe_pmf, pipe_len, work, lengths, atom_v, atom_p, prefix, pipe_nw = (
        c[15], c[16], c[17], c[18], c[19], c[20], c[21], c[22], c[23], c[24])
    _win_counts(e, lam_k, pipe_nw, pipe_pmf, pipe_len, work, lengths)
    if len(lam_k) == 2:
        u = value_pair(booked, work, lengths, dealv, q, curve, goal, r, prefix, c[25])
    else:
        u = value_counts(booked, work, lengths, dealv, q, curve, goal, r, atom_v, atom_p, prefix)
    if rw != 0.0:
        mean = 0.0
        var = 0.0
        for p in range(len(lam_k)):
            m1 = 0.0
            m2 = 0.0
            for n in range(lengths[p]):
                m1 += n * work[p, n]
                m2 += n * n * work[p, n]
            mean += dealv[p] * m1
            var += dealv[p] * dealv[p] * (m2 - m1 * m1)
        u -= ratchet_cost(booked + mean, math.sqrt(max(var, 0.0)), q, rw, up, down)
    u = u + nu * e * a_out - cost(kct, e, gamma)
    if c[4] != 0.0:  # activity pay and SPIFs (`side_column`)
        u += c[4] * e
    if has_unit_goal(c):
        u += unit_goals_value(e, c)[0]
    return u


@borrowing
def u_exact_grad(e, c, R):
    """(U, dU/de) with the exact distribution, two products (`value_pair_grad`)."""
    (mu0, var0, booked, q, demand_var, goal, r, rw, up, down, nu, kct, stack_amt, stack_q, mu_y0, var_y0, curve, gamma) = R
    a_out = c[2]
    lam_k, dealv, pipe_pmf, pipe_len, work, lengths, atom_v, atom_p, prefix, pipe_nw = (
        c[15], c[16], c[17], c[18], c[19], c[20], c[21], c[22], c[23], c[24])
    _win_counts(e, lam_k, pipe_nw, pipe_pmf, pipe_len, work, lengths)
    u, g = value_pair_grad(booked, work, lengths, dealv, q, curve, goal, r, prefix, c[25], lam_k)
    if rw != 0.0:
        mean = 0.0
        var = 0.0
        d_mean = 0.0
        d_var = 0.0
        for p in range(len(lam_k)):
            m1 = 0.0
            m2 = 0.0
            for n in range(lengths[p]):
                m1 += n * work[p, n]
                m2 += n * n * work[p, n]
            mean += dealv[p] * m1
            var += dealv[p] * dealv[p] * (m2 - m1 * m1)
            d_mean += dealv[p] * lam_k[p]  # a Poisson count's mean and variance both move with its rate
            d_var += dealv[p] * dealv[p] * lam_k[p]
        s = math.sqrt(max(var, 0.0))
        cost, d_cost = ratchet_cost_grad(booked + mean, s, d_mean, d_var / (2.0 * s) if s > 0.0 else 0.0, q, rw,
                                         up, down)
        u -= cost
        g -= d_cost
    c_e, dc_e = cost_grad(kct, e, gamma)
    u = u + nu * e * a_out - c_e
    g = g + nu * a_out - dc_e
    if c[4] != 0.0:
        u += c[4] * e
        g += c[4]
    if has_unit_goal(c):
        v, dv = unit_goals_value(e, c)
        u += v
        g += dv
    return u, g


def evaluate_grad(e, c, R):
    """(U, dU/de) at effort e: `u_normal_grad` or `u_exact_grad` (chosen when compiling)."""


@overload(evaluate_grad, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _evaluate_grad(e, c, R):
    if len(c) in (PLAIN_COEF, N_COEF):
        return lambda e, c, R: u_normal_grad(e, c, R)
    return lambda e, c, R: u_exact_grad(e, c, R)


@njit(cache=True, error_model="numpy", inline="always")
def coef_plain(k, T):
    table = T[0]
    return (table[k, 0], table[k, 1], table[k, 2], table[k, 3], table[k, 4])


@njit(cache=True, error_model="numpy", inline="always")
def coef_normal(k, T):
    table = T[0]
    return (table[k, 0], table[k, 1], table[k, 2], table[k, 3], table[k, 4], table[k, 5], table[k, 6], table[k, 7],
            table[k, 8], table[k, 9], table[k, 10], table[k, 11], table[k, 12], table[k, 13], table[k, 14])


@njit(cache=True, error_model="numpy", inline="always")
def coef_exact(k, T):
    table, lam, dealv, scratch = T[0], T[1], T[2], T[3]
    return (table[k, 0], table[k, 1], table[k, 2], table[k, 3], table[k, 4], table[k, 5], table[k, 6], table[k, 7],
            table[k, 8], table[k, 9], table[k, 10], table[k, 11], table[k, 12], table[k, 13], table[k, 14], lam[k],
            dealv) + scratch


def evaluate(e, c, R):
    """U at effort e for a focus mix's coefficients c: the normal valuation for N_COEF coefficients,
    the exact one when c carries the exact valuation's data (chosen when compiling)."""


@overload(evaluate, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _evaluate(e, c, R):
    if len(c) in (PLAIN_COEF, N_COEF):
        return lambda e, c, R: u_normal(e, c, R)
    return lambda e, c, R: u_exact(e, c, R)


def coefficients(k, T):
    """Focus mix k's coefficients from the rep's tables T: (table,) for the normal valuation
    without unit goals, (table, table) with them, (table, lam, dealv, work arrays) for the exact one."""


@overload(coefficients, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _coefficients(k, T):
    if len(T) == 1:
        return lambda k, T: coef_plain(k, T)
    if len(T) == 2:
        return lambda k, T: coef_normal(k, T)
    return lambda k, T: coef_exact(k, T)


@njit(cache=True, error_model="numpy", inline="always")
def _curvature(a, fa, b, fb, c, fc):
    """-f'' of the parabola through three points (0 if degenerate)."""
    if c <= a or b <= a or c <= b:
        return 0.0
    return -2.0 * ((fc - fb) / (c - b) - (fb - fa) / (b - a)) / (c - a)


@njit(cache=True, error_model="numpy", inline="always")
def _vertex(a, fa, b, fb, c, fc):
    """Abscissa of the parabola's top through three points (b if degenerate)."""
    den = (b - a) * (fb - fc) - (b - c) * (fb - fa)
    if den == 0.0:
        return b
    return b - 0.5 * ((b - a) ** 2 * (fb - fc) - (b - c) ** 2 * (fb - fa)) / den


@borrowing
def refine(c, e0, R):
    """Local maximum of U over effort near e0: walk uphill with doubling steps until bracketed,
    then parabolic steps (a second one only if the first moved far). Returns (effort, U, the
    curvature -U'' of the last parabola, 0 when unknown).

    Written as one loop that evaluates U at one place (the point `t` its last pass chose), so the
    valuation is compiled into it once."""
    h = STEP
    a = max(e0 - h, 0.0)
    b = a + h
    x = b + h
    fa = fb = fx = 0.0
    best_e = b
    best_u = 0.0
    stage = 0  # 0-2: the first three points; 3: extending the bracket; 4, 5: parabolic steps
    walks = 0
    t = a
    for _ in range(3 + 16 + 2):
        f = evaluate(t, c, R)
        if stage == 0:
            fa = f
            stage = 1
            t = b
            continue
        if stage == 1:
            fb = f
            stage = 2
            t = x
            continue
        if stage == 2:
            fx = f
            stage = 3
        elif stage == 3:
            if t == x:
                fx = f
            else:
                fa = f
        else:  # a parabolic step at v = t
            v = t
            fv = f
            if fv > best_u:
                best_e = v
                best_u = fv
            # keep the best point with its neighbours on either side
            if v < b:
                if fv >= fb:
                    x, fx, b, fb = b, fb, v, fv
                else:
                    a, fa = v, fv
            else:
                if fv >= fb:
                    a, fa, b, fb = b, fb, v, fv
                else:
                    x, fx = v, fv
            if stage == 5:
                break
            stage = 5
        if stage == 3:
            if not (fb >= fa and fb >= fx) and walks < 16:
                walks += 1
                if fx > fb:
                    if x >= E_MAX:
                        return x, fx, 0.0
                    h = min(2.0 * h, 1.0)
                    a, fa, b, fb = b, fb, x, fx
                    x = min(b + h, E_MAX)
                    t = x
                else:
                    if a <= 0.0:
                        return a, fa, 0.0
                    h = min(2.0 * h, 1.0)
                    x, fx, b, fb = b, fb, a, fa
                    a = max(b - h, 0.0)
                    t = a
                continue
            best_e = b
            best_u = fb
            stage = 4
        v = min(max(_vertex(a, fa, b, fb, x, fx), a), x)
        if abs(v - b) < (1e-4 if stage == 4 else 0.01 * h):
            break
        t = v
    return best_e, best_u, _curvature(a, fa, b, fb, x, fx)


@borrowing
def climb(c, e, h, R, floor):
    """Local maximum of U over effort from e: Newton steps on U' (in closed form) with the secant
    curvature of the last step (h, positive, for the first), until the quadratic model promises
    less than TOL. A step that lands lower than where it started overshot a sharp peak (the value
    of just reaching a threshold can fall off steeply on the far side): it is taken back and
    shortened to the top of the parabola through U and U' at the start and U where it landed, so
    the climb only ever goes up. Where U does not curve down like a parabola (a kink, a convex
    stretch) the bracketing search `refine` takes over. Returns (effort, U, the curvature -U''
    last seen); returns at once, with U at e, if U + U'^2 / (2 h) at e is below `floor` (a
    screened-out mix).

    U is evaluated at one place in the loop, so the valuation is compiled into it once."""
    f = 0.0
    g = 0.0
    e_old = e
    for it in range(12):
        f_new, g_new = evaluate_grad(e, c, R)
        if it == 0:
            if f_new + g_new * g_new / (2.0 * h) < floor:
                return e, f_new, h
        elif f_new < f:
            d = e - e_old
            if d == 0.0:
                break
            h = max(2.0 * (f + g * d - f_new) / (d * d), h)
            e = min(max(e_old + g / h, 0.0), E_MAX)
            continue
        else:
            h = (g - g_new) / (e - e_old)
        if not h > 0.0:
            return refine(c, e, R)
        f, g = f_new, g_new
        if (e <= 0.0 and g <= 0.0) or (e >= E_MAX and g >= 0.0):
            return e, f, h  # the optimum is at a bound
        if g * g <= 2.0 * h * (TOL + TOL_REL * abs(f)):
            return e, f, h
        step = min(max(g / h, -MAX_STEP), MAX_STEP)
        e_old = e
        e = min(max(e + step, 0.0), E_MAX)
    return refine(c, e_old, R)


@njit(cache=True, error_model="numpy", inline="always")
def _reach(target, mu0, var0, a, b, demand_var, z):
    """Effort at which expected sales reach target + z standard deviations (two fixed-point steps)."""
    if a <= 0.0:
        return -1.0
    e = (target - mu0) / a
    for _ in range(2):
        e_pos = max(e, 0.0)
        new = e_pos * a
        e = (target + z * math.sqrt(var0 + e_pos * b + demand_var * new * new) - mu0) / a
    return e


@njit(cache=True, error_model="numpy", inline="always")
def _unit_goal_efforts(g, mean, var, goal, out, n):
    """Efforts around a unit goal's threshold, into out[n:]; returns the new n."""
    for z in THRESHOLD_Z:
        e = _reach(goal, mean, var + 0.25, g, g, 0.0, z)
        if 0.0 < e < E_MAX:
            out[n] = e
            n += 1
    return n


@njit(cache=True, error_model="numpy", inline="always")
def threshold_efforts(c, R, out):
    """Efforts at which the period's expected sales sit just below, at and just above each pay
    threshold (and the stacked goal). The value of effort jumps there, so the search probes them:
    a needle-sharp optimum at "just enough to make it" is not missed."""
    (mu0, var0, booked, q, demand_var, goal, r, rw, up, down, nu, kct, stack_amt, stack_q, mu_y0, var_y0, curve, gamma) = R
    n_seg, lo = curve[0], curve[1]
    n = 0
    for j in range(1, n_seg):
        for z in THRESHOLD_Z:
            e = _reach(lo[j] * q, mu0, var0, c[0], c[1], demand_var, z)
            if 0.0 < e < E_MAX:
                out[n] = e
                n += 1
    if stack_amt > 0.0:
        for z in THRESHOLD_Z:
            e = _reach(stack_q, mu_y0, var_y0, c[3], c[1], demand_var, z)
            if 0.0 < e < E_MAX:
                out[n] = e
                n += 1
    return unit_goal_efforts(c, out, n)


def unit_goal_efforts(c, out, n):
    """Add the efforts around each unit goal's threshold to `out` from `n` on; the new count."""


@overload(unit_goal_efforts, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _unit_goal_efforts_of(c, out, n):
    if len(c) == PLAIN_COEF:
        return lambda c, out, n: n

    def both(c, out, n):
        if c[9] > 0.0:  # a product quota (`unit_goals_value`): its units are a Poisson count (variance = mean)
            n = _unit_goal_efforts(c[5], c[6], c[7], c[8], out, n)
        if c[14] > 0.0:  # an activity target
            n = _unit_goal_efforts(c[10], c[11], c[12], c[13], out, n)
        return n
    return both


@borrowing
def exhaustive(T, R, n_focus, probes):
    """Every focus mix over the coarse effort grid and the threshold efforts, then refinement of
    the two best mixes."""
    best_k = 0
    best_u = -np.inf
    best_e = 0.0
    second_k = -1
    second_u = -np.inf
    second_e = 0.0
    for k in range(n_focus):
        c = coefficients(k, T)
        n_probe = len(E_GRID)
        for m in range(n_probe):  # element by element: a slice copy would need reference counting (`borrowing`)
            probes[m] = E_GRID[m]
        n_probe += threshold_efforts(c, R, probes[n_probe:])
        k_best_u = -np.inf
        k_best_e = 0.0
        for m in range(n_probe):
            value = evaluate(probes[m], c, R)
            if value > k_best_u:
                k_best_u = value
                k_best_e = probes[m]
        if k_best_u > best_u:
            second_k, second_e, second_u = best_k, best_e, best_u
            best_k, best_e, best_u = k, k_best_e, k_best_u
        elif k_best_u > second_u:
            second_k, second_e, second_u = k, k_best_e, k_best_u
    e_star, u_star, _ = refine(coefficients(best_k, T), best_e, R)
    k_star = best_k
    if second_k >= 0:
        e2, u2, _ = refine(coefficients(second_k, T), second_e, R)
        if u2 > u_star:
            e_star, u_star, k_star = e2, u2, second_k
    if best_u > u_star:  # a probe beat its refinement (a cliff edge): keep the probe
        e_star, u_star, k_star = best_e, best_u, best_k
    return e_star, k_star, u_star


@njit(cache=True, error_model="numpy", inline="always")
def _threshold_in_reach(c, R):
    """Whether some effort level could bring a pay threshold within reach. If none can, U is
    concave in effort (commission, costs and the ratchet term are smooth) and a local optimum
    is the global one."""
    (mu0, var0, booked, q, demand_var, goal, r, rw, up, down, nu, kct, stack_amt, stack_q, mu_y0, var_y0, curve, gamma) = R
    if stack_amt > 0.0 or has_unit_goal(c):
        return True
    n_seg, lo = curve[0], curve[1]
    reach_low = mu0 - 4.0 * math.sqrt(var0 + demand_var * mu0 * mu0)
    top = mu0 + E_MAX * c[0]
    reach_high = top + 4.0 * math.sqrt(var0 + E_MAX * c[1] + demand_var * top * top)
    for j in range(1, n_seg):
        if reach_low <= lo[j] * q <= reach_high:
            return True
    return False


@njit(cache=True, error_model="numpy", inline="always")
def _coast_mix(table, R):
    """The focus mix a rep who has let the goal go would pick: the one whose commission-only
    optimum is worth most (its value rises with what a unit of effort earns, in
    this period's first band and, discounted, after it)."""
    nu, curve = R[10], R[16]
    slope = curve[2]
    best_k = 0
    best = -np.inf
    for k in range(table.shape[0]):
        earn = slope[0] * table[k, 0] + nu * table[k, 2]
        if table[k, 4] != 0.0:  # side pay
            earn += table[k, 4]
        if earn > best:
            best, best_k = earn, k
    return best_k


@njit(cache=True, error_model="numpy", inline="always")
def base_efforts(c, R, out):
    """Where U's other local optima lie away from the thresholds: for each rate band, the effort
    that would be best if that band's commission were all there was (the "give up" or "coast"
    optimum), and zero effort."""
    (mu0, var0, booked, q, demand_var, goal, r, rw, up, down, nu, kct, stack_amt, stack_q, mu_y0, var_y0, curve, gamma) = R
    n_seg, slope = curve[0], curve[2]
    out[0] = 0.0
    n = 1
    for j in range(n_seg):
        earn = slope[j] * c[0] + nu * c[2]
        if c[4] != 0.0:  # side pay
            earn += c[4]
        e = linear_optimum(earn, kct, gamma)
        if 0.0 < e < E_MAX:
            out[n] = e
            n += 1
    return n


@borrowing
def warm(T, R, e_prev, k_prev, neighbours, k_in, probes, guard, humps):
    """Yesterday's choice refined, then a climb through neighbouring focus mixes while they
    improve, then a check that no distant optimum has become better: at the chosen mix and at
    the mix that sells most inside the period (k_in), U is probed at each band's commission-only
    optimum and at the efforts that just reach each threshold. Returns effort -1 when a probe
    beats the local optimum (the exhaustive search then decides), and the margin by which the
    local optimum beat the probes (inf when there was nothing to probe or `guard` is off)."""
    c_star = coefficients(k_prev, T)
    e_star, u_star, bend = refine(c_star, e_prev, R)
    k_star = k_prev
    # how sharply U falls away from the optimum: at least the effort cost's least curvature (2 k T at gamma 2), and
    # at most half what the current mix's own parabola shows (focus mixes differ by a quarter)
    bend = max(least_bend(R[11], R[17], E_MAX), 0.5 * bend)
    moved = True
    while moved:
        moved = False
        centre = k_star
        for m in range(neighbours.shape[1]):
            k = neighbours[centre, m]
            if k < 0:
                continue
            c = coefficients(k, T)
            # screen: the value here plus what re-tuning effort could add against the effort cost
            h = STEP / 2.0
            f0 = evaluate(e_star, c, R)
            f1 = evaluate(e_star + h, c, R)
            slope = (f1 - f0) / h
            if max(f0, f1) + slope * slope / max(2.0 * bend, 1e-12) < u_star:
                continue
            e_k, u_k, _ = refine(c, e_star + h if f1 > f0 else e_star, R)
            if u_k > u_star + 1e-12 * abs(u_star):
                e_star, u_star, k_star, c_star = e_k, u_k, k, c
                moved = True
    if not guard:
        return e_star, k_star, u_star, np.inf
    return distant_check(T, R, c_star, e_star, k_star, u_star, k_in, probes, humps)


@njit(cache=True, error_model="numpy", inline="always")
def warm_grad(T, R, e_prev, k_prev, neighbours, k_in, probes, guard, humps):
    """`warm` with U' in closed form (the normal belief, or the exact one for two products):
    yesterday's effort is improved by Newton steps (`climb`; often yesterday's effort already
    passes), and a neighbouring focus mix is screened by U and U' at the current effort, climbed
    only if the bound U + U'^2 / (2 x least_bend) beats the current optimum (the effort cost's least
    curvature, 2 k T at gamma 2, alone: a neighbour's optimum may lie far from today's effort), then the guard."""
    c_star = coefficients(k_prev, T)
    bend = max(least_bend(R[11], R[17], E_MAX), 1e-12)
    e_star, u_star, _ = climb(c_star, e_prev, bend, R, -np.inf)
    k_star = k_prev
    moved = True
    while moved:
        moved = False
        centre = k_star
        for m in range(neighbours.shape[1]):
            k = neighbours[centre, m]
            if k < 0:
                continue
            c = coefficients(k, T)
            e_k, u_k, _ = climb(c, e_star, bend, R, u_star)
            if u_k > u_star + 1e-12 * abs(u_star):
                e_star, u_star, k_star, c_star = e_k, u_k, k, c
                moved = True
    if not guard:
        return e_star, k_star, u_star, np.inf
    return distant_check(T, R, c_star, e_star, k_star, u_star, k_in, probes, humps)


@borrowing
def distant_check(T, R, c_star, e_star, k_star, u_star, k_in, probes, humps):
    """The guard of the warm searches: U is probed at the chosen mix (each band's commission-only
    optimum and the efforts that just reach each threshold), at the mix that sells most inside
    the period (k_in) and the one that moves the stacked goal most (threshold efforts), and at
    the mix a rep who lets the goal go would pick (commission-only optima). Returns effort -1 when a probe beats the local optimum (the
    exhaustive search then decides; the margin then says which of the four mixes it was, `CAUGHT`),
    else the local optimum and its margin over the probes.

    The margin decides when the guard reruns, so it counts only the chosen mix's probes that lie
    beyond a valley: at or past a probe where U rises again going away from the chosen effort.
    The others are on the chosen optimum's own slopes (a commission-only optimum next to the
    chosen effort would otherwise hold the margin near zero and rerun the guard every day).

    With `humps` FLAG or ON (a run tracking humps, `state.reps.RepArrays.track_humps`) it also measures how
    far the chosen value lies above the best other hump of U along effort (`_fork_top`). Near the line
    between pursuing a goal and letting it go the two humps are close, and a rep that could review its
    effort later may choose otherwise than the constant plan (docs/model.md, "Finding the reps in a band").
    The fork flag, `probes[HUMP]`, looks at the guard's own mixes (the coast mix's commission-only optima
    added where the guard probes it for thresholds only) and at the mixes that sell between the chosen mix
    and k_in (inside the period, per unit effort): there a rep letting the goal go finds the best way to
    pursue it. Run alone, the flag probes those mixes at their threshold efforts only (the ways to pursue):
    their commission-only optima took about a quarter of the flagged decision's time on the baseline and
    found 22 more of the ratchet's 611 forks in a year, none more in eleven other scenarios (docs/model.md).
    ON also leaves the margin over the guard's own mixes alone (`probes[HUMP + 1]`) and over every mix
    (`probes[HUMP + 2]`), the measurement that judges the flag. inf where no threshold is within reach (U is then concave) or no
    other hump was found, nan when a probe won (the exhaustive search decides), negative where a probe for
    the margin alone beat the choice (the search missed a better optimum). It changes no choice; OFF, it
    is compiled out."""
    tracking = len(humps) > len(OFF)
    every_mix = len(humps) == len(ON)
    cut = np.inf  # the flag alone: margins beyond it are not sought (`FLAG_CUT`) ...
    if tracking:
        for slot in range(HUMP_SLOTS):
            probes[HUMP + slot] = np.inf
        if not every_mix:
            cut = FLAG_CUT * largest_jump(R[16], R[5], R[3])
    floor = u_star - FLAG_SCREEN * cut  # ... nor humps whose probes all lie below this
    if not _threshold_in_reach(c_star, R):
        return e_star, k_star, u_star, np.inf
    tolerance = 1e-9 * (1.0 + abs(u_star))
    values = probes[PROBES:]
    rise = probes[2 * PROBES:]
    best_probe = -np.inf
    other_hump = -np.inf  # tracking: the best other hump's top found at the guard's mixes
    k_stack = np.argmax(T[0][:, 3]) if R[12] > 0.0 else k_star
    k_coast = _coast_mix(T[0], R)
    for side in range(4):
        if side == 1 and k_in == k_star:
            continue
        if side == 2 and (k_stack == k_star or k_stack == k_in):
            continue
        if side == 3 and (k_coast == k_star or k_coast == k_in or k_coast == k_stack):
            continue
        k_side = k_star if side == 0 else k_in if side == 1 else k_stack if side == 2 else k_coast
        c = c_star if side == 0 else coefficients(k_side, T)
        n_probe = base_efforts(c, R, probes) if side == 0 or side == 3 else 0
        if side < 3:
            n_probe += threshold_efforts(c, R, probes[n_probe:])
        n_guard = n_probe  # the guard's own probes; the rest are for the hump margin alone
        if tracking and (side == 1 or side == 2) and k_side == k_coast:
            n_probe += base_efforts(c, R, probes[n_probe:])
        for m in range(n_probe):
            if side == 0 and abs(probes[m] - e_star) < 0.02:
                values[m] = u_star
                continue
            value = evaluate(probes[m], c, R)
            if m < n_guard:
                if value > u_star + tolerance:
                    if tracking:
                        for slot in range(HUMP_SLOTS):
                            probes[HUMP + slot] = np.nan
                    return -1.0, k_star, u_star, CAUGHT[side]
                if side > 0:
                    best_probe = max(best_probe, value)
            values[m] = value
        if side > 0:
            if tracking:
                other_hump = max(other_hump, _fork_top(probes, values, n_probe, c_star, c, e_star, R, floor, False))
            continue
        for m in range(n_probe):  # U rises from a probe nearer the chosen effort to this one
            d = probes[m] - e_star
            rise[m] = 0.0
            for n in range(n_probe):
                dn = probes[n] - e_star
                if dn * d > 0.0 and abs(dn) < abs(d) and values[n] < values[m]:
                    rise[m] = 1.0
                    break
        for m in range(n_probe):
            d = probes[m] - e_star
            for n in range(n_probe):
                dn = probes[n] - e_star
                if rise[n] > 0.0 and dn * d > 0.0 and abs(dn) <= abs(d):
                    best_probe = max(best_probe, values[m])
                    break
        if tracking:
            other_hump = max(other_hump, _fork_top(probes, values, n_probe, c_star, c_star, e_star, R, floor, True))
    if tracking:
        table = T[0]
        low = min(table[k_star, 0], table[k_in, 0])
        high = max(table[k_star, 0], table[k_in, 0])
        flag_hump = other_hump
        any_hump = other_hump
        for k in range(table.shape[0]):
            if k == k_star or k == k_in or k == k_stack or k == k_coast:
                continue
            between = low < table[k, 0] < high
            if not (between or every_mix):
                continue
            c = coefficients(k, T)
            n_probe = base_efforts(c, R, probes) if every_mix else 0  # the flag: only ways to pursue
            n_probe += threshold_efforts(c, R, probes[n_probe:])
            for m in range(n_probe):
                values[m] = evaluate(probes[m], c, R)
            top = _fork_top(probes, values, n_probe, c_star, c, e_star, R, floor, False)
            any_hump = max(any_hump, top)
            if between:
                flag_hump = max(flag_hump, top)
        probes[HUMP] = u_star - flag_hump if u_star - flag_hump < cut else np.inf
        if every_mix:
            probes[HUMP + 1] = u_star - other_hump
            probes[HUMP + 2] = u_star - any_hump
    return e_star, k_star, u_star, u_star - best_probe


FORK_TRIES = 4  # probes `_fork_top` tries at one mix, best first


@borrowing
def largest_jump(curve, goal, q):
    """The largest step of a rep's pay along credited sales at quota q: at a breakpoint, the lump earned
    there (a bonus), the commission a threshold starts paying on every dollar below it, and the rep's
    goal value where it counts (`pay.payout.PayCurve.kernel`). The scale of a fork's stakes: the
    lump a rep chooses between pursuing and letting go."""
    n, lo, slope, qc, lump, gi = curve
    best = goal if gi == 0 else 0.0
    for j in range(1, n):
        step = (qc[j] - qc[j - 1]) * q + (slope[j] - slope[j - 1]) * lo[j] * q + lump[j] - lump[j - 1]
        if j == gi:
            step += goal
        best = max(best, step)
    return best


@borrowing
def _fork_top(probes, values, n_probe, c_star, c, e_star, R, floor, same):
    """The top of another hump of U along effort at the mix with coefficients c, from its probes (efforts
    `probes[:n_probe]`, U `values[:n_probe]`, which it overwrites): the best probe more than FORK_APART from
    the chosen effort e_star beyond which U dips, at the chosen mix and at this one (`same`: they are one),
    below the probe (tested a quarter, half and three quarters of the way to e_star), climbed at its mix
    (`refine`) while the climb stays on its side of the dip; -inf if none of the FORK_TRIES best above
    `floor` has a dip. A probe on the chosen hump's own slope has none, so it is passed over."""
    for _ in range(FORK_TRIES):
        pick = -1
        best = floor
        for m in range(n_probe):
            if abs(probes[m] - e_star) > FORK_APART and values[m] > best:
                best, pick = values[m], m
        if pick < 0:
            return -np.inf
        values[pick] = -np.inf  # tried
        e_probe = probes[pick]
        for f in (0.25, 0.5, 0.75):
            dip = e_probe + f * (e_star - e_probe)
            u_dip = evaluate(dip, c_star, R)
            if not same:  # another mix: the dip must be below the probe at both
                u_dip = max(u_dip, evaluate(dip, c, R))
            if u_dip < best:
                e_top, u_top, _ = refine(c, e_probe, R)
                if (e_top - dip) * (e_probe - dip) > 0.0 and u_top > best:
                    return u_top
                return best
    return -np.inf


def local_search(T, R, e_prev, k_prev, neighbours, k_in, probes, guard, humps):
    """`warm_grad`, or `warm` for the exact valuation of other than two products (U' of the exact
    valuation is written for two)."""


@overload(local_search, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _local_search(T, R, e_prev, k_prev, neighbours, k_in, probes, guard, humps):
    if len(T) <= 2:  # the normal valuation, with or without unit goals
        return lambda T, R, e_prev, k_prev, neighbours, k_in, probes, guard, humps: warm_grad(
            T, R, e_prev, k_prev, neighbours, k_in, probes, guard, humps)

    def exact(T, R, e_prev, k_prev, neighbours, k_in, probes, guard, humps):
        if len(T[2]) == 2:
            return warm_grad(T, R, e_prev, k_prev, neighbours, k_in, probes, guard, humps)
        return warm(T, R, e_prev, k_prev, neighbours, k_in, probes, guard, humps)
    return exact


@njit(cache=True, error_model="numpy", inline="always")
def search(T, R, full, e_prev, k_prev, neighbours, n_focus, probes, guard, humps):
    """Warm search from yesterday's choice, or the exhaustive search when asked or needed;
    returns (effort, focus, U, the guard's margin, whether the exhaustive search ran). After an
    exhaustive search the margin is 0 (asked) or the guard's `CAUGHT` mark (needed): both rerun the
    guard the next day."""
    if not full:
        k_in = np.argmax(T[0][:, 0])
        e_star, k_star, u_star, margin = local_search(T, R, e_prev, k_prev, neighbours, k_in, probes, guard, humps)
        if e_star >= 0.0:
            return e_star, k_star, u_star, margin, False
    else:
        margin = 0.0
    e_star, k_star, u_star = exhaustive(T, R, n_focus, probes)
    return e_star, k_star, u_star, margin, True


# Parts of the decision a plan may not use are compiled only when it does: the kernel is specialised on
# markers whose type, not value, says whether any unit goal or any present-biased rep is in play (OFF or
# ON). A first run then compiles what its scenario needs, not every variant (most of a fresh checkout's
# first run is compiling this kernel). The numbers are the same either way: OFF is passed only when the
# part would not have been used by any rep that day.
OFF = (0,)
ON = (0, 0)
FLAG = (0, 0, 0)  # the hump marker's third state: the fork flag alone, not the whole measurement (`distant_check`)
# The hump margins a run tracks, by the width of `guard_memory` (`state.reps.with_hump_columns`): none (3 columns),
# the fork flag alone (4: column 3, the margin over the guard's own focus mixes and those selling between the chosen
# mix and the one that sells most inside the period), or the flag and the measurement around it (6: also column 4,
# the guard's own mixes alone, and column 5, every mix).
HUMP_MARKERS = {3: OFF, 4: FLAG, 6: ON}


def normal_tables(table, goals):
    """The normal valuation's tables T: (table,) without unit goals, (table, table) with them."""


@overload(normal_tables, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _normal_tables(table, goals):
    if len(goals) == 1:
        return lambda table, goals: (table,)
    return lambda table, goals: (table, table)


def biased_effort(e_star, k_star, i, days_left, stakes, kcost, risk, selling, today, table, R, bias):
    """Today's effort of a present-biased rep (`present_bias.todays_effort`); e_star for the others."""


@overload(biased_effort, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _biased_effort(e_star, k_star, i, days_left, stakes, kcost, risk, selling, today, table, R, bias):
    if len(bias) == 1:
        return lambda e_star, k_star, i, days_left, stakes, kcost, risk, selling, today, table, R, bias: e_star

    def biased(e_star, k_star, i, days_left, stakes, kcost, risk, selling, today, table, R, bias):
        if today.present_bias[i] < 1.0 and days_left > 1:
            later_risk = 0.5 * risk[i] * stakes.nu_next[i]
            a_t, b_t, o_t = todays_coefficients(i, k_star, selling, today, later_risk)
            plan = (table[k_star, 0], table[k_star, 1], table[k_star, 2])
            return todays_effort(e_star, plan, (a_t, b_t, o_t, kcost.scale[i]), R, today.present_bias[i], E_MAX)
        return e_star
    return biased


@njit(cache=True, error_model="numpy", inline="always")
def _any_nonzero(values):
    """np.any(values != 0.0) for a 1-d array, without the temporary array (`borrowing`)."""
    for v in values:
        if v != 0.0:
            return True
    return False


@borrowing
def _near_breakpoint(mu, s, q, curve):
    """A pay threshold within three standard deviations of the expected sales."""
    n_seg, lo = curve[0], curve[1]
    for j in range(1, n_seg):
        if abs(lo[j] * q - mu) < 3.0 * s:
            return True
    return False


def decision_workspace(n_focus: int, n_prod: int) -> tuple:
    """Work arrays for `choose_effort`, allocated once per run."""
    return (np.zeros((n_focus, N_COEF)), np.zeros((n_focus, n_prod)), np.empty(HUMP + HUMP_SLOTS), exact_scratch(n_prod))


@njit(cache=True, error_model="numpy")
def exact_scratch(n_prod):
    return (np.zeros((n_prod, MAX_COUNT)), np.zeros(n_prod, dtype=np.int64), np.zeros((n_prod, MAX_COUNT)),
            np.zeros(n_prod, dtype=np.int64), np.zeros(MAX_ATOMS), np.zeros(MAX_ATOMS), np.zeros((3, MAX_COUNT + 1)), np.zeros((n_prod, 4)), np.zeros((3, MAX_SEGMENTS)))


@njit(cache=True, error_model="numpy", inline="always")
def rep_scalars(i, outlook, stakes, kcost, risk, demand_var, days_left):
    """Rep i's scalars R, as the valuation reads them."""
    return (outlook.mu_fixed[i], outlook.var_fixed[i], outlook.booked[i], stakes.quota[i], demand_var, stakes.goal[i],
            risk[i], stakes.ratchet_w[i], stakes.quota_up, stakes.quota_down, stakes.nu_next[i],
            kcost.scale[i] * days_left, stakes.second_amount, stakes.second_line[i], outlook.mu_second[i],
            outlook.var_second[i], stakes.curve, kcost.curvature)


@borrowing
def prepare_exact(i, T, R, pipe_count, win, n_focus):
    """Load rep i's pipeline into the exact valuation's work arrays; False if the exact
    distribution does not fit the atom table at every mix and effort (the whole day then uses the
    normal belief, so U never switches valuation part-way along effort)."""
    pipe_pmf, pipe_len, pipe_nw = T[3][0], T[3][1], T[3][7]
    for p in range(win.shape[-1]):
        n = min(int(pipe_count[i, p]), MAX_COUNT - 1)
        pipe_len[p] = binomial_pmf(n, per_rep(win, i, p), pipe_pmf[p])
        w = per_rep(win, i, p)
        pipe_nw[p, 0] = n
        pipe_nw[p, 1] = w
        pipe_nw[p, 2] = (1.0 - w) ** n
        pipe_nw[p, 3] = n * math.log(1.0 - w) if w < 1.0 else -np.inf
    if win.shape[-1] <= 2:  # the atoms are one product's counts: they always fit
        return True
    for k in range(n_focus):
        if np.isnan(u_exact(E_MAX, coef_exact(k, T), R)):
            return False
    return True


def choose_effort(active, full, days_left, stakes, outlook, kcost, risk, selling, neighbours, demand_var, exact_below,
                  side, today, choice, work, day, period_start) -> None:
    """Choose effort and focus for every active rep (`choice`: `state.reps.Choice`, whose
    `exhaustive_used` flags who needed the exhaustive search today). `work` is
    `decision_workspace(...)`, kept between days. Bundles: `stakes` (`state.reps.Stakes`),
    `outlook` (`state.reps.Outlook`), `selling` (`state.context.Selling`), `side`
    (`state.context.SideTerms`), `today` (`state.context.Today`); `kcost` and `risk` are the reps'
    effort cost and risk aversion. The search finds the plan for the rest of the period; a
    present-biased rep (`today.present_bias` < 1) then works today at `present_bias.todays_effort`.

    The guard against a distant better optimum is rerun only when it could have changed
    (re-optimise when the state moved): `choice.guard_memory` holds, per rep, the margin it found,
    the expected sales then and the day; it reruns when that margin was under GUARD_MARGIN of the
    rep's value, the expected sales moved by half a standard deviation, the period changed, or
    GUARD_DAYS passed.

    `choice.effort` and `choice.focus` hold yesterday's choice on entry (the warm start) and
    today's on exit; `full[i]` asks for the exhaustive search (a new hire).
    """
    choose_block(0, len(active), active, full, days_left, stakes, outlook, kcost, risk, selling, neighbours,
                 demand_var, exact_below, side, today, choice, work, day, period_start, *variant(side, today, choice))


def variant(side, today, choice) -> tuple[tuple, tuple, tuple]:
    """The markers `choose_block` is compiled for on a day: whether a unit goal (`side`) or a
    present-biased rep (`today`) is in play, OFF or ON each, and which hump margins the run tracks
    (`choice.guard_memory`'s width, `HUMP_MARKERS`: OFF, FLAG or ON, `state.reps.RepArrays.track_humps`)."""
    return ((ON if _unit_goal_set(side.unit_goals) else OFF), (ON if _biased(today.present_bias) else OFF),
            HUMP_MARKERS[choice.guard_memory.shape[1]])


@borrowing
def _unit_goal_set(unit_goals):
    """Any unit goal with a value (slot 3) > 0: `np.any(unit_goals[:, :, 3] > 0)` without its two temporaries
    (a day's fixed cost: asked every day)."""
    for i in range(unit_goals.shape[0]):
        for g in range(unit_goals.shape[1]):
            if unit_goals[i, g, 3] > 0.0:
                return True
    return False


@borrowing
def _biased(present_bias):
    """Any rep with beta < 1 (`behaviour.present_bias`)."""
    for beta in present_bias:
        if beta < 1.0:
            return True
    return False


@borrowing(nogil=True)
def choose_block(lo, hi, active, full, days_left, stakes, outlook, kcost, risk, selling, neighbours, demand_var,
                 exact_below, side, today, choice, work, day, period_start, goals, bias, humps):
    """`choose_effort` for reps lo..hi-1 with its own `work` arrays; `goals`, `bias` and `humps` are the
    markers of `variant`. It lets go of the GIL, so blocks of a large force can be decided on
    several threads at once: a rep's choice reads only its own state and writes only its own slots,
    so the numbers are the one-thread numbers (`rules.weigh_effort`, tests/test_threads.py)."""
    focus_g, win, leads = selling.focus_g, selling.win, selling.leads
    mu_fixed, var_fixed, pipe_count = outlook.mu_fixed, outlook.var_fixed, outlook.pipe_count
    effort, focus, value = choice.effort, choice.focus, choice.value
    guard_memory = choice.guard_memory
    n_focus = focus_g.shape[0]
    n_prod = leads.shape[-1]
    table, lam, probes, scratch = work
    T_normal = normal_tables(table, goals)  # a second entry marks tables carrying unit goals (`coefficients`)
    T_exact = (table, lam, selling.deal_value, scratch)
    side_on = _any_nonzero(side.rate) or _any_nonzero(side.spif) or len(goals) == len(ON)  # ON: a unit goal
    for i in range(lo, hi):
        if not active[i]:
            continue
        focus_table(i, selling, table, lam, 0.5 * risk[i] * stakes.nu_next[i])
        if side_on:
            side_column(i, days_left, selling, side, table)
        k0 = focus[i]
        e0 = effort[i]
        R = rep_scalars(i, outlook, stakes, kcost, risk, demand_var, days_left)
        # few deals expected and a threshold within reach: the exact distribution
        expected_deals = 0.0
        for p in range(n_prod):
            expected_deals += pipe_count[i, p] * per_rep(win, i, p) + max(e0, 1.0) * lam[k0, p]
        exact = False
        if expected_deals < exact_below:
            mu_guess = mu_fixed[i] + e0 * table[k0, 0]
            s_guess = math.sqrt(var_fixed[i] + e0 * table[k0, 1]) + 1.0
            if _near_breakpoint(mu_guess, s_guess, stakes.quota[i], stakes.curve):
                exact = prepare_exact(i, T_exact, R, pipe_count, win, n_focus)
        choice.exact_used[i] = exact
        margin0, mu_then, day_then = guard_memory[i, 0], guard_memory[i, 1], guard_memory[i, 2]
        guard = (day_then < period_start or day - day_then >= GUARD_DAYS
                 or margin0 < GUARD_MARGIN * (abs(value[i]) + 100.0)
                 or abs(mu_fixed[i] - mu_then) > 0.5 * (math.sqrt(var_fixed[i]) + 1.0))
        if exact:
            e_star, k_star, u_star, margin, wide = search(T_exact, R, full[i], e0, k0, neighbours, n_focus,
                                                          probes, guard, humps)
        else:
            e_star, k_star, u_star, margin, wide = search(T_normal, R, full[i], e0, k0, neighbours, n_focus,
                                                          probes, guard, humps)
        choice.exhaustive_used[i] = wide
        if guard or wide:
            guard_memory[i, 0] = margin
            guard_memory[i, 1] = mu_fixed[i]
            guard_memory[i, 2] = day
            if len(humps) > len(OFF):
                guard_memory[i, 3] = np.nan if wide else probes[HUMP]
            if len(humps) == len(ON):
                guard_memory[i, 4] = np.nan if wide else probes[HUMP + 1]
                guard_memory[i, 5] = np.nan if wide else probes[HUMP + 2]
        e_star = biased_effort(e_star, k_star, i, days_left, stakes, kcost, risk, selling, today, table, R, bias)
        effort[i] = e_star
        focus[i] = k_star
        value[i] = u_star


@njit(cache=True, error_model="numpy")
def utility_grid(i, efforts, active, full, days_left, stakes, outlook, kcost, risk, selling, neighbours, demand_var,
                 exact_below, side, today, exact):
    """U of rep i at every focus mix and every effort in `efforts` (the arguments of
    `choose_effort` before its choice): the exhaustive reference the tests hold the search to.
    `exact` selects the valuation the rep used that day."""
    n_focus = selling.focus_g.shape[0]
    n_prod = selling.leads.shape[-1]
    table = np.zeros((n_focus, N_COEF))
    lam = np.zeros((n_focus, n_prod))
    focus_table(i, selling, table, lam, 0.5 * risk[i] * stakes.nu_next[i])
    side_column(i, days_left, selling, side, table)
    R = rep_scalars(i, outlook, stakes, kcost, risk, demand_var, days_left)
    T_exact = (table, lam, selling.deal_value, exact_scratch(n_prod))
    out = np.empty((n_focus, len(efforts)))
    if exact:
        prepare_exact(i, T_exact, R, outlook.pipe_count, selling.win, n_focus)
    for k in range(n_focus):
        for m in range(len(efforts)):
            if exact:
                out[k, m] = u_exact(efforts[m], coef_exact(k, T_exact), R)
            else:
                out[k, m] = u_normal(efforts[m], coef_normal(k, (table,)), R)
    return out


@njit(cache=True, error_model="numpy")
def log_effort(active, effort, focus, shares, gamma, effort_sum, effort_cost_units, focus_sum, days_active):
    """Add today's choices to each rep's period totals (effort, its cost in units of the rep's k:
    `effort_cost.cost`, focus); returns how many reps worked."""
    worked = 0
    for i in range(len(active)):
        if not active[i]:
            continue
        worked += 1
        e = effort[i]
        effort_sum[i] += e
        effort_cost_units[i] += cost(1.0, e, gamma)
        for p in range(shares.shape[1]):
            focus_sum[i, p] += e * shares[focus[i], p]
        days_active[i] += 1
    return worked
