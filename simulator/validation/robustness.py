"""Robustness: does each fact hold away from the default parameters?

A Latin hypercube over nuisance traits (ability spread, demand noise, effort cost, integrity) and
over the parameters the facts' mechanisms run on (effort-cost curvature, goal value, foresight,
customers' waiting ceiling, peer influence, moral cost, quota difficulty); at every point each fact's arms run a small
paired comparison (quick size) and the fact holds there when every required check goes the
expected way. An arm that sets a dimension's field itself (fact 4's difficulties, fact 3's
ratchet foresight, fact 5's peer-free arm) keeps its own value: the point moves what the
comparison leaves free. The share of points where it
holds (with its exact 95% interval over the points), the share where every required check's own
interval clears zero, and the share in the lower and upper half of each range, say whether a fact
is robust or sits on a knife edge. Equal-cost arms keep the scale found at the default point (the point moves
costs a little; the page says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binomtest, qmc

from simulator.analysis.risk import mean_ci
from simulator.validation.facts import Fact
from simulator.validation.measure import measure
from simulator.validation.suite import FactRuns, arm_scenarios, arm_seeds, load_fact


@dataclass(frozen=True)
class Dimension:
    name: str
    paths: tuple[str, ...]  # every path takes the value
    low: float
    high: float
    relative: bool  # the value multiplies each fact's own (worlds differ: a banker's effort cost is $25)


SPACE: tuple[Dimension, ...] = (
    Dimension("ability spread (x sd within type)", ("force.segments.high.ability.sd", "force.segments.low.ability.sd"),
              0.5, 2.0, True),
    Dimension("demand noise (x monthly CV)", ("market.demand_uncertainty",), 0.5, 2.0, True),
    Dimension("effort cost (x $ a day)", ("force.traits.effort_cost.mean",), 0.7, 1.4, True),
    Dimension("effort-cost curvature (gamma)", ("behaviour.effort_curvature",), 1.5, 3.0, False),
    Dimension("integrity (mean, 0-1)", ("force.traits.integrity.mean",), 0.5, 0.9, False),
    Dimension("goal value (x $ a goal)", ("force.traits.goal_value.mean",), 0.5, 2.0, True),
    Dimension("foresight (mean, 0-1)", ("force.traits.foresight.mean",), 0.4, 1.0, False),
    Dimension("waiting ceiling (share of customers)", ("market.customers.waiting_ceiling",), 0.1, 0.5, False),
    Dimension("peer influence (0-1)", ("behaviour.ethics.peer_influence",), 0.2, 0.8, False),
    Dimension("moral cost (x $ an act)", ("behaviour.ethics.moral_cost",), 0.5, 2.0, True),
    Dimension("quota difficulty (x expected sales)", ("quota.difficulty",), 0.85, 1.2, True),
)
POINTS = 24
REPLICATIONS = 3
SEED = 20261127


def design(points: int = POINTS, seed: int = SEED) -> pd.DataFrame:
    """The Latin hypercube: a row per point, a column per dimension."""
    unit = qmc.LatinHypercube(d=len(SPACE), seed=np.random.default_rng(seed)).random(points)
    return pd.DataFrame({d.name: d.low + unit[:, j] * (d.high - d.low) for j, d in enumerate(SPACE)})


def _at(data: dict, path: str) -> float:
    for key in path.split("."):
        data = data[key]
    return float(data)


def overrides(point: pd.Series, base: dict) -> dict[str, float]:
    """The point as overrides of the fact's base scenario (relative dimensions scale its values)."""
    return {path: float(point[d.name]) * (_at(base, path) if d.relative else 1.0) for d in SPACE for path in d.paths}


def sweep(facts: list[Fact], default_runs: list[FactRuns], executor: Executor,
          points: int = POINTS, replications: int = REPLICATIONS, settings: Sequence[str] = ()) -> pd.DataFrame:
    """A row per fact and point: the point's coordinates and whether the fact held there
    (`settings`: PATH=VALUE on every arm, as in `suite.load_fact`)."""
    space = design(points)
    futures = {}
    for fact, runs in zip(facts, default_runs):
        experiment = load_fact(fact, quick=True, settings=settings)
        seeds = arm_seeds(experiment)[:replications]
        for p, point in space.iterrows():
            scenarios = arm_scenarios(experiment, overrides(point, experiment.base))
            for arm in fact.arms:
                scenario = scenarios[arm].with_variable_scale(runs.scales.get(arm, 1.0))
                for r, seed in enumerate(seeds):
                    futures[(fact.number, p, arm, r)] = executor.submit(measure, scenario, seed)
    values = {key: future.result() for key, future in futures.items()}
    rows = []
    for fact in facts:
        for p, point in space.iterrows():
            row = {"fact": fact.number, "point": p, **point.to_dict()}
            for k, check in enumerate(fact.checks):
                diffs = np.array([values[(fact.number, p, check.treatment, r)].get(check.metric, np.nan)
                                  - values[(fact.number, p, check.control, r)].get(check.metric, np.nan)
                                  for r in range(replications)])
                row[f"check{k}"] = bool(np.isfinite(diffs).any() and np.nanmean(diffs) * check.direction > 0)
                _, low, high = mean_ci(diffs)
                row[f"check{k}_sure"] = bool(row[f"check{k}"] and (low if check.direction > 0 else -high) > 0)
            required = [k for k, c in enumerate(fact.checks) if c.required]
            row["holds"] = all(row[f"check{k}"] for k in required)
            row["holds_sure"] = all(row[f"check{k}_sure"] for k in required)
            rows.append(row)
    return pd.DataFrame(rows)


def check_shares(table: pd.DataFrame, fact: Fact) -> list[float]:
    """Per check of the fact, the share of points where it went the expected way."""
    rows = table[table["fact"] == fact.number]
    return [float(rows[f"check{k}"].mean()) for k in range(len(fact.checks))]


def shares(table: pd.DataFrame) -> pd.DataFrame:
    """Per fact: the share of points where it holds, with its exact (Clopper-Pearson) 95% interval over
    the sweep's points, the share where every required check's own 95% interval clears zero
    (`share_sure`; REPLICATIONS runs a point make that a strict test), and the share in each half of
    every range."""
    rows = []
    for number, g in table.groupby("fact"):
        held = int(g["holds"].sum())
        interval = binomtest(held, len(g)).proportion_ci(confidence_level=0.95, method="exact")
        row = {"fact": number, "share": held / len(g), "share_low": float(interval.low),
               "share_high": float(interval.high), "share_sure": float(g["holds_sure"].mean()), "points": len(g)}
        for d in SPACE:
            middle = 0.5 * (d.low + d.high)
            row[f"{d.name}: low half"] = float(g.loc[g[d.name] < middle, "holds"].mean())
            row[f"{d.name}: high half"] = float(g.loc[g[d.name] >= middle, "holds"].mean())
        rows.append(row)
    return pd.DataFrame(rows)


def knife_edge(share: float) -> str:
    """How to call a robustness share."""
    if share == 0:
        return "nowhere"
    if share >= 0.9:
        return "robust"
    if share >= 0.6:
        return "mostly"
    if share >= 0.3:
        return "in part of the space"
    return "knife edge"
