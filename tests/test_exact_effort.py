"""The engine's daily effort rule against the exact dynamic-programming policy of one rep
(`simulator.validation.exact_effort`): backward induction over deals won x days left, Poisson deals,
the plan's own pay curve. Checks the finding of docs/model.md ("How far the daily rule is from the
exact policy"): within a period, the rule that re-plans a constant effort each morning loses at most
about 1% of what the exact policy gets on the benchmark's plans, with the same chance of reaching
quota; far goals with a large bonus are where it fails."""

import numpy as np
import pytest
from conftest import small

from simulator.scenario import load_scenario
from simulator.validation.exact_effort import (
    BASELINE_EFFORT_COST,
    BASELINE_PLAN,
    CASES,
    FINE,
    OneRep,
    TableGrid,
    benchmark_scenario,
    coarse_table_losses,
    compare,
    engine_choices,
    engine_hump_days,
    engine_table_flags,
    evaluate,
    flagged_review_losses,
    force_difficulties,
    forward,
    normal_review_plan,
    normal_review_values,
    review_losses,
    review_plan,
    shared_table_losses,
    solve,
    table_flag_losses,
)

pytestmark = pytest.mark.slow

PAD = (0.0,) * 10
BONUS_CURVE = (2, (0.0, 1.0) + PAD, (0.02, 0.02) + PAD, (0.0, 0.0) + PAD, (0.0, 1500.0) + PAD, 1)
LINEAR_CURVE = (1, (0.0, 0.0) + PAD, (0.03, 0.0) + PAD, (0.0, 0.0) + PAD, (0.0, 0.0) + PAD, 1)


def test_under_linear_pay_the_exact_policy_is_the_closed_form():
    """Commission c on deals of value v won at lam a day per unit effort, cost k e^2: e = c v lam / (2k)."""
    terms = OneRep(lam=1.0, deal_value=5000.0, effort_cost=40.0, days=21, quota=105000.0, curve=LINEAR_CURVE)
    policy = solve(terms)
    assert np.allclose(policy.effort[1:, :60], 0.03 * 5000 / 80, atol=0.0025)  # the grid's half-step


def test_a_cara_reps_exact_policy_under_linear_pay_is_the_closed_form():
    """A CARA rep (r per $) values commission c on Poisson(lam e) deals of value v at its certainty equivalent,
    lam e (1 - exp(-r c v)) / r, so its effort is lam (1 - exp(-r c v)) / (2 r k) on every day and at every
    count, below the risk-neutral c v lam / (2k): the certainty-equivalent recursion of `solve`."""
    r = 1e-3  # strong enough to move effort well beyond the grid's step
    terms = OneRep(lam=1.0, deal_value=5000.0, effort_cost=40.0, days=21, quota=105000.0, curve=LINEAR_CURVE,
                   risk_aversion=r)
    policy = solve(terms)
    closed = (1.0 - np.exp(-r * 0.03 * 5000)) / (2 * r * 40.0)
    assert closed < 0.03 * 5000 / 80 - 0.1
    assert np.allclose(policy.effort[1:, :60], closed, atol=0.0025)  # the grid's half-step
    assert evaluate(terms, policy.effort) == pytest.approx(policy.value[21, 0], rel=1e-9)
    with pytest.raises(ValueError, match="risk-neutral"):
        review_plan(terms, 2)


def test_the_exact_policy_is_worth_what_the_recursion_says_and_beats_a_perturbed_one():
    terms = OneRep(lam=1.0, deal_value=5000.0, effort_cost=40.0, days=21, quota=105000.0, curve=BONUS_CURVE)
    policy = solve(terms)
    best = policy.value[terms.days, 0]
    assert evaluate(terms, policy.effort) == pytest.approx(best, rel=1e-9)
    assert evaluate(terms, policy.effort * 1.1) < best - 1.0
    assert evaluate(terms, np.full_like(policy.effort, 1.25)) < best - 1.0  # the commission-only effort
    dist, path = forward(terms, policy.effort)
    assert dist.sum() == pytest.approx(1.0, abs=1e-9)
    assert path.shape == (21,)
    assert 0.0 < dist[terms.quota_deals:].sum() < 1.0


@pytest.mark.parametrize("name, plan, difficulty, period", [c for c in CASES if c[0] != "far_bonus"],
                         ids=[c[0] for c in CASES if c[0] != "far_bonus"])
