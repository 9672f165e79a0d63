"""The designer's search for a better plan (`salesim optimise`): levers, objective, constraints, a
study that survives.

The search is Optuna's (a kept library, not a home-made optimiser): its TPE sampler (default; it
learns from few trials) or NSGA-II, both multi-objective and both reading the constraint values each
trial records with `Trial.set_constraint`. The objectives are the named figure (profit or revenue,
maximised), the plan's pay cost and the worst constrained risk (both minimised), so `best_trials`
is the Pareto front of profit against cost and risk among the plans that meet every constraint.

Every candidate runs on the same seeds as the current plan (common random numbers: seed, seed+1,
... as `salesim compare` uses them), so candidates differ by what their levers do, not by chance,
and a plan file's figures are exactly what `salesim compare` prints for it with the same seed and
replications. The runs go to the project's executors (`open_executor`): Optuna's own `n_jobs`
runs trials in threads of one process, and the model is Python that holds the GIL, so threads
would not run two candidates at once; instead the search asks for a batch of trials (ask-and-tell),
hands all their runs to the pool and tells the results back.

The study lives in OUT/study.log (Optuna's JournalStorage on a file): the same command again
resumes it, keeping every trial done, and more --trials extend it. A study records what it is
(scenario, levers, objective, constraints, seeds, replications, sampler); another command on the
same folder is refused.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import typing
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.analysis.metrics import flatten
from simulator.analysis.risk import LEVELS, RISKS, mean_ci, nanmean
from simulator.calibration.parameters import _leaf_field, _unwrap, schema_limits, value_at
from simulator.experiments.design import path_problem, scenario_for
from simulator.scenario import LEVERS, Scenario, ScenarioError

if TYPE_CHECKING:  # optuna and pandas load when a search runs, not when salesim starts
    import pandas as pd
    from optuna import Study, Trial
    from optuna.samplers import BaseSampler
    from optuna.trial import FrozenTrial

OBJECTIVES = {"profit": "financial.profit_after_comp_and_fines", "revenue": "financial.revenue",
              "gross_profit": "financial.gross_profit"}
COST = "financial.comp_cost"
METRICS = {**OBJECTIVES, "cost": COST}  # what a constraint may bound besides risks
OPEN_FACTOR = 3.0  # an open side of a lever's range is this factor from its current value
DEFAULT_RANGES = {"plan.cap": (1.0, 3.0), "plan.threshold": (0.0, 0.9), "plan.bonus_at": (0.5, 1.5)}
STUDY = "salesim-optimise"
JOURNAL = "study.log"
SAMPLERS = ("tpe", "nsga2")


class OptimiseError(ValueError):
    """A lever, bound, constraint or output folder the search cannot use; the message says what is allowed."""


# ------------------------------------------------------------------------------------- levers


@dataclass(frozen=True)
class Lever:
    """A dotted scenario path the search may move: a number in [low, high] (whole if the field is),
    or one of `choices`."""

    path: str
    current: Any
    low: float = math.nan
    high: float = math.nan
    choices: tuple = ()
    whole: bool = False

    def suggest(self, trial: Trial) -> Any:
        if self.choices:
            return trial.suggest_categorical(self.path, list(self.choices))
        if self.whole:
            return trial.suggest_int(self.path, int(self.low), int(self.high))
        return trial.suggest_float(self.path, self.low, self.high)

    def holds(self, value: Any) -> bool:
        """Whether a value lies in the lever's space (the current plan may lie outside it)."""
        if self.choices:
            return value in self.choices
        return isinstance(value, (int, float)) and not isinstance(value, bool) and self.low <= value <= self.high

    def describe(self) -> str:
        space = (", ".join(map(str, self.choices)) if self.choices
                 else f"{self.low:g} to {self.high:g}" + (" (whole)" if self.whole else ""))
        return f"{self.path}: {space} (current {self.current})"


def _choices(path: str) -> tuple:
    """The values a Literal (or bool) field allows, () for other fields."""
    info = _leaf_field(path)
    annotation = _unwrap(getattr(info, "annotation", None))
    if annotation is bool:
        return (False, True)
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(typing.get_args(annotation))
    return ()


def _is_whole(path: str) -> bool:
    return _unwrap(getattr(_leaf_field(path), "annotation", None)) is int


