"""The sweep report: what a batch experiment says across plan space.

A designer or academic reading a sweep asks two things: how does a figure (revenue, profit,
misconduct) move over two levers, and where in that plane does a risk turn high? This module
answers both from the sweep's results folder alone (`simulator.experiments.store.load_results`): heatmaps of
any metric over two parameters, and risk maps shading each cell by its verdict level with the
thresholds of `simulator.analysis.risk`. Other parameters are averaged over, and so are replications.
Gridded parameters keep their levels; sampled ones (Latin hypercube, Sobol, random) are cut into
quantile bins so each cell holds about the same number of runs.
"""

from __future__ import annotations

import html
import math
import textwrap
from pathlib import Path
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from simulator.analysis.risk import LEVELS, RISKS, level_of, mean_ci
from simulator.analysis.sweeps import PARAMETER_PREFIXES, parameter_columns, risk_values
from simulator.calendar import PERIOD_DAYS
from simulator.experiments.store import ResultsError, load_results, read_manifest
from simulator.report.page import LEVEL_COLOURS, STYLE, embed_figure, fmt, write_page

MAX_LEVELS = 8  # more distinct values than this are binned
BINS = 5
MAX_BINS = 8
DEFAULT_METRICS = {
    "financial.revenue": "revenue, $",
    "financial.profit_after_comp_and_fines": "profit after pay and fines, $",
    "internal_process.hit_rate": "share of rep-periods at quota",
    "internal_process.misconduct_rate": "acts of misconduct a rep a year",
    "learning_growth.turnover_rate": "reps leaving a year, per position",
    "by_performer.high.attainment_mean": "high performers' mean attainment",
}


UNMEASURABLE = {  # why a risk's figure is missing from every run, in the reader's words
    "discouragement": "it counts whole years in the job under a quota, and these runs are shorter than a year "
                      "or set no quota",
    "activity_gaming": "these runs log no activities (the scenario pays or counts none)",
    "timing_gaming": "its periods are too short for a last 10% of days and no deal was moved",
    "product_mix": "the plan has no balanced product mix to compare with",
    "customer_harm": "no customer was served",
    "": "the runs do not record the figure it needs",
}


def bins_for(cases: int, dimensions: int) -> int:
    """Quantile bins per sampled axis so a cell holds about four cases on average."""
    return int(np.clip(round((cases / 4) ** (1 / dimensions)), 2, MAX_BINS))


def axis_of(values: pd.Series, bins: int = BINS) -> tuple[pd.Series, list[str]]:
    """Cell positions (0, 1, ...) of a parameter's values and the label of each position."""
    distinct = values.dropna().unique()
    if len(distinct) <= MAX_LEVELS or not pd.api.types.is_numeric_dtype(values):
        if all(v in PERIOD_DAYS for v in distinct):
            ordered = sorted(distinct, key=PERIOD_DAYS.get)
        else:
            ordered = sorted(distinct, key=lambda v: (isinstance(v, str), v))
        position = {v: k for k, v in enumerate(ordered)}
        return values.map(position), [_label(v) for v in ordered]
    cut, edges = pd.qcut(values, bins, labels=False, retbins=True, duplicates="drop")
    return cut, [f"{_edge(lo)}–{_edge(hi)}" for lo, hi in zip(edges[:-1], edges[1:])]


def _edge(value: float) -> str:
    """A bin edge in two significant digits, without scientific notation for small rates."""
    return np.format_float_positional(float(f"{value:.2g}"), trim="-")


def _label(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:.3g}"
    return str(value)


def _name(column: str) -> str:
    """A parameter column without its role prefix."""
    return column.split(".", 1)[1] if column.startswith(PARAMETER_PREFIXES) else column


def _axis_label(column: str) -> str:
    """A parameter's name short enough for an axis: the last two parts of a long dotted path."""
    parts = _name(column).split(".")
    return ".".join(parts[-2:])


def cell_stats(runs: pd.DataFrame, x: str, y: str | None, value: str
               ) -> tuple[dict[str, np.ndarray], list[str], list[str]]:
    """Per (y, x) cell: the mean of `value` over its runs (replications and every other parameter),
    the Student-t 95% interval of that mean (`low`, `high`; nan for a single run) and the runs `n`."""
    bins = bins_for(runs["case"].nunique() if "case" in runs else len(runs), 2 if y else 1)
    xs, x_labels = axis_of(runs[x], bins)
    ys, y_labels = axis_of(runs[y], bins) if y else (pd.Series(0, index=runs.index), [""])
    shape = (len(y_labels), len(x_labels))
    grids = {k: np.full(shape, np.nan) for k in ("mean", "low", "high")} | {"n": np.zeros(shape, dtype=int)}
    for (row, col), values in runs[value].astype(float).groupby([ys, xs]):
        cell = (int(row), int(col))
        grids["mean"][cell], grids["low"][cell], grids["high"][cell] = mean_ci(values.tolist())
        grids["n"][cell] = int(values.notna().sum())
    return grids, x_labels, y_labels


