"""Today's engine against an earlier one, timed side by side on this machine.

The throughput targets are ratios: the baseline at twice the speed of the engine as it was when
they were set (commit REFERENCE, 2 December 2026), measured on one machine, since rates from
different machines (or one machine under different loads) differ by more than the changes being
judged. Each version runs in a process of its own, from its own checkout (a git worktree of the
reference, made once under runs/side_by_side/) and with its own kernel cache, so neither borrows
the other's compiled code; the two alternate, round after round, and each workload keeps its best
CPU time. A workload's work per rep-day is whatever its version's model does: the ratio is what a
user of each version waits, not the speed of identical arithmetic.

    python -m benchmarks.side_by_side [--against COMMIT] [--rounds N] [--quick]
    python -m benchmarks side_by_side [--quick]      (the defaults, with the other benchmarks' runner)

The reference's first run compiles its kernels (a few minutes); later runs load them from its cache.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
REFERENCE = "965dfe2"  # the engine when the throughput targets were set
TARGET = 2.0  # today's baseline rate over the reference's
WORKLOADS = (("baseline", 500, 5.0), ("baseline", 200, 3.0), ("ratchet", 500, 1.0), ("daily_quota", 500, 1.0),
             ("wells_fargo", 500, 1.0))
QUICK = (("baseline", 500, 1.0), ("baseline", 200, 1.0), ("daily_quota", 200, 0.5))

# Run in the child, from the checkout being timed: the installed package is an editable install of
# this checkout, whose import hook would win over PYTHONPATH, so it is taken off first. Older
# checkouts keep the engine in `simulator.engine`.
CHILD = """
import json, sys, time
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
from pathlib import Path
import simulator
from simulator import load_scenario
try:
    from simulator.sim.engine import Engine
except ImportError:
    from simulator.engine import Engine
root = Path(simulator.__file__).parents[1]
out = {"root": str(root)}
for name, reps, years in json.loads(sys.argv[1]):
    scenario = load_scenario(root / "scenarios" / f"{name}.yaml", [f"force.size={reps}", f"horizon_years={years}"])
    Engine(scenario.model_copy(update={"horizon_years": 0.05}), seed=1).run()  # compile, or load the cache
    best = float("inf")
    for seed in (1, 2):
        cpu = time.process_time()
        engine = Engine(scenario, seed=seed).run()
        best = min(best, time.process_time() - cpu)
    out[f"{name}/{reps}/{years}"] = reps * engine.n_days / best
print(json.dumps(out))
"""


def checkout(commit: str) -> Path:
    """A worktree of `commit` under runs/side_by_side/ (made once, then reused)."""
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"], cwd=ROOT, check=False,
                           capture_output=True, text=True)
    if found.returncode != 0:
        raise SystemExit(f"side_by_side: commit {commit} is not in this clone's history (a shallow clone?); "
                         "fetch it, or name another with --against")
    full = found.stdout.strip()
    tree = ROOT / "runs" / "side_by_side" / full[:12]
    if not (tree / "simulator").is_dir():
        tree.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--force", "--detach", str(tree), full], cwd=ROOT, check=True,
                       capture_output=True)
    return tree


def rates(tree: Path, workloads: tuple, cache: Path | None) -> dict[str, float]:
    """Rep-days per CPU second of each workload, run from the checkout `tree` in a fresh process on one thread."""
    env = {**os.environ, "PYTHONPATH": str(tree), "NUMBA_NUM_THREADS": "1"}
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = str(cache)
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(workloads)], cwd=tree, env=env, check=True,
                          capture_output=True, text=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(out.pop("root")).resolve() != tree.resolve():
        raise RuntimeError(f"the child imported the package from elsewhere than {tree}")
    return out


def main(against: str = REFERENCE, rounds: int = 2, quick: bool = False) -> None:
    workloads = QUICK if quick else WORKLOADS
    tree = checkout(against)
    best_then: dict[str, float] = {}
    best_now: dict[str, float] = {}
    for _ in range(rounds):
        for best, where, cache in ((best_then, tree, tree / ".numba_cache"), (best_now, ROOT, None)):
            for key, rate in rates(where, workloads, cache).items():
                best[key] = max(best.get(key, 0.0), rate)
    print(f"side by side: today's engine (this checkout) against {against} (the engine when the targets were set), "
          f"M rep-days per CPU second, best of {rounds} rounds x 2 seeds, one thread [load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores]")
    print(f"  {'workload':<30} {against:>10} {'today':>8} {'today / then':>13}")
    for name, reps, years in workloads:
        key = f"{name}/{reps}/{years}"
        ratio = best_now[key] / best_then[key]
        target = f"   (target {TARGET:.0f}x)" if name == "baseline" else ""
        print(f"  {f'{name}, {reps} reps x {years:g} y':<30} {best_then[key] / 1e6:10.3f} {best_now[key] / 1e6:8.3f} "
              f"{ratio:12.2f}x{target}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.side_by_side", description=__doc__.split("\n")[0])
    parser.add_argument("--against", default=REFERENCE, help=f"the commit to compare with (default {REFERENCE})")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of both versions (default 2)")
    parser.add_argument("--quick", action="store_true", help="shorter workloads, for a first look")
    args = parser.parse_args()
    main(args.against, args.rounds, args.quick)