def parse_bounds(items: Sequence[str]) -> dict[str, tuple[float, float] | tuple]:
    """`PATH=LOW:HIGH` (a number range: two floats) or `PATH=A,B,C` (the values to choose among: texts,
    made numbers for a numeric lever by `resolve_levers`)."""
    out: dict[str, Any] = {}
    for item in items:
        path, sep, span = item.partition("=")
        if not sep or not path.strip() or not span.strip():
            raise OptimiseError(f"--bounds {item!r}: must look like PATH=LOW:HIGH (plan.commission_rate=0.01:0.06) "
                                "or PATH=A,B (quota.period=month,quarter)")
        if ":" in span:
            low, _, high = span.partition(":")
            try:
                out[path.strip()] = (float(low), float(high))
            except ValueError:
                raise OptimiseError(f"--bounds {item!r}: LOW and HIGH must be numbers") from None
        else:
            out[path.strip()] = tuple(v.strip() for v in span.split(",") if v.strip())
    return out


def resolve_levers(base: Mapping, paths: Sequence[str], bounds: Mapping[str, Any] | None = None,
                   horizon_days: int | None = None) -> list[Lever]:
    """The levers at `paths` of the resolved scenario `base` (its full dump), or OptimiseError naming
    the lever and what is allowed. Ranges: --bounds, else a few fields' usual ranges, else the schema's
    limits and a factor of three around the current value. A quota period must fit the horizon
    (`fits`): pay is counted when a period ends, so a period the runs do not finish costs nothing
    and the search would pick it for that alone."""
    bounds = dict(bounds or {})
    if not paths:
        raise OptimiseError("name at least one lever, e.g. --levers plan.commission_rate plan.bonus")
    if len(set(paths)) != len(paths):
        raise OptimiseError(f"a lever is named twice in --levers: {' '.join(paths)}")
    stray = sorted(set(bounds) - set(paths))
    if stray:
        raise OptimiseError(f"--bounds for {', '.join(stray)}, which --levers does not name")
    out = []
    for path in paths:
        if path.split(".", 1)[0] not in LEVERS:
            raise OptimiseError(f"--levers {path}: a lever is a field of the plan, the quota or management "
                                f"({', '.join(LEVERS)}); {path.split('.', 1)[0]} is the world the plan meets")
        problem = path_problem(path, base)
        if problem:
            raise OptimiseError(f"--levers {path}: {problem}")
        current = value_at(base, path) if path_problem(path, base) is None and _present(base, path) else None
        choices = _choices(path)
        given = bounds.get(path)
        if choices:
            if given is not None:
                if not isinstance(given, tuple) or not given or isinstance(given[0], float):
                    raise OptimiseError(f"--bounds {path}: a choice; give the values it may take, e.g. "
                                        f"{path}={','.join(map(str, choices[:2]))} (allowed: {', '.join(map(str, choices))})")
                typed = [_typed(v, choices) for v in given]
                wrong = [v for v, t in zip(given, typed) if t is None]
                if wrong:
                    raise OptimiseError(f"--bounds {path}: {', '.join(wrong)} not allowed; allowed: "
                                        f"{', '.join(map(str, choices))}")
                choices = tuple(dict.fromkeys(typed))
                unfit = [c for c in choices if path == "quota.period" and not fits(c, horizon_days)]
                if unfit:
                    raise OptimiseError(f"--bounds {path}: {', '.join(unfit)} do not fit the horizon of {horizon_days} "
                                        f"days in whole periods, so their last period's pay would be missing from "
                                        f"the cost; allowed here: {', '.join(c for c in _choices(path) if fits(c, horizon_days))}")
            elif path == "quota.period":
                choices = tuple(c for c in choices if fits(c, horizon_days))
            out.append(Lever(path, current, choices=choices))
            continue
        if current is not None and (isinstance(current, bool) or not isinstance(current, (int, float))):
            raise OptimiseError(f"--levers {path}: its value {current!r} is neither a number nor a choice; "
                                "a lever is a number (plan.commission_rate) or a choice (quota.period)")
        floor, ceiling = schema_limits(path)
        whole = _is_whole(path)
        if given is not None and given and isinstance(given[0], str):  # numbers to choose among
            try:
                values = tuple(dict.fromkeys(int(v) if whole else float(v) for v in given))
            except ValueError:
                raise OptimiseError(f"--bounds {path}={','.join(given)}: a {'whole ' * whole}number; give a range "
                                    f"{path}=LOW:HIGH or the numbers to try, {path}=A,B,C") from None
            bad = [v for v in values if not math.isfinite(v) or floor is not None and v < floor
                   or ceiling is not None and v > ceiling]
            if bad:
                raise OptimiseError(f"--bounds {path}: {', '.join(map(str, bad))} outside the schema's range "
                                    f"[{floor if floor is not None else '-inf'}, {ceiling if ceiling is not None else 'inf'}]")
            out.append(Lever(path, current, choices=values))
            continue
        if given is not None:
            low, high = given
        elif path in DEFAULT_RANGES:
            low, high = DEFAULT_RANGES[path]
        elif current is not None and current != 0:
            wide = sorted((current / OPEN_FACTOR, current * OPEN_FACTOR))
            low = floor if floor is not None and floor > wide[0] else wide[0]
            high = ceiling if ceiling is not None and ceiling < wide[1] else wide[1]
        else:
            raise OptimiseError(f"--levers {path}: it is {'not set' if current is None else 0} in the scenario, so "
                                f"no range follows from it; give one with --bounds {path}=LOW:HIGH")
        if floor is not None and low < floor or ceiling is not None and high > ceiling:
            raise OptimiseError(f"--bounds {path}={low:g}:{high:g} leaves the schema's range "
                                f"[{floor if floor is not None else '-inf'}, {ceiling if ceiling is not None else 'inf'}]")
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise OptimiseError(f"--bounds {path}: LOW ({low:g}) must be below HIGH ({high:g}), both finite")
        if whole and math.ceil(low) > math.floor(high):
            raise OptimiseError(f"--bounds {path}: a whole number; no whole number lies in {low:g}:{high:g}")
        out.append(Lever(path, current, float(math.ceil(low) if whole else low),
                         float(math.floor(high) if whole else high), whole=whole))
    return out


