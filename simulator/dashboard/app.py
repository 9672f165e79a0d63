"""The trainer's dashboard page: the room's controls and levers around `DashboardModel`, with
the pictures on named tabs.

Served by `salesim dashboard [SCENARIO]` (solara run on this file), or shown in Jupyter with
`from simulator.dashboard import page; page`. Picking a scenario builds its model and sets every
lever to that file's values (the force to at most `ROOM_FORCE` reps, so a quarter plays in a room's
patience); an untouched lever never changes a plan. Reset reruns the chosen plan with the levers as
set, from the same seed.
"""

from __future__ import annotations

import os
from typing import Any

import solara

from simulator.dashboard import charts
from simulator.dashboard.catalog import ENV_PRESENTER, ENV_SCENARIO, FIRST, catalog, resolve
from simulator.dashboard.controls import Controls, Inputs
from simulator.dashboard.levers import model_params
from simulator.dashboard.model import AS_IN_FILE, NO_COMPARISON, DashboardModel
from simulator.dashboard.network import Network
from simulator.dashboard.panels import Risks, Status
from simulator.dashboard.presenter import Presenter
from simulator.dashboard.tabs import Tabs
from simulator.scenario import load_scenario

# reps the page opens with at most. Stepping is cheap (a quarter of 400 reps: under a second once
# compiled); drawing is what a room waits for, about the same at 100 reps or 400, and a quarter
# plays in about 16 s on two busy cores. Larger files open at this size; the lever goes higher.
ROOM_FORCE = 400

TABS = {
    "What is happening": [Status, Network, Risks, charts.Bookings, charts.Misconduct, charts.Trust],
    "Pay and people": [charts.Attainment, charts.Pay, charts.Effort, charts.ProductMix, charts.Headcount],
}

chosen = solara.reactive(os.environ.get(ENV_SCENARIO) or FIRST[0])
presenting = solara.reactive(os.environ.get(ENV_PRESENTER) == "1")  # `salesim dashboard --presenter`
PRESENTER = "Presenter view"
TRAINER = "Trainer view"


def choices() -> list[str]:
    """The picker's list: the catalog, and the scenario given on the command line if it is not in it."""
    names = list(catalog())
    return names if chosen.value in names else [chosen.value, *names]


def setup_params(name: str) -> dict[str, dict[str, Any]]:
    """The run's setup inputs: the comparison, the seed and the force size (at most `ROOM_FORCE`)."""
    scenario = load_scenario(resolve(name)[1])
    force = model_params(scenario)["force_size"]
    return {
        "compare_with": {"type": "Select", "label": "Side by side with", "value": NO_COMPARISON,
                         "values": [NO_COMPARISON, AS_IN_FILE, *catalog()]},
        "force_size": {**force, "value": min(force["value"], ROOM_FORCE)},
        "seed": {"type": "SliderInt", "label": "Seed (which run of chance)", "value": scenario.seed,
                 "min": 0, "max": 50, "step": 1},
    }


def lever_params(name: str) -> dict[str, dict[str, Any]]:
    """The plan's levers at the file's values."""
    params = model_params(load_scenario(resolve(name)[1]))
    params.pop("force_size")
    return params


@solara.component
def Room(name: str) -> None:
    """One scenario's page: its setup, levers and controls in the sidebar, its pictures in tabs;
    or, in the presenter's view, the controls alone beside the story's numbers."""
    setup = solara.use_memo(lambda: setup_params(name), [name])
    levers = solara.use_memo(lambda: lever_params(name), [name])
    values = solara.use_reactive({k: v["value"] for k, v in {**setup, **levers}.items()})

    def build() -> DashboardModel:
        return DashboardModel(scenario_file=name, show_refusals=True, **values.value)

    model = solara.use_reactive(solara.use_memo(build, [name]))
    hidden = {"display": "none"} if presenting.value else {}
    with solara.AppBar():
        solara.AppBarTitle(f"salesim: {name}")
        solara.Button(TRAINER if presenting.value else PRESENTER, text=True, classes=["salesim-mode"],
                      on_click=lambda: presenting.set(not presenting.value))
    with solara.Sidebar():
        # the presenter's view hides the scenario and levers but keeps every card mounted: the
        # controls hold the play loop, which must not restart when the view changes
        with solara.Div(style=hidden), solara.Card("Scenario"):
            solara.Select("Scenario", value=chosen, values=choices())
            solara.Markdown(model.value.plans[0].scenario.description or "")
            Inputs(setup, values)
        with solara.Card("Run"):
            Controls(model, build)
        with solara.Div(style=hidden), solara.Card("Levers"):
            solara.Markdown("Move levers, then press **Reset**: the run restarts from the same seed.")
            Inputs(levers, values)
    if presenting.value:
        Presenter(model.value)
    else:
        Tabs(TABS, model.value)


@solara.component
def Page() -> None:
    Room(chosen.value).key(chosen.value)


page = Page()
