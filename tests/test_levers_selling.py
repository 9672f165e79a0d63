"""Levers from selling practice (issue 9): activity pay and activity targets and their gaming,
new-product launches with their launch incentives (SPIF, activity pay, product quota).

Each lever's effect must come out of the reps' weighing in the direction its source reports, on
its shipped scenario; a lever switched off must give the scenario without it bit for bit; bad
files must be refused with the file and the field.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, small

from simulator import ScenarioError, load_scenario, run
from simulator.analysis.risk import verdicts

pytestmark = pytest.mark.slow  # findings over whole runs

SEEDS = (1, 2, 3)
NO_ACTIVITY_PAY = "plan.activity_pay={}"
SPIF = ("plan.spif={suite: 600}", "plan.spif_window=[126, 252]")
DEMO_PAY = ("plan.activity_pay={suite_demos: 40}",)
PRODUCT_QUOTA = ("plan.product_quota={product: suite, units: 2, bonus: 2500, from_day: 126}",)
NO_TARGET = "plan.activity_target=null"


def mean_over_seeds(name, *overrides, figure, size=80, years=1.0, section="internal_process"):
    """A scorecard figure's mean over SEEDS."""
    values = [run(small(name, *overrides, size=size, years=years), seed).summary[section][figure] for seed in SEEDS]
    return float(np.nanmean(values))


def assert_same_tables(a, b, columns_of=None):
    """Identical daily and rep-period tables (on `columns_of`'s columns when given)."""
    for left, right in ((a.daily, b.daily), (a.rep_periods, b.rep_periods)):
        if columns_of is not None:
            left = left[[c for c in right.columns]]
        pd.testing.assert_frame_equal(left, right, check_exact=True)


# ----------------------------------------------------------------------------- activity pay


@pytest.fixture(scope="module")
def activity_runs():
    """activity_goals with and without its activity pay, over SEEDS."""
    return {
        paid: [run(small("activity_goals", *(() if paid else (NO_ACTIVITY_PAY,)), size=80), s).summary for s in SEEDS]
        for paid in (True, False)
    }


def _mean(summaries, figure, section="internal_process"):
    return float(np.nanmean([s[section][figure] for s in summaries]))


def test_activity_pay_raises_logged_activities_and_padding_and_lowers_sales_per_activity(activity_runs):
    """Kerr (1975), "On the folly of rewarding A while hoping for B", and Anderson and Oliver (1987)
    on behaviour-based pay: paying per logged activity buys more activities (reps work harder:
    activity pay is valued beside commission) and invites logging activities that never happened,
    so credited sales per logged activity fall."""
    paid, unpaid = activity_runs[True], activity_runs[False]
    assert _mean(paid, "activities_logged_per_rep_year") > 1.15 * _mean(unpaid, "activities_logged_per_rep_year")
    assert _mean(paid, "activities_per_rep_year") > _mean(unpaid, "activities_per_rep_year")
    assert _mean(paid, "effort_mean") > _mean(unpaid, "effort_mean")
    assert _mean(unpaid, "activity_padding_share") == 0.0
    assert _mean(paid, "activity_padding_share") > 0.02
    assert _mean(paid, "sales_per_logged_activity") < 0.95 * _mean(unpaid, "sales_per_logged_activity")
    assert _mean(paid, "activity_pay") > 0


def test_pay_per_demo_moves_focus_to_the_product_demos_sell(activity_runs):
    """What is paid for is what is done (Kerr 1975): demos come only from enterprise selling, so
    paying per demo raises enterprise's share of sales, through the focus choice's valuation."""
    assert _mean(activity_runs[True], "sales_share_enterprise") > _mean(activity_runs[False], "sales_share_enterprise") + 0.03


def test_activity_gaming_is_a_named_risk(activity_runs):
    """The risk verdicts name activity gaming: raised on activity_goals, low without activity pay."""
    level = {paid: next(v for v in verdicts(s) if v.risk == "activity_gaming").level for paid, s in activity_runs.items()}
    assert level[True] in ("elevated", "high") and level[False] == "low"


