"""The payout curve: a period's variable pay against attainment, read off the engine's own pay code.

Every point comes from `simulator.pay.payout.PayCurve.pay` on the plan `compile_plan` builds, so the
picture a designer looks at is the plan the reps are paid by and cannot drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.analysis.normal_effort import compiled_plan, period_quota
from simulator.pay.payout import PayCurve
from simulator.scenario import Scenario

ATTAINMENT = np.linspace(0.0, 2.5, 501)  # 0 to 250% in steps of half a point


@dataclass(frozen=True)
class Mark:
    """A feature of the plan at an attainment: a threshold, a tier's start, the cap or a bonus."""

    kind: str  # "threshold", "tier", "cap" or "bonus"
    at: float  # attainment
    label: str


@dataclass(frozen=True)
class PayoutCurve:
    """Variable pay of one quota period against attainment, for one plan."""

    period: str
    quota: float  # $ a full period, for the average rep
    target: float  # target incentive a period, $ (the plan's, or its pay at 100% attainment)
    target_stated: bool  # whether `target` is the plan's stated target incentive
    attainment: np.ndarray
    pay: np.ndarray  # $ a period
    marks: tuple[Mark, ...]
    curve: PayCurve

    @property
    def share_of_target(self) -> np.ndarray:
        """Pay as a share of the target incentive (1 = target)."""
        return self.pay / self.target if self.target > 0 else np.full_like(self.pay, np.nan)

    def pay_at(self, attainment: float) -> float:
        """Pay at one attainment, from the plan's curve itself (not the grid)."""
        return float(self.curve.pay(np.array([attainment * self.quota]), np.array([self.quota]))[0])


def payout_curve(scenario: Scenario, attainment: np.ndarray = ATTAINMENT) -> PayoutCurve:
    """The scenario's payout curve on an attainment grid (variable pay only: base salary is apart)."""
    plan = compiled_plan(scenario)
    quota = period_quota(scenario)
    found = marks(scenario)
    steps = [m.at for m in found if m.kind in ("threshold", "bonus")]  # pay jumps there: draw the step upright
    attainment = np.unique(np.concatenate([np.asarray(attainment, dtype=float), np.array(steps) - 1e-9, steps]))
    attainment = attainment[attainment >= 0]
    pay = plan.curve.pay(attainment * quota, np.full_like(attainment, quota))
    spec = scenario.plan
    periods_per_year = 252 / _period_days(scenario)
    stated = spec.target_incentive is not None and spec.target_incentive > 0
    at_quota = float(plan.curve.pay(np.array([quota]), np.array([quota]))[0])
    target = spec.target_incentive * spec.variable_scale / periods_per_year if stated else at_quota
    return PayoutCurve(period=scenario.quota.period, quota=quota, target=target, target_stated=stated,
                       attainment=attainment, pay=pay, marks=found, curve=plan.curve)


def marks(scenario: Scenario) -> tuple[Mark, ...]:
    """Where the plan's threshold, tiers, cap and bonus sit, in attainment."""
    spec = scenario.plan
    plan = compiled_plan(scenario)
    found = []
    if spec.threshold > 0:
        found.append(Mark("threshold", spec.threshold, f"threshold {spec.threshold:.0%}"))
    for tier in spec.tiers:
        found.append(Mark("tier", tier.at, f"{tier.rate * spec.variable_scale:.1%} from {tier.at:.0%}"))
    if spec.cap is not None:
        found.append(Mark("cap", spec.cap, f"cap {spec.cap:.0%}"))
    bonus = float(plan.curve.lump[-1]) if len(plan.curve.lump) else 0.0
    if bonus > 0:
        found.append(Mark("bonus", spec.bonus_at, f"bonus ${bonus:,.0f} at {spec.bonus_at:.0%}"))
    return tuple(found)


def _period_days(scenario: Scenario) -> int:
    from simulator.calendar import PERIOD_DAYS

    return PERIOD_DAYS[scenario.quota.period]
