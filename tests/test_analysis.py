"""Sensitivity analysis and scenario discovery: the pipeline recovers known Sobol indices, scores a
lever without effect at zero, and finds a box planted in a synthetic table."""

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simulator.analysis.discovery import MIN_DENSITY, prim_boxes, tree_leaves
from simulator.analysis.sensitivity import indices, noise_share
from simulator.cli import main
from simulator.experiments.design import load_experiment
from simulator.experiments.findings import load_saved, sweep_indices
from simulator.experiments.runner import SerialExecutor, run_sweep

pytestmark = pytest.mark.slow  # sweeps and scenario discovery

ROOT = Path(__file__).parents[1]
# Ishigami function (a = 7, b = 0.1): analytical indices, as SALib's own tests give them
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]


def ishigami(u: np.ndarray) -> np.ndarray:
    x = -math.pi + 2 * math.pi * np.asarray(u)
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_model(scenario, seed):
    """A stand-in for the simulator: the Ishigami function of three scenario fields scaled to [0, 1]."""
    u = np.array([[scenario.plan.bonus / 1000, scenario.quota.difficulty - 0.5,
                   scenario.behaviour.ethics.peer_influence]])
    return SimpleNamespace(summary={"financial": {"revenue": float(ishigami(u)[0])}})


ISHIGAMI_SWEEP = f"""
name: ishigami
base:
  scenario: {ROOT / 'scenarios' / 'baseline.yaml'}
parameters:
  plan.bonus: {{low: 0, high: 1000}}
  quota.difficulty: {{low: 0.5, high: 1.5}}
  behaviour.ethics.peer_influence: {{low: 0, high: 1}}
design: {{kind: sobol, samples: 512}}
replications: 1
seed: 1
"""


def test_sobol_indices_of_the_ishigami_function_are_recovered_through_a_sweep(tmp_path):
    """Saltelli's scheme sampled by the experiment file, run by the sweep runner, analysed from the
    results folder: the known first-order and total indices within 0.08."""
    (tmp_path / "ishigami.yaml").write_text(ISHIGAMI_SWEEP)
    out = tmp_path / "out"
    run_sweep(load_experiment(tmp_path / "ishigami.yaml"), out, SerialExecutor(), model=ishigami_model, progress=False)
    table = sweep_indices(out, ["financial.revenue"]).set_index("parameter")
    names = ["plan.bonus", "quota.difficulty", "behaviour.ethics.peer_influence"]
    assert table.loc[names, "S1"].to_numpy() == pytest.approx(ISHIGAMI_S1, abs=0.08)
    assert table.loc[names, "ST"].to_numpy() == pytest.approx(ISHIGAMI_ST, abs=0.08)
    assert list(table.loc[names, "role"]) == ["lever", "lever", "uncertainty"]


def test_morris_screening_ranks_a_linear_function_by_its_slopes():
    from SALib.sample import morris

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    unit = morris.sample(problem, 20, num_levels=4, seed=np.random.default_rng(0))
    y = 3 * unit[:, 0] + 1 * unit[:, 1] + 0 * unit[:, 2]
    table = indices("morris", unit, y, problem["names"]).set_index("parameter")
    assert table["mu_star"].to_numpy() == pytest.approx([3.0, 1.0, 0.0], abs=1e-9)


MORRIS_SWEEP = f"""
name: screening
base:
  scenario: {ROOT / 'scenarios' / 'baseline.yaml'}
  set: {{force.size: 12, horizon_years: 0.25}}
parameters:
  plan.bonus: {{low: 2000, high: 12000}}
  management.detection.audit_rate: {{low: 0.0, high: 0.05}}
design: {{kind: morris, samples: 3}}
replications: 2
common_random_numbers: true
seed: 4
"""


def test_a_lever_with_no_effect_by_construction_scores_zero_on_the_model(tmp_path):
    """Audits in a world where no misconduct is possible change nothing (test_misconduct), so with
    common random numbers their Morris effect on every figure is exactly zero, while the bonus moves
    pay; replications give a noise share between 0 and 1."""
    (tmp_path / "screening.yaml").write_text(MORRIS_SWEEP)
    out = tmp_path / "out"
    run_sweep(load_experiment(tmp_path / "screening.yaml"), out, SerialExecutor(), progress=False)
    assert main(["sensitivity", str(out), "--metric", "financial.comp_cost", "--metric", "financial.revenue"]) == 0
    table = pd.read_parquet(out / "sensitivity.parquet").set_index(["metric", "parameter"])
    assert table.loc[("financial.comp_cost", "management.detection.audit_rate"), "mu_star"] == 0.0
    assert table.loc[("financial.revenue", "management.detection.audit_rate"), "mu_star"] == 0.0
    assert table.loc[("financial.comp_cost", "plan.bonus"), "mu_star"] > 0
    assert 0.0 < table.loc[("financial.comp_cost", "plan.bonus"), "noise_share"] < 1.0
    assert "sensitivity" in (out / "report.html").read_text()


