"""The compensation designer's workflow: the payout curve read off the engine's pay code, the plan's
terms in a designer's words, and the `salesim plan` command. No runs: everything here is read from
the scenario."""

import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import SCENARIOS

from simulator import load_scenario
from simulator.analysis.normal_effort import period_quota
from simulator.analysis.payout_curve import payout_curve
from simulator.analysis.quota_fit import quota_fit
from simulator.cli import main
from simulator.report.terms import money, percent, plan_terms
from simulator.scenario.advice import identical_segments

DESIGNER = ["plan.base_salary=80000", "plan.commission_rate=0.1", "plan.tiers=[{at: 1.0, rate: 0.2}]",
            "plan.cap=2.0", "plan.bonus=0", "quota.amount=250000"]


def test_the_curve_at_quota_is_commission_plus_bonus_from_the_scenario():
    """Baseline: 2% of the quota plus the $4,000 bonus at 100%; just below quota, no bonus."""
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    curve = payout_curve(scenario)
    quota = period_quota(scenario)
    assert curve.pay_at(1.0) == pytest.approx(0.02 * quota + 4000)
    assert curve.pay_at(0.999) == pytest.approx(0.02 * 0.999 * quota)
    assert curve.pay_at(1.5) == pytest.approx(0.02 * quota + 4000 + 0.04 * 0.5 * quota)
    assert curve.target == pytest.approx(curve.pay_at(1.0))  # no stated target: the pay at quota


def test_a_cap_flattens_the_curve_and_a_threshold_gates_it():
    capped = payout_curve(load_scenario(SCENARIOS / "capped.yaml"))
    above = capped.pay[capped.attainment >= 1.2]
    assert np.ptp(above) == pytest.approx(0.0)
    assert capped.pay_at(1.1) < capped.pay_at(1.2)
    gated = payout_curve(load_scenario(SCENARIOS / "baseline.yaml", [*DESIGNER, "plan.threshold=0.5"]))
    assert gated.pay_at(0.49) == 0.0
    assert gated.pay_at(0.5) == pytest.approx(0.1 * 0.5 * 250_000)  # from the first dollar once reached
    assert {m.kind for m in gated.marks} == {"threshold", "tier", "cap"}


def test_the_curve_follows_equal_cost_scaling():
    """The figure draws the plan as paid, after any equal-cost rescaling of variable pay."""
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    scaled = payout_curve(scenario.with_variable_scale(0.5))
    assert scaled.pay_at(1.3) == pytest.approx(0.5 * payout_curve(scenario).pay_at(1.3))


def test_the_designers_plan_reads_in_the_designers_words():
    words = dict(plan_terms(load_scenario(SCENARIOS / "baseline.yaml", DESIGNER)))
    assert words["Base"] == "$80,000 a year"
    assert words["Commission"] == "10% to quota, 20% above; cap 200% of quota"
    assert words["Quota"].startswith("quota $250,000 a quarter")
    assert "$100,000 a year" in words["Target incentive"]  # 10% of $250,000, four quarters
    assert "$180,000 a year on target; pay mix 44%/56%" in words["OTE and mix"]
    assert money(1234567.4) == "$1,234,567" and percent(0.474) == "47%"


def test_plan_draws_the_curves_of_several_plans(tmp_path, capsys):
    out = tmp_path / "payout.png"
    assert main(["plan", str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "capped.yaml"), "--out", str(out)]) == 0
    data = out.read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and width > 1000 and height > 400 and len(data) > 30_000
    printed = capsys.readouterr().out
    assert "cap 120% of quota" in printed and "2% to quota, 4% above" in printed


# ------------------------------------------------------------------------ does the quota fit the world?


