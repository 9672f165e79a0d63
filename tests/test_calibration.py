"""Calibration: a firm's history is read and checked, measured, and fitted back.

The recovery test is the estimator's proof: a "history" simulated at known parameter values on
one seed is fitted from the scenario's defaults on other seeds, and the truth must come back inside
a stated tolerance and inside the 95% interval. It is small (40 reps over two years, three runs a
candidate) so that it runs in the suite; docs/calibration.md gives the figures of larger panels.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtr

from simulator.calibration import moments as mom
from simulator.calibration.fit import SPREAD_RUNS, sandwich, widened
from simulator.calibration.objective import SimulatedMoments
from simulator.calibration.panel import PanelError, from_tables, read_history
from simulator.calibration.parameters import parse_bounds, resolve, schema_limits
from simulator.calibration.workflow import prepare, run_calibration
from simulator.cli import main
from simulator.experiments.design import scenario_for
from simulator.experiments.run import run
from simulator.experiments.runner import open_executor
from simulator.scenario import load_scenario

ROOT = Path(__file__).parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SMALL = ["force.size=40", "horizon_years=2"]
TRUTH = {"force.traits.effort_cost.mean": 130.0, "market.customers.period_end_discount": 0.05}


@pytest.fixture(scope="module")
def history_run(tmp_path_factory):
    """A run of the baseline at the true values, as a firm's history: its folder."""
    scenario = load_scenario(BASELINE, [*SMALL, "force.traits.effort_cost.mean=130",  # keeps its sd 15 and floor 10
                                        "market.customers.period_end_discount=0.05"])
    out = tmp_path_factory.mktemp("history")
    run(scenario, seed=99).write(out)
    return out


def small_panel(**columns) -> pd.DataFrame:
    base = {"rep_id": [1, 1, 2, 2], "period": [0, 1, 0, 1], "quota": [100.0, 100, 100, 100],
            "sales": [90.0, 120, 40, 101]}
    base.update(columns)
    return pd.DataFrame(base)


# ------------------------------------------------------------------------------ reading a history


def test_the_models_own_tables_are_a_history(history_run):
    history = read_history(history_run)
    assert history.timing is not None and len(history.panel) > 0
    assert {"pay", "discount", "quit", "deals"} <= history.columns
    names, notes = mom.choose(history)
    assert names == list(mom.DEFAULT) and notes == []


def test_a_csv_export_with_required_columns_only_drops_what_it_cannot_give(tmp_path, capsys):
    path = tmp_path / "export.csv"
    small_panel().to_csv(path, index=False)
    history = read_history(path)
    names, notes = mom.choose(history)
    assert "hit_rate" in names and "discount_share" not in names and "last_tenth_share" not in names
    assert any("discount_share dropped" in n and "'discount'" in n for n in notes)
    assert any("last_tenth_share dropped" in n and "timing" in n for n in notes)
    assert mom.hit_rate(history) == pytest.approx(0.5)


@pytest.mark.parametrize("frame, expected", [
    (small_panel().drop(columns="quota"), "missing required column(s) quota"),
    (small_panel(quota=[100.0, -5, 100, 100]), "row 2 (line 3), column 'quota': -5"),
    (small_panel(sales=[90.0, "lots", 40, 101]), "row 2 (line 3), column 'sales': 'lots' is not a number"),
    (small_panel(period=[0, 0, 0, 1]), "row 2 (line 3), columns 'rep_id', 'period': rep 1 is already in period 0"),
    (small_panel(period=[0, 1.5, 0, 1]), "column 'period': 1.5"),
    (small_panel(start_day=[0, 10, 0, 63], end_day=[62, 125, 62, 125]), "periods out of order"),
    (small_panel(quit=["no", "maybe", "no", "no"]), "column 'quit': 'maybe'; allowed: true/false"),
])
def test_bad_data_is_refused_with_file_row_and_column(tmp_path, frame, expected):
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(PanelError) as caught:
        read_history(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)


def test_dated_periods_are_put_in_time_order(tmp_path):
    path = tmp_path / "dated.csv"
    small_panel(period=["2024Q2", "2024Q3", "2024Q2", "2024Q3"]).to_csv(path, index=False)
    assert read_history(path).panel["period"].tolist() == [0, 1, 0, 1]


