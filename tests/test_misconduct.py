"""Misconduct, pressure and culture: what must emerge from the reps' weighing, and books that add up.

Nothing in the model writes in where or when misconduct happens; these tests check that the
patterns found in the field and the lab come out of the weighing of acts under the plan.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import small

from simulator import equal_cost_scale, run
from simulator.sim.engine import Engine
from simulator.world.network import offender_clustering

pytestmark = pytest.mark.slow  # findings over whole runs

# a quarterly world where fabrication is possible and rarely found
WEAK_DETECTION = ("market.fabrication.product=standard", "market.fabrication.per_day=2", "market.fabrication.fee=20",
                  "market.fabrication.complaint_rate=0.2", "management.detection.complaint_investigation=0.05")


def misconduct_rate(scenario, seeds=(1, 2)):
    return float(np.mean([run(scenario, s).summary["internal_process"]["misconduct_rate"] for s in seeds]))


def acts_by_attainment(scenario, seed=1):
    """Acts per rep-day near each period's end, by attainment at the moment of deciding."""
    engine = Engine(scenario, seed=seed)
    r = engine.reps
    attainment, acts = [], []
    while not engine.finished:
        for phase in engine.phases():  # the real day, looked at around the misconduct choice
            if phase == "misbehave":
                near_end = engine.ctx.days_left <= max(1, int(0.1 * engine.world.period_len))
                done = r.p_fabrications + r.p_mis_sales
                active = r.active.copy()
                standing = r.sales / r.quota
            elif phase == "cancel" and near_end:
                attainment.append(standing[active])
                acts.append((r.p_fabrications + r.p_mis_sales - done)[active])
    return np.concatenate(attainment), np.concatenate(acts)


@pytest.mark.parametrize("name,overrides", [("wells_fargo", ()), ("baseline", WEAK_DETECTION)])
def test_misconduct_peaks_just_short_of_the_goal_near_the_deadline(name, overrides):
    """Schweitzer, Ordonez and Douma (2004): people with unmet goals misrepresent most when they
    are close to the goal. Acts per rep-day near the period's end, by attainment when deciding,
    pooled over three seeds: how much is done at all tips with the first acts seen by peers
    (0.015 to 0.11 acts a rep-day just short of quota across seeds 1-3 under weak detection), while
    where it is done does not."""
    pooled = [acts_by_attainment(small(name, *overrides, size=200, years=1), seed=s) for s in (1, 2, 3)]
    attainment = np.concatenate([a for a, _ in pooled])
    acts = np.concatenate([n for _, n in pooled])
    just_short = acts[(attainment >= 0.7) & (attainment < 1.0)].mean()
    above = acts[attainment >= 1.0].mean()
    far_below = acts[attainment < 0.5].mean()
    assert just_short > 0.02
    assert just_short > 10 * max(above, 1e-4)
    assert just_short > 3 * far_below


def test_a_quota_with_bonus_breeds_more_misconduct_than_linear_commission_at_equal_cost():
    """Cadsby, Song and Tapon (2010): cheating concentrated under target-based pay, not piece
    rates. Same world, same expected pay cost."""
    bonus = small("baseline", *WEAK_DETECTION, size=150, years=1)
    linear = small("linear_commission", *WEAK_DETECTION, size=150, years=1)
    found = equal_cost_scale(linear, bonus, seeds=(1, 2), years=1)
    with_bonus = misconduct_rate(bonus, seeds=(1, 2, 3))
    without = misconduct_rate(linear.with_variable_scale(found.scale), seeds=(1, 2, 3))
    assert with_bonus > 0.05
    assert with_bonus > 5 * max(without, 1e-3)


def _by_difficulty(seeds) -> list[float]:
    return [misconduct_rate(small("wells_fargo", f"quota.difficulty={d}", size=200, years=1), seeds=seeds)
            for d in (0.9, 1.5)]


def test_misconduct_rises_with_goal_difficulty_and_pressure_and_falls_with_detection():
    """stylized fact 5 (Wells Fargo 2016): unrealistic goals plus pressure plus weak detection breed
    misconduct. Peer contagion makes a single run's count swing by a factor of five either way,
    so the difficulty contrast is averaged over twelve runs (measured: 1.31 -> 1.89 acts a rep a
    year, x1.44; six runs at a time give x1.31 and x1.61)."""
    reachable, unrealistic = _by_difficulty(range(1, 13))
    assert unrealistic > 1.25 * reachable, (reachable, unrealistic)
    light = misconduct_rate(small("wells_fargo", "management.pressure.cost=100", size=200, years=1))
    heavy = misconduct_rate(small("wells_fargo", size=200, years=1))
    assert heavy > 3 * light
    detected = misconduct_rate(small("wells_fargo", "management.detection.audit_rate=0.01",
                                     "management.detection.complaint_investigation=0.5", size=200, years=1))
    assert detected < 0.2 * heavy