def test_check_is_quiet_on_the_shipped_baseline_and_warns_on_a_quota_three_times_too_big():
    baseline = load_scenario(SCENARIOS / "baseline.yaml")
    fit = quota_fit(baseline)
    assert fit.warnings == ()
    assert fit.attainment == pytest.approx(1.0, abs=0.02)  # difficulty 1: the force's expected sales
    assert 0.3 < fit.hit_rate < 0.6
    assert fit.by_segment["high"][0] > 1.2 and fit.by_segment["low"][0] < 0.9
    too_big = quota_fit(load_scenario(SCENARIOS / "baseline.yaml", [f"quota.amount={3 * period_quota(baseline):.0f}"]))
    assert too_big.attainment == pytest.approx(1 / 3, rel=0.03) and too_big.hit_rate < 0.02
    assert any("quota.amount" in w and "leads_per_day" in w and "below" in w for w in too_big.warnings)
    assert any("plan.base_salary" in w for w in too_big.warnings)  # a fixed share far above the design's
    too_small = quota_fit(load_scenario(SCENARIOS / "baseline.yaml", ["quota.difficulty=0.5"]))
    assert too_small.attainment == pytest.approx(2.0, rel=0.03)
    assert any("quota.difficulty" in w and "above" in w for w in too_small.warnings)


def test_the_expected_mix_follows_the_plans_own_curve():
    """At a quota the force cannot reach, variable pay shrinks and the fixed share rises above the design's."""
    fit = quota_fit(load_scenario(SCENARIOS / "baseline.yaml"))
    assert fit.fixed_share_design == pytest.approx(60_000 / (60_000 + 4 * payout_curve(
        load_scenario(SCENARIOS / "baseline.yaml")).pay_at(1.0)))
    hard = quota_fit(load_scenario(SCENARIOS / "baseline.yaml", ["quota.difficulty=2"]))
    assert hard.fixed_share_expected > fit.fixed_share_expected


def test_identical_segments_are_named_and_only_when_identical():
    same = load_scenario(SCENARIOS / "baseline.yaml", ["force.segments={top: {share: 0.25}, core: {share: 0.75}}"])
    assert identical_segments(same.force) == [("top", "core")]
    assert any("top and core" in w for w in quota_fit(same).warnings)
    differ = load_scenario(SCENARIOS / "baseline.yaml",
                           ["force.segments={top: {share: 0.25, ability: 1.3}, core: {share: 0.75}}"])
    assert identical_segments(differ.force) == []
    by_integrity = load_scenario(SCENARIOS / "baseline.yaml",
                                 ["force.segments={a: {share: 0.5}, b: {share: 0.5, integrity: 0.2}}"])
    assert identical_segments(by_integrity.force) == []
    assert all(identical_segments(load_scenario(p).force) == [] for p in sorted(SCENARIOS.glob("*.yaml")))


def test_check_command_exits_1_on_a_warning_and_names_the_fields(capsys):
    assert main(["check", str(SCENARIOS / "baseline.yaml")]) == 0
    assert "expected attainment 100% at normal effort" in capsys.readouterr().out
    assert main(["check", str(SCENARIOS / "baseline.yaml"), "--set", "quota.amount=900000"]) == 1
    out = capsys.readouterr().out
    assert "WARNING: the quota does not fit the world" in out and "quota.amount" in out


# ------------------------------------------------------------------------ quota amounts that say their period


def test_an_amount_per_year_is_split_by_the_quota_period_and_unset_it_changes_nothing():
    from simulator.pay.quota import initial_quotas

    yearly = ["quota.amount=1000000", "quota.amount_per=year"]
    quarter = load_scenario(SCENARIOS / "baseline.yaml", yearly)
    month = load_scenario(SCENARIOS / "baseline.yaml", [*yearly, "quota.period=month"])
    assert quarter.quota.period_amount == pytest.approx(250_000)
    assert month.quota.period_amount == pytest.approx(1_000_000 / 12)
    ones = np.ones(3)
    assert initial_quotas(month.quota, 21, ones, 1.0, ones) == pytest.approx(np.full(3, 1_000_000 / 12))
    plain = load_scenario(SCENARIOS / "baseline.yaml", ["quota.amount=250000"])
    assert plain.quota.period_amount == 250_000  # no amount_per: the amount is the quota period's, as before
    assert payout_curve(month).quota == pytest.approx(1_000_000 / 12)
    assert "quota $1,000,000 a year, so $83,333 a month" in dict(plan_terms(month))["Quota"]