def fits(period: str, horizon_days: int | None) -> bool:
    """Whether the horizon holds whole quota periods of this length (the unfinished rest at most 2% of it)."""
    from simulator.calendar import PERIOD_DAYS

    if horizon_days is None:
        return True
    length = PERIOD_DAYS[period]
    return length <= horizon_days and horizon_days % length <= 0.02 * horizon_days


def _present(data: Mapping, path: str) -> bool:
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return False
        node = node[key]
    return True


def _typed(text: str, choices: tuple) -> Any:
    for choice in choices:
        if str(choice).lower() == text.lower():
            return choice
    return None


# ------------------------------------------------------------------------------------- constraints


@dataclass(frozen=True)
class Constraint:
    """`cost<=current`, `cost<=1.1*current`, `profit>=current`, `cost<=2e6` or `risk.NAME<=LEVEL`."""

    text: str
    metric: str  # a key of METRICS, or risk.NAME
    op: str  # "<=" or ">="
    factor: float | None = None  # times the current plan's figure
    number: float | None = None  # an absolute bound, $
    level: str | None = None  # the highest risk level allowed

    @property
    def risk(self) -> str | None:
        return self.metric.split(".", 1)[1] if self.metric.startswith("risk.") else None

    def value(self, figures: Mapping[str, float], risks: Mapping[str, Mapping[str, Any]],
              current: Mapping[str, float]) -> float:
        """Optuna's constraint value: at most 0 when met; otherwise how far off, relative to the bound."""
        if self.risk is not None:
            r = risks[self.risk]
            allowed = LEVELS.index(self.level) >= LEVELS.index(r["level"])
            if self.level == "high":
                return -1.0
            limit = r["elevated"] if self.level == "low" else r["high"]
            value = r["value"]
            if math.isnan(value):
                return -1.0
            gap = (value - limit) / abs(limit) if limit else value - limit
            return min(gap, 0.0) if allowed else max(gap, 1e-9)
        bound = self.number if self.number is not None else self.factor * current[METRICS[self.metric]]
        value = figures[METRICS[self.metric]]
        gap = (value - bound) if self.op == "<=" else (bound - value)
        return gap / abs(bound) if bound else gap


CONSTRAINT = re.compile(r"^\s*([A-Za-z_.]+)\s*(<=|>=)\s*(.+?)\s*$")


