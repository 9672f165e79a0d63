"""Equal-cost comparisons: rescale a plan's variable pay so it costs what a reference plan costs.

Most comparisons that designers and the literature make are at equal expected pay cost (many
effects change sign with a plan's cost), and reps respond to the rates, so the scale is found on
short runs on common seeds (the same seeds for both plans and for every scale tried, so the cost
as a function of the scale is one fixed, if ragged, function).

The cost of a plan as a function of its scale is noisy over few seeds (reps' choices jump as rates
cross their thresholds), so a fixed-point step can wander. Instead the scale is bracketed (a scale
that costs too little and one that costs too much) and the root found by Brent's method
(`scipy.optimize.brentq`), which never leaves its bracket. The gap left at the best scale is
judged against the noise: the paired difference of the two plans' costs seed by seed gives a 95%
interval. A gap within `tolerance` is accepted; a larger gap whose interval holds zero is inside
the noise and accepted too, and reported with its interval; a gap outside the noise (the root sits
on a jump of the ragged function) widens the seed set, which smooths it, up to `max_seeds`, and the
closest scale found is then reported with its gap. Only a plan that cannot cost what the
reference costs at any scale (its base pay alone is dearer, or it has no variable pay) is an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simulator.scenario import Scenario

MIN_SCALE, MAX_SCALE = 1 / 1024, 1024.0  # the bracket is sought between these


class EqualCostError(ValueError):
    """No scale of a plan's variable pay can make it cost what the reference costs."""


@dataclass(frozen=True)
class Calibration:
    scale: float  # multiplier on the plan's variable pay (its plan.variable_scale is multiplied by it)
    reference_cost: float  # mean total pay of the reference plan over the calibration runs, $
    cost: float  # mean total pay of the rescaled plan, $
    iterations: int  # costings of the plan (each one run per seed)
    seeds: tuple[int, ...] = ()
    gap_low: float = math.nan  # 95% interval of the relative gap, paired by seed
    gap_high: float = math.nan
    verdict: str = "within tolerance"  # within tolerance | inside the noise | closest found
    reference_name: str = ""
    history: tuple[tuple[float, float], ...] = field(default=(), repr=False)  # (scale, cost) tried

    @property
    def gap(self) -> float:
        return self.cost / self.reference_cost - 1.0

    def describe(self) -> str:
        interval = ("" if math.isnan(self.gap_low)
                    else f", 95% interval [{self.gap_low:+.2%}, {self.gap_high:+.2%}] over {len(self.seeds)} seeds")
        return (f"equal cost to {self.reference_name or 'the reference'}: variable pay x {self.scale:.4f}; pay "
                f"${self.cost:,.0f} against ${self.reference_cost:,.0f}, gap {self.gap:+.2%}{interval} "
                f"({self.verdict}; {self.iterations} costings)")


def pay_cost(scenario: Scenario, seeds) -> tuple[float, float]:
    """Mean total pay and mean base pay over runs with these seeds, $."""
    totals, bases = _costs(scenario, seeds)
    return float(np.mean(totals)), float(np.mean(bases))


def _costs(scenario: Scenario, seeds) -> tuple[np.ndarray, np.ndarray]:
    """Total pay and base pay of each seed's run, $."""
    from simulator.experiments.run import run  # here: `salesim` imports this module's error for every command

    totals, bases = [], []
    for seed in seeds:
        card = run(scenario, seed).summary["financial"]
        totals.append(card["comp_cost"])
        bases.append(card["base_pay"])
    return np.array(totals, dtype=float), np.array(bases, dtype=float)


def equal_cost_scale(scenario: Scenario, reference: Scenario, seeds=(1, 2, 3), years: float | None = None,
                     tolerance: float = 0.005, max_seeds: int = 12, max_iterations: int = 40) -> Calibration:
    """The factor on `scenario`'s variable pay that makes its pay cost equal `reference`'s (see the
    module's docstring). Raises EqualCostError only when no scale can."""
    from scipy.optimize import brentq

    from simulator.analysis.risk import mean_ci

    if years is not None:
        scenario = scenario.model_copy(update={"horizon_years": years})
        reference = reference.model_copy(update={"horizon_years": years})
    seeds = [int(s) for s in seeds]
    reference_costs: dict[int, float] = {}
    used = 0
    while True:
        for seed in seeds:
            if seed not in reference_costs:
                reference_costs[seed] = float(_costs(reference, [seed])[0][0])
        ref = np.array([reference_costs[s] for s in seeds])
        target = float(ref.mean())
        tried: dict[float, np.ndarray] = {}

        def excess(scale: float) -> float:
            nonlocal used
            if scale not in tried:
                used += 1
                tried[scale] = _costs(scenario.with_variable_scale(scale), seeds)[0]
            return float(tried[scale].mean()) - target

        low, high = _bracket(excess, scenario, reference, target)
        if low == high:  # a scale hit the target exactly
            best = low
        else:
            try:
                brentq(excess, low, high, xtol=1e-4, rtol=1e-4, maxiter=max_iterations)
            except RuntimeError:  # out of iterations: the closest scale tried is still the answer
                pass
            best = min(tried, key=lambda s: abs(tried[s].mean() - target))
        paired = (tried[best] - ref) / target
        gap = float(paired.mean())
        _, gap_low, gap_high = mean_ci(paired)
        inside_noise = not math.isnan(gap_low) and gap_low <= 0.0 <= gap_high
        verdict = ("within tolerance" if abs(gap) <= tolerance else "inside the noise" if inside_noise
                   else "closest found")
        if verdict != "closest found" or len(seeds) >= max_seeds:
            return Calibration(best, target, float(tried[best].mean()), used, tuple(seeds), gap_low, gap_high,
                               verdict, reference.name, tuple(sorted((s, float(c.mean())) for s, c in tried.items())))
        # the gap is outside the noise: the root sits on a jump; more seeds smooth the function
        extra = min(len(seeds), max_seeds - len(seeds))
        seeds = seeds + [max(seeds) + 1 + k for k in range(extra)]


def _bracket(excess, scenario: Scenario, reference: Scenario, target: float) -> tuple[float, float]:
    """Scales (low, high) that cost too little and too much, found by doubling or halving from 1."""
    at_one = excess(1.0)
    if at_one == 0:
        return 1.0, 1.0
    scale = 1.0
    if at_one < 0:
        while scale < MAX_SCALE:
            scale *= 2.0
            if excess(scale) >= 0:
                return scale / 2.0, scale
        raise EqualCostError(f"{scenario.name}: even {MAX_SCALE:g} times its variable pay costs less than "
                             f"{reference.name}'s plan (${target:,.0f}); it has (almost) no variable pay to scale")
    while scale > MIN_SCALE:
        scale /= 2.0
        if excess(scale) <= 0:
            return scale, scale * 2.0
    raise EqualCostError(f"{scenario.name}: its base pay alone costs more than {reference.name}'s whole plan "
                         f"(${target:,.0f}), so no scale of its variable pay can match it")
