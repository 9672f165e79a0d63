"""Simulated moments at candidate parameter values, with common random numbers: every candidate
runs on the same seeds, with keyed random draws (`simulator.draws`: each rep's wins, losses, quits
and audits fixed by its position, the day and the draw's purpose), so two candidates differ by what
the parameters do, not by chance, and the search sees a smooth surface. With one stream a run
instead, a change of a millionth moved three years' bookings by several percent (docs/calibration.md).
So candidates always draw keyed, whatever the scenario's `random_draws` (the history being fitted
may have been drawn either way: both are the same model).

The model is reached only through the runner's public interface (`run(scenario, seed)`, the
scenario with dotted overrides, an executor from `open_executor`). Every candidate's moments are
appended to a log in the output folder as soon as they are known; a calibration started again on
the same problem replays the log instead of simulating, so an interrupted calibration resumes
where it stopped (the search is deterministic, so it asks for the same candidates again).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path

import numpy as np

from simulator.calibration.moments import measure
from simulator.calibration.panel import from_tables
from simulator.calibration.parameters import FitParameter
from simulator.experiments.design import scenario_for
from simulator.experiments.run import run

LOG = "evaluations.jsonl"


def simulate_one(base: Mapping, overrides: Mapping[str, float], seed: int, names: Sequence[str]
                 ) -> tuple[list[float], int, float]:
    """One run of the scenario with `overrides` at `seed`: its moments, its number of rep-periods
    and the seconds it took. A worker's task: module-level, so any executor can ship it."""
    start = time.perf_counter()
    result = run(scenario_for(base, overrides), seed, summary=False)
    history = from_tables(result.rep_periods, result.daily, source="<simulated>")
    return measure(history, names).tolist(), len(history.panel), time.perf_counter() - start


class ResumeMismatch(ValueError):
    """The output folder holds the log of a different calibration."""


class SimulatedMoments:
    """theta (parameter values in `parameters` order) -> moments of each replication (R x K).

    Each replication r runs on `seeds[r]` for every candidate. Results are cached by theta and
    logged to `log` (when given) one line per candidate.
    """

    def __init__(self, base: Mapping, parameters: Sequence[FitParameter], names: Sequence[str],
                 seeds: Sequence[int], executor: Executor, log: Path | None = None,
                 on_evaluation: Callable[[int, np.ndarray, bool], None] | None = None,
                 task: Callable[..., tuple[list[float], int, float]] = simulate_one):
        self.base, self.parameters, self.names = {**base, "random_draws": "keyed"}, list(parameters), list(names)
        self.task = task  # one run's moments, with `simulate_one`'s signature (module-level: workers import it)
        self.seeds = [int(s) for s in seeds]
        self.executor, self.log, self.on_evaluation = executor, log, on_evaluation
        self.cache: dict[tuple, np.ndarray] = {}
        self.rep_periods: list[int] = []  # rep-periods per simulated run (for the simulation-noise factor)
        self.evaluations = 0  # candidates asked for
        self.simulated = 0  # candidates actually simulated in this session
        self.run_seconds = 0.0  # seconds of simulation (summed over workers)
        self.wall_seconds = 0.0  # seconds waited for simulations
        if log is not None:
            self._open_log()

    # ------------------------------------------------------------------ identity and the log

    def identity(self) -> str:
        """What makes two calibrations the same problem: scenario, parameters, moments, seeds (and how
        a run's moments are measured, when not from its history)."""
        problem = {"base": self.base, "parameters": [p.path for p in self.parameters], "moments": self.names,
                   "seeds": self.seeds}
        if self.task is not simulate_one:  # moments measured otherwise are another problem (the default's logs keep their key)
            problem["task"] = f"{self.task.__module__}.{self.task.__qualname__}"
        text = json.dumps(problem, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _open_log(self) -> None:
        path = self.log
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            header = _json(lines[0]) if lines else None
            if not header or header.get("identity") != self.identity():
                raise ResumeMismatch(f"{path.parent}: holds a calibration of another problem (other scenario, "
                                     "parameters, moments or seeds); choose another --out, or delete the folder")
            for line in lines[1:]:
                entry = _json(line)  # a line cut short by a kill is skipped
                if entry and len(entry.get("moments", [])) == len(self.seeds):
                    self.cache[_key(entry["theta"])] = np.array(entry["moments"], dtype=float)
                    self.rep_periods.extend(entry.get("rep_periods", []))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._append({"identity": self.identity(), "parameters": [p.path for p in self.parameters],
                          "moments": self.names, "seeds": self.seeds})

    def _append(self, entry: dict) -> None:
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    @property
    def resumed(self) -> int:
        """Candidates found in the log when this session started."""
        return len(self.cache) - self.simulated

    # ------------------------------------------------------------------ evaluation

    def overrides(self, theta: Sequence[float]) -> dict[str, float]:
        return {p.path: float(v) for p, v in zip(self.parameters, theta)}

    def __call__(self, theta: Sequence[float]) -> np.ndarray:
        theta = [p.clip(v) for p, v in zip(self.parameters, np.asarray(theta, dtype=float))]
        key = _key(theta)
        self.evaluations += 1
        cached = key in self.cache
        if not cached:
            started = time.perf_counter()
            futures = [self.executor.submit(self.task, self.base, self.overrides(theta), seed, self.names)
                       for seed in self.seeds]
            results = [f.result() for f in futures]
            self.wall_seconds += time.perf_counter() - started
            moments = np.array([r[0] for r in results], dtype=float)
            sizes = [r[1] for r in results]
            self.run_seconds += sum(r[2] for r in results)
            self.rep_periods.extend(sizes)
            self.cache[key] = moments
            self.simulated += 1
            if self.log is not None:
                self._append({"theta": list(theta), "moments": moments.tolist(), "rep_periods": sizes})
        if self.on_evaluation is not None:
            self.on_evaluation(self.evaluations, np.asarray(theta), cached)
        return self.cache[key]

    def mean(self, theta: Sequence[float]) -> np.ndarray:
        """The moments averaged over the replications (NaN-aware: a moment undefined in one run)."""
        return np.nanmean(self(theta), axis=0)

    def on_other_seeds(self, theta: Sequence[float], seeds: Sequence[int]) -> np.ndarray:
        """The moments of runs at theta on `seeds` (one row a seed): how far one history of this size
        strays from another, not part of the objective, so neither cached nor logged."""
        theta = [p.clip(v) for p, v in zip(self.parameters, np.asarray(theta, dtype=float))]
        futures = [self.executor.submit(self.task, self.base, self.overrides(theta), int(seed), self.names)
                   for seed in seeds]
        return np.array([f.result()[0] for f in futures], dtype=float)


def _key(theta: Sequence[float]) -> tuple:
    return tuple(round(float(v), 12) for v in theta)


def _json(line: str) -> dict | None:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None