@pytest.mark.xfail(strict=True, reason=(
    "the size fell once bankers could keep every waiting and held customer (the held table had 32 places), "
    "meeting more daily goals by holding customers back for short days: acts a rep a year at difficulty "
    "0.9 / 1.5, seeds 1-6: 1.43 / 1.87 (x1.31), seeds 7-12: 1.18 / 1.90 (x1.61) (before reps valued staying "
    "forward from the plan: x1.47 and x1.58); with 32 places 1.38 / 2.52 (x1.82) and 1.51 / 2.77 (x1.84); "
    "docs/model.md"))
def test_an_unrealistic_goal_breeds_half_again_as_much_misconduct():
    """The size the difficulty contrast had with 32 places for held customers: over six runs, half
    again as many acts under the unrealistic goal as under the reachable one."""
    reachable, unrealistic = _by_difficulty(range(1, 7))
    assert unrealistic > 1.5 * reachable


def test_misconduct_spreads_within_branches_in_the_wells_fargo_scenario():
    """Offenders' colleagues offend more often than random placement of the same number of
    offenders would give, and switching peer influence off cuts misconduct (Gino, Ayal and
    Ariely 2009; the spread branch by branch at Wells Fargo)."""
    ratios, with_peers, without_peers = [], [], []
    for seed in (1, 2):
        engine = Engine(small("wells_fargo", size=240, years=1), seed=seed).run()
        acts = engine.act_ledger.table(engine.world.products.names)
        offenders = np.zeros(engine.reps.n, dtype=bool)
        offenders[np.unique(acts.loc[acts["day"] >= 126, "slot"])] = True
        ratios.append(offender_clustering(*engine.world.network_csr, offenders, np.random.default_rng(seed)))
        with_peers.append(len(acts))
        alone = Engine(small("wells_fargo", "behaviour.ethics.peer_influence=0", size=240, years=1), seed=seed).run()
        without_peers.append(int(alone.act_ledger.count[0]))
    assert np.mean(ratios) > 1.5
    assert np.mean(with_peers) > 2 * np.mean(without_peers)


def test_removing_the_count_goals_collapses_misconduct():
    """Wells Fargo's reform (2016-2017): product sales goals eliminated, pay toward salary, real
    oversight. Six seeds: a branch network's misconduct varies tenfold from run to run (0.26 to 2.89
    acts a rep a year over seeds 1-6), so two seeds could put the mean on either side of 1."""
    seeds = range(1, 7)
    before = misconduct_rate(small("wells_fargo", size=200, years=1), seeds)
    after = misconduct_rate(small("wells_fargo_reformed", size=200, years=1), seeds)
    assert before > 1.0
    assert after < 0.05 * before


def test_sears_style_mis_selling_happens_under_quotas_and_stops_under_the_reform():
    before = run(small("sears_auto", size=120, years=1), 1)
    after = run(small("sears_auto_reformed", size=120, years=1), 1)
    assert before.summary["internal_process"]["mis_sales"] > 20
    assert before.summary["customer"]["complaints"] > 0
    assert after.summary["internal_process"]["mis_sales"] < 0.1 * before.summary["internal_process"]["mis_sales"]



def test_reps_who_underrate_detection_offend_more_and_where_detection_deters_the_others():
    """Becker (1968): a sanction deters as far as it is expected. `force.traits.detection_belief` scales
    the chance of being found that reps weigh (1, the default: as the world's rules make it). In
    Wells Fargo's world reps who believe a tenth of the true chance offend more than twice as much as
    reps whose beliefs follow the world, and reps who believe three times the chance almost never;
    under the detection that stops the others (audits 1% a day, half of complaints investigated)
    reps who underrate it still offend."""
    def rate(belief, *world):
        return misconduct_rate(small("wells_fargo", *world, f"force.traits.detection_belief={{mean: {belief}}}",
                                     size=200, years=1))
    accurate = rate(1.0)
    assert rate(0.1) > 2 * accurate > 0.5
    assert rate(3.0) < 0.1 * accurate
    watched = ("management.detection.audit_rate=0.01", "management.detection.complaint_investigation=0.5")
    assert rate(1.0, *watched) < 0.01
    assert rate(0.1, *watched) > 0.2


# Wells Fargo with more pressure and some real detection: plenty of acts, and plenty found
FOUND_OUT = ("management.pressure.cost=250", "management.detection.audit_rate=0.002",
             "management.detection.complaint_investigation=0.3")


@pytest.fixture(scope="module")
def wells_fargo_run():
    return run(small("wells_fargo", *FOUND_OUT, size=200, years=1), 3)


def test_fake_sales_never_count_as_real_revenue(wells_fargo_run):
    daily, acts, card = wells_fargo_run.daily, wells_fargo_run.acts, wells_fargo_run.summary
    fabricated = acts[acts["kind"] == "fabrication"]
    assert len(fabricated) > 50
    np.testing.assert_allclose(daily["revenue"], daily["bookings"] - daily["discounts"])
    assert daily["fake_credit"].sum() == pytest.approx(fabricated["credit"].sum())
    assert daily["fabrications"].sum() == len(fabricated)
    assert card["financial"]["revenue"] == pytest.approx(
        daily["revenue"].sum() - daily["cancellations"].sum() - daily["refunds"].sum())
    # fees are counted apart and given back when the fake account comes to light
    assert daily["fee_refunds"].sum() <= daily["fees"].sum()
    assert card["financial"]["fees_kept"] == pytest.approx(daily["fees"].sum() - daily["fee_refunds"].sum())