def test_audits_find_padding_and_deter_it():
    """Padding is weighed like any misconduct (Becker 1968: the expected sanction deters): audits
    find some of it where they are rare, and frequent audits make it not worth the risk."""
    rare = [run(small("activity_goals", size=80), s).summary["internal_process"] for s in SEEDS]
    assert sum(s["padding_found_share"] > 0 for s in rare) >= 2
    frequent = mean_over_seeds("activity_goals", "management.detection.audit_rate=0.002", figure="activity_padding_share")
    assert frequent < 0.25 * float(np.mean([s["activity_padding_share"] for s in rare]))


def test_found_padding_is_clawed_back_and_activity_pay_is_in_the_cost():
    """Audits are rare (about ten a year in a force of 200), so two seeds are pooled before
    asking that some padding was found and its pay taken back."""
    results = [run(small("activity_goals", size=200), seed) for seed in (1, 2)]
    assert sum(r.daily["padding_clawback"].sum() for r in results) > 0
    result = results[0]
    rows = result.rep_periods
    paid = rows["activity_pay"].sum()
    assert paid > 0
    assert np.allclose(rows["pay"], rows["base"] + rows["commission"] + rows["bonus"] - rows["clawback"] + rows["activity_pay"])
    assert rows["activities_logged"].sum() == pytest.approx(rows["activities"].sum() + rows["activities_padded"].sum())


# ----------------------------------------------------------------------------- activity targets


@pytest.fixture(scope="module")
def target_runs():
    """activity_targets with and without its calls target, over SEEDS: rep-period tables."""
    return {
        on: pd.concat([run(small("activity_targets", *(() if on else (NO_TARGET,)), size=80), s).rep_periods
                       for s in SEEDS])
        for on in (True, False)
    }


def test_activity_target_raises_logged_calls_and_effort(target_runs):
    """Goal-setting (Locke and Latham 2002) on a behaviour-based goal (Anderson and Oliver 1987):
    a calls target with a bonus, weighed like any goal by the chance of reaching it, makes reps
    work harder and log more calls than the same plan without it; most reps who reach it land
    just above it (bunching at the threshold)."""
    with_target, without = target_runs[True], target_runs[False]
    assert with_target.logged_calls.mean() > 1.05 * without.logged_calls.mean()
    assert with_target.effort.mean() > 1.05 * without.effort.mean()
    assert "activity_target" not in without  # the lever's columns only when it is on
    reached = with_target[with_target.activity_target_bonus > 0]
    attained = reached.activity_target_count / reached.activity_target
    assert attained.between(1.0, 1.1).mean() > 0.3


def test_activity_padding_bunches_just_short_of_the_target(target_runs):
    """Kerr (1975), "On the folly of rewarding A while hoping for B", and Schweitzer, Ordonez and
    Douma (2004) on misconduct just short of goals: reps whose real calls fall just short of the
    target pad their call logs far more often than reps who reached it by real calls or were far
    from it."""
    rows = target_runs[True]
    rows = rows[rows.activity_target > 0]
    done = rows.activity_target_done / rows.activity_target  # real calls, before padding
    padded = rows.activity_target_padded > 0
    just_short, above, far = padded[done.between(0.7, 1.0, inclusive="left")], padded[done >= 1.0], padded[done < 0.6]
    assert len(just_short) >= 10 and len(far) >= 10
    assert just_short.mean() > 0.5
    assert just_short.mean() > 5 * above.mean()
    assert far.mean() < 0.05


# ------------------------------------------------------------------------------ product launch


@pytest.fixture(scope="module")
def launch_plans():
    """product_launch under each launch plan, over SEEDS: scorecards."""
    plans = {"none": (), "spif": SPIF, "demo_pay": DEMO_PAY, "product_quota": PRODUCT_QUOTA}
    return {name: [run(small("product_launch", *o, size=80, years=1.5), s).summary for s in SEEDS]
            for name, o in plans.items()}


