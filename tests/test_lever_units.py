"""Each lever on its own, against a tiny day context (`conftest.tiny_day`) and no engine: what it
adds to the valuation, what it does in the day, what it pays at settlement, and its static price."""

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_day

from simulator.levers import LEVER_TYPES, static_pay
from simulator.state.context import ACTIVITY_GOAL, PRODUCT_GOAL

ALL = np.arange(6)


def settle(lever, ctx, full=True, variable=None):
    days = np.full(ctx.reps.n, ctx.period_len)
    return lever.settle(ctx, ALL, days, full, np.zeros(ctx.reps.n) if variable is None else variable)


def test_a_scenario_without_levers_builds_none_and_its_terms_are_zeros():
    ctx, levers = tiny_day("baseline")
    assert not levers and levers.levers == []
    terms = levers.valuation_terms(ctx)
    assert not terms.rate.any() and not terms.spif.any() and not terms.unit_goals.any() and terms.prize == 0
    assert levers.table("leads", ctx.world.products.leads) is ctx.world.products.leads


def test_every_lever_type_is_built_only_when_its_scenario_uses_it():
    names = {kind.name for kind in LEVER_TYPES}
    assert names == {"activities", "product_quota", "spif", "launch", "training", "contest", "team", "draw",
                     "quota_reset"}
    _, levers = tiny_day("activity_targets", "plan.spif={standard: 40}")
    assert set(levers.by_name) == {"activities", "spif"}


# ------------------------------------------------------------------------------------ activities


def test_activity_pay_values_effort_per_focus_mix_and_pays_what_is_logged():
    ctx, levers = tiny_day("activity_goals")
    acts = levers.by_name["activities"]
    terms = levers.valuation_terms(ctx)
    shares = ctx.world.focus_shares
    expected = sum(acts.pay[a] * acts.per_effort[a] * (shares[:, acts.product[a]] if acts.product[a] >= 0 else 1.0)
                   for a in range(len(acts.names)))
    np.testing.assert_allclose(terms.rate, expected)
    ctx.reps.effort[:] = 1.5
    ctx.reps.integrity_now[:] = 1.0  # honest reps: nothing padded
    acts.cap[:] = 0
    levers.end_work(ctx)
    done = 1.5 * acts.per_effort * np.where(acts.product >= 0, shares[ctx.world.balanced][np.maximum(acts.product, 0)], 1.0)
    np.testing.assert_allclose(acts.logged, np.tile(done, (6, 1)))
    part = settle(acts, ctx)
    np.testing.assert_allclose(part.pay, done @ acts.pay)
    assert part.columns["activities_padded"].sum() == 0
    assert not acts.logged.any()  # counts start again


def test_padding_pays_when_unaudited_and_integrity_is_low():
    ctx, levers = tiny_day("activity_goals", "management.detection.audit_rate=0.0")
    acts = levers.by_name["activities"]
    ctx.reps.integrity_now[:] = 0.0
    levers.end_work(ctx)
    padded = acts.padded.sum(axis=0)
    assert (padded[acts.pay > 0] > 0).any()
    assert padded[(acts.pay <= 0) | (acts.cap <= 0)].sum() == 0  # nothing to gain, or the log is verified


