"""Experiment files: the schema, the designs and the seeds, all resolved before anything runs.

A bad experiment file is refused with a message naming the file, the field and the value; the
designs give the cases their names promise; every run gets its own seed from the root seed."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.cli import main
from simulator.experiments.design import ExperimentError, load_experiment, run_seeds
from simulator.scenario import ScenarioError

SCENARIOS = Path(__file__).parents[1] / "scenarios"

TINY = f"""
name: tiny
base:
  scenario: {SCENARIOS / 'baseline.yaml'}
  set: {{force.size: 10, horizon_years: 0.25}}
seed: 11
"""


def experiment_file(tmp_path, body: str, name: str = "exp.yaml") -> Path:
    """TINY with `body` added; a top-level section the body gives replaces TINY's (keys are never written twice)."""
    path = tmp_path / name
    given = {line.split(":", 1)[0] for line in body.splitlines() if line[:1].isalpha()}
    kept, skipping = [], False
    for line in TINY.splitlines():
        if line[:1].isalpha():
            skipping = line.split(":", 1)[0] in given
        if not skipping:
            kept.append(line)
    path.write_text("\n".join(kept) + "\n" + body)
    return path


def load(tmp_path, body: str, *overrides: str):
    return load_experiment(experiment_file(tmp_path, body), overrides)


def test_grid_is_every_combination_with_levers_and_uncertainties_apart(tmp_path):
    experiment = load(tmp_path, """
parameters:
  plan.bonus: {levels: [1000, 5000]}
  market.demand_uncertainty: {low: 0.1, high: 0.3, count: 3}
replications: 2
""")
    design = experiment.design_table()
    assert experiment.n_runs == 2 * 3 * 2 and len(design) == 12
    assert list(design.columns[4:6]) == ["lever.plan.bonus", "uncertainty.market.demand_uncertainty"]
    combos = set(zip(design["lever.plan.bonus"], design["uncertainty.market.demand_uncertainty"].round(6)))
    assert combos == {(b, u) for b in (1000, 5000) for u in (0.1, 0.2, 0.3)}
    assert experiment.scenario(11).plan.bonus == 5000 and experiment.scenario(11).market.demand_uncertainty == 0.3


def test_named_numbers_set_several_fields_and_named_choices_set_a_bundle(tmp_path):
    experiment = load(tmp_path, """
parameters:
  high_share:
    levels: [0.2, 0.6]
    sets:
      force.segments.high.share: {}
      force.segments.low.share: {offset: 1, factor: -1}
  frequency:
    levels:
      month: {quota.period: month, plan.bonus: 1333}
      year: {quota.period: year, plan.bonus: 16000}
""")
    assert [f.column for f in experiment.factors] == ["uncertainty.high_share", "lever.frequency"]
    last = experiment.scenario(experiment.n_runs - 1)
    assert last.force.segments["high"].share == 0.6 and last.force.segments["low"].share == pytest.approx(0.4)
    assert last.quota.period == "year" and last.plan.bonus == 16000
    assert set(experiment.design_table()["lever.frequency"]) == {"month", "year"}


def test_a_path_override_keeps_the_rest_of_the_field(tmp_path):
    """Varying a trait's mean keeps the spread and bounds the base scenario gives it."""
    experiment = load(tmp_path, "parameters:\n  force.traits.foresight.mean: {levels: [0.3]}\n")
    trait = experiment.scenario(0).force.traits.foresight
    assert trait.mean == 0.3 and trait.sd == 0.1 and trait.high == 1.0


@pytest.mark.parametrize("kind,samples,runs", [("random", 7, 7), ("latin_hypercube", 8, 8), ("sobol", 4, 4 * (3 + 2)),
                                               ("morris", 3, 3 * (3 + 1))])
