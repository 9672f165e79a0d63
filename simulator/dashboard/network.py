"""The branch network: reps as dots in their branches, coloured by what they are doing, so a room
can watch misconduct spread through a branch or die out.

Positions are fixed per model (branches on a grid, each branch's reps on a small circle), so dots
never jump between frames; the whole picture is one scatter and one LineCollection, cheap at 500
reps.
"""

from __future__ import annotations

import math

import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization.utils import update_counter

from simulator.dashboard.charts import FigureView, render_png
from simulator.dashboard.model import STATES, DashboardModel, PlanView

STATE_COLOURS = {  # Okabe-Ito, legible to colour-blind viewers
    "honest": "#56B4E9", "gaming": "#F0E442", "misconduct": "#D55E00", "caught": "#000000",
    "fired": "#CC79A7", "quit": "#FFFFFF", "vacant": "#DDDDDD",
}
STATE_WORDS = {
    "honest": "honest", "gaming": "moving deals in time", "misconduct": "cheating lately", "caught": "caught lately",
    "fired": "let go (vacant)", "quit": "quit (vacant)", "vacant": "vacant",
}


def branch_layout(branch: np.ndarray) -> np.ndarray:
    """(x, y) of every position: branches on a grid, a branch's positions on a circle around its
    centre. Depends only on the branch of each position, so it is the same every frame."""
    n_branches = int(branch.max()) + 1
    cols = math.ceil(math.sqrt(n_branches * 1.4))
    xy = np.zeros((len(branch), 2))
    for b in range(n_branches):
        members = np.flatnonzero(branch == b)
        centre = np.array([b % cols, -(b // cols)], dtype=float) * 3.0
        angles = 2 * np.pi * np.arange(len(members)) / max(len(members), 1)
        radius = 0.4 + 0.08 * len(members) if len(members) > 1 else 0.0
        xy[members] = centre + radius * np.c_[np.cos(angles), np.sin(angles)]
    return xy


def edges(plan: PlanView, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segments of ties inside branches and between them."""
    indptr, indices = plan.model.engine.world.network_csr
    owner = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    keep = owner < indices
    a, b = owner[keep], indices[keep]
    segments = np.stack([xy[a], xy[b]], axis=1)
    same = plan.model.engine.world.branch[a] == plan.model.engine.world.branch[b]
    return segments[same], segments[~same]


def draw_network(plans: list[PlanView]) -> Figure:
    """One panel per plan: ties in grey, reps coloured by state, counts in the legend."""
    fig = Figure(figsize=(6.5 * len(plans), 6.0))
    axes = fig.subplots(1, len(plans), squeeze=False)[0]
    for ax, plan in zip(axes, plans):
        xy, (inside, across) = fixed_geometry(plan)
        ax.add_collection(LineCollection(inside, colors="#999999", linewidths=0.4, alpha=0.5))
        ax.add_collection(LineCollection(across, colors="#999999", linewidths=0.4, alpha=0.25))
        states = plan.states()
        colours = [STATE_COLOURS[s] for s in states]
        ax.scatter(xy[:, 0], xy[:, 1], s=float(np.clip(6000.0 / len(xy), 12.0, 80.0)), c=colours, edgecolors="#555555",
                   linewidths=0.4, zorder=3)
        counts = {s: int((states == s).sum()) for s in STATES}
        handles = [Line2D([], [], ls="", marker="o", markersize=11, markerfacecolor=STATE_COLOURS[s],
                          markeredgecolor="#555555", label=f"{STATE_WORDS[s]}: {counts[s]}")
                   for s in STATES if counts[s] or s in ("honest", "misconduct", "caught")]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False,
                  fontsize=18)
        ax.set_title(f"{plan.name}: day {plan.day}", color=plan.colour, fontsize=20)
        ax.set_aspect("equal")
        ax.autoscale_view()
        ax.set_axis_off()
    fig.tight_layout()
    return fig


def fixed_geometry(plan: PlanView) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """A plan's positions and tie segments, computed once and kept with the plan."""
    if "layout" not in plan.drawing:
        xy = branch_layout(plan.model.engine.world.branch)
        plan.drawing["layout"] = xy, edges(plan, xy)
    return plan.drawing["layout"]


@solara.component
def Network(model: DashboardModel) -> None:
    """The branch network of every plan on the dashboard."""
    update_counter.get()

    png = solara.use_memo(lambda: render_png(lambda: draw_network(model.plans), room_type=False), [model, model.day])
    with solara.Column(style="height:100%;overflow:hidden"):
        FigureView(png, "", "Branch network: reps coloured by state")


Network.wide = lambda model: len(model.plans) > 1  # two plans side by side take a whole row