def test_a_launch_spif_raises_adoption_speeds_the_ramp_and_cannibalises_the_old_products(launch_plans):
    """A SPIF changes the focus choice through the value of a unit of the new product: reps sell
    it, awareness spreads faster (Bass 1969, driven by selling) and they climb its learning curve,
    so adoption outlasts the SPIF, while the old products lose sales to it (cannibalisation)."""
    none, spif = launch_plans["none"], launch_plans["spif"]
    assert _mean(spif, "launch_adoption") > _mean(none, "launch_adoption") + 0.2
    assert _mean(spif, "launch_awareness_end") > _mean(none, "launch_awareness_end")
    assert _mean(spif, "launch_cannibalisation") > _mean(none, "launch_cannibalisation") + 0.05
    ramp_spif = _mean(spif, "launch_days_to_ramp")
    assert all(not np.isnan(s["internal_process"]["launch_days_to_ramp"]) for s in spif) and ramp_spif < 189


def test_activity_pay_and_a_product_quota_also_raise_adoption_at_less_cannibalisation(launch_plans):
    """Rewarding the launch's activities (demos) or setting a separate product goal raises adoption
    over no incentive, and less forcefully than a strong SPIF (Zoltners, Sinha and Lorimer 2006 on
    launch incentives)."""
    none = _mean(launch_plans["none"], "launch_adoption")
    for plan in ("demo_pay", "product_quota"):
        assert _mean(launch_plans[plan], "launch_adoption") > none + 0.05, plan
        assert _mean(launch_plans[plan], "launch_cannibalisation") < _mean(launch_plans["spif"], "launch_cannibalisation")


def test_nothing_of_a_launched_product_sells_before_launch_and_reps_learn_it_after():
    result = run(small("product_launch", *SPIF, size=40, years=1.5), 1)
    daily = result.daily
    assert daily.loc[daily["day"] < 126, "bookings_suite"].sum() == 0
    assert daily.loc[daily["day"] >= 126, "bookings_suite"].sum() > 0
    learning = daily["learning_suite"]
    assert learning.iloc[126] < learning.iloc[-1] <= 1.0
    assert daily["awareness_suite"].iloc[125] == 0 and daily["awareness_suite"].iloc[-1] > daily["awareness_suite"].iloc[126]


def test_product_quota_pays_its_bonus_only_when_reached():
    rows = run(small("product_launch", *PRODUCT_QUOTA, size=40, years=1.5), 1).rep_periods
    paid = rows["product_quota_bonus"] > 0
    assert paid.any() and (rows.loc[paid, "product_units"] >= rows.loc[paid, "product_quota"] - 1e-9).all()
    assert (rows.loc[rows["end_day"] < 126, "product_quota_bonus"] == 0).all()
    assert np.allclose(rows["pay"], rows["base"] + rows["commission"] + rows["bonus"] - rows["clawback"]
                       + rows["product_quota_bonus"] + rows.get("activity_pay", 0))


# ------------------------------------------------------------------------------ levers off


def test_levers_switched_off_reproduce_the_scenario_exactly():
    """Off, a lever draws no random numbers and changes no arithmetic: the same tables."""
    base = run(small("baseline", size=30, years=0.5), 4)
    off = run(small("baseline", "plan.spif={standard: 0}", "plan.activity_pay={}", "plan.spif_window=[0, 10]",
                    size=30, years=0.5), 4)
    assert_same_tables(off, base)
    # activity_goals without activities, and with activities logged but not paid for
    assert_same_tables(run(small("activity_goals", NO_ACTIVITY_PAY, "market.activities={}", size=30, years=0.5), 4), base)
    assert_same_tables(run(small("activity_goals", NO_ACTIVITY_PAY, size=30, years=0.5), 4), base, columns_of=base)
    # a product quota with no bonus
    launch = run(small("product_launch", size=30, years=1.2), 4)
    no_bonus = run(small("product_launch", "plan.product_quota={product: suite, units: 2, bonus: 0}", size=30,
                         years=1.2), 4)
    assert_same_tables(no_bonus, launch, columns_of=launch)


def test_activity_target_switched_off_reproduces_the_scenario_exactly():
    """Switching a lever off reproduces the scenario without it exactly (issue 9): activity_targets
    with `plan.activity_target=null` is activity_goals without pay per call, and a target with no
    bonus changes nothing but adds its columns."""
    plain = run(small("activity_goals", "plan.activity_pay.calls=0", size=30, years=0.5), 4)
    assert_same_tables(run(small("activity_targets", NO_TARGET, size=30, years=0.5), 4), plain)
    no_bonus = run(small("activity_targets", "plan.activity_target.bonus=0", size=30, years=0.5), 4)
    assert_same_tables(no_bonus, plain, columns_of=plain)


