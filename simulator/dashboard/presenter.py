"""The presenter's view, for a projector: the handful of numbers that tell the story, large enough
to read from the back of a room, with the branch network and one chart, and the levers out of the way.

`salesim dashboard --presenter` opens on it; the app bar's button switches between it and the
trainer's view. Every number is the run so far (`PlanView.so_far`), as on the trainer's view.
Numbers carry CSS classes (`salesim-big-day`, `salesim-big-fake`, ...) so tests can find them.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import solara
from mesa.visualization.utils import update_counter

from simulator.calendar import DAYS_PER_MONTH
from simulator.dashboard import charts, tabs
from simulator.dashboard.model import DashboardModel, PlanView
from simulator.dashboard.network import Network
from simulator.report import plans as report

CSS = """
.salesim-presenter{padding:8px}
.salesim-story{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:12px}
.salesim-presenter h2.salesim-when{font-size:44px;margin:0 0 8px 0;line-height:1.2}
.salesim-story h2{flex:1 0 100%;font-size:32px;margin:0;line-height:1.2}
.salesim-big{flex:1 1 200px;background:white;border:1px solid #ddd;border-radius:6px;padding:8px 12px;
  border-top:8px solid var(--plan)}
.salesim-big .value{font-size:60px;font-weight:700;line-height:1.1;white-space:nowrap}
.salesim-big .words{font-size:24px;line-height:1.2;color:#333}
.salesim-presenter-row{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:12px}
.salesim-presenter-row .salesim-cell:not(.salesim-wide){height:560px}
"""


@dataclass(frozen=True)
class Big:
    """One number of the story: its key (the CSS class `salesim-big-KEY`), the number as shown
    and a few words saying what it counts."""

    key: str
    value: str
    words: str


def _money(value: float) -> str:
    """Dollars as a room reads them at a glance: $22.7M, $845K, $950."""
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.1f}M"
    if abs(value) >= 1e4:
        return f"${value / 1e3:,.0f}K"
    return f"${value:,.0f}"


def story(plan: PlanView) -> list[Big]:
    """The run so far in the numbers that tell it: fake or needless sales, share of reps who
    cheated, reps caught and let go, customers' trust, and sales against quota."""
    run = plan.so_far()
    d, acts, periods = run.daily, run.acts, run.rep_periods
    fake = int(d["fabrications"].sum() + d["mis_sales"].sum()) if len(d) else 0
    found = int(d["detections"].sum()) if len(d) else 0
    employed = plan.scenario.force.size + (int(d["hires"].sum()) if len(d) else 0)
    cheated = acts["rep_id"].nunique() / employed if len(acts) else 0.0
    caught = acts.loc[acts["detected"], "rep_id"].nunique() if len(acts) else 0
    fired = int(d["fired"].sum()) if len(d) else 0
    trust = float(d["trust"].iloc[-1]) if len(d) else 1.0
    settled = periods[periods["complete"]] if len(periods) else periods
    quota = float(settled["quota"].sum()) if len(settled) else 0.0
    of_quota = f"{100 * settled['sales'].sum() / quota:.0f}%" if quota > 0 else "–"
    sold = "of quota sold" if quota > 0 else "of quota (when a period closes)"
    booked = float(d["bookings"].sum()) if len(d) else 0.0
    return [
        Big("fake", f"{fake:,}", f"fake or needless sales ({found:,} found)"),
        Big("cheated", f"{100 * cheated:.0f}%", "of reps cheated"),
        Big("caught", f"{caught:,}", f"reps caught; {fired:,} let go"),
        Big("trust", f"{math.floor(1000 * trust) / 10:.3g}%", "customer trust"),
        Big("quota", of_quota, f"{sold}; {_money(booked)} booked"),
    ]


def story_html(model: DashboardModel) -> str:
    """The day and every plan's story numbers, one row of cards per plan in the plan's colour."""
    first = model.plans[0]
    head = (f"<h2 class='salesim-when'>Day <span class='salesim-big-day'>{model.day}</span> of {first.model.engine.n_days} "
            f"<small>(month {model.day // DAYS_PER_MONTH + 1})</small></h2>")
    rows = []
    for plan in model.plans:
        name = (f"<h2 style='color:{plan.colour}'>{html.escape(plan.name)}</h2>"
                if len(model.plans) > 1 else "")
        cards = "".join(f"<div class='salesim-big salesim-big-{b.key}' style='--plan:{plan.colour}'>"
                        f"<div class='value'>{html.escape(b.value)}</div><div class='words'>{html.escape(b.words)}</div></div>"
                        for b in story(plan))
        rows.append(f"<div class='salesim-story'>{name}{cards}</div>")
    return f"<div class='salesim-panel'>{head}{''.join(rows)}</div>"


def fig_fake_sales(plans: list[report.PlanData]):
    """Fake or needless sales so far, day by day, and the ones found: the story's count as a line,
    from the first day (the report's misconduct chart waits for a month to close)."""
    fig, ax = plt.subplots(figsize=(7.0, 5.2))  # the width of half a 1600 px screen: type at its size
    for plan in plans:
        d = plan.daily
        ax.plot(d["day"], (d["fabrications"] + d["mis_sales"]).cumsum(), color=plan.colour, label=f"{plan.name}: all")
        ax.plot(d["day"], d["detections"].cumsum(), color=plan.colour, ls=":", label=f"{plan.name}: found")
    ax.set(title="Fake or needless sales so far (dotted: found)", xlabel="business day", ylabel="sales")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    return fig


FakeSales = charts.make_chart(fig_fake_sales, "Fake or needless sales so far", charts.has_days, charts.STEP_FIRST,
                              wide=False)


@solara.component
def Presenter(model: DashboardModel) -> None:
    """The story's numbers across the top, the network and the fake-sales chart below."""
    update_counter.get()
    solara.Style(tabs.CSS + CSS)
    with solara.Div(classes=["salesim-presenter"]):
        solara.HTML(tag="div", unsafe_innerHTML=story_html(model))
        with solara.Div(classes=["salesim-presenter-row"]):
            for panel in (Network, FakeSales):
                with solara.Div(classes=tabs.cell_classes(panel, model)):
                    panel(model)
