"""A plan search's files: trials.csv, front.csv, plans/plan-N.yaml (each front plan as a scenario
file that `extends:` the input) and report.html, each written atomically; and the front as the
command prints it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.analysis.risk import mean_ci
from simulator.calibration.parameters import value_at
from simulator.optimise.problem import COST, OBJECTIVES, Evaluated, Problem, worst_level
from simulator.optimise.search import Outcome

if TYPE_CHECKING:
    import pandas as pd
    from optuna import Study


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
    from simulator.optimise.report import write_report

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
