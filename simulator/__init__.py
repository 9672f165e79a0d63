"""salesim: an agent-based simulator of sales-force incentive plans.

    from simulator import load_scenario, run, SalesForceModel
    scenario = load_scenario("scenarios/baseline.yaml", ["plan.bonus=5000"])
    result = run(scenario, seed=1)          # daily, rep_periods, summary
    model = SalesForceModel(scenario)       # the same run, step by step, as a Mesa model

    experiment = load_experiment("experiments/quota_frequency.yaml")
    run_sweep(experiment, "runs/sweeps/quota_frequency")   # every core; resumable
    table = load_results("runs/sweeps/quota_frequency")     # a row per run: parameters, metrics, seed, status
"""

from simulator.calibration import Calibration, equal_cost_scale
from simulator.engine import Engine
from simulator.experiment import Experiment, ExperimentError, load_experiment
from simulator.model import SalesForceModel
from simulator.rep import SalesRep
from simulator.runner import open_executor, rerun, run_sweep
from simulator.runs import RunResult, run
from simulator.scenario import Scenario, ScenarioError, load_scenario
from simulator.store import ResultsError, load_results

__all__ = [
    "Calibration",
    "Engine",
    "Experiment",
    "ExperimentError",
    "ResultsError",
    "RunResult",
    "SalesForceModel",
    "SalesRep",
    "Scenario",
    "ScenarioError",
    "equal_cost_scale",
    "load_experiment",
    "load_results",
    "load_scenario",
    "open_executor",
    "rerun",
    "run",
    "run_sweep",
]
