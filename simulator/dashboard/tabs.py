"""Named tabs of panels for a room: "What is happening", "Pay and people", not "Page 0".

Only the tab on screen is drawn (charts are the slow part of a redraw). Panels sit in a grid of
fixed-height cells, two abreast on a 1600 px screen, one on a narrow one, large enough to read from
the back of a room.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from simulator.dashboard.model import DashboardModel

CSS = """
.salesim-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:12px;padding:8px}
.salesim-cell{height:600px;overflow:auto;background:white;border:1px solid #ddd;border-radius:4px;padding:4px}
.v-tab{font-size:18px !important;text-transform:none !important}
.v-input__slider .v-input__slot{flex-wrap:wrap}
.v-input__slider .v-input__slot>.v-label{flex:1 0 100%;white-space:normal;margin-bottom:2px}
"""


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
                            with solara.Div(classes=["salesim-cell"]):
                                panel(model)
