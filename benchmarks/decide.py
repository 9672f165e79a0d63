"""Speed of the decision kernel alone, free of the rest of the day's noise.

A run of the scenario is recorded: every day, the inputs of `effort.choose_effort` and the reps'
state before it. The kernel is then replayed on the recorded days, several times, and the best
time per rep-day is reported, with the share of rep-days on the exact valuation, and what one valuation
of a rep's plan (U at one effort and focus mix, on the normal belief) costs on the same days, so the
search's cost reads as a number of valuations a rep-day: how many the search spends is what bounds the
decision's speed, and each focus mix needs one at the least. The replay starts
each day from the recorded state, so it measures today's kernel on the same days however the
kernel has changed, and it can compare decisions (`python -m benchmarks.decide --check`, against
the exhaustive grid of `effort.utility_grid`).

    python -m benchmarks.decide [scenario ...] [--reps N] [--years Y] [--repeat R] [--check]
                                [--per-day N] [--every D] [--track-humps]

`--track-humps` also replays the days with the reps tracking humps (`RepArrays.track_humps`: the guard
measures the forks between pursuing a goal and letting it go, docs/model.md) and prints what that costs:
the fork flag alone (what an engine would carry to find the reps near one) and the whole measurement. The
variants are replayed in turn in each of the R rounds, so a change in the machine's load falls on each alike;
each is reported at its best round, with the range of its ratio to the untracked replay of the same round.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from simulator import load_scenario
from simulator.behaviour.effort import choose_effort, quiet_compilation, utility_grid
from simulator.behaviour.rules import effort_inputs
from simulator.sim.engine import Engine
from simulator.state.reps import Choice, with_hump_columns

ROOT = Path(__file__).parents[1]


def _copy(v):
    """A copy of an input: arrays copied, bundles (NamedTuples) field by field."""
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, tuple) and hasattr(v, "_fields"):
        return type(v)(*(_copy(f) for f in v))
    return v


def record(name: str, reps: int, years: float, seed: int = 1) -> list:
    """Per day: (choose_effort's inputs, the state it starts from, day, period start)."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml", [f"force.size={reps}", f"horizon_years={years}"])
    engine = Engine(scenario, seed=seed)
    r = engine.reps
    days = []
    while not engine.finished:
        for phase in engine.phases():  # the engine's own day, paused just before the reps decide
            if phase == "decide":
                inputs = tuple(_copy(v) for v in effort_inputs(engine.ctx, engine.terms))
                state = tuple(a.copy() for a in (r.effort, r.focus, r.value, r.exact_used, r.exhaustive_used,
                                                 r.guard_memory))
                x = engine.ctx
                days.append((inputs, state, x.day, x.day - (x.period_len - x.days_left)))
    return days, engine.ctx.workspace


def replay(days, work, humps: bool | None = None) -> tuple[float, list]:
    """Seconds for all recorded days, and each day's (effort, focus, value, exact, exhaustive, guard memory);
    `humps`: with the guard memory's columns for the hump margins, so the guard measures them (None: none,
    False: the fork flag alone, True: every mix too, `with_hump_columns`)."""
    out = []
    spent = 0.0
    for inputs, state, day, period_start in days:
        effort, focus, value, exact, wide, memory = (a.copy() for a in state)
        if humps is not None:
            memory = with_hump_columns(memory, every_mix=humps)
        full = inputs[1].copy()
        args = (inputs[0], full) + inputs[2:]
        t0 = time.process_time()
        with quiet_compilation((choose_effort, humps)):  # each variant compiles once, quietly
            choose_effort(*args, Choice(effort, focus, value, exact, wide, memory), work, day, period_start)
        spent += time.process_time() - t0
        out.append((effort, focus, value, exact, wide, memory))
    return spent, out


def valuation_cost(days, samples: int = 200, efforts: int = 801, seed: int = 0) -> tuple[float, int]:
    """Seconds per valuation of U on the normal belief (`effort.utility_grid` over `efforts` efforts at
    every focus mix, for `samples` rep-days drawn across the recorded days, each timed after a first call),
    and how many focus mixes a rep weighs."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(0.0, 4.0, efforts)
    picks = rng.choice(len(days), size=samples)
    spent, count, mixes = 0.0, 0, 0
    for d in picks:
        inputs = days[d][0]
        i = rng.choice(np.flatnonzero(inputs[0]))
        utility_grid(i, grid, *inputs, False)  # compiled and in cache before it is timed
        t0 = time.perf_counter()
        out = utility_grid(i, grid, *inputs, False)
        spent += time.perf_counter() - t0
        count += out.size
        mixes = out.shape[0]
    return spent / count, mixes


def check(days, results, efforts=np.linspace(0.0, 4.0, 801), every=3, per_day=10, seed=0) -> dict:
    """Sampled rep-days against the exhaustive grid: misses as in tests/test_decisions.py."""
    rng = np.random.default_rng(seed)
    checked = 0
    misses = []
    worst = 0.0
    for d in range(0, len(days), every):
        inputs = days[d][0]
        value, exact = results[d][2], results[d][3]
        active = np.flatnonzero(inputs[0])
        for i in rng.choice(active, size=min(per_day, len(active)), replace=False):
            grid = utility_grid(i, efforts, *inputs, bool(exact[i]))
            best = grid.max()
            checked += 1
            gap = best - value[i]
            worst = max(worst, gap)
            if value[i] < best - max(1e-3 * abs(best), 5.0):
                misses.append((d, int(i), float(value[i]), float(best), bool(exact[i])))
    return {"checked": checked, "misses": len(misses), "worst_gap": worst, "examples": misses[:5], "on_exact": sum(m[4] for m in misses)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenarios", nargs="*", default=["baseline", "ratchet", "daily_quota"])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--years", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--per-day", type=int, default=10, help="rep-days checked per checked day")
    parser.add_argument("--every", type=int, default=3, help="check every this many days")
    parser.add_argument("--track-humps", action="store_true", help="also time the days with hump tracking")
    args = parser.parse_args()
    report(args.scenarios, args.reps, args.years, args.repeat, args.check, args.every, args.per_day,
           args.track_humps)


def report(scenarios, reps, years, repeat, checked, every=3, per_day=10, track_humps=False) -> None:
    for name in scenarios:
        days, work = record(name, reps, years)
        rep_days = sum(int(d[0][0].sum()) for d in days)
        variants = [None] + ([False, True] if track_humps else [])  # untracked, the fork flag, every mix
        times = {v: [] for v in variants}
        for v in variants:  # each variant compiled (or loaded from the cache) before it is timed
            replay(days[:2], work, humps=v)
        for _ in range(repeat):  # the variants in turn, so a change in the machine's load falls on each alike
            for v in variants:
                spent, out = replay(days, work, humps=v)
                times[v].append(spent)
                if v is None:
                    results = out
        best = min(times[None])
        exact = sum(int(r[3][d[0][0]].sum()) for r, d in zip(results, days)) / rep_days
        wide = sum(int(r[4][d[0][0]].sum()) for r, d in zip(results, days)) / rep_days
        guarded = sum(int((r[5][d[0][0], 2] == d[2]).sum()) for r, d in zip(results, days)) / rep_days
        line = (f"{name:<12} {rep_days:>8,} rep-days: decide kernel {1e9 * best / rep_days:6.0f} ns/rep-day "
                f"({1e6 * best / len(days):6.0f} us/day), exact share {exact:.3f}, exhaustive share {wide:.4f}, "
                f"guard share {guarded:.3f}")
        print(line, flush=True)
        each, mixes = valuation_cost(days)
        print(f"    one valuation {1e9 * each:.0f} ns ({mixes} focus mixes): the decision spends "
              f"{best / rep_days / each:.1f} valuations' time a rep-day", flush=True)
        if track_humps:
            for label, every_mix in (("the fork flag", False), ("every mix", True)):
                tracked = min(times[every_mix])
                ratios = sorted(t / u for t, u in zip(times[every_mix], times[None]))
                print(f"    tracking humps, {label}: {1e9 * tracked / rep_days:.0f} ns/rep-day, {tracked / best:.2f}x "
                      f"(round by round {ratios[0]:.2f}-{ratios[-1]:.2f}x)", flush=True)
        if checked:
            print("    vs exhaustive grid:", check(days, results, every=every, per_day=per_day), flush=True)


if __name__ == "__main__":
    main()
