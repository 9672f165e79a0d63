"""salesim: an agent-based simulator of sales-force incentive plans.

    from simulator import load_scenario, run, SalesForceModel
    scenario = load_scenario("scenarios/baseline.yaml", ["plan.bonus=5000"])
    result = run(scenario, seed=1)          # daily, rep_periods, summary
    model = SalesForceModel(scenario)       # the same run, step by step, as a Mesa model
"""

from simulator.calibration import Calibration, equal_cost_scale
from simulator.engine import Engine
from simulator.model import SalesForceModel
from simulator.rep import SalesRep
from simulator.runs import RunResult, run
from simulator.scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "Calibration",
    "Engine",
    "RunResult",
    "SalesForceModel",
    "SalesRep",
    "Scenario",
    "ScenarioError",
    "equal_cost_scale",
    "load_scenario",
    "run",
]
