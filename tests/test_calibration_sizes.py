"""Fitting to published sizes (`simulator.calibration.sizes`, `salesim calibrate --sizes`): bad
requests are refused before anything runs, and a size the model can reach is met by the fit, with
an interval that covers the parameter that produced it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.calibration.magnitudes import discount_cost
from simulator.calibration.sizes import fit_sizes, sized_targets
from simulator.cli import main
from simulator.experiments.design import run_seeds
from simulator.experiments.run import run
from simulator.scenario import load_scenario

ROOT = Path(__file__).parents[1]
ACCELERATOR = ROOT / "scenarios" / "accelerator.yaml"
BARGAINING = "market.customers.bargaining_power"
# a small, steep accelerating plan (commission x6 above quota), where a customer's bargaining moves
# the discount cost clearly: 0.015 at no bargaining, 0.025 at 0.5, 0.036 at 1 (40 reps, a year, 3 seeds)
SMALL = ["force.size=40", "horizon_years=1", "plan.tiers=[{at: 1.0, rate: 0.12}]"]


@pytest.mark.parametrize("sizes, fit, expected", [
    (["nothing"], [BARGAINING], "nothing: unknown"),
    (["year_end_ratio"], [BARGAINING], "direction only"),
    (["discount_cost=0.05"], [BARGAINING], "NAME=LOW:HIGH"),
    (["discount_cost=0.08:0.06"], [BARGAINING], "low end must be below"),
    (["discount_cost", "discount_cost=0.01:0.02"], [BARGAINING], "named twice"),
    (["discount_cost"], [BARGAINING, "market.customers.pull_in_acceptance"], "2 parameters need at least as many"),
])
def test_bad_requests_are_refused_before_anything_runs(tmp_path, sizes, fit, expected):
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=expected):
        fit_sizes(ACCELERATOR, sizes, fit, out)
    assert not out.exists()


def test_a_band_given_for_a_directional_figure_makes_it_a_size():
    (target,) = sized_targets(["year_end_ratio=1.1:1.3"])
    assert (target.low, target.high, target.source) == (1.1, 1.3, "given with --sizes")
    (larkin,) = sized_targets(["discount_cost"])
    assert (larkin.low, larkin.high) == (0.06, 0.08) and "Larkin" in larkin.source


def test_the_cli_needs_data_or_sizes_and_refuses_a_directional_size(tmp_path, capsys):
    with pytest.raises(SystemExit):  # neither --data nor --sizes
        main(["calibrate", str(ACCELERATOR), "--fit", BARGAINING, "--out", str(tmp_path / "a")])
    code = main(["calibrate", str(ACCELERATOR), "--sizes", "year_start_ratio", "--fit", BARGAINING,
                 "--out", str(tmp_path / "b")])
    assert code == 2 and "direction only" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


@pytest.mark.slow  # a small fit (about 15 candidates of 4 one-year runs), then its replay
def test_a_reachable_size_is_met_and_the_parameter_behind_it_recovered(tmp_path):
    """Truth: bargaining power 0.5. The size is what that world gives on seeds the fit never uses
    (mean +- 2 standard errors over eight runs); the fit starts at 0 (the scenario's value)."""
    truth = 0.5
    world = load_scenario(ACCELERATOR, SMALL + [f"{BARGAINING}={truth}"])
    figures = np.array([discount_cost(run(world, int(s)).daily) for s in run_seeds(7, 1, 8)])  # the seeds' own root
    half = 2 * figures.std(ddof=1) / np.sqrt(len(figures))
    size = f"discount_cost={figures.mean() - half:.5f}:{figures.mean() + half:.5f}"
    out = tmp_path / "fit"
    fit, paths = fit_sizes(ACCELERATOR, [size], [BARGAINING], out, settings=SMALL, replications=4, progress=None)
    row = fit.estimates().iloc[0]
    assert row["ci_low"] <= truth <= row["ci_high"]
    assert 0.2 < row["estimate"] < 0.8 and not row["at_bound"]
    assert row["std_error"] < 0.25  # the size pins it down: not the whole range
    assert any("inside the band" in n or "overlaps the band" in n for n in fit.notes)
    moments = pd.read_csv(out / "moments.csv")
    assert moments.loc[0, "description"].startswith("discount_cost between")
    assert all(p.exists() for p in paths)
    assert "Each moment as published" in (out / "report.html").read_text(encoding="utf-8")
    again, _ = fit_sizes(ACCELERATOR, [size], [BARGAINING], out, settings=SMALL, replications=4, progress=None)
    assert again.simulated == 0 and again.resumed > 0  # an interrupted or repeated fit replays its log
    assert again.estimate[0] == fit.estimate[0]


def test_annual_figures_count_whole_rep_years_only():
    """A firm reports the share of reps making their annual quota over reps who held the job all
    year: a rep hired mid-year, or a year cut short, does not count."""
    from simulator.calibration.magnitudes import annual_hit_rate, plan_attainment

    def rows(rep, year, sales, complete=True):
        return [{"rep_id": rep, "start_day": 252 * year + 63 * q, "days": 63, "complete": complete,
                 "quota": 100.0, "sales": s} for q, s in enumerate(sales)]

    panel = pd.DataFrame(rows(1, 0, [150, 50, 100, 110])     # 410 of 400: made it
                         + rows(2, 0, [90, 90, 90, 90])       # 360 of 400: missed
                         + rows(3, 0, [500, 500]))            # half a year: not counted
    assert annual_hit_rate(panel) == 0.5
    assert plan_attainment(panel) == pytest.approx(770 / 800)
    partial = pd.DataFrame(rows(1, 0, [150, 150, 150]) + rows(1, 0, [10], complete=False)[:1])
    assert np.isnan(annual_hit_rate(partial))
