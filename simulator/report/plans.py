"""The plan report: one self-contained HTML page and its figures as PNG, from a run's or a
comparison's folder.

The report reads result files only (never the model), so it can be redrawn from any saved run.
Each plan keeps one colour across every figure (the Okabe-Ito palette, legible to colour-blind
readers); fonts and lines are sized for a projector; every axis says its unit.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt  # figures are closed once saved; no backend is forced, so notebooks show their own
import numpy as np
import pandas as pd
from pydantic import ValidationError

from simulator.analysis.replications import separation_words
from simulator.analysis.risk import verdicts
from simulator.calendar import DAYS_PER_YEAR, PERIOD_DAYS
from simulator.report.page import LEVEL_COLOURS, PALETTE, STYLE, embed_figure, fmt, write_page  # noqa: F401 (the report's palette and style, for notebooks)
from simulator.report.payout import fig_payout
from simulator.report.terms import terms_card
from simulator.scenario import Scenario


@dataclass
class PlanData:
    """What the report knows of one plan: its name, colour, period and tables."""

    name: str
    colour: str
    period_days: int
    daily: pd.DataFrame
    rep_periods: pd.DataFrame
    acts: pd.DataFrame
    summaries: list[dict] = field(default_factory=list)
    thresholds: dict = field(default_factory=dict)
    scenario: dict = field(default_factory=dict)  # the scenario as run (plan terms, payout curve)


def _read_plan(folder: Path, name: str, colour: str, scenario: dict, summaries: list[dict]) -> PlanData:
    acts_file = folder / "acts.parquet"
    return PlanData(
        name=name, colour=colour, period_days=PERIOD_DAYS[scenario["quota"]["period"]],
        daily=pd.read_parquet(folder / "daily.parquet"), rep_periods=pd.read_parquet(folder / "rep_periods.parquet"),
        acts=pd.read_parquet(acts_file) if acts_file.exists() else pd.DataFrame(),
        summaries=summaries, thresholds={k: {kk: vv for kk, vv in v.items() if vv is not None}
                                         for k, v in scenario.get("risks", {}).items()},
        scenario=scenario,
    )


def load(folder: str | Path) -> tuple[str, list[PlanData], dict]:
    """The kind of folder ('run' or 'comparison'), its plans and its metadata."""
    folder = Path(folder)
    if (folder / "comparison.json").exists():
        meta = json.loads((folder / "comparison.json").read_text())
        runs = pd.read_parquet(folder / "runs.parquet")
        plans = []
        for k, plan in enumerate(meta["plans"]):
            summaries = [_unflatten(row) for _, row in runs[runs["plan"] == plan["name"]].iterrows()]
            plans.append(_read_plan(folder / "plans" / plan["name"], plan["name"], PALETTE[k % len(PALETTE)],
                                    plan["scenario"], summaries))
        return "comparison", plans, meta
    if (folder / "summary.json").exists():
        summary = json.loads((folder / "summary.json").read_text())
        scenario = summary["provenance"]["scenario"]
        plan = _read_plan(folder, summary["provenance"]["scenario_name"], PALETTE[0], scenario, [summary])
        return "run", [plan], {"provenance": summary["provenance"]}
    raise FileNotFoundError(f"{folder}: no summary.json (a run) or comparison.json (a comparison) to report on")


def _unflatten(row: pd.Series) -> dict:
    """A flattened summary row back into nested sections."""
    out: dict = {}
    for key, value in row.items():
        if key in ("plan", "seed"):
            continue
        node = out
        parts = str(key).split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


# ------------------------------------------------------------------------------------- figures


def _new(rows: int = 1, cols: int = 1, width: float = 11.0, height: float = 4.6, **kw):
    return plt.subplots(rows, cols, figsize=(width, height * rows), squeeze=False, **kw)


def fig_bookings(plans: list[PlanData]):
    """Daily bookings with period boundaries, and the average shape of a period (the hockey stick)."""
    fig, axes = _new(2, 1, height=4.2)
    top, bottom = axes[0, 0], axes[1, 0]
    for plan in plans:
        d = plan.daily
        top.plot(d["day"], d["bookings"] / 1e3, color=plan.colour, lw=1.2, label=plan.name)
    first = plans[0]
    if first.period_days >= 5:
        for x in range(0, len(first.daily) + 1, first.period_days):
            top.axvline(x, color="grey", lw=0.6, ls=":")
    top.set(title="Bookings each business day (dotted lines: quota period ends)", xlabel="business day",
            ylabel="bookings, $ thousand")
    top.legend(loc="upper left", frameon=False)
    drawn = False
    for plan in plans:
        if plan.period_days < 5:
            continue
        d = plan.daily
        position = (plan.period_days - d["days_left"]) / plan.period_days * 100
        bins = np.minimum((position // (100 / min(plan.period_days, 20))).astype(int), min(plan.period_days, 20) - 1)
        profile = d.groupby(bins)["bookings"].mean()
        profile = profile / profile.mean()
        centres = (profile.index + 0.5) * 100 / min(plan.period_days, 20)
        bottom.plot(centres, profile.values, color=plan.colour, marker="o", ms=4, label=plan.name)
        drawn = True
    bottom.axhline(1.0, color="grey", lw=1)
    bottom.set(title="Average shape of a quota period (1 = an average day)", xlabel="position in the quota period, %",
               ylabel="bookings vs average day")
    if drawn:
        bottom.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig, ("Daily bookings. A rush on a period's last day is the hockey stick (discounted deals that "
                 "customers learned to wait for); a spike on its first day is deals pushed out of the period before.")


def fig_attainment(plans: list[PlanData]):
    """Attainment histograms by performer type."""
    types = sorted({t for p in plans for t in p.rep_periods["performer_type"].dropna().unique()})
    fig, axes = _new(1, max(len(types), 1), width=5.5 * max(len(types), 1), height=4.4, sharey=True)
    bins = np.linspace(0, 3, 31)
    for j, kind in enumerate(types):
        ax = axes[0, j]
        for plan in plans:
            rows = plan.rep_periods[(plan.rep_periods["performer_type"] == kind) & plan.rep_periods["complete"]]
            if rows.empty:
                continue
            values = np.clip(rows["attainment"], 0, 2.99)
            weights = np.full(len(values), 100.0 / len(values))
            ax.hist(values, bins=bins, weights=weights, histtype="step", lw=2, color=plan.colour, label=plan.name)
        ax.axvline(1.0, color="grey", ls="--", lw=1)
        ax.set(title=f"{kind} performers", xlabel="attainment (sales / quota, 3 = 3 or more)")
    axes[0, 0].set_ylabel("share of rep-periods, %")
    axes[0, 0].legend(frameon=False)
    fig.tight_layout()
    return fig, "How far reps get against quota, period by period. Bunching just above 1 is reps steering to the goal."


def fig_pay(plans: list[PlanData]):
    """Pay by component, per rep-year, by performer type and plan."""
    fig, axes = _new(1, 1, height=5.0)
    ax = axes[0, 0]
    labels, x = [], 0
    parts = (("base", "#9ecae1"), ("commission", "#3182bd"), ("bonus", "#fd8d3c"))
    side_parts = (("contest_prize", "#e6550d"), ("team_bonus", "#fdae6b"), ("draw_paid", "#74c476"))  # `simulator.levers`: awarded pay
    labelled: set[str] = set()
    for plan in plans:
        rows = plan.rep_periods
        for kind, group in rows.groupby("performer_type", observed=True):
            years = group["days"].sum() / DAYS_PER_YEAR
            bottom = 0.0
            for part, colour in parts + tuple(p for p in side_parts if p[0] in rows):
                value = group[part].sum() / years / 1e3
                ax.bar(x, value, bottom=bottom, color=colour, edgecolor=plan.colour, lw=2,
                       label=None if part in labelled else part.replace("_", " "))
                labelled.add(part)
                bottom += value
            claw = (group["clawback"].sum() - group.get("draw_recovered", pd.Series(0.0)).sum()) / years / 1e3
            if claw > 0:
                ax.bar(x, -claw, color="#d62728", edgecolor=plan.colour, lw=2,
                       label=None if "clawback" in labelled else "clawback (and draws recovered)"
                       if "draw_recovered" in rows else "clawback")
                labelled.add("clawback")
            labels.append(f"{plan.name}\n{kind}")
            x += 1
    ax.set_xticks(range(len(labels)), labels)
    ax.set(title="Pay per rep-year by component (bar outline: plan colour)", ylabel="$ thousand a rep-year")
    ax.legend(frameon=False, ncol=4, loc="upper left")
    fig.tight_layout()
    return fig, "What a rep earns a year, split into base salary, commission, bonuses and clawbacks."


LINE_STYLES = ("-", "--", ":", "-.")


def _lines(ax, plan: PlanData, table: pd.DataFrame, prefix: str) -> None:
    """A line per column of the table, in the plan's colour, the columns told apart by line style."""
    for k, column in enumerate(table.columns):
        ax.plot(table.index, table[column].values, color=plan.colour, ls=LINE_STYLES[k % len(LINE_STYLES)],
                label=f"{plan.name}: {column.removeprefix(prefix)}")


