"""What a scenario's force sells at normal effort, from the scenario alone (no run).

The model sets a `difficulty` quota from exactly this yardstick: a rep's expected credited sales a
day at effort 1 and an even product mix are its ability x its territory's potential x the products'
leads x win rates x credited deal values (`simulator.world.build`). Reading the same numbers lets a
designer see, before any run, how a quota in dollars sits against what the products and leads can
produce. Ramp-up of new hires, seasonality and shocks are left out: this is the steady state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.calendar import DAYS_PER_MONTH, PERIOD_DAYS
from simulator.pay.payout import CompiledPlan, compile_plan
from simulator.pay.quota import initial_quotas
from simulator.scenario import Scenario
from simulator.world.force import ForceComposition
from simulator.world.market import build_products, focus_lattice, territory_potential

SAMPLE_REPS = 4000  # reps drawn to average over the force's abilities and territories
SAMPLE_SEED = 20_260  # a fixed draw: the same scenario always gives the same estimate


@dataclass(frozen=True)
class NormalEffort:
    """A sample of the force at normal effort over one full quota period."""

    period: str
    period_days: int
    periods_per_year: float
    mean_sales: np.ndarray  # each sampled rep's expected credited sales in a period, $
    sd_sales: np.ndarray  # ... and their standard deviation (deals arrive at random; demand moves)
    quota: np.ndarray  # each sampled rep's quota for a full period, $
    segment: np.ndarray  # each sampled rep's segment index
    segment_names: tuple[str, ...]
    force_sales: float  # the average rep's expected credited sales in a period, $
    plan: CompiledPlan


def reference_rate(scenario: Scenario) -> tuple[float, float]:
    """Credited $ a day of the reference rep at effort 1 and an even product mix, and the
    value-weighted mean credited deal (the variance of sales per $), as `build_world` computes them."""
    products = build_products(scenario)
    lattice = focus_lattice(products.k)
    g = (lattice**scenario.market.focus_returns)[int(np.argmin(np.abs(lattice - 1.0 / products.k).sum(axis=1)))]
    value = products.credited_deal
    deal = float(np.sum(g * products.leads * products.win * value**2) / max(np.sum(g * products.leads * products.win * value), 1e-9))
    return products.expected_value_per_effort(g), deal


def compiled_plan(scenario: Scenario) -> CompiledPlan:
    """The scenario's plan as the engine pays it (`simulator.pay.payout.compile_plan`)."""
    period_days = PERIOD_DAYS[scenario.quota.period]
    return compile_plan(scenario.plan, 252 / period_days, build_products(scenario).credit)


def normal_effort(scenario: Scenario, n: int = SAMPLE_REPS) -> NormalEffort:
    """Expected sales and quotas of `n` reps drawn like the scenario's force, at normal effort."""
    rng = np.random.default_rng(SAMPLE_SEED)
    per_day, deal = reference_rate(scenario)
    period_days = PERIOD_DAYS[scenario.quota.period]
    composition = ForceComposition(scenario.force)
    recruits = composition.initial(n, rng)
    ability = recruits.traits["ability"]
    potential = territory_potential(scenario.market.territory_spread, n, rng)
    mean_ability = composition.mean_trait("ability")
    quota = initial_quotas(scenario.quota, period_days, sales_per_day=ability * potential * per_day,
                           force_sales_per_day=mean_ability * per_day,
                           territory_sales_per_day=mean_ability * potential * per_day)
    mean = ability * potential * per_day * period_days
    months = max(period_days / DAYS_PER_MONTH, 1.0)  # a month's demand factor is drawn once a month
    demand_cv = scenario.market.demand_uncertainty / np.sqrt(months)
    sd = np.sqrt(mean * deal + (demand_cv * mean) ** 2)
    return NormalEffort(
        period=scenario.quota.period, period_days=period_days, periods_per_year=252 / period_days,
        mean_sales=mean, sd_sales=sd, quota=np.asarray(quota, dtype=float), segment=recruits.segment,
        segment_names=composition.names, force_sales=mean_ability * per_day * period_days,
        plan=compiled_plan(scenario),
    )


def period_quota(scenario: Scenario) -> float:
    """The quota of a full period for the average rep, $: `quota.amount` (per `quota.amount_per`), or the difficulty times
    what the average rep sells at normal effort."""
    if scenario.quota.amount is not None:
        return float(scenario.quota.period_amount)
    per_day, _ = reference_rate(scenario)
    mean_ability = ForceComposition(scenario.force).mean_trait("ability")
    return float(scenario.quota.difficulty * PERIOD_DAYS[scenario.quota.period] * mean_ability * per_day)
