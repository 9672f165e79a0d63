"""Risk verdicts: what a compensation designer should worry about in a plan, in plain words.

Each named risk reads one figure of a run's scorecard (`simulator.analysis.metrics`), compares it with two
thresholds (elevated, high) and says in one sentence what it means. Over replications the figure
is their mean, with a 95% confidence interval (Student t). Thresholds are documented here, and a
scenario may override them (`risks:` in the file, or `--threshold NAME.LEVEL=VALUE`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from simulator.analysis.metrics import flatten
from simulator.scenario import RISK_NAMES

LEVELS = ("low", "elevated", "high")


@dataclass(frozen=True)
class Risk:
    """A named risk: the figure behind it, its thresholds and how to say it."""

    name: str
    title: str
    figure: str  # what is measured, with its unit
    elevated: float
    high: float
    measure: Callable[[Mapping[str, float]], float]
    explain: Callable[[float, Mapping[str, float]], str]
    source: str
    plain: str = ""  # the risk as a room says it ("Reps steer customers to the wrong products")
    amount: Callable[[float], str] = lambda v: f"{v:.3g}"  # the figure in its unit, for a screen

    def says(self, value: float) -> str:
        """The figure in words with its unit ("27% more margin than a balanced mix"): a room reads
        a share or a count, not a raw decimal such as -0.272."""
        return "not measurable yet" if math.isnan(value) else self.amount(value)


def _get(flat: Mapping[str, float], key: str) -> float:
    value = flat.get(key, float("nan"))
    return float("nan") if value is None else float(value)


def _timing(flat):
    excess = _get(flat, "internal_process.last10_share") - 0.10
    if math.isnan(excess):  # periods too short for a last 10%: what is moved across days instead
        return _get(flat, "internal_process.pulled_in_share") + _get(flat, "internal_process.pushed_out_share")
    return excess


def _mix(flat):
    reference = _get(flat, "internal_process.reference_margin")
    return (reference - _get(flat, "internal_process.gross_margin")) / reference if reference > 0 else float("nan")


def _harm(flat):
    served = _get(flat, "customer.customers_served")
    return 1000.0 * _get(flat, "customer.customers_harmed") / served if served > 0 else float("nan")


RISKS: dict[str, Risk] = {r.name: r for r in (
    Risk("timing_gaming", "Timing gaming", "excess share of bookings in each period's last 10% of days (or share of deals moved across days)",
         0.03, 0.08, _timing,
         lambda v, f: (f"{100 * (v + 0.10):.0f}% of bookings land in the last 10% of each period (10% if even), "
                       f"with {100 * _get(f, 'internal_process.discount_leakage'):.1f}% of list value given away in discounts.")
         if not math.isnan(_get(f, "internal_process.last10_share")) else
         f"{100 * v:.1f}% of deals are moved from the day they were ready to another day.",
         "Oyer 1998; Larkin 2014",
         plain="Reps bunch sales at period ends or move deals between days", amount=lambda v: "no more than an even spread" if v <= 0 else f"{100 * v:.0f}% of bookings or deals moved in time"),
    Risk("sandbagging", "Sandbagging", "share of deals pushed into the next period", 0.02, 0.05,
         lambda f: _get(f, "internal_process.pushed_out_share"),
         lambda v, f: f"{100 * v:.1f}% of deals are held back at a period's end and booked in the next one.",
         "Weitzman 1980; Misra and Nair 2011; Chung, Steenburgh and Sudhir 2014",
         plain="Reps hold deals back for the next period", amount=lambda v: f"{100 * v:.1f}% of deals held back"),
    Risk("product_mix", "Product-mix distortion", "margin lost against a balanced product mix", 0.03, 0.08, _mix,
         lambda v, f: f"Reps' choice of products earns {100 * abs(v):.1f}% {'less' if v >= 0 else 'more'} gross margin than a balanced mix would.",
         "Chung, Narayandas and Chang 2021",
         plain="Reps steer customers to the wrong products", amount=lambda v: f"{100 * abs(v):.0f}% {'less' if v >= 0 else 'more'} margin than a balanced mix"),
    Risk("fabrication", "Wells Fargo-style fabrication", "fake sales a rep a year", 0.5, 2.0,
         lambda f: _get(f, "internal_process.fabrication_rate"),
         lambda v, f: (f"Reps book {v:.1f} fake sales a year each; {100 * _get(f, 'internal_process.fake_share_of_reported'):.2f}% "
                       f"of reported sales are fake and {100 * _nz(_get(f, 'internal_process.undetected_share')):.0f}% of them are never found."),
         "Wells Fargo Sales Practices Investigation Report 2017; Schweitzer, Ordonez and Douma 2004",
         plain="Reps open fake accounts (as at Wells Fargo)", amount=lambda v: f"{v:.1f} fake sales per rep a year"),
    Risk("mis_selling", "Sears-style mis-selling", "sales to customers who did not need them, a rep a year", 0.5, 2.0,
         lambda f: _get(f, "internal_process.mis_selling_rate"),
         lambda v, f: f"Reps sell {v:.1f} customers a year each something they did not need; "
                      f"{_get(f, 'customer.complaints'):.0f} complaints follow.",
         "Paine 1992 (Sears Auto Centers); Cadsby, Song and Tapon 2010",
         plain="Reps sell customers what they do not need (as at Sears)", amount=lambda v: f"{v:.1f} needless sales per rep a year"),
    Risk("discouragement", "Discouragement among low performers", "share of the less able half's periods ending below half of quota",
         0.15, 0.30, lambda f: _get(f, "learning_growth.giving_up_share"),
         lambda v, f: f"In {100 * v:.0f}% of their periods the less able half of the force ends below half of quota: they have given up.",
         "Locke and Latham 2002; Chung, Steenburgh and Sudhir 2014",
         plain="Weaker reps give up", amount=lambda v: f"{100 * v:.0f}% of their periods end below half of quota"),
    Risk("attrition", "Attrition", "reps leaving a year, per position", 0.20, 0.35,
         lambda f: _get(f, "learning_growth.turnover_rate"),
         lambda v, f: f"{100 * v:.0f}% of positions lose their rep each year ({100 * _get(f, 'learning_growth.quit_rate'):.0f}% quit, "
                      f"{100 * _nz(_get(f, 'learning_growth.fired_rate')):.0f}% are let go).",
         "Lazear 2000",
         plain="Reps leave", amount=lambda v: f"{100 * v:.0f}% of positions lose their rep a year"),
    Risk("customer_harm", "Customer harm", "customers harmed per 1,000 served", 1.0, 5.0, _harm,
         lambda v, f: f"{v:.1f} customers in every 1,000 are harmed by fake accounts or needless sales; trust in the firm "
                      f"falls to {_get(f, 'customer.trust_min'):.3f} at its lowest.",
         "Wells Fargo 2016; Sears 1992",
         plain="Customers are harmed", amount=lambda v: f"{v:.1f} harmed per 1,000 customers served"),
    Risk("activity_gaming", "Activity gaming", "share of logged activities that never happened", 0.02, 0.08,
         lambda f: _get(f, "internal_process.activity_padding_share"),
         lambda v, f: (f"{100 * v:.1f}% of the calls, demos and other activities reps log never happened; audits find "
                       f"{100 * _nz(_get(f, 'internal_process.padding_found_share')):.0f}% of them."),
         "Kerr 1975; Anderson and Oliver 1987",
         plain="Reps log calls and visits that never happened", amount=lambda v: f"{100 * v:.1f}% of logged activities never happened"),
)}
assert tuple(RISKS) == RISK_NAMES, "a scenario file names the risks judged here"


def nanmean(values) -> float:
    """Mean of the values that are not nan (nan if none are)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else float("nan")