def test_sampled_designs_stay_in_bounds_and_repeat_with_the_seed(tmp_path, kind, samples, runs):
    body = f"""
parameters:
  plan.commission_rate: {{low: 0.01, high: 0.05}}
  market.demand_uncertainty: {{low: 0.01, high: 1.0, scale: log}}
  quota.period: {{levels: [month, quarter, year]}}
design: {{kind: {kind}, samples: {samples}}}
"""
    first, again = load(tmp_path, body), load(tmp_path, body)
    other = load(tmp_path, body, "seed=12")
    design = first.design_table()
    assert len(design) == runs
    assert design["lever.plan.commission_rate"].between(0.01, 0.05).all()
    assert design["uncertainty.market.demand_uncertainty"].between(0.01, 1.0).all()
    assert set(design["lever.quota.period"]) <= {"month", "quarter", "year"}
    pd.testing.assert_frame_equal(design, again.design_table())
    assert not design["lever.plan.commission_rate"].equals(other.design_table()["lever.plan.commission_rate"])


def test_sobol_and_morris_designs_feed_salib_analysers(tmp_path):
    """design.parquet keeps each case's point in the unit cube, in the order SALib's analysers expect:
    an output that depends on the commission rate alone is attributed to it."""
    from SALib.analyze import morris, sobol

    problem = {"num_vars": 2, "names": ["rate", "bonus"], "bounds": [[0.0, 1.0]] * 2}
    body = "parameters:\n  plan.commission_rate: {low: 0.01, high: 0.05}\n  plan.bonus: {low: 0, high: 8000}\n"
    design = load(tmp_path, body + "design: {kind: sobol, samples: 64}\n").design_table()
    indices = sobol.analyze(problem, design["lever.plan.commission_rate"].to_numpy() ** 2, calc_second_order=False)
    assert indices["S1"][0] > 0.9 and abs(indices["S1"][1]) < 0.05
    design = load(tmp_path, body + "design: {kind: morris, samples: 10}\n").design_table()
    units = design[["unit.plan.commission_rate", "unit.plan.bonus"]].to_numpy()
    effects = morris.analyze(problem, units, design["lever.plan.commission_rate"].to_numpy())
    assert effects["mu_star"][0] > 0 and effects["mu_star"][1] == 0


