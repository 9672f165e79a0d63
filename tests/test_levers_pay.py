"""Levers from practice on the pay side (issue 9): contests, team quotas, individual quotas and
their mid-year reset, draws for new hires, business models. Each lever moves what its source says
it moves, on its own scenario; switched off it reproduces the scenario without it exactly; bad
input is refused with the file and the field."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator import ScenarioError, load_scenario, run
from simulator.levers import static_pay
from simulator.levers.contest import LINE_GRID, kth_best_of_others, rank_in_group

pytestmark = pytest.mark.slow  # findings over whole runs

SCENARIOS = Path(__file__).parents[1] / "scenarios"


def scenario(name: str, *overrides: str):
    return load_scenario(SCENARIOS / f"{name}.yaml", list(overrides))


def complete(res) -> pd.DataFrame:
    return res.rep_periods[res.rep_periods["complete"]]


def pooled(name: str, seeds, *overrides: str) -> pd.DataFrame:
    """Whole rep-periods of several seeds, one frame."""
    frames = [complete(run(scenario(name, *overrides), seed=s)).assign(seed=s) for s in seeds]
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------------------------ contests


def with_branch_rank(rows: pd.DataFrame) -> pd.DataFrame:
    rank = np.zeros(len(rows), dtype=np.int64)
    for _, g in rows.groupby(["seed", "period"]):
        pos = rows.index.get_indexer(g.index)
        rank[pos] = rank_in_group(g["branch"].to_numpy(), g["attainment"].to_numpy())
    return rows.assign(rank=rank)


def test_rank_contest_raises_mis_selling_and_effort_just_outside_the_winning_ranks():
    """Gaba and Kalra (1999): a contest with few winners makes those behind the winning line take
    riskier, here dishonest, choices; Casas-Arce and Martinez-Jerez (2009): contestants near the
    line work harder. Reps ranked just outside the two winners of their branch (ranks 3-5)
    mis-sell more and work harder with the contest than the same ranks under the same plan without it."""
    seeds = (1, 2, 3)
    common = ("force.size=120", "horizon_years=1")
    on = with_branch_rank(pooled("contest", seeds, *common))
    off = with_branch_rank(pooled("contest", seeds, *common, "plan.contest.prize=0"))
    outside_on = on[(on["rank"] >= 2) & (on["rank"] < 5)]
    outside_off = off[(off["rank"] >= 2) & (off["rank"] < 5)]
    assert outside_on["mis_sales"].mean() > 1.2 * outside_off["mis_sales"].mean()
    assert outside_on["effort"].mean() > 1.1 * outside_off["effort"].mean()
    assert on["contest_prize"].sum() > 0 and "contest_prize" not in off


def test_a_contest_draws_deals_in_at_its_quarter_end_among_its_contenders():
    """Timing answers the contest too (Oyer 1998 and Asch 1990: sales timed to a prize's deadline;
    Gaba and Kalra 1999: those near the line act). Under straight commission nothing is worth
    moving; with the quarter's rank prize, reps around the two winning ranks of their branch pull
    deals in from the next quarter, reps far below the line do not, and nobody pushes a deal out
    of the contest's quarter."""
    common = ("force.size=120", "horizon_years=1")
    on = with_branch_rank(pooled("contest", (1, 2), *common))
    off = pooled("contest", (1, 2), *common, "plan.contest.prize=0")
    assert off["pulled_in"].sum() == 0 and off["pushed_out"].sum() == 0
    contenders = on[on["rank"] <= 3]["pulled_in"].mean()
    far_below = on[on["rank"] >= 6]["pulled_in"].mean()
    assert contenders > 0.4 and far_below < 0.05 * contenders
    assert on["pushed_out"].sum() == 0


TEAM_SEEDS = tuple(range(1, 10))


def _pushed_out_with_and_without_team_bonus(seeds) -> tuple[int, int]:
    common = ("force.size=120", "horizon_years=1")
    with_team = pooled("team_quota", seeds, *common)["pushed_out"].sum()
    without = pooled("team_quota", seeds, *common, "plan.team.amount=0")["pushed_out"].sum()
    return with_team, without


