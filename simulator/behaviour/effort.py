"""Effort and product focus: each rep, each day, picks what its plan makes worth the most.

One objective for every choice (MECHANISM.md). With T business days left in the period a rep
planning effort e (held for the rest of the period) and focus mix f values

    U(e, f) = V(mu, s) - ratchet(mu, s) + nu_next * e * A_out(f) - k * e^2 * T

- V is the expected pay (or its CARA certainty equivalent) of the period's plan plus the rep's
  value of reaching its accepted goal, under the belief S_end ~ N(mu, s^2), where
  mu = booked + held + pipeline closing in-period + e * A_in(f); the normal is replaced by the
  exact compound distribution where few deals are expected (`valuation`);
- A_in(f) and A_out(f) are the credited sales that a unit of effort over the rest of the period
  yields inside and after the period, through each product's sales-cycle distribution
  (D_p(T) = sum_j F_p(j), Chung, Narayandas and Chang 2021 on quota frequency and product mix);
- nu_next values work that closes next period: delta * (commission, plus for forward-looking reps
  the marginal value of a sale towards next period's bonus and goal);
- ratchet() is the expected cost of raising next period's quota (Weitzman 1980);
- k e^2 per day is the cost of effort.

Nothing here refers to a kind of plan: give-up far from quota, coasting when it is easy, bunching
just above it and the shift to quick products under short periods all come out of V.

The search is over the focus lattice and continuous in effort. It is warm-started from
yesterday's choice (parabolic refinement of effort, then the neighbouring focus mixes), with a
coarse check over effort that falls back to the exhaustive search whenever a distant optimum has
become better (MECHANISM.md: "push for the bonus" and "give up" are two local optima that can
trade places). `tests/test_decisions.py` checks it against an exhaustive grid.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simulator.behaviour.valuation import (
    MAX_ATOMS,
    MAX_COUNT,
    binomial_pmf,
    build_atoms,
    count_pmf,
    ncdf,
    ratchet_cost,
    value_atoms,
    value_normal,
)

E_GRID = np.array([0.0, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 1.1, 1.35, 1.6, 1.9, 2.3, 2.8, 3.4, 4.0])
E_MAX = 4.0
GUARD = np.array([0.0, 0.4, 1.0, 1.8, 3.0])
STEP = 0.06  # first step of the parabolic refinement of effort
N_COEF = 4  # per focus mix: credited sales in / after the period per unit effort, variance, stacked


@njit(cache=True, error_model="numpy")
def focus_table(i, prod, leads, win, dealv, focus_g, din, aout, din_y, table, lam):
    """Per focus mix k, per unit of effort over the rest of the period: expected credited sales
    inside the period, their variance, sales after the period, sales inside a stacked period
    (table[k]); and expected wins per product inside the period (lam[k])."""
    for k in range(focus_g.shape[0]):
        a_in = 0.0
        b_in = 0.0
        a_out = 0.0
        a_y = 0.0
        for p in range(len(leads)):
            rate = prod[i] * leads[p] * focus_g[k, p] * win[p]
            a_in += rate * din[p] * dealv[p]
            b_in += rate * din[p] * dealv[p] * dealv[p]
            a_out += rate * aout[p] * dealv[p]
            a_y += rate * din_y[p] * dealv[p]
            lam[k, p] = rate * din[p]
        table[k, 0] = a_in
        table[k, 1] = b_in
        table[k, 2] = a_out
        table[k, 3] = a_y


@njit(cache=True, error_model="numpy")
def focus_coefficients(i, k, prod, leads, win, dealv, focus_g, din, aout, din_y):
    """The focus_table row of one mix."""
    a_in = 0.0
    b_in = 0.0
    a_out = 0.0
    a_y = 0.0
    for p in range(len(leads)):
        rate = prod[i] * leads[p] * focus_g[k, p] * win[p]
        a_in += rate * din[p] * dealv[p]
        b_in += rate * din[p] * dealv[p] * dealv[p]
        a_out += rate * aout[p] * dealv[p]
        a_y += rate * din_y[p] * dealv[p]
    return a_in, b_in, a_out, a_y


@njit(cache=True, error_model="numpy", inline="always")
def utility(
    e, a_in, b_in, a_out, a_y, mu0, var0, q, demand_var, lo, slope, qc, lump, goal, gi, r,
    rw, up, down, nu, kcost_t, stack_amt, stack_q, mu_y0, var_y0,
):
    """U(e) for one rep and one focus mix, under the normal belief."""
    new = e * a_in
    mu = mu0 + new
    s = math.sqrt(var0 + e * b_in + demand_var * new * new)
    u = value_normal(mu, s, q, lo, slope, qc, lump, goal, gi, r)
    u -= ratchet_cost(mu, s, q, rw, up, down)
    u += nu * e * a_out - kcost_t * e * e
    if stack_amt > 0.0:
        new_y = e * a_y
        s_y = math.sqrt(var_y0 + e * b_in + demand_var * new_y * new_y) + 1e-9
        u += stack_amt * ncdf((mu_y0 + new_y - stack_q) / s_y)
    return u


@njit(cache=True, error_model="numpy")
def utility_exact(e, lam_k, pipe_pmf, pipe_len, dealv, booked, q, lo, slope, qc, lump, goal, gi, r,
                  rw, up, down, nu, a_out, kcost_t, work, lengths, atom_v, atom_p):
    """U(e) with the exact distribution of the period's remaining wins (few expected deals):
    pipeline wins (binomial) plus new wins (Poisson), per product."""
    for p in range(len(lam_k)):
        lengths[p] = count_pmf(pipe_pmf[p], pipe_len[p], e * lam_k[p], work[p])
    n_atoms = build_atoms(work, lengths, dealv, atom_v, atom_p)
    if n_atoms < 0:
        return np.nan
    u = value_atoms(booked, atom_v, atom_p, n_atoms, q, lo, slope, qc, lump, goal, gi, r)
    if rw != 0.0:
        mean = 0.0
        var = 0.0
        for a in range(n_atoms):
            mean += atom_p[a] * atom_v[a]
        for a in range(n_atoms):
            var += atom_p[a] * (atom_v[a] - mean) ** 2
        u -= ratchet_cost(booked + mean, math.sqrt(var), q, rw, up, down)
    return u + nu * e * a_out - kcost_t * e * e


@njit(cache=True, error_model="numpy", inline="always")
def _u(e, k, table, lam, rep, curve, exact, scratch):
    """U of one rep at effort e and focus mix k."""
    (mu0, var0, booked, q, demand_var, goal, r, rw, up, down, nu, kct, stack_amt, stack_q, mu_y0, var_y0) = rep
    lo, slope, qc, lump, gi, dealv = curve
    if exact:
        pipe_pmf, pipe_len, work, lengths, atom_v, atom_p = scratch
        u = utility_exact(e, lam[k], pipe_pmf, pipe_len, dealv, booked, q, lo, slope, qc, lump, goal, gi, r,
                          rw, up, down, nu, table[k, 2], kct, work, lengths, atom_v, atom_p)
        if not np.isnan(u):
            return u
    return utility(e, table[k, 0], table[k, 1], table[k, 2], table[k, 3], mu0, var0, q, demand_var, lo, slope,
                   qc, lump, goal, gi, r, rw, up, down, nu, kct, stack_amt, stack_q, mu_y0, var_y0)


@njit(cache=True, error_model="numpy")
def _vertex(a, fa, b, fb, c, fc):
    """Abscissa of the parabola's top through three points (b if degenerate)."""
    den = (b - a) * (fb - fc) - (b - c) * (fb - fa)
    if den == 0.0:
        return b
    return b - 0.5 * ((b - a) ** 2 * (fb - fc) - (b - c) ** 2 * (fb - fa)) / den


