"""Figures of what a sweep's analysis found: sensitivity indices and scenario discovery."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulator.analysis.discovery import Discovery


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


def fig_discovery(found: Discovery):
    """PRIM's peeling trajectory (coverage against density, the chosen box marked) and the feature scores."""
    if not found.trajectory:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(12.5, 4.6))
    peel = pd.DataFrame(found.trajectory)
    points = left.scatter(peel["coverage"], peel["density"], c=peel["restricted"], cmap="viridis", s=30)
    chosen = peel[peel["chosen"]]
    left.scatter(chosen["coverage"], chosen["density"], s=180, facecolors="none", edgecolors="#D55E00", lw=2,
                 label="chosen box")
    left.set(xlabel="coverage (share of risky cases inside)", ylabel="density (share of the box that is risky)",
             title="PRIM peeling trajectory", xlim=(0, 1.02), ylim=(0, 1.02))
    left.legend(frameon=False, loc="lower left")
    fig.colorbar(points, ax=left, label="parameters restricted", ticks=range(int(peel["restricted"].max()) + 1))
    ranked = sorted(found.scores.items(), key=lambda kv: kv[1])
    right.barh([k for k, _ in ranked], [v for _, v in ranked], color="#0072B2")
    right.set(xlabel="feature score", title="What drives it")
    fig.tight_layout()
    rules = "; ".join(f"box {k}: {b.rule} (coverage {b.coverage:.0%}, density {b.density:.0%})"
                      for k, b in enumerate(found.boxes, 1))
    return fig, f"Scenario discovery for {found.outcome} ({found.risky} of {found.cases} cases). {rules}"
