"""Pay plans as pure payout math: no Mesa, no randomness.

A period's variable pay is a piecewise-linear function of the rep's credited sales C with steps,
relative to the quota Q. That one shape covers the plan vocabulary of incentive-compensation tools:

- a *rate table* (commission rate by attainment band: accelerators raise the rate above a tier,
  decelerators lower it), paid marginally, each dollar at the rate of its band;
- a *threshold* (gate): no commission until attainment reaches it, then commission on every
  dollar, so pay jumps at the threshold;
- a *cap*: credited sales above cap x quota earn no further commission;
- *bonuses* (lump sums) paid when attainment reaches their level (the bonus at quota).

On segment j, where lo[j] <= C/Q < lo[j+1], pay = quota_coef[j] * Q + lump[j] + slope[j] * C.
The segment arrays feed the reps' closed-form valuation (`simulator.behaviour.valuation`), so the
reps weigh exactly the plan that pays them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from numba import njit

from simulator.special import ndtr

MAX_SEGMENTS = 12  # rate bands, thresholds, bonus steps and the goal, together
SQRT_2PI = float(np.sqrt(2 * np.pi))


@dataclass(frozen=True)
class PayCurve:
    """Variable pay in one period as a function of credited sales and quota."""

    lo: np.ndarray  # segment lower bounds, in attainment (C / Q); lo[0] == 0
    slope: np.ndarray  # commission $ per credited $ on the segment
    quota_coef: np.ndarray  # commission offset, in units of the quota
    lump: np.ndarray  # bonuses earned by the segment's attainment, $

    @classmethod
    def build(
        cls,
        rate: float,
        tiers: Sequence[tuple[float, float]] = (),
        threshold: float = 0.0,
        cap: float | None = None,
        bonuses: Sequence[tuple[float, float]] = (),
    ) -> "PayCurve":
        """Compile a rate table, threshold, cap and bonus steps into segments.

        `tiers` are (from attainment, rate) rows above the base `rate`; `bonuses` are
        (attainment, amount) steps.
        """
        tiers = sorted((float(a), float(r)) for a, r in tiers)
        bonuses = sorted((float(a), float(b)) for a, b in bonuses if b != 0)
        points = {0.0, float(threshold)} | {a for a, _ in tiers} | {a for a, _ in bonuses}
        if cap is not None:
            points.add(float(cap))
        lo = np.array(sorted(p for p in points if p >= 0.0))

        def band_rate(x: float) -> float:
            if cap is not None and x >= cap:
                return 0.0
            r = rate
            for start, tier_rate in tiers:
                if x >= start:
                    r = tier_rate
            return r

        rates = np.array([band_rate(x) for x in lo])
        widths = np.diff(lo)
        accrued = np.concatenate([[0.0], np.cumsum(rates[:-1] * widths)])
        quota_coef = accrued - rates * lo
        gated = lo < threshold
        quota_coef = np.where(gated, 0.0, quota_coef)
        slope = np.where(gated, 0.0, rates)
        lump = np.array([sum(b for a, b in bonuses if a <= x) for x in lo])
        return cls(lo=lo, slope=slope, quota_coef=quota_coef, lump=lump)

    def segment(self, sales: np.ndarray, quota: np.ndarray) -> np.ndarray:
        attainment = np.asarray(sales, dtype=float) / np.asarray(quota, dtype=float)
        return np.maximum(np.searchsorted(self.lo, attainment, side="right") - 1, 0)  # np.clip's result, a third the cost

    def commission(self, sales, quota) -> np.ndarray:
        return self.commission_and_bonus(sales, quota)[0]

    def bonus(self, sales, quota) -> np.ndarray:
        return self.lump[self.segment(sales, quota)]

    def commission_and_bonus(self, sales: np.ndarray, quota: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`commission` and `bonus` with one look-up of the segment (a settlement needs both)."""
        sales = np.asarray(sales, dtype=float)
        quota = np.asarray(quota, dtype=float)
        j = self.segment(sales, quota)
        return np.maximum(self.quota_coef[j] * quota + self.slope[j] * sales, 0.0), self.lump[j]

    def pay(self, sales, quota) -> np.ndarray:
        """Variable pay (commission plus bonuses) for credited `sales` against `quota`."""
        commission, bonus = self.commission_and_bonus(sales, quota)
        return commission + bonus

    def scaled(self, factor: float) -> "PayCurve":
        """The same plan with every variable rate and bonus multiplied by `factor`."""
        return PayCurve(self.lo, self.slope * factor, self.quota_coef * factor, self.lump * factor)

    def with_breakpoint(self, at: float) -> tuple["PayCurve", int]:
        """The same pay with a segment boundary at attainment `at`, and that segment's index.

        Reps value reaching an accepted goal (goal-setting theory, Locke and Latham 2002; field
        data show bunching at thresholds); the valuation kernels add each rep's own goal value
        to every segment from that index up.
        """
        curve = self.with_goal_value(at, 0.0, force=True)
        return curve, int(np.flatnonzero(np.isclose(curve.lo, at))[0])

    def with_goal_value(self, at: float, value: float, force: bool = False) -> "PayCurve":
        """This curve plus a non-monetary prize `value` for reaching attainment `at`."""
        if value == 0 and not force:
            return self
        if np.any(np.isclose(self.lo, at)):
            lo, slope, quota_coef, lump = self.lo, self.slope, self.quota_coef, self.lump.copy()
        else:
            k = int(np.searchsorted(self.lo, at))
            lo = np.insert(self.lo, k, at)
            slope = np.insert(self.slope, k, self.slope[k - 1])
            quota_coef = np.insert(self.quota_coef, k, self.quota_coef[k - 1])
            lump = np.insert(self.lump, k, self.lump[k - 1])
        lump = lump + np.where(lo >= at, value, 0.0)
        return PayCurve(lo, slope, quota_coef, lump)

    def kernel(self, goal_index: int | None = None) -> tuple:
        """The curve as the compiled valuation kernels take it: (n, lo, slope, quota_coef, lump,
        goal_index), each column a tuple padded to MAX_SEGMENTS, so the kernels pass plain numbers
        and no arrays (reference counting on arrays was the largest cost of the hot path).

        `goal_index` is the segment from which a rep's goal value counts (none: past the end).
        """
        n = len(self.lo)
        if n > MAX_SEGMENTS:
            raise ValueError(f"a pay plan may have at most {MAX_SEGMENTS} rate bands and steps, this one has {n}")

        def padded(column):
            return tuple(float(v) for v in column) + (0.0,) * (MAX_SEGMENTS - n)

        gi = n if goal_index is None else int(goal_index)
        return (n, padded(self.lo), padded(self.slope), padded(self.quota_coef), padded(self.lump), gi)

    @property
    def first_rate(self) -> float:
        """Commission rate on the first band above the threshold: the plan's headline rate."""
        open_bands = self.slope[self.slope > 0]
        return float(open_bands[0]) if open_bands.size else 0.0