def test_a_deal_file_gives_the_timing_moments(tmp_path):
    panel, deals = tmp_path / "panel.csv", tmp_path / "deals.csv"
    small_panel().to_csv(panel, index=False)
    # two ten-day periods: period 1 books half its sales on its last day and a spike on its first
    pd.DataFrame({"rep_id": [1, 1, 2, 1, 2, 1], "period": [0, 0, 0, 1, 1, 1], "day": [0, 5, 9, 10, 15, 19],
                  "value": [10.0, 10, 20, 30, 10, 40]}).to_csv(deals, index=False)
    history = read_history(panel, deals)
    assert mom.last_tenth_share(history) == pytest.approx(60 / 120)
    assert mom.first_day_spike(history) == pytest.approx(30 / (80 / 10))


def test_smoothed_threshold_shares_are_the_counts_away_from_the_edges_and_move_smoothly_across_them():
    """A kernel-smoothed share counts a rep-period a few bandwidths from an edge as the plain count
    does, and one at the edge by half; a small move of one attainment moves it by a small amount
    (the plain count jumps by a whole rep-period)."""
    far_from_edges = from_tables(small_panel(sales=[80.0, 130, 30, 112]))
    assert mom.hit_rate_smoothed(far_from_edges) == pytest.approx(mom.hit_rate(far_from_edges), abs=1e-6)
    assert mom.far_below_quota_smoothed(far_from_edges) == pytest.approx(mom.far_below_quota(far_from_edges), abs=1e-6)
    inside = from_tables(small_panel(sales=[80.0, 130, 30, 103]))  # 103%: 1.5 and 1 bandwidths from the edges
    assert mom.just_above_quota_smoothed(inside) == pytest.approx((ndtr(1.5) - ndtr(-1.0)) / 4)
    at_edge = from_tables(small_panel(sales=[80.0, 130, 30, 100]))
    assert mom.hit_rate_smoothed(at_edge) == pytest.approx(0.25 + 0.125, abs=1e-9)
    nudged = from_tables(small_panel(sales=[80.0, 130, 30, 99.9]))
    assert mom.hit_rate(at_edge) - mom.hit_rate(nudged) == pytest.approx(0.25)
    assert 0 < mom.hit_rate_smoothed(at_edge) - mom.hit_rate_smoothed(nudged) < 0.01
    assert mom.smoothed(["hit_rate", "pay_cv"]) == ["hit_rate_smoothed", "pay_cv"]
    assert not set(mom.SMOOTHED.values()) & set(mom.DEFAULT)


def test_moments_measure_what_they_say():
    history = from_tables(small_panel(pay=[10.0, 10, 10, 10], quit=[False, False, False, True]))
    assert mom.attainment_mean(history) == pytest.approx((0.9 + 1.2 + 0.4 + 1.01) / 4)
    assert mom.just_above_quota(history) == pytest.approx(0.25)
    assert mom.far_below_quota(history) == pytest.approx(0.25)
    assert mom.after_quota_share(history) == pytest.approx(21 / 351)
    assert mom.pay_cv(history) == 0
    assert mom.quit_rate_after_miss(history) == pytest.approx(0.5)  # both reps missed in period 0; one quit after
    assert np.isnan(mom.quit_rate_after_hit(history))


# ------------------------------------------------------------------------------ parameters


def test_parameters_take_bounds_from_the_schema_or_around_the_start():
    base = load_scenario(BASELINE).model_dump(mode="json")
    assert schema_limits("market.customers.waiting_ceiling") == (0.0, 1.0)
    cost, ceiling = resolve(base, ["force.traits.effort_cost.mean", "market.customers.waiting_ceiling"])
    assert (cost.start, cost.low, cost.high) == (90.0, 30.0, 270.0)
    assert (ceiling.low, ceiling.high) == pytest.approx((0.1, 0.9))
    (given,) = resolve(base, ["force.traits.effort_cost.mean"], parse_bounds(["force.traits.effort_cost.mean=50:200"]))
    assert (given.low, given.high) == (50.0, 200.0)


