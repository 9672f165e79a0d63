"""DashboardModel: one plan, or two plans on the same seed stepping together, as one Mesa model.

The page's Reset builds a model by calling this class with every input as a keyword (as Mesa's
SolaraViz would), so every lever is a keyword argument here. Each plan is a `SalesForceModel`
built from the scenario file with the moved levers applied (`levers.plan_scenario`), so plan A is exactly what `salesim run FILE --set
...` runs with the same seed. The dashboard model adds no behaviour: it steps the plans and keeps
what the pictures need (who left and why, the run so far).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from simulator.dashboard.catalog import FIRST, resolve
from simulator.dashboard.levers import LEVERS, plan_scenario
from simulator.dashboard.snapshot import snapshot
from simulator.experiments.run import RunResult
from simulator.report.plans import PALETTE
from simulator.scenario import Scenario, ScenarioError
from simulator.sim.model import SalesForceModel

NO_COMPARISON = "none"
AS_IN_FILE = "same scenario, levers as in the file"
STATES = ("honest", "gaming", "misconduct", "caught", "fired", "quit", "vacant")


@dataclass
class PlanView:
    """One plan on the dashboard: its name, colour, scenario, the overrides the levers made, and
    the Mesa model running it."""

    name: str
    colour: str
    scenario: Scenario
    overrides: dict[str, Any]
    model: SalesForceModel
    moved: dict[str, Any] = field(default_factory=dict)  # lever name -> value, for the levers that differ from the file
    left_as: np.ndarray = field(init=False)  # per position: "" while held, else why its rep left
    drawing: dict[str, Any] = field(default_factory=dict, init=False, repr=False)  # what displays keep per plan
    _snapshot: tuple[int, RunResult] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.left_as = np.full(self.scenario.force.size, "", dtype=object)

    @property
    def day(self) -> int:
        return self.model.day

    @property
    def finished(self) -> bool:
        return self.model.engine.finished

    def step(self) -> None:
        """One business day; remembers whether each position's rep quit or was let go today."""
        self.model.step()
        e = self.model.engine
        self.left_as[e.leaving & e.quitting] = "quit"
        self.left_as[e.leaving & ~e.quitting] = "fired"
        self.left_as[e.reps.active & ~e.leaving] = ""

    def states(self) -> np.ndarray:
        """Each position's state for the network: the rep's own (`SalesRep.state`) while it is
        held, else why its last rep left."""
        out = np.where(self.left_as == "", "vacant", self.left_as).astype(object)
        for rep in self.model.agents:
            out[rep.slot] = rep.state
        return out

    def so_far(self) -> RunResult:
        """The run so far (tables and scorecard), computed once per business day."""
        if self._snapshot is None or self._snapshot[0] != self.day:
            self._snapshot = (self.day, snapshot(self.model))
        return self._snapshot[1]


def build_plan(name: str, path: str | Path, levers: dict[str, Any], seed: int | None, colour: str) -> PlanView:
    """A plan from its file and levers, as `salesim run FILE --set ...` would build it."""
    scenario, overrides = plan_scenario(path, levers)
    filed = plan_scenario(path)[0] if overrides else scenario
    moved = {k: v for k, v in levers.items() if k in LEVERS and LEVERS[k].moved(filed, v)}
    return PlanView(name, colour, scenario, overrides, SalesForceModel(scenario, seed=seed), moved)


class DashboardModel(mesa.Model):
    """The plans on the dashboard, stepping together one business day per step."""

    def __init__(
        self,
        scenario_file: str = FIRST[0],
        compare_with: str = NO_COMPARISON,
        seed: int | None = None,
        force_size: int | None = None,
        quota_period: str | None = None,
        quota_difficulty: float | None = None,
        ratchet: float | None = None,
        base_salary: float | None = None,
        bonus: float | None = None,
        accelerator: float | None = None,
        cap: str | None = None,
        check_ins: str | None = None,
        pressure: float | None = None,
        audit_rate: float | None = None,
        warnings: int | None = None,
        clawback_acts: bool | None = None,
        peer_influence: float | None = None,
        show_refusals: bool = False,
    ):
        """`show_refusals` (the app's choice): levers the scenario's validation refuses leave the
        plan as filed and the reason in `refused`, for the page to show, instead of raising."""
        levers = {k: v for k, v in locals().items() if k in LEVERS and v is not None}
        name, path = resolve(scenario_file)
        seed = plan_scenario(path)[0].seed if seed is None else int(seed)
        super().__init__(rng=seed)  # the plans own their generators; this one is never drawn from
        self.seed = seed
        self.refused: str | None = None
        try:
            first = build_plan(name, path, levers, seed, PALETTE[0])
        except ScenarioError as exc:
            if not show_refusals:
                raise
            self.refused = str(exc)
            first = build_plan(name, path, {}, seed, PALETTE[0])
        if compare_with == AS_IN_FILE and first.overrides:
            first.name = f"{name} (levers moved)"
        self.plans = [first]
        if compare_with == AS_IN_FILE:
            self.plans.append(build_plan(f"{name} (as in the file)", path, {}, seed, PALETTE[1]))
        elif compare_with != NO_COMPARISON:
            other, other_path = resolve(compare_with)
            self.plans.append(build_plan(other if other != name else f"{other} (2)", other_path, {}, seed, PALETTE[1]))

    def step(self) -> None:
        """One business day for every plan still running."""
        for plan in self.plans:
            if not plan.finished:
                plan.step()
        self.running = not all(plan.finished for plan in self.plans)

    @property
    def day(self) -> int:
        """Business days completed (by the first plan)."""
        return self.plans[0].day

