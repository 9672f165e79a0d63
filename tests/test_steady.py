"""Calling kernels past numba's dispatch (`simulator.steady`): only ever with the very arguments it was typed for."""

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from numba import njit, typeof

from simulator.steady import KeepsBundles, SteadyCall

SCENARIOS = Path(__file__).parents[1] / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS / "demo").glob("*.yaml"))


class Pair(NamedTuple):
    a: np.ndarray
    b: np.ndarray


@njit
def _weighted_sum(pair, weight, out):
    total = 0.0
    for i in range(len(pair.a)):
        total += weight * pair.a[i] * pair.b[i]
    out[0] = total
    return total


@njit
def _dot(a, b):
    return (a * b).sum()


def test_the_same_arguments_reach_the_compiled_entry_point_with_the_same_result():
    """The second call with the same objects goes straight to the entry point numba ran for them, and
    computes what the dispatched call computes; values may change inside the arrays and scalars."""
    pair, out = Pair(np.arange(4.0), np.ones(4)), np.zeros(1)
    call = SteadyCall(_weighted_sum)
    assert call(pair, 2.0, out) == 12.0
    assert call.state[1] is None  # first call: dispatched
    pair.a[:] = 1.0
    assert call(pair, 3.0, out) == 12.0 == out[0]
    assert call.state[1] is not None  # the same objects again: the entry point
    assert call(pair, 0.5, out) == _weighted_sum(pair, 0.5, out) == 2.0


def test_an_argument_of_another_type_is_dispatched_not_handed_to_the_remembered_entry_point():
    """A new array (here of integers, which the float version would misread), a scalar of another
    type, or a rebuilt bundle is never taken for the remembered arguments."""
    out = np.zeros(1)
    floats = Pair(np.arange(3.0), np.ones(3))
    call = SteadyCall(_weighted_sum)
    call(floats, 1.0, out)
    call(floats, 1.0, out)
    assert call.state[1] is not None
    ints = Pair(np.arange(3, dtype=np.int64), np.ones(3, dtype=np.int64))
    assert call(ints, 1.0, out) == 3.0  # dispatched: numba compiles the integer version
    assert call.state[0][0] is ints and call.state[1] is None
    ints.a[:] = 2
    assert call(ints, 1.0, out) == 6.0  # two versions compiled: the one typed for these arguments
    assert call.state[1] is _weighted_sum.overloads[(typeof(ints), typeof(1.0), typeof(out))].entry_point
    assert call(floats, 1.0, out) == 3.0  # the float arrays again: dispatched, numba picks
    assert call.state[0][0] is floats and call.state[1] is None
    assert call(ints, 2, out) == 12.0  # an int weight where a float was: dispatched
    assert call(Pair(*ints), 2, out) == 12.0  # the same arrays in a new bundle: dispatched
    assert call.state[1] is None


class _Holder(KeepsBundles):
    def __init__(self):
        self.a, self.b = np.zeros(2), np.ones(2)

    def pair(self):
        return self.kept(Pair, lambda: Pair(self.a, self.b))


def test_a_kept_bundle_is_the_same_object_until_a_member_is_replaced():
    holder = _Holder()
    first = holder.pair()
    assert holder.pair() is first
    holder.a[:] = 5.0  # new values, the same array
    holder.a *= 2.0  # assigned, but the array it held
    assert holder.pair() is first
    holder.b = np.ones(2)  # a new array: a new bundle
    fresh = holder.pair()
    assert fresh is not first and fresh.b is holder.b
    assert holder.pair() is fresh


class _CountingCall(SteadyCall):
    looked = 0

    def _entry_point(self, args):
        self.looked += 1
        return super()._entry_point(args)


def test_arguments_numba_converts_to_a_compiled_version_stay_dispatched_and_are_typed_once():
    """Contiguous arrays run on a version compiled for any layout ('A') when numba may compile no more: no
    version is typed for them, so they are dispatched, and looked for only once while they stay the same."""
    call = _CountingCall(_dot)
    call(np.arange(6.0)[::2], np.ones(6)[::2])  # strided: compiled for 'A'
    call(np.arange(3), np.ones(3, dtype=np.int64))  # a second version, for integers
    a, b = np.arange(3.0), np.ones(3)
    _dot.disable_compile()  # from here numba converts: the 'C' arrays run on the 'A' version
    try:
        for _ in range(4):
            assert call(a, b) == 3.0
    finally:
        _dot.disable_compile(False)
    assert len(_dot.overloads) == 2 and call.state[1] is False and call.looked == 1