def test_the_search_never_leaves_what_the_schema_accepts():
    """A field with an upper limit of its own (`schema.Bounded`: a validator, not an `le`) keeps the search
    below it, and an exclusive lower limit is not proposed itself: a candidate outside would fail in a
    worker, mid-fit (the effort-cost curvature's search once proposed 4.67 against a limit of 4)."""
    base = load_scenario(BASELINE).model_dump(mode="json")
    assert schema_limits("behaviour.effort_curvature") == (1.25, 4.0)
    assert schema_limits("market.territory_spread") == (0.0, 5.0)
    assert schema_limits("plan.cap")[1] == 1e9  # an optional field's own limits (`Positive | None`)
    low, _ = schema_limits("quota.difficulty")  # gt=0
    assert 0.0 < low < 1e-300
    (curvature,) = resolve(base, ["behaviour.effort_curvature"])
    assert (curvature.low, curvature.high) == (1.25, 4.0)  # not 3 x the start of 2
    for parameter in resolve(base, ["behaviour.effort_curvature", "quota.difficulty", "market.territory_spread"]):
        scenario_for(base, {parameter.path: parameter.low})
        scenario_for(base, {parameter.path: parameter.high})


@pytest.mark.parametrize("paths, bounds, expected", [
    (["force.traits.no_such_trait.mean"], {}, "no field 'no_such_trait'"),
    (["quota.period"], {}, "not a number"),
    (["market.customers.waiting_ceiling"], {"market.customers.waiting_ceiling": (0.0, 2.0)}, "schema's range"),
    (["force.size"], {"quota.difficulty": (0.5, 2)}, "which --fit does not name"),
])
def test_bad_parameters_are_refused(paths, bounds, expected):
    base = load_scenario(BASELINE).model_dump(mode="json")
    with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        resolve(base, paths, bounds)


def test_the_cli_refuses_bad_input_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    small_panel(quota=[100.0, 0, 100, 100]).to_csv(bad, index=False)
    out = tmp_path / "out"
    code = main(["calibrate", str(BASELINE), "--data", str(bad), "--fit", "force.traits.effort_cost.mean",
                 "--out", str(out)])
    assert code == 2 and not out.exists()
    assert "row 2 (line 3), column 'quota'" in capsys.readouterr().err


def test_the_moments_covariance_is_widened_to_the_models_spread_where_that_is_larger():
    """The bootstrap sees one history's reps; runs of the model see what a history's reps share too."""
    data_cov = np.array([[4.0, 1.0], [1.0, 1.0]])  # sds 2 and 1, correlation 0.5
    runs = np.array([[0.0, 0.0], [1.0, 3.0], [2.0, 6.0], [3.0, 9.0]])  # sds 1.29 and 3.87
    out = widened(data_cov, runs)
    assert out[0, 0] == 4.0  # the bootstrap's, where it is larger
    assert out[1, 1] == pytest.approx(np.var(runs[:, 1], ddof=1))
    assert out[0, 1] / np.sqrt(out[0, 0] * out[1, 1]) == pytest.approx(0.5)  # the correlation kept
    np.testing.assert_array_equal(widened(data_cov, runs[:1]), data_cov)  # one run: no spread to read


# ------------------------------------------------------------------------------ the fit