def test_a_team_bonus_holds_back_deals_pushed_out_of_its_quarter():
    """A deal pushed into next quarter leaves the branch's quarter as well as the rep's, so a team
    bonus on the quota's quarter makes sandbagging cost more: fewer deals are pushed out than under
    the same plan without it (nine seeds pooled: 1,417 against 1,626, 0.87; without the team bonus
    in the reps' timing the two would differ by noise alone, about 0.07 on this ratio)."""
    with_team, without = _pushed_out_with_and_without_team_bonus(TEAM_SEEDS)
    assert with_team < 0.95 * without, (with_team, without)


@pytest.mark.xfail(strict=True, reason=(
    "the size fell once reps could keep every waiting and held customer (the held table had 32 places): "
    "pushed out with / without the team bonus on seeds 1-3, 4-6, 7-9: 476/506, 455/597, 486/523 "
    "(0.94, 0.76, 0.93); with 32 places 475/605, 418/557, 420/555 (0.79, 0.75, 0.76)"))
def test_a_team_bonus_holds_back_a_sixth_of_the_deals_pushed_out():
    """The size the effect had with 32 places for held customers: on seeds 1-3, at least 15% fewer
    deals pushed out with the team bonus than without."""
    with_team, without = _pushed_out_with_and_without_team_bonus((1, 2, 3))
    assert with_team < 0.85 * without


@pytest.mark.parametrize("refund_rate", [
    0.0,
    pytest.param(0.5, marks=pytest.mark.xfail(strict=True, reason=(
        "holds only while refunds leave a mis-sale's credit alone in reps' eyes: mis-selling rate with one "
        "winner / four, seeds 1-3 of 120 reps and a year: refund rate 0: 3.79/2.97, 0.25: 2.57/2.29, the "
        "default 0.5: 1.69/1.92, 1: 0.82/1.06 (docs/model.md, Contests)"))),
])
def test_fewer_winners_draw_more_mis_selling(refund_rate):
    """Gaba and Kalra (1999): the fewer a contest's winners, the more contestants take risky
    choices to get past the line. With one winner per branch of ten, reps mis-sell more than with
    four, at the same prize, where complaining mis-sold customers are not refunded; where half are
    (the default), a refund inside the quarter takes the sale's credit out of the contest, reps
    weigh that, and the effect is gone."""
    def rate(winners: int) -> float:
        return np.mean([run(scenario("contest", "force.size=120", "horizon_years=1", f"plan.contest.winners={winners}",
                                     f"market.mis_selling.refund_rate={refund_rate}"),
                            seed=s).summary["internal_process"]["mis_selling_rate"] for s in (1, 2, 3)])
    assert rate(1) > 1.1 * rate(4)


# Two products with the same sales cycle and the same expected $ per unit of effort at any mix
# (constant returns to focus): "enterprise" lumpy (few $20,000 deals), "standard" smooth (many $2,000).
SAME_PACE_PRODUCTS = (
    "products.standard={price: 2000, margin: 0.35, win_rate: 0.4, leads_per_day: 5.0, cycle_days: 5, cycle_spread: 0.5}",
    "products.enterprise={price: 20000, margin: 0.35, win_rate: 0.25, leads_per_day: 0.8, cycle_days: 5, cycle_spread: 0.5}",
    "market.focus_returns=1.0",
)


LUMPY = ("force.size=120", "horizon_years=1", *SAME_PACE_PRODUCTS)


@pytest.fixture(scope="module")
def lumpy_contest():
    """Contests on two products that bring the same expected $ per unit of effort and close equally
    fast, one lumpy and one smooth (four seeds of 120 reps and a year): one winner per branch of ten
    (ranked), four winners, and no prize (ranked)."""
    seeds = (1, 2, 3, 4)
    one = with_branch_rank(pooled("contest", seeds, *LUMPY, "plan.contest.winners=1"))
    four = pooled("contest", seeds, *LUMPY, "plan.contest.winners=4")
    off = with_branch_rank(pooled("contest", seeds, *LUMPY, "plan.contest.prize=0"))
    return one, four, off


