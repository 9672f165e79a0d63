"""Equal-cost comparisons: rescale a plan's variable pay so it costs what a reference plan costs.

Most comparisons that designers and the literature make are at equal expected pay cost
(MECHANISM.md lesson 6), and reps respond to the rates, so the scale is found by fixed-point
iteration over short runs on common seeds: scale <- scale * (reference cost - base) / variable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.runs import run
from simulator.scenario import Scenario


@dataclass(frozen=True)
class Calibration:
    scale: float  # multiplier on the plan's variable pay (its plan.variable_scale is multiplied by it)
    reference_cost: float  # mean total pay of the reference plan over the calibration runs, $
    cost: float  # mean total pay of the rescaled plan, $
    iterations: int

    @property
    def gap(self) -> float:
        return self.cost / self.reference_cost - 1.0


def _costs(scenario: Scenario, seeds, scale: float) -> tuple[float, float]:
    totals, bases = [], []
    for seed in seeds:
        card = run(scenario.with_variable_scale(scale), seed).summary["financial"]
        totals.append(card["comp_cost"])
        bases.append(card["base_pay"])
    return float(np.mean(totals)), float(np.mean(bases))


def equal_cost_scale(scenario: Scenario, reference: Scenario, seeds=(1, 2, 3), years: float | None = None,
                     tolerance: float = 0.005, max_iterations: int = 12) -> Calibration:
    """The factor on `scenario`'s variable pay that makes its pay cost equal `reference`'s."""
    if years is not None:
        scenario = scenario.model_copy(update={"horizon_years": years})
        reference = reference.model_copy(update={"horizon_years": years})
    target, _ = _costs(reference, seeds, 1.0)
    scale = 1.0
    cost = target
    for iteration in range(1, max_iterations + 1):
        cost, base = _costs(scenario, seeds, scale)
        variable = cost - base
        if abs(cost / target - 1.0) < tolerance:
            return Calibration(scale, target, cost, iteration)
        if variable <= 0:
            raise ValueError(f"{scenario.name}: the plan pays no variable pay, so it cannot be rescaled to equal cost")
        scale *= max(target - base, 0.0) / variable
    return Calibration(scale, target, cost, max_iterations)
