"""Which differences between plans a comparison resolves, how many replications the rest need, and
the comparison table exported as CSV and Excel."""

import math

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, small
from scipy import stats

from simulator.analysis.replications import replications_needed, resolved, separation_words
from simulator.cli import main
from simulator.experiments.compare import HEADLINES, compare
from simulator.experiments.export import comparison_table, export_comparison


def half_width(ratio: float, n: int) -> float:
    return stats.t.ppf(0.975, n - 1) * ratio / math.sqrt(n)


@pytest.mark.parametrize("seed", range(6))
def test_the_replications_needed_are_the_fewest_whose_interval_clears_zero(seed):
    rng = np.random.default_rng(seed)
    diffs = rng.normal(1.0, rng.uniform(0.5, 8.0), size=5)
    n = replications_needed(diffs)
    ratio = diffs.std(ddof=1) / abs(diffs.mean())
    assert n is not None and n >= 2
    assert half_width(ratio, n) < 1  # n replications at this spread put the interval clear of zero ...
    assert n == 2 or half_width(ratio, n - 1) >= 1  # ... and one fewer would not


def test_no_difference_and_a_single_replication_need_no_count():
    assert replications_needed([0.0, 0.0, 0.0]) is None
    assert replications_needed([3.0]) is None
    assert replications_needed([2.0, 2.0]) == 2  # no spread: any pair resolves it


def test_resolved_means_the_interval_is_clear_of_zero():
    assert resolved(0.1, 2.0) and resolved(-2.0, -0.1)
    assert not resolved(-0.1, 2.0) and not resolved(float("nan"), float("nan"))
    assert separation_words(True, 3, 5) == "resolved"
    assert "40 replications" in separation_words(False, 40, 5)


@pytest.fixture(scope="module")
def comparison():
    plans = [small("baseline", size=20, years=0.25), small("linear_commission", size=20, years=0.25)]
    return compare(plans, replications=3)


def test_differences_say_which_are_resolved_and_the_count_matches_the_paired_spread(comparison):
    diffs = comparison.differences().set_index("metric")
    table = comparison.runs_table()
    per_seed = (table[table["plan"] == "linear_commission"].set_index("seed")["financial.comp_cost"]
                - table[table["plan"] == "baseline"].set_index("seed")["financial.comp_cost"])
    row = diffs.loc["financial.comp_cost"]
    assert bool(row["resolved"]) == resolved(row["ci_low"], row["ci_high"])
    assert row["replications_needed"] == replications_needed(per_seed.to_numpy())


def test_the_exported_table_holds_the_printed_means_and_differences(comparison, tmp_path):
    table = comparison_table(comparison)
    assert list(table["figure"]) == list(HEADLINES)
    means = comparison.runs_table().groupby("plan")["financial.revenue"].mean()
    revenue = table.set_index("figure").loc["financial.revenue"]
    assert revenue["baseline"] == pytest.approx(means["baseline"])
    assert revenue["linear_commission - baseline"] == pytest.approx(means["linear_commission"] - means["baseline"])
    assert revenue["unit"].startswith("$ over 0.25 years of 20")
    [path] = export_comparison(comparison, tmp_path, ["csv"])
    back = pd.read_csv(path)
    assert back.shape == table.shape and back["baseline"].to_numpy() == pytest.approx(table["baseline"].to_numpy(), nan_ok=True)


def test_the_workbook_has_the_table_every_replication_and_the_terms(comparison, tmp_path):
    pytest.importorskip("openpyxl")
    [path] = export_comparison(comparison, tmp_path, ["xlsx"])
    sheets = pd.read_excel(path, sheet_name=None)
    assert set(sheets) == {"comparison", "replications", "about"}
    assert sheets["comparison"]["linear_commission"].to_numpy() == pytest.approx(
        comparison_table(comparison)["linear_commission"].to_numpy(), nan_ok=True)
    assert len(sheets["replications"]) == 6


def test_compare_exports_csv_and_prints_what_is_resolved(tmp_path, capsys):
    out = tmp_path / "cmp"
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "linear_commission.yaml"), "--replications",
            "2", "--years", "0.25", "--set", "force.size=20", "--no-report", "--quiet", "--out", str(out),
            "--export", "csv", "--set", "force.normal_week={unit: calls, per_week: 40}"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert (out / "comparison.csv").exists() and not (out / "comparison.xlsx").exists()
    assert "headline differences resolved with 2 replications" in printed
    assert "resolved" in printed or "replications would separate them" in printed
    assert "calls a week, against 40 at normal effort" in printed


def test_the_report_says_which_differences_are_resolved(comparison, tmp_path):
    from simulator.report import write_report

    page = write_report(comparison.write(tmp_path / "cmp")).read_text()
    table = page.split("<h2>Differences against the current plan</h2>", 1)[1].split("</table>", 1)[0]
    diffs = comparison.differences().set_index("metric")
    words = "resolved" if diffs.loc["financial.comp_cost", "resolved"] else "replications would separate them"
    assert "<th>resolved?</th>" in table and words in table
    assert f"over {len(comparison.seeds)} replications" in table