def test_the_days_bundles_follow_a_replaced_array_of_the_reps():
    """The day context's bundles hold the reps' arrays too (the quota in `stakes`): replacing one of the reps'
    arrays drops them with the reps' own, so no kernel is handed the array that was replaced."""
    from pathlib import Path

    from simulator import load_scenario
    from simulator.sim.engine import Engine

    scenario = load_scenario(Path(__file__).parents[1] / "scenarios" / "baseline.yaml",
                             ["force.size=3", "horizon_years=0.1"])
    engine = Engine(scenario, seed=1)
    engine.run(2)
    x, r = engine.ctx, engine.reps
    stakes, pipeline = x.stakes(), r.pipeline()
    assert x.stakes() is stakes and r.pipeline() is pipeline
    r.quota = r.quota * 2.0
    assert x.stakes() is not stakes and x.stakes().quota is r.quota
    x.din = x.din.copy()  # one of the context's own
    assert x.selling().din is x.din


def test_misconduct_and_oversight_are_called_past_dispatch_and_follow_replaced_arrays():
    """Wells Fargo's misconduct and oversight kernels see the same bundles day after day (so they are called
    past dispatch), and a replaced array reaches them: the context's dismissals in the oversight's record,
    the ledger's act arrays once they grow."""
    from pathlib import Path

    from simulator import load_scenario
    from simulator.conduct import oversight
    from simulator.sim import engine as engine_module

    scenario = load_scenario(Path(__file__).parents[1] / "scenarios" / "wells_fargo.yaml",
                             ["force.size=4", "horizon_years=0.1"])
    engine = engine_module.Engine(scenario, seed=1)
    engine.run(5)
    for call in (engine_module._choose_misconduct, engine_module._oversee_acts):
        assert call.state[1], call.kernel  # an entry point: the last calls brought the same objects
    x, ledger = engine.ctx, engine.act_ledger
    x.dismissed = np.zeros_like(x.dismissed)
    assert (engine_module.Engine, oversight.Record) not in x.bundle_store()
    engine.run(1)
    assert x.bundle_store()[(engine_module.Engine, oversight.Record)].dismissed is x.dismissed
    acts, events = ledger.arrays(), ledger.events()
    assert ledger.arrays() is acts and ledger.events() is events
    ledger.reserve(ledger.capacity + 1)
    assert ledger.arrays().slot is ledger.acts["slot"] and ledger.arrays().slot is not acts.slot
    assert ledger.events().act is ledger.event_act and ledger.events().act is not events.act


def test_the_levers_terms_keep_their_bundles_from_day_to_day():
    """Activity targets (a rate and a goal rate each morning) and a contest (the line's variance each
    morning) write their terms in place, so the terms' bundles, and with them the decision's and the
    timing's arguments, are the same objects day after day: both kernels are called past dispatch."""
    from pathlib import Path

    from simulator import load_scenario
    from simulator.behaviour import rules
    from simulator.sim.engine import Engine

    for name in ("activity_targets", "contest"):
        scenario = load_scenario(Path(__file__).parents[1] / "scenarios" / f"{name}.yaml",
                                 ["force.size=6", "horizon_years=0.1"])
        engine = Engine(scenario, seed=1)
        engine.run(3)
        side, timing = engine.terms.side(), engine.terms.timing()
        engine.run(3)
        assert engine.terms.side() is side and engine.terms.timing() is timing, name
        assert rules._choose_block.state[1] and rules._time_deals.state[1], name


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(SCENARIOS).with_suffix("").as_posix())
def test_every_shipped_scenarios_daily_kernels_are_called_past_dispatch(path):
    """After its first days, a run hands each daily kernel the very objects of the day before, so no
    kernel goes through numba's dispatch day after day (which the lever scenarios' decision did, unseen,
    until the levers' terms kept their bundles): over 20 days each kernel may be dispatched a few times
    (a wider held-customer table, a hire's first day), not daily."""
    from simulator import load_scenario
    from simulator.sim.engine import Engine
    from simulator.steady import EVERY

    engine = Engine(load_scenario(path, ["force.size=8", "horizon_years=0.2"]), seed=3)
    engine.run(10)
    before = {id(call): call.dispatched for call in EVERY}
    engine.run(20)
    daily = {getattr(call.kernel, "__name__", repr(call.kernel)): call.dispatched - before.get(id(call), 0) for call in EVERY}
    assert max(daily.values()) <= 4, {name: n for name, n in daily.items() if n > 4}
