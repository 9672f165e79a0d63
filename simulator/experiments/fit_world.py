"""Fit the world to the quota: scale the market so the force's sales match what the quota expects.

The quick version of calibration (issue 18) from numbers a designer knows. Without targets it finds
the scale of the market (every product's `leads_per_day`, or every `price`) at which expected
attainment at normal effort is 100%. Expected sales are proportional to that scale: leads scale the
Poisson arrival rates of every product linearly, and prices scale every credited deal linearly
(`simulator.world.market.ProductTable.expected_value_per_effort`), so the scale is 1 / attainment;
the fit checks this against `simulator.analysis.quota_fit` and falls back to a root finder when it
does not hold.

With last year's median attainment and hit rate, one scale cannot match both: scaling the market
moves the whole distribution of attainment, while the hit rate at a given median is set by how
spread out attainment is. So the scale matches the median and a second knob, the spread of
territory potential (`market.territory_spread`, the lognormal sd of territories' sales potential:
the dispersion of sales that ability does not explain), matches the hit rate. Both are found with
scipy's brentq, the scale inside the spread. When no spread from 0 to MAX_SPREAD reaches the hit
rate (the deals' own randomness already spreads attainment more), the median is matched at the
nearest spread and the gap to the hit rate is reported.

Analytic targets read the force at normal effort, as `salesim check` does. Last year's figures came
from reps working as the plan made them work, so `simulated=True` fits the same two knobs to short
runs of the model instead (the same seeds for every candidate, so candidates differ only by the
knob), starting from the analytic fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr

from simulator.analysis.normal_effort import normal_effort
from simulator.analysis.quota_fit import quota_fit
from simulator.scenario import Scenario

Knob = Literal["leads", "prices"]
KNOB_FIELD = {"leads": "leads_per_day", "prices": "price"}
MAX_SPREAD = 1.5  # territory_spread searched from 0 to this (a lognormal sd of 1.5: the top territory in ten sells 10x the median's)
SCALE_RANGE = (1e-3, 1e3)  # market scales searched
DIGITS = 6  # significant digits of the fields written
SIMULATED_CLOSE = 0.02  # a simulated figure further than this from its target is reported with its gap
UNSTEADY_MEDIAN = 0.2  # runs' medians further apart than this are reported as an uncertain fit


class FitError(ValueError):
    """Targets or a scenario the market scale cannot be fitted to; the message says why and what to change."""


@dataclass(frozen=True)
class Change:
    """One field the fit changed: its dotted path, its value before and after."""

    field: str
    old: float
    new: float


@dataclass(frozen=True)
class WorldFit:
    """What was changed, and the attainment that follows (analytic, and simulated when asked)."""

    changes: tuple[Change, ...]
    attainment: float  # expected attainment at normal effort after the fit (mean over the force)
    median: float  # median attainment at normal effort after the fit
    hit_rate: float  # expected hit rate at normal effort after the fit
    target_median: float | None = None
    target_hit_rate: float | None = None
    simulated: tuple[float, float] | None = None  # (median attainment, hit rate) of the fitted runs
    note: str = ""  # what could not be matched, and by how much
    runs: tuple[tuple[float, float], ...] = ()  # (median attainment, hit rate) of each fitted run alone

    def overrides(self) -> list[str]:
        return [f"{c.field}={c.new:.{DIGITS}g}" for c in self.changes]

    def describe(self) -> str:
        lines = ["fit-world: changed"]
        lines += [f"  {c.field}: {c.old:.{DIGITS}g} -> {c.new:.{DIGITS}g}" for c in self.changes]
        lines.append(f"  at normal effort: expected attainment {self.attainment:.1%}, median {self.median:.1%}, "
                     f"hit rate {self.hit_rate:.1%}")
        if self.simulated is not None:
            lines.append(f"  simulated: median attainment {self.simulated[0]:.1%}, hit rate {self.simulated[1]:.1%}")
        if len(self.runs) > 1:
            medians, hits = zip(*self.runs)
            lines.append(f"  run by run: median attainment {min(medians):.1%} to {max(medians):.1%}, "
                         f"hit rate {min(hits):.1%} to {max(hits):.1%}")
        if self.target_median is not None:
            lines.append(f"  targets: median attainment {self.target_median:.1%}, hit rate {self.target_hit_rate:.1%}")
        if self.note:
            lines.append(f"  NOTE: {self.note}")
        return "\n".join(lines)


def check_targets(median: float | None, hit_rate: float | None) -> None:
    """Refuse targets no force can have, saying what is allowed."""
    if (median is None) != (hit_rate is None):
        raise FitError("--median-attainment and --hit-rate go together: give both (last year's median attainment "
                       "and share of rep-periods at or above quota), or neither to fit expected attainment to 100%")
    if median is None:
        return
    if not (np.isfinite(median) and 0 < median <= 10):
        raise FitError(f"--median-attainment must be more than 0 and at most 10 (1.0 = 100% of quota), got {median:g}")
    if not (np.isfinite(hit_rate) and 0 < hit_rate < 1):
        raise FitError(f"--hit-rate must be more than 0 and less than 1 (the share of rep-periods at or above quota), "
                       f"got {hit_rate:g}")
    if (median - 1) * (hit_rate - 0.5) < 0 or (median == 1) != (hit_rate == 0.5):
        raise FitError(f"--median-attainment {median:g} and --hit-rate {hit_rate:g} disagree: a median at or above "
                       f"quota means at least half the rep-periods reach it, and one below means fewer than half")


def market_changes(scenario: Scenario, knob: Knob, scale: float, spread: float | None = None) -> tuple[Change, ...]:
    """The fields a scale of the market (and a territory spread) set, with their values before."""
    field = KNOB_FIELD[knob]
    out = [Change(f"products.{name}.{field}", getattr(p, field), getattr(p, field) * scale)
           for name, p in scenario.products.items()]
    if spread is not None:
        out.append(Change("market.territory_spread", scenario.market.territory_spread, spread))
    return tuple(out)


def rescaled(scenario: Scenario, changes: tuple[Change, ...]) -> Scenario:
    """The scenario with the changed fields (market fields only: no cross-field checks depend on them)."""
    products = dict(scenario.products)
    market = scenario.market
    for c in changes:
        parts = c.field.split(".")
        if parts[0] == "products":
            products[parts[1]] = products[parts[1]].model_copy(update={parts[2]: c.new})
        else:
            market = market.model_copy(update={parts[1]: c.new})
    return scenario.model_copy(update={"products": products, "market": market})


def attainment_distribution(scenario: Scenario) -> tuple[float, float, float]:
    """(mean, median, hit rate) of attainment at normal effort: each sampled rep's period sales
    Normal as in `simulator.analysis.quota_fit`; the median is that of the mixture."""
    force = normal_effort(scenario)
    m, sd, q = force.mean_sales, force.sd_sales, force.quota

    def below(a: float) -> float:
        return float(np.mean(ndtr((a * q - m) / sd))) - 0.5

    att = m / q
    median = brentq(below, 0.0, float(np.max(att + 12 * sd / q)), xtol=1e-9)
    return float(np.mean(att)), float(median), float(np.mean(1.0 - ndtr((q - m) / sd)))


def _solve_scale(gap: Callable[[float], float], guess: float) -> float:
    """The root of gap(scale) by brentq, bracketed by widening around the guess."""
    low, high = guess, guess
    g_low = g_high = gap(guess)
    if g_low == 0:
        return guess
    while g_low * g_high > 0:
        low, high = low / 2, high * 2
        if low < SCALE_RANGE[0] or high > SCALE_RANGE[1]:
            raise FitError(f"no market scale from {SCALE_RANGE[0]:g} to {SCALE_RANGE[1]:g} reaches the target")
        g_low, g_high = gap(low), gap(high)
    return float(brentq(gap, low, high, xtol=1e-7, rtol=1e-7))


def _refuse_fixed_quota(scenario: Scenario, knob: Knob) -> None:
    if scenario.quota.amount is None:
        raise FitError(f"quota.difficulty ({scenario.quota.difficulty:g}) sets the quota from the market itself, so "
                       f"scaling the market cannot move attainment; set quota.amount (a $ quota) to fit the world to "
                       f"it, or quota.difficulty 1 for 100% at normal effort")
    if knob == "prices" and scenario.plan.credit_basis == "units":
        raise FitError("plan.credit_basis units counts deals, not dollars, so prices do not move attainment; "
                       "use --scale leads")


def fit_world(scenario: Scenario, knob: Knob = "leads", median: float | None = None,
              hit_rate: float | None = None) -> WorldFit:
    """The analytic fit (see the module's docstring): to 100% expected attainment, or to targets."""
    check_targets(median, hit_rate)
    _refuse_fixed_quota(scenario, knob)
    if median is None:
        start = quota_fit(scenario).attainment
        changes = market_changes(scenario, knob, 1.0 / start)
        if abs(quota_fit(rescaled(scenario, changes)).attainment - 1.0) > 1e-6:  # not proportional here
            scale = _solve_scale(lambda s: quota_fit(rescaled(scenario, market_changes(scenario, knob, s))).attainment
                                 - 1.0, 1.0 / start)
            changes = market_changes(scenario, knob, scale)
        return _result(scenario, changes)

    def scale_at(spread: float) -> float:
        def gap(s: float) -> float:
            return attainment_distribution(rescaled(scenario, market_changes(scenario, knob, s, spread)))[1] - median
        return _solve_scale(gap, 1.0)

    def hit_gap(spread: float) -> float:
        s = scale_at(spread)
        return attainment_distribution(rescaled(scenario, market_changes(scenario, knob, s, spread)))[2] - hit_rate

    ends = (hit_gap(0.0), hit_gap(MAX_SPREAD))
    note = ""
    if ends[0] * ends[1] <= 0:
        spread = float(brentq(hit_gap, 0.0, MAX_SPREAD, xtol=1e-6))
    else:
        spread = 0.0 if abs(ends[0]) <= abs(ends[1]) else MAX_SPREAD
        note = (f"matched the median; no market.territory_spread from 0 to {MAX_SPREAD:g} gives a hit rate of "
                f"{hit_rate:.1%} at that median (the nearest, {spread:g}, gives "
                f"{hit_rate + min(ends, key=abs):.1%}, {min(ends, key=abs) * 100:+.1f} points)")
    changes = market_changes(scenario, knob, scale_at(spread), spread)
    return _result(scenario, changes, median, hit_rate, note=note)


def _result(scenario: Scenario, changes: tuple[Change, ...], median: float | None = None,
            hit_rate: float | None = None, simulated: tuple[float, float] | None = None, note: str = "") -> WorldFit:
    # the fields as written (rounded), so the figures printed are the written file's
    written = tuple(Change(c.field, c.old, float(f"{c.new:.{DIGITS}g}")) for c in changes)
    mean, med, hit = attainment_distribution(rescaled(scenario, written))
    return WorldFit(written, mean, med, hit, median, hit_rate, simulated, note)


def simulated_attainment(scenario: Scenario, seeds: tuple[int, ...], years: float) -> tuple[float, float]:
    """(median attainment, hit rate) of complete rep-periods over short runs on the given seeds."""
    return _pooled_and_runs(scenario, seeds, years)[0]


def _pooled_and_runs(scenario: Scenario, seeds: tuple[int, ...], years: float
                     ) -> tuple[tuple[float, float], tuple[tuple[float, float], ...]]:
    """`simulated_attainment` over the runs pooled, and for each run alone."""
    from simulator.experiments.run import run

    short = scenario.model_copy(update={"horizon_years": years})
    runs = [run(short, seed, progress=False).rep_periods.query("complete")["attainment"].to_numpy() for seed in seeds]
    att = np.concatenate(runs)
    if att.size == 0:
        raise FitError(f"a {years:g}-year run has no complete quota period to read attainment from; use more --years")
    alone = tuple((float(np.median(a)), float(np.mean(a >= 1.0))) for a in runs if a.size)
    return (float(np.median(att)), float(np.mean(att >= 1.0))), alone


def fit_world_simulated(scenario: Scenario, knob: Knob, median: float, hit_rate: float, seeds: tuple[int, ...],
                        years: float) -> WorldFit:
    """The fit to targets on short runs of the model: from the analytic fit, the scale by brentq on the
    simulated median, then the spread on the simulated hit rate, then the scale again (one round)."""
    first = fit_world(scenario, knob, median, hit_rate)
    scale = first.changes[0].new / first.changes[0].old
    spread = first.changes[-1].new

    def sim(s: float, sp: float) -> tuple[float, float]:
        return simulated_attainment(rescaled(scenario, market_changes(scenario, knob, s, sp)), seeds, years)

    scale = _solve_scale(lambda s: sim(s, spread)[0] - median, scale)
    note = ""
    ends = (sim(scale, 0.0)[1] - hit_rate, sim(scale, MAX_SPREAD)[1] - hit_rate)
    if ends[0] * ends[1] <= 0:
        spread = float(brentq(lambda sp: sim(scale, sp)[1] - hit_rate, 0.0, MAX_SPREAD, xtol=1e-3))
        scale = _solve_scale(lambda s: sim(s, spread)[0] - median, scale)
    else:
        note = (f"no market.territory_spread from 0 to {MAX_SPREAD:g} gives a simulated hit rate of {hit_rate:.1%} "
                f"at that median; the spread is the analytic fit's")
    changes = market_changes(scenario, knob, scale, spread)
    written = _result(scenario, changes, median, hit_rate)
    got, runs = _pooled_and_runs(rescaled(scenario, written.changes), seeds, years)
    gaps = [f"simulated {what} {value:.1%} is {(value - aim) * 100:+.1f} points from the target"
            for what, value, aim in (("median attainment", got[0], median), ("hit rate", got[1], hit_rate))
            if abs(value - aim) > SIMULATED_CLOSE]
    medians = [m for m, _ in runs]
    if len(runs) > 1 and max(medians) - min(medians) > UNSTEADY_MEDIAN:
        # where about half the reps make quota the median sits between those who make it and those
        # who fall well short, and a point of hit rate moves it far: say so rather than print a false precision
        gaps.append(f"the median moves from {min(medians):.1%} to {max(medians):.1%} between runs, so the fitted "
                    f"median is uncertain by about that much; more --replications or a larger force narrow it")
    note = "; ".join(filter(None, [note, *gaps]))
    return WorldFit(written.changes, written.attainment, written.median, written.hit_rate, median, hit_rate, got, note,
                    runs)


def fitted_file(source: str, out: str, overrides: list[str], fit: WorldFit) -> str:
    """The text of a scenario file that `extends:` the source with the `--set` overrides and the fitted fields."""
    import os

    import yaml

    from simulator.scenario.loading import apply_overrides

    data = apply_overrides({}, [*overrides, *fit.overrides()])
    parent = os.path.relpath(os.path.abspath(source), os.path.dirname(os.path.abspath(out)))
    what = "its segments' ability fitted" if fit.changes and fit.changes[0].field.startswith("force.") else \
        "its market scaled"
    head = (f"# Written by salesim check --fit-world: {source} with {what}\n"
            + "".join(f"#   {c.field}: {c.old:.{DIGITS}g} -> {c.new:.{DIGITS}g}\n" for c in fit.changes))
    return head + yaml.safe_dump({"extends": parent, **data}, sort_keys=False)


def parse_segment_targets(items: list[str], scenario: Scenario) -> dict[str, float]:
    """`NAME=X` items (a segment's expected attainment at normal effort, 1.0 = 100%) as name -> X;
    an unknown segment or a target outside (0, 10] is refused, naming what is allowed."""
    names = list(scenario.force.segments)
    targets = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            target = float(value) if sep else float("nan")
        except ValueError:
            target = float("nan")
        if not (np.isfinite(target) and 0 < target <= 10):
            raise FitError(f"--segment-attainment {item!r} must look like NAME=X with X more than 0 and at most 10 "
                           f"(1.3 = 130% of quota at normal effort)")
        if name not in names:
            raise FitError(f"--segment-attainment: no segment {name!r} in force.segments"
                           f" ({', '.join(names) if names else 'the scenario has none: add force.segments'})")
        targets[name] = target
    return targets


def fit_segments(scenario: Scenario, targets: dict[str, float]) -> WorldFit:
    """Segments as a firm sees them: each named segment's ability mean set so that its expected
    attainment at normal effort is its target ("top performers reach 140% of quota"). A segment's
    sales at normal effort grow with its ability, so each is found by brentq on a factor of its
    ability mean; the quota must be a $ amount, since a `difficulty` quota moves with the force's
    ability and would move every segment's attainment with it. A segment that inherits the force's
    ability gets the whole distribution written, so only its mean differs."""
    _refuse_fixed_quota(scenario, "leads")
    changes: list[Change] = []
    for name, target in targets.items():
        segment = scenario.force.segments[name]
        own = segment.ability is not None
        dist = segment.ability if own else scenario.force.traits.ability

        def with_mean(s: Scenario, mean: float, name: str = name, dist=dist) -> Scenario:
            segments = dict(s.force.segments)
            segments[name] = segments[name].model_copy(update={"ability": dist.model_copy(update={"mean": mean})})
            return s.model_copy(update={"force": s.force.model_copy(update={"segments": segments})})

        def gap(factor: float, base: Scenario = scenario, name: str = name, target: float = target,
                mean: float = dist.mean) -> float:
            return quota_fit(with_mean(base, mean * factor)).by_segment[name][0] - target

        try:
            factor = _solve_scale(gap, target / max(quota_fit(scenario).by_segment[name][0], 1e-9))
        except FitError:
            raise FitError(f"no ability of segment {name} brings its expected attainment to {target:.0%}") from None
        mean = dist.mean * factor
        scenario = with_mean(scenario, mean)
        field = f"force.segments.{name}.ability"
        changes.append(Change(f"{field}.mean", dist.mean, mean))
        if not own:  # written whole, or the segment's ability would lose the force's spread and limits
            changes += [Change(f"{field}.{key}", value, value) for key in ("sd", "low", "high")
                        if (value := getattr(dist, key)) is not None]
    mean, median, hit = attainment_distribution(scenario)
    return WorldFit(tuple(changes), mean, median, hit)
