"""Plans stated in a designer's vocabulary (OTE, mix, target incentive, leverage) set base salary and
rates that pay exactly what was stated, by the engine's own pay code; contradictions are refused with
the file and fields named. No runs."""

import numpy as np
import pytest
from conftest import SCENARIOS

from simulator import load_scenario
from simulator.analysis.payout_curve import payout_curve
from simulator.pay.payout import PayCurve
from simulator.scenario import ScenarioError
from simulator.scenario.designer import parse_mix, pay_at

ANNUAL = ["quota.amount=1000000", "quota.amount_per=year", "plan.bonus=0", "plan.tiers=[]", "plan.commission_rate="]


def designed(*overrides: str):
    return load_scenario(SCENARIOS / "baseline.yaml", [*ANNUAL, *overrides])


def test_ote_and_mix_set_base_and_the_rate_that_pays_the_target_at_quota():
    s = designed("plan.ote=160000", "plan.mix=50/50", "plan.base_salary=")
    assert s.plan.base_salary == pytest.approx(80000)
    assert s.plan.target_incentive == pytest.approx(80000)
    assert s.plan.commission_rate == pytest.approx(0.08)  # $80k on a $1M year
    curve = payout_curve(s)  # the engine's compiled plan pays the target at 100%, a quarter at a time
    assert curve.pay_at(1.0) * 4 == pytest.approx(80000)


@pytest.mark.parametrize("given", [
    ["plan.base_salary=80000", "plan.ote=160000"],
    ["plan.base_salary=80000", "plan.mix=0.5"],
    ["plan.target_incentive=80000", "plan.mix=50/50", "plan.base_salary="],
    ["plan.base_salary=80000", "plan.target_incentive=80000"],
    ["plan.ote=160000", "plan.target_incentive=80000", "plan.base_salary="],
])
def test_any_two_of_base_ote_mix_and_target_give_the_same_plan(given):
    s = designed(*given)
    assert (s.plan.base_salary, s.plan.target_incentive, s.plan.ote) == pytest.approx((80000, 80000, 160000))
    assert s.plan.commission_rate == pytest.approx(0.08)


def test_the_issues_contradiction_is_refused_naming_file_fields_and_numbers():
    with pytest.raises(ScenarioError) as err:
        designed("plan.ote=160000", "plan.mix=50/50", "plan.base_salary=", "plan.commission_rate=0.1")
    text = str(err.value)
    assert "baseline.yaml" in text and "plan.commission_rate" in text and "plan.ote" in text
    assert "$100,000" in text and "$80,000" in text


def test_three_stated_numbers_that_disagree_are_refused():
    with pytest.raises(ScenarioError, match=r"plan.mix 56.25/43.75, not the 50/50"):
        designed("plan.ote=160000", "plan.mix=50/50", "plan.base_salary=90000")
    s = designed("plan.ote=160000", "plan.mix=50/50", "plan.base_salary=80000", "plan.commission_rate=0.08")
    assert s.plan.commission_rate == 0.08  # stated and agreeing: accepted


def test_a_target_incentive_without_a_bonus_share_now_acts_or_is_refused():
    s = designed("plan.target_incentive=40000")
    assert s.plan.commission_rate == pytest.approx(0.04)
    with pytest.raises(ScenarioError, match="quota.amount is not set"):
        load_scenario(SCENARIOS / "baseline.yaml", ["plan.target_incentive=40000", "plan.commission_rate="])


def test_a_bonus_at_quota_counts_toward_the_target():
    s = designed("plan.target_incentive=80000", "plan.bonus=5000")  # $20k a year of bonus, $60k of commission
    assert s.plan.commission_rate == pytest.approx(0.06)
    with pytest.raises(ScenarioError, match="less than the plan's bonus"):
        designed("plan.target_incentive=10000", "plan.bonus=5000")


def test_leverage_sets_the_rate_above_quota_so_the_curve_pays_the_multiple():
    s = designed("plan.ote=160000", "plan.mix=50/50", "plan.base_salary=", "plan.leverage={at: 1.5, multiple: 2}",
                 "plan.cap=2")
    curve = payout_curve(s)
    assert curve.pay_at(1.5) == pytest.approx(2 * curve.pay_at(1.0))
    assert s.plan.tiers[0].rate == pytest.approx(0.16)
    with pytest.raises(ScenarioError, match="plan.tiers pay 150%"):
        designed("plan.target_incentive=80000", "plan.leverage={at: 1.5, multiple: 2}", "plan.tiers=[{at: 1, rate: 0.08}]")
    with pytest.raises(ScenarioError, match="plan.cap stops commission"):
        designed("plan.target_incentive=80000", "plan.leverage={at: 1.5, multiple: 2}", "plan.cap=1")


