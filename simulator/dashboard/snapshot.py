"""The run so far as a `RunResult`: the same tables and scorecard `simulator.experiments.run.run` gives at
the end, cut at today, so the dashboard's figures and risk verdicts are the report's own."""

from __future__ import annotations

from simulator.experiments.run import RunResult, summarise
from simulator.sim.model import SalesForceModel


def snapshot(model: SalesForceModel) -> RunResult:
    """Daily rows up to the last business day stepped, every settled rep-period, every act so far,
    and the scorecard of those (an empty summary before the first day)."""
    engine = model.engine
    daily, rep_periods = engine.recorder.tables()
    daily = daily.iloc[:engine.day].copy()
    acts = engine.act_ledger.table(engine.world.products.names)
    summary = summarise(engine, daily, rep_periods, acts) if engine.day else {}
    return RunResult(daily, rep_periods, summary, acts)
