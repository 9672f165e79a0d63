"""Live charts: the report's own figures (`simulator.report.plans`), drawn from the run so far.

Each plan on the dashboard becomes the report's `PlanData` (same tables, same colours), so a chart
on the screen and the one in `salesim report` are the same picture at a different day. Figures are
drawn at most once per business day and model (memoised), and only for the tab on screen.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import replace
from typing import Callable

import matplotlib.pyplot as plt
import solara
from mesa.visualization.utils import update_counter

from simulator.calendar import DAYS_PER_MONTH
from simulator.dashboard.model import DashboardModel, PlanView
from simulator.report import plans as report
from simulator.report.page import png_bytes

_DRAWING = threading.Lock()  # pyplot's figure registry is shared by the server's threads
SCREEN_DPI = 80  # a chart fills half a screen: sharp enough, and half the drawing time of print resolution

Maker = Callable[[list[report.PlanData]], object]


def plan_data(plan: PlanView) -> report.PlanData:
    """The report's view of one plan, from the run so far."""
    run = plan.so_far()
    return report.PlanData(
        name=plan.name, colour=plan.colour, period_days=plan.model.engine.world.period_len, daily=run.daily,
        rep_periods=run.rep_periods, acts=run.acts, summaries=[run.summary] if run.summary else [],
        thresholds=plan.scenario.risk_thresholds(),
    )


def render_png(draw: Callable[[], object]) -> bytes | None:
    """Draw a figure in the report's style and return it as PNG (None when there is nothing yet)."""
    with _DRAWING, plt.rc_context({**report.STYLE, "savefig.dpi": SCREEN_DPI}):
        made = draw()
        if made is None:
            return None
        fig = made[0] if isinstance(made, tuple) else made
        return png_bytes(fig)


def whole_months(data: report.PlanData) -> report.PlanData:
    """The plan's days up to the last complete month: a figure summed by month would otherwise
    end in a month still under way and show it as a fall."""
    done = len(data.daily) // DAYS_PER_MONTH
    return replace(data, daily=data.daily[data.daily["month"] < done])


def _has_days(data: list[report.PlanData]) -> bool:
    return all(len(p.daily) for p in data)


def _has_periods(data: list[report.PlanData]) -> bool:
    return all("performer_type" in p.rep_periods for p in data)


def _has_acts(data: list[report.PlanData]) -> bool:
    return any(len(p.acts) for p in data) and _has_days(data)


@solara.component
def FigureView(png: bytes | None, waiting: str, alt: str) -> None:
    """A PNG that fits its grid cell, or a note saying what the chart is waiting for."""
    if png is None:
        solara.Info(waiting)
        return
    src = "data:image/png;base64," + base64.b64encode(png).decode()
    solara.HTML(tag="img", attributes={"src": src, "alt": alt, "class": "salesim-chart",
                                       "style": "max-width:100%;max-height:100%;object-fit:contain;"})


def make_chart(maker: Maker, title: str, ready: Callable[[list[report.PlanData]], bool], waiting: str,
               monthly: bool = False) -> Callable:
    """A SolaraViz component drawing one report figure for every plan on the dashboard (`monthly`:
    a figure summed by month, drawn from complete months)."""

    @solara.component
    def Chart(model: DashboardModel) -> None:
        update_counter.get()  # redrawn when SolaraViz steps the model

        def draw() -> bytes | None:
            data = [plan_data(p) for p in model.plans]
            data = [whole_months(d) for d in data] if monthly else data
            return render_png(lambda: maker(data)) if ready(data) else None

        png = solara.use_memo(draw, [model, model.day])
        with solara.Column(style="height:100%;overflow:hidden"):
            FigureView(png, waiting, title)

    Chart.__name__ = title.replace(" ", "")
    return Chart


STEP_FIRST = "Step the model to start this chart."
FIRST_PERIOD = "Appears when the first quota period has been settled."

Bookings = make_chart(report.fig_bookings, "Daily bookings", _has_days, STEP_FIRST)
Attainment = make_chart(report.fig_attainment, "Attainment by performer type", _has_periods, FIRST_PERIOD)
Pay = make_chart(report.fig_pay, "Pay by component", _has_periods, FIRST_PERIOD)
Effort = make_chart(report.fig_effort, "Effort", _has_days, STEP_FIRST)
ProductMix = make_chart(report.fig_product_mix, "Product mix", _has_days, STEP_FIRST)
Misconduct = make_chart(report.fig_misconduct, "Misconduct and detections", _has_acts,
                        "No fake or needless sale in a complete month so far.", monthly=True)
Trust = make_chart(report.fig_trust, "Customer trust", _has_days, STEP_FIRST)
Headcount = make_chart(report.fig_headcount, "Headcount and leavers", _has_days, STEP_FIRST)
