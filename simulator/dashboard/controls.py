"""The room's controls: Reset, Play/Pause and Step a week, a line saying what is computing while
the model works, and the levers as inputs whose labels carry their value in the room's units.

Mesa's SolaraViz fixes its own engine settings (play and render intervals, threads) among the
levers, names tabs "Page 0", and shows nothing while a slow step runs; none of that can be
configured away, so the page is built from these controls instead. They step the same Mesa model
and redraw through Mesa's own signal (`mesa.visualization.utils.force_update`), so every panel
redraws as it does under SolaraViz.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import solara
import solara.lab
from mesa.visualization.utils import force_update, update_counter

from simulator.dashboard.levers import LEVERS
from simulator.dashboard.model import DashboardModel

WEEK = 5  # business days a Step press covers
PLAY_DAYS = 10  # business days between redraws while playing: drawing, not stepping, is what takes the time
PLAY = "▶ Play"
PAUSE = "❚❚ Pause"


def advance(model: DashboardModel, days: int, go_on: Callable[[], bool] = lambda: True) -> int:
    """Step up to `days` business days while the model runs and `go_on()` holds (checked before
    each day, so a pause stops within the day under way); returns the days stepped."""
    stepped = 0
    for _ in range(days):
        if not model.running or not go_on():
            break
        model.step()
        stepped += 1
    return stepped


@solara.component
def Controls(model: solara.Reactive[DashboardModel], rebuild: Callable[[], DashboardModel]) -> None:
    """Reset (rebuild the plan with the levers as set), Play/Pause, Step a week; while the model
    computes, a progress bar and a sentence say so, with how long the last week took to compute
    and draw."""
    update_counter.get()
    playing = solara.use_reactive(False)
    last_week = solara.use_reactive(0.0)
    # one thread steps the model at a time, and a play loop left over from before a pause (still
    # inside its day when Play is pressed again) stops instead of stepping beside the new one
    lock = solara.use_memo(threading.Lock, [])
    plays = solara.use_memo(lambda: [0], [])

    def week(go_on: Callable[[], bool] = lambda: True, days: int = WEEK) -> None:
        started = time.perf_counter()
        with lock:
            stepped = advance(model.value, days, go_on)
        force_update()  # the panels redraw in this thread: the time below is the room's wait
        if stepped:
            last_week.set((time.perf_counter() - started) * WEEK / stepped)

    def play() -> None:
        plays[0] += 1
        mine = plays[0]
        while playing.value and plays[0] == mine and model.value.running:
            week(lambda: playing.value and plays[0] == mine, PLAY_DAYS)
        if not model.value.running:
            playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)
    step = solara.lab.use_task(week, dependencies=None, prefer_threaded=True)

    def reset() -> None:
        playing.set(False)
        with lock:
            model.set(rebuild())
            last_week.set(0.0)
        force_update()

    rebuilding = solara.lab.use_task(reset, dependencies=None, prefer_threaded=True)
    busy = step.pending or rebuilding.pending
    done = not model.value.running
    with solara.Row(justify="space-between"):
        solara.Button("Reset", color="primary", on_click=lambda: rebuilding(), disabled=busy)
        solara.Button(PAUSE if playing.value else PLAY, color="primary", disabled=busy or done,
                      on_click=lambda: playing.set(not playing.value))
        solara.Button("Step", color="primary", on_click=lambda: step(), disabled=busy or playing.value or done)
    solara.ProgressLinear(busy or playing.value)
    took = f" The last week took {last_week.value:.1f} s." if last_week.value else ""
    if rebuilding.pending:
        note = "Building the plan with the levers as set…"
    elif step.pending:
        note = "Computing the next week…" + took
    elif playing.value:
        note = "Playing: computing two weeks at a time, then drawing them." + took
    elif done:
        note = "The run has reached its end. Reset to run it again."
    else:
        note = "Paused. Step moves one business week." + took
    solara.Text(note, classes=["salesim-computing" if busy or playing.value else "salesim-idle"])
    if rebuilding.error or step.error:
        solara.Error(str(rebuilding.exception or step.exception))


def control_label(name: str, spec: dict[str, Any], value: Any) -> str:
    """A slider's label with its value in words; a select or checkbox shows its value itself."""
    if name in LEVERS and spec["type"].startswith("Slider"):
        return LEVERS[name].says(value)
    if spec["type"].startswith("Slider"):
        return f"{spec['label']}: {value}"
    return spec["label"]


@solara.component
def Inputs(specs: dict[str, dict[str, Any]], values: solara.Reactive[dict[str, Any]]) -> None:
    """One input per Mesa-style `model_params` entry, bound to `values`, labelled with its value."""
    for name, spec in specs.items():
        def set_value(v: Any, name: str = name) -> None:
            values.set({**values.value, name: v})

        value = values.value.get(name, spec["value"])
        label = control_label(name, spec, value)
        kind = spec["type"]
        if kind in ("SliderFloat", "SliderInt"):
            slider = solara.SliderFloat if kind == "SliderFloat" else solara.SliderInt
            slider(label, value=value, on_value=set_value, min=spec["min"], max=spec["max"], step=spec["step"],
                   thumb_label=False)
        elif kind == "Select":
            solara.Select(label, value=value, on_value=set_value, values=spec["values"])
        elif kind == "Checkbox":
            solara.Checkbox(label=label, value=value, on_value=set_value)
        else:
            raise ValueError(f"{kind} is not an input the dashboard draws")