def parse_constraint(text: str) -> Constraint:
    """One --constraint, or OptimiseError saying what is allowed."""
    found = CONSTRAINT.match(text)
    allowed = (f"METRIC<=current, METRIC<=FACTOR*current, METRIC>=current or METRIC<=NUMBER for METRIC in "
               f"{', '.join(METRICS)}; or risk.NAME<=LEVEL for NAME in {', '.join(RISKS)} and LEVEL in {', '.join(LEVELS)}")
    if not found:
        raise OptimiseError(f"--constraint {text!r}: allowed forms are {allowed}")
    metric, op, bound = found.groups()
    if metric.startswith("risk."):
        name = metric.split(".", 1)[1]
        if name not in RISKS:
            raise OptimiseError(f"--constraint {text!r}: no risk {name!r}; risks are {', '.join(RISKS)}")
        if op != "<=" or bound not in LEVELS:
            raise OptimiseError(f"--constraint {text!r}: a risk is bounded from above by a level: "
                                f"risk.{name}<=LEVEL with LEVEL one of {', '.join(LEVELS)}")
        return Constraint(text, metric, op, level=bound)
    if metric not in METRICS:
        raise OptimiseError(f"--constraint {text!r}: no figure {metric!r}; allowed forms are {allowed}")
    relative = re.fullmatch(r"(?:([0-9.eE+-]+)\s*\*\s*)?current", bound)
    try:
        if relative:
            factor = float(relative.group(1) or 1.0)
            if not math.isfinite(factor) or factor <= 0:
                raise ValueError
            return Constraint(text, metric, op, factor=factor)
        number = float(bound)
        if not math.isfinite(number):
            raise ValueError
        return Constraint(text, metric, op, number=number)
    except ValueError:
        raise OptimiseError(f"--constraint {text!r}: the bound must be current, FACTOR*current (a positive "
                            f"number) or a number of $; allowed forms are {allowed}") from None


# ------------------------------------------------------------------------------------- the problem