@dataclass(frozen=True)
class StackedBonus:
    """A bonus on a longer period stacked on the quota period's plan (e.g. an annual bonus)."""

    period: str
    curve: PayCurve


@dataclass(frozen=True)
class CompiledPlan:
    """Everything the engine needs to pay reps, in plain numbers."""

    curve: PayCurve
    base_salary: float  # $ a year
    clawback_share: float  # share of a cancelled sale's commission taken back
    credit: np.ndarray  # credited $ per $ of net revenue, by product
    stacked: StackedBonus | None = None
    variable_scale: float = 1.0  # factor applied by equal-cost calibration
    notes: dict = field(default_factory=dict)

    @property
    def base_per_day(self) -> float:
        from simulator.calendar import DAYS_PER_YEAR

        return self.base_salary / DAYS_PER_YEAR


def compile_plan(spec, periods_per_year: float, credit: np.ndarray) -> CompiledPlan:
    """Turn the scenario's plan section (`simulator.scenario.Plan`) into payout math.

    `periods_per_year` converts a bonus given as a share of the yearly target incentive into a
    per-period amount; the plan's `variable_scale` multiplies every rate and bonus.
    """
    variable_scale = spec.variable_scale
    bonus = spec.bonus
    if spec.bonus_share_of_target is not None:
        bonus = spec.bonus_share_of_target * spec.target_incentive / periods_per_year
    curve = PayCurve.build(
        rate=spec.commission_rate,
        tiers=[(t.at, t.rate) for t in spec.tiers],
        threshold=spec.threshold,
        cap=spec.cap,
        bonuses=[(spec.bonus_at, bonus)],
    ).scaled(variable_scale)
    stacked = None
    if spec.stacked_bonus is not None and spec.stacked_bonus.amount > 0:
        stacked = StackedBonus(
            period=spec.stacked_bonus.period,
            curve=PayCurve.build(rate=0.0, bonuses=[(spec.stacked_bonus.at, spec.stacked_bonus.amount)]).scaled(variable_scale),
        )
    return CompiledPlan(
        curve=curve,
        base_salary=spec.base_salary,
        clawback_share=spec.clawback,
        credit=np.asarray(credit, dtype=float),
        stacked=stacked,
        variable_scale=variable_scale,
    )