def _behind_the_winner(rows: pd.DataFrame) -> float:
    return rows[(rows["rank"] >= 1) & (rows["rank"] < 4)]["focus_enterprise"].mean()


def test_one_winner_contest_draws_reps_just_outside_the_line_to_the_lumpy_product(lumpy_contest):
    """Gaba and Kalra (1999, Marketing Science 18(3)): people facing a contest with few winners
    choose riskier, higher-variance options, more so the fewer the winners. Risk-averse reps on
    straight commission sell the smooth product; a quarterly contest with one winner per branch of
    ten draws the reps ranked just behind the winner (ranks 2-4) towards the lumpy one (a wider
    spread of their contest sales raises their chance of passing the uncertain line), while the
    leaders, who would lose by a spread, take a third as much or less (the next test, an expected
    failure on these seeds); and the force takes more of the lumpy product with one winner than with four."""
    one, four, off = lumpy_contest
    outside_one = _behind_the_winner(one)
    assert outside_one > 1.5 * _behind_the_winner(off), (outside_one, _behind_the_winner(off))
    assert one["focus_enterprise"].mean() > four["focus_enterprise"].mean()


@pytest.mark.xfail(strict=True, reason=(
    "holds on three of four sets of four seeds once the line's spread is reckoned on the range it can "
    "fall in (64 points): share of effort on the lumpy product at ranks 2-4 / the leaders, seeds 1-4: "
    "0.0246 / 0.0090 (2.7x), 5-8: 0.0386 / 0.0115 (3.4x), 9-12: 0.0387 / 0.0083 (4.7x), 13-16: "
    "0.0421 / 0.0052 (8.1x); with 96 points over all rivals' range the leaders took 0.003-0.007; "
    "docs/model.md, Contests"))
def test_the_leaders_of_a_one_winner_contest_take_a_third_as_much_of_the_lumpy_product_or_less(lumpy_contest):
    """Gaba and Kalra (1999): a contestant ahead of the line loses by a wider spread of its results, so
    under one winner per branch the leaders put at most a third of the share of effort on the lumpy
    product that the reps just behind them (ranks 2-4) do."""
    one, _, _ = lumpy_contest
    assert _behind_the_winner(one) > 3 * one[one["rank"] == 0]["focus_enterprise"].mean()


@pytest.fixture(scope="module")
def lumpy_contest_sixteen_seeds(lumpy_contest):
    """`lumpy_contest`'s one winner a branch and no prize, pooled over sixteen seeds: its seeds 1-4 and 5-16
    (ranks are within a seed's period, so the frames join as they are)."""
    seeds = tuple(range(5, 17))
    one, _, off = lumpy_contest
    more_one = with_branch_rank(pooled("contest", seeds, *LUMPY, "plan.contest.winners=1"))
    more_off = with_branch_rank(pooled("contest", seeds, *LUMPY, "plan.contest.prize=0"))
    return pd.concat([one, more_one], ignore_index=True), pd.concat([off, more_off], ignore_index=True)


def test_the_draw_to_the_lumpy_product_is_a_point_and_a_half_of_effort_or_more(lumpy_contest_sixteen_seeds):
    """The size of the draw: ranks 2-4 put at least 1.5 points more of their effort on the lumpy product
    than the same ranks without the contest, over sixteen seeds. Over four sets of four seeds: +0.0154 (a
    narrow pass), +0.026, +0.020, +0.018 (0.025-0.042 against 0.009-0.024) on AVX-512 machines; on an
    AVX2-only one, whose last bits differ (scripts/table_hashes.py), seeds 1-4 gave +0.0097, so one set of
    four seeds is too few to judge a size this close to its bound; sixteen there gave +0.0172 (0.035
    against 0.018). While the line's spread was reckoned on
    96 points over every rival's range, and deal timing weighed the prize, it was +0.014 on seeds 1-4
    (0.023 against 0.009; docs/model.md, Contests)."""
    one, off = lumpy_contest_sixteen_seeds
    assert _behind_the_winner(one) > _behind_the_winner(off) + 0.015