def test_the_engine_rule_is_close_to_the_exact_policy(name, plan, difficulty, period):
    result = compare(plan, difficulty=difficulty, period=period, reps=150)
    assert result["value_loss"] < 0.015  # at most 1.5% of the period's value to the rep
    assert result["last_day_abs_gap"] < 0.02  # with one day left, a constant plan is the exact problem
    assert abs(result["reach_engine"] - result["reach_exact"]) < 0.03


@pytest.mark.xfail(strict=True, reason="known gap: a constant-effort plan gives up on a far goal that the exact "
                                       "policy, which can still give up later, pursues; a two- or three-block review "
                                       "plan on the engine's own belief would close it (docs/model.md)")
def test_far_goal_with_a_large_bonus():
    _, plan, difficulty, period = next(c for c in CASES if c[0] == "far_bonus")
    result = compare(plan, difficulty=difficulty, period=period, reps=150)
    assert result["value_loss"] < 0.05


def test_a_review_plan_with_a_block_a_day_is_the_exact_policy_and_one_block_the_constant_plan():
    """Review plans run from the engine's rule (one block: a constant effort to the period's end,
    here under linear pay the closed form c v lam / (2k) on every day) to the exact policy (a block
    a day: the same effort and value as `solve`)."""
    terms = OneRep(lam=1.0, deal_value=5000.0, effort_cost=40.0, days=21, quota=105000.0, curve=BONUS_CURVE)
    exact = solve(terms)
    daily = review_plan(terms, terms.days)
    reachable = slice(0, 60)  # `solve` pads the counts no period reaches; both agree below them
    assert np.array_equal(daily.effort[:, reachable], exact.effort[:, reachable])
    np.testing.assert_allclose(daily.value[:, reachable], exact.value[:, reachable], rtol=1e-12)
    linear = OneRep(lam=1.0, deal_value=5000.0, effort_cost=40.0, days=21, quota=105000.0, curve=LINEAR_CURVE)
    assert np.allclose(review_plan(linear, 1).effort[1:, :60], 0.03 * 5000 / 80, atol=0.0025)
    with pytest.raises(ValueError, match="blocks"):
        review_plan(terms, 0)


def test_reviewing_effort_a_few_times_closes_the_far_goal_gap():
    """docs/model.md ("What closing the gap takes"): the engine's rule is the one-block plan (it gives up
    on the far goal, losing about 37% of the rep's value, as the engine does); a rep that expects to
    review its effort twice or three times before the period ends keeps the option to give up after
    a bad start, and pursues the goal: a few percent lost, most of the exact policy's chance of
    reaching quota. On a reachable goal with a large bonus two blocks are already exact."""
    _, plan, difficulty, period = next(c for c in CASES if c[0] == "far_bonus")
    far = review_losses(plan, (1, 2, 3), difficulty=difficulty, period=period)
    engine = compare(plan, difficulty=difficulty, period=period, reps=150)
    assert abs(far[1][0] - engine["value_loss"]) < 0.01 and far[1][1] < 0.001 and engine["reach_engine"] < 0.001
    assert far[2][0] < 0.07 and far[3][0] < 0.025 < far[2][0]
    assert far[3][1] > 0.95 * far["exact"]
    _, plan, difficulty, period = next(c for c in CASES if c[0] == "large bonus")
    near = review_losses(plan, (1, 2), difficulty=difficulty, period=period)
    assert near[1][0] > 0.005 and near[2][0] < 0.0005


def test_the_review_plan_on_the_engines_belief_of_one_block_is_the_engines_rule():
    """`normal_review_plan` plans on what the engine's reps believe (normal sales while ten deals or more
    are to come, the counts after): with one block it is the engine's rule, and loses what the engine's
    own choices lose (docs/model.md, the fifth table of `python -m simulator.validation.exact_effort`)."""
    for name in ("large bonus", "far_bonus"):
        _, plan, difficulty, period = next(c for c in CASES if c[0] == name)
        engine = compare(plan, difficulty=difficulty, period=period, reps=150)
        planned = review_losses(plan, (1,), "normal", difficulty=difficulty, period=period)
        assert abs(planned[1][0] - engine["value_loss"]) < 0.003
        assert abs(planned[1][1] - engine["reach_engine"]) < 0.01


