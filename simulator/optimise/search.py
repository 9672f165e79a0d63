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

import json
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.optimise.problem import (
    COST,
    JOURNAL,
    OBJECTIVES,
    STUDY,
    Evaluated,
    OptimiseError,
    Problem,
    figures_of,
    risk_score,
    simulate,
)
from simulator.scenario import ScenarioError

if TYPE_CHECKING:  # optuna loads when a search runs, not when salesim starts
    from optuna import Study, Trial
    from optuna.samplers import BaseSampler
    from optuna.trial import FrozenTrial


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
