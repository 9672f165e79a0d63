"""salesim: an agent-based simulator of sales-force incentive plans.

    from simulator import load_scenario, run, SalesForceModel
    scenario = load_scenario("scenarios/baseline.yaml", ["plan.bonus=5000"])
    result = run(scenario, seed=1)          # daily, rep_periods, summary
    model = SalesForceModel(scenario)       # the same run, step by step, as a Mesa model

    experiment = load_experiment("experiments/quota_frequency.yaml")
    run_sweep(experiment, "runs/sweeps/quota_frequency")   # every core; resumable
    table = load_results("runs/sweeps/quota_frequency")     # a row per run: parameters, metrics, seed, status

Names are imported on first use, so reading results (`load_results`) does not load the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from simulator.kernel_cache import clear_stale_kernels

clear_stale_kernels()  # before any kernel loads from the cache (`kernel_cache`)

_PUBLIC = {
    "Calibration": "simulator.experiments.equal_cost",
    "equal_cost_scale": "simulator.experiments.equal_cost",
    "Engine": "simulator.sim.engine",
    "Experiment": "simulator.experiments.design",
    "ExperimentError": "simulator.experiments.design",
    "load_experiment": "simulator.experiments.design",
    "SalesForceModel": "simulator.sim.model",
    "SalesRep": "simulator.sim.rep",
    "open_executor": "simulator.experiments.runner",
    "rerun": "simulator.experiments.runner",
    "run_sweep": "simulator.experiments.runner",
    "RunResult": "simulator.experiments.run",
    "run": "simulator.experiments.run",
    "Scenario": "simulator.scenario",
    "ScenarioError": "simulator.scenario",
    "load_scenario": "simulator.scenario",
    "ResultsError": "simulator.experiments.store",
    "load_results": "simulator.experiments.store",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from simulator.experiments.design import Experiment, ExperimentError, load_experiment
    from simulator.experiments.equal_cost import Calibration, equal_cost_scale
    from simulator.experiments.run import RunResult, run
    from simulator.experiments.runner import open_executor, rerun, run_sweep
    from simulator.experiments.store import ResultsError, load_results
    from simulator.scenario import Scenario, ScenarioError, load_scenario
    from simulator.sim.engine import Engine
    from simulator.sim.model import SalesForceModel
    from simulator.sim.rep import SalesRep
