"""One run: `run(scenario, seed)` gives the three tables, and `RunResult.write` saves them.

A run's identity is its resolved scenario and its seed; both travel with every file it writes
(provenance: the resolved scenario, its hash, the seed, the package version), so any figure can be
traced and rerun.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.analysis.metrics import business_model_figures, scorecard
from simulator.experiments.files import atomic_write, dump_json, json_safe, package_version
from simulator.scenario import Scenario
from simulator.sim.engine import Engine


@dataclass
class RunResult:
    """The tables of one run: a row per day, a row per rep and quota period, and the summary."""

    daily: pd.DataFrame
    rep_periods: pd.DataFrame
    summary: dict = field(default_factory=dict)
    acts: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per act of misconduct

    @property
    def provenance(self) -> dict:
        return self.summary.get("provenance", {})

    def write(self, out_dir: str | Path) -> Path:
        """Write daily.parquet, rep_periods.parquet (and acts.parquet when there was misconduct) and
        summary.json atomically into out_dir."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        meta = {b"salesim.provenance": json.dumps(self.provenance, sort_keys=True).encode()}
        tables = [("daily", self.daily), ("rep_periods", self.rep_periods)]
        if len(self.acts):
            tables.append(("acts", self.acts))
        for name, table in tables:
            arrow = pa.Table.from_pandas(table, preserve_index=False)
            arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), **meta})
            atomic_write(out / f"{name}.parquet", lambda path, t=arrow: pq.write_table(t, path))
        atomic_write(out / "summary.json", lambda path: Path(path).write_text(summary_json(self.summary)))
        return out


def summary_json(summary: dict) -> str:
    """The summary as valid JSON: a figure that cannot be measured in this run is null, and
    `unmeasured` says beside them why (JSON has no NaN)."""
    clean, found = json_safe(summary)
    if found:
        clean["unmeasured"] = found
    return dump_json(clean, indent=2)


def provenance(scenario: Scenario, seed: int) -> dict:
    return {
        "scenario_name": scenario.name,
        "scenario_hash": scenario.digest(),
        "seed": int(seed),
        "package_version": package_version(),
        "scenario": scenario.model_dump(mode="json"),
    }


def summarise(engine: Engine, daily: pd.DataFrame, rep_periods: pd.DataFrame, acts: pd.DataFrame) -> dict:
    sc = engine.scenario
    card = scorecard(daily, rep_periods, acts, period_days=engine.world.period_len, force_size=sc.force.size,
                     products=list(engine.world.products.names), business_model=sc.market.business_model,
                     reference_margin=engine.world.reference_margin(), goal_assigned=sc.quota.assigned)
    card["business_model"] = {"model": sc.market.business_model, **business_model_figures(
        daily, sc.market.business_model, bill_rate=sc.market.service.bill_rate,
        delivery_hours_per_day=sc.market.service.delivery_hours_per_day)}
    card["provenance"] = provenance(sc, engine.seed)
    return card


def run(scenario: Scenario, seed: int | None = None, *, progress: bool = False, summary: bool = True) -> RunResult:
    """Run a scenario to its horizon on the array engine and return its tables. With `summary` False
    the summary holds the run's provenance only: callers that read nothing but the tables (a
    calibration's moments) skip the scorecard, about a tenth of a 100-rep, 3-year run."""
    engine = Engine(scenario, seed=seed)
    days = range(engine.n_days)
    if progress:
        from tqdm import tqdm

        days = tqdm(days, desc=scenario.name, unit="day", leave=False)
    for _ in days:
        engine.step()
    daily, rep_periods = engine.recorder.tables()
    acts = engine.act_ledger.table(engine.world.products.names)
    card = (summarise(engine, daily, rep_periods, acts) if summary
            else {"provenance": provenance(engine.scenario, engine.seed)})  # as summarise gives it
    return RunResult(daily, rep_periods, card, acts)
