"""Out of sample: fit on a firm's history under one plan, predict what happens after a plan change.

A synthetic firm runs plan A (say the baseline's quarterly bonus plan) at known ("true")
behavioural parameters; that run is its history. The parameters named are fitted to it from the
scenario's defaults, as `salesim calibrate` would. The firm then changes to plan B (say monthly
quotas with a steeper accelerator). The prediction is plan B simulated at the fitted values; the
truth it is judged against is plan B simulated afresh at the true values, on other seeds. For
revenue, the attainment spread and within-period timing the check reports the prediction's error
with a 95% interval (Welch t over the runs of both), beside two references that show what the
calibration bought:

- `at_defaults`: plan B at the scenario's uncalibrated defaults (the prediction without a fit);
- `no_change`: plan A at the fitted values (the prediction that ignores the plan change).

The periods after the change are simulated as a fresh run of plan B (the firm's force redrawn from
the same scenario), not as a continuation of the history's run: the model has no mid-run plan
change, and the comparison (fitted vs true parameters under the same plan B) does not need one.

    from simulator.calibration.out_of_sample import out_of_sample
    check = out_of_sample("scenarios/baseline.yaml", "scenarios/monthly_quota.yaml",
                          {"force.traits.effort_cost.mean": 130.0}, settings=["force.size=40"],
                          settings_after=["plan.tiers=[{at: 1.0, rate: 0.06}]"])
    print(check.table())
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from simulator.calibration import moments as mom
from simulator.calibration.fit import Fit
from simulator.calibration.panel import from_tables
from simulator.calibration.workflow import calibrate, prepare
from simulator.experiments.design import run_seeds, scenario_for
from simulator.experiments.run import run
from simulator.experiments.runner import open_executor
from simulator.scenario import load_scenario

# the plan change the docs and the test use: the baseline's quarterly bonus plan -> monthly quotas
# (monthly_quota.yaml: a third of the bonus each month) with the accelerator tripled to 0.06
MONTHLY_ACCELERATOR = ("plan.tiers=[{at: 1.0, rate: 0.06}]",)

FIGURES = {
    "revenue": "revenue per rep-year ($)",
    "attainment_sd": "spread (sd) of attainment over whole periods",
    "last_tenth_share": "share of credited sales in the last 10% of a period's days",
}
ARMS = ("truth", "prediction", "at_defaults", "no_change")


def figures(result) -> list[float]:
    """The figures a prediction is judged on, from one run's tables."""
    history = from_tables(result.rep_periods, result.daily, source="<simulated>")
    days = len(result.daily)
    reps = result.rep_periods.groupby("period")["rep_id"].nunique().mean()
    years = days / 252.0
    revenue = float(result.daily["revenue"].sum() / (reps * years)) if reps and years else float("nan")
    return [revenue, *mom.measure(history, ["attainment_sd", "last_tenth_share"]).tolist()]


def run_figures(base: Mapping, overrides: Mapping[str, float], seed: int) -> list[float]:
    """A worker's task: one run of `base` with `overrides` at `seed`, its figures."""
    return figures(run(scenario_for(base, overrides), int(seed), summary=False))