def cell_means(runs: pd.DataFrame, x: str, y: str | None, value: str) -> tuple[np.ndarray, list[str], list[str]]:
    """Mean of `value` in each (y, x) cell, over replications and every other parameter."""
    grids, x_labels, y_labels = cell_stats(runs, x, y, value)
    return grids["mean"], x_labels, y_labels


def blurred(grids: dict[str, np.ndarray]) -> np.ndarray:
    """Cells the runs cannot tell from their neighbours: a single run (no interval), or a 95%
    interval that holds the mean of every neighbouring cell (left, right, below, above)."""
    mean, low, high = grids["mean"], grids["low"], grids["high"]
    out = np.zeros(mean.shape, dtype=bool)
    for (row, col), value in np.ndenumerate(mean):
        if math.isnan(value):
            continue
        near = [mean[r, c] for r, c in ((row, col - 1), (row, col + 1), (row - 1, col), (row + 1, col))
                if 0 <= r < mean.shape[0] and 0 <= c < mean.shape[1] and not math.isnan(mean[r, c])]
        if math.isnan(low[row, col]):
            out[row, col] = True
        elif near:
            out[row, col] = all(low[row, col] <= m <= high[row, col] for m in near)
    return out


def colour_scale(grid: np.ndarray) -> Normalize:
    """Colours for a figure's cells that do not blow small differences near zero up into the whole
    scale: a figure that is never negative runs from 0 when its cells reach at least half way down to
    it (rates, shares, counts); a flat panel (every cell equal, e.g. all 0) gets one colour."""
    finite = grid[np.isfinite(grid)]
    if finite.size == 0:
        return Normalize(0.0, 1.0)
    low, high = float(finite.min()), float(finite.max())
    if low >= 0 and low <= high / 2:
        low = 0.0
    if high - low <= 1e-12 * max(abs(high), 1.0):  # flat: the middle colour, whatever the value
        span = max(abs(high), 1.0)
        return Normalize(high - span, high + span)
    return Normalize(low, high)


def _draw_cells(ax, grid: np.ndarray, x_labels: list[str], y_labels: list[str], x: str, y: str | None,
                colours: np.ndarray | None = None, stats: dict[str, np.ndarray] | None = None, **imshow) -> object:
    """The cells with their values; with `stats`, each cell also shows its interval and runs, and cells
    the runs cannot tell from their neighbours (`blurred`) are faded and hatched."""
    image = ax.imshow(grid if colours is None else colours, origin="lower", aspect="auto", **imshow)
    faded = blurred(stats) if stats is not None else np.zeros(grid.shape, dtype=bool)
    for (row, col), value in np.ndenumerate(grid):
        if math.isnan(value):
            continue
        if faded[row, col]:
            ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor="white", alpha=0.6, hatch="//",
                                   edgecolor="#999999", linewidth=0))
        ink = "black" if colours is not None or faded[row, col] else _ink(image, value)
        if stats is None:
            ax.text(col, row, _short(value), ha="center", va="center", fontsize=10, color=ink)
            continue
        half = (stats["high"][row, col] - stats["low"][row, col]) / 2
        crowded = grid.shape[1] > 3  # four or more columns: smaller type on more lines, so neighbours' text does not touch
        detail = (f"±{_short(half)}{chr(10) if crowded else ' '}" if not math.isnan(half) else "") + \
            f"n={stats['n'][row, col]}"
        ax.text(col, row + 0.1, _short(value), ha="center", va="bottom", fontsize=10 if crowded else 12,
                fontweight="bold", color=ink)
        ax.text(col, row - 0.05, detail, ha="center", va="top", fontsize=7.5 if crowded else 9, color=ink)
    crowded = sum(map(len, x_labels)) > 28
    ax.set_xticks(range(len(x_labels)), x_labels, rotation=35 if crowded else 0, ha="right" if crowded else "center")
    ax.set_yticks(range(len(y_labels)), y_labels)
    ax.set_xlabel(_axis_label(x))
    ax.set_ylabel(_axis_label(y) if y else "")
    ax.grid(False)
    return image


def _ink(image, value: float) -> str:
    r, g, b, _ = image.cmap(image.norm(value))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _short(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.0f}k"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"


