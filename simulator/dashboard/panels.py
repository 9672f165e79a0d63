"""Text panels: where the run stands (day, bookings, acts, leavers, the levers moved) and the risk
verdicts of the run so far in plain words (`simulator.risk`, as `salesim compare` reports them).

Numbers carry CSS classes (`salesim-day`, `salesim-bookings`, ...) so tests and screen readers can
find them.
"""

from __future__ import annotations

import html

import solara
from mesa.visualization.utils import update_counter

from simulator import report
from simulator.calendar import DAYS_PER_MONTH
from simulator.dashboard.charts import plan_data
from simulator.dashboard.model import DashboardModel, PlanView

CSS = """
.salesim-panel table{border-collapse:collapse;font-size:13px;margin:4px 0}
.salesim-panel td,.salesim-panel th{border:1px solid #ccc;padding:3px 6px;text-align:right}
.salesim-panel th.row{text-align:left;font-weight:normal}
.salesim-panel ul{margin:4px 0 4px 18px;padding:0;font-size:13px}
.salesim-panel h4{margin:6px 0 2px 0}
.salesim-swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px}
"""


def _plan_row(plan: PlanView) -> str:
    d = plan.so_far().daily
    acts = int(d["fabrications"].sum() + d["mis_sales"].sum()) if len(d) else 0
    found = int(d["detections"].sum()) if len(d) else 0
    headcount = int(d["headcount"].iloc[-1]) if len(d) else plan.scenario.force.size
    cells = (
        ("bookings", f"${d['bookings'].sum():,.0f}" if len(d) else "$0"),
        ("acts", f"{acts:,}"), ("detected", f"{found:,}"), ("headcount", f"{headcount:,}"),
        ("quits", f"{int(d['quits'].sum()) if len(d) else 0:,}"),
        ("fired", f"{int(d['fired'].sum()) if len(d) else 0:,}"),
    )
    swatch = f"<span class='salesim-swatch' style='background:{plan.colour}'></span>"
    tds = "".join(f"<td class='salesim-{key}'>{value}</td>" for key, value in cells)
    return f"<tr><th class='row'>{swatch}{html.escape(plan.name)}</th>{tds}</tr>"


def _levers_line(plan: PlanView) -> str:
    if not plan.overrides:
        return f"<li>{html.escape(plan.name)}: as in its file</li>"
    moved = ", ".join(f"<code>{html.escape(k)}={html.escape(str(v))}</code>" for k, v in plan.overrides.items())
    return f"<li class='salesim-overrides'>{html.escape(plan.name)}: {moved}</li>"


def status_html(model: DashboardModel) -> str:
    """Day counter, each plan's running totals and the levers moved, as HTML."""
    first = model.plans[0]
    n_days = first.model.engine.n_days
    head = "".join(f"<th>{h}</th>" for h in ("", "bookings", "fake or needless sales", "found", "reps in post",
                                            "quit", "let go"))
    rows = "".join(_plan_row(p) for p in model.plans)
    levers = "".join(_levers_line(p) for p in model.plans)
    return (f"<div class='salesim-panel'><h3 style='margin:0'>Business day <span class='salesim-day'>{model.day}</span>"
            f" of {n_days} <small>(month {model.day // DAYS_PER_MONTH + 1}; seed {model.seed})</small></h3>"
            f"<table><tr>{head}</tr>{rows}</table><b>Levers</b><ul>{levers}</ul></div>")


def risk_html(model: DashboardModel) -> str:
    """The risk verdicts of each plan's run so far, or what they wait for."""
    data = [plan_data(p) for p in model.plans]
    if not all(d.summaries for d in data) or not all("performer_type" in d.rep_periods for d in data):
        return "<div class='salesim-panel'><p>Risk verdicts appear when the first quota period has been settled.</p></div>"
    return (f"<div class='salesim-panel'><p style='font-size:13px;margin:0'>The run so far ({model.day} business days, "
            "one run, so no confidence interval). Hover over a cell for the figure in words.</p>"
            f"{report._verdict_table(data)}</div>")


@solara.component
def Status(model: DashboardModel) -> None:
    update_counter.get()
    solara.Style(CSS)
    solara.HTML(tag="div", unsafe_innerHTML=status_html(model), style="height:100%;overflow:auto")


@solara.component
def Risks(model: DashboardModel) -> None:
    update_counter.get()
    text = solara.use_memo(lambda: risk_html(model), [model, model.day])
    solara.Style(CSS)
    solara.HTML(tag="div", unsafe_innerHTML=text, style="height:100%;overflow:auto")
