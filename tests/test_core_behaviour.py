"""Behaviour the core must produce by itself, from the reps' weighing (nothing here is written
into the model). Each test runs real scenarios with several seeds and says which finding it checks.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import small

from simulator import equal_cost_scale, run

pytestmark = pytest.mark.slow  # findings over whole runs

SEEDS = (1, 2, 3)


def mean_metric(scenario, section, key, seeds=SEEDS):
    return float(np.mean([run(scenario, s).summary[section][key] for s in seeds]))


@pytest.fixture(scope="module")
def baseline_and_equal_cost_linear():
    baseline = small("baseline", size=150, years=3)
    linear = small("linear_commission", size=150, years=3)
    found = equal_cost_scale(linear, baseline, seeds=(11, 12), years=2)
    return baseline, linear.with_variable_scale(found.scale)


def test_baseline_books_a_period_end_rush_that_linear_pay_does_not(baseline_and_equal_cost_linear):
    """Larkin 2014, Oyer 1998 (stylized fact 1): an accelerating plan draws a discount-fuelled rush in
    the last days of the quarter; linear commission at the same cost books evenly (about 10% of a
    quarter's sales fall in its last 10% of days)."""
    baseline, linear = baseline_and_equal_cost_linear
    rush = [run(baseline, s).summary["internal_process"] for s in SEEDS]
    flat = [run(linear, s).summary["internal_process"] for s in SEEDS]
    last10_rush = np.mean([r["last10_share"] for r in rush])
    last10_flat = np.mean([r["last10_share"] for r in flat])
    assert last10_flat == pytest.approx(0.095, abs=0.015)
    assert last10_rush > last10_flat + 0.04
    assert np.mean([r["discount_leakage"] for r in rush]) > 5 * np.mean([r["discount_leakage"] for r in flat])
    assert np.mean([r["last_day_ratio"] for r in rush]) > 3.0


def test_forward_looking_reps_push_deals_into_the_next_period_under_a_bonus_plan():
    """Oyer 1998: under a bonus plan without accelerator,
    forward-looking reps hold ready deals and book them in the next period, which shows as a
    first-day spike; myopic reps under the same plan, and everyone under linear pay, do not."""
    bonus_plan = small("baseline", "plan.tiers=[]", "plan.bonus=8000", size=150, years=2)
    myopic = small("baseline", "plan.tiers=[]", "plan.bonus=8000", "behaviour.rule=myopic", size=150, years=2)
    linear = small("linear_commission", size=150, years=2)
    pushed = {name: mean_metric(sc, "internal_process", "pushed_out_share")
              for name, sc in (("forward", bonus_plan), ("myopic", myopic), ("linear", linear))}
    first_day = {name: mean_metric(sc, "internal_process", "first_day_ratio")
                 for name, sc in (("forward", bonus_plan), ("linear", linear))}
    assert pushed["forward"] > 4 * pushed["myopic"]
    assert pushed["forward"] > 4 * pushed["linear"]
    assert first_day["forward"] > first_day["linear"] + 1.0


def test_recession_drives_out_more_reps_under_variable_heavy_pay_than_fixed_heavy_at_equal_cost():
    """Stylized fact 7 (docs/validation.md): when demand is uncertain a larger
    fixed share of pay keeps risk-averse reps from quitting."""
    variable_heavy = small("recession", size=150, years=3)
    fixed_heavy = small("recession_fixed_pay", size=150, years=3)
    found = equal_cost_scale(fixed_heavy, variable_heavy, seeds=(11, 12), years=2)
    fixed_heavy = fixed_heavy.with_variable_scale(found.scale)
    quits_variable = mean_metric(variable_heavy, "learning_growth", "quit_rate")
    quits_fixed = mean_metric(fixed_heavy, "learning_growth", "quit_rate")
    assert quits_variable > 1.25 * quits_fixed


def test_effort_rises_with_quota_difficulty_then_falls_once_out_of_reach():
    """Goal-setting theory (Locke and Latham 2002) and Chung, Steenburgh and Sudhir 2014 (stylized
    fact 4): reps coast when the goal is easy, work hardest when it is hard but reachable, and give
    up when it is out of reach."""
    effort = {d: mean_metric(small("baseline", "quota.basis=individual", f"quota.difficulty={d}", size=120, years=2),
                             "internal_process", "effort_mean", seeds=(1, 2))
              for d in (0.4, 0.8, 2.6)}
    assert effort[0.8] > effort[0.4] + 0.05
    assert effort[0.8] > 1.5 * effort[2.6]


def test_a_cap_makes_high_performers_push_deals_out_and_an_accelerator_keeps_them_selling():
    """Chung, Steenburgh and Sudhir 2014 (stylized fact 6): overachievement pay lifts high performers;
    a cap makes them stop at the cap and push deals into the next period."""
    capped = [run(small("capped", size=150, years=2), s).rep_periods for s in (1, 2)]
    accel = [run(small("accelerator", size=150, years=2), s).rep_periods for s in (1, 2)]

    def high(frames):
        rows = pd.concat(frames)
        return rows[(rows["performer_type"] == "high") & rows["complete"]]

    capped_high, accel_high = high(capped), high(accel)
    capped_at_cap = capped_high[capped_high["attainment"] >= 1.1]
    accel_past_quota = accel_high[accel_high["attainment"] >= 1.1]
    # past quota, the capped reps push deals out and the accelerated ones book them
    assert capped_at_cap["pushed_out"].mean() > 3 * max(accel_past_quota["pushed_out"].mean(), 0.05)
    assert capped_high["attainment"].quantile(0.9) < 1.35  # capped reps stop near the cap
    assert accel_high["attainment"].mean() > capped_high["attainment"].mean() + 0.4
