"""The robustness sweep's reading (`simulator.validation.robustness`): a point counts as holding when
every required check's mean goes the expected way, and as holding with intervals clear only when each
check's own 95% interval over the point's runs clears zero; the share of points where a fact holds
carries its exact 95% interval over the points. The runs are replaced by a stub whose numbers are
set per arm and seed, so this checks the reading, not the model (tests/test_facts.py does that)."""

from __future__ import annotations

from concurrent.futures import Future

import pandas as pd
import pytest

from simulator.validation import fact, robustness
from simulator.validation.page import write_page
from simulator.validation.suite import FactRuns


class Inline:
    """An executor that runs each task on submission."""

    def submit(self, fn, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_a_point_holds_with_intervals_clear_only_when_every_required_interval_clears_zero(monkeypatch):
    """Fact 7's checks (quits and misconduct fall under fixed-heavy pay). Stub runs: every point the
    fixed-heavy arm has fewer quits on every seed (interval clear); misconduct falls on average but
    one seed of three goes the other way (mean down, interval across zero)."""
    seven = fact(7)
    misconduct = {0: 0.5, 1: 0.5, 2: -0.1}  # variable-heavy minus fixed-heavy, by replication

    def measure(scenario, seed):
        r = seeds.index(seed)
        heavy = scenario.plan.base_salary < fixed_base
        return {"learning_growth.quit_rate": 0.3 if heavy else 0.1,
                "internal_process.misconduct_rate": misconduct[r] if heavy else 0.0,
                "financial.revenue": 2.0 if heavy else 1.0}

    experiment = robustness.load_fact(seven, quick=True)
    seeds = robustness.arm_seeds(experiment)[: robustness.REPLICATIONS]
    scenarios = robustness.arm_scenarios(experiment)
    fixed_base = max(s.plan.base_salary for s in scenarios.values())
    monkeypatch.setattr(robustness, "measure", measure)
    runs = FactRuns(seven, experiment, {}, pd.DataFrame())
    table = robustness.sweep([seven], [runs], Inline(), points=4)
    assert table["check0"].all() and table["check0_sure"].all()  # quits: down on every seed
    assert table["check1"].all() and not table["check1_sure"].any()  # misconduct: down on average only
    assert table["holds"].all() and not table["holds_sure"].any()
    row = robustness.shares(table).iloc[0]
    assert (row["share"], row["share_sure"], row["points"]) == (1.0, 0.0, 4)
    assert row["share_low"] == pytest.approx(0.025 ** (1 / 4))  # exact interval, n of n: (alpha / 2)^(1 / n)
    assert row["share_high"] == 1.0


def test_the_share_carries_its_exact_interval_over_the_points_on_the_page(tmp_path):
    table = pd.DataFrame({"fact": 1, "point": range(24), "holds": [True] * 12 + [False] * 12,
                          "holds_sure": [True] * 6 + [False] * 18, "check0": True,
                          **{d.name: [d.low + (d.high - d.low) * (i + 0.5) / 24 for i in range(24)]
                             for d in robustness.SPACE}})
    row = robustness.shares(table).iloc[0]
    assert row["share"] == 0.5 and row["share_sure"] == 0.25
    assert (round(row["share_low"], 3), round(row["share_high"], 3)) == (0.291, 0.709)  # Clopper-Pearson, 12 of 24
    page = write_page([], tmp_path, quick=False, sweep=table).read_text()
    assert "| 1 | 50% (29%-71%) | in part of the space | 25% |" in page
