"""The trainer's dashboard page: Mesa's SolaraViz around `DashboardModel`.

Served by `salesim dashboard [SCENARIO]` (solara run on this file), or shown in Jupyter with
`from simulator.dashboard import page; page`. The scenario picker sits above SolaraViz: picking a
file builds its model and sets every lever to that file's values, so an untouched lever never
changes a plan. Reset reruns the chosen plan with the levers as set, from the same seed.
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import SolaraViz

from simulator.dashboard import charts
from simulator.dashboard.catalog import ENV_SCENARIO, FIRST, catalog, resolve
from simulator.dashboard.levers import model_params
from simulator.dashboard.model import AS_IN_FILE, NO_COMPARISON, DashboardModel
from simulator.dashboard.network import Network
from simulator.dashboard.panels import Risks, Status
from simulator.scenario import load_scenario

RENDER_EVERY = 5  # business days a step button press and a redraw cover: a week
PLAY_INTERVAL_MS = 100

# tab 0: what a room watches live; tab 1: the slower-moving pictures
COMPONENTS = [
    (Status, 0), (Network, 0), (charts.Bookings, 0), (Risks, 0), (charts.Misconduct, 0), (charts.Trust, 0),
    (charts.Attainment, 1), (charts.Pay, 1), (charts.Effort, 1), (charts.ProductMix, 1), (charts.Headcount, 1),
]

chosen = solara.reactive(os.environ.get(ENV_SCENARIO) or FIRST[0])


def choices() -> list[str]:
    """The picker's list: the catalog, and the scenario given on the command line if it is not in it."""
    names = list(catalog())
    return names if chosen.value in names else [chosen.value, *names]


def viz_params(name: str) -> dict:
    """SolaraViz `model_params` for a scenario: the file, the comparison, the seed and the levers
    at the file's values."""
    scenario = load_scenario(resolve(name)[1])
    return {
        "scenario_file": name,
        "show_refusals": True,  # a lever value the scenario refuses is shown on the page, not raised
        "compare_with": {"type": "Select", "label": "Side by side with", "value": NO_COMPARISON,
                         "values": [NO_COMPARISON, AS_IN_FILE, *catalog()]},
        "seed": {"type": "SliderInt", "label": "Seed", "value": scenario.seed, "min": 0, "max": 50, "step": 1},
        **model_params(scenario),
    }


@solara.component
def Page() -> None:
    name = chosen.value
    model = solara.use_memo(lambda: DashboardModel(scenario_file=name), [name])
    params = solara.use_memo(lambda: viz_params(name), [name])
    with solara.Sidebar(), solara.Card("Scenario"):
        solara.Select("Scenario", value=chosen, values=choices())
        solara.Markdown(model.plans[0].scenario.description or "")
        solara.Markdown("Move levers, then press **Reset**: the run restarts from the same seed.")
    SolaraViz(model, components=COMPONENTS, model_params=params, name=f"salesim: {name}",
              play_interval=PLAY_INTERVAL_MS, render_interval=RENDER_EVERY).key(name)


page = Page()
