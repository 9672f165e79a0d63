"""Published sizes on the validation page (`simulator.validation.published`): each names a size
the magnitudes module knows and a shipped scenario; the page and the console show every size
judged with its interval and verdict; and the field profile meets fact 1's sizes on the page's
own seeds, which its fit never used."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simulator.calibration.magnitudes import BY_NAME
from simulator.experiments.runner import open_executor
from simulator.validation import FACTS, published
from simulator.validation.page import console_table, write_page

NUMBERS = {f.number for f in FACTS}


def test_every_size_names_a_known_figure_a_shipped_scenario_and_a_fact_or_none():
    for size in published.SIZES:
        assert size.target in BY_NAME
        assert (published.SCENARIOS / size.scenario).is_file()
        assert size.fact is None or size.fact in NUMBERS


def test_a_partial_run_judges_only_its_facts_sizes():
    assert published.chosen(None) == list(published.SIZES)
    assert {s.fact for s in published.chosen([1, 2])} == {1}
    assert published.chosen([2]) == []


def _table() -> pd.DataFrame:
    return pd.DataFrame([
        {"target": "discount_cost", "source": "Larkin (2014)", "study": "6-8% of revenue", "band": "0.06 to 0.08",
         "scenario": "field/enterprise_software", "model": 0.0717, "ci_low": 0.0676, "ci_high": 0.0759,
         "verdict": "holds", "fact": 1, "why": "the study's vendor"},
        {"target": "plan_attainment", "source": "CSO", "study": "78-86% of plan", "band": "0.779 to 0.859",
         "scenario": "baseline", "model": 1.2, "ci_low": 1.18, "ci_high": 1.22, "verdict": "misses", "fact": None,
         "why": "the typical force"},
    ])


def test_the_page_and_the_console_show_each_size_with_its_interval_and_verdict(tmp_path: Path):
    page = write_page([], tmp_path, quick=True, sizes=_table()).read_text()
    assert "## Published sizes" in page
    assert "| 0.0717 [0.0676, 0.0759] | holds | 1 |" in page
    assert "| 1.2 [1.18, 1.22] | misses |  |" in page
    text = console_table([], None, _table())
    assert "published sizes" in text and "misses" in text and "0.0717 [0.0676, 0.0759]" in text
    assert "## Published sizes" not in write_page([], tmp_path, quick=True).read_text()


@pytest.mark.slow  # five runs of 200 reps x 3 years on two workers
def test_the_field_profile_meets_fact_1s_sizes_on_the_pages_seeds():
    """Larkin (2014): timing gaming under an accelerating plan costs the vendor 6-8% of revenue in
    discounts; Oyer (1998): more is sold at the fiscal year's end and less at its start than in its
    middle. `scenarios/field/enterprise_software.yaml` was fitted on the calibration's seeds (root
    20240); on the page's seeds its 95% interval must lie inside each band."""
    with open_executor("process", 2) as executor:
        table = published.run_sizes(published.chosen([1]), executor)
    assert list(table["target"]) == ["discount_cost", "year_end_ratio", "year_start_ratio"]
    assert list(table["verdict"]) == ["holds"] * 3, table.to_string()
    assert (table["ci_low"] < table["model"]).all() and (table["model"] < table["ci_high"]).all()