@pytest.mark.slow  # a whole fit: dozens of simulated histories
def test_parameter_recovery(history_run, tmp_path):
    """Two parameters fitted jointly from the defaults (90 and 0.10) on other seeds come back with the
    truth (130 and 0.05) inside their 95% intervals. The history: 40 reps x 8 quarters. At this size one
    history's estimate is not near the truth to a stated tolerance: over seven histories (seeds 99-105)
    the effort cost came back at 81-158 (sd 27) with intervals covering it in six (docs/calibration.md,
    "Keyed random draws"), so the test holds the interval, which the method claims, not a band around
    the truth. The intervals count the model's own spread between histories (`fit.widened`): with the
    bootstrap's alone they are too narrow, and on this history the effort cost's missed."""
    out = tmp_path / "fit"
    fit, paths = run_calibration(BASELINE, history_run, list(TRUTH), out, settings=SMALL, replications=3,
                                 workers=1, max_evaluations=60, progress=None)
    estimates = fit.estimates().set_index("parameter")
    cost, discount = estimates.loc["force.traits.effort_cost.mean"], estimates.loc["market.customers.period_end_discount"]
    for name, row in estimates.iterrows():
        assert row["ci_low"] <= TRUTH[name] <= row["ci_high"], (name, row.to_dict())
    # the search reached the bottom: no worse than the truth itself on the same seeds (a smooth surface
    # under keyed draws makes this a fair demand; a fall to a third of the start's objective, asked
    # here before, depends on where the start sits: on this history the truth fits worse than the start)
    problem = prepare(BASELINE, read_history(history_run), list(TRUTH), settings=SMALL, replications=3)
    with open_executor("process", 1) as executor:
        simulate = SimulatedMoments(problem.base, problem.parameters, problem.moments, problem.seeds, executor)
        gap = simulate.mean([TRUTH[p.path] for p in problem.parameters]) - fit.data
    assert fit.objective <= float(np.nansum(fit.weights * gap**2))  # here 8.3 against 30.8 (the start's: 20.8)
    assert fit.objective < fit.start_objective
    assert fit.spread.shape == (SPREAD_RUNS, len(fit.moments))
    assert np.all(fit.moment_se >= np.sqrt(np.diag(fit.data_cov)) - 1e-12)  # widened, never narrowed
    with_bootstrap_alone = np.sqrt(np.diag(fit.noise_factor * sandwich(fit.jacobian, fit.weights, fit.data_cov)))
    assert np.all(fit.se >= with_bootstrap_alone - 1e-12)
    assert all(p.exists() for p in paths)
    # calibrated.yaml extends the input and carries the estimates with the trait's spread intact
    calibrated = load_scenario(out / "calibrated.yaml")
    assert calibrated.force.traits.effort_cost.mean == pytest.approx(cost["estimate"])
    assert calibrated.force.traits.effort_cost.sd == 15.0 and calibrated.force.size == 40
    assert calibrated.market.customers.period_end_discount == pytest.approx(discount["estimate"])
    assert set(pd.read_csv(out / "moments.csv")["moment"]) == set(fit.moments)

    # an interrupted calibration resumes: the same problem again simulates nothing new
    again, _ = run_calibration(BASELINE, history_run, list(TRUTH), out, settings=SMALL, replications=3,
                               workers=1, max_evaluations=60, progress=None)
    assert again.simulated == 0 and again.resumed == fit.simulated
    np.testing.assert_allclose(again.estimate, fit.estimate)
    # ... and a different problem in the same folder is refused
    with pytest.raises(ValueError, match="another problem"):
        run_calibration(BASELINE, history_run, ["force.traits.effort_cost.mean"], out, settings=SMALL,
                        replications=3, workers=1, max_evaluations=5, progress=None)


@pytest.mark.slow  # a whole fit: dozens of simulated histories
def test_a_parameter_the_data_cannot_see_is_named(history_run, tmp_path):
    """No misconduct is possible in the baseline, so the moral cost moves no moment: the fit must
    say it is not pinned down (and the effort cost beside it is)."""
    out = tmp_path / "weak"
    fit, _ = run_calibration(BASELINE, history_run, ["force.traits.effort_cost.mean", "behaviour.ethics.moral_cost"],
                             out, settings=SMALL, replications=2, workers=1, max_evaluations=12,
                             moments=["attainment_mean", "hit_rate", "far_below_quota", "pay_cv"], progress=None)
    assert fit.not_pinned_down() == ["behaviour.ethics.moral_cost"]
    ident = pd.read_csv(out / "identification.csv")
    moral = ident[ident["parameter"] == "behaviour.ethics.moral_cost"]
    assert (moral["move_per_tenth_in_se"].abs() < 1e-9).all() and not moral["pinned_down"].any()
    assert "behaviour.ethics.moral_cost" in (out / "report.html").read_text()


