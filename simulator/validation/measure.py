"""One validation run: the scorecard, flattened, plus the few figures the findings are stated in
that the scorecard does not carry (sales per year by performer type, which compares quota periods
of different lengths; what high performers do past quota; how offenders cluster among peers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.analysis.metrics import complete_periods, flatten
from simulator.calendar import DAYS_PER_YEAR
from simulator.experiments.run import summarise
from simulator.scenario import Scenario
from simulator.sim.engine import Engine
from simulator.world.network import offender_clustering

EXTRAS = ("by_performer.<type>.sales_per_year", "by_performer.high.pushed_out_past_quota",
          "climate.offender_clustering", "misconduct.just_short_share")


def performer_extras(rep_periods: pd.DataFrame) -> dict[str, float]:
    """Sales a rep-year by performer type (all periods, so quota periods of any length compare), and
    high performers' deals pushed out in periods ended at 110% of quota or more."""
    out: dict[str, float] = {}
    for name, g in rep_periods.groupby("performer_type", observed=True):
        days = float(g["days"].sum())
        out[f"by_performer.{name}.sales_per_year"] = float(g["sales"].sum()) / days * DAYS_PER_YEAR if days else np.nan
    high = complete_periods(rep_periods)
    high = high[(high["performer_type"] == "high") & (high["attainment"] >= 1.1)]
    out["by_performer.high.pushed_out_past_quota"] = float(high["pushed_out"].mean()) if len(high) else np.nan
    return out


def misconduct_extras(engine: Engine, acts: pd.DataFrame, seed: int) -> dict[str, float]:
    """How offenders of the run's second half cluster among colleagues (1: as random placement), and
    the share of acts decided at 70-100% of the goal."""
    if acts.empty:
        return {"climate.offender_clustering": np.nan, "misconduct.just_short_share": np.nan}
    offenders = np.zeros(engine.reps.n, dtype=bool)
    offenders[np.unique(acts.loc[acts["day"] >= engine.n_days // 2, "slot"])] = True
    standing = acts["attainment_when_decided"]
    return {
        "climate.offender_clustering": float(offender_clustering(*engine.world.network_csr, offenders,
                                                                 np.random.default_rng(seed))),
        "misconduct.just_short_share": float(((standing >= 0.7) & (standing < 1.0)).mean()),
    }


def measure(scenario: Scenario, seed: int) -> dict[str, float]:
    """Run the scenario with this seed; every figure the facts' checks and tables use."""
    engine = Engine(scenario, seed=seed).run()
    daily, rep_periods = engine.recorder.tables()
    acts = engine.act_ledger.table(engine.world.products.names)
    card = summarise(engine, daily, rep_periods, acts)
    card.pop("provenance")
    return flatten(card) | performer_extras(rep_periods) | misconduct_extras(engine, acts, seed)