@dataclass
class Problem:
    """A search ready to run: the resolved scenario, its levers, objective, constraints and seeds."""

    source: Path
    scenario: Scenario
    settings: list[str]
    levers: list[Lever]
    objective: str
    constraints: list[Constraint]
    seeds: list[int]
    sampler: str = "tpe"
    base: dict = field(init=False)

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise OptimiseError(f"--objective {self.objective!r}: allowed are {', '.join(OBJECTIVES)}")
        if self.sampler not in SAMPLERS:
            raise OptimiseError(f"--sampler {self.sampler!r}: allowed are {', '.join(SAMPLERS)}")
        self.base = self.scenario.model_dump(mode="json")

    @property
    def risk_names(self) -> list[str]:
        """The risks on the front: the constrained ones, or every risk when none is constrained."""
        named = [c.risk for c in self.constraints if c.risk]
        return list(dict.fromkeys(named)) or list(RISKS)

    def identity(self) -> dict:
        return {"scenario": self.base, "levers": [[lv.path, lv.low, lv.high, list(lv.choices)] for lv in self.levers],
                "objective": self.objective, "constraints": [c.text for c in self.constraints],
                "seeds": self.seeds, "sampler": self.sampler}

    def digest(self) -> str:
        text = json.dumps(self.identity(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def overrides(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """A candidate's fields. A quota period moved under a $ quota that does not say its period
        keeps the current period's amount (quota.amount_per), as a designer moving the period means."""
        out = dict(params)
        quota = self.base.get("quota") or {}
        if "quota.period" in out and quota.get("amount") is not None and quota.get("amount_per") is None:
            out["quota.amount_per"] = quota.get("period", "quarter")
        return out

    def candidate(self, params: Mapping[str, Any]) -> Scenario:
        return scenario_for(self.base, self.overrides(params))


def figures_of(summaries: Sequence[dict], thresholds: Mapping) -> tuple[dict, dict, dict]:
    """Means over the replications of the money figures (as `salesim compare` prints them), each
    figure per seed, and every risk's level and value (`simulator.analysis.risk.verdicts`)."""
    from simulator.analysis.risk import verdicts

    flats = [flatten(s) for s in summaries]
    per_seed = {key: [float(f.get(key, math.nan)) for f in flats] for key in set(METRICS.values())}
    figures = {key: nanmean(values) for key, values in per_seed.items()}
    risks = {v.risk: {"level": v.level, "value": v.value, "elevated": v.elevated, "high": v.high}
             for v in verdicts(summaries, thresholds)}
    return figures, per_seed, risks


def simulate(base: Mapping, overrides: Mapping[str, Any], seed: int) -> dict:
    """One run's scorecard: a worker's task, module-level so any executor ships it."""
    from simulator.experiments.run import run

    return run(scenario_for(base, overrides), seed).summary


# ------------------------------------------------------------------------------------- the search


@dataclass
class Evaluated:
    """A plan's figures over the replications: what a trial records and the outputs read."""

    figures: dict[str, float]
    per_seed: dict[str, list[float]]
    risks: dict[str, dict[str, Any]]

    def attrs(self) -> dict:
        from simulator.experiments.files import json_safe

        return json_safe({"figures": self.figures, "per_seed": self.per_seed, "risks": self.risks})[0]

    @classmethod
    def from_attrs(cls, attrs: Mapping) -> Evaluated:
        def num(v):
            return math.nan if v is None else v

        return cls({k: num(v) for k, v in attrs["figures"].items()},
                   {k: [num(x) for x in v] for k, v in attrs["per_seed"].items()},
                   {k: {**r, "value": num(r["value"])} for k, r in attrs["risks"].items()})


def risk_score(risks: Mapping[str, Mapping[str, Any]], names: Sequence[str]) -> float:
    """The worst of the named risks, each as its figure over its elevated threshold (1: turns
    elevated; a risk not measurable in the runs counts 0): the front's third objective."""
    scores = [r["value"] / r["elevated"] if r["elevated"] else r["value"]
              for r in (risks[n] for n in names) if not math.isnan(r["value"])]
    return float(max(scores, default=0.0))


def worst_level(risks: Mapping[str, Mapping[str, Any]], names: Sequence[str]) -> str:
    return max((risks[n]["level"] for n in names), key=LEVELS.index, default="low")


@dataclass
class Outcome:
    """What a session of the search did."""

    study: Study
    current: Evaluated
    ran: int  # trials run in this session
    reused: int  # of them, plans already run (same levers): no runs needed
    before: int  # trials found in the journal


def _sampler(problem: Problem, seed: int) -> BaseSampler:
    import optuna

    if problem.sampler == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=max(8, 4 * len(problem.levers)))
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(5, 2 * len(problem.levers) + 1),
                                      multivariate=True)


def open_study(problem: Problem, out: Path, seed: int) -> Study:
    """The study in OUT/study.log, new or resumed; OptimiseError if the folder holds another search."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock

    out.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    path = str(out / JOURNAL)
    storage = JournalStorage(JournalFileBackend(path, lock_obj=JournalFileOpenLock(path)))
    study = optuna.create_study(storage=storage, study_name=STUDY, sampler=_sampler(problem, seed),
                                directions=["maximize", "minimize", "minimize"], load_if_exists=True)
    digest = study.user_attrs.get("identity")
    if digest is None:
        study.set_user_attr("identity", problem.digest())
        study.set_user_attr("problem", json.loads(json.dumps(
            {k: v for k, v in problem.identity().items() if k != "scenario"}, default=str)))
        study.set_user_attr("scenario_name", problem.scenario.name)
    elif digest != problem.digest():
        was = study.user_attrs.get("problem", {})
        raise OptimiseError(f"{out}: holds another search (scenario {study.user_attrs.get('scenario_name')!r}, "
                            f"levers {', '.join(lv[0] for lv in was.get('levers', []))}, objective "
                            f"{was.get('objective')}, constraints {', '.join(was.get('constraints', [])) or 'none'}, "
                            f"{len(was.get('seeds', []))} replications from seed {(was.get('seeds') or ['?'])[0]}, sampler "
                            f"{was.get('sampler')}); "
                            "choose another --out, or delete the folder; --trials alone may change")
    return study


def _params_key(params: Mapping[str, Any]) -> str:
    return json.dumps({k: (round(v, 12) if isinstance(v, float) else v) for k, v in sorted(params.items())})


def counted(study: Study) -> list[FrozenTrial]:
    """The trials that count towards --trials: run to the end, or refused as plans the schema does not allow."""
    from optuna.trial import TrialState

    return [t for t in study.get_trials(deepcopy=False)
            if t.state == TrialState.COMPLETE or (t.state == TrialState.FAIL and "error" in t.user_attrs)]


def evaluate_current(problem: Problem, out: Path, executor: Executor) -> Evaluated:
    """The current plan on the seeds, kept in OUT/current.json (a resumed search reads it back)."""
    from simulator.experiments.files import atomic_write, dump_json

    path = out / "current.json"
    if path.exists():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved.get("identity") == problem.digest():
                return Evaluated.from_attrs(saved)
        except (json.JSONDecodeError, KeyError):
            pass
    futures = [executor.submit(simulate, problem.base, {}, seed) for seed in problem.seeds]
    found = Evaluated(*figures_of([f.result() for f in futures], problem.scenario.risk_thresholds()))
    atomic_write(path, lambda p: Path(p).write_text(dump_json({"identity": problem.digest(), **found.attrs()})))
    return found


def search(problem: Problem, out: str | Path, trials: int, executor: Executor, *, seed: int, batch: int = 1,
           progress: bool = False, say: Callable[[str], None] | None = None) -> Outcome:
    """Run the study in `out` until `trials` trials count (see `counted`), `batch` candidates at once."""
    from optuna.trial import TrialState

    from simulator.experiments.runner import worker_count

    out = Path(out)
    study = open_study(problem, out, seed)
    before = len(counted(study))
    for stale in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):  # a killed session's
        study.tell(stale.number, state=TrialState.FAIL)
        study.enqueue_trial(stale.params, skip_if_exists=True)
    if before and say:
        say(f"resuming: {before} trials already in {out / JOURNAL}")
    current = evaluate_current(problem, out, executor)
    params_now = {lv.path: lv.current for lv in problem.levers}
    if not study.trials and all(lv.holds(lv.current) for lv in problem.levers):
        study.enqueue_trial(params_now)  # the current plan is trial 0: the front is read against it
    known: dict[str, Evaluated] = {_params_key(t.params): Evaluated.from_attrs(t.user_attrs)
                                   for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))}
    batch = max(1, batch or worker_count(executor))
    ran = reused = 0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=trials, initial=min(before, trials), desc="trials", unit="trial", leave=False)
    try:
        while len(counted(study)) < trials:
            asked = []
            for _ in range(min(batch, trials - len(counted(study)))):
                trial = study.ask()
                params = {lv.path: lv.suggest(trial) for lv in problem.levers}
                try:
                    problem.candidate(params)
                except ScenarioError as exc:
                    trial.set_user_attr("error", "; ".join(exc.problems)[:500])
                    study.tell(trial, state=TrialState.FAIL)
                    ran += 1
                    continue
                key = _params_key(params)
                futures = None if key in known else [executor.submit(simulate, problem.base, problem.overrides(params), s)
                                                     for s in problem.seeds]
                asked.append((trial, key, futures))
            for trial, key, futures in asked:
                if futures is None:
                    found, reused = known[key], reused + 1
                else:
                    found = Evaluated(*figures_of([f.result() for f in futures], problem.scenario.risk_thresholds()))
                    known[key] = found
                _tell(study, trial, problem, found, current)
                ran += 1
            if bar is not None:
                bar.n = min(len(counted(study)), trials)
                bar.refresh()
    finally:
        if bar is not None:
            bar.close()
    return Outcome(study, current, ran, reused, before)


def _tell(study: Study, trial: Trial, problem: Problem, found: Evaluated, current: Evaluated) -> None:
    values = {c.text: c.value(found.figures, found.risks, current.figures) for c in problem.constraints}
    trial.set_user_attr("figures", found.attrs()["figures"])
    trial.set_user_attr("per_seed", found.attrs()["per_seed"])
    trial.set_user_attr("risks", found.attrs()["risks"])
    for k, c in enumerate(problem.constraints):
        trial.set_constraint(f"c{k}", values[c.text])
    objective = found.figures[OBJECTIVES[problem.objective]]
    study.tell(trial, [objective, found.figures[COST], risk_score(found.risks, problem.risk_names)])


# ------------------------------------------------------------------------------------- the outputs


def trials_table(study: Study, problem: Problem, current: Evaluated) -> pd.DataFrame:
    """Every trial: its levers, figures, the constrained risks' levels, constraint values, feasible, on the front."""
    import pandas as pd
    from optuna.trial import TrialState

    front = {t.number for t in study.best_trials}
    rows = []
    for t in study.get_trials(deepcopy=False):
        if t.state not in (TrialState.COMPLETE, TrialState.FAIL) or (t.state == TrialState.FAIL and "error" not in t.user_attrs):
            continue
        row: dict[str, Any] = {"trial": t.number, **{lv.path: t.params.get(lv.path) for lv in problem.levers}}
        if t.state == TrialState.FAIL:
            rows.append(row | {"feasible": False, "on_front": False, "error": t.user_attrs["error"]})
            continue
        found = Evaluated.from_attrs(t.user_attrs)
        row[problem.objective] = found.figures[OBJECTIVES[problem.objective]]
        row["cost"] = found.figures[COST]
        for name in ("profit", "revenue"):
            row.setdefault(name, found.figures[OBJECTIVES[name]])
        row["risk_score"] = t.values[2]
        row["worst_risk"] = worst_level(found.risks, problem.risk_names)
        for name in problem.risk_names:
            row[f"risk.{name}"] = found.risks[name]["value"]
            row[f"risk.{name}.level"] = found.risks[name]["level"]
        for c in problem.constraints:
            row[f"constraint: {c.text}"] = c.value(found.figures, found.risks, current.figures)
        row["feasible"] = all(v <= 0 for v in t.constraints.values())
        row["on_front"] = t.number in front
        row["is_current"] = all(t.params.get(lv.path) == lv.current for lv in problem.levers)
        row["error"] = ""
        rows.append(row)
    return pd.DataFrame(rows)


def front_table(study: Study, problem: Problem, current: Evaluated) -> pd.DataFrame:
    """The Pareto front (feasible trials no other feasible trial beats on profit, cost and risk),
    best objective first, with each plan's paired difference from the current plan."""
    import pandas as pd

    from simulator.analysis.replications import replications_needed, resolved

    key = OBJECTIVES[problem.objective]
    rows = []
    for t in sorted(study.best_trials, key=lambda t: (-t.values[0], t.values[1], t.number)):
        found = Evaluated.from_attrs(t.user_attrs)
        diff = np.array(found.per_seed[key]) - np.array(current.per_seed[key])
        mean, low, high = mean_ci(diff)
        cost_diff = np.array(found.per_seed[COST]) - np.array(current.per_seed[COST])
        needed = replications_needed(diff)
        rows.append({"plan": f"plan-{len(rows) + 1}", "trial": t.number,
                     **{lv.path: t.params.get(lv.path) for lv in problem.levers},
                     "is_current": all(t.params.get(lv.path) == lv.current for lv in problem.levers),
                     problem.objective: found.figures[key], "cost": found.figures[COST],
                     "worst_risk": worst_level(found.risks, problem.risk_names), "risk_score": t.values[2],
                     **{f"risk.{n}.level": found.risks[n]["level"] for n in problem.risk_names},
                     f"{problem.objective}_vs_current": mean, "ci_low": low, "ci_high": high,
                     "resolved": resolved(low, high),
                     "replications_needed": math.nan if needed is None else needed,
                     "cost_vs_current": float(np.mean(cost_diff))})
    return pd.DataFrame(rows)


def plan_yaml(problem: Problem, params: Mapping[str, Any], out: Path, name: str, note: str) -> str:
    """A front plan as a scenario file: the input `extends:`-ed with the lever values (and the
    command's --set fields, so the file is the plan as the search ran it)."""
    import os

    import yaml

    from simulator.scenario import apply_overrides

    fields = {**{s.split("=", 1)[0].strip(): value_at(problem.base, s.split("=", 1)[0].strip())
                 for s in problem.settings if s.split("=", 1)[0].strip() != "horizon_years"},
              **problem.overrides(params)}
    body = apply_overrides({}, {k: _plain(v) for k, v in fields.items()})
    relative = os.path.relpath(problem.source.resolve(), out.resolve())
    header = [f"# {note}", "# levers: " + ", ".join(f"{k}={_plain(v)}" for k, v in params.items())]
    text = yaml.safe_dump({"extends": relative, "name": name, **body}, sort_keys=False)
    return "\n".join(header) + "\n" + text


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, (np.floating, float)) and not isinstance(value, bool) else value


