"""The warm search steps on U' in closed form: it must be the derivative of the U the reps value
(normal belief, and the exact one where few deals are expected)."""

import numpy as np
import pytest
from conftest import small

from simulator.behaviour import effort as E
from simulator.behaviour.rules import effort_inputs
from simulator.sim.engine import Engine

pytestmark = pytest.mark.slow  # real days of every scenario, replayed against the exhaustive search


def copied(value):
    """A copy of an input: arrays copied, bundles field by field."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(copied(v) for v in value))
    return value


def rep_days(name, *overrides, days=60, every=7):
    """(inputs, rep) pairs from a short run."""
    engine = Engine(small(name, *overrides, size=20, years=0.3), seed=2)
    out = []
    for day in range(min(days, engine.n_days)):
        for phase in engine.phases():  # the real day, paused just before the reps decide
            if phase == "decide" and day % every == 3:
                inputs = tuple(copied(v) for v in effort_inputs(engine.ctx, engine.terms))
                out += [(inputs, int(i)) for i in np.flatnonzero(engine.reps.active)[:6]]
    return out


def tables(inputs, i):
    """Rep i's tables T and scalars R, as `choose_effort` builds them from its inputs."""
    active, full, days_left, stakes, outlook, kcost, risk, selling, neighbours, demand_var, exact_below, side, _ = inputs
    n_focus = selling.focus_g.shape[0]
    n_prod = selling.leads.shape[-1]
    table = np.zeros((n_focus, E.N_COEF))
    lam = np.zeros((n_focus, n_prod))
    E.focus_table(i, selling, table, lam, 0.5 * risk[i] * stakes.nu_next[i])
    R = E.rep_scalars(i, outlook, stakes, kcost, risk, demand_var, days_left)
    T = (table, lam, selling.deal_value, E.exact_scratch(n_prod))
    return T, R, outlook.pipe_count, selling.win, lam


@pytest.mark.parametrize("name,overrides", [
    ("baseline", ()),
    ("ratchet", ()),
    ("baseline", ("plan.stacked_bonus={period: year, amount: 6000, at: 1.0}",)),
    ("capped", ()),
    ("baseline", ("behaviour.effort_curvature=1.5",)),
    ("ratchet", ("behaviour.effort_curvature=3",)),
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


@pytest.mark.parametrize("name,overrides", [
    ("ratchet", ()),
    ("daily_quota", ()),
    ("daily_quota", ("behaviour.effort_curvature=3",)),
])
def test_exact_slope_is_the_derivative_of_the_value(name, overrides):
    rng = np.random.default_rng(1)
    checked = 0
    for inputs, i in rep_days(name, *overrides):
        T, R, pipe_count, win, lam = tables(inputs, i)
        if pipe_count[i] @ win + lam.max(axis=0).sum() >= inputs[10]:  # the exact valuation's domain (exact_below)
            continue
        E.prepare_exact(i, T, R, pipe_count, win, T[0].shape[0])
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