def fig_effort(plans: list[PlanData]):
    """Mean effort through a quota period, by performer type."""
    fig, axes = _new(1, 1, height=4.6)
    ax = axes[0, 0]
    drawn = False
    for plan in plans:
        d = plan.daily
        columns = [c for c in d.columns if c.startswith("effort_")]
        if plan.period_days >= 5:
            x = (plan.period_days - d["days_left"]) / plan.period_days * 100
            bins = (x // 5).clip(upper=19) * 5 + 2.5
            xlabel = "position in the quota period, %"
        else:
            bins = d["month"]
            xlabel = "month"
        _lines(ax, plan, d.groupby(bins)[columns].mean(), "effort_")
        drawn = drawn or bool(columns)
    ax.set(title="Effort through the quota period (1 = normal effort)", xlabel=xlabel, ylabel="mean effort")
    if drawn:
        ax.legend(frameon=False, ncol=2)
    fig.tight_layout()
    return fig, "How hard each kind of rep works as the period runs out: pushing for a goal within reach, giving up on one out of reach."


def fig_product_mix(plans: list[PlanData]):
    """Share of bookings by product, month by month."""
    fig, axes = _new(1, 1, height=4.6)
    ax = axes[0, 0]
    for plan in plans:
        d = plan.daily
        columns = [c for c in d.columns if c.startswith("bookings_")]
        monthly = d.groupby("month")[columns].sum()
        _lines(ax, plan, monthly.div(monthly.sum(axis=1).replace(0, np.nan), axis=0) * 100, "bookings_")
    ax.set(title="Product mix of bookings", xlabel="month", ylabel="share of bookings, %", ylim=(0, 100))
    ax.legend(frameon=False, ncol=2)
    fig.tight_layout()
    return fig, "Which products reps sell. Short goal periods and ratchets move reps toward products that close quickly."


def fig_misconduct(plans: list[PlanData]):
    """Acts of misconduct and detections over time, and by distance to goal."""
    if not any(len(p.acts) for p in plans):
        return None
    fig, axes = _new(1, 2, width=12.5, height=4.8)
    left, right = axes[0, 0], axes[0, 1]
    bins = np.linspace(0, 1.5, 16)
    for plan in plans:
        d = plan.daily
        monthly = d.groupby("month")[["fabrications", "mis_sales", "detections"]].sum()
        left.plot(monthly.index, monthly["fabrications"] + monthly["mis_sales"], color=plan.colour, label=f"{plan.name}: acts")
        left.plot(monthly.index, monthly["detections"], color=plan.colour, ls=":", label=f"{plan.name}: found")
        if len(plan.acts):
            values = np.clip(plan.acts["attainment_when_decided"], 0, 1.49)
            right.hist(values, bins=bins, weights=np.full(len(values), 100.0 / len(values)), histtype="step", lw=2,
                       color=plan.colour, label=plan.name)
    left.set(title="Misconduct each month", xlabel="month", ylabel="acts (fake or needless sales)")
    left.legend(frameon=False)
    right.axvline(1.0, color="grey", ls="--", lw=1)
    right.set(title="Where reps stood when they cheated", xlabel="attainment when deciding (1 = at the goal, 1.5 = 1.5 or more)",
              ylabel="share of acts, %")
    right.legend(frameon=False)
    fig.tight_layout()
    return fig, ("Fake sales and needless sales, month by month with the ones found (dotted), and the attainment of "
                 "the reps who committed them at the moment they decided: acts piled up just short of 1 come from "
                 "the goal; acts spread over every attainment come from pay per sale.")


def fig_trust(plans: list[PlanData]):
    fig, axes = _new(1, 1, height=4.4)
    ax = axes[0, 0]
    for plan in plans:
        d = plan.daily
        ax.plot(d["day"], d["trust"], color=plan.colour, label=f"{plan.name}: trust")
        ax.plot(d["day"], d["trust_demand"], color=plan.colour, ls=":", label=f"{plan.name}: demand it brings")
    ax.set(title="Customers' trust in the firm (1 = untouched)", xlabel="business day", ylabel="mean over territories")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig, "Trust falls with each complaint and recovers slowly; demand follows it with a delay."


def fig_headcount(plans: list[PlanData]):
    fig, axes = _new(1, 2, width=12.5, height=4.4)
    left, right = axes[0, 0], axes[0, 1]
    width = 0.8 / len(plans)
    for k, plan in enumerate(plans):
        d = plan.daily
        left.plot(d["day"], d["headcount"], color=plan.colour, label=plan.name)
        monthly = d.groupby("month")[["quits", "fired"]].sum()
        right.bar(monthly.index + k * width, monthly["quits"], width=width, color=plan.colour, label=f"{plan.name}: quit")
        right.bar(monthly.index + k * width, monthly["fired"], width=width, bottom=monthly["quits"], color=plan.colour,
                  alpha=0.45, label=f"{plan.name}: let go")
    left.set(title="Reps in post", xlabel="business day", ylabel="headcount")
    left.legend(frameon=False)
    right.set(title="Leavers each month", xlabel="month", ylabel="reps")
    right.legend(frameon=False, fontsize=10)
    fig.tight_layout()
    return fig, "Headcount, and who leaves: reps who quit (solid) and reps let go for misses or misconduct (pale)."


def fig_cost(meta: dict, plans: list[PlanData]):
    costs = meta.get("static_costs")
    if not costs or len(plans) < 2:
        return None
    fig, axes = _new(1, 1, height=4.6)
    ax = axes[0, 0]
    for k, plan in enumerate(plans):
        c = costs[plan.name]
        static = c["static"] if c["static"] is not None else float("nan")
        ax.bar(k - 0.2, static / 1e6 if not math.isnan(static) else 0, width=0.4, color="white", edgecolor=plan.colour,
               hatch="//", lw=2, label="static what-if" if k == 0 else None)
        ax.bar(k + 0.2, c["simulated"] / 1e6, width=0.4, color=plan.colour, label="simulated" if k == 0 else None)
        if math.isnan(static):
            ax.text(k - 0.2, 0, "n/a", ha="center", va="bottom")
    ax.set_xticks(range(len(plans)), [p.name for p in plans])
    ax.set(title="Cost of pay: a spreadsheet's what-if against what reps' responses make it", ylabel="$ million")
    ax.legend(frameon=False)
    fig.tight_layout()
    missing = "".join(f" {name}: no static figure, {c['note']}." for name, c in costs.items() if c["static"] is None
                      or (isinstance(c["static"], float) and math.isnan(c["static"])))
    return fig, ("The static figure is each plan's payout on the sales made under the current plan, as an incentive "
                 "tool's what-if computes it; the simulated figure is what the plan costs once reps respond to it."
                 + missing)


FIGURES = (
    ("bookings", fig_bookings), ("attainment", fig_attainment), ("pay", fig_pay), ("effort", fig_effort),
    ("product_mix", fig_product_mix), ("misconduct", fig_misconduct), ("trust", fig_trust),
    ("headcount", fig_headcount),
)


# --------------------------------------------------------------------------------------- page


def _verdict_table(plans: list[PlanData]) -> str:
    found = {p.name: verdicts(p.summaries, p.thresholds) for p in plans}
    names = [p.name for p in plans]
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    rows = []
    for k, first in enumerate(found[names[0]]):
        cells = []
        for n in names:
            v = found[n][k]
            ci = "" if math.isnan(v.ci_low) else f"<br><small>95% CI {fmt(v.ci_low)} to {fmt(v.ci_high)}</small>"
            cells.append(f'<td style="background:{LEVEL_COLOURS[v.level]}" title="{html.escape(v.sentence)}">'
                         f"<b>{v.level}</b><br>{fmt(v.value)}{ci}</td>")
        rows.append(f"<tr><th class='row'>{html.escape(first.title)}<br><small>{html.escape(first.figure)}; "
                    f"elevated from {fmt(first.elevated)}, high from {fmt(first.high)}</small></th>{''.join(cells)}</tr>")
    sentences = []
    for n in names:
        items = "".join(f"<li><b>{html.escape(v.title)} ({v.level})</b>: {html.escape(v.sentence)}</li>"
                        for v in found[n] if v.level != "low")
        sentences.append(f"<h4>{html.escape(n)}</h4><ul>{items or '<li>No risk above low.</li>'}</ul>")
    return (f"<table class='verdicts'><tr><th></th>{head}</tr>{''.join(rows)}</table>" + "".join(sentences))


HEADLINE_ROWS = (
    ("financial.revenue", "Revenue, $"), ("financial.gross_profit", "Gross profit, $"),
    ("financial.comp_cost", "Cost of pay, $"), ("financial.comp_cost_ratio", "Cost of sales (pay / revenue)"),
    ("financial.fines_and_remediation", "Fines and remediation, $"),
    ("financial.profit_after_comp_and_fines", "Profit after pay and fines, $"),
    ("financial.fixed_pay_share", "Fixed share of pay"), ("internal_process.hit_rate", "Share of rep-periods at quota"),
    ("internal_process.attainment_mean", "Mean attainment"), ("internal_process.attainment_sd", "Spread of attainment (sd)"),
    ("internal_process.misconduct_rate", "Acts of misconduct a rep a year"),
    ("customer.trust_end", "Customers' trust at the end"), ("learning_growth.turnover_rate", "Reps leaving a year, per position"),
)
# rows shown only when some plan uses the lever behind them (their figures are absent otherwise)
LEVER_ROWS = (
    ("financial.training_cost", "Training cost, $"),
    ("financial.profit_after_comp_and_training", "Profit after pay and training, $"),
    ("internal_process.activity_pay", "Activity pay, $"),
    ("internal_process.activity_padding_share", "Share of logged activities never done"),
    ("internal_process.launch_adoption", "New product's share of bookings at the end"),
    ("internal_process.attainment_spread_territory", "Attainment gap, rich less poor territories"),
)


def rows_for(summaries: list[dict]) -> tuple[tuple[str, str], ...]:
    """The headline rows, plus the lever rows some of these runs have figures for."""
    from simulator.analysis.metrics import flatten

    present = set().union(*(flatten(s) for s in summaries)) if summaries else set()
    return HEADLINE_ROWS + tuple(row for row in LEVER_ROWS if row[0] in present)


SHARE_ROWS = {"financial.comp_cost_ratio", "financial.fixed_pay_share", "internal_process.hit_rate",
              "internal_process.activity_padding_share", "internal_process.launch_adoption",
              "learning_growth.turnover_rate", "internal_process.attainment_mean", "internal_process.attainment_sd"}
PER_REP_YEAR = (("financial.revenue", "Revenue a rep-year, $"), ("financial.comp_cost", "Cost of pay a rep-year, $"),
                ("financial.profit_after_comp_and_fines", "Profit after pay and fines a rep-year, $"))


def show(key: str, value, difference: bool = False) -> str:
    """A figure in its unit: dollars with thousands separators, shares as %, differences of shares in points."""
    from simulator.report.terms import money

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if key in SHARE_ROWS:
        return f"{value * 100:+.1f} points" if difference else f"{value * 100:.1f}%"
    if key.endswith(("revenue", "profit", "cost", "remediation", "activity_pay", "_fines")) or key.startswith("per_rep_year"):
        return ("+" if difference and value > 0 else "") + money(value)
    return fmt(value)


def _with_rep_years(summary: dict, years: float) -> dict:
    """A flattened summary plus its money totals per rep-year (reps in post x years)."""
    from simulator.analysis.metrics import flatten

    flat = dict(flatten(summary))
    rep_years = flat.get("learning_growth.headcount_mean", float("nan")) * years
    for key, _ in PER_REP_YEAR:
        flat["per_rep_year." + key] = flat.get(key, float("nan")) / rep_years if rep_years > 0 else float("nan")
    return flat


def _horizon_note(plans: list[PlanData]) -> str:
    """What the totals cover: the horizon and the force of each plan."""
    seen = {(p.scenario.get("horizon_years"), p.scenario.get("force", {}).get("size")) for p in plans}
    parts = [f"{y:g} year{'' if y == 1 else 's'} of {n:,} rep positions" for y, n in sorted(seen, key=str) if y and n]
    return ("Totals cover the whole run: " + " or ".join(parts) + "; rows 'a rep-year' divide them by the reps in "
            "post times the years.") if parts else ""


def _headline_table(plans: list[PlanData], meta: dict) -> str:
    from simulator.analysis.risk import mean_ci

    head = "".join(f"<th>{html.escape(p.name)}</th>" for p in plans)
    rows = []
    shown = list(rows_for([s for p in plans for s in p.summaries]))
    at = next((k for k, (key, _) in enumerate(shown) if key == "financial.profit_after_comp_and_fines"), len(shown) - 1)
    shown[at + 1:at + 1] = [("per_rep_year." + key, label) for key, label in PER_REP_YEAR]
    for key, label in shown:
        cells = []
        for plan in plans:
            years = float(plan.scenario.get("horizon_years") or float("nan"))
            mean, low, high = mean_ci([_with_rep_years(s, years).get(key, float("nan")) for s in plan.summaries])
            ci = "" if math.isnan(low) else f"<br><small>{show(key, low)} to {show(key, high)}</small>"
            cells.append(f"<td>{show(key, mean)}{ci}</td>")
        total = " (whole run)" if label.endswith(", $") and not key.startswith("per_rep_year") else ""
        rows.append(f"<tr><th class='row'>{label.removesuffix(', $')}{total}</th>{''.join(cells)}</tr>")
    reps = len(plans[0].summaries)
    note = (f"<p class='note'>Means over {reps} replication{'s' if reps > 1 else ''} on the same seeds; small print: "
            f"95% intervals. {html.escape(_horizon_note(plans))}</p>")
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>{note}"


def _pay_against_design(plans: list[PlanData], scenarios: list | None) -> str:
    """OTE and mix as designed beside the mix realised and the spread of reps' pay a year."""
    if scenarios is None:
        return ""
    from simulator.analysis.metrics import flatten
    from simulator.analysis.pay_spread import pay_percentiles
    from simulator.analysis.payout_curve import payout_curve
    from simulator.report.terms import PER_YEAR, money

    head = "".join(f"<th>{html.escape(p.name)}</th>" for p in plans)
    rows: dict[str, list[str]] = {k: [] for k in ("On-target earnings a year (design)", "Fixed share at 100% of quota (design)",
                                                  "Fixed share realised", "Rep pay a year: P10", "Rep pay a year: P50 (median)",
                                                  "Rep pay a year: P90")}
    for plan, (_, _, scenario) in zip(plans, scenarios):
        target = payout_curve(scenario).target * PER_YEAR[scenario.quota.period]
        base = scenario.plan.base_salary
        realised = np.nanmean([flatten(s).get("financial.fixed_pay_share", np.nan) for s in plan.summaries])
        p10, p50, p90 = pay_percentiles(plan.rep_periods)
        cells = (money(base + target), f"{base / (base + target):.0%}" if base + target > 0 else "n/a",
                 "n/a" if math.isnan(realised) else f"{realised:.0%}",
                 *("n/a" if math.isnan(v) else money(v) for v in (p10, p50, p90)))
        for key, cell in zip(rows, cells):
            rows[key].append(f"<td>{cell}</td>")
    body = "".join(f"<tr><th class='row'>{k}</th>{''.join(v)}</tr>" for k, v in rows.items())
    note = ("<p class='note'>Realised fixed share: mean over replications. Pay a year: each rep's pay (base, "
            "commission, bonus, less clawback) over its days in post, reps in post at least a quarter, first "
            "replication.</p>")
    return f"<h2>Pay against the design</h2><table><tr><th></th>{head}</tr>{body}</table>{note}"


def _differences(folder: Path) -> str:
    path = folder / "differences.parquet"
    if not path.exists():
        return ""
    diffs = pd.read_parquet(path)
    seeds = _replications(folder)
    labels = dict(HEADLINE_ROWS + LEVER_ROWS)
    keys = list(labels)
    shown = diffs[diffs["metric"].isin(keys)]
    lever = shown["metric"].isin([k for k, _ in LEVER_ROWS])
    shown = shown[~lever | shown["difference"].notna()]  # a lever's figure only where both plans have it
    rows = []
    for _, d in shown.iterrows():
        significant = not math.isnan(d["ci_low"]) and (d["ci_low"] > 0 or d["ci_high"] < 0)
        style = " class='sig'" if significant else ""
        rows.append(f"<tr{style}><td>{html.escape(d['plan'])}</td><td>{labels[d['metric']].removesuffix(', $')}</td>"
                    f"<td>{show(d['metric'], d['difference'], True)}</td><td>{show(d['metric'], d['ci_low'], True)} to "
                    f"{show(d['metric'], d['ci_high'], True)}</td><td>{_separation(d, significant, seeds)}</td></tr>")
    return ("<h2>Differences against the current plan</h2><p class='note'>Proposed minus current, paired by seed "
            f"(common random numbers), over {seeds} replications; bold rows: the 95% interval excludes zero "
            "(resolved). For the rest, the replications at which an interval of the observed spread would "
            "exclude zero (simulator.analysis.replications).</p>"
            "<table><tr><th>plan</th><th>figure</th><th>difference</th><th>95% interval</th><th>resolved?</th></tr>"
            + "".join(rows) + "</table>")


def _replications(folder: Path) -> int:
    """How many replications the comparison in `folder` ran (its seeds)."""
    meta = json.loads((folder / "comparison.json").read_text()) if (folder / "comparison.json").exists() else {}
    return len(meta.get("seeds", []))


def _separation(d: pd.Series, significant: bool, seeds: int) -> str:
    """'resolved' or the replications that would resolve the difference (older folders: blank)."""
    if "replications_needed" not in d:
        return ""
    needed = d["replications_needed"]
    return separation_words(significant, None if math.isnan(needed) else int(needed), seeds)


def _scenarios(plans: list[PlanData]) -> list[tuple[str, str, Scenario]] | None:
    """Each plan's scenario as run, or None when a folder saved by an older version no longer validates."""
    if not all(p.scenario for p in plans):
        return None
    try:
        return [(p.name, p.colour, Scenario.model_validate(p.scenario)) for p in plans]
    except ValidationError:
        return None


def write_plan_report(folder: str | Path) -> Path:
    """Write report.html (figures embedded) and figures/*.png into a run's or a comparison's folder."""
    folder = Path(folder)
    kind, plans, meta = load(folder)
    figures_dir = folder / "figures"
    figures_dir.mkdir(exist_ok=True)
    sections = []
    scenarios = _scenarios(plans)
    with plt.rc_context(STYLE):
        payout = "" if scenarios is None else embed_figure("payout", *fig_payout(scenarios), figures_dir)
        drawn = [(name, maker(plans)) for name, maker in FIGURES]
        if kind == "comparison":
            drawn.insert(3, ("cost", fig_cost(meta, plans)))
        for name, made in drawn:
            if made is not None:
                sections.append(embed_figure(name, *made, figures_dir))
    title = ("Plan comparison: " + ", ".join(p.name for p in plans)) if kind == "comparison" else f"Run report: {plans[0].name}"
    note = "The first plan is the current one; the others are proposed." if kind == "comparison" else ""
    cards = "" if scenarios is None else (
        "<h2>The plans' terms</h2><div class='cards'>" + "".join(terms_card(*s) for s in scenarios) + "</div>"
        "<h2>The payout curve</h2>" + payout)
    body = (f"{cards}<h2>What each plan costs and earns</h2>{_headline_table(plans, meta)}"
            f"{_pay_against_design(plans, scenarios)}"
            f"<h2>Risk verdicts</h2><p class='note'>Hover over a cell for the figure in words.</p>{_verdict_table(plans)}"
            f"{_differences(folder) if kind == 'comparison' else ''}<h2>Pictures</h2>{''.join(sections)}")
    provenance = {k: v for k, v in meta.items() if k != "verdicts"}
    return write_page(folder / "report.html", title, note, body, provenance)
