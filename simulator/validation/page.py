"""The validation page: the console table, one figure per fact and docs/validation.md.

Everything here is a function of the runs' numbers, so the same seeds give the same page byte for
byte: no dates, no timings, no machine names; PNGs carry no creation time.
"""

from __future__ import annotations

import math
import shlex
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt  # figures are closed once saved; no backend is forced, so notebooks show their own
import numpy as np
import pandas as pd

from simulator.analysis.risk import mean_ci
from simulator.report.plans import PALETTE, STYLE
from simulator.validation import published, robustness
from simulator.validation.suite import FactRuns, Outcome, arm_labels, fact_verdict, full_size, outcome

FIGURES = "validation"  # folder beside the page


@dataclass
class FactResult:
    runs: FactRuns
    outcomes: list[Outcome]

    @property
    def verdict(self) -> str:
        return fact_verdict(self.outcomes)


def results(all_runs: list[FactRuns]) -> list[FactResult]:
    return [FactResult(r, [outcome(r, c) for c in r.fact.checks]) for r in all_runs]


def fmt(value: float) -> str:
    """Three significant figures, thousands as k and millions as M."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.3g}M"
    if size >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:.3g}"


def pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.0f}%"


def hit_rates(runs: FactRuns, arm: str) -> str:
    """The arm's mean quota hit rates: all reps, then by type where the fact shows them."""
    parts = []
    for metric in runs.fact.hit_rates:
        label = metric.split(".")[1] if metric.startswith("by_performer") else "all"
        parts.append(f"{label} {pct(float(np.nanmean(runs.values(arm, metric))))}")
    return ", ".join(parts)


def interval(o: Outcome) -> str:
    return f"{fmt(o.difference)} [{fmt(o.ci_low)}, {fmt(o.ci_high)}]"


def relative(o: Outcome) -> str:
    return "n/a" if math.isnan(o.relative) else f"{100 * o.relative:+.0f}%"


def expectation(o: Outcome) -> str:
    sign = "up" if o.check.direction > 0 else "down"
    band = "" if o.check.band is None else f", {100 * o.check.band[0]:+.0f}% to {100 * o.check.band[1]:+.0f}%"
    return sign + band + ("" if o.check.required else " (reported)")


# ------------------------------------------------------------------------------------- console


def console_table(found: list[FactResult], sweep: pd.DataFrame | None = None, sizes: pd.DataFrame | None = None
                  ) -> str:
    """The table `salesim validate-facts` prints: a row per check, then the published sizes, if judged."""
    shares = robustness.shares(sweep) if sweep is not None else None
    rows = []
    for result in found:
        runs = result.runs
        for o in result.outcomes:
            c = o.check
            rows.append({
                "fact": runs.fact.number, "check": c.label[:48], "metric": c.metric,
                "control": f"{c.control}={fmt(o.control)}", "treatment": f"{c.treatment}={fmt(o.treatment)}",
                "difference [95% CI]": interval(o), "rel": relative(o), "expected": expectation(o),
                "hit rates (control | treatment)": f"{hit_rates(runs, c.control)} | {hit_rates(runs, c.treatment)}",
                "verdict": o.verdict,
            })
    text = pd.DataFrame(rows).to_string(index=False)
    verdicts = [f"fact {r.runs.fact.number}: {r.verdict}" for r in found]
    if shares is not None:
        share = dict(zip(shares["fact"], shares["share"]))
        verdicts = [f"{v} (holds at {pct(share[r.runs.fact.number])} of the robustness points)"
                    for v, r in zip(verdicts, found)]
    text = text + "\n\n" + "\n".join(verdicts)
    if sizes is not None and not sizes.empty:
        shown = sizes.assign(**{"model [95% CI]": sizes.apply(size_interval, axis=1)})
        text += "\n\npublished sizes:\n" + shown[["target", "scenario", "band", "model [95% CI]", "verdict",
                                                    "source"]].to_string(index=False)
    return text


# ------------------------------------------------------------------------------------- figures


TITLES = {
    "last10_share": "share of bookings in a period's last 10% of days",
    "first_day_ratio": "a period's first day's bookings / an average day's",
    "pushed_out_share": "deals pushed into the next period / deals",
    "discount_leakage": "discounts / list value",
    "misconduct_rate": "acts of misconduct a rep a year",
    "quit_rate": "quits a rep a year",
    "effort_mean": "mean effort (1 = normal)",
    "giving_up_share": "share of the less able's years given up",
    "profit_after_comp": "gross profit after pay, $",
    "revenue": "revenue, $",
}


