"""Out of sample: a fit on plan A's history predicts plan B (simulator.calibration.out_of_sample).

The history is the baseline's quarterly bonus plan at a true effort cost of 130 (the default is
90); plan B is monthly quotas with the accelerator tripled. The prediction (plan B at the fitted
value) must match a fresh simulation of plan B at the truth within its 95% intervals, and the two
wrong predictions must not: plan A at the fitted value (the wrong plan) misses the timing, plan B
at the default (the wrong parameter) misses the revenue. Seeds are fixed, so the outcome is too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.calibration.out_of_sample import out_of_sample

ROOT = Path(__file__).parents[1]
TRUTH = {"force.traits.effort_cost.mean": 130.0}

pytestmark = pytest.mark.slow  # a fit and four arms of runs: about 40 s


@pytest.fixture(scope="module")
def check():
    return out_of_sample(ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "monthly_quota.yaml", TRUTH,
                         settings=["force.size=40", "horizon_years=2"], replications=2, prediction_runs=6,
                         max_evaluations=25)


def test_the_fit_on_plan_a_recovers_the_truth(check):
    row = check.fit.estimates().set_index("parameter").loc["force.traits.effort_cost.mean"]
    assert row["ci_low"] <= 130.0 <= row["ci_high"]
    assert row["estimate"] == pytest.approx(130.0, rel=0.15)


def test_the_prediction_matches_plan_b_at_the_truth(check):
    table = check.table().set_index("figure")
    for name, row in table.iterrows():
        assert row["prediction_error_low"] <= 0 <= row["prediction_error_high"], (name, row.to_dict())
    # the plan change matters: plan B's timing is not plan A's, so the check is not trivial
    assert table.loc["last_tenth_share", "truth"] > 1.5 * table.loc["last_tenth_share", "history_plan_a"]


def test_the_wrong_plan_or_the_wrong_parameters_are_caught(check):
    table = check.table().set_index("figure")
    # plan A at the fitted value: the last tenth of a quarter carries far less than that of a month
    assert table.loc["last_tenth_share", "no_change_error_high"] < 0
    # plan B at the uncalibrated default (a cheaper effort): too much revenue, and further off than the fit
    revenue = table.loc["revenue"]
    assert revenue["at_defaults_error_low"] > 0
    assert abs(revenue["prediction_error"]) < abs(revenue["at_defaults_error"])


@pytest.fixture(scope="module")
def steeper():
    """A force whose effort answers pay less than the default model's (effort-cost curvature 3, not 2),
    fitted on plan A with the curvature assumed (hidden) and with it fitted."""
    truth = {**TRUTH, "behaviour.effort_curvature": 3.0}
    common = {"settings": ["force.size=40", "horizon_years=2"], "replications": 2, "prediction_runs": 5}
    assumed = out_of_sample(ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "monthly_quota.yaml", TRUTH,
                            hidden={"behaviour.effort_curvature": 3.0}, max_evaluations=25, **common)
    fitted = out_of_sample(ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "monthly_quota.yaml", truth,
                           max_evaluations=40, **common)
    return assumed, fitted


def test_a_wrong_curvature_mispredicts_a_plan_change_and_fitting_it_does_not(steeper):
    """Plan B triples the accelerator, so how far effort answers pay decides how the force responds.
    With the curvature assumed at 2 (effort answering pay twice as much as the truth's 3) the model
    overreacts to the steeper accelerator: the spread of attainment comes out too wide (1.16, 1.24 and
    1.05 against 0.89 on histories 99-101, outside the runs' noise on the first two; revenue 8% and 18%
    too high and 8% too low, within the noise). Fitted beside the effort cost from plan A's history
    alone, the curvature moves off the assumed 2 and every figure lands on the truth within the noise,
    the spread nearer it than the assumed curvature's, on histories 99 and 101 (on 100 the curvature
    comes back at 2.19: docs/calibration.md, "Keyed random draws"). Before keyed draws this history
    showed revenue 18% too low instead: one stream a run made a single fit at this size move with the
    last digit of the objective."""
    assumed, fitted = steeper
    assert assumed.hidden == {"behaviour.effort_curvature": 3.0}
    assert "behaviour.effort_curvature" not in assumed.fitted
    wrong = assumed.table().set_index("figure").loc["attainment_sd"]
    assert wrong["prediction_error_low"] > 0
    right = fitted.table().set_index("figure")
    assert abs(right.loc["attainment_sd", "prediction_error"]) < abs(wrong["prediction_error"])
    for name, row in right.iterrows():
        assert row["prediction_error_low"] <= 0 <= row["prediction_error_high"], (name, row.to_dict())
    assert fitted.fitted["behaviour.effort_curvature"] > 2.0