def _interval(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Mean of a minus mean of b with a 95% Welch interval."""
    diff = float(np.mean(a) - np.mean(b))
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    se = float(np.sqrt(va + vb))
    if se == 0:
        return diff, diff, diff
    dof = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    half = float(stats.t.ppf(0.975, dof)) * se
    return diff, diff - half, diff + half


@dataclass
class OutOfSample:
    """The check's result: the fit on plan A's history and each arm's figures run by run."""

    fit: Fit
    truth: dict[str, float]
    runs: dict[str, np.ndarray]  # arm -> (runs x figures)
    history_figures: list[float]
    seconds: float
    notes: list[str] = field(default_factory=list)
    hidden: dict[str, float] = field(default_factory=dict)  # true values the fit did not know

    @property
    def fitted(self) -> dict[str, float]:
        return {p.path: float(v) for p, v in zip(self.fit.parameters, self.fit.estimate)}

    def table(self) -> pd.DataFrame:
        """A row per figure: the truth under plan B (mean), and for the prediction and both references
        the error against it with a 95% interval and the relative error."""
        rows = []
        truth = self.runs["truth"]
        for k, name in enumerate(FIGURES):
            row = {"figure": name, "description": FIGURES[name], "history_plan_a": self.history_figures[k],
                   "truth": float(np.mean(truth[:, k]))}
            for arm in ARMS[1:]:
                err, low, high = _interval(self.runs[arm][:, k], truth[:, k])
                row[f"{arm}"] = float(np.mean(self.runs[arm][:, k]))
                row[f"{arm}_error"], row[f"{arm}_error_low"], row[f"{arm}_error_high"] = err, low, high
                row[f"{arm}_relative_error"] = err / row["truth"] if row["truth"] else float("nan")
            rows.append(row)
        return pd.DataFrame(rows)


def out_of_sample(before: str | Path, after: str | Path, truth: Mapping[str, float], *,
                  hidden: Mapping[str, float] | None = None,
                  settings: Sequence[str] = (), settings_after: Sequence[str] = MONTHLY_ACCELERATOR,
                  moments: Sequence[str] | None = None, replications: int = 3, prediction_runs: int = 6,
                  history_seed: int = 99, seed: int = 20240, workers: int = 1, max_evaluations: int = 60,
                  out: str | Path | None = None, progress: Callable[[str], None] | None = None) -> OutOfSample:
    """Fit `truth`'s parameters on a history of `before` simulated at `truth`, then predict `after`.

    `settings` (dotted `path=value`, as `--set`) apply to both scenarios (the force's size, the
    horizon); `settings_after` to `after` alone (the rest of the plan change). `replications` runs a
    candidate in the fit; `prediction_runs` runs per arm afterwards, on seeds of their own (the
    truth's differ from the prediction's: a fresh simulation). `hidden` (path: value) are true values
    the fit does not know: the history and the truth arm have them, the fit and the predictions keep
    the scenario's values (a misspecified model: e.g. a force whose effort answers pay less than the
    model assumes)."""
    started = time.perf_counter()
    base_before = load_scenario(before, list(settings)).model_dump(mode="json")
    base_after = load_scenario(after, [*settings, *settings_after]).model_dump(mode="json")
    truth = {k: float(v) for k, v in truth.items()}
    world = {**{k: float(v) for k, v in (hidden or {}).items()}, **truth}  # what the firm's reps really are
    history_run = run(scenario_for(base_before, world), history_seed)
    history = from_tables(history_run.rep_periods, history_run.daily, source=f"<{Path(before).name} at the truth>")
    problem = prepare(before, history, list(truth), moments=moments, settings=settings,
                      replications=replications, seed=seed)
    if progress:
        progress(f"fitting {', '.join(truth)} on {history.describe()}")
    with tempfile.TemporaryDirectory() as scratch:
        fit = calibrate(problem, Path(out) if out is not None else Path(scratch), workers=workers,
                        max_evaluations=max_evaluations, progress=progress)
    fitted = {p.path: float(v) for p, v in zip(fit.parameters, fit.estimate)}
    defaults = {p.path: p.start for p in fit.parameters}
    # seeds: the prediction arms share theirs (common random numbers among them), the truth has its own
    shared = run_seeds(seed + 1, 1, prediction_runs)
    fresh = run_seeds(seed + 2, 1, prediction_runs)
    arms = {"truth": (base_after, world, fresh), "prediction": (base_after, fitted, shared),
            "at_defaults": (base_after, defaults, shared), "no_change": (base_before, fitted, shared)}
    if progress:
        progress(f"predicting plan B: {len(arms)} arms x {prediction_runs} runs")
    with open_executor("process", workers) as executor:
        futures = {arm: [executor.submit(run_figures, b, o, s) for s in seeds] for arm, (b, o, seeds) in arms.items()}
        runs = {arm: np.array([f.result() for f in fs], dtype=float) for arm, fs in futures.items()}
    return OutOfSample(fit=fit, truth=truth, runs=runs, history_figures=figures(history_run),
                       seconds=time.perf_counter() - started, notes=list(problem.notes),
                       hidden={k: world[k] for k in world if k not in truth})


def main(argv: Sequence[str] | None = None) -> None:
    """python -m simulator.calibration.out_of_sample: the docs' check, printed."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m simulator.calibration.out_of_sample", description=__doc__.split("\n")[0])
    p.add_argument("--before", default="scenarios/baseline.yaml")
    p.add_argument("--after", default="scenarios/monthly_quota.yaml")
    p.add_argument("--truth", nargs="+", default=["force.traits.effort_cost.mean=130",
                                                   "market.customers.period_end_discount=0.05"])
    p.add_argument("--hidden", nargs="+", default=[], metavar="PATH=VALUE",
                   help="true values the fit does not know (a misspecified model), e.g. behaviour.effort_curvature=3")
    p.add_argument("--set", dest="settings", action="append", default=[])
    p.add_argument("--replications", type=int, default=3)
    p.add_argument("--prediction-runs", type=int, default=6)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--max-evaluations", type=int, default=60)
    p.add_argument("--history-seed", type=int, default=99, help="the synthetic firm's history's seed")
    args = p.parse_args(argv)
    truth = {k: float(v) for k, v in (item.split("=", 1) for item in args.truth)}
    hidden = {k: float(v) for k, v in (item.split("=", 1) for item in args.hidden)}
    check = out_of_sample(args.before, args.after, truth, hidden=hidden, settings=args.settings,
                          replications=args.replications,
                          prediction_runs=args.prediction_runs, workers=args.workers,
                          max_evaluations=args.max_evaluations, history_seed=args.history_seed, progress=None)
    if check.hidden:
        print("not fitted, true values unknown to the fit: " + ", ".join(f"{k}={v:g}" for k, v in check.hidden.items()))
    print(check.fit.estimates()[["parameter", "start", "estimate", "ci_low", "ci_high"]].to_string(index=False))
    cols = ["figure", "history_plan_a", "truth", "prediction", "prediction_error_low", "prediction_error_high",
            "at_defaults_error", "no_change_error"]
    with pd.option_context("display.width", 200, "display.float_format", "{:.4g}".format):
        print(check.table()[cols].to_string(index=False))
    print(f"{check.seconds:.0f} s; fit: {check.fit.evaluations} candidates, {check.fit.run_seconds:.0f} s of runs")


if __name__ == "__main__":
    main()
