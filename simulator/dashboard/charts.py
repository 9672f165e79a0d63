"""Live charts: the report's own figures (`simulator.report.plans`), drawn from the run so far.

Each plan on the dashboard becomes the report's `PlanData` (same tables, same colours), so a chart
on the screen and the one in `salesim report` are the same picture at a different day. Figures are
drawn at most once per business day and model (memoised), and only for the tab on screen.
"""

from __future__ import annotations

import base64
import io
import textwrap
import threading
from collections.abc import Callable
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import solara
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from mesa.visualization.utils import update_counter

from simulator.calendar import DAYS_PER_MONTH
from simulator.dashboard.model import DashboardModel, PlanView
from simulator.report import plans as report

_DRAWING = threading.Lock()  # pyplot's figure registry is shared by the server's threads
SCREEN_DPI = 80  # a chart fills half a screen: sharp enough, and half the drawing time of print resolution

# the report's type sizes are for a page read at arm's length; on a projector a chart fills half
# the screen and its type must stay legible from the back of the room (18-20 px at 1600 px wide)
ROOM_STYLE = {"font.size": 20, "axes.titlesize": 20, "axes.labelsize": 19, "legend.fontsize": 17,
              "xtick.labelsize": 17, "ytick.labelsize": 17, "lines.linewidth": 2.5}

Maker = Callable[[list[report.PlanData]], object]
Data = list[report.PlanData]


def plan_data(plan: PlanView) -> report.PlanData:
    """The report's view of one plan, from the run so far."""
    run = plan.so_far()
    return report.PlanData(
        name=plan.name, colour=plan.colour, period_days=plan.model.engine.world.period_len, daily=run.daily,
        rep_periods=run.rep_periods, acts=run.acts, summaries=[run.summary] if run.summary else [],
        thresholds=plan.scenario.risk_thresholds(),
    )


def render_png(draw: Callable[[], object], finish: Callable[[Figure], None] | None = None,
               room_type: bool = True) -> bytes | None:
    """Draw a figure in the report's style, with a room's type sizes unless `room_type` is off,
    and return it as PNG (None when there is nothing yet); `finish` amends the figure before it
    is saved."""
    style = {**report.STYLE, **(ROOM_STYLE if room_type else {}), "savefig.dpi": SCREEN_DPI}
    with _DRAWING, plt.rc_context(style):
        made = draw()
        if made is None:
            return None
        fig = made[0] if isinstance(made, tuple) else made
        if room_type:
            legible(fig)
        if finish is not None:
            finish(fig)
        fig.tight_layout()
        return screen_png(fig)


def screen_png(fig: Figure) -> bytes:
    """The figure as PNG, laid out already (`tight_layout`): the report's tight bounding box
    would draw every figure twice, a quarter of a redraw's time."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


# the report's axis words that a room would stumble on, in plain words (the report, read at a desk, keeps them)
ROOM_WORDS = {
    "share of rep-periods, %": "share of quota periods, %",
    "attainment (sales / quota, 3 = 3 or more)": "sales against quota (1 = at quota, 3 = 300% or more)",
    "Pay per rep-year by component (bar outline: plan colour)": "Pay per rep a year, by part (outline: plan colour)",
    "$ thousand a rep-year": "$ thousand per rep a year",
    "mean effort": "average effort",
    "Misconduct each month": "Fake or needless sales each month",
    "mean over territories": "average over territories",
    "acts (fake or needless sales)": "fake or needless sales",
    "attainment when deciding (1 = at the goal, 1.5 = 1.5 or more)": "sales against goal (1 = at goal)",
    "share of acts, %": "share of them, %",
    "Customers' trust in the firm (1 = untouched)": "Customers' trust in the firm (100% = untouched)",
    "bookings vs average day": "against an average day",
}


def plain_words(fig: Figure) -> None:
    """Titles and axis labels in a room's words (`ROOM_WORDS`); a legend's "acts" are all the fake or
    needless sales the title counts."""
    for ax in fig.axes:
        for get, put in ((ax.get_title, ax.set_title), (ax.get_xlabel, ax.set_xlabel), (ax.get_ylabel, ax.set_ylabel)):
            if get() in ROOM_WORDS:
                put(ROOM_WORDS[get()])
    for legend in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]:
        for text in legend.get_texts():
            if text.get_text().endswith(": acts"):
                text.set_text(text.get_text().removesuffix(": acts") + ": all")


def legible(fig: Figure) -> None:
    """Legends at least the room's size, plain words, and one x label under a row of panels that
    all repeat it (at a room's type size, repeated labels run into each other)."""
    plain_words(fig)
    for legend in fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]:
        for text in legend.get_texts():
            text.set_fontsize(max(text.get_fontsize(), ROOM_STYLE["legend.fontsize"]))
    labels = {ax.get_xlabel() for ax in fig.axes}
    rows = {round(ax.get_position().y0, 3) for ax in fig.axes}
    if len(fig.axes) > 1 and len(labels) == 1 and len(rows) == 1 and "" not in labels:
        for ax in fig.axes:
            ax.set_xlabel("")
        fig.supxlabel(labels.pop(), fontsize=ROOM_STYLE["axes.labelsize"])


def say_on(ax: Axes, sentence: str) -> None:
    """A sentence in the middle of an axes that has nothing to draw, saying why."""
    ax.text(0.5, 0.5, sentence, transform=ax.transAxes, ha="center", va="center", fontsize=18, wrap=True,
            color="#444444", bbox={"facecolor": "white", "edgecolor": "#cccccc", "boxstyle": "round"})