def test_threshold_contest_pays_everyone_past_the_level():
    res = run(scenario("contest", "force.size=40", "horizon_years=0.5", "plan.contest.kind=threshold",
                       "plan.contest.level=1.1"), seed=1)
    rows = complete(res)
    winners = rows["contest_prize"] > 0
    assert winners.any()
    assert (rows.loc[winners, "attainment"] >= 1.1 - 1e-9).all()
    assert (rows.loc[~winners, "attainment"] < 1.1).all()


def test_rank_helpers_pick_the_line_each_rep_must_pass():
    group = np.array([0, 0, 0, 1, 1])
    score = np.array([3.0, 1.0, 2.0, 5.0, 4.0])
    assert list(rank_in_group(group, score)) == [0, 2, 1, 0, 1]
    sure = np.full(5, 1e-6)  # results known: the line to within half a step of its grid
    step = 1.0 / (LINE_GRID - 1)  # the grid spans the (k+1)-th best score to the k-th: 1 in both groups here
    line, var = kth_best_of_others(group, score, sure, 1, 2)  # one prize: pass the best of the others
    assert np.allclose(line, [2.0, 3.0, 3.0, 4.0, 5.0], atol=step / 2) and np.all(var < step**2)
    line, _ = kth_best_of_others(group, score, sure, 2, 2)
    assert np.allclose(line[:3], [1.0, 2.0, 1.0], atol=step / 2)
    assert np.all(line[3:] < -1e29)  # no more competitors than places: no line
    # three equal rivals, each Normal(1, 0.3^2): the best of them is 1 + 0.846 x 0.3 on average,
    # less spread than any one of them
    line, var = kth_best_of_others(np.zeros(4, dtype=np.int64), np.array([1.0, 1.0, 1.0, 9.0]), np.full(4, 0.3), 1, 1)
    assert line[3] == pytest.approx(1.0 + 0.8463 * 0.3, abs=2e-3)
    assert 0.0 < var[3] < 0.3**2


# ------------------------------------------------------------------------------- team quotas


def test_team_bonus_lowers_individual_effort_most_in_big_teams():
    """Holmstrom (1982): a reward shared by a team dilutes each member's incentive, the more so the
    less one member's effort matters to the team's result. The same $4,000 quarterly bonus paid
    on the branch's quota draws less effort than paid on each rep's own quota, and less in
    branches of 20 (one rep's sales barely move the team's chance) than in branches of 3."""
    seeds = (1, 2)
    common = ("force.size=120", "horizon_years=1")
    big = pooled("team_quota", seeds, *common)
    small = pooled("team_quota", seeds, *common, "force.network.branch_size=3")
    individual = pooled("team_quota", seeds, *common, "plan.team.amount=0", "plan.bonus=4000")
    assert big["effort"].mean() < small["effort"].mean() < individual["effort"].mean()
    assert big["effort"].mean() < 0.92 * individual["effort"].mean()
    assert big["team_bonus"].sum() > 0


# ------------------------------------------------------------------ individual quotas and reset


def test_territory_quotas_narrow_the_attainment_spread_across_territories():
    """Zoltners, Sinha and Lorimer (2006): quotas set from objective territory potential are
    fairer than one quota for all: attainment no longer tracks how rich the territory is."""
    for seed in (1, 2):
        fair = run(scenario("individual_quotas", "force.size=80", "quota.reset=null"), seed=seed).summary
        uniform = run(scenario("individual_quotas", "force.size=80", "quota.reset=null", "quota.policy=fixed"),
                      seed=seed).summary
        assert (fair["internal_process"]["attainment_spread_territory"]
                < 0.6 * uniform["internal_process"]["attainment_spread_territory"])


def test_quota_reset_in_a_recession_keeps_quotas_within_reach():
    """Zoltners, Sinha and Lorimer (2006): re-setting quotas when the market shifts keeps them
    reachable: during the recession more reps make quota and they give up less (work harder)."""
    recession = 21 * 15
    rows = {}
    for label, extra in (("reset", ()), ("kept", ("quota.reset=null",))):
        frame = pooled("individual_quotas", (1, 2), "force.size=80", *extra)
        rows[label] = frame[frame["end_day"] >= recession]
    hit = {k: (v["attainment"] >= 1.0).mean() for k, v in rows.items()}
    assert hit["reset"] > hit["kept"] + 0.1
    assert rows["reset"]["effort"].mean() > rows["kept"]["effort"].mean()


