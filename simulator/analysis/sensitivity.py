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

from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulator.experiments.store import ResultsError, load_results, read_design, read_manifest

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


def sweep_indices(folder: str | Path, metrics: Sequence[str] = ()) -> pd.DataFrame:
    """Indices of each metric over a morris or sobol sweep's parameters, as one tidy table.

    A row per (metric, parameter): its role (lever or uncertainty), the indices, the replications
    per case and the metric's noise share.
    """
    folder = Path(folder)
    manifest = read_manifest(folder) or {}
    design_spec = manifest.get("experiment", {}).get("resolved", {}).get("design", {})
    kind = design_spec.get("kind")
    if kind not in ANALYSED:
        raise ResultsError(f"{folder}: sensitivity indices need a morris or sobol design (this sweep's is {kind}); "
                           f"set design.kind to morris (screening) or sobol in the experiment file")
    parameters = manifest["parameters"]
    design = read_design(folder)
    runs = load_results(folder)
    missing = len(design) - int((runs["status"] == "ok").sum())
    if missing:
        raise ResultsError(f"{folder}: {missing} runs are failed or not run; SALib's estimators need every case "
                           f"(run the sweep again to finish them)")
    metrics = list(metrics) or [m for m in DEFAULT_METRICS if m in runs]
    unknown = [m for m in metrics if m not in runs]
    if unknown:
        raise ResultsError(f"{folder}: no metric {', '.join(unknown)} in the results")
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
        table = indices(kind, unit, y, names, second_order=bool(design_spec.get("second_order")),
                        levels=int(design_spec.get("morris_levels", 4)))
        table.insert(0, "metric", metric)
        table.insert(2, "role", [roles[n] for n in names])
        table["replications"] = replications
        table["noise_share"] = noise_share(values, runs["case"])
        frames.append(table)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def fig_indices(table: pd.DataFrame):
    """One panel per metric: each parameter's index with its 95% interval, levers and uncertainties told apart."""
    if table.empty:
        return None
    morris = "mu_star" in table
    metrics = list(dict.fromkeys(table["metric"]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(5.2 * len(metrics), 0.5 * table["parameter"].nunique() + 2.4),
                             squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        rows = table[table["metric"] == metric].sort_values("mu_star" if morris else "ST")
        position = np.arange(len(rows))
        colours = ["#0072B2" if role == "lever" else "#999999" for role in rows["role"]]
        if morris:
            scale = rows["mu_star"].max() or 1.0
            ax.barh(position, rows["mu_star"] / scale, xerr=rows["mu_star_conf"] / scale, color=colours)
            ax.set_xlabel("mu* (share of the largest)")
        else:
            ax.barh(position + 0.2, rows["ST"], height=0.4, xerr=rows["ST_conf"], color=colours, label="total (ST)")
            ax.barh(position - 0.2, rows["S1"], height=0.4, xerr=rows["S1_conf"], color=colours, alpha=0.45,
                    label="first order (S1)")
            ax.set_xlabel("share of variance")
            ax.legend(frameon=False, fontsize=10, loc="lower right")
        ax.set_yticks(position, [p.split(".")[-1] if len(p) > 24 else p for p in rows["parameter"]])
        noise = rows["noise_share"].iloc[0]
        ax.set_title(f"{metric.split('.')[-1]}\nnoise share {noise:.0%}" if np.isfinite(noise) else metric.split(".")[-1],
                     fontsize=12)
    fig.tight_layout()
    what = "Morris mu* (mean absolute effect of moving a parameter across its range)" if morris else \
        "Sobol indices: total (dark) and first-order (light) shares of the figure's variance"
    return fig, (f"{what}, with 95% bootstrap intervals; blue: levers, grey: uncertainties. The noise share is the "
                 f"part of a single run's variance that is chance (within-case variance): when it is high, add replications.")


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
