"""The moments a firm really has, as named functions of a history (`panel.History`).

Each moment says which panel columns it needs (or the timing table); a moment whose columns the
data lack is dropped with a note, never guessed. The same functions measure the data and every
simulated run, so data and model are always measured alike. Attainment moments use whole periods
only when the panel says which rows are partial (the model's `complete` column: a rep hired or
leaving mid-period); a firm's export is taken as whole periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy.special import ndtr

from simulator.calibration.panel import PARTIAL, History

TIMING = "timing"  # stands for the timing table among a moment's needs


def whole(panel: pd.DataFrame) -> pd.DataFrame:
    """The rows of reps who held the job the whole period (all rows if the panel does not say)."""
    return panel[panel[PARTIAL].astype(bool)] if PARTIAL in panel.columns else panel


def _attainment(panel: pd.DataFrame) -> pd.Series:
    return whole(panel)["attainment"]


def attainment_mean(h: History) -> float:
    return float(_attainment(h.panel).mean())


def attainment_sd(h: History) -> float:
    return float(_attainment(h.panel).std())


def hit_rate(h: History) -> float:
    return float((_attainment(h.panel) >= 1.0).mean())


def just_above_quota(h: History) -> float:
    a = _attainment(h.panel)
    return float(((a >= 1.0) & (a < 1.05)).mean())


def far_below_quota(h: History) -> float:
    return float((_attainment(h.panel) < 0.5).mean())


# Threshold shares counted with a normal kernel at each edge instead of an indicator: a rep-period
# within a couple of bandwidths of an edge counts in part, so the share moves smoothly as simulated
# attainments cross it (a count jumps when a parameter's small step tips one deal over a line, which
# makes the simulated objective rough and its derivatives, and the intervals built on them, noisy;
# kernel-smoothed moments are the standard cure: McFadden 1989, Frazier, Oka and Zhu 2019). As the
# bandwidth shrinks each is its plain count. 0.02 of quota is about one deal's worth on the shipped plans.
BANDWIDTH = 0.02


def _past(a: pd.Series, edge: float) -> np.ndarray:
    return ndtr((a.to_numpy() - edge) / BANDWIDTH)


def hit_rate_smoothed(h: History) -> float:
    return float(_past(_attainment(h.panel), 1.0).mean())


def just_above_quota_smoothed(h: History) -> float:
    a = _attainment(h.panel)
    return float((_past(a, 1.0) - _past(a, 1.05)).mean())


def far_below_quota_smoothed(h: History) -> float:
    return float((1.0 - _past(_attainment(h.panel), 0.5)).mean())


def after_quota_share(h: History) -> float:
    p = whole(h.panel)
    total = p["sales"].sum()
    return float((p["sales"] - p["quota"]).clip(lower=0).sum() / total) if total > 0 else float("nan")


def persistence(h: History) -> float:
    p = whole(h.panel)[["rep_id", "period", "attainment"]].sort_values(["rep_id", "period"])
    before = p.groupby("rep_id")["attainment"].shift()
    consecutive = p["period"] - p.groupby("rep_id")["period"].shift() == 1
    pairs = pd.DataFrame({"now": p["attainment"], "before": before})[consecutive]
    if len(pairs) < 3 or pairs["now"].std() == 0 or pairs["before"].std() == 0:
        return float("nan")
    return float(pairs["now"].corr(pairs["before"]))


def discount_share(h: History) -> float:
    total = h.panel["sales"].sum()
    return float(h.panel["discount"].sum() / total) if total > 0 else float("nan")


def pulled_in_share(h: History) -> float:
    deals = h.panel["deals"].sum()
    return float(h.panel["pulled_in"].sum() / deals) if deals > 0 else float("nan")


def pushed_out_share(h: History) -> float:
    deals = h.panel["deals"].sum()
    return float(h.panel["pushed_out"].sum() / deals) if deals > 0 else float("nan")


def pay_cv(h: History) -> float:
    pay = whole(h.panel)["pay"]
    return float(pay.std() / pay.mean()) if pay.mean() > 0 else float("nan")


def quit_rate(h: History) -> float:
    return float(h.panel["quit"].mean())


def _quits_after(h: History, hit: bool) -> float:
    p = h.panel.sort_values(["rep_id", "period"])
    before = p.groupby("rep_id")["attainment"].shift()
    consecutive = p["period"] - p.groupby("rep_id")["period"].shift() == 1
    chosen = consecutive & ((before >= 1.0) if hit else (before < 1.0))
    return float(p.loc[chosen, "quit"].mean()) if chosen.any() else float("nan")


def quit_rate_after_miss(h: History) -> float:
    return _quits_after(h, hit=False)


def quit_rate_after_hit(h: History) -> float:
    return _quits_after(h, hit=True)


def _positions(timing: pd.DataFrame) -> pd.DataFrame:
    """Each day's place in its period: 0 on the first day, and the period's length in days."""
    first = timing.groupby("period")["day"].transform("min")
    length = timing.groupby("period")["day"].transform("max") - first + 1
    return timing.assign(place=timing["day"] - first, length=length)


def last_tenth_share(h: History) -> float:
    t = _positions(h.timing)
    total = t["sales"].sum()
    late = t["place"] >= 0.9 * t["length"]
    return float(t.loc[late, "sales"].sum() / total) if total > 0 else float("nan")


def first_day_spike(h: History) -> float:
    """Credited sales on a period's first day over the period's mean day (the first period left
    out: nothing was carried into it)."""
    t = _positions(h.timing)
    t = t[t["period"] > t["period"].min()]
    if t.empty:
        return float("nan")
    per_day = t.groupby("period").agg(sales=("sales", "sum"), length=("length", "first"))
    mean_day = (per_day["sales"] / per_day["length"]).sum()
    return float(t.loc[t["place"] == 0, "sales"].sum() / mean_day) if mean_day > 0 else float("nan")


@dataclass(frozen=True)
class Moment:
    """A named figure of a history: what it measures, the columns it needs, how it is computed."""

    name: str
    description: str
    needs: tuple[str, ...]
    compute: Callable[[History], float]


MOMENTS: dict[str, Moment] = {m.name: m for m in (
    Moment("attainment_mean", "mean attainment (sales / quota) over whole periods", ("quota", "sales"), attainment_mean),
    Moment("attainment_sd", "standard deviation of attainment over whole periods", ("quota", "sales"), attainment_sd),
    Moment("hit_rate", "share of rep-periods at or above quota", ("quota", "sales"), hit_rate),
    Moment("just_above_quota", "share of rep-periods at 100-105% of quota (bunching)", ("quota", "sales"), just_above_quota),
    Moment("far_below_quota", "share of rep-periods below 50% of quota", ("quota", "sales"), far_below_quota),
    Moment("after_quota_share", "credited sales beyond quota, as a share of all credited sales", ("quota", "sales"),
           after_quota_share),
    Moment("persistence", "correlation of a rep's attainment with the previous period's", ("quota", "sales"),
           persistence),
    Moment("discount_share", "discounts given, $ per credited $", ("discount",), discount_share),
    Moment("pulled_in_share", "deals pulled in from the next period, per deal", ("deals", "pulled_in"),
           pulled_in_share),
    Moment("pushed_out_share", "ready deals pushed into the next period, per deal", ("deals", "pushed_out"),
           pushed_out_share),
    Moment("pay_cv", "coefficient of variation of pay over whole rep-periods", ("pay",), pay_cv),
    Moment("quit_rate", "share of rep-periods that end in a quit", ("quit",), quit_rate),
    Moment("quit_rate_after_miss", "quit rate in periods after the rep missed quota", ("quit",), quit_rate_after_miss),
    Moment("quit_rate_after_hit", "quit rate in periods after the rep made quota", ("quit",), quit_rate_after_hit),
    Moment("last_tenth_share", "share of credited sales in the last 10% of a period's days", (TIMING,),
           last_tenth_share),
    Moment("first_day_spike", "credited sales on a period's first day over its mean day", (TIMING,), first_day_spike),
    Moment("hit_rate_smoothed", "hit_rate with a normal kernel of 2% of quota at the edge", ("quota", "sales"),
           hit_rate_smoothed),
    Moment("just_above_quota_smoothed", "just_above_quota with a normal kernel of 2% of quota at each edge",
           ("quota", "sales"), just_above_quota_smoothed),
    Moment("far_below_quota_smoothed", "far_below_quota with a normal kernel of 2% of quota at the edge",
           ("quota", "sales"), far_below_quota_smoothed),
)}
SMOOTHED = {"hit_rate": "hit_rate_smoothed", "just_above_quota": "just_above_quota_smoothed",
            "far_below_quota": "far_below_quota_smoothed"}
DEFAULT = tuple(name for name in MOMENTS if name not in SMOOTHED.values())  # what a fit uses unless told
PANEL_MOMENTS = tuple(name for name in DEFAULT if TIMING not in MOMENTS[name].needs)


def smoothed(names: list[str] | tuple[str, ...]) -> list[str]:
    """The moments with each threshold share swapped for its kernel-smoothed twin."""
    return [SMOOTHED.get(name, name) for name in names]


def missing_needs(moment: Moment, history: History) -> list[str]:
    return [n for n in moment.needs if (history.timing is None if n == TIMING else n not in history.columns)]


def choose(history: History, names: list[str] | tuple[str, ...] | None = None) -> tuple[list[str], list[str]]:
    """The moments to fit (from `names`, default `DEFAULT`) that the data can give, and a note for each
    one dropped: its missing columns, or a value the data cannot define. Unknown names are an error."""
    unknown = [n for n in names or () if n not in MOMENTS]
    if unknown:
        raise ValueError(f"unknown moment(s) {', '.join(unknown)}; allowed: {', '.join(MOMENTS)}")
    kept, notes = [], []
    for name in names or DEFAULT:
        lacking = missing_needs(MOMENTS[name], history)
        if lacking:
            what = ["a timing file (deals or days)" if n == TIMING else f"column {n!r}" for n in lacking]
            notes.append(f"moment {name} dropped: the data have no {' or '.join(what)}")
            continue
        value = MOMENTS[name].compute(history)
        if not np.isfinite(value):
            notes.append(f"moment {name} dropped: not defined on these data (e.g. no consecutive periods, no quits)")
            continue
        kept.append(name)
    return kept, notes


def measure(history: History, names: list[str] | tuple[str, ...]) -> np.ndarray:
    """The named moments of a history, in order (NaN where one is undefined)."""
    return np.array([MOMENTS[name].compute(history) for name in names], dtype=float)


def bootstrap_cov(history: History, names: list[str] | tuple[str, ...], draws: int = 200,
                  seed: int = 0) -> np.ndarray:
    """Sampling covariance of the moments by a bootstrap: reps resampled whole (their periods
    together) for panel moments, periods resampled for timing moments; the two groups drawn apart."""
    rng = np.random.default_rng(seed)
    names = list(names)
    codes, reps = pd.factorize(history.panel["rep_id"])
    rows_of = [np.flatnonzero(codes == i) for i in range(len(reps))]
    periods = np.sort(history.timing["period"].unique()) if history.timing is not None else None
    by_period = dict(tuple(history.timing.groupby("period"))) if periods is not None else {}
    values = np.full((draws, len(names)), np.nan)
    for b in range(draws):
        chosen = rng.integers(0, len(reps), size=len(reps))
        rows = np.concatenate([rows_of[r] for r in chosen])
        panel = history.panel.iloc[rows].assign(  # a rep drawn twice counts as two reps
            rep_id=np.repeat(np.arange(len(chosen)), [len(rows_of[r]) for r in chosen]))
        timing = None
        if periods is not None:
            picked = np.sort(rng.choice(periods, size=len(periods), replace=True))
            # each drawn period keeps its days' places; periods are laid end to end again
            parts, offset = [], 0
            for i, p in enumerate(picked):
                part = by_period[p]
                parts.append(part.assign(period=i, day=part["day"] - part["day"].min() + offset))
                offset += int(part["day"].max() - part["day"].min()) + 1
            timing = pd.concat(parts, ignore_index=True)
        values[b] = measure(History(panel, timing, history.source), names)
    return np.cov(values[np.isfinite(values).all(axis=1)], rowvar=False).reshape(len(names), len(names))