def test_an_activity_target_is_a_unit_goal_and_pays_its_bonus_at_the_period_end_when_reached():
    ctx, levers = tiny_day("activity_targets")
    acts = levers.by_name["activities"]
    spec = ctx.scenario.plan.activity_target
    a = acts.names.index(spec.activity)
    acts.logged[:, a] = [0, 100, 200, 300, 599, 650]
    ctx.reps.quota_days[0] = ctx.period_len // 2
    terms = levers.valuation_terms(ctx)
    goal = terms.unit_goals[:, ACTIVITY_GOAL]
    np.testing.assert_allclose(goal[:, 0], acts.logged[:, a])
    assert goal[0, 2] == pytest.approx(spec.count * (ctx.period_len // 2) / ctx.period_len)  # cut to the days held
    assert goal[1, 2] == spec.count
    assert (goal[:, 3] == spec.bonus).all() and terms.goal_rate.max() > 0
    ctx.day = ctx.period_len - 1  # the period's last day
    part = settle(acts, ctx)
    assert list(part.columns["activity_target_bonus"] > 0) == [False, False, False, False, False, True]


# ----------------------------------------------------------------------------- product quota, SPIF


def test_a_product_quota_counts_units_booked_and_in_the_pipeline_from_its_first_day():
    ctx, levers = tiny_day("baseline", "plan.product_quota={product: enterprise, units: 2, bonus: 900, from_day: 5}")
    quota = levers.by_name["product_quota"]
    p = quota.product
    ctx.reps.p_by_product[:, p] = quota.unit * np.arange(6)
    ctx.reps.in_period[:, p] = 4
    assert not levers.valuation_terms(ctx).unit_goals.any()  # before from_day
    ctx.day = 5
    goal = levers.valuation_terms(ctx).unit_goals[:, PRODUCT_GOAL]
    np.testing.assert_allclose(goal[:, 0], np.arange(6) + 4 * quota.win)
    assert (goal[:, 2] == 2).all() and (goal[:, 3] == 900).all()
    assert not settle(quota, ctx).pay.any()  # not the period's end
    ctx.day = ctx.period_len - 1
    np.testing.assert_array_equal(settle(quota, ctx).pay, [0, 0, 900, 900, 900, 900])


def test_a_spif_is_offered_inside_its_window_and_pays_each_unit_booked():
    ctx, levers = tiny_day("baseline", "plan.spif={standard: 50}", "plan.spif_window=[10, 20]")
    spif = levers.by_name["spif"]
    assert not levers.valuation_terms(ctx).spif.any()
    ctx.day = 12
    assert levers.valuation_terms(ctx).spif[spif.spif > 0] == pytest.approx([50.0])
    standard = ctx.world.products.names.index("standard")
    ctx.reps.p_by_product[:, standard] = spif.unit[standard] * 3
    levers.end_work(ctx)
    np.testing.assert_allclose(settle(spif, ctx).pay, 150.0)
    assert not spif.earned.any()


# --------------------------------------------------------------------------------- launch, training


def test_a_launched_product_has_no_leads_before_its_day_and_awareness_grows_with_selling_on_it():
    ctx, levers = tiny_day("product_launch")
    launch = levers.by_name["launch"]
    assert ctx.leads is launch.leads_table
    assert not ctx.leads[:, launch.product].any()
    ctx.day = launch.spec.day
    levers.start_day(ctx)
    assert launch.awareness.mean() == pytest.approx(launch.spec.awareness_start)
    start = ctx.leads[:, launch.product].copy()
    ctx.reps.effort[:] = 2.0
    ctx.day += 1
    levers.start_day(ctx)
    assert (launch.awareness > launch.spec.awareness_start).all() and (ctx.leads[:, launch.product] > start).all()


def test_a_course_raises_skill_and_win_rates_after_its_delay():
    ctx, levers = tiny_day("training")
    training = levers.by_name["training"]
    spec = ctx.scenario.management.training
    levers.start_day(ctx)
    before = training.skill.copy()
    for day in range(1, spec.every_days + spec.delay_days + 1):
        ctx.day = day
        levers.start_day(ctx)
    assert (training.skill > before).all()
    lift = ctx.win / ctx.world.products.win[None, :]
    assert np.corrcoef(lift[:, 0], training.skill)[0, 1] > 0.99


# ------------------------------------------------------------------------------ contests and teams


def test_a_rank_contest_pays_the_top_of_each_branch_at_its_period_end():
    ctx, levers = tiny_day("contest", "plan.contest.scope=force", "plan.contest.winners=2")
    contest = levers.by_name["contest"]
    r = ctx.reps
    r.typical_sales[:] = 50_000.0
    r.sales[:] = [10_000, 80_000, 30_000, 90_000, 20_000, 40_000]
    terms = levers.valuation_terms(ctx)
    assert terms.prize == contest.amount > 0
    line = r.stack_quota  # the k-th best of the others: lower for the leaders, who are not their own rivals
    assert line[1] < line[0] and line[3] < line[2] and line[0] == pytest.approx(line[2], rel=0.02)
    r.stack_sales[:] = r.sales
    ctx.day = ctx.world.second.calendar.length - 1
    paid = settle(contest, ctx).pay
    np.testing.assert_array_equal(paid > 0, [False, True, False, True, False, False])


def test_a_team_bonus_line_is_the_team_quota_less_what_colleagues_are_expected_to_sell():
    ctx, levers = tiny_day("team_quota")
    team = levers.by_name["team"]
    r = ctx.reps
    r.typical_sales[:] = 0.0
    r.sales[:] = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
    line, var = team.cutoffs(ctx)
    branch = ctx.world.branch
    for i in range(6):
        mates = branch == branch[i]
        quota = team.spec.at * r.quota[mates].sum()
        assert line[i] == pytest.approx(quota - (r.sales[mates].sum() - r.sales[i]))
    assert not var.any()  # nothing left to come


# ------------------------------------------------------------------------------ draws, quota reset


def test_a_draw_tops_new_hires_up_and_a_recoverable_one_is_paid_back():
    ctx, levers = tiny_day("baseline", "plan.draw={amount: 2100, months: 1, recoverable: true, recovery_share: 0.5}")
    draw = levers.by_name["draw"]
    r = ctx.reps
    r.hire_day[:] = 0
    r.days_active[:] = 21
    ctx.day = 20
    first = draw.settle(ctx, ALL, np.full(6, 21), True, np.full(6, 500.0)).columns
    np.testing.assert_allclose(first["draw_paid"], 1600.0)  # topped up to $2,100 for the month
    ctx.day = 41
    later = draw.settle(ctx, ALL, np.full(6, 21), True, np.full(6, 3000.0)).columns
    np.testing.assert_allclose(later["draw_recovered"], -1500.0)  # half of what the month paid above nothing due
    r.rep_id[0] = 99  # a new rep in the position owes nothing
    ctx.day = 62
    again = draw.settle(ctx, np.array([0]), np.array([21]), True, np.array([3000.0])).columns
    assert again["draw_recovered"][0] == 0.0


def test_quotas_are_reset_when_demand_moves_past_the_threshold():
    ctx, levers = tiny_day("individual_quotas")
    reset = levers.by_name["quota_reset"]
    every = reset.every
    ctx.day = every - 1
    levers.end_day(ctx)  # the reps are new to it: it takes them on at the current level
    realised = ctx.world.demand.realised
    level = float(np.mean(realised[:every] / reset.season[:every]))
    before = ctx.reps.quota.copy()
    moved = reset.end_day(ctx)
    if abs(level - 1.0) <= reset.spec.threshold:
        assert moved is None and np.array_equal(ctx.reps.quota, before)
    else:
        assert moved.all() and reset.level == pytest.approx(level)


# ----------------------------------------------------------------------------------- static price


def test_static_pay_adds_the_levers_and_names_those_it_cannot_price():
    ctx, _ = tiny_day("baseline")
    rows = pd.DataFrame({"rep_id": [1, 2], "end_day": [62, 62], "start_day": [0, 0], "days": [63, 63],
                         "complete": [True, True], "sales": [1.0e5, 2.0e5], "quota": [1.5e5, 1.5e5],
                         "branch": [0, 0], "tenure_days": [500, 500], "sales_enterprise": [40_000.0, 0.0]})
    from simulator import load_scenario
    from conftest import SCENARIOS

    quota = load_scenario(SCENARIOS / "baseline.yaml", ["plan.product_quota={product: enterprise, units: 2, bonus: 900}"])
    price = static_pay(quota, rows, np.zeros(2))
    unit = ctx.world.products.credited_deal[ctx.world.products.names.index("enterprise")]
    assert price.pay.tolist() == ([900.0, 0.0] if 40_000 / unit >= 2 else [0.0, 0.0])
    assert "do not log" in static_pay(load_scenario(SCENARIOS / "activity_goals.yaml"), rows, np.zeros(2)).unpriced


@pytest.mark.parametrize("k", [1, 2, 5])
def test_the_leave_one_out_line_count_matches_folding_every_rival_but_one(k):
    """The contest's prefix-suffix count equals the plain Poisson-binomial fold of all rivals but j,
    for every j (and with every rival), on random chances."""
    from simulator.levers.contest import fewer_than_k_past

    rng = np.random.default_rng(3)
    past = rng.uniform(0.0, 1.0, size=(2, 7, 4))
    got = fewer_than_k_past(past, k)
    for g in range(2):
        for left_out in [None, *range(7)]:
            counts = np.zeros((4, 8))
            counts[:, 0] = 1.0
            for j in range(7):
                if j == left_out:
                    continue
                p = past[g, j][:, None]
                counts = counts * (1 - p) + np.concatenate((np.zeros((4, 1)), counts[:, :-1]), axis=1) * p
            expected = counts[:, :k].sum(axis=1)
            np.testing.assert_allclose(got[g, 0 if left_out is None else left_out + 1], expected, rtol=1e-12)


def test_the_line_count_over_a_long_field_and_several_grid_blocks_matches_the_plain_fold():
    """Across grid blocks and a field long enough that the chance of few rivals past a low line
    underflows (where the count drops chances below NEGLIGIBLE), the count still equals the plain
    fold to within that cut."""
    from simulator.levers.contest import NEGLIGIBLE, fewer_than_k_past

    rng = np.random.default_rng(5)
    rivals, points, k = 400, 70, 3
    past = rng.uniform(0.0, 1.0, size=(1, rivals, points))
    got = fewer_than_k_past(past, k)
    for left_out in (None, 0, 123, rivals - 1):
        counts = np.zeros((points, k))
        counts[:, 0] = 1.0
        for j in range(rivals):
            if j != left_out:
                p = past[0, j][:, None]
                counts = counts * (1 - p) + np.concatenate((np.zeros((points, 1)), counts[:, :-1]), axis=1) * p
        expected = counts.sum(axis=1)
        np.testing.assert_allclose(got[0, 0 if left_out is None else left_out + 1], expected, rtol=1e-12,
                                   atol=rivals * k * NEGLIGIBLE)


def test_the_chance_past_the_grid_is_scipys_normal_distribution_function_to_the_bit():
    """Skipping the tails where the normal distribution function is exactly 0 or 1 changes no bit."""
    from scipy.special import ndtr

    from simulator.levers.contest import chance_past

    rng = np.random.default_rng(8)
    mean = rng.normal(0.0, 30.0, size=(3, 50))
    mean[0, :5] = -np.inf  # empty places
    sd = rng.uniform(0.01, 5.0, size=(3, 50))
    x = np.sort(rng.normal(0.0, 40.0, size=(3, 96)), axis=1)
    expected = ndtr((mean[:, :, None] - x[:, None, :]) / sd[:, :, None])
    assert np.array_equal(chance_past(mean, sd, x), expected)
    z = np.linspace(-60.0, 60.0, 2_000_001)
    assert (ndtr(z[z <= -38.5]) == 0.0).all() and (ndtr(z[z >= 8.5]) == 1.0).all()


def test_the_line_moments_are_those_the_array_expression_gives_to_the_bit():
    """The kernel sums in numpy's order, so the contest's lines did not move when it replaced the
    array code (mass of each grid cell at its middle, mean and variance over the cells)."""
    from simulator.levers.contest import LINE_GRID, line_moments

    rng = np.random.default_rng(2)
    n, groups, rivals = 300, 3, 40
    x = np.sort(rng.normal(100.0, 30.0, size=(groups, LINE_GRID)), axis=1)
    by_slot = np.sort(rng.uniform(0.0, 1.0, size=(groups, rivals + 1, LINE_GRID)), axis=2)
    group = rng.integers(0, groups, n)
    row = rng.integers(0, rivals + 1, n)
    at_most = by_slot[group, row]
    at_most[:, -1] = 1.0
    mass = np.diff(at_most, axis=1, prepend=0.0)
    grid = np.concatenate((x[:, :1], 0.5 * (x[:, 1:] + x[:, :-1])), axis=1)[group]
    line = (mass * grid).sum(axis=1)
    var = np.maximum((mass * (grid - line[:, None]) ** 2).sum(axis=1), 0.0)
    got_line, got_var = line_moments(by_slot, x, group, row)
    assert np.array_equal(got_line, line) and np.array_equal(got_var, var)


def _kth_best_reference(mean: np.ndarray, sd: np.ndarray, k: int, points: int = 4_000) -> tuple[float, float]:
    """Mean and sd of the k-th best of independent Normal(mean, sd^2) results, counted on a fine grid
    over every result's range (8 sd either side)."""
    from scipy.special import ndtr

    x = np.linspace((mean - 8 * sd).min(), (mean + 8 * sd).max(), points)
    count = np.zeros((k, points))  # P(m results past x), m < k
    count[0] = 1.0
    for past in ndtr((mean[:, None] - x[None, :]) / sd[:, None]):
        count[1:] = count[1:] * (1 - past) + count[:-1] * past
        count[0] *= 1 - past
    at_most = count.sum(axis=0)
    at_most[-1] = 1.0
    mass = np.diff(at_most, prepend=0.0)
    cell = np.concatenate(([x[0]], 0.5 * (x[1:] + x[:-1])))
    line = (mass * cell).sum()
    return line, np.sqrt((mass * (cell - line) ** 2).sum())


@pytest.mark.parametrize("k", [1, 3, 10])
def test_the_winning_line_is_reckoned_as_a_fine_count_over_all_results_would(k):
    """Each entry's line (the k-th best of the others' uncertain results) on the contest's grid agrees with
    a 4,000-point count over every result's range: mean within 1% of the line's sd, sd within 5% (at
    most 0.01% and 4.1% here). Two fields: an open race (results overlapping, as early in a contest) and
    a settled one (15 leaders sure of their results ahead of a tail of uncertain ones that can still
    reach them), where a grid over every rival's range is coarse just where the line falls: 96 points
    over it put the mean up to 0.39 sd and the sd up to 81% off on this field."""
    from simulator.levers.contest import kth_best_of_others

    rng = np.random.default_rng(3)
    n = 60
    open_race = rng.normal(100.0, 10.0, n), rng.uniform(8.0, 15.0, n)
    settled = (np.concatenate((rng.uniform(98.0, 102.0, 15), rng.uniform(30.0, 70.0, n - 15))),
               np.concatenate((rng.uniform(0.5, 1.5, 15), rng.uniform(6.0, 10.0, n - 15))))
    for mean, sd in (open_race, settled):
        line, var = kth_best_of_others(np.zeros(n, dtype=np.int64), mean, sd, k, 1)
        for i in range(0, n, 3):
            others = np.arange(n) != i
            ref_line, ref_sd = _kth_best_reference(mean[others], sd[others], k)
            assert abs(line[i] - ref_line) < 0.01 * ref_sd, (i, line[i], ref_line, ref_sd)
            assert abs(np.sqrt(var[i]) - ref_sd) < 0.05 * ref_sd, (i, np.sqrt(var[i]), ref_sd)
