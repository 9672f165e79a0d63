"""The seven stylized facts (docs/validation.md), each on its validation experiment in quick mode (a smaller
force, fewer years and replications, the same seeds as the full run's first ones). Each test asserts
what the study found: the direction of every required check, its whole 95% interval on that side
of zero (facts 2 and 5, 'direction only' on the published page, excepted) and, where one is set,
its band. The expectations themselves live in simulator/validation/facts.py; `salesim validate-facts` writes the
full version to docs/validation.md.
"""

import pandas as pd
import pytest

from simulator.experiments.design import load_experiment
from simulator.experiments.runner import open_executor
from simulator.validation import FACTS, validate_facts
from simulator.validation.page import results, write_page
from simulator.validation.suite import arm_labels, run_facts

pytestmark = pytest.mark.slow  # stylized facts: many replications of whole scenarios


@pytest.fixture(scope="module")
def quick_runs():
    with open_executor("process", 2) as executor:
        return run_facts(list(FACTS), executor, quick=True)


@pytest.fixture(scope="module")
def quick(quick_runs):
    return {r.runs.fact.number: r for r in results(quick_runs)}


def assert_fact(found, number: int, interval: bool = True) -> None:
    """Every required check goes the expected way, inside its band if it has one, and (`interval`) with
    its whole 95% interval on that side of zero: the page's 'agrees'. `interval=False` only for a fact
    whose published verdict is 'direction only' (docs/validation.md), where an interval reaching zero
    is the finding."""
    result = found[number]
    for o in result.outcomes:
        if not o.check.required:
            continue
        shown = (f"fact {number}: {o.check.label}: {o.check.control} {o.control:.4g} -> {o.check.treatment} "
                 f"{o.treatment:.4g}, difference {o.difference:.4g} [{o.ci_low:.4g}, {o.ci_high:.4g}]")
        assert o.direction_ok, shown
        assert o.band_ok is not False, f"{shown}: relative change {o.relative:+.2f} outside {o.check.band}"
        if interval:
            assert o.confident, f"{shown}: the 95% interval reaches zero"


def test_fact_1_threshold_plans_bunch_bookings_at_period_ends(quick):
    """Oyer 1998, Larkin 2014: an accelerator draws a discounted last-days rush and a bonus at quota
    makes reps push ready deals into the next period (a first-day spike); linear commission at the
    same cost does neither."""
    assert_fact(quick, 1)


def test_fact_2_daily_quotas_raise_low_performers_and_move_high_performers_to_quick_products(quick):
    """Chung, Narayandas and Chang 2021: in a retail force whose low performers seldom make their month,
    moving from monthly to daily quotas raises low performers' sales, lowers high performers' and moves
    them to cheap, quick products. Direction only: the full page's intervals for it reach zero."""
    assert_fact(quick, 2, interval=False)


def test_fact_2_needs_a_quota_low_performers_give_up_on(quick):
    """The band the finding needs (docs/validation.md, fact 2): at the usual difficulty, where low
    performers make about a third of their months, daily goals do not raise their sales; the reported
    check says so, so the page's band is what the runs show."""
    usual = next(o for o in quick[2].outcomes if o.check.control == "month/usual"
                 and o.check.metric == "by_performer.low.sales_per_year")
    hard = next(o for o in quick[2].outcomes if o.check.control == "month/hard"
                and o.check.metric == "by_performer.low.sales_per_year")
    assert hard.direction_ok and not usual.direction_ok, (hard, usual)


def test_fact_3_a_ratchet_makes_forward_looking_high_performers_hold_back(quick):
    """Weitzman 1980, Misra and Nair 2011: under a ratchet, high performers who foresee it sell less
    and stop closer to quota than the same reps blind to it."""
    assert_fact(quick, 3)


def test_fact_4_effort_rises_with_goal_difficulty_then_collapses_out_of_reach(quick):
    """Locke and Latham 2002, Chung, Steenburgh and Sudhir 2014: reps coast under easy goals, work
    hardest under hard but reachable ones and give up when the goal is out of reach."""
    assert_fact(quick, 4)


def test_fact_5_hard_goals_pressure_and_weak_detection_breed_misconduct_that_spreads(quick):
    """Schweitzer, Ordonez and Douma 2004, Wells Fargo 2016: a harder goal breeds more misconduct;
    light pressure, real detection or no peer influence each breed less. Direction only: the full page's
    harder-goal interval reaches zero."""
    assert_fact(quick, 5, interval=False)


def test_fact_6_accelerators_lift_high_performers_and_caps_make_them_push_deals_out(quick):
    """Chung, Steenburgh and Sudhir 2014: high performers sell more under an accelerator; at a cap
    they stop and push deals into the next period."""
    assert_fact(quick, 6)


def test_fact_7_fixed_pay_keeps_risk_averse_reps_from_quitting_and_cheating_under_uncertainty(quick):
    """Holmstrom and Milgrom 1987, Lazear 2000, Cadsby, Song and Tapon 2010: in an uncertain market, a
    fixed-heavy plan at equal expected cost loses fewer reps and sees less cheating."""
    assert_fact(quick, 7)


def test_the_validation_page_is_the_same_twice(quick_runs, tmp_path, monkeypatch):
    """Same seeds, same page: facts 1 and 4 from the runs of every fact above, and from `validate_facts`
    running only them in a pool of its own, give the same text (no timestamps or timings) and the same
    figures byte for byte. (Fact 1's published sizes are a table given to both here; their runs are
    tests/test_validation_published.py's.)"""
    sizes = pd.DataFrame([{"target": "discount_cost", "source": "Larkin (2014)", "study": "6-8% of revenue",
                           "band": "0.06 to 0.08", "scenario": "field/enterprise_software", "model": 0.07,
                           "ci_low": 0.065, "ci_high": 0.075, "verdict": "holds", "fact": 1, "why": "the vendor"}])
    asked = []
    monkeypatch.setattr("simulator.validation.published.run_sizes",
                        lambda chosen, executor, settings=(): asked.append([s.fact for s in chosen]) or sizes)
    again = [r for r in quick_runs if r.fact.number in (1, 4)]
    pages = [write_page(results(again), tmp_path / "a", quick=True, sizes=sizes)]
    pages.append(validate_facts(quick=True, workers=2, out=tmp_path / "b", numbers=[1, 4], robustness=False)[1])
    assert asked == [[1, 1, 1]], "fact 1's three sizes, and no other's"
    assert pages[0].read_text() == pages[1].read_text()
    assert "Fact 1" in pages[0].read_text() and "Fact 4" in pages[0].read_text()
    figures = sorted((pages[0].parent / "validation").glob("*.png"))
    assert figures
    for png in figures:
        assert png.read_bytes() == (pages[1].parent / "validation" / png.name).read_bytes()


@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f"fact{f.number}")
def test_every_check_names_arms_and_metrics_its_experiment_has(fact):
    """A misspelt arm or metric in the registry is an error here, not a silently empty comparison."""
    experiment = load_experiment(fact.path)
    assert experiment.spec.common_random_numbers, "arms must share seeds for paired differences"
    assert set(fact.arms) <= set(arm_labels(experiment))
    assert set(fact.equal_cost) | set(fact.equal_cost.values()) <= set(arm_labels(experiment))
    for check in fact.checks:
        assert check.direction in (-1, 1)
        assert check.metric.split(".")[0] in ("financial", "customer", "internal_process", "learning_growth",
                                              "by_performer", "climate", "misconduct"), check.metric
