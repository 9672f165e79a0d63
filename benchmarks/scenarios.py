"""Speed of every shipped scenario against the baseline's, on one core.

Each scenario in scenarios/ (and scenarios/demo/) runs with the same force and horizon (default
200 reps, one year; each scenario's own plan, market and levers), timed in CPU seconds after a
short run that compiles its kernels (or loads them from the cache). Prints rep-days a second and
the ratio to the baseline's rate. Target (issue): every scenario at half the baseline's rate or
more. Then a day's fixed cost: the baseline's time a day with 2 reps, against its time a day with
the full force. CPU time, not wall time, so other work on the machine disturbs the figures less.

    python -m benchmarks scenarios [--quick]
"""

from __future__ import annotations

import time
from pathlib import Path

from simulator import load_scenario
from simulator.sim.engine import Engine

ROOT = Path(__file__).parents[1]


def shipped() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "scenarios" / "demo").glob("*.yaml"))


def cpu_rate(path: Path, reps: int, years: float, seed: int = 1, repeat: int = 1) -> float:
    """Best rep-days per CPU second of `repeat` runs (after one short run that compiles)."""
    scenario = load_scenario(path, [f"force.size={reps}", f"horizon_years={years}"])
    Engine(scenario.model_copy(update={"horizon_years": 0.1}), seed=seed).run()
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        engine = Engine(scenario, seed=seed)
        engine.run()
        best = min(best, time.process_time() - start)
    return reps * engine.n_days / best


def main(quick: bool = False, reps: int = 200) -> None:
    years = 0.5 if quick else 1.0
    repeat = 1 if quick else 2
    print(f"every shipped scenario: {reps} reps, {years:g} year, one core (CPU time, best of {repeat})")
    base = cpu_rate(ROOT / "scenarios" / "baseline.yaml", reps, years, repeat=repeat)
    slow = []
    for path in shipped():
        rate = base if path.stem == "baseline" and path.parent.name == "scenarios" else cpu_rate(
            path, reps, years, repeat=repeat)
        ratio = rate / base
        name = path.relative_to(ROOT / "scenarios").with_suffix("").as_posix()
        print(f"  {name:<24} {rate / 1e6:5.3f} M rep-days/s  {ratio:5.2f}x the baseline"
              + ("   <- under half" if ratio < 0.5 else ""), flush=True)
        if ratio < 0.5:
            slow.append(name)
    print(f"  under half the baseline's rate: {', '.join(slow) if slow else 'none'} (target: none)")
    # what a day costs whatever the force (Python that calls the kernels, the arrays handed over): a
    # small force pays almost nothing else, so its time a day is that cost
    fixed = 1e3 * 2 / cpu_rate(ROOT / "scenarios" / "baseline.yaml", 2, 3.0, repeat=repeat)
    whole = 1e3 * reps / base
    print(f"  a day's fixed cost, the baseline with 2 reps over 3 years: {fixed:.3f} ms a day, against {whole:.3f} ms "
          f"a day with {reps} reps ({fixed / whole:.0%} of it)")


if __name__ == "__main__":
    main()
