"""The levers a trainer moves on the dashboard, each mapped to the scenario's dotted paths.

A lever reads its value from a scenario (so the slider starts where the file is) and turns a new
value into dotted overrides, which go through the same validation as `salesim run --set`
(`simulator.scenario.load_scenario`). A lever left where the file put it adds no override, so an
untouched dashboard runs exactly the file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.calendar import DAYS_PER_YEAR, PERIOD_DAYS
from simulator.scenario import Quota, Scenario, ScenarioError, load_scenario

NO_CAP = "none"
CAPS = (NO_CAP, "1.0", "1.2", "1.5", "2.0", "3.0")


def _bonus(s: Scenario) -> float:
    """The bonus at goal, $ a period, however the file states it."""
    p = s.plan
    if p.bonus_share_of_target is not None:
        return p.bonus_share_of_target * p.target_incentive / (DAYS_PER_YEAR / PERIOD_DAYS[s.quota.period])
    return p.bonus


def _accelerator(s: Scenario) -> float:
    """The rate above quota as a multiple of the rate below it (1: no accelerator)."""
    p = s.plan
    above = [t.rate for t in p.tiers if t.at >= 1.0]
    return above[0] / p.commission_rate if above and p.commission_rate > 0 else 1.0


def _ratchet(s: Scenario) -> float:
    """Share of the gap between sales and quota that moves the next quota (0: no ratchet)."""
    return s.quota.ratchet_up if s.quota.policy == "ratchet" else 0.0


def _ratchet_overrides(s: Scenario, value: float) -> dict[str, Any]:
    if value <= 0:
        return {"quota.policy": "fixed" if s.quota.policy == "ratchet" else s.quota.policy}
    return {"quota.policy": "ratchet", "quota.ratchet_up": value, "quota.ratchet_down": value, **_no_amount(s)}


def _period_overrides(s: Scenario, period: str) -> dict[str, Any]:
    """A new quota period with the bonus cut to keep the yearly bonus, as the sweeps over quota
    frequency do (experiments/quota_frequency.yaml); a bonus set as a share of target incentive
    follows the period by itself."""
    out: dict[str, Any] = {"quota.period": period}
    if s.plan.bonus_share_of_target is None and s.plan.bonus > 0:
        out["plan.bonus"] = s.plan.bonus * PERIOD_DAYS[period] / PERIOD_DAYS[s.quota.period]
    return out


def _no_amount(s: Scenario) -> dict[str, Any]:
    """A $ quota overrides difficulty and policies; a lever that sets those drops it."""
    return {"quota.amount": None} if s.quota.amount is not None else {}


@dataclass(frozen=True)
class Lever:
    """One control: its label, how to read it from a scenario and which overrides a value makes."""

    name: str
    label: str
    kind: str  # a Mesa model_params input type: SliderFloat, SliderInt, Select or Checkbox
    read: Callable[[Scenario], Any]
    overrides: Callable[[Scenario, Any], dict[str, Any]]
    limits: Callable[[Scenario], dict[str, Any]]
    words: Callable[[Any], str] = str  # the value in the room's units, for the control's label

    def says(self, value: Any) -> str:
        """The control's label with its value in words ("Audits: 0.07% of reps a day"): a trainer
        reads the lever's setting off the screen, not off a dotted path."""
        if self.kind == "Checkbox":
            return f"{self.label}: {'yes' if value else 'no'}"
        return f"{self.label}: {self.words(value)}"

    def param(self, scenario: Scenario) -> dict[str, Any]:
        """The Mesa `model_params` entry, starting at the scenario's own value. A slider's range
        and step are widened so the file's value lies on it: the browser snaps a value off the
        step grid, which would move an untouched lever."""
        value = self.read(scenario)
        limits = self.limits(scenario)
        if self.kind.startswith("Slider"):
            limits["min"], limits["max"] = min(limits["min"], value), max(limits["max"], value)
            limits["step"] = _fitting_step(value, limits["min"], limits["step"])
        return {"type": self.kind, "label": self.label, "value": value, **limits}

    def moved(self, scenario: Scenario, value: Any) -> bool:
        """Whether `value` differs from what the scenario says (a touched lever)."""
        current = self.read(scenario)
        if value is None:
            return False
        if isinstance(current, float) or isinstance(value, float):
            return not math.isclose(float(value), float(current), rel_tol=1e-9, abs_tol=1e-12)
        return value != current


def _fitting_step(value: float, low: float, step: float) -> float | int:
    """The largest of step, step/10, step/100, ... that puts `value` on the grid low + k step
    (an integer step stays an integer: integer values are on any integer grid from an integer low)."""
    if isinstance(step, int):
        return step if (value - low) % step == 0 else 1
    for _ in range(6):
        k = round((value - low) / step)
        if math.isclose(low + k * step, value, rel_tol=1e-9, abs_tol=1e-12):
            return step
        step /= 10
    return step


def _path(path: str) -> Callable[[Scenario, Any], dict[str, Any]]:
    return lambda s, v: {path: v}


def _get(path: str) -> Callable[[Scenario], Any]:
    def read(s: Scenario) -> Any:
        node: Any = s
        for key in path.split("."):
            node = getattr(node, key)
        return node
    return read


def _up_to(read: Callable[[Scenario], float], factor: float, floor: float, step: float):
    """Slider limits from 0 to `factor` times the file's value (at least `floor`), so a lever
    suits both a $15 daily bonus and a $16,000 yearly one."""
    def limits(s: Scenario) -> dict[str, Any]:
        top = max(floor, factor * read(s))
        return {"min": type(step)(0), "max": type(step)(math.ceil(top / step) * step), "step": step}
    return limits


