"""Speed of a calibration: six behavioural parameters fitted on a 100-rep x 3-year panel.

The history is the baseline simulated at known values off its defaults; the fit starts at the
defaults, runs four replications a candidate on two workers and stops on the simplex's size (or
at 200 candidates), then takes the derivatives for the intervals. Prints the wall time, the
candidates asked for and simulated, seconds per simulated candidate and per run, and the share of
the wall time spent waiting for the model's runs (the rest is the optimiser, the moments and the
bootstrap). Target (issue 14): six parameters under 15 minutes on this 2-core machine. --quick
fits two parameters on 40 reps x 1 year with two replications and at most 20 candidates: a first
look, not the target's figure. The load average printed tells whether other work shared the cores.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from simulator.calibration.panel import from_tables
from simulator.calibration.parameters import parse_bounds
from simulator.calibration.workflow import calibrate, prepare
from simulator.experiments.design import scenario_for
from simulator.experiments.run import run
from simulator.scenario import load_scenario

ROOT = Path(__file__).parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.yaml"
# parameter: (true value, bounds); the baseline's defaults are the search's start
PARAMETERS = {
    "force.traits.effort_cost.mean": (120.0, "40:250"),
    "force.traits.goal_value.mean": (700.0, "150:1500"),
    "force.traits.foresight.mean": (0.7, "0.4:1.0"),
    "market.customers.waiting_ceiling": (0.2, "0.1:0.6"),
    "market.customers.period_end_discount": (0.07, "0.02:0.2"),
    "market.customers.flexible_share": (0.3, "0.05:0.5"),
}


def benchmark(size: int, years: float, n_parameters: int, replications: int, workers: int,
              max_evaluations: int) -> dict:
    names = list(PARAMETERS)[:n_parameters]
    settings = [f"force.size={size}", f"horizon_years={years:g}"]
    base = load_scenario(SCENARIO, settings).model_dump(mode="json")
    truth = {n: PARAMETERS[n][0] for n in names}
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    history_run = run(scenario_for(base, truth), 99)
    history = from_tables(history_run.rep_periods, history_run.daily, source="<benchmark history>")
    bounds = parse_bounds([f"{n}={PARAMETERS[n][1]}" for n in names])
    problem = prepare(SCENARIO, history, names, bounds=bounds, settings=settings, replications=replications)
    prepared = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as out:
        fit = calibrate(problem, out, workers=workers, max_evaluations=max_evaluations)
    wall = time.perf_counter() - started
    runs = fit.simulated * replications
    return {"size": size, "years": years, "parameters": n_parameters, "replications": replications,
            "workers": workers, "wall": wall, "prepare": prepared, "fit_seconds": fit.seconds,
            "evaluations": fit.evaluations, "simulated": fit.simulated, "runs": runs,
            "per_candidate": fit.seconds / max(fit.simulated, 1), "per_run": fit.run_seconds / max(runs, 1),
            "simulating_share": fit.wall_seconds / fit.seconds, "success": fit.success, "message": fit.message,
            "estimates": dict(zip(names, fit.estimate)), "truth": truth,
            "not_pinned_down": fit.not_pinned_down(), "load": (load_before, os.getloadavg()[0])}


def main(quick: bool = False) -> dict:
    if quick:
        result = benchmark(size=40, years=1, n_parameters=2, replications=2, workers=2, max_evaluations=20)
    else:
        result = benchmark(size=100, years=3, n_parameters=6, replications=4, workers=2, max_evaluations=200)
    r = result
    print(f"calibration: {r['parameters']} parameters, {r['size']} reps x {r['years']:g} years, "
          f"{r['replications']} runs a candidate on {r['workers']} workers")
    print(f"  wall {r['wall']:.1f} s (history and moments {r['prepare']:.1f} s, fit {r['fit_seconds']:.1f} s); "
          f"target: six parameters on 100 reps x 3 years under 900 s")
    print(f"  {r['evaluations']} candidates asked, {r['simulated']} simulated ({r['runs']} runs); "
          f"{r['per_candidate']:.2f} s per simulated candidate, {r['per_run']:.3f} s per run (summed over workers)")
    print(f"  share of the fit spent waiting for simulations: {r['simulating_share']:.1%}")
    print(f"  search: {r['message']} (success={r['success']})")
    for name, value in r["estimates"].items():
        print(f"    {name}: truth {r['truth'][name]:g}, estimate {value:.4g}")
    if r["not_pinned_down"]:
        print(f"  not pinned down: {', '.join(r['not_pinned_down'])}")
    print(f"  load average before/after: {r['load'][0]:.2f} / {r['load'][1]:.2f}")
    return result


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    main(quick=parser.parse_args().quick)
