"""Equal-cost comparisons: rescale a plan's variable pay so it costs what a reference plan costs.

Most comparisons that designers and the literature make are at equal expected pay cost (many
effects change sign with a plan's cost), and reps respond to the rates, so the scale is found by iteration over
short runs on common seeds: a fixed-point step scale <- scale * (reference cost - base) / variable,
damped, and bracketed by the scales already seen to cost too little and too much.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.experiments.run import run
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


def pay_cost(scenario: Scenario, seeds) -> tuple[float, float]:
    """Mean total pay and mean base pay over runs with these seeds, $."""
    totals, bases = [], []
    for seed in seeds:
        card = run(scenario, seed).summary["financial"]
        totals.append(card["comp_cost"])
        bases.append(card["base_pay"])
    return float(np.mean(totals)), float(np.mean(bases))


def equal_cost_scale(scenario: Scenario, reference: Scenario, seeds=(1, 2, 3), years: float | None = None,
                     tolerance: float = 0.005, max_iterations: int = 15) -> Calibration:
    """The factor on `scenario`'s variable pay that makes its pay cost equal `reference`'s."""
    if years is not None:
        scenario = scenario.model_copy(update={"horizon_years": years})
        reference = reference.model_copy(update={"horizon_years": years})
    target, _ = pay_cost(reference, seeds)
    low, high = 0.0, np.inf  # scales known to cost too little / too much
    scale = 1.0
    for iteration in range(1, max_iterations + 1):
        cost, base = pay_cost(scenario.with_variable_scale(scale), seeds)
        if abs(cost / target - 1.0) < tolerance:
            return Calibration(scale, target, cost, iteration)
        if cost < target:
            low = scale
        else:
            high = scale
        variable = cost - base
        if base >= target:
            raise ValueError(
                f"{scenario.name}: its base pay alone (${base:,.0f}) costs more than {reference.name}'s "
                f"whole plan (${target:,.0f}), so no scale of its variable pay can match it")
        step = (target - base) / variable if variable > 0 else 4.0
        proposal = scale * float(np.clip(step, 0.25, 4.0))
        if not low < proposal < high:  # stay inside the bracket: bisect it
            proposal = 0.5 * (low + high) if np.isfinite(high) else 2.0 * max(low, scale)
        scale = proposal
    raise ValueError(f"{scenario.name}: no equal-cost scale found in {max_iterations} iterations "
                     f"(last scale {scale:.4f}, cost ${cost:,.0f} against ${target:,.0f})")
