from pathlib import Path

import pytest

from simulator import load_scenario

ROOT = Path(__file__).parents[1]
SCENARIOS = ROOT / "scenarios"

# a sweep of eight short runs (two parameters at two levels, two replications) for sweep and fault tests
TINY_SWEEP = f"""
name: tiny
base:
  scenario: {SCENARIOS / 'baseline.yaml'}
  set: {{force.size: 10, horizon_years: 0.25}}
parameters:
  plan.bonus: {{levels: [2000, 6000]}}
  market.demand_uncertainty: {{levels: [0.05, 0.3]}}
replications: 2
seed: 3
outputs: {{tables: [daily]}}
"""


def small(name: str = "baseline", *overrides: str, size: int = 40, years: float = 1.0):
    """A shipped scenario on a small force and a short horizon."""
    return load_scenario(SCENARIOS / f"{name}.yaml", [f"force.size={size}", f"horizon_years={years}", *overrides])


@pytest.fixture
def small_baseline():
    return small()


def tiny_day(name: str = "baseline", *overrides: str, size: int = 6, seed: int = 0):
    """A day context over a tiny force, without an engine: the world of a shipped scenario, every
    position held by a rep of ability 1 on day 0 of a fresh period, the levers the scenario uses."""
    import numpy as np

    from simulator import draws
    from simulator.behaviour.effort import decision_workspace
    from simulator.levers import LeverSet
    from simulator.selling.pipeline import PRODUCT_COLUMNS
    from simulator.state.context import BookingTerms, DayContext
    from simulator.state.reps import RepArrays
    from simulator.world.build import build_world

    scenario = small(name, *overrides, size=size, years=1)
    rng = np.random.default_rng(seed)
    world = build_world(scenario, rng)
    levers = LeverSet.build(world, rng)
    p = world.products
    c = scenario.market.customers
    reps = RepArrays(size, p.k, p.horizon, c.cancel_days + 1)
    reps.active[:] = True
    reps.rep_id[:] = np.arange(1, size + 1)
    reps.ability[:] = 1.0
    reps.productivity[:] = 1.0
    reps.integrity_now[:] = 0.5
    reps.quota[:] = 100_000.0
    reps.quota_days[:] = world.period_len
    reps.focus[:] = world.balanced
    cancel = levers.table("cancel", None)
    ctx = DayContext(world=world, reps=reps, dice=draws.stream_for(rng), leads=levers.table("leads", p.leads),
                     win=levers.table("win", p.win),
                     booking=BookingTerms(p.price, p.credit, p.margin, c.cancel_rate if cancel is None else cancel,
                                          c.cancel_days),
                     today=np.zeros(PRODUCT_COLUMNS + p.k), dismissed=np.zeros(size, dtype=bool),
                     workspace=decision_workspace(len(world.focus_shares), p.k),
                     day=0, days_left=world.period_len, second_days_left=world.period_len)
    return ctx, levers


@pytest.hookimpl(tryfirst=True)  # before xdist's worker reads the groups off the items
def pytest_collection_modifyitems(config, items):
    """Tests that share one of this suite's module- or session-scoped fixtures run on one worker.

    Under pytest-xdist each worker builds such a fixture for itself, so a fixture whose tests were
    spread over both workers was built twice (the stylized facts' runs, about two minutes, were).
    `make test` runs `--dist loadgroup`, which keeps each group named here on one worker and spreads
    the rest as usual; pytest's own fixtures (tmp_path_factory) do not group anything.
    """
    for item in items:
        defs = item._fixtureinfo.name2fixturedefs
        shared = {name for name in item.fixturenames
                  if name in defs and defs[name][-1].baseid and defs[name][-1].scope in ("module", "session")}
        # named by the shared fixture the others are built on, so a test using only that one joins them
        roots = sorted(name for name in shared if not shared.intersection(defs[name][-1].argnames))
        if roots:  # a session fixture is one per worker whichever module uses it
            root = defs[roots[0]][-1]
            where = "session" if root.scope == "session" else item.module.__name__
            item.add_marker(pytest.mark.xdist_group(f"{where}:{roots[0]}"))
