"""Quota policies, plan options, management rules and decision rules do what they say."""

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import SCENARIOS, small

from simulator import equal_cost_scale, run
from simulator.cli import main
from simulator.pay.payout import compile_plan
from simulator.pay.quota import next_quotas
from simulator.scenario import Quota
from simulator.sim.engine import Engine


def test_ratchet_moves_the_quota_by_its_weights_up_and_down():
    spec = Quota(policy="ratchet", ratchet_up=0.5, ratchet_down=0.25)
    quota = np.array([100.0, 100.0, 100.0])
    sales = np.array([140.0, 80.0, 100.0])
    np.testing.assert_allclose(next_quotas(spec, quota, sales, quota, None, 4), [120.0, 95.0, 100.0])
    # never below a tenth of where it started
    assert next_quotas(spec, np.array([100.0]), np.array([-1e6]), np.array([100.0]), None, 4)[0] == 10.0


def test_a_ratchet_is_priced_over_every_later_quota_it_raises():
    """Under `next = quota + a (sales - quota)` a $ of next quota stays (1 - a) in the one after, and so
    on: its cost is the discounted sum delta m (1 + delta (1 - a) + ...) = delta m / (1 - delta (1 - a))
    (Weitzman 1980), nearly twice the next period's term at a = 0.5; with a above and below quota
    different, each side counts with the chance of ending there."""
    from simulator.behaviour.outlook import period_outlook
    from simulator.behaviour.valuation import ncdf
    from simulator.world.build import quota_carry

    curve = (2, (0.0, 1.0) + (0.0,) * 10, (0.02, 0.02) + (0.0,) * 10, (0.0,) * 12, (0.0, 5000.0) + (0.0,) * 10, 1)
    delta = np.array([0.97])

    def weight(carry_up, carry_down):
        nu, w = np.zeros(1), np.zeros(1)
        period_outlook(np.array([True]), np.array([300_000.0]), 5000.0, 0.0, np.array([310_000.0]), np.array([0.0]),
                       np.array([0.8]), np.array([0.8]), delta, 0.02, curve, carry_up, carry_down, nu, w)
        return w[0]

    one_step = weight(0.0, 0.0)
    assert one_step > 0.0
    terms = sum(0.97 ** k * 0.5 ** (k - 1) for k in range(1, 400)) / 0.97  # the sum, explicitly
    assert weight(0.5, 0.5) == pytest.approx(one_step * terms)
    assert weight(0.5, 0.5) / one_step == pytest.approx(1.0 / (1.0 - 0.97 * 0.5))
    s = np.sqrt(300_000.0 * 5000.0) + 1.0
    above = ncdf((300_000.0 - 310_000.0) / s)
    assert weight(0.25, 0.75) / one_step == pytest.approx(1.0 / (1.0 - 0.97 * (0.25 * above + 0.75 * (1 - above))))
    assert quota_carry(small("ratchet")) == (0.5, 0.5)
    assert quota_carry(small("baseline")) == (0.0, 0.0)


def test_growth_policy_resets_quotas_from_last_year_only_at_a_year_end():
    spec = Quota(policy="growth", growth=0.1)
    quota = np.array([100.0])
    assert next_quotas(spec, quota, np.array([150.0]), quota, None, 4)[0] == 100.0
    assert next_quotas(spec, quota, np.array([150.0]), quota, np.array([600.0]), 4)[0] == pytest.approx(165.0)


def test_fixed_and_territory_quotas_never_move_and_territory_quotas_follow_potential():
    engine = Engine(small("baseline", "quota.policy=territory", size=60, years=1), seed=3)
    r = engine.reps
    start = r.quota.copy()
    ratio = start / r.potential
    np.testing.assert_allclose(ratio, ratio[0])  # proportional to territory potential
    engine.run(126)
    still_there = r.hire_day < 0
    np.testing.assert_allclose(r.quota[still_there], start[still_there])


def test_individual_quotas_follow_each_reps_expected_sales():
    engine = Engine(small("baseline", "quota.basis=individual", size=40, years=1), seed=3)
    r = engine.reps
    ratio = r.quota / (r.ability * r.potential)
    np.testing.assert_allclose(ratio, ratio[0])


def test_bonus_as_a_share_of_target_incentive():
    scenario = small("baseline", "plan.bonus=0", "plan.target_incentive=40000", "plan.bonus_share_of_target=0.4")
    plan = compile_plan(scenario.plan, 4, np.ones(2))
    assert plan.curve.bonus(1e9, 1.0) == pytest.approx(0.4 * 40000 / 4)


def test_a_stacked_annual_bonus_is_paid_at_the_year_end_to_reps_who_reach_the_annual_goal():
    scenario = small("baseline", "plan.stacked_bonus={period: year, amount: 7000, at: 1.0}", size=60, years=1)
    result = run(scenario, 2)
    rows = result.rep_periods[result.rep_periods["complete"]]
    year_end = rows[rows["end_day"] == 251]
    others = rows[rows["end_day"] != 251]
    plain = others["bonus"].isin([0.0, scenario.plan.bonus]).all()
    assert plain
    annual_attainment = rows.groupby("rep_id")["sales"].sum() / rows.groupby("rep_id")["quota"].sum()
    winners = set(annual_attainment[annual_attainment >= 1.0].index)
    got = year_end.set_index("rep_id")["bonus"]
    for rep_id, bonus in got.items():
        if rep_id in winners and len(rows[rows["rep_id"] == rep_id]) == 4:
            assert bonus >= 7000
    assert (got >= 7000).sum() > 0


