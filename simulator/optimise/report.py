"""The optimise report: the front of the search (the objective against cost, coloured by the worst
constrained risk, every other trial behind it) and each front plan's payout curve beside the current
plan's, drawn by the payout-curve code every other report uses."""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import pandas as pd

from simulator.experiments.files import atomic_write, package_version
from simulator.report.page import PALETTE, STYLE, embed_figure, fmt, write_page
from simulator.report.payout import fig_payout

if TYPE_CHECKING:
    from simulator.optimise.problem import Evaluated, Problem

RISK_COLOURS = {"low": "#009E73", "elevated": "#E69F00", "high": "#D55E00"}
MAX_CURVES = 8  # front plans whose payout curves the page draws


def fig_front(problem: Problem, table: pd.DataFrame, front: pd.DataFrame, current: Evaluated) -> tuple[plt.Figure, str]:
    """The objective against pay cost: every trial (grey; crosses broke a constraint), the front
    coloured by its worst constrained risk and numbered, the current plan as a black star."""
    from simulator.optimise.problem import COST, METRICS, OBJECTIVES

    objective = problem.objective
    fig, ax = plt.subplots(figsize=(10, 6.5))
    done = table[table["error"] == ""] if "error" in table else table
    if len(done):
        ok, bad = done[done["feasible"].astype(bool)], done[~done["feasible"].astype(bool)]
        ax.scatter(ok["cost"] / 1e3, ok[objective] / 1e3, s=25, color="#999999", alpha=0.6, label="trial meeting the constraints")
        ax.scatter(bad["cost"] / 1e3, bad[objective] / 1e3, s=30, color="#999999", marker="x", alpha=0.7,
                   label="trial breaking a constraint")
    for level, colour in RISK_COLOURS.items():
        part = front[front["worst_risk"] == level] if len(front) else front
        if len(part):
            ax.scatter(part["cost"] / 1e3, part[objective] / 1e3, s=110, color=colour, edgecolor="black",
                       zorder=3, label=f"front plan, worst constrained risk {level}")
    for _, row in front.iterrows():
        ax.annotate(row["plan"].replace("plan-", ""), (row["cost"] / 1e3, row[objective] / 1e3),
                    textcoords="offset points", xytext=(7, 5), fontsize=11)
    ax.scatter([current.figures[COST] / 1e3], [current.figures[OBJECTIVES[objective]] / 1e3], marker="*", s=320,
               color="black", zorder=4, label="current plan")
    for c in problem.constraints:  # a bound on cost or on the objective, drawn where it falls
        if c.metric in ("cost", objective):
            bound = c.number if c.number is not None else c.factor * current.figures[METRICS[c.metric]]
            line = ax.axvline if c.metric == "cost" else ax.axhline
            line(bound / 1e3, color="#555555", ls="--", lw=1, label=f"bound: {c.text}")
    hidden = _zoom(ax, table, front, current, objective)
    ax.set(xlabel="cost of pay, $ thousand (mean over replications)",
           ylabel=f"{objective.replace('_', ' ')}, $ thousand (mean over replications)",
           title=f"The search's front: {objective.replace('_', ' ')} against cost")
    ax.legend(loc="best", fontsize=10, frameon=False)
    fig.tight_layout()
    caption = (f"Each point is a plan the search tried, run on the same {len(problem.seeds)} seeds as the current "
               f"plan (black star). Numbered points are the Pareto front among plans meeting every constraint "
               f"({', '.join(c.text for c in problem.constraints) or 'none'}): no other such plan has more "
               f"{objective.replace('_', ' ')}, less cost and less risk at once. Colours: the worst level of "
               f"{', '.join(problem.risk_names)}."
               + (f" {hidden} trial{'s' * (hidden > 1)} breaking a constraint lie off the chart (trials.csv lists them)."
                  if hidden else ""))
    return fig, caption


