"""The comparison table as files a designer opens in a spreadsheet: comparison.csv and comparison.xlsx.

One row per headline figure, one column per plan (mean over replications), then for each proposed
plan its difference from the current plan, the 95% interval paired by seed, whether it is resolved
and the replications that would resolve it. Numbers stay numbers (no $ or % text), with a unit column,
so the spreadsheet can compute with them; the workbook adds every replication and the run's terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from simulator.experiments.compare import HEADLINES, MONEY, SHARES, Comparison
from simulator.experiments.files import atomic_write

FORMATS = ("csv", "xlsx")


def unit_of(metric: str, years: float, size: int) -> str:
    """What a figure's number counts."""
    if metric in MONEY:
        return f"$ over {years:g} year{'' if years == 1 else 's'} of {size:,} rep positions"
    return "share (0-1)" if metric in SHARES else "number"


def comparison_table(comparison: Comparison) -> pd.DataFrame:
    """The headline figures of every plan and each proposed plan's difference from the current one."""
    first = comparison.current.scenario
    means = comparison.runs_table().groupby("plan", sort=False)[list(HEADLINES)].mean().T
    table = pd.DataFrame({"figure": list(HEADLINES),
                          "unit": [unit_of(m, first.horizon_years, first.force.size) for m in HEADLINES]})
    for plan in comparison.plans:
        table[plan.name] = means[plan.name].to_numpy()
    diffs = comparison.differences()
    current = comparison.current.name
    for plan in comparison.plans[1:]:
        mine = diffs[diffs["plan"] == plan.name].set_index("metric").reindex(list(HEADLINES))
        table[f"{plan.name} - {current}"] = mine["difference"].to_numpy()
        table[f"{plan.name} 95% low"] = mine["ci_low"].to_numpy()
        table[f"{plan.name} 95% high"] = mine["ci_high"].to_numpy()
        table[f"{plan.name} resolved"] = mine["resolved"].fillna(False).astype(bool).to_numpy()
        table[f"{plan.name} replications to resolve"] = mine["replications_needed"].to_numpy()
    return table


def about_table(comparison: Comparison) -> pd.DataFrame:
    """What the comparison covers: seeds, horizon, force and each plan's equal-cost scale."""
    first = comparison.current.scenario
    rows = [("replications", len(comparison.seeds)), ("seeds", ", ".join(map(str, comparison.seeds))),
            ("horizon, years", first.horizon_years), ("rep positions", first.force.size),
            ("current plan", comparison.current.name)]
    rows += [(f"{p.name}: variable pay scale", p.scale) for p in comparison.plans]
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": str})


def export_comparison(comparison: Comparison, out: str | Path, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write comparison.csv and/or comparison.xlsx into `out`; the paths written."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"export formats are {', '.join(FORMATS)}, got {', '.join(sorted(unknown))}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = comparison_table(comparison)
    written = []
    if "csv" in formats:
        atomic_write(out / "comparison.csv", lambda path: table.to_csv(path, index=False))
        written.append(out / "comparison.csv")
    if "xlsx" in formats:
        try:
            import openpyxl  # noqa: F401  (pandas writes .xlsx through it)
        except ImportError:
            raise RuntimeError("--export xlsx needs openpyxl (a dependency of salesim): pip install openpyxl") from None

        def workbook(path: str) -> None:  # through a handle: the temporary file's suffix is not .xlsx
            with open(path, "wb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
                table.to_excel(writer, sheet_name="comparison", index=False)
                comparison.runs_table().to_excel(writer, sheet_name="replications", index=False)
                about_table(comparison).to_excel(writer, sheet_name="about", index=False)

        atomic_write(out / "comparison.xlsx", workbook)
        written.append(out / "comparison.xlsx")
    return written
