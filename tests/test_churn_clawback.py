"""Clawback on subscription churn (`plan.churn_clawback`): commission on contracts that churn within
the window comes back in the pay of the period the customer leaves; off, nothing changes."""

import pandas as pd
import pytest
from conftest import SCENARIOS, small

from simulator import load_scenario, run
from simulator.analysis.sale_value import churn_clawback_share, sale_value
from simulator.scenario import ScenarioError

# one commission rate (no accelerator), nobody leaves, no misconduct: every churned contract was sold by
# a rep still in post, at a rate of 8% of its credited annual value
STILL = ["plan.tiers=[]", "market.mis_selling.share_of_declines=0", "market.fabrication.per_day=0",
         "behaviour.turnover.base_rate=0", "behaviour.turnover.quit_rate=0"]


@pytest.mark.slow
def test_a_full_clawback_over_a_long_window_takes_back_what_the_churned_revenue_earned():
    scenario = small("subscription", *STILL, "plan.churn_clawback={share: 1, window_months: 24}", size=12, years=1)
    result = run(scenario, seed=3)
    rows, daily = result.rep_periods, result.daily
    assert rows["quit"].sum() == 0 and rows["fired"].sum() == 0
    # independently: each churned $ a month was a twelfth of a year's credited sale, which earned 8%
    earned = 0.08 * 12 * daily["churned_mrr"].sum()
    assert earned > 10_000
    assert rows["churn_clawback"].sum() == pytest.approx(earned, rel=1e-9)
    assert (rows["clawback"] >= rows["churn_clawback"] - 1e-9).all()  # part of the clawback column
    assert rows["pay"].to_numpy() == pytest.approx(
        (rows["base"] + rows["commission"] + rows["bonus"] - rows["clawback"]).to_numpy())


@pytest.mark.slow
def test_a_short_window_or_a_smaller_share_takes_back_less():
    full = run(small("subscription", *STILL, "plan.churn_clawback={share: 1, window_months: 24}", size=12, years=1), 3)
    short = run(small("subscription", *STILL, "plan.churn_clawback={share: 1, window_months: 2}", size=12, years=1), 3)
    half = run(small("subscription", *STILL, "plan.churn_clawback={share: 0.5, window_months: 24}", size=12, years=1), 3)
    total = full.rep_periods["churn_clawback"].sum()
    assert 0 < short.rep_periods["churn_clawback"].sum() < 0.5 * total
    assert half.rep_periods["churn_clawback"].sum() == pytest.approx(0.5 * total, rel=0.1)  # reps respond a little


@pytest.mark.slow
def test_share_zero_is_todays_result_bit_for_bit():
    today = run(small("subscription", size=12, years=1), seed=5)
    zero = run(small("subscription", "plan.churn_clawback={share: 0, window_months: 6}", size=12, years=1), seed=5)
    pd.testing.assert_frame_equal(today.daily, zero.daily, check_exact=True)
    pd.testing.assert_frame_equal(today.rep_periods, zero.rep_periods, check_exact=True)
    assert "churn_clawback" not in today.rep_periods


def test_the_expected_value_of_a_subscription_sale_falls_with_the_clawback():
    base = small("subscription")
    values = [sale_value(small("subscription", f"plan.churn_clawback={{share: {s}, window_months: 12}}"))["standard"]
              for s in (0.0, 0.5, 1.0)]
    assert values[0] == pytest.approx(sale_value(base)["standard"])
    assert values[0] > values[1] > values[2] > 0
    churn = base.market.subscription.monthly_churn
    full = small("subscription", "plan.churn_clawback={share: 1, window_months: 12}")
    assert churn_clawback_share(full) == pytest.approx(1 - (1 - churn) ** 12)
    assert values[2] == pytest.approx(values[0] * (1 - churn_clawback_share(full)))


def test_churn_clawback_outside_subscriptions_is_refused_naming_the_fields():
    with pytest.raises(ScenarioError, match="plan.churn_clawback.*market.business_model"):
        load_scenario(SCENARIOS / "baseline.yaml", ["plan.churn_clawback={share: 1}"])
    with pytest.raises(ScenarioError, match="window_months"):
        small("subscription", "plan.churn_clawback={share: 1, window_months: 0}")