def write_outputs(outcome: Outcome, problem: Problem, out: str | Path) -> list[Path]:
    """trials.csv, front.csv, plans/plan-N.yaml and report.html, each written atomically."""
    from simulator.experiments.files import atomic_write

    out = Path(out)
    study, current = outcome.study, outcome.current
    table, front = trials_table(study, problem, current), front_table(study, problem, current)
    atomic_write(out / "trials.csv", lambda p: table.to_csv(p, index=False, float_format="%.10g"))
    atomic_write(out / "front.csv", lambda p: front.to_csv(p, index=False, float_format="%.10g"))
    plans = out / "plans"
    plans.mkdir(exist_ok=True)
    for old in plans.glob("plan-*.yaml"):  # a resumed search's front may be shorter than the last one
        old.unlink()
    written = [out / "trials.csv", out / "front.csv"]
    for _, row in front.iterrows():
        params = {lv.path: row[lv.path] for lv in problem.levers}
        note = (f"salesim optimise: trial {row['trial']} on the front{' (the current plan)' * bool(row['is_current'])}; {problem.objective} ${row[problem.objective]:,.0f}, "
                f"cost ${row['cost']:,.0f}, worst constrained risk {row['worst_risk']}")
        text = plan_yaml(problem, params, plans, f"{problem.scenario.name}_{row['plan'].replace('-', '')}", note)
        target = plans / f"{row['plan']}.yaml"
        atomic_write(target, lambda p, text=text: Path(p).write_text(text, encoding="utf-8"))
        written.append(target)
    from simulator.report.optimise import write_report

    written.append(write_report(out, problem, table, front, current))
    return written


