"""Pictures and pages for people, drawn from result files only: the look and the page (`page`), the
report of a run or a comparison (`plans`), of a sweep (`sweep`), and of what a sweep's analysis
found (`findings`)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence


def write_report(folder: str | Path, x: str | None = None, y: str | None = None, metrics: Sequence[str] = ()) -> Path:
    """Write report.html (figures embedded) and figures/*.png into a run's, comparison's or sweep's folder.

    `x`, `y` and `metrics` choose a sweep's maps (`simulator.report.sweep`); runs and comparisons ignore them.
    """
    if (Path(folder) / "manifest.json").exists():
        from simulator.report.sweep import write_sweep_report

        return write_sweep_report(folder, x, y, metrics)
    from simulator.report.plans import write_plan_report

    return write_plan_report(folder)


__all__ = ["write_report"]