@njit(cache=True, error_model="numpy")
def refine(k, e0, table, lam, rep, curve, exact, scratch):
    """Local maximum of U over effort near e0: walk uphill with doubling steps until bracketed,
    then two parabolic steps. Returns (effort, U)."""
    h = STEP
    a = max(e0 - h, 0.0)
    b = a + h
    c = b + h
    fa = _u(a, k, table, lam, rep, curve, exact, scratch)
    fb = _u(b, k, table, lam, rep, curve, exact, scratch)
    fc = _u(c, k, table, lam, rep, curve, exact, scratch)
    for _ in range(16):
        if fb >= fa and fb >= fc:
            break
        if fc > fb:
            if c >= E_MAX:
                return c, fc
            h = min(2.0 * h, 1.0)
            a, fa, b, fb = b, fb, c, fc
            c = min(b + h, E_MAX)
            fc = _u(c, k, table, lam, rep, curve, exact, scratch)
        else:
            if a <= 0.0:
                return a, fa
            h = min(2.0 * h, 1.0)
            c, fc, b, fb = b, fb, a, fa
            a = max(b - h, 0.0)
            fa = _u(a, k, table, lam, rep, curve, exact, scratch)
    best_e = b
    best_u = fb
    for _ in range(2):
        x = min(max(_vertex(a, fa, b, fb, c, fc), a), c)
        if abs(x - b) < 1e-4:
            break
        fx = _u(x, k, table, lam, rep, curve, exact, scratch)
        if fx > best_u:
            best_e = x
            best_u = fx
        # keep the best point with its neighbours on either side
        if x < b:
            if fx >= fb:
                c, fc, b, fb = b, fb, x, fx
            else:
                a, fa = x, fx
        else:
            if fx >= fb:
                a, fa, b, fb = b, fb, x, fx
            else:
                c, fc = x, fx
    return best_e, best_u


