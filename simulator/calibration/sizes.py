"""Fitting behavioural parameters to sizes that field studies publish, where no firm's panel exists.

A published size (a target of `magnitudes.TARGETS` with a two-sided band, such as Larkin's 6-8% of
revenue lost to period-end discounts) is taken as a data moment: the band's middle, the band read
as its 95% interval (standard deviation: the width / 3.92). A size given as a direction only
carries no number to fit and is refused, unless a band is given for its figure (`NAME=LOW:HIGH`:
another study's size, or a firm's own estimate). The estimator is the firm's calibration's (`fit.estimate`:
simulated method of moments on common random numbers, the same searches, derivatives and
identification check) and the files are the same (`output.write_outputs`). One thing differs: a
published size has no panel behind it here, so the sandwich's data term is the band's variance, to
which the noise of the R simulated runs at the estimate (their covariance / R) is added
(Gourieroux and Monfort 1996, ch. 2: the simulation term of simulated method of moments).

    salesim calibrate scenarios/accelerator.yaml --sizes discount_cost \
        --fit market.customers.bargaining_power --out runs/larkin
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from simulator.analysis.risk import mean_ci
from simulator.calibration.fit import Fit, estimate, sandwich
from simulator.calibration.magnitudes import BY_NAME, TARGETS, Target, band, judge, sizes_of
from simulator.calibration.objective import LOG, SimulatedMoments
from simulator.calibration.parameters import resolve
from simulator.calibration.workflow import say
from simulator.experiments.design import run_seeds, scenario_for
from simulator.experiments.run import run
from simulator.experiments.runner import open_executor
from simulator.scenario import load_scenario

Z95 = 1.96


def simulate_sizes(base: Mapping, overrides: Mapping[str, float], seed: int, names: Sequence[str]
                   ) -> tuple[list[float], int, float]:
    """One run's published-size figures (from its tables, as `magnitudes.check` measures them),
    its number of rep-periods and its seconds: `objective.simulate_one`'s contract."""
    start = time.perf_counter()
    result = run(scenario_for(base, overrides), seed, summary=False)
    return sizes_of(result, names), len(result.rep_periods), time.perf_counter() - start


def sized_targets(names: Sequence[str]) -> list[Target]:
    """The targets named, each `NAME` (the study's band) or `NAME=LOW:HIGH` (another band for the
    same figure: another study's, or a firm's own estimate), or ValueError naming what is unknown or
    has no size to fit."""
    if not names:
        raise ValueError(f"name at least one published size with --sizes; sizes: {', '.join(_sized())}")
    targets = [_target(text) for text in names]
    chosen = [t.name for t in targets]
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"a size is named twice in --sizes: {', '.join(names)}")
    directional = [t for t in targets if t.low is None or t.high is None]
    if directional:
        raise ValueError(f"--sizes {', '.join(t.name for t in directional)}: the study gives a direction only "
                         f"({'; '.join(band(t) for t in directional)}), no size to fit; give a band as NAME=LOW:HIGH, "
                         f"or fit one of the published sizes: {', '.join(_sized())}")
    return targets


def _target(text: str) -> Target:
    name, _, given = (part.strip() for part in text.partition("="))
    if name not in BY_NAME:
        raise ValueError(f"--sizes {name}: unknown; figures: {', '.join(BY_NAME)} (published sizes: {', '.join(_sized())})")
    target = BY_NAME[name]
    if not given:
        return target
    try:
        low, high = (float(v) for v in given.split(":"))
    except ValueError:
        raise ValueError(f"--sizes {text}: a band is NAME=LOW:HIGH with two numbers, e.g. {name}=0.02:0.03") from None
    if not low < high:
        raise ValueError(f"--sizes {text}: the band's low end must be below its high end")
    return replace(target, low=low, high=high, source="given with --sizes", says=f"{name} between {low:g} and {high:g}")


def _sized() -> list[str]:
    return [t.name for t in TARGETS if t.low is not None and t.high is not None]


def fit_sizes(scenario: str | Path, sizes: Sequence[str], fit: Sequence[str], out: str | Path, *,
              bounds: Mapping[str, tuple[float, float]] | None = None, settings: Sequence[str] = (),
              replications: int = 4, workers: int = 1, seed: int = 20240, max_evaluations: int = 60,
              search: str = "nelder-mead", progress: Callable[[str], None] | None = say
              ) -> tuple[Fit, list[Path]]:
    """Fit the parameters at `fit` so the scenario's figures meet the published `sizes`; write the
    calibration's files into `out` (a rerun resumes from its log). ValueError before any run if an
    input is wrong."""
    from simulator.calibration.output import write_outputs

    targets = sized_targets(list(sizes))
    if replications < 2:
        raise ValueError(f"--replications must be at least 2 (the runs' spread is part of the interval), got {replications}")
    base = load_scenario(scenario, list(settings)).model_dump(mode="json")
    parameters = resolve(base, list(fit), bounds)
    if len(targets) < len(parameters):
        raise ValueError(f"{len(parameters)} parameters need at least as many published sizes; --sizes gives "
                         f"{len(targets)} ({', '.join(t.name for t in targets)})")
    names = [t.name for t in targets]
    data = np.array([(t.low + t.high) / 2 for t in targets])
    data_cov = np.diag([((t.high - t.low) / (2 * Z95)) ** 2 for t in targets])
    seeds = [int(s) for s in run_seeds(seed, 1, replications)]
    out = Path(out)
    if progress:
        progress(f"fitting {', '.join(p.path for p in parameters)} to {len(targets)} published size(s): "
                 + "; ".join(f"{t.name} {band(t)} ({t.source})" for t in targets) + f"; {replications} runs a candidate")
    with open_executor("process", workers) as executor:
        simulate = SimulatedMoments(base, parameters, names, seeds, executor, log=out / LOG, task=simulate_sizes)
        if progress and simulate.resumed:
            progress(f"resuming: {simulate.resumed} candidates already simulated in {out / LOG}")
        result = estimate(simulate, data, data_cov, 0, max_evaluations=max_evaluations, search=search,
                          progress=progress)
    runs_cov = np.atleast_2d(np.cov(result.at_estimate, rowvar=False)) / len(seeds)
    result.cov = sandwich(result.jacobian, result.weights, data_cov + runs_cov)
    result.descriptions = {t.name: f"{t.says} ({t.source})" for t in targets}
    result.data_label = "published"
    result.notes = [verdict(t, result.at_estimate[:, k]) for k, t in enumerate(targets)]
    source = "published sizes: " + "; ".join(f"{t.name} {band(t)}, {t.source}" for t in targets)
    paths = write_outputs(out, result, Path(scenario), base, list(settings), source, result.notes)
    return result, paths


def verdict(target: Target, values: np.ndarray) -> str:
    """Whether the fitted scenario meets the size: its mean over the runs with a 95% interval."""
    mean, low, high = mean_ci(np.asarray(values, dtype=float))
    word = {"holds": "inside the band", "overlaps": "overlaps the band", "misses": "misses the band"}[
        judge(target, low, high)]
    return (f"{target.name} at the estimate: {mean:.4g} (95% interval over the runs {low:.4g} to {high:.4g}) "
            f"against {band(target)} ({target.source}): {word}")
