"""Sensitivity indices and scenario discovery of a sweep's results folder: read the folder
(`simulator.experiments.store`), analyse it (`simulator.analysis.sensitivity`,
`simulator.analysis.discovery`), and keep what was found beside the results for the sweep report."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from simulator.analysis.discovery import Box, Discovery
from simulator.analysis.discovery import discover as discover_in
from simulator.analysis.sensitivity import ANALYSED, DEFAULT_METRICS, case_indices
from simulator.experiments.store import ResultsError, load_results, read_design, read_manifest


def sweep_indices(folder: str | Path, metrics: Sequence[str] = ()) -> pd.DataFrame:
    """Indices of each metric over a morris or sobol sweep's parameters (`analysis.sensitivity.case_indices`)."""
    folder = Path(folder)
    manifest = read_manifest(folder) or {}
    design_spec = manifest.get("experiment", {}).get("resolved", {}).get("design", {})
    kind = design_spec.get("kind")
    if kind not in ANALYSED:
        raise ResultsError(f"{folder}: sensitivity indices need a morris or sobol design (this sweep's is {kind}); "
                           f"set design.kind to morris (screening) or sobol in the experiment file")
    design = read_design(folder)
    runs = load_results(folder)
    missing = len(design) - int((runs["status"] == "ok").sum())
    if missing:
        raise ResultsError(f"{folder}: {missing} runs are failed or not run; SALib's estimators need every case "
                           f"(run the sweep again to finish them)")
    metrics = list(metrics) or [m for m in DEFAULT_METRICS if m in runs]
    unknown = [m for m in metrics if m not in runs]
    if unknown:
        raise ResultsError(f"{folder}: no metric {', '.join(unknown)} in the results")
    return case_indices(kind, runs, design, manifest["parameters"], metrics,
                        second_order=bool(design_spec.get("second_order")),
                        levels=int(design_spec.get("morris_levels", 4)))


def discover(folder: str | Path, risk: str | None = None, threshold: float | None = None,
             metric: str | None = None, below: float | None = None, above: float | None = None) -> Discovery:
    """Scenario discovery on a sweep's finished runs (`analysis.discovery.discover`), with the
    risk thresholds of the sweep's base scenario."""
    folder = Path(folder)
    runs = load_results(folder)
    manifest = read_manifest(folder) or {}
    thresholds = (manifest.get("base_scenario") or {}).get("risks") or {}
    try:
        return discover_in(runs[runs["status"] == "ok"], risk=risk, threshold=threshold, metric=metric,
                           below=below, above=above, risk_thresholds=thresholds)
    except ValueError as exc:
        raise ResultsError(f"{folder}: {exc}") from None


def save(found: Discovery, folder: str | Path, name: str) -> Path:
    """discovery/<name>.json in the sweep's folder, which the sweep report shows."""
    target = Path(folder) / "discovery" / f"{name}.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(found.as_dict(), indent=1, default=_plain))
    return target


def _plain(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def load_saved(folder: str | Path) -> dict[str, Discovery]:
    """The discoveries saved in a sweep's folder, by name."""
    out = {}
    for path in sorted((Path(folder) / "discovery").glob("*.json")):
        data = json.loads(path.read_text())
        data["boxes"] = [Box(**b) for b in data["boxes"]]
        data["tree"] = [Box(**b) for b in data["tree"]]
        out[path.stem] = Discovery(**data)
    return out