@pytest.mark.slow  # a small fit, twice
def test_the_least_squares_search_recovers_the_effort_cost_and_resumes(history_run, tmp_path):
    """`--search dfo-ls`, the trust region that models each weighted moment gap, finds the effort
    cost (truth 130, start 90) within 15% and inside its 95% interval, and the report names it. Its
    restarts draw from numpy's global generator, seeded for the search alone: a rerun replays the
    log (nothing simulated) and the caller's global state is as it was."""
    out = tmp_path / "dfols"
    args = ["calibrate", str(BASELINE), "--data", str(history_run), "--fit", "force.traits.effort_cost.mean",
            *[arg for s in SMALL for arg in ("--set", s)], "--replications", "2", "--max-evaluations", "20",
            "--search", "dfo-ls", "--out", str(out)]
    np.random.seed(1)
    assert main(args) == 0
    assert np.random.random() == np.random.RandomState(1).random_sample()  # the caller's state, untouched
    row = pd.read_csv(out / "estimates.csv").iloc[0]
    assert row["estimate"] == pytest.approx(130.0, rel=0.15)
    assert row["ci_low"] <= 130.0 <= row["ci_high"]
    assert "nag_dfols (dfo-ls)" in (out / "report.html").read_text()
    again, _ = run_calibration(BASELINE, history_run, ["force.traits.effort_cost.mean"], out, settings=SMALL,
                               replications=2, workers=1, max_evaluations=20, search="dfo-ls", progress=None)
    # estimates.csv holds six significant digits (`calibration.output`): the replay must give that number
    assert again.simulated == 0 and float(f"{again.estimate[0]:.6g}") == row["estimate"]


@pytest.mark.slow  # a small fit from several starts, twice
def test_the_multistart_search_explores_the_bounds_and_resumes(history_run, tmp_path):
    """`--search multistart` (the search from the start, then TikTak through optimagic) tries
    points spread across each parameter's bounds, not only near the start, and searches locally from
    the best of them: a parameter that one Nelder-Mead search leaves near its start can be found
    elsewhere, and the result is never worse than that one search's. It recovers the effort cost
    (truth 130, start 90) inside its interval, and a rerun replays its log."""
    from simulator.calibration.objective import LOG

    out = tmp_path / "multistart"
    bounds = parse_bounds(["force.traits.effort_cost.mean=40:250"])
    single, _ = run_calibration(BASELINE, history_run, ["force.traits.effort_cost.mean"], out, settings=SMALL,
                                bounds=bounds, replications=2, workers=1, max_evaluations=12, progress=None)
    fit, _ = run_calibration(BASELINE, history_run, ["force.traits.effort_cost.mean"], out, settings=SMALL, bounds=bounds,
                             replications=2, workers=1, max_evaluations=12, search="multistart", progress=None)
    tried = [json.loads(line)["theta"][0] for line in (out / LOG).read_text().splitlines()[1:]]
    assert min(tried) < 80 and max(tried) > 200  # both ends of the range explored (a search from 90 stays near it)
    assert fit.objective <= single.objective and fit.simulated > 0  # the search from the start is one of its own
    assert fit.estimate[0] == pytest.approx(130.0, rel=0.15)
    assert fit.estimates()["ci_low"].iloc[0] <= 130.0 <= fit.estimates()["ci_high"].iloc[0]
    assert "multistart" in (out / "report.html").read_text()
    again, _ = run_calibration(BASELINE, history_run, ["force.traits.effort_cost.mean"], out, settings=SMALL,
                               bounds=bounds, replications=2, workers=1, max_evaluations=12, search="multistart",
                               progress=None)
    assert again.simulated == 0 and again.estimate[0] == fit.estimate[0]


def test_more_parameters_than_moments_is_refused(history_run):
    with pytest.raises(ValueError, match="need at least as many moments"):
        prepare(BASELINE, read_history(history_run), ["force.traits.effort_cost.mean", "quota.difficulty"],
                moments=["hit_rate"], settings=SMALL)


