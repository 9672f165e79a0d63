"""Speed of sweeps: 1,000 runs of the baseline (200 reps, 3 years) on one worker and on two.

Prints runs per second for each and the speed-up of two workers over one, with the wall time
from the command to the last part written (workers' start-up included). Target (issue): the whole
sweep in under 2 minutes on two cores and a speed-up of at least 1.8. 1,000 runs x 200 reps x 756
days is 151 million rep-days, so the target needs the core at about 0.65 million rep-days a second
per core; `python -m benchmarks core` shows where the core is. The load average printed beside
each figure tells whether other work shared the cores (above the number of workers: it did). CPU
seconds a run (the parent's and the workers') separate what the pool costs from what the machine
does: equal CPU a run on one and two workers with a speed-up well under 2 means the two cores slowed
each other down (shared caches, hyperthreads, other work), not that the runner wasted time.

Memory should stay flat in the number of runs (results go to disk part by part, workers keep
nothing between tasks): a two-worker sweep a tenth the size runs first, and the peak resident memory
of this process and of its largest worker after it is printed against the peaks after the full
two-worker sweep (which runs before the one-worker sweep: one worker runs in this process).
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

from simulator.experiments.design import load_experiment
from simulator.experiments.runner import open_executor, run_sweep

ROOT = Path(__file__).parents[1]
LEVELS = 10  # bonus levels; replications make up the rest of the runs

EXPERIMENT = """
name: sweep_benchmark
description: The baseline at ten bonus levels, replicated.
base:
  scenario: {scenario}
parameters:
  plan.bonus: {{low: 2000, high: 6500, count: {levels}}}
replications: {replications}
seed: 1
"""


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers, once shut down)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _peaks_mib() -> tuple[float, float]:
    """Peak resident memory so far of this process and of its largest finished child, in MiB."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_maxrss / 1024, kids.ru_maxrss / 1024


def timed_sweep(path: Path, workers: int) -> dict:
    experiment = load_experiment(path)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        cpu = _cpu_seconds()
        with open_executor("process", workers) as executor:
            report = run_sweep(experiment, Path(folder) / "out", executor, progress=False)
        seconds = time.perf_counter() - start
        cpu = _cpu_seconds() - cpu
    rep_days = experiment.n_runs * experiment.scenario(0).force.size * experiment.scenario(0).n_days
    return {"workers": workers, "runs": experiment.n_runs, "failed": report.failed, "seconds": seconds,
            "rate": experiment.n_runs / seconds, "rep_days_rate": rep_days / seconds,
            "cpu_per_run": cpu / experiment.n_runs, "load": (load_before, os.getloadavg()[0]), "peaks": _peaks_mib()}


def report(result: dict) -> None:
    print(f"  {result['workers']} worker{'s' if result['workers'] > 1 else ' '}: {result['runs']:,} runs in "
          f"{result['seconds']:7.1f} s = {result['rate']:5.2f} runs/s ({result['rep_days_rate'] / 1e6:4.2f} M rep-days/s)"
          f", {result['cpu_per_run']:.2f} CPU s a run (workers' start-up included)"
          f"  [load average {result['load'][0]:.1f} before, {result['load'][1]:.1f} after, on {os.cpu_count()} cores]"
          + (f", {result['failed']} failed" if result["failed"] else ""))


def _experiment(folder: str, runs: int) -> Path:
    path = Path(folder) / f"sweep_benchmark_{runs}.yaml"
    path.write_text(EXPERIMENT.format(scenario=ROOT / "scenarios" / "baseline.yaml", levels=LEVELS,
                                      replications=max(1, runs // LEVELS)))
    return path


def main(runs: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _experiment(folder, runs)
        small = timed_sweep(_experiment(folder, max(LEVELS, runs // 10)), 2)
        print(f"sweep benchmark: {load_experiment(path).n_runs:,} runs of the baseline (200 reps, 3 years)")
        two = timed_sweep(path, 2)  # before the one-worker sweep, which runs in this process and would set its peak
        one = timed_sweep(path, 1)
        report(one)
        report(two)
    print(f"  speed-up of 2 workers over 1: {one['seconds'] / two['seconds']:.2f} (target 1.8); "
          f"2 workers took {two['seconds'] / 60:.1f} min (target under 2); CPU a run, 2 workers over 1: "
          f"{two['cpu_per_run'] / one['cpu_per_run']:.2f} (above 1: the pool's own cost, or cores that slow each "
          f"other down)")
    print(f"  memory: peak {small['peaks'][0]:.0f} MiB here and {small['peaks'][1]:.0f} MiB in the largest worker "
          f"after {small['runs']:,} runs on two workers; {two['peaks'][0]:.0f} and {two['peaks'][1]:.0f} MiB after "
          f"{two['runs']:,} (ratios {two['peaks'][0] / small['peaks'][0]:.2f} and "
          f"{two['peaks'][1] / small['peaks'][1]:.2f}; flat is 1)")


if __name__ == "__main__":
    main()