def test_a_resolved_plan_validates_again_unchanged_and_quota_changes_move_the_rate():
    s = designed("plan.ote=160000", "plan.mix=60/40", "plan.base_salary=", "plan.leverage={at: 1.5, multiple: 2}")
    assert type(s).model_validate(s.model_dump()) == s
    bigger = designed("plan.ote=160000", "plan.mix=60/40", "plan.base_salary=", "quota.amount=2000000")
    assert bigger.plan.commission_rate == pytest.approx(s.plan.commission_rate / 2)


def test_mix_reads_percent_pairs_and_shares_and_refuses_the_rest():
    assert parse_mix("60/40") == pytest.approx(0.6) and parse_mix(0.7) == 0.7
    for bad in ("50/40", "half", 1.5):
        with pytest.raises(ValueError):
            parse_mix(bad)


@pytest.mark.parametrize("seed", range(20))
def test_the_scenario_layers_pay_at_matches_the_engines_pay_curve(seed):
    """`pay_at` stands in for `PayCurve` where the scenario layer cannot import it: they must agree."""
    rng = np.random.default_rng(seed)
    tiers = [{"at": float(a), "rate": float(r)} for a, r in zip(rng.uniform(0.3, 1.8, 2), rng.uniform(0, 0.3, 2))]
    plan = {"commission_rate": float(rng.uniform(0, 0.2)), "tiers": tiers, "threshold": float(rng.choice([0, 0.5])),
            "cap": float(rng.choice([1.2, 2.5])), "bonus": float(rng.uniform(0, 5000)), "bonus_at": 1.0}
    curve = PayCurve.build(plan["commission_rate"], [(t["at"], t["rate"]) for t in tiers], plan["threshold"],
                           plan["cap"], [(1.0, plan["bonus"])])
    for att in rng.uniform(0, 3, 10):
        assert pay_at(float(att), 1e5, plan) == pytest.approx(float(curve.pay(np.array([att * 1e5]), np.array([1e5]))[0]))


def test_the_designers_file_reads_back_in_its_own_terms():
    from simulator.report.terms import plan_terms

    terms = dict(plan_terms(load_scenario(SCENARIOS.parent / "docs/designer/in_their_words.yaml")))
    assert terms["Commission"].startswith("8% to quota, 16% above")
    assert terms["OTE and mix"].startswith("$160,000 a year on target; pay mix 50%/50%")
    assert "from the stated OTE and mix" in terms["Target incentive"]
    assert terms["Leverage"].startswith("200% of target incentive at 150%")


def test_effort_reads_in_the_designers_units_when_the_scenario_gives_them():
    from simulator.analysis.effort_units import effort_words

    plain = load_scenario(SCENARIOS / "baseline.yaml")
    assert effort_words(plain, 2.2) == "2.20x normal effort"
    calls = load_scenario(SCENARIOS / "baseline.yaml", ["force.normal_week={unit: calls, per_week: 40}"])
    assert effort_words(calls, 2.2) == "2.20x normal effort (about 88 calls a week, against 40 at normal effort)"
    with pytest.raises(ScenarioError, match="force.normal_week.per_week"):
        load_scenario(SCENARIOS / "baseline.yaml", ["force.normal_week={unit: calls, per_week: 0}"])


def test_the_card_states_leverage_at_the_plans_own_excellence_point():
    from simulator.report.terms import plan_terms

    s = designed("plan.ote=160000", "plan.mix=50/50", "plan.base_salary=", "plan.leverage={at: 1.3, multiple: 2.5}")
    assert dict(plan_terms(s))["Leverage"] == "250% of target incentive at 130% of quota"


def test_effort_beyond_what_people_can_work_is_flagged():
    from simulator.analysis.effort_units import effort_words

    hours = load_scenario(SCENARIOS / "baseline.yaml", ["force.normal_week={unit: hours, per_week: 40, most: 60}"])
    assert effort_words(hours, 1.4).endswith("against 40 at normal effort)")
    assert effort_words(hours, 1.6).endswith("; more than the 60 a week people can work)")
    with pytest.raises(ScenarioError, match="most"):
        load_scenario(SCENARIOS / "baseline.yaml", ["force.normal_week={unit: hours, per_week: 40, most: 30}"])