# ------------------------------------------------------------------------------------- draws


def early_quit_share(rows: pd.DataFrame, within: int = 378, hired_before: int = 504) -> float:
    """Share of reps hired in the run's first two years who quit within 18 months of joining."""
    rows = rows.assign(hire_day=rows["end_day"] - rows["tenure_days"])
    new = rows[(rows["hire_day"] >= 0) & (rows["hire_day"] < hired_before)]
    quitters = new.loc[new["quit"] & (new["tenure_days"] <= within), "rep_id"].nunique()
    return quitters / max(new["rep_id"].nunique(), 1)


def test_draw_lowers_new_hires_quitting():
    """Zoltners, Sinha and Lorimer (2006): a draw carries new salespeople through the ramp-up,
    when their commissions are small, and so keeps more of them. Here new hires weigh the pay
    they have seen against their outside option (Lazear 2000): with a guarantee or a recoverable
    draw fewer of them quit in their first 18 months than with no draw."""
    share = {}
    for label, extra in (("guarantee", ()), ("advance", ("plan.draw.recoverable=true",)),
                         ("none", ("plan.draw.amount=0",))):
        share[label] = np.mean([early_quit_share(run(scenario("draw", "force.size=200", *extra), seed=s).rep_periods)
                                for s in range(1, 7)])
    assert share["guarantee"] < 0.85 * share["none"]
    assert share["advance"] < 0.85 * share["none"]


def test_recoverable_draw_is_paid_back_from_later_earnings():
    res = run(scenario("draw", "force.size=120", "plan.draw.recoverable=true"), seed=2)
    rows = res.rep_periods
    assert rows["draw_paid"].sum() > 0
    assert rows["draw_recovered"].sum() < 0  # recoveries are negative pay
    assert -rows["draw_recovered"].sum() <= rows["draw_paid"].sum() + 1e-6
    pay = rows["base"] + rows["commission"] + rows["bonus"] - rows["clawback"] + rows["draw_paid"] + rows["draw_recovered"]
    assert np.allclose(pay, rows["pay"])


# --------------------------------------------------------------------- off reproduces exactly


OFF = [
    ("contest", ("plan.contest.prize=0",), ("plan.contest=null",)),
    ("team_quota", ("plan.team.amount=0",), ("plan.team=null",)),
    ("draw", ("plan.draw.amount=0",), ("plan.draw=null",)),
    ("individual_quotas", ("quota.reset=null",), ("quota.reset=null", "quota.reset=null")),
]


@pytest.mark.parametrize("name, off, without", OFF, ids=[o[0] for o in OFF])
def test_a_lever_switched_off_reproduces_the_scenario_without_it(name, off, without):
    common = ("force.size=30", "horizon_years=0.5")
    a = run(scenario(name, *common, *off), seed=5)
    b = run(scenario(name, *common, *without), seed=5)
    pd.testing.assert_frame_equal(a.daily, b.daily, check_exact=True)
    pd.testing.assert_frame_equal(a.rep_periods, b.rep_periods, check_exact=True)


def test_existing_scenarios_have_no_lever_columns():
    res = run(scenario("baseline", "force.size=20", "horizon_years=0.25"), seed=1)
    assert not {"contest_prize", "team_bonus", "draw_paid", "draw_recovered"} & set(res.rep_periods)


