"""Functions of a sweep's results table (a row per run, `simulator.experiments.store.load_results`):
which parameters vary, and each run's figure behind every named risk."""

from __future__ import annotations

import pandas as pd

from simulator.analysis.risk import RISKS

PARAMETER_PREFIXES = ("lever.", "uncertainty.", "setting.")


def parameter_columns(runs: pd.DataFrame) -> list[str]:
    """The sweep's parameter columns that take more than one value, levers first."""
    columns = [c for p in PARAMETER_PREFIXES for c in runs.columns if c.startswith(p)]
    return [c for c in columns if runs[c].nunique(dropna=False) > 1]


def risk_values(runs: pd.DataFrame) -> pd.DataFrame:
    """Each run's figure behind every named risk, in columns `risk.<name>`."""
    metric_columns = [c for c in runs.columns if "." in c and not c.startswith(PARAMETER_PREFIXES)]
    rows = runs[metric_columns].to_dict("records")
    return pd.DataFrame({f"risk.{name}": [risk.measure(r) for r in rows] for name, risk in RISKS.items()},
                        index=runs.index)