def test_reported_credit_and_clawbacks_add_up_once(wells_fargo_run):
    """Every credited $ a rep is paid on is a real booking or a fake one, less what was cancelled or
    found out in the same period; what is found out later is clawed back exactly once."""
    daily, rows = wells_fargo_run.daily, wells_fargo_run.rep_periods
    assert daily["detections"].sum() >= 10
    paid_on = rows["sales"].sum()
    booked = daily["credited"].sum() + daily["fake_credit"].sum()
    reversed_ = daily["credit_cancelled"].sum() + daily["credit_reversed"].sum()
    assert paid_on == pytest.approx(booked - reversed_, rel=1e-9)
    booked_clawbacks = daily["cancellation_clawback"].sum() + daily["misconduct_clawback"].sum()
    assert rows["clawback"].sum() == pytest.approx(booked_clawbacks, rel=1e-9)
    np.testing.assert_allclose(rows["pay"], rows["base"] + rows["commission"] + rows["bonus"] - rows["clawback"])


def test_trust_falls_with_complaints_and_demand_follows(wells_fargo_run):
    daily = wells_fargo_run.daily
    assert daily["complaints"].sum() > 0
    assert daily["trust"].min() < 1.0
    assert daily["trust_demand"].iloc[-1] < 1.0
    assert wells_fargo_run.summary["financial"]["revenue_lost_to_trust"] > 0


def test_detection_brings_warnings_dismissals_and_the_regulator():
    """Found acts bring warnings and, after repeated findings, dismissal; past the regulator's
    threshold every act found is fined. (Dismissal at the first finding deters every act here.)
    A run finds a rep twice only a few times, 0-3 in runs of seeds 3-10, so four runs are pooled."""
    results = [run(small("wells_fargo", *FOUND_OUT, "market.regulator.threshold_acts=5", size=200, years=1), seed)
               for seed in (3, 4, 5, 6)]
    assert sum(r.rep_periods["dismissed_for_misconduct"].sum() for r in results) > 0
    for result in results:
        acts, daily = result.acts, result.daily
        assert acts["detected"].sum() > 0
        assert (acts["detection_lag_days"].dropna() > 0).all()
        assert daily["fines"].sum() == pytest.approx(acts["fined"].sum() * 90.0)
        assert result.summary["internal_process"]["undetected_share"] < 1.0


def test_climate_levers_change_nothing_where_misconduct_is_impossible():
    """Audits, reports and sanctions in a world where no act is possible leave every number as it
    was (no random numbers are drawn for them)."""
    plain = run(small("baseline", size=40, years=1), 5)
    levers = run(small("baseline", "management.detection.audit_rate=0.05", "management.detection.whistleblowing=0.5",
                       "management.sanctions.tolerance=0.3", "force.network.manager_spread=0.8", size=40, years=1), 5)
    pd.testing.assert_frame_equal(plain.daily, levers.daily)
    pd.testing.assert_frame_equal(plain.rep_periods.drop(columns=["norm"]), levers.rep_periods.drop(columns=["norm"]))
    assert len(levers.acts) == 0
    assert (plain.daily["trust"] == 1.0).all()


def test_subscriptions_turn_bookings_into_recurring_revenue():
    """Without churn every booked $ becomes a year of recurring revenue, billed month by month.
    (Nobody leaves, so no deal is booked to the house after the last billing.)"""
    result = run(small("baseline", "market.business_model=subscription", "market.subscription.monthly_churn=0",
                       "market.subscription.churn_per_lost_trust=0", "behaviour.turnover.base_rate=0",
                       "behaviour.turnover.quit_rate=0", size=40, years=1), 1)
    daily, card = result.daily, result.summary["financial"]
    month_ends = daily[(daily["day"] + 1) % 21 == 0]
    assert 12 * month_ends["active_mrr"].iloc[-1] == pytest.approx(card["bookings_net"], rel=1e-9)
    assert card["revenue"] == pytest.approx(month_ends["active_mrr"].sum(), rel=1e-9)
    assert card["revenue"] < card["bookings_net"]  # a year of bookings is billed over the years that follow
    assert card["revenue_lost_to_churn"] == 0


def test_mis_sold_subscribers_churn_and_cost_recurring_revenue():
    before = run(small("sears_auto", "market.business_model=subscription", size=120, years=1), 1)
    after = run(small("sears_auto_reformed", "market.business_model=subscription", size=120, years=1), 1)
    assert before.summary["financial"]["revenue_lost_to_churn"] > 0
    assert after.summary["financial"]["revenue_lost_to_churn"] < 0.1 * before.summary["financial"]["revenue_lost_to_churn"]
