"""Speed of the simulation core: the baseline with 500 reps over 5 years, on one core.

Prints rep-days per second for the whole day and per phase, and the share of rep-days that used
the exact distribution, the exhaustive search, and the guard against a distant better optimum
(`behaviour.effort.distant_check`, counted with the exhaustive searches; the decision's largest
optional cost: it probes every pay threshold and commission-only optimum at up to four focus
mixes), with how many of the guard's runs found a better optimum, by the mix it was found at
(`effort.CAUGHT`): what that cost buys. Target (issue): 1 million rep-days a second on one core.
For scale: a plain per-agent Mesa loop of a far simpler daily rule manages about 0.24 million here.
"""

from __future__ import annotations

import time
from pathlib import Path

from simulator import load_scenario
from simulator.behaviour.effort import CAUGHT
from simulator.sim.engine import Engine
from simulator.sim.schedule import PHASE_NAMES

ROOT = Path(__file__).parents[1]
MIXES = ("the chosen mix", "the mix selling most in the period", "the stacked goal's mix", "the mix of letting go")


def timed_run(name: str, reps: int, years: float, seed: int = 1) -> dict:
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml", [f"force.size={reps}", f"horizon_years={years}"])
    Engine(scenario.model_copy(update={"horizon_years": 0.1}), seed=seed).run()  # compile (or load the cache)
    engine = Engine(scenario, seed=seed)
    spent = dict.fromkeys(PHASE_NAMES, 0.0)
    exact = 0
    wide = 0
    guarded = 0
    caught = [0] * len(CAUGHT)
    start = time.perf_counter()
    while not engine.finished:
        phase, t0 = None, time.perf_counter()
        for step in engine.phases():  # the engine's own day, timed phase by phase
            now = time.perf_counter()
            if phase is not None:
                spent[phase] += now - t0
            phase, t0 = step, now
        spent[phase] += time.perf_counter() - t0
        exact += int(engine.reps.exact_used[engine.reps.active].sum())
        wide += int(engine.reps.exhaustive_used[engine.reps.active].sum())
        memory = engine.reps.guard_memory[engine.reps.active]
        ran = memory[:, 2] == engine.day - 1
        guarded += int(ran.sum())
        for j, mark in enumerate(CAUGHT):
            caught[j] += int((ran & (memory[:, 0] == mark)).sum())
    total = time.perf_counter() - start
    rep_days = reps * engine.n_days
    return {"name": name, "rep_days": rep_days, "seconds": total, "rate": rep_days / total,
            "phases": {p: rep_days / s for p, s in spent.items() if s > 0}, "exact_share": exact / rep_days,
            "exhaustive_share": wide / rep_days, "guard_share": guarded / rep_days, "guard_runs": guarded,
            "caught": caught}


def report(result: dict) -> None:
    print(f"{result['name']:<16} {result['rep_days']:>10,} rep-days in {result['seconds']:6.2f} s: "
          f"{result['rate'] / 1e6:5.2f} M rep-days/s  (target 1.0: {result['rate'] / 1e6:4.2f}x target)  "
          f"exact share {result['exact_share']:.3f}, exhaustive search share {result['exhaustive_share']:.3f}, "
          f"guard share {result['guard_share']:.3f}")
    at = ", ".join(f"{where} {n:,}" for where, n in zip(MIXES, result["caught"]))
    print(f"    the guard's {result['guard_runs']:,} runs found a better distant optimum {sum(result['caught']):,} times "
          f"(at {at})")
    slowest = sorted(result["phases"].items(), key=lambda kv: kv[1])
    print("    per phase (M rep-days/s): " + ", ".join(f"{p} {r / 1e6:.2f}" for p, r in slowest))


def main(quick: bool = False) -> None:
    years = 1 if quick else 5
    print(f"core benchmark: 500 reps, {years} years, one core")
    report(timed_run("baseline", 500, years))
    for name in ("ratchet", "daily_quota"):  # the exact distribution at work
        report(timed_run(name, 500, 1))
    report(timed_run("wells_fargo", 500, 1))  # misconduct, oversight and the branch network at work


if __name__ == "__main__":
    main()