def _nz(value: float) -> float:
    return 0.0 if math.isnan(value) else value


@dataclass(frozen=True)
class Verdict:
    risk: str
    title: str
    level: str
    value: float
    ci_low: float
    ci_high: float
    elevated: float
    high: float
    figure: str
    sentence: str
    replications: int

    def as_dict(self) -> dict:
        return asdict(self)


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of replications' values (nan interval for one)."""
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if x.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + confidence / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return mean, mean - half, mean + half


def level_of(value: float, elevated: float, high: float) -> str:
    if math.isnan(value) or value < elevated:
        return "low"
    return "high" if value >= high else "elevated"


def verdicts(summaries: Sequence[dict], thresholds: Mapping[str, Mapping[str, float]] | None = None) -> list[Verdict]:
    """The verdict on every named risk from the summaries of one plan's replications."""
    flats = [flatten(s) for s in summaries]
    thresholds = thresholds or {}
    out = []
    for risk in RISKS.values():
        limits = {"elevated": risk.elevated, "high": risk.high, **thresholds.get(risk.name, {})}
        mean, low, high = mean_ci([risk.measure(f) for f in flats])
        averaged = {k: nanmean([f.get(k, np.nan) for f in flats]) for k in flats[0]}
        level = level_of(mean, limits["elevated"], limits["high"])
        sentence = risk.explain(mean, averaged) if not math.isnan(mean) else "Not measurable in this run."
        out.append(Verdict(risk.name, risk.title, level, mean, low, high, limits["elevated"], limits["high"],
                           risk.figure, sentence, len(flats)))
    return out


def format_verdicts(found: Sequence[Verdict]) -> str:
    """The verdicts as a readable text table."""
    lines = [f"{'RISK':<40}{'LEVEL':>10}{'VALUE':>10}{'95% CI':>22}"]
    for v in found:
        ci = "" if math.isnan(v.ci_low) else f"[{v.ci_low:.3f}, {v.ci_high:.3f}]"
        lines.append(f"{v.title:<40}{v.level.upper():>10}{v.value:>10.3f}{ci:>22}")
        lines.append(f"    {v.sentence}")
    return "\n".join(lines)
