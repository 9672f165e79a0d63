"""The curvature of effort's cost (`behaviour.effort_curvature`, `behaviour.effort_cost`): a day at
effort e costs k (2 / gamma) e^gamma. Where pay is linear in effort at v a unit, the chosen effort
is (v / 2k)^(1 / (gamma - 1)), so effort's elasticity to a commission rate is 1 / (gamma - 1): the
size a calibration fits gamma to (Misra and Nair 2011 estimate effort's cost in a sales force;
docs/calibration.md)."""

import numpy as np
import pytest
from pydantic import ValidationError

from simulator.behaviour.effort_cost import cost, cost_grad, least_bend, linear_optimum
from simulator.scenario import Scenario
from simulator.sim.engine import Engine
from simulator.validation.exact_effort import OneRep, benchmark_scenario, solve

LINEAR_CURVE = (1, (0.0,) * 12, (0.03,) + (0.0,) * 11, (0.0,) * 12, (0.0,) * 12, 1)


def _efforts(scenario) -> np.ndarray:
    """Each day's efforts of the active reps, [day, rep]."""
    engine = Engine(scenario, seed=1)
    days = []
    while not engine.finished:
        for phase in engine.phases():
            if phase == "close_deals":
                days.append(engine.reps.effort[engine.reps.active])
    return np.array(days)


@pytest.mark.parametrize("gamma", [1.5, 3.0])
@pytest.mark.parametrize("risk_aversion", [0.0, 1e-4])
def test_under_linear_pay_effort_is_the_closed_form_and_its_elasticity_is_one_over_gamma_minus_one(gamma, risk_aversion):
    """Commission c on Poisson deals of value v (one a day per unit effort): a CARA rep's net gain per unit
    of effort is c v - r c^2 v^2 / 2 (Holmstrom and Milgrom 1987), and it works where the marginal cost
    2 k e^(gamma - 1) equals it, every day of the period. Doubling the rate then multiplies effort by
    2^(1 / (gamma - 1)) when the rep is risk neutral: 4x at gamma 1.5, 1.41x at gamma 3 (1 / (gamma - 1) is
    the elasticity). To 0.1% from the second day: the search stops once a step promises less than a tenth
    of a cent (`effort.TOL`), which pins effort exactly only where U is quadratic in it (gamma 2:
    tests/test_exact_effort.py holds that case to 0.01%); to 0.2% on the first, where new hires' exhaustive
    search ends after two parabolic steps (`effort.refine`) and the warm search tightens it the next day."""
    k, v = 40.0, 5000.0
    chosen = {}
    for c in (0.015, 0.03):
        scenario = benchmark_scenario({"commission_rate": c}, reps=30, years=0.25, patience=1.0,
                                      risk_aversion=risk_aversion, effort_curvature=gamma)
        efforts = _efforts(scenario)
        net = c * v - risk_aversion * c**2 * v**2 / 2
        closed_form = (net / (2 * k)) ** (1 / (gamma - 1))
        np.testing.assert_allclose(efforts[1:], closed_form, rtol=1e-3)
        np.testing.assert_allclose(efforts[0], closed_form, rtol=2e-3)
        chosen[c] = efforts.mean()
    if risk_aversion == 0.0:
        assert chosen[0.03] / chosen[0.015] == pytest.approx(2 ** (1 / (gamma - 1)), rel=2e-3)


def test_the_exact_policy_uses_the_same_cost():
    """The dynamic-programming benchmark weighs the engine's cost: under linear pay its policy is the
    closed form (v / 2k)^(1 / (gamma - 1)) at gamma 3, to the effort grid's half-step."""
    terms = OneRep(lam=1.0, deal_value=5000.0, effort_cost=40.0, days=21, quota=105000.0, curve=LINEAR_CURVE,
                   curvature=3.0)
    policy = solve(terms)
    assert np.allclose(policy.effort[1:, :60], (0.03 * 5000 / 80) ** 0.5, atol=0.0025)


def test_the_cost_at_normal_effort_and_its_slope():
    """k e^2 at gamma 2; at any gamma the marginal cost at normal effort is 2k, the cost's slope is its
    derivative, and the least curvature the search relies on is a true lower bound on [0.1, 4]."""
    assert cost(90.0, 1.3, 2.0) == 90.0 * 1.3 * 1.3
    for gamma in (1.25, 1.5, 3.0, 4.0):
        assert cost_grad(90.0, 1.0, gamma)[1] == pytest.approx(180.0)
        e, h = 1.7, 1e-6
        slope = (cost(90.0, e + h, gamma) - cost(90.0, e - h, gamma)) / (2 * h)
        assert cost_grad(90.0, e, gamma)[1] == pytest.approx(slope, rel=1e-6)
        grid = np.linspace(0.1, 4.0, 400)
        bend = 2 * 90.0 * (gamma - 1) * grid ** (gamma - 2)
        assert least_bend(90.0, gamma, 4.0) == pytest.approx(bend.min(), rel=1e-9)
        assert linear_optimum(2 * 90.0 * 1.5 ** (gamma - 1), 90.0, gamma) == pytest.approx(1.5)
    assert linear_optimum(-5.0, 90.0, 3.0) == 0.0


def test_quitting_counts_the_same_cost_from_the_first_day():
    """A rep's expected effort cost, in the value of staying, starts at a day at normal effort under the
    force's curvature (k (2/gamma): two thirds of k at gamma 3), the cost it will then average."""
    scenario = benchmark_scenario({"commission_rate": 0.03}, reps=10, years=0.1, effort_curvature=3.0)
    r = Engine(scenario, seed=1).reps
    np.testing.assert_allclose(r.effort_cost_mean[r.active], r.effort_cost[r.active] * 2.0 / 3.0)


def test_a_curvature_outside_its_range_is_refused_with_the_reason():
    with pytest.raises(ValidationError, match="effort_curvature") as error:
        Scenario.model_validate({"behaviour": {"effort_curvature": 1.0}})
    assert "greater than or equal to 1.25" in str(error.value)
    with pytest.raises(ValidationError, match="effort_curvature") as error:
        Scenario.model_validate({"behaviour": {"effort_curvature": 5.0}})
    assert "at most 4" in str(error.value) and "freezes effort" in str(error.value)