def test_a_review_plan_on_the_engines_own_belief_closes_the_far_goal_gap():
    """docs/model.md: planned on the engine's own belief about sales, two review blocks bring the far goal
    under 5% of the exact value lost and three under 2%, with most of the exact chance of reaching quota;
    so the engine's normal belief is no obstacle to closing the gap, the constant plan is."""
    _, plan, difficulty, period = next(c for c in CASES if c[0] == "far_bonus")
    far = review_losses(plan, (1, 2, 3), "normal", difficulty=difficulty, period=period)
    assert far[1][0] > 0.3 and far[2][0] < 0.05 and far[3][0] < 0.02
    assert far[3][1] > 0.95 * far["exact"]
    with pytest.raises(ValueError, match="belief"):
        review_losses(plan, (1,), "poisson", difficulty=difficulty, period=period)


def test_the_far_goal_needs_reviews_nested_down_to_the_count_stage():
    """docs/model.md: on the engine's own belief, a rep that expects one review and a constant plan after
    it still gives up the far goal (about a third of the exact value lost, as with no review); reviews
    nested two deep (the second reaching the last ten deals, counted) close it as far as unbounded
    nesting does. A continuation value for the engine has to see every review down to the count stage,
    not one step ahead."""
    _, plan, difficulty, period = next(c for c in CASES if c[0] == "far_bonus")
    terms = engine_choices(benchmark_scenario(plan, reps=20, years=0.25, difficulty=difficulty, period=period)).terms
    exact = solve(terms)
    best, floor = float(exact.value[terms.days, 0]), float(terms.pay(np.array([0]))[0])

    def lost(depth):
        return (best - evaluate(terms, normal_review_plan(terms, 2, depth=depth))) / (best - floor)

    no_review, one_review, two, unbounded = lost(0), lost(1), lost(2), lost(None)
    assert no_review > one_review > 0.3 and unbounded < 0.05
    assert two == pytest.approx(unbounded, abs=1e-9)
    with pytest.raises(ValueError, match="depth"):
        normal_review_plan(terms, 2, depth=-1)


def test_one_value_table_per_plan_serves_reps_who_differ():
    """docs/model.md ("One table for a force"): inside the far goal's band, reps who choose today's effort
    against the review plan's value solved for rep types 25% apart (interpolated between the types around
    them) lose what they lose against a table of their own, within a point, where the constant plan loses
    more than half: a rep of other productivity, one of other effort cost (reading the productivity ladder
    at k / lam^2 alike) and one of a larger bonus. Averaging the types' efforts instead of their values
    loses several times more: the effort jumps (pursue or give up) where the value only bends. A ladder in
    deal size serves a rep of larger deals within a point too."""
    _, plan, difficulty, period = next(c for c in CASES if c[0] == "far_bonus")
    in_band = ((1.03, 1.0, 1.0, 1.0), (1.0, 0.9, 1.0, 1.0), (1.0, 1.0, 1.1, 1.0))
    larger_deals = (1.0, 1.0, 1.0, 1.1)
    losses = shared_table_losses(plan, (*in_band, larger_deals), (1.25,), difficulty=difficulty, period=period)
    assert list(losses) == [*in_band, larger_deals]
    for rep in in_band:
        row = losses[rep]
        assert row["constant"] > 0.5
        assert row["own"] < 0.02
        assert abs(row[1.25] - row["own"]) < 0.01
        assert row["policies averaged"] > 5 * row[1.25]
    assert abs(losses[larger_deals][1.25] - losses[larger_deals]["own"]) < 0.01


def test_a_table_needs_a_fine_grid_of_sales_and_little_else():
    """docs/model.md ("How fine a table must be"): a rep choosing against its own review values loses the
    same (within 0.05 points) when the table is solved on 17 efforts, 4 Gauss-Hermite nodes and 17 efforts
    in the count stage instead of 161, 12 and 801 (a thirteenth of the time, docs/model.md's figure, not
    checked here); coarsening the grid of sales so far (150 points instead of 700) costs more than a point,
    and a finer one (1,400) loses less."""
    _, plan, difficulty, period = next(c for c in CASES if c[0] == "far_bonus")
    rep = (1.0, 0.9, 1.0, 1.0)  # a cheaper effort: it pursues the far goal
    fine, lean = FINE, TableGrid(700, 17, 4, 17)
    few_points, more_points = TableGrid(150, 17, 4, 17), TableGrid(1400, 17, 4, 17)
    rows = coarse_table_losses(plan, (rep,), (fine, lean, few_points, more_points), difficulty=difficulty,
                               period=period)
    assert abs(rows[lean][rep] - rows[fine][rep]) < 0.0005
    assert rows[few_points][rep] > rows[fine][rep] + 0.01
    assert rows[more_points][rep] < rows[fine][rep]


