"""Present bias (quasi-hyperbolic discounting, Laibson 1997; `simulator.behaviour.present_bias`): naive
reps who feel today's effort cost in full and every later payoff at beta. Checks the closed form
under linear pay and the procrastination it brings under a bonus (O'Donoghue and Rabin 1999: work
slips to the deadline; Jain 2012: present bias costs reps their goals). With beta = 1 nothing moves:
tests/test_tables_unchanged.py holds every shipped scenario's tables, which leave the trait at 1."""

import numpy as np
import pytest

from simulator.scenario import Scenario
from simulator.sim.engine import Engine
from simulator.validation.exact_effort import benchmark_scenario

pytestmark = pytest.mark.slow


def _run(plan: dict, beta: float, **world) -> tuple[np.ndarray, float]:
    """Mean effort on each day of the period (first day first) and the share of periods ending at quota."""
    data = benchmark_scenario(plan, patience=1.0, **world).model_dump()
    data["force"]["traits"]["present_bias"] = {"mean": beta, "sd": 0.0}
    engine = Engine(Scenario.model_validate(data), seed=1)
    x, r = engine.ctx, engine.reps
    by_day: dict[int, list[float]] = {}
    made = []
    while not engine.finished:
        for phase in engine.phases():
            if phase == "close_deals":
                by_day.setdefault(x.days_left, []).append(float(r.effort[r.active].mean()))
            elif phase == "settle" and x.days_left == 1:
                made.append(r.sales[r.active] >= r.quota[r.active])
    path = np.array([np.mean(by_day[t]) for t in sorted(by_day, reverse=True)])
    return path, float(np.concatenate(made).mean())


def test_under_linear_pay_a_present_biased_rep_works_beta_times_as_hard_until_the_last_day():
    """Commission c, Poisson output lam v per unit effort, cost k e^2: today's effort repays
    beta c lam v against 2 k e, so e = beta c lam v / (2 k); on the last day pay comes tonight."""
    path, _ = _run({"commission_rate": 0.03}, 0.7, reps=30, years=0.25)
    full = 0.03 * 5000 / 80
    np.testing.assert_allclose(path[:-1], 0.7 * full, rtol=1e-4)
    assert path[-1] == pytest.approx(full, rel=1e-4)


def test_under_a_bonus_present_bias_pushes_work_to_the_period_end_and_costs_reps_their_quota():
    plan = {"commission_rate": 0.01, "bonus": 1500}
    patient, patient_made = _run(plan, 1.0, reps=60, years=0.5, difficulty=1.2)
    biased, biased_made = _run(plan, 0.6, reps=60, years=0.5, difficulty=1.2)
    assert biased[0] < 0.8 * patient[0]  # they start slow ...
    assert biased[-3:].mean() > biased[:3].mean() + 0.3  # ... and work hardest at the deadline
    assert biased_made < patient_made - 0.2  # and fewer make quota
