"""Products, sales cycles, territories and demand: the market the reps sell into.

Demand for a rep's effort is its territory's potential x seasonality x scheduled shocks x a random
monthly factor (the scenario's demand uncertainty); reps see this month's factor, not later ones.
Each product's sales cycle is a discretised gamma distribution of days to the customer's decision,
so cheap quick products and expensive slow ones close in different periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numba import njit
from scipy import stats

from simulator.calendar import DAYS_PER_MONTH, month_of_year
from simulator.scenario import Market, Scenario


@dataclass(frozen=True)
class ProductTable:
    """Per-product arrays (index p) the kernels use."""

    names: tuple[str, ...]
    price: np.ndarray  # $ list revenue per deal
    margin: np.ndarray  # gross margin share
    win: np.ndarray  # win rate of an opportunity
    leads: np.ndarray  # opportunities a day, reference rep, normal effort, full focus
    credit: np.ndarray  # credited $ per $ of net revenue
    delay_pmf: np.ndarray  # (K, H) probability that a decision comes d days after the opportunity
    delay_cdf: np.ndarray  # (K, H) P(delay <= d)
    delay_alias: tuple[np.ndarray, np.ndarray]  # (K, H) Walker alias tables for drawing delays

    @property
    def k(self) -> int:
        return len(self.names)

    @property
    def horizon(self) -> int:
        return self.delay_pmf.shape[1]

    @cached_property
    def credited_deal(self) -> np.ndarray:
        """Credited $ of one deal at list price."""
        return self.price * self.credit

    def expected_value_per_effort(self, focus_weights: np.ndarray) -> float:
        """Expected credited $ a day for the reference rep at effort 1 with these focus weights."""
        return float(np.sum(self.leads * focus_weights * self.win * self.credited_deal))


def sales_cycle_pmf(mean: float, spread: float, horizon: int) -> np.ndarray:
    """Discretised gamma distribution of decision delays 0 .. horizon-1 (mass beyond is folded in)."""
    pmf = np.zeros(horizon)
    if spread <= 0 or mean <= 0:
        pmf[min(int(round(mean)), horizon - 1)] = 1.0
        return pmf
    shape = 1.0 / spread**2
    edges = np.concatenate([[0.0], np.arange(horizon - 1) + 0.5, [np.inf]])
    # the distribution's functions called directly: a frozen distribution builds its docstring (~0.4 ms)
    pmf = np.diff(stats.gamma.cdf(edges, shape, scale=mean / shape))
    return pmf / pmf.sum()


def pipeline_horizon(scenario: Scenario) -> int:
    """Ring-buffer length: covers 99.9% of every product's sales cycle, a power of two."""
    longest = 1.0
    for product in scenario.products.values():
        if product.cycle_spread > 0 and product.cycle_days > 0:
            shape = 1.0 / product.cycle_spread**2
            longest = max(longest, stats.gamma.ppf(0.999, shape, scale=product.cycle_days / shape))
        else:
            longest = max(longest, product.cycle_days)
    return int(2 ** np.ceil(np.log2(longest + 2)))


def build_products(scenario: Scenario) -> ProductTable:
    names = tuple(scenario.products)
    specs = [scenario.products[n] for n in names]
    horizon = pipeline_horizon(scenario)
    pmf = np.array([sales_cycle_pmf(p.cycle_days, p.cycle_spread, horizon) for p in specs])
    basis = scenario.plan.credit_basis
    per_dollar = {"revenue": lambda p: 1.0, "gross_profit": lambda p: p.margin, "units": lambda p: 1.0 / p.price}
    credit = np.array([per_dollar[basis](p) * scenario.plan.crediting.get(n, 1.0) for n, p in zip(names, specs)])
    return ProductTable(
        names=names,
        price=np.array([p.price for p in specs], dtype=float),
        margin=np.array([p.margin for p in specs], dtype=float),
        win=np.array([p.win_rate for p in specs], dtype=float),
        leads=np.array([p.leads_per_day for p in specs], dtype=float),
        credit=credit,
        delay_pmf=pmf,
        delay_cdf=np.cumsum(pmf, axis=1),
        delay_alias=alias_tables(pmf),
    )