def format_front(front: pd.DataFrame, problem: Problem, current: Evaluated) -> str:
    """The front as the command prints it, with the current plan above it."""
    key = OBJECTIVES[problem.objective]
    lines = [f"CURRENT PLAN: {problem.objective} ${current.figures[key]:,.0f}, cost ${current.figures[COST]:,.0f}, "
             f"risks " + ", ".join(f"{n} {current.risks[n]['level']}" for n in problem.risk_names)]
    if not len(front):
        lines.append("PARETO FRONT: empty: no trial met every constraint (see trials.csv's constraint columns)")
        return "\n".join(lines)
    lines.append(f"PARETO FRONT ({len(front)} plan{"s" * (len(front) > 1)} meeting every constraint; {problem.objective} against cost and "
                 f"risk; differences from the current plan paired by seed, 95% interval)")
    if front.iloc[0]["is_current"]:
        lines.append(f"  no plan tried has more {problem.objective} than the current plan within the constraints; "
                     "the others trade it for less cost or risk")
    for _, r in front.iterrows():
        levers = ", ".join(f"{lv.path}={_shown(r[lv.path])}" for lv in problem.levers)
        ci = "" if math.isnan(r["ci_low"]) else f" [{r['ci_low']:+,.0f}, {r['ci_high']:+,.0f}]"
        verdict = ("resolved" if r["resolved"] else "not resolved" + (
            "" if math.isnan(r["replications_needed"]) else f", needs ~{int(r['replications_needed'])} replications"))
        lines.append(f"  {r['plan']:<8} {levers}" + (" (the current plan)" if r["is_current"] else ""))
        lines.append(f"           {problem.objective} ${r[problem.objective]:,.0f} ({r[f'{problem.objective}_vs_current']:+,.0f}"
                     f"{ci}, {verdict}), cost ${r['cost']:,.0f} ({r['cost_vs_current']:+,.0f}), worst risk {r['worst_risk']}")
    return "\n".join(lines)


