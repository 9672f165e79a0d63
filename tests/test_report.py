"""Risk verdicts, plan comparison and the report: the verdicts move the right way on the shipped
cases, comparing a plan with itself differs by exactly zero, and every report renders real images
embedded in one offline page."""

import base64
import math
import re
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, small

from simulator import load_scenario, run
from simulator.analysis.risk import RISKS, verdicts
from simulator.cli import main
from simulator.experiments.compare import compare
from simulator.experiments.design import load_experiment
from simulator.experiments.runner import SerialExecutor, run_sweep
from simulator.report import write_report
from simulator.report.sweep import axis_of, cell_means

pytestmark = pytest.mark.slow  # reports of whole runs and comparisons

REPLICATIONS = 5


def verdict_of(name: str, risk: str, *overrides: str):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml", ["horizon_years=1", *overrides])
    results = [run(scenario, scenario.seed + k) for k in range(REPLICATIONS)]
    found = {v.risk: v for v in verdicts([r.summary for r in results], scenario.risk_thresholds())}
    return found[risk]


@pytest.mark.parametrize("name, risk, levels", [
    ("wells_fargo", "fabrication", {"elevated", "high"}),
    pytest.param("wells_fargo", "fabrication", {"high"}, marks=pytest.mark.xfail(strict=True, reason=(
        "fabrication fell once bankers could keep every waiting and held customer (the held table had 32 "
        "places) and meet more daily goals by holding customers back for short days: 1.76 [0.67, 2.85] fake "
        "sales a banker a year, against 2.48 [1.05, 3.90] with 32 places; 'high' needs 2.0 (docs/model.md)"))),
    ("wells_fargo_reformed", "fabrication", {"low"}),
    ("sears_auto", "mis_selling", {"high"}),
    ("sears_auto_reformed", "mis_selling", {"low"}),
    ("linear_commission", "timing_gaming", {"low"}),
    ("baseline", "timing_gaming", {"elevated", "high"}),
])
def test_verdicts_move_the_right_way_on_known_scenarios(name, risk, levels):
    """Wells Fargo's count goals (2016 report) breed fabrication (an elevated risk at least) and
    Sears' quotas (Paine 1992) mis-selling, their reforms neither; linear commission gives no
    reason to time deals (Oyer 1998) while a bonus-and-accelerator plan does. Five one-year
    replications each."""
    verdict = verdict_of(name, risk)
    assert verdict.level in levels, (name, verdict)
    assert verdict.replications == REPLICATIONS
    if verdict.level == "high":  # the interval behind a high verdict sits above the elevated threshold
        assert verdict.ci_low > verdict.elevated


def test_thresholds_from_the_scenario_and_the_command_line_change_the_level(capsys):
    scenario = small("wells_fargo", years=0.5, size=80)
    summaries = [run(scenario, 1).summary]
    value = {v.risk: v for v in verdicts(summaries)}["fabrication"].value
    assert value > 0
    raised = {v.risk: v for v in verdicts(summaries, {"fabrication": {"elevated": value * 2, "high": value * 4}})}
    assert raised["fabrication"].level == "low"
    lowered = {v.risk: v for v in verdicts(summaries, {"fabrication": {"elevated": value / 4, "high": value / 2}})}
    assert lowered["fabrication"].level == "high"
    via_file = load_scenario(SCENARIOS / "wells_fargo.yaml", ["risks.fabrication.high=123"])
    assert via_file.risk_thresholds() == {"fabrication": {"high": 123.0}}


def test_a_bad_threshold_names_the_option_and_what_is_allowed(capsys):
    assert main(["compare", str(SCENARIOS / "baseline.yaml"), "--threshold", "fabrication.severe=2"]) == 2
    error = capsys.readouterr().err
    assert "--threshold" in error and "elevated and high" in error


def test_comparing_a_plan_with_itself_gives_zero_differences():
    """Common random numbers: the same plan on the same seeds is the same run, so every paired
    difference and its interval are exactly zero."""
    scenario = small("baseline", size=30, years=0.5)
    result = compare([scenario, scenario], replications=3)
    diffs = result.differences()
    assert len(diffs) > 20
    assert (diffs["difference"].fillna(0.0) == 0.0).all()
    intervals = diffs[["ci_low", "ci_high"]].to_numpy(dtype=float)
    assert np.all((intervals == 0.0) | np.isnan(intervals))
    revenue = diffs[diffs["metric"] == "financial.revenue"].iloc[0]
    assert revenue["current"] > 0


def test_a_comparison_is_the_same_on_two_workers():
    """The comparison runs on the runner's process executor: two workers give the serial numbers bit for bit."""
    plans = [small("baseline", size=20, years=0.25), small("linear_commission", size=20, years=0.25)]
    serial = compare(plans, replications=2).runs_table()
    parallel = compare(plans, replications=2, workers=2).runs_table()
    pd.testing.assert_frame_equal(serial, parallel)


