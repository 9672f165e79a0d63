"""Plan comparison: the current plan and proposed ones, run on the same seeds.

Every plan runs with the same replication seeds (common random numbers), so differences between
plans are the plans' and not chance, and a plan compared with itself differs by exactly zero.
Differences are paired by seed, with Student-t 95% intervals. Beside the simulated figures comes
the *static* figure a spreadsheet or an incentive-compensation tool's what-if gives: the proposed
plan's payout computed on the sales made under the current plan. The gap between the two is what
reps' responses do to a plan.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from simulator.analysis.effort_units import effort_words
from simulator.analysis.metrics import flatten
from simulator.analysis.replications import replications_needed, resolved, separation_words
from simulator.analysis.risk import mean_ci, nanmean, verdicts
from simulator.experiments.equal_cost import Calibration, equal_cost_scale
from simulator.experiments.files import atomic_write, dump_json, package_version
from simulator.experiments.run import RunResult, run
from simulator.levers import static_pay
from simulator.pay.payout import compile_plan
from simulator.scenario import Scenario

HEADLINES = (
    "financial.revenue", "financial.gross_profit", "financial.comp_cost", "financial.comp_cost_ratio",
    "financial.profit_after_comp_and_fines", "financial.fixed_pay_share", "financial.fines_and_remediation",
    "internal_process.hit_rate", "internal_process.attainment_mean", "internal_process.effort_mean",
    "internal_process.last10_share", "internal_process.discount_leakage", "internal_process.pushed_out_share",
    "internal_process.misconduct_rate", "customer.customers_harmed", "customer.trust_end",
    "learning_growth.turnover_rate", "learning_growth.giving_up_share",
)


@dataclass
class PlanRuns:
    """One plan's replications."""

    name: str
    scenario: Scenario
    scale: float  # variable pay multiplier applied for equal cost (1: none)
    results: list[RunResult] = field(default_factory=list)
    calibration: Calibration | None = None  # how the equal-cost scale was found, and the gap it left

    @property
    def table(self) -> pd.DataFrame:
        rows = [flatten(r.summary) | {"seed": r.provenance["seed"]} for r in self.results]
        return pd.DataFrame(rows).assign(plan=self.name)