def test_firing_rules_fire_reps_who_keep_missing_and_the_bottom_share():
    scenario = small("baseline", "management.fire_below_attainment=0.7", "management.fire_after_misses=2",
                     size=100, years=2)
    result = run(scenario, 4)
    rows = result.rep_periods
    fired = rows[rows["fired"]]
    assert len(fired) > 0
    for _, row in fired.iterrows():
        history = rows[(rows["rep_id"] == row["rep_id"]) & rows["complete"]].sort_values("period")
        assert (history["attainment"].tail(2) < 0.7).all()
    bottom_share = small("baseline", "management.fire_bottom_share=0.1", size=100, years=1)
    bottom = run(bottom_share, 4)
    assert bottom.daily.loc[251, "fired"] == bottom.daily["fired"].sum() > 0  # at the year end only
    # a tenth of the reps seasoned by then (half a year in the job), rounded down, and none of the others
    engine = Engine(bottom_share, seed=4)
    engine.run(251)
    seasoned = engine.reps.active & (251 - engine.reps.hire_day >= 126)
    engine.run(1)
    assert engine.fired.sum() == int(0.1 * seasoned.sum()) == bottom.daily["fired"].sum()
    assert not (engine.fired & ~seasoned).any()


def test_vacancies_last_their_delay_and_new_hires_ramp_up():
    scenario = small("baseline", "management.fire_bottom_share=0.2", "management.vacancy_days=30",
                     size=50, years=2)
    engine = Engine(scenario, seed=1)
    engine.run(252)  # the year-end firing happens on day 251
    vacant = engine.fired.copy()
    assert vacant.sum() >= 8 and not engine.reps.active[vacant].any()  # a fifth of the seasoned reps
    engine.run(29)
    assert not engine.reps.active[vacant].any()
    engine.run(1)  # the 30th day of the vacancy ends with the new hires in place
    engine.open_day()
    r = engine.reps
    new = vacant & r.active
    assert new.sum() == vacant.sum()
    assert np.all(r.productivity[new] < r.ability[new] * r.potential[new])


@pytest.mark.parametrize("rule", ["myopic", "rule_of_thumb"])
def test_decision_rules_are_chosen_by_name_and_change_behaviour(rule):
    base = run(small("baseline", size=60, years=1), 1)
    other = run(small("baseline", f"behaviour.rule={rule}", size=60, years=1), 1)
    assert not base.daily["effort"].equals(other.daily["effort"])
    if rule == "rule_of_thumb":
        assert other.daily["discounts"].sum() == 0 and other.daily["pushed_out"].sum() == 0


@pytest.mark.slow  # equal-cost search: many whole runs
def test_equal_cost_calibration_matches_the_reference_cost():
    """The scale found leaves a gap within the tolerance, or one whose interval over the seeds holds
    zero (cost as a function of the scale is ragged on few seeds, so no scale may come closer: the
    module's contract); either way the rescaled plan, rerun on the same seeds, costs exactly what the
    calibration reports, and the gap is that cost against the reference's."""
    baseline = small("baseline", size=60, years=1)
    linear = small("linear_commission", size=60, years=1)
    found = equal_cost_scale(linear, baseline, seeds=(1, 2), years=1)
    if found.verdict == "within tolerance":
        assert abs(found.gap) <= 0.005
    else:
        assert found.verdict == "inside the noise" and found.gap_low <= 0.0 <= found.gap_high
    assert abs(found.gap) < 0.02  # and close: the seeds' costs differ by far more (gap_high - gap_low ~ 0.46)
    rescaled = linear.with_variable_scale(found.scale)
    costs = [run(rescaled, s).summary["financial"]["comp_cost"] for s in (1, 2)]
    reference = [run(baseline, s).summary["financial"]["comp_cost"] for s in (1, 2)]
    assert np.mean(costs) == pytest.approx(found.cost, rel=1e-12)
    assert np.mean(reference) == pytest.approx(found.reference_cost, rel=1e-12)
    assert found.gap == pytest.approx(np.mean((np.array(costs) - reference) / np.mean(reference)), rel=1e-9)


def test_cli_run_writes_tidy_tables_with_provenance(tmp_path, capsys):
    out = tmp_path / "run"
    status = main(["run", str(SCENARIOS / "baseline.yaml"), "--seed", "7", "--years", "1", "--out", str(out),
                   "--set", "force.size=30", "--quiet"])
    assert status == 0
    printed = capsys.readouterr().out
    assert "FINANCIAL" in printed and "LEARNING GROWTH" in printed and "BY PERFORMER TYPE" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["provenance"]["seed"] == 7
    assert summary["provenance"]["scenario"]["force"]["size"] == 30
    daily = pd.read_parquet(out / "daily.parquet")
    rows = pd.read_parquet(out / "rep_periods.parquet")
    assert len(daily) == 252 and {"bookings", "revenue", "discounts", "effort", "headcount"} <= set(daily.columns)
    assert {"quota", "sales", "attainment", "base", "commission", "bonus", "clawback", "pulled_in",
            "pushed_out", "quit", "fired", "performer_type"} <= set(rows.columns)
    meta = pq.read_schema(out / "daily.parquet").metadata[b"salesim.provenance"]
    assert json.loads(meta)["scenario_hash"] == summary["provenance"]["scenario_hash"]


@pytest.mark.slow  # equal-cost search: many whole runs
def test_cli_equal_cost_reports_the_factor(tmp_path, capsys):
    status = main(["run", str(SCENARIOS / "linear_commission.yaml"), "--years", "1", "--set", "force.size=30",
                   "--equal-cost-to", str(SCENARIOS / "baseline.yaml"), "--out", str(tmp_path / "x"), "--quiet"])
    assert status == 0
    assert "variable pay x" in capsys.readouterr().out
