"""SalesForceModel, the Mesa model: a sales force under a pay plan, one business day per step.

The model owns the run's only random generator (`self.rng`, from the seed) and hands it to the
array engine, so a run through this model and one through `Engine` alone give identical numbers.
"""

from __future__ import annotations

import mesa

from simulator.scenario import Scenario
from simulator.sim.engine import Engine
from simulator.sim.rep import SalesRep


class SalesForceModel(mesa.Model):
    """Reps (SalesRep agents) selling under the scenario's plan, quota policy and management."""

    def __init__(self, scenario: Scenario, seed: int | None = None):
        seed = scenario.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.config = scenario
        self.engine = Engine(scenario, seed=seed, rng=self.rng)
        self._agents_by_slot: dict[int, SalesRep] = {}
        self._sync_agents()

    def step(self) -> None:
        """One business day: the engine runs the day's phases (`simulator.sim.schedule.PHASES`),
        then agents follow the force's hires and departures."""
        self.engine.step()
        self._sync_agents()
        self.running = not self.engine.finished

    @property
    def day(self) -> int:
        """Business days completed."""
        return self.engine.day

    def _sync_agents(self) -> None:
        """Leavers' agents are removed, new hires get agents (Mesa ids follow the engine's rep ids)."""
        e = self.engine
        for slot in e.left_today:
            self._agents_by_slot.pop(slot).remove()
        for slot in e.hired_today:
            rep = SalesRep(self, slot)
            if rep.unique_id != int(e.reps.rep_id[slot]):
                rep.unique_id = int(e.reps.rep_id[slot])
            self._agents_by_slot[slot] = rep
        e.hired_today, e.left_today = [], []
