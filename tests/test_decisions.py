"""The daily search for effort and focus is warm-started and local; it must still find what an
exhaustive search over every focus mix and a fine effort grid finds (MECHANISM.md lesson 7)."""

import numpy as np
import pytest

from simulator.behaviour.effort import quiet_compilation, utility_grid
from simulator.behaviour.rules import effort_inputs
from simulator.engine import Engine

from conftest import small

EFFORTS = np.linspace(0.0, 4.0, 801)


AFTER_DECIDING = ("prospect", "close_deals", "time_deals", "cancel", "turnover", "settle", "staff", "record")


@pytest.mark.parametrize("name,overrides", [
    ("baseline", ()),
    ("ratchet", ()),
    ("capped", ()),
    ("daily_quota", ()),
    ("recession", ()),
    ("baseline", ("plan.stacked_bonus={period: year, amount: 6000, at: 1.0}",)),
])
def test_search_finds_the_exhaustive_optimum(name, overrides):
    engine = Engine(small(name, *overrides, size=60, years=1), seed=5)
    r = engine.reps
    rng = np.random.default_rng(0)
    misses, checked = [], 0
    for day in range(engine.n_days):
        engine.open_day()
        engine._outlook()
        inputs = effort_inputs(engine)
        engine.rule.choose(engine)
        if day % 9 == 4:
            for i in rng.choice(np.flatnonzero(r.active), size=8, replace=False):
                with quiet_compilation():
                    best = utility_grid(i, EFFORTS, *inputs, bool(r.exact_used[i])).max()
                checked += 1
                if r.value[i] < best - 1e-3 * abs(best) - 0.5:  # within 0.1% or 50 cents
                    misses.append((day, int(i), float(r.value[i]), float(best)))
        engine._log_effort()
        for phase in AFTER_DECIDING:
            getattr(engine, phase)()
    assert checked > 200
    assert len(misses) <= 0.01 * checked, misses[:5]
