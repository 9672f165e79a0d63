"""Metrics: named functions of a run's tables, and the balanced scorecard built from them.

Every figure in reports, risk verdicts and sweeps comes from these functions, so a metric means
the same thing everywhere. The scorecard follows Kaplan and Norton's four perspectives:
financial, customer, internal process (here: the gaming indices), learning and growth.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simulator.analysis.glossary import entries
from simulator.calendar import DAYS_PER_YEAR

EDGE_SHARE = 0.10  # "the last 10% of each period's days"


def _safe(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else float("nan")


def net_revenue(daily: pd.DataFrame) -> float:
    """Revenue from real sales net of discounts, cancellations and refunds, $. Fabricated sales
    bring none; their fees are counted apart (`financial.fees_kept`)."""
    return float(daily["revenue"].sum() - daily["cancellations"].sum() - daily["refunds"].sum())


def gross_profit(daily: pd.DataFrame) -> float:
    """Gross profit net of discounts; cancelled and refunded sales take their share of it back, $."""
    revenue = daily["revenue"].sum()
    reversed_share = _safe(daily["cancellations"].sum() + daily["refunds"].sum(), revenue)
    return float(daily["gross_profit"].sum() * (1.0 - reversed_share))


def revenue_lost_to_trust(daily: pd.DataFrame) -> float:
    """Revenue the demand that lost trust would have brought: each day's revenue x (1 - f) / f,
    with f the share of demand trust leaves, $."""
    factor = daily["trust_demand"].clip(lower=1e-6)
    return float((daily["revenue"] * (1.0 - factor) / factor).sum())


def comp_cost(rep_periods: pd.DataFrame) -> float:
    """Total pay: base + commission + bonus - clawback, $."""
    return float(rep_periods["pay"].sum()) if len(rep_periods) else 0.0


def edge_share(daily: pd.DataFrame, period_days: int, last: bool = True) -> float:
    """Share of bookings in the last (or first) 10% of each quota period's days.

    About 10% when bookings are even; undefined for periods shorter than 10 days.
    """
    if period_days < 10:
        return float("nan")
    edge = max(1, int(round(EDGE_SHARE * period_days)))
    position = period_days - daily["days_left"]
    mask = daily["days_left"] <= edge if last else position < edge
    return _safe(daily.loc[mask, "bookings"].sum(), daily["bookings"].sum())


def edge_day_ratio(daily: pd.DataFrame, period_days: int, last: bool = True) -> float:
    """Bookings on a period's last (or first) day relative to an average day."""
    if period_days < 2:
        return float("nan")
    mask = daily["days_left"] == (1 if last else period_days)
    return _safe(daily.loc[mask, "bookings"].mean(), daily["bookings"].mean())


def discount_leakage(daily: pd.DataFrame) -> float:
    """Discounts as a share of list-price bookings."""
    return _safe(daily["discounts"].sum(), daily["bookings"].sum())


def forecast_error(daily: pd.DataFrame) -> float:
    """Mean absolute error of a naive forecast of each period's bookings (the previous period's),
    relative to the forecast: timing games make period totals swing."""
    totals = daily.groupby("period")["bookings"].sum().to_numpy()
    if totals.size < 3:
        return float("nan")
    previous, current = totals[1:-1], totals[2:]
    return float(np.mean(np.abs(current - previous) / np.maximum(previous, 1e-9)))


def complete_periods(rep_periods: pd.DataFrame) -> pd.DataFrame:
    """Rows of whole quota periods (leavers' partial periods excluded)."""
    return rep_periods[rep_periods["complete"]] if len(rep_periods) else rep_periods


def _figure_columns(rows: pd.DataFrame, products: list[str]) -> dict[str, np.ndarray]:
    """The columns `_group_figures` reads, as arrays: groups are cut from these alone (NumPy on the
    same values in the same order gives what pandas' reductions give, a good deal faster)."""
    names = ("attainment", "effort", "sales", "pay", "pulled_in", "pushed_out", *(f"sales_{p}" for p in products))
    return {name: rows[name].to_numpy() for name in names}


def _group_figures(columns: dict[str, np.ndarray], products: list[str], members: np.ndarray) -> dict[str, float]:
    """Attainment, hit rate, effort, pay, timing and product mix of the rep-periods `members` (a mask)."""
    g = {name: values[members] for name, values in columns.items()}
    sales = sum(g[f"sales_{p}"].sum() for p in products)
    entry = {
        "rep_periods": len(g["attainment"]),
        "attainment_mean": float(g["attainment"].mean()),
        "attainment_sd": float(g["attainment"].std(ddof=0)),
        "hit_rate": float((g["attainment"] >= 1.0).mean()),
        "effort": float(g["effort"].mean()),
        "sales_per_period": float(g["sales"].mean()),
        "pay_per_period": float(g["pay"].mean()),
        "pulled_in_per_period": float(g["pulled_in"].mean()),
        "pushed_out_per_period": float(g["pushed_out"].mean()),
    }
    for p in products:
        entry[f"sales_share_{p}"] = _safe(g[f"sales_{p}"].sum(), sales)
    return entry