# ---------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("overrides, field", [
    (("plan.contest={prize: 100, period: month}",), "plan.contest.period"),
    (("plan.contest={prize: 100, kind: lottery}",), "plan.contest.kind"),
    (("plan.contest={prize: -5}",), "plan.contest.prize"),
    (("plan.contest={prize: 100, winners: 0}",), "plan.contest.winners"),
    (("plan.contest={prize: 100, winners: 10, scope: branch}",), "plan.contest.winners"),
    (("plan.team={amount: 100}", "plan.contest={prize: 100}"), "plan.team"),
    (("plan.stacked_bonus={amount: 100}", "plan.team={amount: 100}"), "plan.stacked_bonus"),
    (("plan.draw={amount: 100, months: 0}",), "plan.draw.months"),
    (("plan.draw={amount: 100, recoverble: true}",), "plan.draw.recoverble"),
    (("quota.reset={threshold: 2}",), "quota.reset.threshold"),
    (("quota.policy=ratchet", "quota.reset={}"), "quota.reset"),
])
def test_bad_lever_input_names_the_file_and_the_field(overrides, field):
    with pytest.raises(ScenarioError) as err:
        scenario("baseline", *overrides)
    text = str(err.value)
    assert "baseline.yaml" in text and field in text


# --------------------------------------------------------------------------- business models


def test_subscription_is_judged_by_recurring_revenue_churn_and_lifetime_value():
    """Mis-sold subscribers churn fast (Sears- and Wells Fargo-style harm shows up as churn):
    with mis-selling possible, monthly churn is higher and a $ of new ARR is worth less."""
    honest = run(scenario("subscription", "force.size=40", "horizon_years=2",
                          "market.mis_selling.share_of_declines=0"), seed=1).summary["business_model"]
    mis_sold = run(scenario("subscription", "force.size=40", "horizon_years=2"), seed=1).summary["business_model"]
    for figures in (honest, mis_sold):
        assert figures["model"] == "subscription"
        assert 0 < figures["arr_end"] and 0 < figures["monthly_churn"] < 0.1
    assert mis_sold["monthly_churn"] > honest["monthly_churn"]
    assert mis_sold["lifetime_value_per_arr_dollar"] < honest["lifetime_value_per_arr_dollar"]


def test_service_is_judged_by_billed_work_and_utilisation():
    res = run(scenario("service", "force.size=30", "horizon_years=1"), seed=1)
    figures = res.summary["business_model"]
    assert figures["model"] == "service"
    assert figures["billable_hours"] == pytest.approx(figures["billed_work"] / 175)
    assert 0 < figures["utilisation"] < 1.5
    assert run(scenario("baseline", "force.size=20", "horizon_years=0.25"), seed=1).summary["business_model"]["model"] == "product"


# ------------------------------------------------------------------------ static what-if pay


@pytest.mark.parametrize("name, overrides, column", [
    ("contest", (), "contest_prize"),
    ("team_quota", (), "team_bonus"),
    ("draw", (), "draw_paid"),
    ("activity_goals", (), "activity_pay"),
    ("activity_targets", (), "activity_target_bonus+activity_pay"),
    ("product_launch", ("plan.spif={suite: 400}",), "spif_pay"),
    ("baseline", ("plan.product_quota={product: enterprise, units: 2, bonus: 900}",), "product_quota_bonus"),
])
def test_static_what_if_pays_the_levers_as_the_run_did_on_its_own_sales(name, overrides, column):
    """The comparison's static what-if (`salesim compare`) prices every lever on another run's
    rows; on the run's own rows it pays what the run paid (activity pay less only the padding
    audits clawed back)."""
    sc = scenario(name, "force.size=60", "horizon_years=1", *overrides)
    rows = run(sc, seed=4).rep_periods
    variable = (rows["commission"] + rows["bonus"] - rows["clawback"]).to_numpy()
    static = static_pay(sc, rows, variable)
    assert not static.unpriced
    paid = sum(rows[c].sum() for c in column.split("+"))
    assert rows[column.split("+")[0]].sum() > 0
    assert static.pay.sum() == pytest.approx(paid, rel=0.03)
    assert static_pay(scenario("baseline"), rows, variable).pay is None


def test_static_what_if_names_what_it_cannot_price():
    """Activity pay cannot be priced on runs that logged no activities: the what-if says so."""
    rows = run(scenario("baseline", "force.size=20", "horizon_years=0.5"), seed=1).rep_periods
    variable = (rows["commission"] + rows["bonus"]).to_numpy()
    price = static_pay(scenario("activity_goals"), rows, variable)
    assert "do not log" in price.unpriced