def _tick(value: float) -> str:
    """A colour bar's tick: three significant digits, so neighbouring ticks never read the same."""
    for size, unit in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.3g}"


def fig_heatmaps(runs: pd.DataFrame, x: str, y: str | None, metrics: dict[str, str]):
    """One heatmap per metric over the two parameters, each cell with its 95% interval and runs."""
    shown = {k: v for k, v in metrics.items() if k in runs and runs[k].notna().any()}
    if not shown:
        return None
    first = cell_stats(runs, x, y, next(iter(shown)))[0]["mean"]
    cols = min(3 if first.shape[1] <= 3 else 2, len(shown))  # many cells: two panels a row, room for their text
    rows = math.ceil(len(shown) / cols)
    wide = first.shape[1] > 3
    fig, axes = plt.subplots(rows, cols, figsize=((8.0 if wide else 5.6) * cols, (5.4 if wide else 4.6) * rows),
                             squeeze=False)
    for ax, (metric, label) in zip(axes.flat, shown.items()):
        stats, x_labels, y_labels = cell_stats(runs, x, y, metric)
        image = _draw_cells(ax, stats["mean"], x_labels, y_labels, x, y, stats=stats, cmap="viridis",
                            norm=colour_scale(stats["mean"]))
        ax.set_title(label, fontsize=13)
        fig.colorbar(image, ax=ax, shrink=0.85, format=FuncFormatter(lambda v, _: _tick(v)))
    for ax in list(axes.flat)[len(shown):]:
        ax.set_visible(False)
    fig.tight_layout()
    others = " and other parameters" if _others(runs, x, y) else ""
    return fig, (f"Each cell: the mean over its runs (replications{others}) of the figure named above the panel, "
                 f"by {_name(x)}{' and ' + _name(y) if y else ''}; below it, ± half its 95% interval and n, the "
                 f"runs in the cell. Faded, hatched cells cannot be told from their neighbours with these runs "
                 f"(one run, or an interval that holds every neighbour's mean): read no finding into them. "
                 f"Colours start at 0 for figures that cannot be negative and reach near it.")


