"""A sweep's run time from a short timed run, for `salesim sweep --dry-run`.

`simulator.experiments.budget` guesses a run's time from the scenario's sizes alone, calibrated once
on the benchmarks. This times a few days of the sweep's largest case on this machine as it is now
(its load, its cores, its compiled kernels) and scales them to every run's force and days, divided
among the workers; shown side by side, the two say how far to trust either.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from simulator.calendar import DAYS_PER_YEAR
from simulator.experiments.budget import available_memory, duration, estimate
from simulator.experiments.design import Experiment
from simulator.experiments.run import run
from simulator.scenario import Scenario

WARM_DAYS = 2  # an untimed run first: loading (or, on a fresh checkout, compiling) the kernels is not a run's cost
SHORT_DAYS, LONG_DAYS = 5, 20  # two timed lengths: their difference is the cost of a day, the rest the setup
MIN_REP_DAYS = 5_000  # the long run lasts at least this many rep-days (a small force's days are too quick to time)
PROBE_REP_DAYS = 400_000  # and at most this many, so a huge force is timed in seconds
CASES_LOOKED_AT = 2000


@dataclass(frozen=True)
class Probe:
    """What the timed runs measured: the case timed, a run's fixed cost and the speed of its days."""

    case: int
    reps: int
    days: int  # business days of the long timed run
    setup_seconds: float  # building the world and the tables, beyond the days
    rep_days_per_second: float

    def run_seconds(self, scenario: Scenario) -> float:
        """One run of `scenario` on one core, at the measured speed."""
        return self.setup_seconds + scenario.force.size * scenario.n_days / self.rep_days_per_second


def cases(experiment: Experiment) -> list[tuple[int, Scenario]]:
    """The distinct cases among the first CASES_LOOKED_AT, with their scenarios."""
    seen, out = set(), []
    for case, overrides in enumerate(experiment.case_overrides[:CASES_LOOKED_AT]):
        key = json.dumps(overrides, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append((case, experiment.scenario(case * experiment.spec.replications)))
    return out


def timed(scenario: Scenario, seed: int, days: int) -> float:
    """Seconds one run of `scenario` cut to `days` business days takes here."""
    short = scenario.model_copy(update={"horizon_years": days / DAYS_PER_YEAR})
    start = time.perf_counter()
    run(short, seed)
    return time.perf_counter() - start


def measure(experiment: Experiment) -> Probe:
    """Time the sweep's largest case (most rep-days): a warm-up run, then a short and a long run, each
    the quicker of two (a busy machine slows some runs; the quickest is the least disturbed)."""
    case, scenario = max(cases(experiment), key=lambda c: (c[1].force.size * c[1].n_days, -c[0]))
    seed = int(experiment.seeds[case * experiment.spec.replications])
    size = max(scenario.force.size, 1)
    long = max(2, min(scenario.n_days, max(LONG_DAYS, MIN_REP_DAYS // size), PROBE_REP_DAYS // size))
    short = min(SHORT_DAYS, long // 2)
    timed(scenario, seed, WARM_DAYS)
    first = min(timed(scenario, seed, short) for _ in range(2))
    second = min(timed(scenario, seed, long) for _ in range(2))
    per_day = (second - first) / (long - short)
    if per_day <= 0:  # too quick to tell the days from the setup: count it all as days (an upper end)
        per_day, first, short = second / long, 0.0, 0
    return Probe(case, scenario.force.size, long, max(first - short * per_day, 0.0), scenario.force.size / per_day)


def sweep_seconds(probe: Probe, experiment: Experiment, workers: int) -> float:
    """Wall time of every run at the measured speed: each case's runs scaled to its force and days (the
    mean of the cases looked at, for designs with more), divided among the workers."""
    looked = cases(experiment)
    per_case = [probe.run_seconds(scenario) for _, scenario in looked]
    mean_run = sum(per_case) / len(per_case)
    return mean_run * experiment.n_runs / max(1, min(workers, experiment.n_runs))


def describe(experiment: Experiment, workers: int) -> str:
    """The dry run's measured estimate, in a sentence (or why the sweep was not timed)."""
    largest = max(cases(experiment), key=lambda c: c[1].force.size * c[1].n_days)[1]
    if estimate(largest).memory > available_memory():
        return "measured time: not timed (its largest case would not fit in the memory free now)"
    probe = measure(experiment)
    total = sweep_seconds(probe, experiment, workers)
    speed = f"{probe.rep_days_per_second:,.0f} rep-days/s"
    return (f"measured time: about {duration(total)} for {experiment.n_runs:,} runs on "
            f"{max(1, min(workers, experiment.n_runs))} worker(s), from {probe.days} timed days of case "
            f"{probe.case} ({probe.reps:,} reps: {speed} and {probe.setup_seconds:.2f} s to set up a run) "
            f"scaled to each run's force x days (runs x replications x days / workers; workers sharing "
            f"busy cores take longer)")
