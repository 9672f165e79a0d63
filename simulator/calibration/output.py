"""A calibration's files: estimates.csv, moments.csv, identification.csv, calibrated.yaml (the input
scenario `extends:`-ed with the estimates) and report.html (a fitted-vs-data figure per moment).
Every file is written atomically, so an interrupted write leaves the old file or none."""

from __future__ import annotations

import html
import json
import math
import os
from pathlib import Path
from typing import Any, Mapping

import matplotlib.pyplot as plt
import numpy as np
import yaml

from simulator.calibration.fit import SEARCHES, Fit
from simulator.calibration.parameters import value_at
from simulator.experiments.files import atomic_write, package_version
from simulator.report.page import PALETTE, STYLE, embed_figure, fmt, write_page

FILES = ("estimates.csv", "moments.csv", "identification.csv", "calibrated.yaml", "report.html")


def _csv(frame, target: Path) -> None:
    atomic_write(target, lambda path: frame.to_csv(path, index=False, float_format="%.6g"))


def calibrated_yaml(scenario_path: Path, out: Path, base: Mapping, fit: Fit, settings: list[str]) -> str:
    """The input scenario extended with the estimates. Each fitted field is written with its whole
    section (a trait's mean with its sd and limits), so `extends:` cannot drop the section's other values."""
    overrides: dict[str, Any] = {}
    paths = [p.path for p in fit.parameters] + [s.split("=", 1)[0].strip() for s in settings]
    resolved = json.loads(json.dumps(base))
    for p, value in zip(fit.parameters, fit.estimate):
        node = resolved
        *parents, leaf = p.path.split(".")
        for key in parents:
            node = node[key]
        node[leaf] = float(value)
    for path in paths:
        keys = path.split(".")
        parent = value_at(resolved, ".".join(keys[:-1])) if len(keys) > 1 else None
        # a trait's distribution is written whole: {mean: x} alone would drop its sd and limits
        section = keys[:-1] if isinstance(parent, dict) and {"mean", "sd", "dist"} <= set(parent) else keys
        node = overrides
        for key in section[:-1]:
            node = node.setdefault(key, {})
        node[section[-1]] = value_at(resolved, ".".join(section))
    relative = os.path.relpath(Path(scenario_path).resolve(), Path(out).resolve())
    lines = [f"# calibrated by salesim calibrate: {', '.join(p.path for p in fit.parameters)}",
             "# estimates (95% interval):"]
    for p, est, se in zip(fit.parameters, fit.estimate, fit.se):
        lines.append(f"#   {p.path} = {est:.6g} ({est - 1.96 * se:.6g} .. {est + 1.96 * se:.6g})")
    body = yaml.safe_dump({"extends": relative, "name": f"{base.get('name', 'scenario')}_calibrated", **overrides},
                          sort_keys=False)
    return "\n".join(lines) + "\n" + body


def moment_figure(fit: Fit):
    """One panel per moment: the data with its 95% interval, the model at the start and at the
    estimate with the range of single runs."""
    table = fit.moment_table()
    n = len(table)
    cols = min(4, n)
    rows = math.ceil(n / cols)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.0 * rows), squeeze=False)
        for ax, (_, row), k in zip(axes.flat, table.iterrows(), range(n)):
            ax.errorbar([0], [row["data"]], yerr=[[1.96 * row["moment_se"]]], fmt="o", color=PALETTE[6], capsize=5)
            for x, values, colour in ((1, fit.at_start[:, k], PALETTE[1]), (2, fit.at_estimate[:, k], PALETTE[0])):
                ax.plot([x] * len(values), values, "_", color=colour, alpha=0.6, markersize=12)
                ax.plot([x], [np.nanmean(values)], "o", color=colour)
            ax.set_xticks([0, 1, 2], [fit.data_label, "start", "fitted"])
            ax.set_xlim(-0.5, 2.5)
            ax.set_title(row["moment"], fontsize=12)
        for ax in list(axes.flat)[n:]:
            ax.axis("off")
        fig.tight_layout()
    return fig


def _table_html(frame, columns) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(
        f"<th class='row'>{html.escape(str(r[c]))}</th>" if i == 0 else
        f"<td>{fmt(r[c]) if isinstance(r[c], (int, float, np.floating)) and not isinstance(r[c], bool) else html.escape(str(r[c]))}</td>"
        for i, c in enumerate(columns)) + "</tr>" for _, r in frame.iterrows())
    return f"<table><tr>{head}</tr>{body}</table>"


def write_outputs(out: Path, fit: Fit, scenario_path: Path, base: Mapping, settings: list[str],
                  history_source: str, notes: list[str]) -> list[Path]:
    """Write the calibration's files into `out` and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    estimates, moments, ident = fit.estimates(), fit.moment_table(), fit.identification()
    _csv(estimates, out / "estimates.csv")
    _csv(moments, out / "moments.csv")
    _csv(ident, out / "identification.csv")
    text = calibrated_yaml(scenario_path, out, base, fit, settings)
    atomic_write(out / "calibrated.yaml", lambda path: Path(path).write_text(text, encoding="utf-8"))
    figures = out / "figures"
    figures.mkdir(exist_ok=True)
    weak = fit.not_pinned_down()
    shown = "in the data" if fit.data_label == "data" else f"as {fit.data_label}"
    body = ["<h2>Estimates</h2>", _table_html(estimates, ["parameter", "start", "estimate", "std_error", "ci_low",
                                                             "ci_high", "low", "high", "pinned_down"])]
    if weak:
        body.append(f"<p><b>Not pinned down by these data:</b> {html.escape(', '.join(weak))}.</p>")
    body += ["<h2>Fit, moment by moment</h2>",
             embed_figure("moments", moment_figure(fit), f"Each moment {shown} (black, 95% interval), the "
                          "model at the start (orange) and at the estimate (blue): dots are means over the "
                          "replications, dashes single runs.", figures),
             _table_html(moments, ["moment", "data", "data_se", "moment_se", "model", "model_run_sd", "model_at_start",
                                   "weight", "gap_in_se"]),
             "<h2>Identification</h2><p class='note'>How far each moment moves when a parameter moves a tenth "
             "of its range, in the data moment's standard errors; and how each estimate moves with each moment "
             f"(sensitivity). Condition number of the scaled derivatives: {fit.condition_number():.3g}.</p>",
             _table_html(ident, ["parameter", "moment", "move_per_tenth_in_se", "sensitivity"])]
    if notes:
        body.append("<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>")
    provenance = {"history": history_source, "scenario": str(scenario_path), "settings": settings,
                  "replications": fit.replications, "evaluations": fit.evaluations, "simulated": fit.simulated,
                  "resumed": fit.resumed, "optimiser": f"optimagic {SEARCHES[fit.search][0]} ({fit.search}): {fit.message}",
                  "package_version": package_version()}
    note = (f"Simulated method of moments: {len(fit.parameters)} parameter(s) from {len(fit.moments)} moments, "
            f"{fit.replications} runs a candidate on fixed seeds; objective {fit.start_objective:.3g} at the start, "
            f"{fit.objective:.3g} at the estimate.")
    page = out / "report.html"
    atomic_write(page, lambda path: write_page(Path(path), "Calibration", html.escape(note), "\n".join(body),
                                               provenance))
    return [out / name for name in FILES]
