"""The calibration from files to files: read the scenario and the history, choose the moments,
measure the data, fit, write the results. Everything the user gave is checked before anything is
simulated or written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.calibration import moments as mom
from simulator.calibration.fit import SPREAD_RUNS, Fit, estimate
from simulator.calibration.objective import LOG, SimulatedMoments
from simulator.calibration.panel import History, read_history
from simulator.calibration.parameters import FitParameter, resolve
from simulator.experiments.design import run_seeds
from simulator.experiments.runner import open_executor
from simulator.scenario import load_scenario


def say(line: str) -> None:
    """Progress on the terminal, shown as it happens even when the output goes to a file."""
    print(line, flush=True)


@dataclass
class Problem:
    """A calibration ready to run: the resolved scenario, the data's moments and the parameters."""

    scenario_path: Path
    base: dict
    settings: list[str]
    history: History
    parameters: list[FitParameter]
    moments: list[str]
    data: np.ndarray
    data_cov: np.ndarray
    seeds: list[int]
    notes: list[str]


def prepare(scenario: str | Path, history: History, fit: Sequence[str], *, bounds=None,
            moments: Sequence[str] | None = None, settings: Sequence[str] = (), replications: int = 4,
            seed: int = 20240, bootstrap: int = 200) -> Problem:
    """Check the inputs and measure the data: ValueError (ScenarioError, PanelError) if anything
    is wrong, before any simulation."""
    if replications < 1:
        raise ValueError(f"--replications must be at least 1, got {replications}")
    base = load_scenario(scenario, list(settings)).model_dump(mode="json")
    parameters = resolve(base, list(fit), bounds)
    names, notes = mom.choose(history, list(moments) if moments else None)
    data = mom.measure(history, names)
    cov = mom.bootstrap_cov(history, names, draws=bootstrap, seed=seed)
    flat = [n for n, v in zip(names, np.diag(cov)) if not v > 0]
    for name in flat:
        notes.append(f"moment {name} dropped: it does not vary in the data's bootstrap, so it carries no weight")
    if flat:
        keep = [i for i, n in enumerate(names) if n not in flat]
        names, data, cov = [names[i] for i in keep], data[keep], cov[np.ix_(keep, keep)]
    if len(names) < len(parameters):
        raise ValueError(f"{len(parameters)} parameters need at least as many moments; the data give "
                         f"{len(names)} ({', '.join(names) or 'none'})")
    seeds = [int(s) for s in run_seeds(seed, 1, replications)]
    return Problem(Path(scenario), base, list(settings), history, parameters, names, data, cov, seeds, notes)


def calibrate(problem: Problem, out: str | Path, *, workers: int = 1, max_evaluations: int = 200,
              search: str = "nelder-mead", progress: Callable[[str], None] | None = None) -> Fit:
    """Fit the problem's parameters, logging every candidate to out/evaluations.jsonl (a rerun on
    the same problem resumes from it)."""
    out = Path(out)
    with open_executor("process", workers) as executor:
        simulate = SimulatedMoments(problem.base, problem.parameters, problem.moments, problem.seeds,
                                    executor, log=out / LOG)
        if progress and simulate.resumed:
            progress(f"resuming: {simulate.resumed} candidates already simulated in {out / LOG}")
        fit = estimate(simulate, problem.data, problem.data_cov, len(problem.history.panel),
                       max_evaluations=max_evaluations, search=search, spread_runs=SPREAD_RUNS, progress=progress)
    fit.notes = list(problem.notes)
    return fit


def run_calibration(scenario: str | Path, data: str | Path, fit: Sequence[str], out: str | Path, *,
                    timing: str | Path | None = None, bounds=None, moments=None, settings: Sequence[str] = (),
                    replications: int = 4, workers: int = 1, seed: int = 20240, max_evaluations: int = 200,
                    search: str = "nelder-mead", progress: Callable[[str], None] | None = say
                    ) -> tuple[Fit, list[Path]]:
    """Read, fit and write: the `salesim calibrate` command as a function."""
    from simulator.calibration.output import write_outputs

    history = read_history(data, timing)
    problem = prepare(scenario, history, fit, bounds=bounds, moments=moments, settings=settings,
                      replications=replications, seed=seed)
    if progress:
        progress(history.describe())
        for note in problem.notes:
            progress(note)
        progress(f"fitting {', '.join(p.path for p in problem.parameters)} to {len(problem.moments)} moments "
                 f"({', '.join(problem.moments)}), {replications} runs a candidate")
    result = calibrate(problem, out, workers=workers, max_evaluations=max_evaluations, search=search,
                       progress=progress)
    paths = write_outputs(Path(out), result, problem.scenario_path, problem.base, problem.settings,
                          history.source, problem.notes)
    return result, paths