def pay_moments(curve: PayCurve, mean_sales, sd_sales, quota) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of a period's variable pay when credited sales are Normal(mean, sd^2).

    Closed form: on each segment pay is linear in sales, so its first two moments are sums of
    normal partial moments (the same algebra the reps' valuation uses). A kernel: the engine asks
    at every hire and month's end, for one rep or a few, where array code would cost its fixed
    overhead several dozen times.
    """
    mu = np.asarray(mean_sales, dtype=float)
    sd = np.maximum(np.asarray(sd_sales, dtype=float), 1e-9)
    mu, sd, q = np.broadcast_arrays(mu, sd, np.asarray(quota, dtype=float))
    first, second = np.empty(mu.shape), np.empty(mu.shape)
    _pay_moments(curve.lo, curve.slope, curve.quota_coef, curve.lump, mu.ravel(), sd.ravel(), q.ravel(),
                 first.reshape(-1), second.reshape(-1))
    return first, second


@njit(cache=True, error_model="numpy")
def _pay_moments(lo, slope, quota_coef, lump, mu, sd, q, first, second):
    """`pay_moments` rep by rep into `first` (mean) and `second` (variance). The first segment starts
    at -inf and the last ends at +inf: there Phi is 0 and 1 and the density terms 0."""
    n = len(lo)
    for i in range(len(mu)):
        m1 = 0.0
        m2 = 0.0
        cdf_u = du = zdu = 0.0
        for j in range(n):
            if j > 0:  # this segment's lower bound is the last one's upper bound
                cdf_l, dl, zdl = cdf_u, du, zdu
            else:
                cdf_l, dl, zdl = 0.0, 0.0, 0.0
            if j < n - 1:
                cdf_u, du, zdu = _partial_terms((lo[j + 1] * q[i] - mu[i]) / sd[i])
            else:
                cdf_u, du, zdu = 1.0, 0.0, 0.0
            p = cdf_u - cdf_l
            a = quota_coef[j] * q[i] + lump[j] + slope[j] * mu[i]
            bs = slope[j] * sd[i]
            ez = dl - du
            ez2 = p + zdl - zdu
            m1 += a * p + bs * ez
            m2 += a * a * p + 2 * a * bs * ez + bs * bs * ez2
        first[i] = m1
        v = m2 - m1 * m1
        second[i] = 0.0 if v < 0.0 else v  # noqa: FURB136 - max() would turn a NaN into 0; np.maximum kept it


@njit(cache=True, error_model="numpy", inline="always")
def _partial_terms(z):
    """Phi(z), phi(z) and z phi(z) at a segment's bound, 0 for the densities where z is not finite."""
    if not np.isfinite(z):
        return ndtr(z), 0.0, 0.0
    density = np.exp(-0.5 * (z * z)) / SQRT_2PI
    return ndtr(z), density, z * density
