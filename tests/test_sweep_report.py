"""The sweep report reads honestly: each heatmap cell shows its runs and 95% interval and fades when
the runs cannot tell it from its neighbours, colours do not blow near-zero differences up, a risk
panel no run can measure says so, the cases table drops such risks, and the header says how big
the runs were and what overrode the experiment."""

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_SWEEP

from simulator.analysis.risk import RISKS
from simulator.cli import main
from simulator.experiments.design import load_experiment
from simulator.experiments.runner import SerialExecutor, run_sweep
from simulator.report.sweep import blurred, case_table, cell_stats, colour_scale, fig_risk_map, ran_with


def runs_table(values: dict[tuple[float, float], list[float]]) -> pd.DataFrame:
    """A runs table over lever.a and lever.b with the given values of `figure` per cell."""
    rows = [{"case": i, "lever.a": a, "lever.b": b, "figure": v}
            for i, ((a, b), vs) in enumerate(values.items()) for v in vs]
    return pd.DataFrame(rows)


def test_cells_carry_their_runs_and_a_student_t_interval():
    runs = runs_table({(1, 1): [1.0, 3.0], (2, 1): [5.0], (1, 2): [2.0, 2.0, 2.0], (2, 2): [10.0, 12.0]})
    grids, x_labels, y_labels = cell_stats(runs, "lever.a", "lever.b", "figure")
    assert x_labels == ["1", "2"] and y_labels == ["1", "2"]
    assert grids["n"].tolist() == [[2, 1], [3, 2]]
    assert grids["mean"][0, 0] == 2.0
    assert grids["high"][0, 0] - 2.0 == pytest.approx(12.706 * 1.0 / 1, rel=1e-3)  # t(0.975, 1) x sd / sqrt(2)
    assert np.isnan(grids["low"][0, 1]), "one run has no interval"


def test_cells_the_runs_cannot_tell_from_their_neighbours_are_faded():
    runs = runs_table({(1, 1): [0.0, 20.0], (2, 1): [11.0, 11.2], (1, 2): [9.0, 9.2], (2, 2): [30.0]})
    faded = blurred(cell_stats(runs, "lever.a", "lever.b", "figure")[0])
    # (1,1): 10 +- 127 holds 11.1 and 9.1; (2,1) and (1,2) are tight and apart; (2,2) is one run
    assert faded.tolist() == [[True, False], [False, True]]


def test_the_colour_scale_starts_at_zero_for_small_non_negative_figures_and_stays_calm_when_flat():
    assert colour_scale(np.array([[0.001, 0.002], [0.0, np.nan]])).vmin == 0.0
    tight = colour_scale(np.array([[21e6, 26.6e6]]))
    assert (tight.vmin, tight.vmax) == (21e6, 26.6e6), "figures far from zero keep their own range"
    flat = colour_scale(np.zeros((2, 2)))
    assert flat.vmin < 0 < flat.vmax and flat(0.0) == pytest.approx(0.5), "all zeros: one middle colour"


def risk_runs() -> pd.DataFrame:
    runs = runs_table({(1, 1): [1.0], (2, 1): [2.0], (1, 2): [3.0], (2, 2): [4.0]})
    for name in RISKS:
        runs[f"risk.{name}"] = np.nan if name in ("discouragement", "activity_gaming") else 0.5
    return runs


def test_a_risk_panel_no_run_measures_says_so():
    import matplotlib.pyplot as plt

    fig, caption = fig_risk_map(risk_runs(), "lever.a", "lever.b", {})
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    plt.close(fig)
    assert sum("Not measurable in this sweep" in t for t in texts) == 2
    assert "Not measurable in this sweep: Discouragement among low performers, Activity gaming" in caption


def test_the_cases_table_leaves_out_risks_no_run_measures():
    table = case_table(risk_runs(), {"figure": "a figure"}, {})
    assert "activity gaming</th>" not in table and "sandbagging</th>" in table
    assert "Not measurable in any run, so not shown: Discouragement among low performers, Activity gaming" in table


def test_the_header_names_the_runs_size_and_every_override():
    manifest = {"base_scenario": {"force": {"size": 10}, "horizon_years": 0.25},
                "experiment": {"resolved": {"base": {"set": {"force.size": 10}}},
                               "scenario_overrides": ["horizon_years=0.25"], "overrides": ["replications=2"]}}
    text = ran_with(manifest)
    assert "<b>Every run: 10 positions over 0.25 years</b>" in text
    assert "set by the experiment file: force.size=10" in text
    assert "overrides on the command line: horizon_years=0.25, replications=2" in text


def test_a_real_sweep_report_states_its_overrides_and_intervals(tmp_path):
    (tmp_path / "tiny.yaml").write_text(TINY_SWEEP)
    out = tmp_path / "out"
    run_sweep(load_experiment(tmp_path / "tiny.yaml", scenario_overrides=["horizon_years=0.2"]), out,
              SerialExecutor(), progress=False)
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert "Every run: 10 positions over 0.2 years" in page
    assert "overrides on the command line: horizon_years=0.2" in page
    assert "± half its 95% interval and n" in page
