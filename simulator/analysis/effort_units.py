"""Effort in a designer's units: "2.33x normal" read as "about 93 calls a week against 40 at normal".

The model's effort is a multiple of normal effort (1); a scenario's `force.normal_week` says what
normal is in calls, meetings or hours a week, so a designer can judge whether people can work that;
with `most` it says so when they cannot.
"""

from __future__ import annotations

from simulator.scenario import Scenario


def effort_words(scenario: Scenario, effort: float) -> str:
    """'2.33x normal effort (about 93 calls a week, against 40 at normal effort)', or just the multiple."""
    words = f"{effort:.2f}x normal effort"
    week = scenario.force.normal_week
    if week is None:
        return words
    beyond = (f"; more than the {week.most:,.4g} a week people can work" if week.most is not None
              and effort * week.per_week > week.most else "")
    return (f"{words} (about {effort * week.per_week:,.0f} {week.unit} a week, against {week.per_week:,.4g} "
            f"at normal effort{beyond})")