def metric_title(metric: str) -> str:
    """'by_performer.high.sales_per_year' -> 'high performers: sales per year'."""
    parts = metric.split(".")
    if parts[0] == "by_performer":
        return f"{parts[1]} performers: {parts[2].replace('_', ' ')}"
    return TITLES.get(parts[-1], parts[-1].replace("_", " "))


def figure(result: FactResult, path: Path) -> None:
    """A panel per metric the fact checks: each arm's mean with its 95% interval over replications,
    its hit rate under the bar, the arms colour-coded alike in every panel."""
    runs = result.runs
    metrics = list(dict.fromkeys(o.check.metric for o in result.outcomes))
    arms = arm_labels(runs.experiment)  # every arm run, in the experiment's order
    colours = {arm: PALETTE[i % len(PALETTE)] for i, arm in enumerate(arms)}
    with plt.rc_context(STYLE):
        panel = max(4.6, 1.3 * len(arms) + 1.2)
        fig, axes = plt.subplots(1, len(metrics), figsize=(panel * len(metrics), 5.0), squeeze=False)
        for ax, metric in zip(axes[0], metrics):
            for x, arm in enumerate(arms):
                mean, low, high = mean_ci(runs.values(arm, metric))
                ax.bar(x, mean, color=colours[arm], width=0.7)
                if not math.isnan(low):
                    ax.errorbar(x, mean, yerr=[[mean - low], [high - mean]], color="black", capsize=5, lw=1.5)
            labels = [textwrap.fill(arm.replace("_", " ").replace("/", " / "), 11)
                      + f"\nhit {pct(float(np.nanmean(runs.values(arm, 'internal_process.hit_rate'))))}" for arm in arms]
            ax.set_xticks(range(len(arms)), labels, fontsize=10)
            ax.set_title(textwrap.fill(metric_title(metric), 34), fontsize=12)
            ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
        fig.suptitle(textwrap.fill(f"Fact {runs.fact.number}: {runs.fact.title}", 20 * len(metrics) + 30), fontsize=13)
        fig.tight_layout()
        fig.savefig(path, format="png", metadata={"Software": None})
        plt.close(fig)


# ------------------------------------------------------------------------------------- the page

INTRO = """# Validation against published findings

The model is judged against what field and lab studies found (the stylized facts). Each
fact has an experiment file in `experiments/validation/` that sets up the comparison the study
made and cites it, and a list of checks in `simulator/validation/facts.py`: a metric, the arms
compared, the expected direction and, where the literature gives a transferable magnitude, a band
on the relative change (none of the seven studies does for this setting, so no band is set). Where
a study reports the size of an effect in a setting the model rebuilds (Larkin's vendor) or across
many forces (sales-force surveys), that size is judged on its own scenario under "Published sizes".
Every arm runs on the same seeds (common random numbers), so each difference below is paired by
seed, with a Student-t 95% interval over replications. Quota hit rates sit beside every effect,
because several effects hold only in a band of quota difficulty.

A check **agrees** when the whole 95% interval lies on the expected side (and inside the band,
if any); **direction only** when the mean goes the expected way but the interval reaches zero;
**disagrees** otherwise. A fact's verdict is the weakest of its required checks; checks marked
"(reported)" are shown for what the study also said but do not decide the verdict.

This page is written by `{command}`; the same seeds give the same page.
"""


SIZES_INTRO = (
    "Each row is a size a study reports, judged on the scenario it transfers to (`{module}`): the "
    "mean of {runs} runs with its Student-t 95% interval against the study's band. A size **holds** when "
    "the whole interval lies inside the band, **overlaps** when the two meet, and **misses** otherwise; "
    "a miss is a finding of the model, stated here, not tuned away (docs/calibration.md says what was "
    "tried). Reproduce a row with `python -m simulator.calibration.magnitudes scenarios/SCENARIO.yaml "
    "--replications {runs}`.")


def size_interval(row) -> str:
    return f"{fmt(row['model'])} [{fmt(row['ci_low'])}, {fmt(row['ci_high'])}]"


