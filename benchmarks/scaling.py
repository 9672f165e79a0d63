"""How cost grows with the force: the baseline for one year at 100 to 100,000 reps, and a contest.

Each size runs in a fresh process, so its peak memory (the process's maximum resident set, kernels
and libraries included) is its own. Cost should grow linearly with reps: the rate (rep-days a
second, CPU time) stays flat as the force grows, and memory grows by a fixed amount per rep. The
contest rows time a force-wide rank contest against the same force without one over a year, in CPU
seconds (a quarter's run is too short to time on a busy machine; target: within 2x at 1,000 reps). Rates are per wall-clock second of the run alone (building the world included,
the first compile excluded); CPU seconds are printed beside them. From
`behaviour.rules.THREADED_FROM_REPS` reps on, a run decides on every core: those sizes are also run
on one thread, and the speed-up printed (the numbers are the same, tests/test_threads.py).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
SIZES = (100, 1_000, 10_000, 100_000)
CONTEST_SIZES = (300, 1_000)


def measure(scenario: str, reps: int, years: float, overrides: list[str], threaded: bool = True) -> dict:
    """One run in this process: wall and CPU seconds, rep-days a wall second and peak resident memory."""
    from simulator import load_scenario
    from simulator.behaviour import rules
    from simulator.sim.engine import Engine

    if not threaded:
        rules.THREADED_FROM_REPS = 10**12

    loaded = load_scenario(ROOT / "scenarios" / f"{scenario}.yaml",
                           [f"force.size={reps}", f"horizon_years={years}", *overrides])
    Engine(loaded.model_copy(update={"horizon_years": 0.05, "force": loaded.force.model_copy(
        update={"size": min(reps, 100)})}), seed=1).run()  # compile (or load the cache) on a small force
    cpu, wall = time.process_time(), time.perf_counter()
    engine = Engine(loaded, seed=1).run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"reps": reps, "seconds": wall, "cpu": cpu, "rate": reps * engine.n_days / wall,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def in_child(scenario: str, reps: int, years: float, overrides: list[str], threaded: bool = True) -> dict:
    """`measure` in a fresh interpreter, so each peak is the run's own."""
    code = ("import json, sys; from benchmarks.scaling import measure; "
            f"print(json.dumps(measure({scenario!r}, {reps}, {years}, {overrides!r}, {threaded!r})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(quick: bool = False) -> None:
    from simulator.behaviour.rules import THREADED_FROM_REPS

    sizes = SIZES[:3] if quick else SIZES
    print("scaling benchmark: the baseline for one year, each size in a fresh process")
    print(f"  {'reps':>8} {'wall s':>8} {'CPU s':>8} {'M rep-days/s':>13} {'ratio to 100':>13} {'peak MiB':>9}"
          f"   one thread")
    first = None
    for reps in sizes:
        row = in_child("baseline", reps, 1.0, [])
        first = first or row
        alone = ""
        if reps >= THREADED_FROM_REPS:
            one = in_child("baseline", reps, 1.0, [], threaded=False)
            alone = f"   {one['rate'] / 1e6:.3f} M rep-days/s (threads {row['rate'] / one['rate']:.2f}x)"
        print(f"  {reps:>8,} {row['seconds']:8.2f} {row['cpu']:8.2f} {row['rate'] / 1e6:13.3f} "
              f"{row['rate'] / first['rate']:13.2f} {row['peak_mib']:9.0f}{alone}")
    print("contest: a force-wide rank contest (10 winners) against none, one year, CPU seconds")
    for reps in CONTEST_SIZES:
        none = in_child("contest", reps, 1.0, ["plan.contest.prize=0"])
        wide = in_child("contest", reps, 1.0, ["plan.contest.scope=force", "plan.contest.winners=10"])
        print(f"  {reps:>8,} reps: {none['cpu']:6.2f} s without, {wide['cpu']:6.2f} s with "
              f"({wide['cpu'] / none['cpu']:.2f}x; target 2x or less)")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
