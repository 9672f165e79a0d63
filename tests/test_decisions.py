"""The daily search for effort and focus is warm-started and local; it must still find what an
exhaustive search over every focus mix and a fine effort grid finds."""

import numpy as np
import pytest
from conftest import SCENARIOS, small

from simulator.behaviour.effort import quiet_compilation, utility_grid
from simulator.behaviour.rules import effort_inputs
from simulator.sim.engine import Engine

pytestmark = pytest.mark.slow  # real days of every scenario, replayed against the exhaustive search

EFFORTS = np.linspace(0.0, 4.0, 801)



@pytest.mark.parametrize("name,overrides", [
    *[(path.stem, ()) for path in sorted(SCENARIOS.glob("*.yaml"))],
    ("baseline", ("plan.stacked_bonus={period: year, amount: 6000, at: 1.0}",)),
    ("baseline", ("plan.threshold=0.6", "plan.tiers=[{at: 1.0, rate: 0.05}, {at: 1.5, rate: 0.01}]")),
    ("baseline", ("behaviour.rule=myopic",)),
    ("baseline", ("behaviour.effort_curvature=1.5",)),  # a flatter cost than quadratic ...
    ("ratchet", ("behaviour.effort_curvature=3",)),  # ... and a steeper one, on the exact valuation too
])
def test_search_finds_the_exhaustive_optimum(name, overrides):
    engine = Engine(small(name, *overrides, size=60, years=1), seed=5)
    r = engine.reps
    rng = np.random.default_rng(0)
    misses, checked = [], 0
    for day in range(engine.n_days):
        for phase in engine.phases():  # the real day, paused before and after the reps decide
            if phase == "decide" and day % 9 == 4:
                inputs = effort_inputs(engine.ctx, engine.terms)
            if phase == "prospect" and day % 9 == 4:
                for i in rng.choice(np.flatnonzero(r.active), size=8, replace=False):
                    with quiet_compilation():
                        grid = utility_grid(i, EFFORTS, *inputs, bool(r.exact_used[i]))
                    best = grid.max()
                    checked += 1
                    # within 0.1% of the best value, or $5 on the period's value (immaterial)
                    if r.value[i] < best - max(1e-3 * abs(best), 5.0):
                        misses.append((day, int(i), float(r.value[i]), float(best)))
    assert checked > 200
    assert len(misses) <= 0.01 * checked, misses[:5]