def test_differences_are_paired_by_seed():
    """A plan that pays differently shows a nonzero difference whose interval is the paired one."""
    current = small("baseline", size=30, years=0.5)
    proposed = small("linear_commission", size=30, years=0.5)
    result = compare([current, proposed], replications=3)
    table = result.runs_table()
    diffs = result.differences().set_index("metric")
    per_seed = (table[table["plan"] == "linear_commission"].set_index("seed")["financial.comp_cost"]
                - table[table["plan"] == "baseline"].set_index("seed")["financial.comp_cost"])
    assert diffs.loc["financial.comp_cost", "difference"] == pytest.approx(per_seed.mean())
    assert diffs.loc["financial.comp_cost", "ci_low"] < per_seed.mean() < diffs.loc["financial.comp_cost", "ci_high"]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (and proof that it is one)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def assert_report_embeds_its_figures(page: Path, expected: set[str]) -> None:
    text = page.read_text()
    figures = {p.stem: p.read_bytes() for p in (page.parent / "figures").glob("*.png")}
    assert expected <= set(figures), expected - set(figures)
    embedded = dict(re.findall(r"<figure id='([a-z_]+)'><img alt='[^']*' src='data:image/png;base64,([^']+)'", text))
    assert set(embedded) == set(figures)
    for name, data in figures.items():
        assert base64.b64decode(embedded[name]) == data, name
        width, height = png_size(data)
        assert width >= 800 and height >= 300, (name, width, height)
        assert len(data) > 20_000, (name, len(data))  # drawn, not an empty canvas
    assert not re.search(r"(src|href)=['\"]https?:", text)  # opens offline


def test_a_comparison_report_renders_every_figure(tmp_path):
    plans = [small("baseline", size=40, years=0.5), small("wells_fargo", size=40, years=0.5)]
    result = compare(plans, replications=2)
    result.write(tmp_path)
    page = write_report(tmp_path)
    assert_report_embeds_its_figures(page, {"payout", "bookings", "attainment", "pay", "cost", "effort", "product_mix",
                                            "misconduct", "trust", "headcount"})
    text = page.read_text()
    assert text.index("The plans' terms") < text.index("The payout curve") < text.index("What each plan costs")
    assert text.index("id='payout'") < text.index("id='bookings'")  # the first figure
    assert "2% to quota, 4% above" in text and "Totals cover the whole run: 0.5 years of 40 rep positions" in text
    assert "Pay against the design" in text and "Rep pay a year: P90" in text
    for risk in RISKS.values():
        assert risk.title in text
    assert "Differences against the current plan" in text


def test_a_run_report_renders(tmp_path):
    scenario = small("sears_auto", size=40, years=0.5)
    run(scenario, 2).write(tmp_path)
    assert main(["report", str(tmp_path)]) == 0
    assert_report_embeds_its_figures(tmp_path / "report.html", {"payout", "bookings", "attainment", "pay", "misconduct"})


SWEEP = f"""
name: report_sweep
base:
  scenario: {SCENARIOS / 'wells_fargo.yaml'}
  set: {{force.size: 20, horizon_years: 0.25}}
parameters:
  quota.difficulty: {{levels: [0.8, 1.4]}}
  management.detection.audit_rate: {{levels: [0.0, 0.2]}}
replications: 1
seed: 5
"""


def test_a_sweep_report_draws_heatmaps_and_risk_maps(tmp_path):
    (tmp_path / "sweep.yaml").write_text(SWEEP)
    out = tmp_path / "out"
    run_sweep(load_experiment(tmp_path / "sweep.yaml"), out, SerialExecutor(), progress=False)
    assert main(["report", str(out), "--metric", "financial.comp_cost"]) == 0
    assert_report_embeds_its_figures(out / "report.html", {"heatmaps", "risk_map"})
    assert "quota.difficulty" in (out / "report.html").read_text()
    assert main(["report", str(out), "--x", "no.such.lever"]) == 2


def test_cells_average_their_runs_and_sampled_parameters_are_binned():
    runs = pd.DataFrame({
        "lever.period": ["month", "day", "year", "day", "month", "year"],
        "lever.bonus": [1.0, 1.0, 1.0, 2.0, 2.0, 2.0],
        "metric": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    })
    grid, x_labels, y_labels = cell_means(runs, "lever.period", "lever.bonus", "metric")
    assert x_labels == ["day", "month", "year"] and y_labels == ["1", "2"]
    assert grid.tolist() == [[2.0, 1.0, 3.0], [4.0, 5.0, 6.0]]
    sampled = pd.Series(np.random.default_rng(0).uniform(0, 1, 100))
    positions, labels = axis_of(sampled)
    assert len(labels) == 5 and positions.value_counts().tolist() == [20] * 5
    assert not math.isnan(grid.mean())


def test_lever_rows_appear_only_for_plans_that_use_the_lever():
    """A training plan's cost of training and profit after it reach the headline table; a plan
    without training adds no such rows (its summary has no training figures)."""
    from simulator.report.plans import HEADLINE_ROWS, rows_for

    plain = run(small(), seed=1).summary
    trained = run(small("training"), seed=1).summary
    assert [k for k, _ in rows_for([plain])][: len(HEADLINE_ROWS)] == [k for k, _ in HEADLINE_ROWS]
    assert "financial.training_cost" not in dict(rows_for([plain]))
    rows = dict(rows_for([plain, trained]))
    assert "financial.training_cost" in rows and "financial.profit_after_comp_and_training" in rows
    assert trained["financial"]["training_cost"] > 0