def _sizes_section(sizes: pd.DataFrame | None) -> list[str]:
    if sizes is None or sizes.empty:
        return []
    lines = ["## Published sizes", "", SIZES_INTRO.format(module="simulator/validation/published.py",
                                                          runs=published.REPLICATIONS), "",
             "| size | study | band | scenario | model [95% interval] | verdict | sizes fact |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for _, row in sizes.iterrows():
        fact = "" if pd.isna(row["fact"]) else str(int(row["fact"]))
        lines.append(f"| `{row['target']}`: {row['study']} | {row['source']} | {row['band']} | {row['scenario']} "
                     f"({row['why']}) | {size_interval(row)} | {row['verdict']} | {fact} |")
    return lines + [""]


def _fact_sizes(number: int, sizes: pd.DataFrame | None) -> list[str]:
    """The fact's published sizes in a sentence each, under its verdict."""
    if sizes is None or sizes.empty:
        return []
    rows = sizes[sizes["fact"] == number]
    if rows.empty:
        return []
    return ["", "Published sizes (see \"Published sizes\" above):", ""] + [
        f"- {row['source']}, on `scenarios/{row['scenario']}.yaml`: {row['study']}; the model gives "
        f"{size_interval(row)} against {row['band']}: **{row['verdict']}**." for _, row in rows.iterrows()] + [""]


def _robustness_section(shares: pd.DataFrame | None, table: pd.DataFrame | None, found: list[FactResult]
                        ) -> list[str]:
    if shares is None:
        return ["## Robustness", "",
                "Not run in this mode: `salesim validate-facts` (full mode) runs the sweep and writes it here.", ""]
    dims = robustness.SPACE
    lines = ["## Robustness", "",
             f"Each fact rerun at {int(shares['points'].iloc[0])} points of a Latin hypercube over the parameters "
             f"below (quick size, {robustness.REPLICATIONS} paired replications a point, equal-cost scales from the "
             "default point); "
             "it holds at a point when every required check goes the expected way.", "",
             "| dimension | range |", "| --- | --- |"]
    lines += [f"| {d.name} | {d.low:g} to {d.high:g}{' x the fact' + chr(39) + 's own value' if d.relative else ''} "
              f"(`{'`, `'.join(d.paths)}`) |" for d in dims]
    lines += ["", "Holds at: the share of points where every required check's mean goes the expected way, with "
              f"its exact 95% interval over the {int(shares['points'].iloc[0])} points (Clopper-Pearson); with "
              f"intervals clear: the share where every required check's own 95% interval, over the point's "
              f"{robustness.REPLICATIONS} runs, clears zero (a strict test at so few runs).", "",
              "| fact | holds at (95% interval) | reading | with intervals clear |", "| --- | --- | --- | --- |"]
    lines += [f"| {int(row['fact'])} | {pct(row['share'])} ({pct(row['share_low'])}-{pct(row['share_high'])}) "
              f"| {robustness.knife_edge(row['share'])} | {pct(row['share_sure'])} |"
              for _, row in shares.iterrows()]
    facts = [int(f) for f in shares["fact"]]
    fixed = {r.runs.fact.number: _fixed_by_arms(r.runs.experiment) for r in found}
    lines += ["", "Where in each range it holds: the share of points in the range's low and high half ("
              "\"set by the arms\" where the fact's own arms fix that field):", "",
              "| dimension | " + " | ".join(f"fact {f}" for f in facts) + " |",
              "| --- | " + " | ".join("---" for _ in facts) + " |"]
    for d in dims:
        cells = []
        for f, (_, row) in zip(facts, shares.iterrows()):
            arms_set = set(d.paths) <= fixed.get(f, set())
            cells.append("set by the arms" if arms_set else
                         f"{pct(row[f'{d.name}: low half'])} / {pct(row[f'{d.name}: high half'])}")
        lines.append(f"| {d.name} | " + " | ".join(cells) + " |")
    lines += ["", "Each check alone (share of points where its mean paired difference went the expected way):", "",
              "| fact | check | holds at |", "| --- | --- | --- |"]
    for result in found:
        fact = result.runs.fact
        for check, share in zip(fact.checks, robustness.check_shares(table, fact)):
            lines.append(f"| {fact.number} | {check.label}{'' if check.required else ' (reported)'} | {pct(share)} |")
    lines.append("")
    return lines


def _fixed_by_arms(experiment) -> set[str]:
    """The fields a fact's arms set themselves (a robustness point cannot move them)."""
    return {path for overrides in experiment.case_overrides for path in overrides}


def _fact_section(result: FactResult, figure_path: str, shares: pd.DataFrame | None, quick: bool,
                  sizes: pd.DataFrame | None = None) -> list[str]:
    runs, fact = result.runs, result.runs.fact
    size = fact.quick if quick else full_size(runs.experiment)
    lines = [f"## Fact {fact.number}: {fact.title}", "", fact.finding, "",
             f"Experiment: `experiments/validation/{fact.experiment}`, {size.size} reps, {size.years:g} "
             f"year{'' if size.years == 1 else 's'}, "
             f"{size.replications} paired replications per arm (root seed {runs.experiment.spec.seed})."]
    if runs.scales:
        lines.append("Compared at equal expected pay cost: " + ", ".join(
            f"{arm}'s variable pay x {scale:.3f} (to cost what {fact.equal_cost[arm]} costs)"
            for arm, scale in runs.scales.items()) + ".")
    lines += ["", "| arm | quota hit rates |", "| --- | --- |"]
    lines += [f"| {arm} | {hit_rates(runs, arm)} |" for arm in arm_labels(runs.experiment)]
    lines += ["", "| check | metric | control | treatment | difference [95% CI] | relative | expected | verdict "
                  "| hit rates, control / treatment |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for o in result.outcomes:
        c = o.check
        lines.append(f"| {c.label} | `{c.metric}` | {c.control}: {fmt(o.control)} | {c.treatment}: {fmt(o.treatment)} "
                     f"| {interval(o)} | {relative(o)} | {expectation(o)} | {o.verdict} "
                     f"| {hit_rates(runs, c.control)} / {hit_rates(runs, c.treatment)} |")
    verdict = {"agrees": "The model agrees with the finding: every required check goes the expected way with "
                         "its 95% interval clear of zero.",
               "direction only": "The model agrees in direction only: the means go the expected way but at "
                                 "least one interval reaches zero.",
               "disagrees": "The model does not reproduce the finding on this experiment: at least one "
                            "required check goes the other way."}[result.verdict]
    lines += ["", f"**Verdict: {result.verdict}.** {verdict}"]
    lines += _fact_sizes(fact.number, sizes)
    if shares is not None:
        row = shares.loc[shares["fact"] == fact.number].iloc[0]
        lines.append(f"Robustness: holds at {pct(row['share'])} of the sweep's points ({pct(row['share_low'])}-"
                     f"{pct(row['share_high'])}; {robustness.knife_edge(row['share'])}).")
    lines += ["", f"What it needs: {fact.needs}", "", f"![Fact {fact.number}]({figure_path})", "",
              "Bars: each arm's mean; whiskers: the 95% interval of that mean over replications (the checks "
              "use paired differences, whose intervals are narrower); under each arm its quota hit rate.", ""]
    return lines


def write_page(found: list[FactResult], out: Path, quick: bool, sweep: pd.DataFrame | None = None,
               settings: Sequence[str] = (), sizes: pd.DataFrame | None = None) -> Path:
    """Write validation.md and its figures into `out` (with the robustness sweep's table, if run; the
    published sizes judged (`published.run_sizes`), if given; with the settings every arm ran under,
    if any, in its command and said at the top)."""
    shares = robustness.shares(sweep) if sweep is not None else None
    out.mkdir(parents=True, exist_ok=True)
    (out / FIGURES).mkdir(exist_ok=True)
    command = " ".join(["salesim validate-facts", *(["--quick"] if quick else []),
                        *(f"--set {shlex.quote(s)}" for s in settings)])
    lines = [INTRO.format(command=command)]
    if settings:
        said = ", ".join(f"`{s}`" for s in settings)
        lines += [(f"**Every arm of every fact ran with {said}**, beside what its experiment sets: this page is "
                   "an ablation, not the model's defaults."), ""]
    lines += ["## Summary", "",
             "| fact | finding | verdict | robustness |", "| --- | --- | --- | --- |"]
    share = dict(zip(shares["fact"], shares["share"])) if shares is not None else {}
    for r in found:
        fact = r.runs.fact
        robust = f"{pct(share[fact.number])} ({robustness.knife_edge(share[fact.number])})" \
            if fact.number in share else "not run"
        required = [o for o in r.outcomes if o.check.required]
        agreeing = sum(o.verdict != "disagrees" for o in required)
        lines.append(f"| {fact.number} | {fact.title} | {r.verdict} ({agreeing} of {len(required)} checks in "
                     f"direction) | {robust} |")
    lines.append("")
    lines += _sizes_section(sizes)
    for r in found:
        name = f"fact{r.runs.fact.number}.png"
        figure(r, out / FIGURES / name)
        lines += _fact_section(r, f"{FIGURES}/{name}", shares, quick, sizes)
    lines += _robustness_section(shares, sweep, found)
    page = out / "validation.md"
    page.write_text("\n".join(lines), encoding="utf-8")
    return page