def alias_tables(pmf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias tables (Vose 1991) per row of `pmf`, for exact O(1) draws: pick a column i
    uniformly, keep it with probability keep[i], else take alias[i]."""
    k, n = pmf.shape
    keep = np.ones((k, n))
    alias = np.tile(np.arange(n), (k, 1))
    for row in range(k):
        scaled = pmf[row] * n
        small = [i for i in range(n) if scaled[i] < 1.0]
        large = [i for i in range(n) if scaled[i] >= 1.0]
        while small and large:
            s, g = small.pop(), large.pop()
            keep[row, s] = scaled[s]
            alias[row, s] = g
            scaled[g] -= 1.0 - scaled[s]
            (small if scaled[g] < 1.0 else large).append(g)
    return keep, alias


def focus_lattice(k: int) -> np.ndarray:
    """Candidate product-focus mixes: every split of effort in steps of a quarter."""
    steps = 4
    if k == 1:
        return np.ones((1, 1))
    points = []

    def split(remaining: int, parts: int, prefix: list[int]) -> None:
        if parts == 1:
            points.append(prefix + [remaining])
            return
        for first in range(remaining + 1):
            split(remaining - first, parts - 1, prefix + [first])

    split(steps, k, [])
    return np.array(points, dtype=float) / steps


def lattice_neighbours(lattice: np.ndarray) -> np.ndarray:
    """For each focus mix, the mixes one step away (one step of effort moved between two products).

    Rows are padded with -1.
    """
    step = np.min(lattice[lattice > 0]) if lattice.size > 1 else 1.0
    dist = np.abs(lattice[:, None, :] - lattice[None, :, :]).sum(axis=2)
    near = np.isclose(dist, 2 * step)
    width = max(1, int(near.sum(axis=1).max()))
    out = -np.ones((len(lattice), width), dtype=np.int64)
    for i, row in enumerate(near):
        idx = np.flatnonzero(row)
        out[i, : len(idx)] = idx
    return out


@dataclass(frozen=True)
class Demand:
    """Demand multipliers by day: what happens (`realised`) and what reps expect (`expected`)."""

    realised: np.ndarray  # (n_days,) seasonality x shocks x random monthly factor
    planned: np.ndarray  # (n_days,) seasonality x shocks, the expectation before the month's draw
    month_factor: np.ndarray  # (n_months,) random monthly factor, mean 1
    uncertainty: float

    def closing_table(self, days_left: np.ndarray, delay_cdf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For every day t and product p: the demand-weighted effort-days over the rest of the
        window (`days_left[t]` days) whose opportunities are decided inside it (D_p(T) of
        with what reps expect of demand) and after it. Computed once per run."""
        return _closing_table(self.planned, self.month_factor, np.asarray(days_left, dtype=np.int64), delay_cdf,
                              DAYS_PER_MONTH)


    def unknown_share(self, day: int, horizon: int) -> float:
        """Sum over future months of (share of the next `horizon` days in that month)^2.

        Times the demand uncertainty squared and the expected new sales squared, it is the
        variance the random monthly factors add to a rep's belief about the period's sales.
        """
        month_end = (day // DAYS_PER_MONTH + 1) * DAYS_PER_MONTH
        rest = max(0, day + horizon - month_end)
        if rest == 0:
            return 0.0
        full, part = divmod(rest, DAYS_PER_MONTH)
        return (full * DAYS_PER_MONTH**2 + part**2) / horizon**2


def build_demand(market: Market, n_days: int, rng: np.random.Generator) -> Demand:
    days = np.arange(n_days)
    month = month_of_year(days)
    season = 1.0 + market.seasonality.amplitude * np.cos(2 * np.pi * (month - market.seasonality.peak_month) / 12)
    planned = season.astype(float)
    run_month = days // DAYS_PER_MONTH
    for shock in market.shocks:
        inside = (run_month >= shock.start_month) & (run_month < shock.start_month + shock.months)
        planned = np.where(inside, planned * shock.demand, planned)
    n_months = int(run_month[-1]) + 2 if n_days else 1
    sigma = market.demand_uncertainty
    if sigma > 0:
        log_sd = np.sqrt(np.log1p(sigma**2))
        factor = np.exp(rng.normal(-0.5 * log_sd**2, log_sd, size=n_months))
    else:
        factor = np.ones(n_months)
    return Demand(realised=planned * factor[run_month], planned=planned, month_factor=factor, uncertainty=sigma)


def territory_potential(spread: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Territory potential per position, lognormal with mean 1."""
    if spread <= 0:
        return np.ones(n)
    return np.exp(rng.normal(-0.5 * spread**2, spread, size=n))


@njit(cache=True, error_model="numpy")
def _closing_table(planned, month_factor, days_left, delay_cdf, month_len):
    n = len(planned)
    n_prod, ring = delay_cdf.shape
    inside = np.zeros((n, n_prod))
    after = np.zeros((n, n_prod))
    for t in range(n):
        horizon = days_left[t]
        month_end = (t // month_len + 1) * month_len
        total = 0.0
        for j in range(horizon):
            d = min(t + j, n - 1)
            m = planned[d]
            if t + j < month_end:  # this month's demand is known; later months' expected
                m *= month_factor[t // month_len]
            total += m
            lag = min(horizon - 1 - j, ring - 1)
            for p in range(n_prod):
                inside[t, p] += m * delay_cdf[p, lag]
        for p in range(n_prod):
            after[t, p] = total - inside[t, p]
    return inside, after