def _zoom(ax, table: pd.DataFrame, front: pd.DataFrame, current: Evaluated, objective: str) -> int:
    """Frame the plans that matter, so a few far-off plans do not squeeze the rest into a corner: the
    current plan, the front, the trials meeting the constraints and every other trial but the outliers
    (beyond 3 interquartile ranges on cost or the objective). Returns how many trials are left out."""
    from simulator.optimise.problem import COST, OBJECTIVES

    done = table[table["error"] == ""] if "error" in table else table
    if not len(done):
        return 0
    near = pd.Series(True, index=done.index)
    for column in ("cost", objective):
        q1, q3 = done[column].quantile([0.25, 0.75])
        near &= done[column].between(q1 - 3 * (q3 - q1), q3 + 3 * (q3 - q1))
    keep = done[near | done["feasible"].astype(bool)]
    xs = [current.figures[COST], *keep["cost"], *front.get("cost", [])]
    ys = [current.figures[OBJECTIVES[objective]], *keep[objective], *front.get(objective, [])]
    (x0, x1), (y0, y1) = (min(xs), max(xs)), (min(ys), max(ys))
    pad_x, pad_y = max(0.08 * (x1 - x0), 0.02 * abs(x1) or 1.0), max(0.08 * (y1 - y0), 0.02 * abs(y1) or 1.0)
    x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y
    outside = int((~(done["cost"].between(x0, x1) & done[objective].between(y0, y1))).sum())
    if outside:
        ax.set_xlim(x0 / 1e3, x1 / 1e3)
        ax.set_ylim(y0 / 1e3, y1 / 1e3)
    return outside


def _cell(column: str, value, levers: set[str]) -> str:
    """A figure as the page shows it: trial numbers whole, lever values to 4 significant digits, the rest by `fmt`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or isinstance(value, float) and math.isnan(value):
        return html.escape(str(value))
    if column == "trial":
        return str(int(value))
    return f"{value:.4g}" if column in levers else fmt(value)


def _table(front: pd.DataFrame, columns: list[str], levers: set[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = ["<tr><th class='row'>" + html.escape(str(r[columns[0]])) + "</th>"
            + "".join(f"<td>{_cell(c, r[c], levers)}</td>" for c in columns[1:]) + "</tr>" for _, r in front.iterrows()]
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def write_report(out: Path, problem: Problem, table: pd.DataFrame, front: pd.DataFrame, current: Evaluated) -> Path:
    """OUT/report.html, with its figures also under OUT/figures/."""
    figures = out / "figures"
    figures.mkdir(exist_ok=True)
    body = []
    with plt.rc_context(STYLE):
        fig, caption = fig_front(problem, table, front, current)
        body.append(embed_figure("front", fig, caption, figures))
        if len(front):
            columns = ["plan", "trial", *[lv.path for lv in problem.levers], problem.objective, "cost", "worst_risk",
                       f"{problem.objective}_vs_current", "ci_low", "ci_high", "resolved"]
            body += ["<h2>The front</h2>", _table(front, columns, {lv.path for lv in problem.levers}),
                     "<h2>Payout curves of the front's plans</h2>"]
            for _, row in front.head(MAX_CURVES).iterrows():
                params = {lv.path: row[lv.path] for lv in problem.levers}
                plans = [("current", PALETTE[6], problem.scenario), (row["plan"], PALETTE[0], problem.candidate(params))]
                fig, caption = fig_payout(plans)
                body.append(embed_figure(f"payout-{row['plan']}", fig, f"{row['plan']} beside the current plan. {caption}",
                                         figures))
        else:
            body.append("<p class='warning'>No plan the search tried met every constraint.</p>")
    note = html.escape(f"{len(table)} plans tried for {problem.scenario.name}, levers "
                       f"{', '.join(lv.path for lv in problem.levers)}; objective {problem.objective}; "
                       f"{len(problem.seeds)} replications a plan on common seeds.")
    provenance = {"scenario": str(problem.source), "settings": problem.settings, "seeds": problem.seeds,
                  "levers": [lv.describe() for lv in problem.levers],
                  "constraints": [c.text for c in problem.constraints], "sampler": problem.sampler,
                  "package_version": package_version()}
    page = out / "report.html"
    atomic_write(page, lambda p: write_page(Path(p), "Plan search", note, "\n".join(body), provenance))
    return page
