"""Quota-setting policies: pure functions from last period's numbers to the next quota.

- fixed: the quota never moves;
- ratchet: `next = quota + a * (sales - quota)`, with separate weights up and down (Weitzman 1980;
  Misra and Nair 2011 document reps holding back under it);
- growth: each year's quotas are last year's sales plus a growth rate;
- territory: a share of the territory's potential, set from objective external data and never
  from the rep's own sales (the standard advice against ratchet effects).

Quotas are uniform (the force's expected sales) or individual (the rep's own expected sales); a
`difficulty` of 1 means "what the reference mix of effort would sell over the period".
"""

from __future__ import annotations

import numpy as np

from simulator.scenario import Quota

MIN_SHARE_OF_START = 0.1  # a ratchet never cuts a quota below 10% of where it started


def initial_quotas(
    spec: Quota,
    period_days: int,
    sales_per_day: np.ndarray,
    force_sales_per_day: float,
    territory_sales_per_day: np.ndarray,
) -> np.ndarray:
    """Starting quota per rep for a full period.

    `sales_per_day` is each rep's expected credited sales a day at normal effort, and
    `force_sales_per_day` the force's average; `territory_sales_per_day` is what an average rep
    would sell in each rep's territory (for the territory policy).
    """
    n = len(sales_per_day)
    if spec.amount is not None:
        return np.full(n, float(spec.period_amount))
    if spec.policy == "territory":
        base = territory_sales_per_day
    elif spec.basis == "individual":
        base = sales_per_day
    else:
        base = np.full(n, force_sales_per_day)
    return spec.difficulty * period_days * np.asarray(base, dtype=float)


def next_quotas(
    spec: Quota,
    quota: np.ndarray,
    sales: np.ndarray,
    start_quota: np.ndarray,
    year_sales: np.ndarray | None,
    periods_per_year: float,
) -> np.ndarray:
    """Next period's quota from this period's `quota` and credited `sales`.

    `year_sales` (last year's credited sales) is given at a year's end and drives the growth
    policy; between year ends the growth policy keeps quotas where they are.
    """
    if spec.policy == "ratchet":
        weight = np.where(sales >= quota, spec.ratchet_up, spec.ratchet_down)
        moved = quota + weight * (sales - quota)
        return np.maximum(moved, MIN_SHARE_OF_START * start_quota)
    if spec.policy == "growth" and year_sales is not None:
        grown = (1.0 + spec.growth) * year_sales / periods_per_year
        return np.maximum(grown, MIN_SHARE_OF_START * start_quota)
    return quota.copy()
