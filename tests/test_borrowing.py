"""Kernels compiled without reference counting (`behaviour.borrowing`) free all they allocate.

A kernel that broke the borrowing rules would leave arrays unfreed (it took a reference it never
gave back) or free them under their owner (it gave back one it never took). numba counts every
allocation and every free when NUMBA_NRT_STATS is set, so each shipped scenario runs in a process
with the counters on, and every allocation of a run must be freed once the run is dropped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import gc, json, sys
from pathlib import Path
from numba.core.runtime import rtsys
from simulator import load_scenario
from simulator.sim.engine import Engine

out = {}
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    scenario = load_scenario(path, ["force.size=40", "horizon_years=0.5"])
    Engine(scenario.model_copy(update={"horizon_years": 0.05}), seed=1).run()  # compiles, fills caches
    gc.collect()
    before = rtsys.get_allocation_stats()
    engine = Engine(scenario, seed=2).run()
    del engine
    gc.collect()
    after = rtsys.get_allocation_stats()
    out[path.name] = [after.alloc - before.alloc, after.free - before.free,
                      after.mi_alloc - before.mi_alloc, after.mi_free - before.mi_free]
print(json.dumps(out))
"""


def test_every_scenario_frees_what_its_kernels_allocate():
    """Each scenario's run allocates (the counters work) and frees every allocation and every
    memory block it made: no kernel keeps or drops a reference it should not."""
    env = {**os.environ, "NUMBA_NRT_STATS": "1"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "scenarios")], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(counts) >= 20
    unbalanced = {name: c for name, c in counts.items() if c[0] != c[1] or c[2] != c[3]}
    assert not unbalanced, f"allocations, frees, blocks, blocks freed: {unbalanced}"
    assert all(c[0] > 0 for c in counts.values())