@njit(cache=True, error_model="numpy")
def exhaustive(table, lam, rep, curve, exact, scratch, n_focus):
    """Every focus mix over the coarse effort grid, then refinement of the two best mixes."""
    best_k = 0
    best_m = 0
    best_u = -np.inf
    second_k = -1
    second_m = 0
    second_u = -np.inf
    for k in range(n_focus):
        k_best_u = -np.inf
        k_best_m = 0
        for m in range(len(E_GRID)):
            u = _u(E_GRID[m], k, table, lam, rep, curve, exact, scratch)
            if u > k_best_u:
                k_best_u = u
                k_best_m = m
        if k_best_u > best_u:
            second_k, second_m, second_u = best_k, best_m, best_u
            best_k, best_m, best_u = k, k_best_m, k_best_u
        elif k_best_u > second_u:
            second_k, second_m, second_u = k, k_best_m, k_best_u
    e_star, u_star = refine(best_k, E_GRID[best_m], table, lam, rep, curve, exact, scratch)
    k_star = best_k
    if second_k >= 0:
        e2, u2 = refine(second_k, E_GRID[second_m], table, lam, rep, curve, exact, scratch)
        if u2 > u_star:
            e_star, u_star, k_star = e2, u2, second_k
    if best_u > u_star:  # a grid point beat its refinement (kinks): keep the grid point
        e_star, u_star, k_star = E_GRID[best_m], best_u, best_k
    return e_star, k_star, u_star


@njit(cache=True, error_model="numpy")
def warm(e_prev, k_prev, neighbours, table, lam, rep, curve, exact, scratch):
    """Yesterday's choice refined, its neighbouring focus mixes tried, and a coarse check that a
    distant effort level has not become better (then the exhaustive search decides)."""
    e_star, u_star = refine(k_prev, e_prev, table, lam, rep, curve, exact, scratch)
    k_star = k_prev
    for m in range(neighbours.shape[1]):
        k = neighbours[k_prev, m]
        if k < 0:
            continue
        if _u(e_star, k, table, lam, rep, curve, exact, scratch) > u_star:
            e_k, u_k = refine(k, e_star, table, lam, rep, curve, exact, scratch)
            if u_k > u_star:
                e_star, u_star, k_star = e_k, u_k, k
    # U is concave in effort unless a pay threshold is within reach of some effort level
    (mu0, var0, booked, q, demand_var, goal, r, rw, up, down, nu, kct, stack_amt, stack_q, mu_y0, var_y0) = rep
    lo = curve[0]
    reach_low = mu0 - 4.0 * math.sqrt(var0 + demand_var * mu0 * mu0)
    top = mu0 + E_MAX * table[k_star, 0]
    reach_high = top + 4.0 * math.sqrt(var0 + E_MAX * table[k_star, 1] + demand_var * top * top)
    threshold_in_reach = stack_amt > 0.0
    for j in range(1, len(lo)):
        if reach_low <= lo[j] * q <= reach_high:
            threshold_in_reach = True
    if not threshold_in_reach:
        return e_star, k_star, u_star
    tolerance = 1e-9 * (1.0 + abs(u_star))
    for m in range(len(GUARD)):
        if abs(GUARD[m] - e_star) < 0.25:
            continue
        if _u(GUARD[m], k_star, table, lam, rep, curve, exact, scratch) > u_star + tolerance:
            return -1.0, k_star, u_star
    return e_star, k_star, u_star


