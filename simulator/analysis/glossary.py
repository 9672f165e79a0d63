"""What a column or figure means: its name, unit and definition, matched by name.

Each table's entries live beside the code that computes it (`simulator.analysis.metrics.SCORECARD`,
`simulator.analysis.columns`, `simulator.experiments.store.IDENTITY_COLUMNS`), and
`simulator.experiments.dictionary` gathers them into `salesim metrics` and docs/metrics.md. A name
may hold a placeholder in braces for columns there is one of per product, performer type,
activity kind or sweep parameter: `bookings_{product}`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
DOTTED = {"parameter"}  # placeholders that may span dots (a sweep parameter's dotted scenario path)


@dataclass(frozen=True)
class Entry:
    """One column or figure: `name` (possibly with placeholders), its unit and what it is."""

    name: str
    unit: str
    definition: str

    def matches(self, column: str) -> bool:
        return _pattern(self.name).fullmatch(column) is not None


def _pattern(name: str) -> re.Pattern:
    parts, last = [], 0
    for m in PLACEHOLDER.finditer(name):
        parts.append(re.escape(name[last:m.start()]))
        parts.append(".+" if m.group(1) in DOTTED else r"[^.]+")
        last = m.end()
    parts.append(re.escape(name[last:]))
    return re.compile("".join(parts))


def find(entries: Iterable[Entry], column: str) -> Entry | None:
    """The entry for `column`: its exact name first, else the first pattern that matches."""
    entries = list(entries)
    exact = next((e for e in entries if e.name == column), None)
    return exact or next((e for e in entries if "{" in e.name and e.matches(column)), None)


def about(function: Callable) -> str:
    """A metric function's definition: its docstring, on one line (so the code defines the metric)."""
    return " ".join((inspect.getdoc(function) or "").split())


def entries(section: str, rows: Iterable[tuple[str, str, str | Callable]]) -> tuple[Entry, ...]:
    """Entries from (name, unit, definition or the function that computes it) rows, named
    `section.name` when a section is given."""
    return tuple(Entry(f"{section}.{name}" if section else name, unit,
                       about(text) if callable(text) else " ".join(text.split()))
                 for name, unit, text in rows)