@dataclass
class Comparison:
    plans: list[PlanRuns]
    seeds: list[int]

    @property
    def current(self) -> PlanRuns:
        return self.plans[0]

    def runs_table(self) -> pd.DataFrame:
        return pd.concat([p.table for p in self.plans], ignore_index=True)

    def differences(self) -> pd.DataFrame:
        """Each proposed plan minus the current one, paired by seed, for every figure."""
        base = self.current.table.set_index("seed")
        rows = []
        for plan in self.plans[1:]:
            other = plan.table.set_index("seed").loc[base.index]
            for metric in base.columns:  # figures both plans have (plans may sell different products)
                if metric not in other or not pd.api.types.is_numeric_dtype(base[metric]):
                    continue
                diff = (other[metric] - base[metric]).to_numpy(dtype=float)
                mean, low, high = mean_ci(diff)
                needed = replications_needed(diff)
                rows.append({"plan": plan.name, "metric": metric, "current": nanmean(base[metric]),
                             "proposed": nanmean(other[metric]), "difference": mean,
                             "ci_low": low, "ci_high": high, "resolved": resolved(low, high),
                             "replications_needed": float("nan") if needed is None else float(needed)})
        return pd.DataFrame(rows)

    def verdicts(self) -> dict[str, list[dict]]:
        return {p.name: [v.as_dict() for v in verdicts([r.summary for r in p.results], p.scenario.risk_thresholds())]
                for p in self.plans}

    def static_costs(self) -> dict[str, dict]:
        """What each plan would cost on the current plan's sales, beside what it costs once reps
        respond (the current plan's own static cost is its simulated cost)."""
        out = {}
        for plan in self.plans:
            simulated = float(np.mean([r.summary["financial"]["comp_cost"] for r in plan.results]))
            if plan is self.current:
                out[plan.name] = {"simulated": simulated, "static": simulated, "note": "the current plan as run"}
                continue
            static, note = static_cost(self.current, plan)
            out[plan.name] = {"simulated": simulated, "static": static, "note": note}
        return out

    def write(self, out: str | Path) -> Path:
        """comparison.json, runs.parquet, differences.parquet, and each plan's first replication's
        tables under plans/<name>/ (what the report draws)."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        meta = {
            "kind": "comparison",
            "package_version": package_version(),
            "seeds": self.seeds,
            "plans": [{"name": p.name, "scenario_name": p.scenario.name, "scenario_hash": p.scenario.digest(),
                       "variable_scale": p.scale, "scenario": p.scenario.model_dump(mode="json"),
                       "equal_cost": None if p.calibration is None else {
                           "scale": p.calibration.scale, "cost": p.calibration.cost,
                           "reference_cost": p.calibration.reference_cost, "gap": p.calibration.gap,
                           "gap_interval": [p.calibration.gap_low, p.calibration.gap_high],
                           "seeds": list(p.calibration.seeds), "verdict": p.calibration.verdict,
                           "costings": p.calibration.iterations}} for p in self.plans],
            "verdicts": self.verdicts(),
            "static_costs": self.static_costs(),
        }
        atomic_write(out / "comparison.json", lambda path: Path(path).write_text(dump_json(meta, indent=2)))
        atomic_write(out / "runs.parquet", lambda path: self.runs_table().to_parquet(path, index=False))
        atomic_write(out / "differences.parquet", lambda path: self.differences().to_parquet(path, index=False))
        for plan in self.plans:
            plan.results[0].write(out / "plans" / plan.name)
        return out


def static_cost(current: PlanRuns, plan: PlanRuns) -> tuple[float, str]:
    """The plan's pay on the sales and quotas of the current plan's runs ($, mean over
    replications), as a spreadsheet what-if would compute it; nan with a reason when the plans
    measure sales differently."""
    a, b = current.scenario, plan.scenario
    if (a.quota.period, a.plan.credit_basis, a.plan.crediting) != (b.quota.period, b.plan.credit_basis, b.plan.crediting):
        return float("nan"), "not comparable: the plans credit sales or set quota periods differently"
    scaled = b.with_variable_scale(plan.scale / max(b.plan.variable_scale, 1e-12)) if plan.scale != 1.0 else b
    pay = compile_plan(scaled.plan, 252 / _period_days(b), np.ones(len(b.products)))
    ratio = (b.quota.period_amount / a.quota.period_amount if a.quota.amount and b.quota.amount
             else b.quota.difficulty / a.quota.difficulty)
    totals = []
    for result in current.results:
        rows = result.rep_periods
        quota = rows["quota"] * ratio
        variable = np.where(rows["complete"], pay.curve.pay(rows["sales"], quota), pay.curve.commission(rows["sales"], quota))
        levers = static_pay(scaled, rows.assign(quota=quota), variable)  # each lever's pay on these rows
        if levers.unpriced:
            return float("nan"), f"not comparable: {levers.unpriced}"
        if levers.pay is not None:
            variable = variable + levers.pay
        totals.append(float((pay.base_per_day * rows["days"] + variable).sum()))
    return float(np.mean(totals)), "the proposed plan's payout on the current plan's sales"


def _period_days(scenario: Scenario) -> int:
    from simulator.calendar import PERIOD_DAYS

    return PERIOD_DAYS[scenario.quota.period]


def _run_one(args) -> RunResult:
    scenario, seed = args
    return run(scenario, seed)


def compare(scenarios: Sequence[Scenario], names: Sequence[str] | None = None, replications: int = 5,
            seed: int | None = None, equal_cost: bool = False, workers: int = 1,
            progress: bool = False) -> Comparison:
    """Run the current plan (first) and proposed plans on the same seeds."""
    if len(scenarios) < 1:
        raise ValueError("compare needs at least one plan")
    names = _unique_names([folder_name(n) for n in (names or [s.name for s in scenarios])])
    first = scenarios[0].seed if seed is None else seed
    seeds = [first + k for k in range(replications)]
    plans = []
    for name, scenario in zip(names, scenarios):
        scale, found = 1.0, None
        if equal_cost and plans:
            found = equal_cost_scale(scenario, scenarios[0], seeds=seeds[: min(3, len(seeds))],
                                     years=min(scenario.horizon_years, 2.0))
            scale = found.scale
            scenario = scenario.with_variable_scale(scale)
        plans.append(PlanRuns(name, scenario, scale, calibration=found))
    jobs = [(p.scenario, s) for p in plans for s in seeds]
    results = _map(_run_one, jobs, workers, progress)
    for i, plan in enumerate(plans):
        plan.results = results[i * len(seeds):(i + 1) * len(seeds)]
    return Comparison(plans, seeds)


def folder_name(name: str) -> str:
    """A plan's name as the folder its tables go in (plans/<name>): letters, digits, _ . -, never a path."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", str(name)).lstrip("._-")[:64]
    return safe or "plan"


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _map(function, jobs: list, workers: int, progress: bool) -> list:
    """Run jobs in order on the runner's executor (spawned single-threaded workers, or serially for one)."""
    from simulator.experiments.runner import open_executor

    with open_executor("process", workers) as executor:
        # one worker maps lazily here, so the progress bar moves run by run
        results = map(function, jobs) if workers <= 1 else executor.map(function, jobs)
        if progress:
            from tqdm import tqdm

            results = tqdm(results, total=len(jobs), desc="runs", unit="run", leave=False)
        return list(results)