def _pct(value: float) -> str:
    """A share as a percentage with as many digits as it needs (0.0007 -> "0.07%")."""
    return f"{value * 100:.3g}%"


def _times(value: float) -> str:
    return "none (nothing is paid above quota)" if value == 0 else (
        "the same rate as below quota" if value == 1 else f"{value:g} times the rate below quota")


LEVERS: dict[str, Lever] = {lever.name: lever for lever in (
    Lever("force_size", "Sales force", "SliderInt", _get("force.size"), _path("force.size"),
          lambda s: {"min": 10, "max": max(1000, s.force.size), "step": 10}, lambda v: f"{v:,} reps"),
    Lever("quota_period", "Quota period (the yearly bonus stays the same)", "Select", _get("quota.period"),
          _period_overrides, lambda s: {"values": list(Quota.model_fields["period"].annotation.__args__)}),
    Lever("quota_difficulty", "Quota", "SliderFloat", _get("quota.difficulty"),
          lambda s, v: {"quota.difficulty": v, **_no_amount(s)},
          lambda s: {"min": 0.5, "max": 2.0, "step": 0.05}, lambda v: f"{v * 100:.0f}% of what a rep can expect to sell"),
    Lever("ratchet", "Ratchet", "SliderFloat", _ratchet, _ratchet_overrides,
          lambda s: {"min": 0.0, "max": 1.0, "step": 0.05},
          lambda v: "off (quotas stay put)" if v <= 0 else f"next quota moves {v * 100:.0f}% of the way to sales"),
    Lever("base_salary", "Base salary", "SliderFloat", _get("plan.base_salary"),
          _path("plan.base_salary"), _up_to(_get("plan.base_salary"), 2.0, 100.0, 100.0), lambda v: f"${v:,.0f} a year"),
    Lever("bonus", "Bonus for reaching quota", "SliderFloat", _bonus,
          lambda s, v: {"plan.bonus": v, "plan.bonus_share_of_target": None},
          _up_to(_bonus, 3.0, 10.0, 1.0), lambda v: f"${v:,.0f} a quota period"),
    Lever("accelerator", "Commission above quota", "SliderFloat", _accelerator,
          lambda s, v: {"plan.tiers": [] if v == 1.0 else [{"at": 1.0, "rate": v * s.plan.commission_rate}]},
          lambda s: {"min": 0.0, "max": 4.0, "step": 0.25}, _times),
    Lever("cap", "Pay capped at (times quota)", "Select",
          lambda s: NO_CAP if s.plan.cap is None else f"{s.plan.cap:.1f}",
          lambda s, v: {"plan.cap": None if v == NO_CAP else float(v)},
          lambda s: {"values": sorted({*CAPS, NO_CAP if s.plan.cap is None else f"{s.plan.cap:.1f}"},
                                      key=lambda c: -1.0 if c == NO_CAP else float(c))}),
    Lever("check_ins", "Manager check-ins on reps behind quota", "Select", _get("management.pressure.check_ins"),
          _path("management.pressure.check_ins"), lambda s: {"values": ["none", "period", "weekly", "daily"]}),
    Lever("pressure", "Pressure", "SliderFloat", _get("management.pressure.cost"),
          _path("management.pressure.cost"), _up_to(_get("management.pressure.cost"), 2.0, 300.0, 10.0),
          lambda v: f"being behind at a check-in costs a rep ${v:,.0f}"),
    Lever("audit_rate", "Audits", "SliderFloat", _get("management.detection.audit_rate"),
          _path("management.detection.audit_rate"), lambda s: {"min": 0.0, "max": 0.02, "step": 0.0005},
          lambda v: f"{_pct(v)} of reps a day"),
    Lever("warnings", "Warnings before firing", "SliderInt",
          _get("management.sanctions.warnings_before_firing"), _path("management.sanctions.warnings_before_firing"),
          lambda s: {"min": 0, "max": 5, "step": 1}, lambda v: "none, fired when first caught" if v == 0 else f"{v}"),
    Lever("clawback_acts", "Take back pay for fake sales found", "Checkbox", _get("management.sanctions.clawback"),
          _path("management.sanctions.clawback"), lambda s: {}),
    Lever("peer_influence", "Peer influence", "SliderFloat", _get("behaviour.ethics.peer_influence"),
          _path("behaviour.ethics.peer_influence"), lambda s: {"min": 0.0, "max": 1.0, "step": 0.05},
          lambda v: f"{v * 100:.0f}% (how far reps copy their colleagues' conduct)"),
)}


def lever_overrides(scenario: Scenario, values: Mapping[str, Any]) -> dict[str, Any]:
    """The dotted overrides that the moved levers in `values` make to `scenario`."""
    unknown = sorted(set(values) - set(LEVERS))
    if unknown:
        raise ScenarioError("dashboard levers", [f"unknown lever {name!r}; levers are {sorted(LEVERS)}" for name in unknown])
    out: dict[str, Any] = {}
    for name, lever in LEVERS.items():  # in this order, so a moved bonus lever overrides the period's bonus
        if name in values and lever.moved(scenario, values[name]):
            out.update(lever.overrides(scenario, values[name]))
    return out


def plan_scenario(path: str | Path, values: Mapping[str, Any] | None = None) -> tuple[Scenario, dict[str, Any]]:
    """The scenario file with the moved levers applied, validated like `salesim run --set`, and
    the overrides that were applied. A bad value raises ScenarioError naming the field."""
    base = load_scenario(path)
    overrides = lever_overrides(base, values or {})
    return (load_scenario(path, overrides) if overrides else base), overrides


def model_params(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """Mesa `model_params` entries for every lever, starting at the scenario's values."""
    return {name: lever.param(scenario) for name, lever in LEVERS.items()}