def _curve(lo, slope, qc, lump):
    """A pay curve in `PayCurve.kernel` form from its segments' starts (x quota), slopes, quota terms and lumps."""
    pad = (0.0,) * (12 - len(lo))
    return (len(lo), tuple(lo) + pad, tuple(slope) + pad, tuple(qc) + pad, tuple(lump) + pad, 1)


TABLE_TERMS = {
    "far bonus, month": OneRep(1.0, 5000.0, 40.0, 21, 262500.0, _curve((0.0, 1.0), (0.01, 0.01), (0.0, 0.0),
                                                                           (0.0, 4000.0))),
    "accelerator and bonus, quarter": OneRep(1.0, 5000.0, 40.0, 63, 756000.0,
                                             _curve((0.0, 1.0), (0.02, 0.04), (0.0, -0.02), (0.0, 4500.0))),
    "cap, month, other productivity and deals": OneRep(1.07, 5500.0, 36.0, 21, 136500.0,
                                                       _curve((0.0, 1.0, 1.5), (0.02, 0.04, 0.0),
                                                              (0.0, -0.02, 0.04), (0.0, 0.0, 0.0))),
    "bonus, week (counts only)": OneRep(1.0, 5000.0, 40.0, 5, 32500.0, BONUS_CURVE),
}


@pytest.mark.parametrize("name", TABLE_TERMS)
def test_compiled_review_values_equal_the_numpy_reference(name):
    """docs/model.md ("What a table costs to solve"): the compiled solver of a review plan's values
    (`review_tables`: a walk on the evenly spaced grid of sales, only the counts and Poisson terms that
    matter) gives the numpy reference's values to rounding, for one, two and three blocks, on plans with a
    lump, an accelerator, a cap, a period shorter than the count stage and a productivity whose counts fall
    between the grid's points."""
    terms = TABLE_TERMS[name]
    for blocks in (1, 2, 3):
        grid, reference = normal_review_values(terms, blocks, resolution=TableGrid(400, 17, 4, 17), compiled=False)
        sales, compiled = normal_review_values(terms, blocks, resolution=TableGrid(400, 17, 4, 17))
        assert np.array_equal(sales, grid)
        assert compiled.shape == reference.shape == (terms.days + 1, 400)
        assert np.abs(compiled - reference).max() < 1e-9 * np.abs(reference).max(), blocks


def test_the_normal_review_plan_under_linear_pay_is_the_closed_form():
    """Under commission alone the pay curve is linear, so every review plan, on any belief, works at
    c v lam / (2k) on every day: a check of the normal plan's grids and quadrature."""
    terms = OneRep(lam=1.0, deal_value=5000.0, effort_cost=40.0, days=21, quota=105000.0, curve=LINEAR_CURVE)
    for blocks in (1, 3):
        effort = normal_review_plan(terms, blocks)
        assert np.allclose(effort[1:, :60], 0.03 * 5000 / 80, atol=0.0125)  # the effort grid's half-step
    with pytest.raises(ValueError, match="blocks"):
        normal_review_plan(terms, 0)


def test_the_far_goal_gap_is_a_band_of_difficulty():
    """docs/model.md: below about 2.2 times normal output the constant plan is within 2% of the exact
    value, at 2.3 it gives the large bonus up while the exact rep still reaches it almost always, and
    at 2.8 both give it up."""
    plan = next(c[1] for c in CASES if c[0] == "far_bonus")
    below, inside, beyond = (review_losses(plan, (1,), difficulty=d, period="month") for d in (2.0, 2.3, 2.8))
    assert below[1][0] < 0.02 and below["exact"] > 0.95
    assert inside[1][0] > 0.3 and inside[1][1] < 0.1 and inside["exact"] > 0.9
    assert beyond[1][0] < 0.001 and beyond["exact"] < 0.01


def test_under_the_baseline_plan_the_far_goal_gap_is_narrow_and_cheap():
    """docs/model.md: with the shipped baseline's plan (and goal value) on a quarter's quota, the bonus is
    worth about 70% of a quarter's commission: the constant plan gives the goal up between 2.4 and
    2.5 times normal output, the exact rep between 2.5 and 2.6, and the constant plan loses at most about
    2.4% of the exact value."""
    below, inside, beyond = (review_losses(BASELINE_PLAN, (1,), difficulty=d, period="quarter") for d in (2.4, 2.5, 2.6))
    assert below[1][0] < 0.01 and below[1][1] > 0.95
    assert 0.01 < inside[1][0] < 0.03 and inside[1][1] < 0.8 < inside["exact"]
    assert beyond[1][0] < 0.005 and beyond["exact"] < 0.1