def test_a_launch_on_day_zero_at_full_awareness_and_skill_is_no_launch():
    """The per-rep leads table of a launch gives exactly the products' own leads when nothing is
    left to learn or spread."""
    plain = run(small("product_launch", "market.launch=null", size=30, years=0.5), 5)
    full = run(small("product_launch", "market.launch={product: suite, day: 0, awareness_start: 1, productivity_start: 1}",
                     size=30, years=0.5), 5)
    assert_same_tables(full, plain, columns_of=plain)


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("override,field", [
    ("plan.activity_pay={meetings: 5}", "plan.activity_pay"),
    ("plan.activity_pay={calls: -1}", "plan.activity_pay.calls"),
    ("market.activities.calls.product=gadget", "market.activities.calls.product"),
    ("market.activities.calls.per_effort=0", "market.activities.calls.per_effort"),
    ("plan.spif={gadget: 100}", "plan.spif"),
    ("plan.spif_window=[300, 200]", "plan.spif_window"),
    ("plan.product_quota={product: gadget, units: 2, bonus: 100}", "plan.product_quota.product"),
    ("plan.product_quota={product: standard, units: 0, bonus: 100}", "plan.product_quota.units"),
    ("market.launch={product: gadget, day: 10}", "market.launch.product"),
    ("market.launch={product: standard, day: -1}", "market.launch.day"),
    ("market.launch={product: standard, day: 10, when: 3}", "market.launch.when"),
    ("plan.activity_target={activity: meetings, count: 60, bonus: 500}", "plan.activity_target.activity"),
    ("plan.activity_target={activity: calls, count: 0, bonus: 500}", "plan.activity_target.count"),
    ("plan.activity_target={activity: calls, count: 60, bonus: -1}", "plan.activity_target.bonus"),
    ("plan.activity_target={activity: calls, count: 60, bonus: 500, per: month}", "plan.activity_target.per"),
])
def test_bad_lever_settings_are_refused_naming_file_and_field(override, field):
    assert_refused("activity_goals", override, field)


def assert_refused(name: str, override: str, field: str) -> None:
    """Loading the scenario with the override fails with an error naming the file and the field."""
    path = SCENARIOS / f"{name}.yaml"
    with pytest.raises(ScenarioError) as err:
        load_scenario(path, [override])
    assert str(path) in str(err.value) and field in str(err.value)


# ------------------------------------------------------------------------- skills and training


@pytest.fixture(scope="module")
def training_runs():
    """training.yaml with and without its courses, over SEEDS."""
    return {trained: [run(small("training", *(() if trained else ("management.training=null",)), size=80), s)
                      for s in SEEDS] for trained in (True, False)}


def test_training_raises_skills_win_rates_and_customer_trust_at_its_cost(training_runs):
    """Sales training in relationship skills raises the skills, and through them win rates
    (adaptive selling: Weitz, Sujan and Sujan 1986) and customers' trust in their rep
    (relationship quality: Crosby, Evans and Cowles 1990); reps who win more value effort more,
    so revenue rises; the courses' cost is counted in the cost of sales."""
    def mean(trained, section, figure):
        return float(np.mean([r.summary[section][figure] for r in training_runs[trained]]))
    assert mean(True, "learning_growth", "skill_end") > mean(False, "learning_growth", "skill_end") + 0.15
    assert mean(True, "learning_growth", "win_rate_lift_end") > mean(False, "learning_growth", "win_rate_lift_end") + 0.1
    assert mean(True, "customer", "relationship_trust_end") > mean(False, "customer", "relationship_trust_end") + 0.1
    assert mean(True, "internal_process", "effort_mean") > mean(False, "internal_process", "effort_mean")
    assert mean(True, "financial", "revenue") > 1.05 * mean(False, "financial", "revenue")
    for result in training_runs[True]:
        fin, daily = result.summary["financial"], result.daily
        assert fin["training_cost"] == pytest.approx(3000 * daily["courses"].sum()) and fin["training_cost"] > 0
        assert fin["profit_after_comp_and_training"] == pytest.approx(fin["profit_after_comp"] - fin["training_cost"])
    assert all(r.summary["financial"]["training_cost"] == 0 for r in training_runs[False])