def _shown(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def best_separation(front: pd.DataFrame, study: Study, problem: Problem) -> str | None:
    """Whether noise could have picked the winner: the best plan against the runner-up on the
    objective, paired by seed. None when the front has one plan."""
    from simulator.analysis.replications import replications_needed, resolved

    if len(front) < 2:
        return None
    key = OBJECTIVES[problem.objective]
    by_number = {t.number: Evaluated.from_attrs(t.user_attrs) for t in study.best_trials}
    a, b = (by_number[int(front.iloc[k]["trial"])] for k in (0, 1))
    diff = np.array(a.per_seed[key]) - np.array(b.per_seed[key])
    mean, low, high = mean_ci(diff)
    if resolved(low, high):
        return (f"plan-1 beats plan-2 on {problem.objective} by ${mean:,.0f} [{low:+,.0f}, {high:+,.0f}]: "
                f"resolved with {len(problem.seeds)} replications")
    needed = replications_needed(diff)
    more = f"about {needed} replications would separate them" if needed else "no number of replications would separate them"
    return (f"NOT RESOLVED: plan-1 and plan-2 differ on {problem.objective} by ${mean:,.0f}"
            + ("" if math.isnan(low) else f" [{low:+,.0f}, {high:+,.0f}]")
            + f" with {len(problem.seeds)} replications: noise may have picked the order; {more} "
              "(a new --out with more --replications)")
