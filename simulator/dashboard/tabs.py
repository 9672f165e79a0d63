"""Named tabs of panels for a room: "What is happening", "Pay and people", not "Page 0".

Only the tab on screen is drawn (charts are the slow part of a redraw). Panels sit in a grid of
fixed-height cells, two abreast on a 1600 px screen, one on a narrow one; a chart drawn wide takes
a whole row, so its type stays large enough to read from the back of a room.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from simulator.dashboard.model import DashboardModel

CSS = """
.salesim-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:12px;padding:8px}
.salesim-cell{height:600px;overflow:auto;background:white;border:1px solid #ddd;border-radius:4px;padding:4px}
.salesim-cell.salesim-wide{grid-column:1/-1;height:auto;max-height:760px}
.v-tab{font-size:18px !important;text-transform:none !important}
.v-input__slider .v-input__slot{flex-wrap:wrap}
.v-input__slider .v-input__slot>.v-label{flex:1 0 100%;white-space:normal;margin-bottom:2px}
"""


def cell_classes(panel: Callable, model: DashboardModel) -> list[str]:
    """A panel's grid cell; a wide one (a chart drawn 11 inches wide, the network of two plans)
    takes a whole row, so its type is drawn at its size and not shrunk to half (13 px, not 20)."""
    wide = getattr(panel, "wide", False)
    return ["salesim-cell", "salesim-wide"] if (wide(model) if callable(wide) else wide) else ["salesim-cell"]


@solara.component
def Tabs(tabs: dict[str, list[Callable]], model: DashboardModel) -> None:
    """One tab per title, each a grid of its panels drawn from `model`."""
    current, set_current = solara.use_state(0)
    solara.Style(CSS)
    with solara.v.Tabs(v_model=current, on_v_model=set_current):
        for title in tabs:
            solara.v.Tab(children=[title])
    with solara.v.Window(v_model=current):
        for i, panels in enumerate(tabs.values()):
            with solara.v.WindowItem():
                if i == current:
                    with solara.Div(classes=["salesim-grid"]):
                        for panel in panels:
                            with solara.Div(classes=cell_classes(panel, model)):
                                panel(model)
