"""The metric dictionary (`salesim metrics`, docs/metrics.md) covers what the code computes, and
only that: every column of real runs' tables, of a sweep's `load_results` and every scorecard figure
has an entry; every entry names a column some run has; the page is what the generator writes."""

from pathlib import Path

import pytest
from conftest import ROOT, SCENARIOS, small

from simulator.analysis.metrics import flatten
from simulator.cli import main
from simulator.experiments import dictionary
from simulator.experiments.design import load_experiment
from simulator.experiments.run import run
from simulator.experiments.runner import SerialExecutor, run_sweep
from simulator.experiments.store import load_results

# every shipped scenario, and the levers no shipped scenario pays within a short run
EXTRA = {
    "spif_and_unit_goal": ("product_launch", "plan.spif={suite: 600}", "market.launch.day=5",
                           "plan.product_quota={product: suite, units: 2, bonus: 500}"),
    "second_year": ("baseline", "horizon_years=2", "force.size=12"),  # terciles of last year's attainment
    "churn_clawback": ("subscription", "plan.churn_clawback={share: 1, window_months: 6}"),
}
SWEEP = f"""
name: dictionary
base:
  scenario: {SCENARIOS / 'baseline.yaml'}
  set: {{force.size: 6}}
parameters:
  plan.bonus: {{levels: [2000, 6000]}}
  market.demand_uncertainty: {{levels: [0.1]}}
  horizon_years: {{levels: [0.3]}}
replications: 1
seed: 5
outputs: {{tables: [daily, rep_periods]}}
"""


@pytest.fixture(scope="module")
def columns() -> dict[str, dict[str, list[str]]]:
    """Columns of each table, by run: a short run of every shipped scenario and of the extra ones."""
    runs = {p.stem: (p.relative_to(SCENARIOS).with_suffix("").as_posix(),) for p in sorted(SCENARIOS.rglob("*.yaml"))}
    out = {}
    for label, (name, *overrides) in {**runs, **EXTRA}.items():
        result = run(small(name, *overrides, size=6, years=0.3), seed=1)
        card = {k: v for k, v in result.summary.items() if k != "provenance"}
        out[label] = {"daily": list(result.daily.columns), "rep_periods": list(result.rep_periods.columns),
                      "scorecard": list(flatten(card))}
    return out


def failing_bonus(scenario, seed):
    """The sweep's model: the usual run, but a bonus of 6,000 fails (so a failed run's columns show)."""
    if scenario.plan.bonus > 5000:
        raise RuntimeError("a failure on purpose")
    return run(scenario, seed)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dictionary")
    (folder / "sweep.yaml").write_text(SWEEP)
    report = run_sweep(load_experiment(folder / "sweep.yaml"), folder / "out", SerialExecutor(),
                       model=failing_bonus, progress=False)
    assert (report.ok, report.failed) == (1, 1)
    return folder / "out"


@pytest.mark.parametrize("table", ["daily", "rep_periods", "scorecard"])
def test_every_column_of_real_runs_has_an_entry(columns, table):
    missing = {label: dictionary.undocumented(table, tables[table]) for label, tables in columns.items()}
    assert not {k: v for k, v in missing.items() if v}, "add these to the dictionary beside their computation"


@pytest.mark.parametrize("table", ["daily", "rep_periods", "scorecard"])
def test_every_entry_names_a_column_some_run_has(columns, table):
    seen = {c for tables in columns.values() for c in tables[table]}
    assert dictionary.unmatched(table, seen) == [], "entries for columns no run records any longer"


def test_every_column_of_load_results_has_an_entry_and_every_entry_a_column(sweep):
    seen = set()
    for table in ("runs", "daily", "rep_periods"):
        frame = load_results(sweep, table)
        assert len(frame), table
        assert dictionary.undocumented(table, frame.columns) == [], table
        seen.update(frame.columns)
    assert {"lever.plan.bonus", "uncertainty.market.demand_uncertainty", "setting.horizon_years"} <= seen
    assert dictionary.unmatched("runs", seen) == []


def test_a_column_the_code_does_not_compute_is_not_documented():
    """The check can fail: a made-up column has no entry, and patterns do not swallow sections."""
    assert dictionary.describe("daily", "bookings_standard").name == "bookings_{product}"
    assert dictionary.undocumented("daily", ["revenue", "made_up"]) == ["made_up"]
    assert dictionary.undocumented("scorecard", ["financial.made_up", "by_performer.high.made_up"]) == [
        "financial.made_up", "by_performer.high.made_up"]
    assert dictionary.unmatched("rep_periods", ["quota"]) and "quota" not in dictionary.unmatched("rep_periods", ["quota"])


def test_definitions_come_from_the_functions_that_compute_them():
    from simulator.analysis.metrics import gross_profit

    entry = dictionary.describe("scorecard", "financial.gross_profit")
    assert entry.unit == "$" and entry.definition == " ".join(gross_profit.__doc__.split())
    assert all(e.unit and e.definition for entries in dictionary.TABLES.values() for e in entries)


def test_docs_metrics_md_is_what_the_generator_writes():
    assert (ROOT / "docs" / "metrics.md").read_text() == dictionary.markdown() + "\n", (
        "regenerate it: salesim metrics --markdown > docs/metrics.md")


def test_salesim_metrics_prints_the_dictionary(capsys):
    assert main(["metrics", "daily"]) == 0
    printed = capsys.readouterr().out
    assert "DAILY TABLE" in printed and "trust_demand" in printed and "SCORECARD" not in printed
    assert main(["metrics", "--markdown"]) == 0
    assert capsys.readouterr().out == dictionary.markdown() + "\n"
