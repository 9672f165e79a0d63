"""What a run will cost before it starts: memory and time, estimated from the scenario alone.

A scenario can ask for more than the machine has without any single field being absurd (100,000
reps for 50 years; a sales cycle of years with 30 years of cancellations held per rep). The
figures here are upper-end estimates from the sizes of the arrays a run holds (see
`simulator.state.reps.RepArrays` and `simulator.sim.recording`), calibrated on this package's
benchmarks: they are meant to tell a 10-second run from a 10-hour one and a 100 MB run from a
100 GB one, not to the second. `check` refuses a plan whose runs would not fit in the memory the
machine has free, or would take longer than `MAX_HOURS`, unless forced.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from simulator.calendar import PERIOD_DAYS
from simulator.scenario import Scenario

REP_DAYS_PER_SECOND = 30_000  # the slowest shipped scenario (wells_fargo, 200 reps) on one core
SECONDS_PER_RUN = 0.3  # building the world and writing the tables
BYTES_PER_ROW = 8 * 90 * 3  # a rep-period row: ~90 columns of 8 bytes, held about three times while tables are built
BYTES_PER_ACT = 120  # a row of the act ledger
RUN_OVERHEAD = 64 << 20  # the run's own fixed arrays, beyond the libraries already loaded
MAX_HOURS = 24.0  # longer than this is refused without --force


class BudgetError(ValueError):
    """A run or sweep that would not fit the machine; the message says what drives it and how to shrink it."""


@dataclass(frozen=True)
class Estimate:
    """One run's peak memory (bytes beyond the loaded program) and time on one core (seconds)."""

    memory: int
    seconds: float
    drivers: str  # the fields that set the size, in words

    def describe(self) -> str:
        return f"about {_bytes(self.memory)} and {duration(self.seconds)} a run on one core ({self.drivers})"


def estimate(scenario: Scenario) -> Estimate:
    """Memory and time of one run of `scenario`."""
    from simulator.world.market import pipeline_horizon

    n, days, k = scenario.force.size, scenario.n_days, len(scenario.products)
    ring = pipeline_horizon(scenario)
    cancel = scenario.market.customers.cancel_days + 1
    per_rep = 16 * ring * k + 32 * cancel + 4_000  # the pipeline's ring, the cancellation ring, the rest
    periods = math.ceil(days / PERIOD_DAYS[scenario.quota.period])
    fake = scenario.market.fabrication.per_day + sum(a.padding_per_day for a in scenario.market.activities.values())
    memory = RUN_OVERHEAD + n * per_rep + n * periods * BYTES_PER_ROW + 2 * n * fake * BYTES_PER_ACT + days * 4_000
    seconds = SECONDS_PER_RUN + n * days / REP_DAYS_PER_SECOND
    drivers = (f"force.size {n:,} x {days:,} business days, a {ring:,}-day pipeline and {cancel:,}-day "
               f"cancellation window per rep, {periods:,} quota periods")
    return Estimate(int(memory), seconds, drivers)


def available_memory() -> int:
    """Memory the machine has free now (MemAvailable), or its total where that cannot be read."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 40  # unknown: do not refuse on memory


def plan(one: Estimate, runs: int = 1, workers: int = 1) -> tuple[int, float]:
    """Peak memory of `workers` runs at once and wall time of `runs` runs on `workers` cores."""
    workers = max(1, min(workers, runs))
    return one.memory * workers, one.seconds * math.ceil(runs / workers)


def check(one: Estimate, runs: int = 1, workers: int = 1, force: bool = False, source: str = "") -> str:
    """A sentence on what the runs will take; raises BudgetError if beyond the machine, unless `force`."""
    memory, seconds = plan(one, runs, workers)
    free = available_memory()
    text = (f"{runs:,} run{'s' * (runs != 1)} on {max(1, min(workers, runs))} worker(s): peak memory about "
            f"{_bytes(memory)} (free now: {_bytes(free)}), time about {duration(seconds)}; {one.describe()}")
    problems = []
    if memory > free:
        problems.append(f"needs about {_bytes(memory)} of memory and {_bytes(free)} is free")
    if seconds > MAX_HOURS * 3600:
        problems.append(f"would take about {duration(seconds)}, more than {MAX_HOURS:g} hours")
    if problems and not force:
        raise BudgetError(f"{source}: {' and '.join(problems)} ({one.drivers}); use a smaller force.size, a "
                          f"shorter horizon (--years) or fewer runs or workers, or --force to start anyway")
    return text + (f"; started anyway (--force): {' and '.join(problems)}" if problems else "")


def _bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} TB"


def duration(seconds: float) -> str:
    """Seconds in the unit a reader thinks in: s, min, h or days."""
    if seconds < 120:
        return f"{seconds:,.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:,.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:,.1f} h"
    return f"{seconds / 86400:,.0f} days"
