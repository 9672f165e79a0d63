"""Does the quota fit the world? Expected attainment, hit rate and pay mix at normal effort.

This is an analytic estimate, not a run, on purpose: it takes a fraction of a second and no seed,
so it can stand as a banner on every `salesim run` and `salesim compare`, and it reads the same
yardstick the model uses to set a `difficulty` quota (`simulator.analysis.normal_effort`). It says
what the products, leads, win rates, prices and abilities can produce at *normal* effort; how hard
reps then choose to work under the plan is what a run shows (`salesim check --simulate`).

Hit rate: each sampled rep's period sales are taken as Normal with the compound-Poisson variance of
its deals plus the month-to-month demand uncertainty. Pay mix: the expected variable pay is the
closed-form mean of the plan's own curve under that distribution (`simulator.pay.payout.pay_moments`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from simulator.analysis.normal_effort import normal_effort
from simulator.analysis.payout_curve import payout_curve
from simulator.pay.payout import pay_moments
from simulator.scenario import Scenario
from simulator.scenario.advice import segment_warnings

FIT_RANGE = (0.6, 1.6)  # expected attainment at normal effort outside this: the quota does not fit the world
MIX_GAP = 0.10  # expected fixed share this far from the design's: the plan will not pay the mix it states


@dataclass(frozen=True)
class QuotaFit:
    """The quota against what the force can sell at normal effort, and the pay mix that follows."""

    scenario: str
    period: str
    quota: float  # the average rep's quota for a full period, $ (units under count goals)
    sales: float  # what the average rep sells in a period at normal effort
    attainment: float  # mean of sales / quota over the force
    hit_rate: float  # expected share of rep-periods at or above quota
    by_segment: dict[str, tuple[float, float]]  # segment: (attainment, hit rate)
    fixed_share_design: float  # base / (base + target incentive)
    fixed_share_expected: float  # base / (base + expected variable pay at normal effort)
    warnings: tuple[str, ...]
    units: bool = False  # count goals: quota and sales in units, not dollars

    def amount(self, value: float) -> str:
        return f"{value:,.0f} units" if self.units else f"${value:,.0f}"

    def banner(self) -> str:
        """One line for the top of a run or a comparison."""
        return (f"check {self.scenario}: expected attainment {self.attainment:.0%} at normal effort "
                f"(quota {self.amount(self.quota)} a {self.period}, a rep sells about {self.amount(self.sales)}); "
                f"hit rate {self.hit_rate:.0%}; fixed share {self.fixed_share_expected:.0%} "
                f"(designed {self.fixed_share_design:.0%})")

    def describe(self) -> str:
        """The full check, for `salesim check`."""
        lines = [self.banner().replace("; ", "\n  ").replace(": expected", ":\n  expected", 1)]
        for name, (att, hit) in self.by_segment.items():
            lines.append(f"  segment {name}: attainment {att:.0%}, hit rate {hit:.0%}")
        lines += [f"WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)


def quota_fit(scenario: Scenario) -> QuotaFit:
    """The analytic check of a scenario (see the module's docstring for how and why)."""
    force = normal_effort(scenario)
    mean, sd, quota = force.mean_sales, force.sd_sales, force.quota
    attainment = mean / quota
    hit = 1.0 - ndtr((quota - mean) / sd)
    variable, _ = pay_moments(force.plan.curve, mean, sd, quota)
    base = scenario.plan.base_salary
    yearly_variable = float(np.mean(variable)) * force.periods_per_year
    target = payout_curve(scenario).target * force.periods_per_year
    design = base / (base + target) if base + target > 0 else float("nan")
    expected = base / (base + yearly_variable) if base + yearly_variable > 0 else float("nan")
    by_segment = {name: (float(np.mean(attainment[force.segment == k])), float(np.mean(hit[force.segment == k])))
                  for k, name in enumerate(force.segment_names) if np.any(force.segment == k)}
    fit = QuotaFit(scenario=scenario.name, period=scenario.quota.period, quota=float(np.mean(quota)),
                   sales=force.force_sales, attainment=float(np.mean(attainment)), hit_rate=float(np.mean(hit)),
                   by_segment=by_segment, fixed_share_design=design, fixed_share_expected=expected, warnings=(),
                   units=scenario.plan.credit_basis == "units")
    warnings = _fit_warnings(scenario, fit) + segment_warnings(scenario.force)
    return QuotaFit(**{**fit.__dict__, "warnings": tuple(warnings)})


def _fix(scenario: Scenario, fit: QuotaFit) -> str:
    """The quota setting that would bring expected attainment to 100%."""
    q = scenario.quota
    if q.amount is not None:
        per = q.amount * fit.sales / fit.quota  # in the period the amount is stated for
        return f"about {fit.amount(per)}{' a ' + q.amount_per.replace('_', '-') if q.amount_per else ''} gives 100%"
    return f"about {scenario.quota.difficulty * fit.attainment:.2f} gives 100%"


def _fit_warnings(scenario: Scenario, fit: QuotaFit) -> list[str]:
    low, high = FIT_RANGE
    out = []
    if not low <= fit.attainment <= high:
        side = "above" if fit.attainment > high else "below"
        products = ", ".join(f"products.{name}.leads_per_day" for name in scenario.products)
        quota_field = "quota.amount" if scenario.quota.amount is not None else "quota.difficulty"
        out.append(f"the quota does not fit the world: expected attainment {fit.attainment:.0%} at normal effort is "
                   f"{side} {low:.0%}-{high:.0%} (a rep sells about {fit.amount(fit.sales)} a {fit.period} against a "
                   f"quota of {fit.amount(fit.quota)}); change {quota_field} ({_fix(scenario, fit)}), or the market: "
                   f"{products}, or the products' win_rate and price, or force.segments.*.ability")
    if abs(round(fit.fixed_share_expected * 100) - round(fit.fixed_share_design * 100)) >= MIX_GAP * 100:  # as printed
        out.append(f"the plan will not pay the mix it states: fixed share {fit.fixed_share_expected:.0%} expected at "
                   f"normal effort against {fit.fixed_share_design:.0%} at 100% of quota; bring the quota to what "
                   f"reps sell, or change plan.base_salary, plan.commission_rate, plan.bonus")
    return out