def test_training_shows_only_after_its_delay(training_runs):
    """A course is paid at once and raises skill `delay_days` (15) later: until then the trained
    and untrained forces are the same, day for day."""
    trained, untrained = training_runs[True][0].daily, training_runs[False][0].daily
    shared = [c for c in untrained.columns if c not in ("courses", "training_cost")]
    pd.testing.assert_frame_equal(trained.loc[:14, shared], untrained.loc[:14, shared], check_exact=True)
    assert trained["courses"].iloc[0] > 0
    assert trained["skill"].iloc[15] > untrained["skill"].iloc[15]


def test_skills_without_effects_or_training_reproduce_the_plain_scenario():
    """Skills that change nothing (no win or referral effect, no courses) leave every number as it
    was: the per-rep win table gives the products' own win rates, and skills draw from their own
    stream, not the run's."""
    base = run(small("baseline", size=30, years=0.5), 6)
    assert_same_tables(run(small("training", "force.skills=null", "management.training=null", "market.activities={}",
                                 size=30, years=0.5), 6), base)
    inert = run(small("training", "management.training=null", "force.skills.win_effect=0", "force.skills.referral_effect=0",
                      "force.skills.retention_effect=0", size=30, years=0.5), 6)
    assert_same_tables(inert, base, columns_of=base)


@pytest.mark.parametrize("override,field", [
    ("force.skills=null", "management.training needs force.skills"),
    ("force.skills.trust_days=0", "force.skills.trust_days"),
    ("force.skills.mean=1.5", "force.skills.mean"),
    ("management.training.every_days=0", "management.training.every_days"),
    ("management.training.gain=2", "management.training.gain"),
])
def test_bad_training_settings_are_refused_naming_file_and_field(override, field):
    assert_refused("training", override, field)


def test_paid_follow_ups_raise_customer_trust_and_retention():
    """After-sales follow-ups (contact intensity, Crosby, Evans and Cowles 1990) build customers'
    trust in their rep, which keeps them from cancelling; paying per follow-up makes reps do more."""
    def figures(*overrides):
        runs = [run(small("training", "management.training=null", *overrides, size=80), s) for s in SEEDS]
        out = {k: float(np.mean([r.summary[sec][k] for r in runs])) for sec, k in (
            ("internal_process", "activities_per_rep_year"), ("customer", "relationship_trust_end"))}
        out["cancel_rate"] = float(np.mean([r.daily["cancel_rate"].iloc[126:].mean() for r in runs]))  # the chance a sale is cancelled
        return out
    unpaid, paid = figures(), figures("plan.activity_pay={follow_ups: 15}")
    assert paid["activities_per_rep_year"] > 1.1 * unpaid["activities_per_rep_year"]
    assert paid["relationship_trust_end"] > unpaid["relationship_trust_end"] + 0.02
    assert paid["cancel_rate"] < 0.97 * unpaid["cancel_rate"]


def test_equal_cost_calibration_scales_activity_pay_spifs_and_unit_goal_bonuses():
    """Equal-cost comparisons rescale all variable pay: activity pay,
    SPIFs, the product quota's and the activity target's bonuses move with the plan's scale."""
    from simulator import Engine

    sets = ["plan.spif={standard: 40}", "plan.product_quota={product: enterprise, units: 2, bonus: 900}"]
    plain = Engine(small("activity_targets", *sets)).levers.by_name
    doubled = Engine(small("activity_targets", *sets).with_variable_scale(2.0)).levers.by_name
    activities, spif, quota = "activities", "spif", "product_quota"
    assert np.allclose(doubled[activities].pay, 2 * plain[activities].pay) and plain[activities].pay.any()
    assert doubled[activities].target_bonus == 2 * plain[activities].target_bonus > 0
    assert np.allclose(doubled[spif].spif, 2 * plain[spif].spif) and plain[spif].spif.any()
    assert doubled[quota].bonus == 2 * plain[quota].bonus == 1800
