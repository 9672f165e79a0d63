"""The warm search steps on U' in closed form: it must be the derivative of the U the reps value
(normal belief, and the exact one where few deals are expected)."""

import numpy as np
import pytest
from conftest import small

from simulator.behaviour import effort as E
from simulator.behaviour.rules import effort_inputs
from simulator.sim.engine import Engine


def rep_days(name, *overrides, days=60, every=7):
    """(inputs, rep) pairs from a short run."""
    engine = Engine(small(name, *overrides, size=20, years=0.3), seed=2)
    out = []
    for day in range(min(days, engine.n_days)):
        for phase in engine.phases():  # the real day, paused just before the reps decide
            if phase == "decide" and day % every == 3:
                inputs = tuple(v.copy() if isinstance(v, np.ndarray) else v
                               for v in effort_inputs(engine.ctx, engine.terms))
                out += [(inputs, int(i)) for i in np.flatnonzero(engine.reps.active)[:6]]
    return out


def tables(inputs, i):
    (active, full, days_left, quota, mu_fixed, var_fixed, booked, pipe_count, prod, kcost, risk, goal, nu_next,
     ratchet_w, up, down, leads, win, dealv, focus_g, neighbours, din, aout, din_y, demand_var, exact_below, curve,
     stack_amt, stack_q, mu_y0, var_y0, side_rate, spif, unit_goals, goal_product, goal_rate) = inputs
    n_focus = focus_g.shape[0]
    table = np.zeros((n_focus, E.N_COEF))
    lam = np.zeros((n_focus, len(leads)))
    E.focus_table(i, prod, leads, win, dealv, focus_g, din, aout, din_y, table, lam)
    R = E._rep(i, mu_fixed, var_fixed, booked, quota, demand_var, goal, risk, ratchet_w, up, down, nu_next, kcost,
               days_left, stack_amt, stack_q, mu_y0, var_y0, curve)
    T = (table, lam, dealv, E._exact_scratch(len(leads)))
    return T, R, pipe_count, win, lam


@pytest.mark.parametrize("name,overrides", [
    ("baseline", ()),
    ("ratchet", ()),
    ("baseline", ("plan.stacked_bonus={period: year, amount: 6000, at: 1.0}",)),
    ("capped", ()),
])
def test_normal_slope_is_the_derivative_of_the_value(name, overrides):
    rng = np.random.default_rng(0)
    checked = 0
    for inputs, i in rep_days(name, *overrides):
        T, R, *_ = tables(inputs, i)
        for k in range(T[0].shape[0]):
            c = E.coef_normal(k, (T[0],))
            e = float(rng.uniform(0.05, 3.9))
            u, g = E.u_normal_grad(e, c, R)
            assert u == E.u_normal(e, c, R)
            h = 1e-5
            slope = (E.u_normal(e + h, c, R) - E.u_normal(e - h, c, R)) / (2 * h)
            assert g == pytest.approx(slope, rel=1e-3, abs=0.05)
            checked += 1
    assert checked > 50


@pytest.mark.parametrize("name", ["ratchet", "daily_quota"])
def test_exact_slope_is_the_derivative_of_the_value(name):
    rng = np.random.default_rng(1)
    checked = 0
    for inputs, i in rep_days(name):
        T, R, pipe_count, win, lam = tables(inputs, i)
        if pipe_count[i] @ win + lam.max(axis=0).sum() >= inputs[25]:  # the exact valuation's domain
            continue
        E._prepare_exact(i, T, R, pipe_count, win, T[0].shape[0])
        for k in range(T[0].shape[0]):
            c = E.coef_exact(k, T)
            e = float(rng.uniform(0.05, 2.0))
            u, g = E.u_exact_grad(e, c, R)
            assert u == pytest.approx(E.u_exact(e, c, R), rel=1e-12)
            h = 1e-5
            slope = (E.u_exact(e + h, c, R) - E.u_exact(e - h, c, R)) / (2 * h)
            assert g == pytest.approx(slope, rel=1e-3, abs=0.05)
            checked += 1
    assert checked > 20