def test_changing_the_period_of_an_amount_that_does_not_say_its_period_is_refused(tmp_path):
    from simulator.scenario import ScenarioError

    path = tmp_path / "plan.yaml"
    path.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nquota: {{amount: 250000}}\n")
    with pytest.raises(ScenarioError, match="quota.amount_per=quarter"):
        load_scenario(path, ["quota.period=month"])
    assert load_scenario(path, ["quota.period=month", "quota.amount=80000"]).quota.period_amount == 80_000
    rescaled = load_scenario(path, ["quota.period=month", "quota.amount_per=quarter"])
    assert rescaled.quota.period_amount == pytest.approx(250_000 / 3)
    assert load_scenario(SCENARIOS / "baseline.yaml", ["quota.period=month"]).quota.amount is None  # difficulty
    with pytest.raises(ScenarioError, match="amount_per"):
        load_scenario(SCENARIOS / "baseline.yaml", ["quota.amount_per=year"])


@pytest.mark.slow
def test_check_simulate_shows_reps_working_past_normal_under_a_rich_plan(capsys):
    """The designer's plan (10%/20% of a $250,000 quarterly quota) fits the world at normal effort,
    but pays so much per dollar that reps work about twice as hard and pass 160% of quota (issue 18)."""
    designer = str(Path(__file__).parents[1] / "docs" / "designer" / "next_year.yaml")
    assert main(["check", designer, "--simulate", "--years", "0.5", "--set", "force.size=30"]) == 1
    out = capsys.readouterr().out
    assert "simulated (0.5 years" in out and "WARNING: under this plan reps work at" in out
    assert "lower plan.commission_rate" in out


def test_validate_warns_of_identical_segments_but_accepts_the_file(tmp_path, capsys):
    path = tmp_path / "plan.yaml"
    path.write_text("force:\n  segments:\n    top: {share: 0.25}\n    core: {share: 0.75}\n")
    assert main(["validate", str(path), str(SCENARIOS / "baseline.yaml")]) == 0
    out = capsys.readouterr().out
    assert "warn" in out and "top and core have identical traits" in out
    assert out.count("\nwarn  ") == 1  # the shipped baseline's high and low differ


@pytest.mark.slow
def test_run_and_compare_print_the_check_first(tmp_path, capsys):
    baseline = str(SCENARIOS / "baseline.yaml")
    small_run = ["--years", "0.1", "--set", "force.size=10", "--quiet"]
    assert main(["run", baseline, *small_run, "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("check baseline: expected attainment 100% at normal effort") and "FINANCIAL" in out
    assert main(["compare", baseline, baseline, "--replications", "1", "--no-report", *small_run,
                 "--set", "quota.difficulty=3", "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert out.count("WARNING: the quota does not fit the world") == 2
    assert out.index("check baseline") < out.index("HEADLINE FIGURES")


def test_pay_a_year_annualises_each_reps_pay_and_leaves_out_short_stays():
    import pandas as pd

    from simulator.analysis.pay_spread import pay_a_year, pay_percentiles

    rows = pd.DataFrame({"rep_id": [1, 1, 2, 2, 3], "days": [63, 63, 63, 63, 10],
                         "pay": [30_000, 20_000, 10_000, 15_000, 99_000]})
    pay = pay_a_year(rows)
    assert pay.to_dict() == pytest.approx({1: 50_000 * 2, 2: 25_000 * 2})  # half a year each; rep 3 too short
    p10, p50, p90 = pay_percentiles(rows)
    assert p10 < p50 < p90 and p50 == pytest.approx(75_000)
    assert all(np.isnan(pay_percentiles(rows.iloc[4:])))


@pytest.mark.parametrize("name", ["baseline", "wells_fargo", "subscription", "product_launch"])
def test_the_checks_yardstick_is_the_worlds_own(name):
    """The check reads what the model's world reads: the reference rate and deal size that set a
    difficulty quota (so it cannot drift from `simulator.world.build.build_world`)."""
    from simulator.analysis.normal_effort import reference_rate
    from simulator.world.build import build_world

    scenario = load_scenario(SCENARIOS / f"{name}.yaml", ["force.size=20"])
    world = build_world(scenario, np.random.default_rng(0))
    assert reference_rate(scenario) == pytest.approx((world.reference_rate, world.deal_size))