@pytest.mark.slow  # two small fits
def test_the_recovery_study_reports_coverage_and_the_change_of_its_intervals(tmp_path):
    """`python -m simulator.calibration.recovery` at two panel sizes: a row per size and parameter
    with the truth it was simulated at, whether the truth lies inside the 95% interval, each size's
    standard error over the smallest panel's, a CSV and each fit's own log (so the study resumes).
    Whether the intervals really shrink is a finding about the estimator, measured at realistic
    sizes in docs/calibration.md, not a property of toy panels."""
    from simulator.calibration.recovery import main as recovery
    from simulator.calibration.recovery import shrinkage

    table = recovery(["--reps", "20", "40", "--years", "1", "--fit", "force.traits.effort_cost.mean",
                      "--replications", "2", "--workers", "1", "--max-evaluations", "6", "--out", str(tmp_path),
                      "--quiet"])
    assert list(table["reps"]) == [20, 40] and set(table["parameter"]) == {"force.traits.effort_cost.mean"}
    assert (table["truth"] == 120.0).all() and (table["start"] == 90.0).all()
    inside = (table["ci_low"] <= 120.0) & (120.0 <= table["ci_high"])
    assert table["covered"].tolist() == inside.tolist()
    np.testing.assert_allclose(table["ci_high"] - table["estimate"], 1.96 * table["std_error"])
    ratio = shrinkage(table).loc["force.traits.effort_cost.mean"]
    assert ratio[20] == 1.0 and ratio[40] == pytest.approx(table["std_error"].iloc[1] / table["std_error"].iloc[0])
    assert pd.read_csv(tmp_path / "recovery.csv")["reps"].tolist() == [20, 40]
    assert all((tmp_path / f"reps-{n}" / "evaluations.jsonl").exists() for n in (20, 40))


def test_the_recovery_summary_sets_the_spread_of_estimates_against_the_reported_errors():
    """Over several histories a size, the spread of the estimates against the mean reported standard
    error says whether the intervals are honest (Ruge-Murcia 2012's Monte Carlo); the shrinkage is
    the mean standard error at each size over the smallest panel's."""
    from simulator.calibration.recovery import shrinkage, summary

    rows = [(50, k, "a", 10.0, est, se, cov) for k, (est, se, cov) in
            enumerate([(9.0, 1.0, True), (11.0, 1.0, True), (13.0, 2.0, False)])]
    rows += [(100, k, "a", 10.0, est, se, True) for k, (est, se) in enumerate([(10.0, 0.5), (10.5, 0.5), (9.5, 1.0)])]
    table = pd.DataFrame(rows, columns=["reps", "history", "parameter", "truth", "estimate", "std_error", "covered"])
    over = summary(table).set_index("reps")
    assert over.loc[50, "histories"] == 3 and over.loc[50, "covered_share"] == pytest.approx(2 / 3)
    assert over.loc[50, "estimate_mean"] == pytest.approx(11.0) and over.loc[50, "bias"] == pytest.approx(1.0)
    assert over.loc[50, "estimate_sd"] == pytest.approx(2.0)  # 9, 11, 13
    assert over.loc[50, "sd_over_se"] == pytest.approx(2.0 / (4.0 / 3.0))
    assert over.loc[100, "covered_share"] == 1.0 and over.loc[100, "estimate_sd"] == pytest.approx(0.5)
    assert shrinkage(table).loc["a", 100] == pytest.approx((2.0 / 3.0) / (4.0 / 3.0))


def test_each_history_of_the_recovery_study_is_fitted_on_runs_of_its_own(tmp_path, monkeypatch):
    """Histories fitted on one shared set of runs share those runs' simulation error, which over
    histories looks like a bias (the goal's value came back low on all four 100-rep histories so
    fitted: docs/calibration.md, "Each history its own runs"). History k's fit draws its runs from
    calibration seed FIT_SEED + k, so no two histories share a run."""
    from simulator.calibration import recovery
    from simulator.experiments.design import run_seeds

    seen = {}

    class Stop(Exception):
        pass

    def record(problem, out, **_):
        seen[out.name] = problem.seeds
        raise Stop

    monkeypatch.setattr(recovery, "calibrate", record)
    for k in (0, 1, 2):
        with pytest.raises(Stop):
            recovery.recover(20, 0.25, tmp_path, parameters=["force.traits.effort_cost.mean"], replications=3, history=k)
    assert seen["reps-20"] == run_seeds(recovery.FIT_SEED, 1, 3).tolist()
    assert seen["reps-20-history-2"] == run_seeds(recovery.FIT_SEED + 2, 1, 3).tolist()
    runs = [set(seeds) for seeds in seen.values()]
    assert len(runs) == 3 and not (runs[0] & runs[1] or runs[0] & runs[2] or runs[1] & runs[2])


def test_the_recovery_study_needs_a_history(capsys):
    from simulator.calibration.recovery import main as recovery

    with pytest.raises(SystemExit):
        recovery(["--histories", "0", "--quiet"])
    assert "--histories must be 1 or more" in capsys.readouterr().err
