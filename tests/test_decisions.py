"""The daily search for effort and focus is warm-started and local; it must still find what an
exhaustive search over every focus mix and a fine effort grid finds."""

import numpy as np
import pytest
from conftest import SCENARIOS, small

from simulator.behaviour.effort import FLAG_CUT, largest_jump, quiet_compilation, utility_grid
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


def test_the_guard_says_where_it_found_a_better_optimum():
    """When the guard's probe beats the warm search's optimum, the exhaustive search decides that
    day and the guard's memory holds which of its four mixes the probe was at (`effort.CAUGHT`),
    which the core benchmark counts. Under a ratchet the mix that sells most inside the period
    catches most (python -m benchmarks core)."""
    from simulator.behaviour.effort import CAUGHT

    engine = Engine(small("ratchet", size=60, years=1.0), seed=3)
    caught = np.zeros(len(CAUGHT), dtype=int)
    while not engine.finished:
        engine.step()
        r = engine.reps
        today = r.active & (r.guard_memory[:, 2] == engine.day - 1)
        for j, mark in enumerate(CAUGHT):
            marked = today & (r.guard_memory[:, 0] == mark)
            assert r.exhaustive_used[marked].all()
            caught[j] += marked.sum()
    assert caught.sum() > 0
    assert caught[1] == caught.max()


@pytest.mark.parametrize(("name", "years"), [("baseline", 0.5), ("service", 1.0)])
def test_tracking_humps_changes_no_choice_and_the_flag_alone_keeps_the_measurements_forks(name, years):
    """The hump margins a run may track (`RepArrays.track_humps`, measured beside the guard in
    `effort.distant_check`), the whole measurement or the fork flag alone, change no rep's effort, focus or
    value: the same choices, bit for bit, every day. The flag alone (margins within `FLAG_CUT` of the rep's
    largest jump of pay, humps screened by their probes) flags only what the whole measurement finds within
    that cut, and at least nine in ten of them (docs/model.md, "Finding the reps in a band": measured 90 of 91
    on the baseline, 44 of 44 in the service business, where a flag climbing only the chosen mix's probes that
    lie beyond a valley flagged 30 of them)."""
    plain, every, alone = (Engine(small(name, size=60, years=years), seed=3) for _ in range(3))
    every.reps.track_humps(every_mix=True)
    alone.reps.track_humps(every_mix=False)
    curve = plain.world.decision_curve
    measured = within = flagged = 0
    while not plain.finished:
        for engine in (plain, every, alone):
            engine.step()
        for column in ("effort", "focus", "value"):
            for tracked in (every, alone):
                assert np.array_equal(getattr(plain.reps, column), getattr(tracked.reps, column)), (plain.day, column)
        r = every.reps
        measured += int(np.isfinite(r.guard_memory[:, 3:]).any(axis=1).sum())
        cut = FLAG_CUT * np.array([largest_jump(curve, r.goal[i], r.quota[i]) for i in range(r.n)])
        fresh = r.active & (r.guard_memory[:, 2] == every.day - 1) & ~r.exhaustive_used
        found = fresh & (r.guard_memory[:, 3] < cut)
        flag = fresh & np.isfinite(alone.reps.guard_memory[:, 3])
        assert not (flag & ~found).any(), every.day
        within += int(found.sum())
        flagged += int(flag.sum())
    assert plain.reps.guard_memory.shape[1] == 3 and measured > 0
    assert alone.reps.guard_memory.shape[1] == 4 and within > 0 and flagged >= 0.9 * within