def fig_risk_map(runs: pd.DataFrame, x: str, y: str | None, thresholds: dict[str, dict[str, float]]):
    """One panel per named risk, each cell shaded by the risk's level at the cell's mean figure."""
    palette = ListedColormap([LEVEL_COLOURS[level] for level in LEVELS])
    names = list(RISKS)
    cols = 4
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 4.0 * rows), squeeze=False)
    missing: list[str] = []
    for ax, name in zip(axes.flat, names):
        risk = RISKS[name]
        limits = {"elevated": risk.elevated, "high": risk.high, **thresholds.get(name, {})}
        grid, x_labels, y_labels = cell_means(runs, x, y, f"risk.{name}")
        ax.set_title(f"{risk.title}\nhigh from {_short(limits['high'])}", fontsize=11)
        if np.isnan(grid).all():
            missing.append(risk.title)
            ax.text(0.5, 0.5, textwrap.fill(f"Not measurable in this sweep: {UNMEASURABLE.get(name, UNMEASURABLE[''])}",
                                            30), ha="center", va="center", fontsize=10, color="#555555",
                    transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            continue
        levels = np.vectorize(lambda v: np.nan if math.isnan(v) else LEVELS.index(level_of(v, **limits)),
                              otypes=[float])(grid)
        _draw_cells(ax, grid, x_labels, y_labels, x, y, colours=levels, cmap=palette, vmin=-0.5, vmax=2.5)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    handles = [plt.Rectangle((0, 0), 1, 1, color=LEVEL_COLOURS[level]) for level in LEVELS]
    fig.legend(handles, LEVELS, loc="lower center", ncol=3, frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    unmeasured = (f" Not measurable in this sweep: {', '.join(missing)} (no run records the figure behind "
                  f"{'it' if len(missing) == 1 else 'them'}; each panel says why)." if missing else "")
    return fig, ("Risk map: each cell is shaded by the risk's level (green low, yellow elevated, red high) at the mean "
                 "figure of its runs, printed in the cell; the thresholds are those of the risk verdicts." + unmeasured)


def _others(runs: pd.DataFrame, x: str, y: str | None) -> list[str]:
    return [c for c in parameter_columns(runs) if c not in (x, y)]


def _breakable(text: str) -> str:
    """A header that may wrap after its dots and underscores (long dotted names would widen the table)."""
    return html.escape(text).replace(".", ".<wbr>").replace("_", "_<wbr>")


def case_table(runs: pd.DataFrame, metrics: dict[str, str], thresholds: dict, limit: int = 60) -> str:
    """The cases as an HTML table that fits the page: parameters, runs, headline figures and the level
    of every risk measurable in the sweep (those measurable in no run are named below it)."""
    parameters = parameter_columns(runs)
    shown = [m for m in metrics if m in runs]
    risks = {n: r for n, r in RISKS.items() if runs[f"risk.{n}"].notna().any()}
    grouped = runs.groupby("case")
    head = ("".join(f"<th title='{html.escape(_name(p))}'>{_breakable(_axis_label(p))}</th>" for p in parameters)
            + "<th>runs</th>" + "".join(f"<th>{html.escape(metrics[m])}</th>" for m in shown)
            + "".join(f"<th title='{html.escape(r.title)}'>{html.escape(n.replace('_', ' '))}</th>"
                      for n, r in risks.items()))
    rows = []
    for case, group in list(grouped)[:limit]:
        cells = "".join(f"<td>{html.escape(_label(group[p].iloc[0]))}</td>" for p in parameters)
        cells += f"<td>{len(group)}</td>" + "".join(f"<td>{fmt(group[m].astype(float).mean())}</td>" for m in shown)
        for name, risk in risks.items():
            value = group[f"risk.{name}"].astype(float).mean()
            limits = {"elevated": risk.elevated, "high": risk.high, **thresholds.get(name, {})}
            level = level_of(value, **limits)
            cells += f"<td style='background:{LEVEL_COLOURS[level]}'>{fmt(value)}</td>"
        rows.append(f"<tr>{cells}</tr>")
    more = f"<p class='note'>First {limit} of {grouped.ngroups} cases.</p>" if grouped.ngroups > limit else ""
    missing = [r.title for n, r in RISKS.items() if n not in risks]
    if missing:
        more += f"<p class='note'>Not measurable in any run, so not shown: {html.escape(', '.join(missing))}.</p>"
    compact = ("<style>table.cases th,table.cases td{padding:3px 4px;font-size:12px}"
               "table.cases th{vertical-align:bottom;max-width:7em}</style>")  # many columns on one page width
    return (f"{compact}<div style='overflow-x:auto'><table class='cases'><tr>{head}</tr>{''.join(rows)}</table></div>"
            f"{more}")


def write_sweep_report(folder: str | Path, x: str | None = None, y: str | None = None,
                       metrics: Sequence[str] = ()) -> Path:
    """Write report.html and figures/*.png for a sweep's results folder.

    `x` and `y` name the two parameters of the heatmaps and risk maps (a column such as
    `lever.quota_difficulty` or its name without the prefix); by default the first two that vary,
    levers first. `metrics` adds figures to the heatmaps beside the default ones.
    """
    folder = Path(folder)
    manifest = read_manifest(folder) or {}
    runs = load_results(folder)
    ok = runs[runs["status"] == "ok"].copy()
    if ok.empty:
        raise FileNotFoundError(f"{folder}: the sweep has no finished runs to report on")
    ok = ok.join(risk_values(ok))
    varying = parameter_columns(ok)
    x = _pick(x, varying, ok)
    y = _pick(y, [c for c in varying if c != x], ok)
    if x is None:
        raise FileNotFoundError(f"{folder}: no parameter varies across the finished runs, nothing to map")
    chosen = dict(DEFAULT_METRICS)
    chosen.update({m: m for m in metrics if m not in chosen})
    unknown = [m for m in metrics if m not in ok]
    if unknown:
        raise ValueError(f"{folder}: no metric {', '.join(unknown)} in the results; "
                         f"metrics are columns such as {', '.join(list(DEFAULT_METRICS)[:3])}")
    thresholds = {k: {kk: vv for kk, vv in v.items() if vv is not None}
                  for k, v in (manifest.get("base_scenario") or {}).get("risks", {}).items()}
    figures_dir = folder / "figures"
    figures_dir.mkdir(exist_ok=True)
    sections = []
    with plt.rc_context(STYLE):
        for name, made in (("heatmaps", fig_heatmaps(ok, x, y, chosen)), ("risk_map", fig_risk_map(ok, x, y, thresholds))):
            if made is not None:
                sections.append(embed_figure(name, *made, figures_dir))
    experiment = manifest.get("experiment", {}).get("resolved", {})
    title = f"Sweep report: {experiment.get('name', folder.name)}"
    failed = int((runs["status"] != "ok").sum())
    averaged = _others(ok, x, y)
    note = (f"{html.escape(experiment.get('description') or '')} {len(ok)} finished runs in {ok['case'].nunique()} cases"
            f"{f', {failed} failed' if failed else ''}. Maps over {html.escape(_name(x))}"
            f"{' and ' + html.escape(_name(y)) if y else ''}"
            f"{'; averaged over ' + html.escape(', '.join(map(_name, averaged))) if averaged else ''}."
            f" {ran_with(manifest)}")
    body = (f"<h2>Figures over plan space</h2>{''.join(sections)}{_sensitivity_section(folder, figures_dir)}"
            f"{_discovery_section(folder, figures_dir)}<h2>Cases</h2>{case_table(ok, chosen, thresholds)}")
    provenance = {k: manifest.get(k) for k in ("experiment", "digest", "design", "seeds", "environment") if k in manifest}
    return write_page(folder / "report.html", title, note, body, provenance)


def ran_with(manifest: dict) -> str:
    """The page header's account of the runs' size and what changed the base scenario, so a small
    trial sweep is never read as the full one: every run's force and years, then the overrides of
    the experiment file (`base.set`) and of the command line (--set, --years, --replications)."""
    base = manifest.get("base_scenario") or {}
    experiment = manifest.get("experiment") or {}
    size, years = (base.get("force") or {}).get("size"), base.get("horizon_years")
    parts = []
    if size is not None and years is not None:
        parts.append(f"<b>Every run: {size:,} positions over {years:g} years</b>")
    in_file = ((experiment.get("resolved") or {}).get("base") or {}).get("set") or {}
    if in_file:
        parts.append("set by the experiment file: " + html.escape(", ".join(f"{k}={v}" for k, v in in_file.items())))
    command = [*experiment.get("scenario_overrides", []), *experiment.get("overrides", [])]
    parts.append("overrides on the command line: " + (html.escape(", ".join(command)) if command else "none"))
    return "; ".join(parts) + "."


def _pick(wanted: str | None, varying: list[str], runs: pd.DataFrame) -> str | None:
    """The parameter column a user named (with or without its prefix), or the first varying one."""
    if wanted is None:
        return varying[0] if varying else None
    for column in [wanted, *(p + wanted for p in PARAMETER_PREFIXES)]:
        if column in runs:
            return column
    raise ValueError(f"no parameter {wanted!r} in this sweep; its parameters are "
                     f"{', '.join(map(_name, varying)) or 'none that vary'}")


def _sensitivity_section(folder: Path, figures_dir: Path) -> str:
    """Morris or Sobol indices, for a morris or sobol sweep whose runs are all done (else nothing)."""
    from simulator.analysis.sensitivity import ANALYSED
    from simulator.experiments.findings import sweep_indices
    from simulator.report.findings import fig_indices

    saved = folder / "sensitivity.parquet"
    kind = ((read_manifest(folder) or {}).get("experiment", {}).get("resolved", {}).get("design", {}).get("kind"))
    if kind not in ANALYSED:
        return ""
    try:
        table = pd.read_parquet(saved) if saved.exists() else sweep_indices(folder)
    except ResultsError as exc:
        return f"<h2>Sensitivity</h2><p class='note'>{html.escape(str(exc))}</p>"
    with plt.rc_context(STYLE):
        made = fig_indices(table)
    if made is None:
        return ""
    return f"<h2>Sensitivity: which parameters move the figures</h2>{embed_figure('sensitivity', *made, figures_dir)}"


def _discovery_section(folder: Path, figures_dir: Path) -> str:
    """The scenario discoveries saved by `salesim discover`: the boxes in words and their figures."""
    from simulator.experiments.findings import load_saved
    from simulator.report.findings import fig_discovery

    parts = []
    for name, found in load_saved(folder).items():
        rules = "".join(f"<li>PRIM box {k}: <b>{html.escape(b.rule)}</b> (coverage {b.coverage:.0%}, density "
                        f"{b.density:.0%})</li>" for k, b in enumerate(found.boxes, 1))
        rules += "".join(f"<li>CART leaf {k}: {html.escape(b.rule)} (coverage {b.coverage:.0%}, density "
                         f"{b.density:.0%})</li>" for k, b in enumerate(found.tree, 1))
        parts.append(f"<h3>{html.escape(found.outcome)}</h3><p>{found.risky} of {found.cases} cases.</p><ul>{rules}</ul>")
        with plt.rc_context(STYLE):
            made = fig_discovery(found)
        if made is not None:
            parts.append(embed_figure(f"discovery_{name}", *made, figures_dir))
    return "<h2>Where the risks appear (scenario discovery)</h2>" + "".join(parts) if parts else ""
