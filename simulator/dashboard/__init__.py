"""The trainer's dashboard: a live Mesa and Solara app of one plan, or two side by side.

    salesim dashboard wells_fargo            # serves http://127.0.0.1:8765

In Jupyter:

    from simulator.dashboard import page
    page

`DashboardModel` (the Mesa model the page drives) and the lever mapping (`levers`) import
without solara; `page` and `Page` import it when first asked for.
"""

from __future__ import annotations

from typing import Any

from simulator.dashboard.levers import LEVERS, lever_overrides, plan_scenario
from simulator.dashboard.model import DashboardModel

__all__ = ["LEVERS", "DashboardModel", "Page", "lever_overrides", "page", "plan_scenario"]


def __getattr__(name: str) -> Any:
    if name in ("page", "Page"):
        from simulator.dashboard import app

        return getattr(app, name)
    raise AttributeError(f"module 'simulator.dashboard' has no attribute {name!r}")
