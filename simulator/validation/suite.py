"""Running the facts: every arm of a fact on the same seeds, then paired differences per check.

Arms are the cases of the fact's experiment file; with `common_random_numbers` replication r of
every arm runs on the same seed, so a difference is the plans' and not chance. Arms compared at
equal expected pay cost have their variable pay rescaled first (`equal_cost_scale`, on two runs
of the arm's size with seeds of their own, CALIBRATION_SEEDS). Quick mode shrinks the force, the
horizon and the replications; its seeds are a prefix of the full run's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.analysis.risk import mean_ci
from simulator.experiments.design import Experiment, load_experiment, scenario_for
from simulator.experiments.equal_cost import equal_cost_scale
from simulator.scenario import Scenario
from simulator.validation.facts import Check, Fact, Size
from simulator.validation.measure import measure

CALIBRATION_SEEDS = (11, 12)


def full_size(experiment: Experiment) -> Size:
    base = experiment.base
    return Size(int(base["force"]["size"]), float(base["horizon_years"]), experiment.spec.replications)


def load_fact(fact: Fact, quick: bool, settings: Sequence[str] = ()) -> Experiment:
    """The fact's experiment, shrunk to its quick size when asked; `settings` (PATH=VALUE) go into
    its base scenario, so every arm has them (a layer switched off for an ablation)."""
    if not quick:
        return load_experiment(fact.path, [], list(settings))
    q = fact.quick
    return load_experiment(fact.path, [f"replications={q.replications}"],
                           [f"force.size={q.size}", f"horizon_years={q.years}", *settings])


def arm_labels(experiment: Experiment) -> list[str]:
    """A case's label: its parameters' values joined by '/' (named choices give readable arms)."""
    return ["/".join(str(case[f.column]) for f in experiment.factors) for case in experiment.cases]


def arm_scenarios(experiment: Experiment, extra: dict | None = None) -> dict[str, Scenario]:
    """Each arm's scenario; `extra` overrides (a robustness point) go under the arm's own."""
    return {label: scenario_for(experiment.base, {**(extra or {}), **overrides})
            for label, overrides in zip(arm_labels(experiment), experiment.case_overrides)}


def arm_seeds(experiment: Experiment) -> list[int]:
    return [int(s) for s in experiment.seeds[: experiment.spec.replications]]


def _calibrate(scenario: Scenario, reference: Scenario) -> float:
    """Factor on the scenario's variable pay that makes its expected pay cost the reference's."""
    return equal_cost_scale(scenario, reference, seeds=CALIBRATION_SEEDS).scale


@dataclass
class FactRuns:
    """A fact's runs: a row per arm and replication, every figure as a column."""

    fact: Fact
    experiment: Experiment
    scales: dict[str, float]  # arm -> variable pay factor for equal cost (absent: 1)
    table: pd.DataFrame

    def values(self, arm: str, metric: str) -> np.ndarray:
        rows = self.table[self.table["arm"] == arm].sort_values("replication")
        return rows[metric].to_numpy(dtype=float) if metric in rows else np.full(len(rows), np.nan)


def run_facts(facts: list[Fact], executor: Executor, quick: bool, settings: Sequence[str] = ()) -> list[FactRuns]:
    """Every arm of every fact on the executor: calibrations first, then the runs (`settings`: PATH=VALUE
    on every arm, `load_fact`)."""
    experiments = [load_fact(f, quick, settings) for f in facts]
    scenarios = [arm_scenarios(e) for e in experiments]
    calibrations: dict[tuple[int, str], Future] = {
        (i, arm): executor.submit(_calibrate, scenarios[i][arm], scenarios[i][ref])
        for i, f in enumerate(facts) for arm, ref in f.equal_cost.items()}
    scales: list[dict[str, float]] = [{} for _ in facts]
    futures: dict[tuple[int, str, int, int], Future] = {}

    def submit(i: int, arm: str) -> None:
        for r, seed in enumerate(arm_seeds(experiments[i])):
            futures[(i, arm, r, seed)] = executor.submit(measure, scenarios[i][arm], seed)

    for i, f in enumerate(facts):  # arms that need no calibration start while calibrations run
        for arm in scenarios[i]:
            if arm not in f.equal_cost:
                submit(i, arm)
    for (i, arm), future in calibrations.items():
        scales[i][arm] = float(future.result())
        scenarios[i][arm] = scenarios[i][arm].with_variable_scale(scales[i][arm])
        submit(i, arm)
    rows: list[list[dict]] = [[] for _ in facts]
    for (i, arm, r, seed), future in sorted(futures.items(), key=lambda item: item[0]):
        rows[i].append({"arm": arm, "replication": r, "seed": seed} | future.result())
    return [FactRuns(f, e, s, pd.DataFrame(r)) for f, e, s, r in zip(facts, experiments, scales, rows)]


# ------------------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Outcome:
    """One check's result: arm means, the paired difference with its 95% interval, the verdict."""

    check: Check
    control: float
    treatment: float
    difference: float
    ci_low: float
    ci_high: float
    relative: float  # difference / control mean (nan when the control is zero)
    n: int

    @property
    def direction_ok(self) -> bool:
        return not math.isnan(self.difference) and self.difference * self.check.direction > 0

    @property
    def confident(self) -> bool:
        """The whole 95% interval on the expected side of zero."""
        edge = self.ci_low if self.check.direction > 0 else self.ci_high
        return self.direction_ok and not math.isnan(edge) and edge * self.check.direction > 0

    @property
    def band_ok(self) -> bool | None:
        if self.check.band is None:
            return None
        low, high = self.check.band
        return not math.isnan(self.relative) and low <= self.relative <= high

    @property
    def verdict(self) -> str:
        """'agrees' (direction, 95% interval and band), 'direction only', or 'disagrees'."""
        if not self.direction_ok:
            return "disagrees"
        return "agrees" if self.confident and self.band_ok is not False else "direction only"


def outcome(runs: FactRuns, check: Check) -> Outcome:
    control = runs.values(check.control, check.metric)
    treatment = runs.values(check.treatment, check.metric)
    diff, low, high = mean_ci(treatment - control)
    base = float(np.nanmean(control)) if np.isfinite(control).any() else math.nan
    relative = diff / abs(base) if base and not math.isnan(base) else math.nan
    return Outcome(check, base, float(np.nanmean(treatment)) if np.isfinite(treatment).any() else math.nan,
                   diff, low, high, relative, int(np.isfinite(treatment - control).sum()))


def fact_verdict(outcomes: list[Outcome]) -> str:
    """The weakest verdict among the fact's required checks."""
    order = ("disagrees", "direction only", "agrees")
    return min((o.verdict for o in outcomes if o.check.required), key=order.index)