@njit(cache=True, error_model="numpy")
def _near_breakpoint(mu, s, q, lo):
    for j in range(1, len(lo)):
        if abs(lo[j] * q - mu) < 4.0 * s:
            return True
    return False


@njit(cache=True, error_model="numpy")
def choose_effort(
    active, full, days_left, quota, mu_fixed, var_fixed, booked, pipe_count,
    prod, kcost, risk, goal, nu_next, ratchet_w, up, down,
    leads, win, dealv, focus_g, neighbours, din, aout, din_y, demand_var, exact_below,
    lo, slope, qc, lump, gi, stack_amt, stack_q, mu_y0, var_y0,
    effort, focus, value, exact_used,
):
    """Choose effort and focus for every active rep.

    `effort` and `focus` hold yesterday's choice on entry (the warm start) and today's on exit;
    `full[i]` asks for the exhaustive search (a new hire).
    """
    n_focus = focus_g.shape[0]
    n_prod = len(leads)
    table = np.zeros((n_focus, N_COEF))
    lam = np.zeros((n_focus, n_prod))
    scratch = (np.zeros((n_prod, MAX_COUNT)), np.zeros(n_prod, dtype=np.int64), np.zeros((n_prod, MAX_COUNT)),
               np.zeros(n_prod, dtype=np.int64), np.zeros(MAX_ATOMS), np.zeros(MAX_ATOMS))
    pipe_pmf, pipe_len = scratch[0], scratch[1]
    curve = (lo, slope, qc, lump, gi, dealv)
    for i in range(len(active)):
        if not active[i]:
            continue
        focus_table(i, prod, leads, win, dealv, focus_g, din, aout, din_y, table, lam)
        k0 = focus[i]
        e0 = effort[i]
        # few deals expected and a threshold within reach: the exact distribution (lesson 5)
        expected_deals = 0.0
        for p in range(n_prod):
            expected_deals += pipe_count[i, p] * win[p] + max(e0, 1.0) * lam[k0, p]
        exact = False
        if expected_deals < exact_below:
            mu_guess = mu_fixed[i] + e0 * table[k0, 0]
            s_guess = math.sqrt(var_fixed[i] + e0 * table[k0, 1]) + 1.0
            exact = _near_breakpoint(mu_guess, s_guess, quota[i], lo)
        exact_used[i] = exact
        if exact:
            for p in range(n_prod):
                pipe_len[p] = binomial_pmf(int(pipe_count[i, p]), win[p], pipe_pmf[p])
        rep = (mu_fixed[i], var_fixed[i], booked[i], quota[i], demand_var, goal[i], risk[i], ratchet_w[i], up,
               down, nu_next[i], kcost[i] * days_left, stack_amt, stack_q[i], mu_y0[i], var_y0[i])
        e_star = -1.0
        if not full[i]:
            e_star, k_star, u_star = warm(e0, k0, neighbours, table, lam, rep, curve, exact, scratch)
        if e_star < 0.0:
            e_star, k_star, u_star = exhaustive(table, lam, rep, curve, exact, scratch, n_focus)
        effort[i] = e_star
        focus[i] = k_star
        value[i] = u_star
