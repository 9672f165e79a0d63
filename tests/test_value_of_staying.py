"""The value of staying (`Engine.value_of_staying`, `behaviour.turnover`): reps reckon a year in the job
forward from the plan as it stands, so what the plan now asks of them counts the month it comes, not
periods later when their pay has fallen (the participation constraint of agency models, weighed each
month; Lazear 2000 on who stays)."""

import numpy as np
from conftest import small

from simulator.sim.engine import Engine


def _engine_after_a_period(name: str, *overrides: str) -> Engine:
    engine = Engine(small(name, *overrides, size=40, years=1), seed=3)
    while engine.day < 70:  # past the first quarter's end: running averages of a real period
        engine.step()
    return engine


def test_a_higher_quota_lowers_the_value_of_staying_at_once():
    """Two reps with the same history: the one whose quota has just been raised (a ratchet after a strong
    quarter) values the job less now, by what the plan's bonus and accelerator now expect of it; a
    rep who judged the job only by the pay it has had would not notice until the next settlement."""
    engine = _engine_after_a_period("baseline")
    r = engine.reps
    who = np.flatnonzero(r.active)[:10]
    before = engine.value_of_staying()[who]
    r.quota[who] *= 1.3
    after = engine.value_of_staying()[who]
    assert np.all(after < before)
    assert np.mean(before - after) > 1000.0  # $ a year: the bonus and accelerator put out of reach


def test_a_leaner_plan_lowers_it_by_the_commission_it_takes_away():
    """The same reps, with the same usual sales and history beside the curve, value a plan with half the
    commission rate lower by the commission it takes away: a year's 1% of their usual sales (a rep who
    judged the job by the pay it has had would also count what its own lower effort under the lean plan
    has cost it)."""
    lean = _engine_after_a_period("linear_commission", "plan.commission_rate=0.01")
    full = _engine_after_a_period("linear_commission", "plan.commission_rate=0.02")
    r = full.reps
    who = np.flatnonzero(r.active & lean.reps.active)
    lean.reps.typical_sales[who] = r.typical_sales[who]  # the same reps, the same usual sales
    lean.reps.beside_mean[who] = r.beside_mean[who]
    lean.reps.beside_var[who] = r.beside_var[who]
    lean.reps.effort_cost_mean[who] = r.effort_cost_mean[who]
    lean.reps.risk_aversion[who] = r.risk_aversion[who]
    gap = full.value_of_staying()[who] - lean.value_of_staying()[who]
    commission = 0.01 * r.typical_sales[who] * (252 / full.world.period_len)
    np.testing.assert_allclose(gap, commission, rtol=0.02)