def test_latin_hypercube_puts_one_case_in_each_stratum(tmp_path):
    experiment = load(tmp_path, """
parameters:
  plan.commission_rate: {low: 0.0, high: 0.1}
  force.size: {low: 10, high: 19, integer: true}
design: {kind: latin_hypercube, samples: 10}
""")
    design = experiment.design_table()
    assert sorted((design["lever.plan.commission_rate"] // 0.01).astype(int)) == list(range(10))
    assert sorted(design["uncertainty.force.size"]) == list(range(10, 20))


def test_listed_cases_and_design_tables_fill_what_a_case_leaves_out(tmp_path):
    experiment = load(tmp_path, """
design:
  kind: cases
  cases:
    - {plan.bonus: 6000}
    - {quota.period: month, plan.bonus: 1333}
""")
    design = experiment.design_table()
    assert list(design["lever.plan.bonus"]) == [6000, 1333]
    assert list(design["lever.quota.period"]) == ["quarter", "month"]  # the base scenario's, shown
    pd.DataFrame({"plan.bonus": [100.0, 200.0], "market.demand_uncertainty": [0.1, 0.2]}).to_csv(
        tmp_path / "table.csv", index=False)
    from_table = load(tmp_path, "design: {kind: table, file: table.csv}\n")
    assert from_table.n_runs == 2 and from_table.scenario(1).market.demand_uncertainty == 0.2


def test_every_run_has_its_own_spawned_seed_and_common_numbers_share_them(tmp_path):
    seeds = run_seeds(5, n_cases=3, replications=2)
    children = np.random.SeedSequence(5).spawn(6)
    assert list(seeds) == [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]
    assert len(set(seeds)) == 6 and seeds.dtype == np.int64 and (seeds >= 0).all()
    common = run_seeds(5, n_cases=3, replications=2, common=True)
    assert list(common[:2]) == list(common[2:4]) == list(common[4:]) and common[0] != common[1]
    experiment = load(tmp_path, "parameters:\n  plan.bonus: {levels: [1, 2]}\nreplications: 3\n")
    assert [run.seed for run in experiment.runs()] == list(run_seeds(11, 2, 3))


BAD = {
    "unknown key": ("replicatons: 3\n", ["replicatons", "unknown field", "replications"]),
    "unknown path": ("parameters:\n  plan.bonuss: {levels: [1]}\n", ["parameters.plan.bonuss", "no field 'bonuss'", "bonus_at"]),
    "unknown segment": ("parameters:\n  force.segments.hgh.share: {levels: [0.5]}\n", ["force.segments.hgh.share", "'hgh'", "high, low"]),
    "bad level": ("parameters:\n  quota.period: {levels: [month, fortnight]}\n",
                  ["parameters.quota.period.levels.1", "fortnight", "'quarter'"]),
    "bad bound": ("parameters:\n  market.demand_uncertainty: {low: -0.5, high: 0.5}\n",
                  ["parameters.market.demand_uncertainty.low", "-0.5", "greater than or equal to 0"]),
    "empty range": ("parameters:\n  plan.bonus: {low: 5, high: 1}\n", ["parameters.plan.bonus", "low (5) must be below high (1)"]),
    "grid without levels": ("parameters:\n  plan.bonus: {low: 1, high: 5}\n", ["parameters.plan.bonus", "count"]),
    "sobol size": ("parameters:\n  plan.bonus: {low: 1, high: 5}\ndesign: {kind: sobol, samples: 6}\n",
                   ["design", "power of 2", "got 6", "try 8"]),
    "mixed roles": ("parameters:\n  x:\n    levels: [1]\n    sets: {plan.bonus: {}, market.demand_uncertainty: {}}\n",
                    ["parameters.x", "lever and uncertainty"]),
    "seed as parameter": ("parameters:\n  seed: {levels: [1, 2]}\n", ["parameters.seed", "root seed"]),
    "cross-field case": ("parameters:\n  quota.period: {levels: [quarter, year]}\n"
                         "  plan.stacked_bonus: {levels: [{period: year, amount: 100}]}\n",
                         ["design case 1", "quota.period=year", "stacked_bonus.period (year) must be longer"]),
    "metric pattern": ("outputs: {metrics: [finance.*]}\n", ["outputs.metrics", "finance.*", "financial"]),
    "missing base": ("base: {scenario: nowhere.yaml}\n", ["base.scenario", "nowhere.yaml", "not found"]),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_files_are_refused_naming_file_field_and_value(tmp_path, case):
    body, expected = BAD[case]
    path = experiment_file(tmp_path, body, "bad.yaml")
    with pytest.raises(ExperimentError) as err:
        load_experiment(path)
    text = str(err.value)
    assert isinstance(err.value, (ValueError, ScenarioError)) and "bad.yaml: invalid experiment" in text
    for fragment in expected:
        assert fragment in text, f"{fragment!r} missing from:\n{text}"


def test_the_command_refuses_a_bad_file_before_any_run(tmp_path, capsys):
    path = experiment_file(tmp_path, "parameters:\n  quota.period: {levels: [fortnight]}\n", "bad.yaml")
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]) == 2
    assert "parameters.quota.period.levels.0" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_dry_run_prints_the_runs_and_a_few_cases(tmp_path, capsys):
    path = experiment_file(tmp_path, "parameters:\n  plan.bonus: {levels: [1000, 2000, 3000]}\nreplications: 4\n")
    assert main(["sweep", str(path), "--dry-run", "--replications", "2", "--out", str(tmp_path / "out")]) == 0
    text = capsys.readouterr().out
    assert "3 cases x 2 replications = 6 runs" in text and "plan.bonus=1000" in text and "seed" in text
    assert not (tmp_path / "out").exists()


def test_digest_changes_with_anything_that_changes_results(tmp_path):
    body = "parameters:\n  plan.bonus: {levels: [1000, 2000]}\n"
    base = load(tmp_path, body).digest()
    assert load(tmp_path, body).digest() == base
    assert load(tmp_path, body, "seed=3").digest() != base
    assert load(tmp_path, body, "replications=2").digest() != base
    assert load_experiment(experiment_file(tmp_path, body), (), ["force.size=12"]).digest() != base
    assert json.loads(load(tmp_path, body).design_table()["overrides"][0]) == {"plan.bonus": 1000}
