"""Sensitivity analysis of a sweep: which levers and uncertainties move a figure, with SALib.

Morris screening (Morris 1991; Campolongo, Cariboni and Saltelli 2007: mu*, the mean absolute
elementary effect, ranks factors cheaply) and Sobol indices (Sobol 2001; Saltelli et al. 2010:
first-order S1 and total ST shares of the output's variance, with bootstrap intervals) read the
sweep's design points in the unit cube, in the order SALib sampled them (`design.parquet`,
`unit.<name>`), so one unit of an index is a move across the parameter's whole range.

Replications: a simulated figure is noisy, and SALib's estimators assume a deterministic model.
Each case's figure is therefore the mean over its replications, and the **noise share** (the mean
within-case variance of single runs over their total variance) says how much of what a run shows is
chance: when it is high, indices from few replications are unreliable and more replications are
needed, whatever the indices say.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

ANALYSED = ("morris", "sobol")
DEFAULT_METRICS = ("financial.revenue", "financial.profit_after_comp_and_fines", "internal_process.misconduct_rate",
                   "learning_growth.turnover_rate")


def noise_share(values: pd.Series, case: pd.Series) -> float:
    """Mean within-case variance of single runs over their total variance (nan without replications)."""
    within = values.groupby(case).var(ddof=1).mean()
    total = values.var(ddof=1)
    if not np.isfinite(within):
        return float("nan")
    return float(min(within / total, 1.0)) if total > 0 else 0.0


def indices(kind: str, unit: np.ndarray, y: np.ndarray, names: Sequence[str], *, second_order: bool = False,
            levels: int = 4, seed: int = 0) -> pd.DataFrame:
    """SALib's indices of y over points in the unit cube, one row a factor.

    morris: mu_star, mu_star_conf, sigma, mu; sobol: S1, S1_conf, ST, ST_conf. `unit` and `y` must be
    in the order SALib sampled them; `seed` fixes the bootstrap, so the same sweep gives the same table.
    """
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    y = np.asarray(y, dtype=float)
    if kind == "morris":
        from SALib.analyze import morris

        found = morris.analyze(problem, np.asarray(unit, dtype=float), y, num_levels=levels, seed=seed)
        columns = ("mu_star", "mu_star_conf", "sigma", "mu")
    elif kind == "sobol":
        from SALib.analyze import sobol

        found = sobol.analyze(problem, y, calc_second_order=second_order, seed=seed)
        columns = ("S1", "S1_conf", "ST", "ST_conf")
    else:
        raise ValueError(f"sensitivity indices need a morris or sobol design, not {kind}")
    return pd.DataFrame({"parameter": list(names), **{c: np.asarray(found[c], dtype=float) for c in columns}})


def case_indices(kind: str, runs: pd.DataFrame, design: pd.DataFrame, parameters: Sequence[dict],
                 metrics: Sequence[str], *, second_order: bool = False, levels: int = 4) -> pd.DataFrame:
    """Indices of each metric over a morris or sobol sweep's parameters, as one tidy table.

    `runs`: a row per run with its `case` and the metrics; `design`: a row per run with `case` and
    each parameter's `unit.<name>` point; `parameters`: the sweep's parameters (`name`, `role`).
    A row per (metric, parameter): its role (lever or uncertainty), the indices, the replications
    per case and the metric's noise share. A metric some runs cannot measure has no rows.
    """
    unit = design.groupby("case")[[f"unit.{p['name']}" for p in parameters]].first().sort_index().to_numpy()
    names = [p["name"] for p in parameters]
    roles = {p["name"]: p["role"] for p in parameters}
    replications = int(design.groupby("case").size().iloc[0])
    frames = []
    for metric in metrics:
        values = runs[metric].astype(float)
        y = values.groupby(runs["case"]).mean().sort_index().to_numpy()
        if not np.isfinite(y).all():
            continue  # a figure some runs cannot measure (e.g. no periods long enough) has no indices
        table = indices(kind, unit, y, names, second_order=second_order, levels=levels)
        table.insert(0, "metric", metric)
        table.insert(2, "role", [roles[n] for n in names])
        table["replications"] = replications
        table["noise_share"] = noise_share(values, runs["case"])
        frames.append(table)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def format_indices(table: pd.DataFrame) -> str:
    """The indices as text, a block per metric, largest first."""
    if table.empty:
        return "no metric could be analysed"
    lines = []
    key = "mu_star" if "mu_star" in table else "ST"
    for metric, rows in table.groupby("metric", sort=False):
        noise = rows["noise_share"].iloc[0]
        lines.append(f"{metric}  ({rows['replications'].iloc[0]} replications a case, noise share "
                     f"{'n/a' if not np.isfinite(noise) else f'{noise:.0%}'})")
        shown = rows.drop(columns=["metric", "replications", "noise_share"]).sort_values(key, ascending=False)
        lines.append(shown.to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
        lines.append("")
    return "\n".join(lines)
