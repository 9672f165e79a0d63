"""Sizes published in field studies, and what a scenario gives against them.

Each target names a figure of a run (a function of its tables), the study, and the band the
study reports; where a study reports a direction only, the band is open on one side and says so.
`check` runs a scenario on several seeds and gives, per target, the model's mean with a 95%
interval (Student t over the runs) and whether the interval meets the band. A target that is
missed is a finding, not a failure of the check: the table says where the model falls short.

    python -m simulator.calibration.magnitudes scenarios/accelerator.yaml --replications 5
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulator.analysis.risk import mean_ci
from simulator.experiments.design import run_seeds
from simulator.experiments.run import RunResult, run
from simulator.scenario import Scenario, load_scenario

MONTH = 21
YEAR = 252


def discount_cost(daily: pd.DataFrame) -> float:
    """Discounts given, as a share of revenue."""
    return float(daily["discounts"].sum() / daily["revenue"].sum())


def _month_of_year(daily: pd.DataFrame) -> pd.Series:
    return (daily["day"] // MONTH) % 12


def year_end_ratio(daily: pd.DataFrame) -> float:
    """Bookings in a year's last month over its middle months' (4th to 9th) mean month."""
    month = _month_of_year(daily)
    middle = daily.loc[month.between(3, 8), "bookings"].sum() / 6
    return float(daily.loc[month == 11, "bookings"].sum() / middle)


def year_start_ratio(daily: pd.DataFrame) -> float:
    """Bookings in a year's first month over its middle months' mean month (the run's first
    month, when nothing was carried in, left out)."""
    month = _month_of_year(daily)
    later = daily["day"] >= 12 * MONTH
    middle = daily.loc[later & month.between(3, 8), "bookings"].sum() / 6
    return float(daily.loc[later & (month == 0), "bookings"].sum() / middle) if middle > 0 else float("nan")


def _whole_rep_years(rep_periods: pd.DataFrame) -> pd.DataFrame:
    """Sales and quota summed over each rep's years, for reps who held the job the whole year."""
    rows = rep_periods[rep_periods["complete"].astype(bool)]
    years = rows.assign(year=rows["start_day"] // YEAR).groupby(["rep_id", "year"])
    totals = years.agg(sales=("sales", "sum"), quota=("quota", "sum"), days=("days", "sum"))
    return totals[totals["days"] == YEAR]


def annual_hit_rate(rep_periods: pd.DataFrame) -> float:
    """Share of rep-years with the year's sales at or above the year's quota (the sum of its
    periods' quotas): what a firm reports as the share of reps making quota."""
    years = _whole_rep_years(rep_periods)
    return float((years["sales"] >= years["quota"]).mean()) if len(years) else float("nan")


def plan_attainment(rep_periods: pd.DataFrame) -> float:
    """The force's sales over its quotas, over whole rep-years: a firm's revenue plan attainment."""
    years = _whole_rep_years(rep_periods)
    return float(years["sales"].sum() / years["quota"].sum()) if len(years) else float("nan")


def _daily(figure: Callable[[pd.DataFrame], float]) -> Callable[[RunResult], float]:
    return lambda result: figure(result.daily)


def _rep_periods(figure: Callable[[pd.DataFrame], float]) -> Callable[[RunResult], float]:
    return lambda result: figure(result.rep_periods)


@dataclass(frozen=True)
class Target:
    """A published size: the figure, its source, the band (None: open side) and what the study says."""

    name: str
    figure: Callable[[RunResult], float]
    source: str
    low: float | None
    high: float | None
    says: str


# CSO Insights' yearly Sales Performance Optimization surveys (about 2,800 firms a year, mostly B2B):
# reps making quota 49% (2004), 58% (2005), 58.8% (2008), 51.8% (2009), 59.4% (2010); revenue plan
# attainment 85.9% (2008) and 77.9% (2009). The bands span the years reported (a recession year included).
CSO = "CSO Insights, Sales Performance Optimization surveys 2005-2011"
TARGETS = (
    Target("discount_cost", _daily(discount_cost), "Larkin (2014), J. Labor Econ. 32(2)", 0.06, 0.08,
           "timing gaming under an accelerating commission plan costs the vendor 6-8% of revenue in discounts"),
    Target("year_end_ratio", _daily(year_end_ratio), "Oyer (1998), Q. J. Econ. 113(1)", 1.0, None,
           "sales are higher at the end of the fiscal year than in its middle (direction; no size used here)"),
    Target("year_start_ratio", _daily(year_start_ratio), "Oyer (1998), Q. J. Econ. 113(1)", None, 1.0,
           "sales are lower at the start of the fiscal year than in its middle (direction; no size used here)"),
    Target("annual_hit_rate", _rep_periods(annual_hit_rate), CSO, 0.49, 0.594,
           "49-59% of B2B reps make their annual quota, year by year"),
    Target("plan_attainment", _rep_periods(plan_attainment), CSO, 0.779, 0.859,
           "sales forces reach 78-86% of their revenue plan (the sum of their quotas)"),
)
BY_NAME: dict[str, Target] = {t.name: t for t in TARGETS}


def band(target: Target) -> str:
    if target.low is not None and target.high is not None:
        return f"{target.low:g} to {target.high:g}"
    return f"above {target.low:g}" if target.low is not None else f"below {target.high:g}"


def judge(target: Target, low: float, high: float) -> str:
    """'holds' when the interval low..high lies inside the target's band, 'overlaps' when the two
    meet, else 'misses'."""
    above = target.low is None or low >= target.low
    below = target.high is None or high <= target.high
    meets = target.low is None or high >= target.low
    under = target.high is None or low <= target.high
    return "holds" if above and below else "overlaps" if meets and under else "misses"


def seeds(replications: int, seed: int = 1) -> list[int]:
    """The runs' seeds: the first `replications` children of `seed` (`run_seeds`)."""
    return [int(s) for s in run_seeds(seed, 1, replications)]


def sizes_of(result: RunResult, names: Sequence[str]) -> list[float]:
    """The named sizes of a run's tables."""
    return [BY_NAME[name].figure(result) for name in names]


def figures(scenario: Scenario, seed: int, names: Sequence[str]) -> list[float]:
    """The named sizes of one run (what a worker sends back instead of the run's tables)."""
    return sizes_of(run(scenario, seed, summary=False), names)


def judged(t: Target, scenario: str, values: Sequence[float]) -> dict:
    """A table row: the band, the runs' mean with its 95% interval (Student t), the verdict (`judge`)."""
    mean, low, high = mean_ci(np.asarray(values, dtype=float))
    return {"target": t.name, "source": t.source, "study": t.says, "band": band(t), "scenario": scenario,
            "model": mean, "ci_low": low, "ci_high": high, "verdict": judge(t, low, high)}


def check(scenario: Scenario, replications: int = 5, seed: int = 1, targets: Sequence[Target] = TARGETS
          ) -> pd.DataFrame:
    """A row per target: the band, the model's mean and 95% interval over `replications` runs, and
    the verdict: 'holds' (the interval inside the band), 'overlaps' or 'misses'."""
    names = [t.name for t in targets]
    values = np.array([figures(scenario, s, names) for s in seeds(replications, seed)])
    return pd.DataFrame([judged(t, scenario.name, values[:, k]) for k, t in enumerate(targets)])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Compare a scenario's figures with sizes published in field studies.")
    parser.add_argument("scenarios", nargs="+")
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    args = parser.parse_args(argv)
    tables = [check(load_scenario(path, args.set), args.replications, args.seed) for path in args.scenarios]
    table = pd.concat(tables, ignore_index=True)
    print(table[["scenario", "target", "band", "model", "ci_low", "ci_high", "verdict", "source"]]
          .to_string(index=False, float_format=lambda v: f"{v:.4g}"))


if __name__ == "__main__":
    main()