@pytest.mark.parametrize("cycle_days", [0.0, 5.0])
@pytest.mark.parametrize("risk_aversion", [0.0, 1e-4, 3e-4])
def test_under_linear_pay_effort_is_the_certainty_equivalent_closed_form_every_day(cycle_days, risk_aversion):
    """Holmstrom and Milgrom (1987): under linear pay a CARA rep's effort solves c a - r c^2 Var'/2 = 2 k e.
    Here output is Poisson (lam = 1 deal a day per unit effort, value v), so e = (c lam v - r c^2 lam v^2 / 2) / (2k),
    the same on every day of the period whether deals land this period or next (cycle_days 5: what is
    worked late lands next period and is valued with the same risk attitude), and untouched by the
    open pipeline's win-or-lose noise, which does not move with effort (the additive noise of the
    closed form). Patient reps (patience 1), so no discounting separates the periods."""
    from simulator.sim.engine import Engine
    from simulator.validation.exact_effort import benchmark_scenario

    scenario = benchmark_scenario({"commission_rate": 0.03}, reps=40, years=0.25, patience=1.0,
                                  risk_aversion=risk_aversion, cycle_days=cycle_days)
    engine = Engine(scenario, seed=1)
    efforts = []
    while not engine.finished:
        for phase in engine.phases():
            if phase == "close_deals":
                efforts.append(engine.reps.effort[engine.reps.active])
    c, v, k = 0.03, 5000.0, 40.0
    closed_form = (c * v - risk_aversion * c**2 * v**2 / 2) / (2 * k)
    np.testing.assert_allclose(np.concatenate(efforts), closed_form, rtol=1e-4)


def test_on_the_baselines_terms_the_band_sits_where_its_low_performers_are():
    """docs/model.md ("Where the band lies in the shipped baseline"): in the benchmark world priced like the
    baseline (its plan, and its effort cost per squared sales a day), a quarter's quota at 1.2 times a rep's
    output at unit effort lies in the band: the constant plan gives the goal up (reaching quota under 5% of
    quarters, losing over 10% of the rep's value) where a two-block review plan pursues it (over half the
    quarters, within 3%). In a run of the baseline itself, the rep-quarters from 1.15 to 1.25 times the rep's
    output are over 5% of all, and the engine's reps there reach quota in under half of them: the band is
    where the baseline's low performers are, not in the force's tails."""
    matched = review_losses(BASELINE_PLAN, (1, 2), "normal", difficulty=1.2, period="quarter",
                            effort_cost=BASELINE_EFFORT_COST)
    assert matched[1][0] > 0.10 and matched[1][1] < 0.05
    assert matched[2][0] < 0.03 and matched[2][1] > 0.5
    force = force_difficulties(load_scenario("scenarios/baseline.yaml"), seed=1, edges=(1.15, 1.25))
    band = force.iloc[1]
    assert band.share > 0.05
    assert band.made < 0.5
    assert force.iloc[0].made > 0.6  # easier quotas are mostly made: the fall is at the band
    with pytest.raises(ValueError, match="fixed, uniform quota"):
        force_difficulties(load_scenario("scenarios/ratchet.yaml"))


def test_the_constant_plans_second_hump_finds_the_band():
    """docs/model.md ("Finding the reps in a band"): running the review plan only where the constant plan's
    value along effort has another hump within a fifth of the lump recovers most of the band's loss (at 1.2
    times normal output on the baseline's terms: from over 10% to under 5%, reaching quota in over half the
    quarters) while flagging under a third of the rep-days there, and flags almost nothing where the goal is
    easily made (1.0 times normal output: under 1% of rep-days)."""
    world = {"period": "quarter", "effort_cost": BASELINE_EFFORT_COST}
    band = flagged_review_losses(BASELINE_PLAN, (0.2,), difficulty=1.2, **world)
    lost, flagged, reach = band[0.2]
    assert band["constant"] > 0.10 and lost < 0.05 and reach > 0.5
    assert 0.05 < flagged < 0.33
    easy = flagged_review_losses(BASELINE_PLAN, (0.2,), difficulty=1.0, **world)
    assert easy[0.2][1] < 0.01


