"""Text panels: where the run stands (day, bookings, acts, leavers, the levers moved) and the risk
verdicts of the run so far in plain words (`simulator.analysis.risk`, as `salesim compare` reports them).

Numbers carry CSS classes (`salesim-day`, `salesim-bookings`, ...) so tests and screen readers can
find them.
"""

from __future__ import annotations

import html
import math

import solara
from mesa.visualization.utils import update_counter

from simulator.analysis.risk import RISKS, Verdict, verdicts
from simulator.calendar import DAYS_PER_MONTH
from simulator.dashboard.levers import LEVERS
from simulator.dashboard.model import DashboardModel, PlanView
from simulator.report import plans as report

CSS = """
.salesim-panel{padding:0 6px}
.salesim-panel{font-size:16px}
.salesim-panel h3{font-size:24px}
.salesim-panel table{border-collapse:collapse;font-size:17px;margin:4px 0}
.salesim-panel td,.salesim-panel th{border:1px solid #ccc;padding:3px 6px;text-align:right}
.salesim-panel th.row{text-align:left;font-weight:normal;white-space:nowrap}
.salesim-panel ul{margin:4px 0 4px 18px;padding:0;font-size:16px}
.salesim-panel h4{margin:6px 0 2px 0}
.salesim-risks th.row{white-space:normal}
.salesim-risks td{text-align:left}
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
    """The levers moved from the file, in words; the scenario fields they set on hover."""
    if not plan.moved:
        return f"<li>{html.escape(plan.name)}: as in its file</li>"
    moved = "; ".join(html.escape(LEVERS[k].says(v))
                      for k, v in plan.moved.items())
    fields = ", ".join(f"{k}={v}" for k, v in plan.overrides.items())
    return f"<li class='salesim-overrides' title='{html.escape(fields)}'>{html.escape(plan.name)}: {moved}</li>"


def status_html(model: DashboardModel) -> str:
    """Day counter, each plan's running totals and the levers moved, as HTML."""
    first = model.plans[0]
    n_days = first.model.engine.n_days
    head = "".join(f"<th>{h}</th>" for h in ("", "bookings", "fake or needless sales", "found", "reps in post",
                                            "quit", "let go"))
    rows = "".join(_plan_row(p) for p in model.plans)
    levers = "".join(_levers_line(p) for p in model.plans)
    if model.refused:
        levers += f"<li class='salesim-refused' style='color:#b00020'>Levers refused, plan run as filed: {html.escape(model.refused)}</li>"
    return (f"<div class='salesim-panel'><h3 style='margin:0'>Business day <span class='salesim-day'>{model.day}</span>"
            f" of {n_days} <small>(month {model.day // DAYS_PER_MONTH + 1}; seed {model.seed})</small></h3>"
            f"<table><tr>{head}</tr>{rows}</table><b>Levers</b><ul>{levers}</ul></div>")


LEVEL_WORDS = {"low": "low", "elevated": "raised", "high": "high"}


def risk_cell(v: Verdict) -> str:
    """A verdict as a room reads it: the level in a word and the figure with its unit ("low: 27%
    more margin than a balanced mix"), never a raw decimal; the risk's sentence on hover."""
    if math.isnan(v.value):
        return f"<td style='background:#eeeeee' title='{html.escape(v.sentence)}'>not measurable yet</td>"
    return (f"<td style='background:{report.LEVEL_COLOURS[v.level]}' title='{html.escape(v.sentence)}'>"
            f"<b class='salesim-level'>{LEVEL_WORDS[v.level]}</b>: {html.escape(RISKS[v.risk].says(v.value))}</td>")


def risk_html(model: DashboardModel) -> str:
    """The risk verdicts of each plan's run so far (one row per risk, named as a room says it, one
    column per plan), and in words every risk above low, or what the verdicts wait for."""
    runs = [p.so_far() for p in model.plans]
    if not all(r.summary and len(r.rep_periods) for r in runs):
        return "<div class='salesim-panel'><p>Risks appear when the first quota period has been settled.</p></div>"
    found = [verdicts([r.summary], p.scenario.risk_thresholds()) for p, r in zip(model.plans, runs)]
    head = "".join(f"<th>{html.escape(p.name)}</th>" for p in model.plans)
    rows = "".join(f"<tr><th class='row salesim-risk' title='{html.escape(RISKS[first.risk].figure)}'>"
                   f"{html.escape(RISKS[first.risk].plain)}</th>"
                   + "".join(risk_cell(plan[k]) for plan in found) + "</tr>"
                   for k, first in enumerate(found[0]))
    words = "".join(f"<li><span style='color:{p.colour}'>{html.escape(p.name)}</span>: <b>{html.escape(RISKS[v.risk].plain)}"
                    f" ({LEVEL_WORDS[v.level]})</b>. {html.escape(v.sentence)}</li>"
                    for p, plan in zip(model.plans, found) for v in plan if v.level != "low")
    return (f"<div class='salesim-panel'><b>Risks so far</b> <small>({model.day} business days of one run; "
            f"hover for what is measured)</small><table class='salesim-risks'><tr><th></th>{head}</tr>{rows}</table>"
            f"<ul>{words or '<li>No risk above low so far.</li>'}</ul></div>")


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


Risks.wide = True  # a row per risk, in words: a whole row of the grid reads without wrapping