def by_performer(rep_periods: pd.DataFrame, products: list[str]) -> dict[str, dict[str, float]]:
    """Attainment, hit rate, effort, pay and product mix per performer type (the scenario's
    segments: what reps are, which no firm observes)."""
    rows = complete_periods(rep_periods)
    if rows.empty:
        return {}
    kind = rows["performer_type"]
    codes = kind.cat.codes.to_numpy()
    columns = _figure_columns(rows, products)
    return {str(name): _group_figures(columns, products, codes == code)
            for code, name in enumerate(kind.cat.categories) if (codes == code).any()}


TERCILES = ("bottom", "middle", "top")


def _rep_years(rows: pd.DataFrame, sums: tuple[str, ...], means: tuple[str, ...] = (),
               firsts: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Rep-periods by rep and calendar year (the year a period ends in), in the order of (rep, year):
    the columns `sums` summed, `means` averaged and `firsts` as in the rep's first period of the year.
    NumPy, not a pandas groupby: the scorecard needs it twice a run, and a sweep runs thousands."""
    rep = rows["rep_id"].to_numpy()
    year = rows["end_day"].to_numpy() // DAYS_PER_YEAR
    keys = np.stack([rep, year])
    order = np.lexsort(keys[::-1])  # stable: by rep, then year, then the rows' own order
    sorted_keys = keys[:, order]
    opens = np.r_[True, (sorted_keys[:, 1:] != sorted_keys[:, :-1]).any(axis=0)]
    starts = np.flatnonzero(opens)
    group = np.empty(len(order), dtype=np.int64)
    group[order] = np.cumsum(opens) - 1
    n = len(starts)
    count = np.bincount(group, minlength=n)

    def total(column: str) -> np.ndarray:
        return np.bincount(group, weights=rows[column].to_numpy(dtype=float), minlength=n)

    return {"rep_id": sorted_keys[0, starts], "year": sorted_keys[1, starts],
            **{name: total(name) for name in sums}, **{name: total(name) / count for name in means},
            **{name: rows[name].to_numpy()[order[starts]] for name in firsts}}


def prior_tercile(rep_periods: pd.DataFrame) -> pd.Series:
    """Each complete rep-period's tercile of its rep's attainment over the previous calendar year
    (sales over quota of that year's complete periods), among the reps who worked that whole year:
    performer types as a firm sees them, from its own records. NaN for periods in a rep's first
    year or after a partial one."""
    rows = complete_periods(rep_periods)
    out = pd.Series(np.nan, index=rows.index, dtype=object)
    if rows.empty:
        return out
    years = _rep_years(rows, ("sales", "quota", "days"))
    whole = years["days"] >= DAYS_PER_YEAR
    if not whole.any():
        return out
    rep, year, quota = years["rep_id"][whole], years["year"][whole], years["quota"][whole]
    with np.errstate(divide="ignore", invalid="ignore"):
        attainment = years["sales"][whole] / np.where(quota > 0, quota, np.nan)
    # rank within each year, ties in the order of the reps (pandas' method="first"), as a share of
    # the year's reps with an attainment; NaN attainments stay unranked
    order = np.lexsort((np.arange(len(rep)), attainment, year))
    known = ~np.isnan(attainment[order])
    year_sorted = year[order]
    first_of_year = np.r_[True, year_sorted[1:] != year_sorted[:-1]]
    block = np.cumsum(first_of_year) - 1
    position = np.arange(len(order)) - np.flatnonzero(first_of_year)[block] + 1
    counted = np.bincount(block, weights=known, minlength=block[-1] + 1)
    share = np.full(len(order), np.nan)
    share[order[known]] = position[known] / counted[block[known]]
    # (0, 1/3], (1/3, 2/3], (2/3, 1]: the intervals of pd.cut on the same edges
    bin_of = np.searchsorted(np.array([0.0, 1 / 3, 2 / 3, 1.0]), share, side="left") - 1
    labels = np.array(TERCILES + (None,), dtype=object)[np.where((bin_of >= 0) & (bin_of < 3), bin_of, 3)]
    # each row takes its rep's tercile of the year before the one it ends in
    span = int(max(year.max(), rows["end_day"].max() // DAYS_PER_YEAR)) + 2
    key = rep * span + year
    wanted = rows["rep_id"].to_numpy() * span + rows["end_day"].to_numpy() // DAYS_PER_YEAR - 1
    at = np.minimum(np.searchsorted(key, wanted), len(key) - 1)
    found = key[at] == wanted
    values = np.where(found, labels[at], None)
    values[pd.isna(values)] = np.nan
    return pd.Series(values, index=rows.index, dtype=object)


def by_prior_tercile(rep_periods: pd.DataFrame, products: list[str]) -> dict[str, dict[str, float]]:
    """The figures of `by_performer` per tercile of last year's attainment (`prior_tercile`), from the
    second year on: how a plan treats the reps a firm knows as its top, middle and bottom third."""
    rows = complete_periods(rep_periods)
    tercile = prior_tercile(rep_periods)
    known = tercile.notna()
    if not known.any():
        return {}
    columns = _figure_columns(rows, products)
    tercile = tercile.to_numpy()
    return {name: _group_figures(columns, products, tercile == name) for name in TERCILES if (tercile == name).any()}


def recurring_revenue(daily: pd.DataFrame) -> float:
    """Recurring revenue billed (subscriptions), $."""
    return float(daily["recurring_revenue"].sum())


def revenue_lost_to_churn(daily: pd.DataFrame, business_model: str) -> float:
    """What misconduct's damage to customers cost in revenue, $: for subscriptions, a year of the
    recurring revenue that churned beyond the normal rate (lost trust, mis-sold customers); for
    products and services, the sales that lower trust kept from coming."""
    if business_model == "subscription":
        return 12.0 * float(daily["churned_mrr_excess"].sum())
    return revenue_lost_to_trust(daily)


def giving_up_share(rep_periods: pd.DataFrame) -> float:
    """Share of the less able half's whole years in the job in which they gave up: below half of
    their quotas while working at under 60% of the force's median effort (Chung, Steenburgh and
    Sudhir 2014 on reps far from quota). Years, not quota periods, so short periods' noise does not
    count as giving up."""
    rows = complete_periods(rep_periods)
    if rows.empty:
        return float("nan")
    years = _rep_years(rows, ("sales", "quota", "days"), means=("effort",), firsts=("ability",))
    whole = years["days"] >= DAYS_PER_YEAR
    if not whole.any():
        return float("nan")
    sales, quota, ability, effort = (years[k][whole] for k in ("sales", "quota", "ability", "effort"))
    less_able = ability <= np.median(ability)
    gave_up = (sales[less_able] < 0.5 * quota[less_able]) & (effort[less_able] < 0.6 * np.median(effort))
    return float(gave_up.mean())


def attainment_by_territory(rep_periods: pd.DataFrame) -> dict[str, float]:
    """Fairness of quotas across territories: mean attainment in the richest third of territories
    (by potential) less that in the poorest third, and the slope of attainment on log potential.
    Both are near 0 when quotas follow what each territory can yield (Zoltners, Sinha and Lorimer
    2006 on quota fairness); a uniform quota on unequal territories makes them large."""
    rows = complete_periods(rep_periods)
    if len(rows) < 3 or rows["territory_potential"].nunique() < 3:
        return {"attainment_spread_territory": float("nan"), "attainment_territory_slope": float("nan")}
    potential = rows["territory_potential"].to_numpy()
    attainment = rows["attainment"].to_numpy()
    low, high = np.quantile(potential, [1 / 3, 2 / 3])
    spread = attainment[potential >= high].mean() - attainment[potential <= low].mean()
    slope = np.polyfit(np.log(potential), attainment, 1)[0]
    return {"attainment_spread_territory": float(spread), "attainment_territory_slope": float(slope)}


def business_model_figures(daily: pd.DataFrame, business_model: str, *, bill_rate: float = float("nan"),
                           delivery_hours_per_day: float = float("nan")) -> dict[str, float]:
    """What each business model is judged by. Products: units and revenue. Services: billed work,
    billable hours and the delivery staff's utilisation (hours sold over hours they could bill).
    Subscriptions: new annual recurring revenue (ARR: a year of each new contract), ARR at the
    end, monthly churn of recurring revenue, and the lifetime gross profit of a $ of new ARR
    (margin / (12 x monthly churn), the usual customer-lifetime-value rule)."""
    net = float(daily["revenue"].sum() - daily["cancellations"].sum() - daily["refunds"].sum())
    margin = _safe(float(daily["gross_profit"].sum()), float(daily["revenue"].sum()))
    if business_model == "service":
        hours = net / bill_rate
        capacity = float(daily["headcount"].sum()) * delivery_hours_per_day
        return {"billed_work": net, "billable_hours": hours, "utilisation": _safe(hours, capacity),
                "engagements": float(daily["deals"].sum())}
    if business_model == "subscription":
        churn = _safe(float(daily["churned_mrr"].sum()), float(daily["recurring_revenue"].sum()))
        active = daily.loc[daily["active_mrr"] > 0, "active_mrr"]
        return {"new_arr": net, "arr_end": 12.0 * float(active.iloc[-1]) if len(active) else 0.0,
                "recurring_revenue": float(daily["recurring_revenue"].sum()), "monthly_churn": churn,
                "churn_from_harm_share": _safe(float(daily["churned_mrr_excess"].sum()), float(daily["churned_mrr"].sum())),
                "lifetime_value_per_arr_dollar": _safe(margin, 12.0 * churn) if churn else float("nan")}
    return {"units": float(daily["deals"].sum()), "revenue": net}


def activity_figures(daily: pd.DataFrame, rep_periods: pd.DataFrame, rep_years: float) -> dict:
    """Activities and their padding (`simulator.levers.activity`): counts a rep a year, the share of
    logged activities that never happened, the share of those found, credited sales per logged
    activity and what activity pay cost. Empty when the scenario logs no activities."""
    if "activities_logged" not in daily:
        return {}
    logged = float(daily["activities_logged"].sum())
    padded = float(daily["activities_padded"].sum())
    return {
        "activities_per_rep_year": _safe(float(daily["activities"].sum()), rep_years),
        "activities_logged_per_rep_year": _safe(logged, rep_years),
        "activity_padding_share": _safe(padded, logged),
        "padding_found_share": _safe(float(daily["padding_found"].sum()), padded),
        "sales_per_logged_activity": _safe(float(daily["credited"].sum()), logged),
        "activity_pay": float(rep_periods["activity_pay"].sum()) if "activity_pay" in rep_periods else 0.0,
    }


RAMP_SHARE = 0.5  # a launch has ramped when a month's sales of it reach half their level at the run's end


def launch_figures(daily: pd.DataFrame, products: list[str]) -> dict:
    """A launched product (`simulator.levers.launch`), as designers compare launch plans: adoption (its
    share of bookings in the run's last quarter, and awareness at the end), time to ramp
    (business days from launch until a month's bookings of it first reach RAMP_SHARE of their
    last-quarter rate) and cannibalisation (the change in the other products' bookings a day
    after the launch against before it). Empty without a launch."""
    launched = [c.removeprefix("awareness_") for c in daily.columns if c.startswith("awareness_")]
    if not launched or launched[0] not in products:
        return {}
    new = launched[0]
    old = [f"bookings_{p}" for p in products if p != new]
    on_sale = daily[f"awareness_{new}"] > 0
    day = int(on_sale.idxmax()) if on_sale.any() else len(daily)
    after = daily.iloc[day:]
    last = daily.iloc[-63:]
    rate_end = float(last[f"bookings_{new}"].mean())
    monthly = after[f"bookings_{new}"].rolling(21, min_periods=21).mean()
    ramped = monthly >= RAMP_SHARE * rate_end if rate_end > 0 else monthly < 0
    before_old = float(daily.iloc[:day][old].sum(axis=1).mean()) if day > 0 else float("nan")
    return {
        "launch_day": float(day),
        "launch_adoption": _safe(float(last[f"bookings_{new}"].sum()), float(last["bookings"].sum())),
        "launch_awareness_end": float(daily[f"awareness_{new}"].iloc[-1]),
        "launch_bookings_per_day_end": rate_end,
        "launch_days_to_ramp": float(ramped.to_numpy().argmax()) if ramped.any() else float("nan"),
        "launch_cannibalisation": 1.0 - _safe(float(after[old].sum(axis=1).mean()), before_old),
    }


def training_figures(daily: pd.DataFrame, rep_years: float, profit_after_comp: float) -> dict[str, dict]:
    """Skills and training (`simulator.levers.training`), by scorecard perspective: what training cost
    (financial), customers' trust in their reps at the end (customer), and the force's skill,
    its win-rate lift over an average-skilled rep's and courses a rep a year at the end (learning
    and growth). Empty without skills."""
    if "skill" not in daily:
        return {}
    cost = float(daily["training_cost"].sum())
    end = daily.iloc[-1]
    return {
        "financial": {"training_cost": cost, "profit_after_comp_and_training": profit_after_comp - cost},
        "customer": {"relationship_trust_end": float(end["relationship_trust"])},
        "learning_growth": {"skill_end": float(end["skill"]), "win_rate_lift_end": float(end["win_rate_lift"]),
                            "courses_per_rep_year": _safe(float(daily["courses"].sum()), rep_years)},
    }


def scorecard(daily: pd.DataFrame, rep_periods: pd.DataFrame, acts: pd.DataFrame | None = None, *,
              period_days: int, force_size: int, products: list[str], business_model: str = "product",
              reference_margin: float = float("nan"), goal_assigned: bool = True) -> dict:
    """The balanced scorecard of one run."""
    years = len(daily) / DAYS_PER_YEAR
    revenue = net_revenue(daily)
    profit = gross_profit(daily)
    if business_model == "subscription":  # revenue is what is billed; margins as on what was sold
        billed = recurring_revenue(daily)
        profit *= _safe(billed, revenue) if revenue else 0.0
        revenue = billed
    pay = comp_cost(rep_periods)
    base = float(rep_periods["base"].sum()) if len(rep_periods) else 0.0
    rows = complete_periods(rep_periods)
    headcount = float(daily["headcount"].mean())
    deals = float(daily["deals"].sum())
    leavers = float(daily["quits"].sum() + daily["fired"].sum())
    acts = acts if acts is not None else pd.DataFrame()
    n_acts = float(len(acts))
    fines = float(daily["fines"].sum() + daily["remediation"].sum())
    financial = {
        "revenue": revenue,
        "bookings": float(daily["bookings"].sum()),
        "discounts": float(daily["discounts"].sum()),
        "cancellations": float(daily["cancellations"].sum()),
        "gross_profit": profit,
        "comp_cost": pay,
        "base_pay": base,
        "variable_pay": pay - base,
        "fixed_pay_share": _safe(base, pay),
        "comp_cost_ratio": _safe(pay, revenue),
        "profit_after_comp": profit - pay,
        "revenue_per_rep_year": _safe(revenue, headcount * years),
        "fees_kept": float(daily["fees"].sum() - daily["fee_refunds"].sum()),
        "fines_and_remediation": fines,
        "profit_after_comp_and_fines": profit - pay - fines,
        "revenue_lost_to_trust": revenue_lost_to_trust(daily),
        "revenue_lost_to_churn": revenue_lost_to_churn(daily, business_model),
        "bookings_net": float(daily["revenue"].sum() - daily["cancellations"].sum() - daily["refunds"].sum()),
        "arr_end": 12.0 * float(daily.loc[daily["active_mrr"] > 0, "active_mrr"].iloc[-1])
        if business_model == "subscription" and (daily["active_mrr"] > 0).any() else float("nan"),
    }
    customer = {
        "customers_served": deals,
        "discounted_share_of_deals": _safe(float(daily["discount_offers"].sum() + daily["pulled_in"].sum()), deals),
        "waiting_share_end": float(daily["waiting_share"].iloc[-1]) if len(daily) else float("nan"),
        "walkaways": float(daily["walkaways"].sum()),
        "cancellation_rate": _safe(float(daily["cancellations"].sum()), float(daily["revenue"].sum())),
        "uncovered_revenue_share": _safe(float(daily["house_revenue"].sum()), float(daily["revenue"].sum())),
        "customers_harmed": n_acts,
        "complaints": float(daily["complaints"].sum()),
        "refunded": float(daily["refunds"].sum() + daily["fee_refunds"].sum()),
        "trust_end": float(daily["trust"].iloc[-1]) if len(daily) else float("nan"),
        "trust_min": float(daily["trust"].min()) if len(daily) else float("nan"),
    }
    internal = {
        "last10_share": edge_share(daily, period_days, last=True),
        "first10_share": edge_share(daily, period_days, last=False),
        "last_day_ratio": edge_day_ratio(daily, period_days, last=True),
        "first_day_ratio": edge_day_ratio(daily, period_days, last=False),
        "discount_leakage": discount_leakage(daily),
        "pulled_in_share": _safe(float(daily["pulled_in"].sum()), deals),
        "pushed_out_share": _safe(float(daily["pushed_out"].sum()), deals),
        "forecast_error": forecast_error(daily),
        "hit_rate": float((rows["attainment"] >= 1.0).mean()) if len(rows) else float("nan"),
        "attainment_mean": float(rows["attainment"].mean()) if len(rows) else float("nan"),
        "attainment_sd": float(rows["attainment"].std(ddof=0)) if len(rows) else float("nan"),
        "effort_mean": float(daily["effort"].mean()),
        "gross_margin": _safe(float(daily["gross_profit"].sum()), float(daily["revenue"].sum())),
        "reference_margin": reference_margin,
        "misconduct_rate": _safe(n_acts, headcount * years),
        "fabrication_rate": _safe(float(daily["fabrications"].sum()), headcount * years),
        "mis_selling_rate": _safe(float(daily["mis_sales"].sum()), headcount * years),
        "fabrications": float(daily["fabrications"].sum()),
        "mis_sales": float(daily["mis_sales"].sum()),
        "fake_share_of_reported": _safe(float(daily["fake_credit"].sum()),
                                        float(daily["credited"].sum() + daily["fake_credit"].sum())),
        "undetected_share": _safe(float((~acts["detected"]).sum()), n_acts) if n_acts else float("nan"),
        "detection_lag_days": float(acts["detection_lag_days"].mean()) if n_acts and acts["detected"].any() else float("nan"),
        "dismissals": float(daily["dismissals"].sum()),
        **attainment_by_territory(rep_periods),
    }
    internal.update(activity_figures(daily, rep_periods, headcount * years))  # levers from selling practice
    internal.update(launch_figures(daily, products))
    for p in products:
        internal[f"sales_share_{p}"] = _safe(float(daily[f"bookings_{p}"].sum()), float(daily["bookings"].sum()))
    learning = {
        "headcount_mean": headcount,
        "giving_up_share": giving_up_share(rep_periods) if goal_assigned else float("nan"),
        "vacancy_share": 1.0 - _safe(headcount, force_size),
        "turnover_rate": _safe(leavers, headcount * years),
        "quit_rate": _safe(float(daily["quits"].sum()), headcount * years),
        "fired_rate": _safe(float(daily["fired"].sum()), headcount * years),
        "hires": float(daily["hires"].sum()),
        "morale_end": float(rows.loc[rows["end_day"] == rows["end_day"].max(), "morale"].mean()) if len(rows) else float("nan"),
        "tenure_years_end": float(rows.loc[rows["end_day"] == rows["end_day"].max(), "tenure_days"].mean() / DAYS_PER_YEAR) if len(rows) else float("nan"),
    }
    for section, figures in training_figures(daily, headcount * years, profit - pay).items():
        {"financial": financial, "customer": customer, "learning_growth": learning}[section].update(figures)
    return {
        "financial": financial,
        "customer": customer,
        "internal_process": internal,
        "learning_growth": learning,
        "by_performer": by_performer(rep_periods, products),
        "by_prior_tercile": by_prior_tercile(rep_periods, products),
    }


# ------------------------------------------------------------------------------------- the dictionary
# What every figure of `scorecard` (and of `business_model_figures`) is, by its flattened name
# (`flatten`): a sweep's metric columns, summary.json and the report. A figure computed by a named
# function takes that function's docstring as its definition. tests/test_metric_dictionary.py
# fails when a figure here and the scorecard of a real run disagree.

# the figures of `_group_figures`, for each group of reps the scorecard splits the force into
GROUP_FIGURES = (
    ("attainment_mean", "x quota", "Their mean attainment."),
    ("attainment_sd", "x quota", "Standard deviation of their attainment."),
    ("hit_rate", "share", "Their periods at or above quota."),
    ("effort", "effort units", "Their mean daily effort."),
    ("sales_per_period", "$", "Their credited sales a quota period."),
    ("pay_per_period", "$", "Their pay a quota period."),
    ("pulled_in_per_period", "count", "Deals they pulled in a quota period."),
    ("pushed_out_per_period", "count", "Deals they pushed out a quota period."),
    ("sales_share_{product}", "share", "The product's share of their credited sales."),
)

SCORECARD = (
    *entries("financial", [
        ("revenue", "$", ("Revenue from real sales net of discounts, cancellations and refunds (`net_revenue`); "
                         "for subscriptions, the recurring revenue billed over the run.")),
        ("bookings", "$", "List-price value of every sale booked, real and by the house (vacant territories)."),
        ("discounts", "$", "Discounts given off list price."),
        ("cancellations", "$", "Revenue of sales cancelled by customers within the cancellation window."),
        ("gross_profit", "$", gross_profit),
        ("comp_cost", "$", comp_cost),
        ("base_pay", "$", "Base salary paid."),
        ("variable_pay", "$", "Pay beyond base: commission, bonuses, prizes, draws, less clawbacks (comp_cost - base_pay)."),
        ("fixed_pay_share", "share", "Base pay over total pay."),
        ("comp_cost_ratio", "ratio", "Total pay over revenue."),
        ("profit_after_comp", "$", "Gross profit less total pay."),
        ("revenue_per_rep_year", "$ per rep-year", "Revenue over the reps' years in the job (mean headcount x years)."),
        ("fees_kept", "$", "Fees charged on fabricated accounts, less those refunded."),
        ("fines_and_remediation", "$", "Regulators' fines and remediation paid to harmed customers."),
        ("profit_after_comp_and_fines", "$", "Gross profit less total pay, fines and remediation."),
        ("revenue_lost_to_trust", "$", revenue_lost_to_trust),
        ("revenue_lost_to_churn", "$", revenue_lost_to_churn),
        ("bookings_net", "$", ("Revenue from real sales net of cancellations and refunds, as sold (for "
                              "subscriptions: the contracts' value, not what was billed).")),
        ("arr_end", "$ a year", ("Subscriptions: annual recurring revenue at the run's end (12 x the last "
                                "month's recurring revenue); n/a for other business models.")),
        ("training_cost", "$", "Training: what the courses cost (only with `skills`)."),
        ("profit_after_comp_and_training", "$", "Training: profit after pay less the training's cost."),
    ]),
    *entries("customer", [
        ("customers_served", "count", "Deals booked (a deal is one customer's purchase)."),
        ("discounted_share_of_deals", "share", "Deals that got a discount (period-end offers and pulled-in deals) over all deals."),
        ("waiting_share_end", "share", "Share of customers who wait for a period-end discount, on the last day."),
        ("walkaways", "count", "Customers kept waiting (pushed to the next period) who bought nothing."),
        ("cancellation_rate", "share", "Cancelled revenue over revenue booked."),
        ("uncovered_revenue_share", "share", "Revenue booked by the house in territories without a rep, over revenue."),
        ("customers_harmed", "count", "Acts of misconduct: fake accounts opened and needless sales made."),
        ("complaints", "count", "Complaints by harmed customers."),
        ("refunded", "$", "Refunds of mis-sold sales and of fees on fake accounts."),
        ("trust_end", "index 0-1", "Customers' trust in the firm on the last day (1: untouched by misconduct)."),
        ("trust_min", "index 0-1", "Customers' lowest trust in the firm over the run."),
        ("relationship_trust_end", "index", "Training: customers' mean trust in their own reps on the last day."),
    ]),
    *entries("internal_process", [
        ("last10_share", "share", edge_share),
        ("first10_share", "share", "As last10_share, for the first 10% of each quota period's days."),
        ("last_day_ratio", "ratio", edge_day_ratio),
        ("first_day_ratio", "ratio", "As last_day_ratio, for a period's first day."),
        ("discount_leakage", "share", discount_leakage),
        ("pulled_in_share", "share", "Deals pulled into the current period with a discount, over deals."),
        ("pushed_out_share", "share", "Deals held back at a period's end and booked in the next, over deals."),
        ("forecast_error", "share", forecast_error),
        ("hit_rate", "share", "Complete quota periods in which the rep reached quota (attainment >= 1)."),
        ("attainment_mean", "x quota", "Mean attainment (credited sales over quota) of complete quota periods."),
        ("attainment_sd", "x quota", "Standard deviation of attainment over complete quota periods."),
        ("effort_mean", "effort units", "The force's mean daily selling effort (1: a rep's usual effort)."),
        ("gross_margin", "share", "Gross profit over revenue, before cancellations."),
        ("reference_margin", "share", "Gross margin of a balanced product mix (what the mix would earn undistorted)."),
        ("misconduct_rate", "per rep-year", "Acts of misconduct (fabrications and mis-sales) a rep a year."),
        ("fabrication_rate", "per rep-year", "Fake accounts opened a rep a year."),
        ("mis_selling_rate", "per rep-year", "Needless sales (mis-selling) a rep a year."),
        ("fabrications", "count", "Fake accounts opened."),
        ("mis_sales", "count", "Needless sales made."),
        ("fake_share_of_reported", "share", "Credit from fake sales over all credited sales reported."),
        ("undetected_share", "share", "Acts of misconduct never detected by the run's end."),
        ("detection_lag_days", "business days", "Mean days from an act to its detection, over detected acts."),
        ("dismissals", "count", "Reps dismissed for misconduct."),
        ("attainment_spread_territory", "x quota", attainment_by_territory),
        ("attainment_territory_slope", "x quota per log $", ("Slope of attainment on the log of territory "
                                                            "potential (see attainment_spread_territory).")),
        ("activities_per_rep_year", "per rep-year", "Activities really done (calls, demos...) a rep a year (`activity_figures`)."),
        ("activities_logged_per_rep_year", "per rep-year", "Activities logged a rep a year, padding included."),
        ("activity_padding_share", "share", "Logged activities that never happened, over activities logged."),
        ("padding_found_share", "share", "Padded activities found by audits, over padded activities."),
        ("sales_per_logged_activity", "$", "Credited sales per activity logged."),
        ("activity_pay", "$", "Pay for activities (per-activity pay and activity-target bonuses)."),
        ("launch_day", "business day", "Launch: the day the new product went on sale (`launch_figures`)."),
        ("launch_adoption", "share", "Launch: the new product's share of bookings in the run's last quarter."),
        ("launch_awareness_end", "share", "Launch: share of the product's eventual market aware of it on the last day."),
        ("launch_bookings_per_day_end", "$ a day", "Launch: the new product's bookings a day in the last quarter."),
        ("launch_days_to_ramp", "business days", ("Launch: days from launch until a month's bookings of it reach "
                                                 "half their last-quarter rate.")),
        ("launch_cannibalisation", "share", ("Launch: fall in the other products' bookings a day after the launch, "
                                            "relative to before it.")),
        ("sales_share_{product}", "share", "The product's share of bookings (list value)."),
    ]),
    *entries("learning_growth", [
        ("headcount_mean", "reps", "Mean number of reps in the job."),
        ("giving_up_share", "share", giving_up_share),
        ("vacancy_share", "share", "Share of positions without a rep, on average."),
        ("turnover_rate", "per rep-year", "Reps leaving (quitting or let go) a rep a year."),
        ("quit_rate", "per rep-year", "Reps quitting a rep a year."),
        ("fired_rate", "per rep-year", "Reps let go (for performance or misconduct) a rep a year."),
        ("hires", "count", "Reps hired to fill vacancies."),
        ("morale_end", "index 0-1", "Mean morale of the reps who settled the last quota period."),
        ("tenure_years_end", "years", "Mean tenure of the reps who settled the last quota period."),
        ("skill_end", "index", "Training: the force's mean skill on the last day."),
        ("win_rate_lift_end", "share", "Training: win-rate lift of the force over an average-skilled rep, on the last day."),
        ("courses_per_rep_year", "per rep-year", "Training: courses taken a rep a year."),
    ]),
    *entries("by_performer.{performer_type}", [
        ("rep_periods", "count", "Complete quota periods of reps of this performer type (`by_performer`)."),
        *GROUP_FIGURES,
    ]),
    *entries("by_prior_tercile.{tercile}", [
        ("rep_periods", "count", ("Complete quota periods, from the second year on, of reps in this third of "
                                  "last year's attainment (`prior_tercile`; bottom, middle, top).")),
        *GROUP_FIGURES,
    ]),
    *entries("business_model", [
        ("units", "count", "Products: units sold (deals)."),
        ("revenue", "$", "Products: revenue net of cancellations and refunds."),
        ("billed_work", "$", "Services: work billed, net of cancellations and refunds."),
        ("billable_hours", "hours", "Services: billed work over the bill rate."),
        ("utilisation", "share", "Services: hours sold over the hours the delivery staff could bill."),
        ("engagements", "count", "Services: engagements sold."),
        ("new_arr", "$ a year", "Subscriptions: new annual recurring revenue sold (a year of each new contract)."),
        ("arr_end", "$ a year", "Subscriptions: annual recurring revenue at the run's end."),
        ("recurring_revenue", "$", "Subscriptions: recurring revenue billed over the run."),
        ("monthly_churn", "share a month", "Subscriptions: recurring revenue churned over recurring revenue billed."),
        ("churn_from_harm_share", "share", "Subscriptions: churn beyond the normal rate (misconduct's harm) over all churn."),
        ("lifetime_value_per_arr_dollar", "$ per $", ("Subscriptions: lifetime gross profit of a $ of new ARR, "
                                                    "margin / (12 x monthly churn).")),
    ]),
)


def flatten(card: dict, prefix: str = "") -> dict[str, float]:
    """{'financial': {'revenue': 1}} -> {'financial.revenue': 1}, for tables of many runs."""
    flat: dict[str, float] = {}
    for key, value in card.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            flat[name] = float(value)
    return flat


def format_scorecard(card: dict) -> str:
    """The scorecard as a readable text table."""
    money = {"revenue", "bookings", "discounts", "cancellations", "gross_profit", "comp_cost", "base_pay",
             "variable_pay", "profit_after_comp", "revenue_per_rep_year", "fees_kept", "fines_and_remediation",
             "profit_after_comp_and_fines", "revenue_lost_to_trust", "refunded", "revenue_lost_to_churn",
             "bookings_net", "arr_end"}
    lines = []
    for section in ("financial", "customer", "internal_process", "learning_growth"):
        lines.append(section.replace("_", " ").upper())
        for key, value in card[section].items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                shown = "n/a"
            elif key in money:
                shown = f"${value:,.0f}"
            elif abs(value) < 10 and not float(value).is_integer():
                shown = f"{value:.3f}"
            else:
                shown = f"{value:,.0f}"
            lines.append(f"  {key.replace('_', ' '):<32} {shown:>16}")
    if card.get("business_model"):
        figures = card["business_model"]
        lines.append(f"BUSINESS MODEL: {str(figures.get('model', '')).upper()}")
        for key, value in figures.items():
            if key != "model":
                shown = f"{value:.3f}" if abs(value) < 10 else f"{value:,.0f}"
                lines.append(f"  {key.replace('_', ' '):<32} {shown:>16}")
    for section, title in (("by_performer", "BY PERFORMER TYPE"),
                           ("by_prior_tercile", "BY THIRD OF LAST YEAR'S ATTAINMENT")):
        groups = card.get(section) or {}
        if section == "by_performer" or groups:
            lines.append(title)
        types = list(groups)
        if types:
            keys = list(groups[types[0]])
            lines.append("  " + " " * 32 + "".join(f"{t:>14}" for t in types))
            for key in keys:
                vals = [groups[t].get(key, float("nan")) for t in types]
                lines.append(f"  {key.replace('_', ' '):<32}" + "".join(
                    f"{v:>14,.0f}" if abs(v) >= 100 else f"{v:>14.3f}" for v in vals))
    return "\n".join(lines)