def bookings_shape_note(data: Data) -> Callable[[Figure], None]:
    """Under daily goals every day is a whole quota period: the period-shape panel stays empty,
    and says so."""
    def finish(fig: Figure) -> None:
        if all(p.period_days < 5 for p in data):
            say_on(fig.axes[1], "Daily goals: each day is a whole quota period,\nso there is no shape within a period.")
    return finish


TRUST_SPAN = 0.1  # the least range the trust axis shows: a dip of 0.02% is a flat line, not a crash


def trust_axis(data: Data) -> Callable[[Figure], None]:
    """Trust runs from 1 (untouched) down; the axis spans at least `TRUST_SPAN` below 1 so a tiny
    dip is not stretched over the whole height."""
    def finish(fig: Figure) -> None:
        ax = fig.axes[0]
        low = min((float(np.nanmin(line.get_ydata())) for line in ax.get_lines() if len(line.get_ydata())),
                  default=1.0)
        ax.set_ylim(min(low - 0.01, 1.0 - TRUST_SPAN), 1.0 + TRUST_SPAN / 20)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))  # 99%, not 0.99
    return finish


def pay_room(data: Data) -> Callable[[Figure], None]:
    """Room above the tallest bar for the legend, which at a room's type size would cover it, and
    bar names on lines of their own words (two plans' names run into each other)."""
    def finish(fig: Figure) -> None:
        ax = fig.axes[0]
        ax.set_ylim(top=ax.get_ylim()[1] * 1.25)
        names = [textwrap.fill(t.get_text().replace("_", " "), 14) for t in ax.get_xticklabels()]
        ax.set_xticks(ax.get_xticks(), names)
    return finish


def whole_months(data: report.PlanData) -> report.PlanData:
    """The plan's days up to the last complete month: a figure summed by month would otherwise
    end in a month still under way and show it as a fall."""
    done = len(data.daily) // DAYS_PER_MONTH
    return replace(data, daily=data.daily[data.daily["month"] < done])


def has_days(data: list[report.PlanData]) -> bool:
    return all(len(p.daily) for p in data)


def _has_periods(data: list[report.PlanData]) -> bool:
    return all("performer_type" in p.rep_periods for p in data)


def _has_acts(data: list[report.PlanData]) -> bool:
    return any(len(p.acts) for p in data) and has_days(data)


@solara.component
def FigureView(png: bytes | None, waiting: str, alt: str) -> None:
    """A PNG that fits its grid cell, or a note saying what the chart is waiting for."""
    if png is None:
        solara.Info(waiting)
        return
    src = "data:image/png;base64," + base64.b64encode(png).decode()
    solara.HTML(tag="img", attributes={"src": src, "alt": alt, "class": "salesim-chart",
                                       "style": "max-width:100%;max-height:100%;object-fit:contain;"})


def make_chart(maker: Maker, title: str, ready: Callable[[Data], bool], waiting: str | Callable[[Data], str],
               monthly: bool = False, finish: Callable[[Data], Callable[[Figure], None]] | None = None,
               wide: bool = True) -> Callable:
    """A component drawing one report figure for every plan on the dashboard (`monthly`: a figure
    summed by month, drawn from complete months); until it is `ready`, the `waiting` sentence
    (or the sentence it gives for the data) says why the chart is not there yet. `wide`: the
    figure is drawn wide (the report's are 11 inches) and takes a whole row of the grid."""

    @solara.component
    def Chart(model: DashboardModel) -> None:
        update_counter.get()  # redrawn when the controls step the model

        def draw() -> tuple[bytes | None, str]:
            data = [plan_data(p) for p in model.plans]
            data = [whole_months(d) for d in data] if monthly else data
            if not ready(data):
                return None, waiting(data) if callable(waiting) else waiting
            return render_png(lambda: maker(data), finish(data) if finish else None), ""

        png, why = solara.use_memo(draw, [model, model.day])
        with solara.Column(style="height:100%;overflow:hidden"):
            FigureView(png, why, title)

    Chart.__name__ = title.replace(" ", "")
    Chart.wide = wide
    return Chart


STEP_FIRST = "Step the model to start this chart."
FIRST_PERIOD = "Appears when the first quota period has been settled."

def misconduct_waits(data: Data) -> str:
    """Why the misconduct chart is empty: no month has closed yet, or none had an act."""
    if not has_days(data):
        return (f"Misconduct is counted by whole months: this chart starts when the first month closes "
                f"(business day {DAYS_PER_MONTH}). The table counts fake or needless sales as they happen.")
    return "No fake or needless sale in a complete month so far."


Bookings = make_chart(report.fig_bookings, "Daily bookings", has_days, STEP_FIRST, finish=bookings_shape_note)
Attainment = make_chart(report.fig_attainment, "Sales against quota, by type of rep", _has_periods, FIRST_PERIOD)
Pay = make_chart(report.fig_pay, "Pay by part", _has_periods, FIRST_PERIOD, finish=pay_room)
Effort = make_chart(report.fig_effort, "Effort", has_days, STEP_FIRST)
ProductMix = make_chart(report.fig_product_mix, "Product mix", has_days, STEP_FIRST)
Misconduct = make_chart(report.fig_misconduct, "Fake or needless sales and the ones found", _has_acts, misconduct_waits, monthly=True)
Trust = make_chart(report.fig_trust, "Customer trust", has_days, STEP_FIRST, finish=trust_axis)
Headcount = make_chart(report.fig_headcount, "Headcount and leavers", has_days, STEP_FIRST)