MONEY = {"financial.revenue", "financial.gross_profit", "financial.comp_cost", "financial.profit_after_comp_and_fines",
         "financial.fines_and_remediation"}
SHARES = {"financial.comp_cost_ratio", "financial.fixed_pay_share", "internal_process.hit_rate",
          "internal_process.attainment_mean", "internal_process.last10_share", "internal_process.discount_leakage",
          "internal_process.pushed_out_share", "learning_growth.turnover_rate", "learning_growth.giving_up_share"}


def _shown(metric: str, value: float, difference: bool = False) -> str:
    """A figure in its unit: whole dollars, shares as % (differences of shares in points), else 3 decimals."""
    if math.isnan(value):
        return "n/a"
    sign = "+" if difference and value > 0 else ""
    if metric in MONEY:
        return f"{sign}{'-' if value < 0 else ''}${abs(value):,.0f}"
    if metric in SHARES:
        return f"{sign}{value * 100:.1f} points" if difference else f"{value * 100:.1f}%"
    return f"{sign}{value:,.3f}"


def resolution_summary(diffs: pd.DataFrame, have: int) -> str:
    """One line: how many headline differences are resolved, and the replications the rest need."""
    if not len(diffs):
        return ""
    if have < 2:
        return "  one replication: no interval, nothing resolved; run 2 or more (--replications) to see which differences are"
    done = int(diffs["resolved"].sum())
    open_ = diffs[~diffs["resolved"].astype(bool)]
    needed = open_["replications_needed"].dropna()
    words = f"{done} of {len(diffs)} headline differences resolved with {have} replications"
    if len(needed):
        words += (f"; the others need from {int(needed.min()):,} to {int(needed.max()):,} "
                  f"(median {int(needed.median()):,}) at the observed spread")
    unresolvable = len(open_) - len(needed)
    if unresolvable:
        words += f"; {unresolvable} show no difference to resolve"
    return "  " + words


def format_comparison(comparison: Comparison) -> str:
    """Headline figures side by side, then each proposed plan's differences with 95% intervals."""
    table = comparison.runs_table().groupby("plan", sort=False)[list(HEADLINES)].mean().T
    table.columns = [str(c) for c in table.columns]
    shown = table.apply(lambda row: row.map(lambda v: _shown(row.name, v)), axis=1)
    first = comparison.plans[0].scenario
    years = f"{first.horizon_years:g} year{'' if first.horizon_years == 1 else 's'}"
    heading = (f"HEADLINE FIGURES (mean over replications; $ totals over the whole run: {years} "
               f"of {first.force.size:,} rep positions)")
    lines = [heading, shown.to_string()]
    if any(p.scenario.force.normal_week is not None for p in comparison.plans):
        lines.append("\nEFFORT IN A DESIGNER'S UNITS (force.normal_week)")
        lines += [f"  {p.name:<20} {effort_words(p.scenario, float(table.loc['internal_process.effort_mean', p.name]))}"
                  for p in comparison.plans]
    diffs = comparison.differences()
    if len(diffs):
        lines.append(f"\nDIFFERENCES AGAINST THE CURRENT PLAN (paired by seed, 95% interval; resolved: the interval "
                     f"is clear of zero; else the replications that would separate the plans at the observed spread; "
                     f"this run has {len(comparison.seeds)})")
        rows = diffs[diffs["metric"].isin(HEADLINES)]
        for _, d in rows.iterrows():
            m = d["metric"]
            ci = "" if math.isnan(d["ci_low"]) else f"[{_shown(m, d['ci_low'], True)}, {_shown(m, d['ci_high'], True)}]"
            needed = None if math.isnan(d["replications_needed"]) else int(d["replications_needed"])
            words = separation_words(bool(d["resolved"]), needed, len(comparison.seeds))
            lines.append(f"  {d['plan']:<20} {m:<45} {_shown(m, d['difference'], True):>16}  {ci:<36} {words}")
        lines.append(resolution_summary(diffs[diffs["metric"].isin(HEADLINES)], len(comparison.seeds)))
    lines.append("\nCOST OF PAY: static what-if against simulated")
    for name, c in comparison.static_costs().items():
        static = "n/a" if math.isnan(c["static"]) else f"${c['static']:,.0f}"
        lines.append(f"  {name:<20} static {static:>16}   simulated ${c['simulated']:,.0f}")
    return "\n".join(lines)