@pytest.mark.parametrize("plan, difficulty, world, constant, regret_lost", [
    (next(c[1] for c in CASES if c[0] == "far_bonus"), 2.4, {"period": "month"}, 0.5, 0.03),
    (BASELINE_PLAN, 1.2, {"period": "quarter", "effort_cost": BASELINE_EFFORT_COST}, 0.10, 0.07),
])
def test_a_flag_read_from_the_table_finds_the_band_on_fewer_rep_days(plan, difficulty, world, constant, regret_lost):
    """docs/model.md ("A flag from the table"): choosing against the two-block table only where the constant
    plan's effort gives up more than a hundredth of the lump by the table's own reckoning recovers most of what
    the constant plan loses in the band (the far bonus at 2.4 times normal output over a month: from 60% to
    under 3%; the baseline's terms at 1.2: from 14.6% to under 7%), within two points of what the second-hump
    flag (a fifth of the lump) recovers, on at most half of the rep-days that flag needs."""
    result = table_flag_losses(plan, (0.01,), difficulty=difficulty, **world)
    lost, flagged, _ = result[("regret", 0.01)]
    hump_lost, hump_flagged, _ = result[("hump", 0.2)]
    assert result["constant"] > constant and lost < regret_lost
    assert lost < hump_lost + 0.02 and flagged < 0.5 * hump_flagged


def test_the_flag_from_the_table_stays_off_where_the_goal_is_easy_or_out_of_reach():
    """docs/model.md ("A flag from the table"): on the far bonus over a month, the regret flag (a hundredth of
    the lump) flags under 1% of rep-days where the quota is easily made (1.3 times normal output) or out of
    reach (2.6 times), where with no threshold at all (any regret) it flags most rep-days of the easy quota."""
    far_bonus = next(c[1] for c in CASES if c[0] == "far_bonus")
    for difficulty in (1.3, 2.6):
        assert table_flag_losses(far_bonus, (0.0, 0.01), difficulty=difficulty, period="month")[("regret", 0.01)][1] < 0.01
    assert table_flag_losses(far_bonus, (0.0,), difficulty=1.3, period="month")[("regret", 0.0)][1] > 0.3


def test_the_engines_probes_find_the_forks_between_pursuing_and_letting_go():
    """docs/model.md ("Finding the reps in a band"): on the engine's own reps (the baseline, 80 reps over half
    a year) a fork between pursuing the goal and letting it go, its other hump within a fifth of the lump, is
    rare (under 5% of rep-days). The hump margins the guard measures when a run tracks them
    (`effort.distant_check`) find them: probing every focus mix, over four in five of the forks on the
    guard's days, and over three in four of its flags are forks; the guard's own mixes alone find fewer.
    The fork flag (the guard's mixes and those selling between the chosen one and the fastest in-period
    seller) finds almost all that every mix finds (measured 0.915 against 0.925), as right, and carried from
    one guard to the next still finds over three in four. The guard's own margin is not that flag: within
    a fifth of the lump five times as often as there are forks."""
    days = engine_hump_days(small("baseline", size=80, years=0.5), 4500.0, (0.2,), seed=1)[0.2]
    assert days["envelope"] < 0.05
    assert days["every mix finds"] > 0.8 and days["every mix right"] > 0.75
    assert days["guard's mixes finds"] < days["every mix finds"] - 0.15
    assert days["flag finds"] > days["every mix finds"] - 0.03 and days["flag right"] > 0.75
    assert days["held flag finds"] > 0.75 and days["held flag right"] > 0.75
    assert days["guard"] > 5 * days["envelope"]


def test_the_benchmark_types_flag_maps_find_some_engine_forks_only_at_the_days_closing_inside():
    """docs/model.md ("A flag from the table"): the benchmark type's second-hump maps, placed by each engine rep's
    quota difficulty (the baseline, 80 reps over half a year; types 0.05 apart), find none of the engine's forks
    when read at the calendar's days left (the baseline's reps fork on a quarter's first days with a fifth of
    quota already in the pipeline) but a tenth or more, over 30% of their flags right, when read at the days
    whose work still closes inside the period; and the type whose map flags a fork lies a third of a quota or
    more apart from one fork to another (the engine's rep is not its type at another difficulty)."""
    ladder = tuple(np.round(np.arange(0.8, 1.501, 0.05), 3))
    flags = engine_table_flags(small("baseline", size=80, years=0.5), 4500.0, ladder, seed=1)
    calendar, inside = flags.loc["calendar days"], flags.loc["days closing inside"]
    assert flags.attrs["forks"] > 50
    assert calendar["second hump: flagged"] > 0.01 and calendar["second hump: finds"] < 0.02
    assert inside["second hump: finds"] > 0.1 and inside["second hump: right"] > 0.3
    low, *_, high = flags.attrs["offset quantiles"]
    assert high - low > 0.3