def test_indices_refuse_a_design_without_them(tmp_path, capsys):
    (tmp_path / "grid.yaml").write_text(MORRIS_SWEEP.replace("{kind: morris, samples: 3}", "{kind: grid}")
                                        .replace("{low: 2000, high: 12000}", "{levels: [2000, 4000]}")
                                        .replace("{low: 0.0, high: 0.05}", "{levels: [0.0]}"))
    out = tmp_path / "out"
    run_sweep(load_experiment(tmp_path / "grid.yaml"), out, SerialExecutor(), progress=False)
    assert main(["sensitivity", str(out)]) == 2
    assert "morris or sobol" in capsys.readouterr().err


def test_noise_share_is_the_within_case_part_of_the_variance():
    case = pd.Series([0, 0, 1, 1])
    assert noise_share(pd.Series([1.0, 1.0, 5.0, 5.0]), case) == 0.0
    assert noise_share(pd.Series([0.0, 2.0, 0.0, 2.0]), case) == pytest.approx(1.0)
    assert math.isnan(noise_share(pd.Series([1.0, 2.0]), pd.Series([0, 1])))


def planted(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Four parameters; the outcome is true inside difficulty > 1.3 and audit_rate < 0.02, with 5% label noise."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"difficulty": rng.uniform(0.8, 1.6, n), "audit_rate": rng.uniform(0, 0.1, n),
                      "bonus": rng.uniform(0, 10000, n), "peer_influence": rng.uniform(0, 1, n)})
    inside = (x["difficulty"] > 1.3) & (x["audit_rate"] < 0.02)
    flip = rng.random(n) < 0.05
    return x, (inside ^ flip).to_numpy()


def overlap(limits: dict, x: pd.DataFrame) -> float:
    """Intersection over union of a found box and the planted one, over the sampled points."""
    found = np.ones(len(x), dtype=bool)
    for name, (low, high) in limits.items():
        found &= (x[name] >= (low if low is not None else -np.inf)) & (x[name] <= (high if high is not None else np.inf))
    truth = (x["difficulty"] > 1.3) & (x["audit_rate"] < 0.02)
    return float((found & truth).sum() / (found | truth).sum())


def test_prim_finds_the_planted_box():
    x, y = planted()
    boxes, trajectory = prim_boxes(x, y)
    box = boxes[0]
    assert set(box.limits) == {"difficulty", "audit_rate"}, box.rule
    assert overlap(box.limits, x) > 0.75, box.rule
    truth = ((x["difficulty"] > 1.3) & (x["audit_rate"] < 0.02)).to_numpy()
    best_coverage, best_density = (truth & y).sum() / y.sum(), (truth & y).sum() / truth.sum()  # the planted box's
    # the box chosen is the widest on the trajectory whose density reaches MIN_DENSITY
    assert box.coverage >= 0.9 * best_coverage and box.density >= min(MIN_DENSITY, best_density), (box, best_coverage)
    assert "difficulty" in box.rule and "audit_rate <" in box.rule
    assert any(step["chosen"] for step in trajectory) and trajectory[0]["coverage"] == 1.0


def test_cart_finds_the_planted_box():
    x, y = planted()
    leaf = tree_leaves(x, y)[0]
    assert set(leaf.limits) == {"difficulty", "audit_rate"}, leaf.rule
    assert overlap(leaf.limits, x) > 0.75 and leaf.density > 0.8


def test_discovery_on_a_sweep_names_its_parameters_and_reaches_the_report(tmp_path, capsys):
    """A sweep over bonus and demand uncertainty: cases whose pay cost passes its median are found
    by their bonus (pay cost rises with the bonus), and the report shows the boxes."""
    text = MORRIS_SWEEP.replace("{kind: morris, samples: 3}", "{kind: latin_hypercube, samples: 16}") \
                       .replace("management.detection.audit_rate: {low: 0.0, high: 0.05}",
                                "market.demand_uncertainty: {low: 0.05, high: 0.3}").replace("replications: 2", "replications: 1")
    (tmp_path / "lhs.yaml").write_text(text)
    out = tmp_path / "out"
    run_sweep(load_experiment(tmp_path / "lhs.yaml"), out, SerialExecutor(), progress=False)
    from simulator import load_results

    median = float(load_results(out)["financial.comp_cost"].median())
    assert main(["discover", str(out), "--metric", "financial.comp_cost", "--above", str(median)]) == 0
    printed = capsys.readouterr().out
    assert "plan.bonus >" in printed
    found = load_saved(out)["comp_cost"]
    assert found.risky == 8 and found.cases == 16 and found.scores["plan.bonus"] > found.scores["market.demand_uncertainty"]
    assert "scenario discovery" in (out / "report.html").read_text()
    assert main(["discover", str(out), "--risk", "no_such_risk"]) == 2

