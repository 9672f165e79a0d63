"""The metric dictionary: every column of a run's tables, of `load_results` and of the scorecard,
with its unit and definition, gathered from the code that computes each (`salesim metrics`,
docs/metrics.md).

Nothing is written here by hand: the entries live beside their computations
(`simulator.analysis.metrics.SCORECARD`, `simulator.analysis.columns`,
`simulator.experiments.store.IDENTITY_COLUMNS`), and docs/metrics.md is this module's `markdown()`,
checked by tests/test_metric_dictionary.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from simulator.analysis.columns import DAILY, REP_PERIODS
from simulator.analysis.glossary import Entry, find
from simulator.analysis.metrics import SCORECARD
from simulator.experiments.store import IDENTITY_COLUMNS, RECORD_COLUMNS

TABLES: dict[str, tuple[Entry, ...]] = {
    "scorecard": SCORECARD,
    "daily": DAILY,
    "rep_periods": REP_PERIODS,
    "runs": (*IDENTITY_COLUMNS, *RECORD_COLUMNS),
}
TITLES = {
    "scorecard": ("Scorecard", ("A run's figures: `salesim run` prints them, summary.json holds them (sections "
                  "nested), and a sweep's runs table (`load_results`) has one column each, named as here.")),
    "daily": ("Daily table", ("A row per business day: daily.parquet of a run, `load_results(folder, \"daily\")` "
              "of a sweep that keeps it. Flows are the day's totals; states are after the day.")),
    "rep_periods": ("Rep-period table", ("A row per rep and quota period (and per leaver's part of one): "
                    "rep_periods.parquet, `load_results(folder, \"rep_periods\")`.")),
    "runs": ("Sweep columns (`load_results`)", ("Every table `load_results` gives starts with the run's "
             "identity and the parameters the sweep varies; its runs table then has `status`, every "
             "scorecard figure the experiment keeps, and the run's record.")),
}
PLACEHOLDERS = (("product", "one column per product of the scenario"),
                ("performer_type", "per performer type (segment) of the force"),
                ("activity", "per kind of logged activity"),
                ("parameter", "per parameter the sweep varies, by its name"))


def table_entries(table: str) -> tuple[Entry, ...]:
    """The entries a table's columns are looked up in: a sweep's tables start with the run's identity
    and parameters; its runs table then holds the scorecard's figures."""
    if table not in TABLES:
        raise ValueError(f"table must be one of {', '.join(TABLES)}, got {table!r}")
    if table == "runs":
        return (*TABLES["runs"], *SCORECARD)
    if table in ("daily", "rep_periods"):
        return (*TABLES[table], *IDENTITY_COLUMNS)
    return TABLES[table]


def describe(table: str, column: str) -> Entry | None:
    """The entry of one column (None when the dictionary lacks it)."""
    return find(table_entries(table), column)


def undocumented(table: str, columns: Iterable[str]) -> list[str]:
    """Columns of `table` without an entry."""
    return [c for c in columns if describe(table, c) is None]


def unmatched(table: str, columns: Iterable[str]) -> list[str]:
    """Entries of `table` (its own, not those it shares) that name none of `columns`."""
    columns = list(columns)
    return [e.name for e in TABLES[table] if not any(e.matches(c) for c in columns)]


def text(tables: Iterable[str] = tuple(TABLES)) -> str:
    """The dictionary for a terminal: a block per table, a line per column."""
    lines = []
    for table in tables:
        title, intro = TITLES[table]
        lines += [title.replace("`", "").upper(), f"  {intro.replace('`', '')}", ""]
        for e in TABLES[table]:
            lines.append(f"  {e.name:<44} {e.unit:<16} {e.definition.replace('`', '')}")
        lines.append("")
    lines.append("; ".join(f"{{{name}}}: {what}" for name, what in PLACEHOLDERS) + ".")
    return "\n".join(lines)


def markdown() -> str:
    """docs/metrics.md, as it must read."""
    lines = ["# Metric dictionary", "",
             ("Every column of a run's tables, of a sweep's results (`load_results`) and every figure of the "
             "scorecard, with its unit and definition. This page is generated from the code that computes "
             "them (`simulator.experiments.dictionary`); do not edit it: `salesim metrics --markdown > "
             "docs/metrics.md` rewrites it, and the tests fail when it and the code disagree."), "",
             ("Units: $ are the scenario's currency units; a *share* runs 0-1; *per rep-year* divides by "
             "the reps' years in the job (mean headcount x years); *business days* count 252 a year; "
             "*effort units* take a rep's usual effort as 1; *x quota* is a multiple of quota."), "",
             "; ".join(f"`{{{name}}}`: {what}" for name, what in PLACEHOLDERS) + ".", ""]
    for table, found in TABLES.items():
        title, intro = TITLES[table]
        lines += [f"## {title}", "", intro, "", "| column | unit | definition |", "| --- | --- | --- |"]
        lines += [f"| `{e.name}` | {e.unit} | {e.definition.replace('|', '/')} |" for e in found]
        lines.append("")
    return "\n".join(lines)
