"""Validation against published findings: the seven stylized facts, run, checked and
written up (docs/validation.md).

    from simulator.validation import validate_facts
    text, page, found = validate_facts(quick=True, workers=2)   # a check: runs/validation-check/

Only a full run (every fact, full size, robustness sweep) writes the published page, docs/; a
quick or partial check writes to a scratch folder, so it never replaces the page readers cite.
"""

from __future__ import annotations

from pathlib import Path

from simulator.validation.facts import FACTS, Check, Fact, fact
from simulator.validation.page import FactResult, console_table, results, write_page
from simulator.validation.suite import run_facts

__all__ = ["FACTS", "PUBLISHED", "SCRATCH", "Check", "Fact", "FactResult", "PublishedPageError", "fact",
           "page_folder", "run_facts", "validate_facts"]

PUBLISHED = Path("docs")  # the published page, docs/validation.md: full runs only
SCRATCH = Path("runs") / "validation-check"  # where quick and partial checks write by default


class PublishedPageError(ValueError):
    """A check asked to write over the published page."""


def page_folder(full: bool, out: str | Path | None = None) -> Path:
    """Where the page goes: `out`, else the published folder for a full run and the scratch folder
    for a check. A check may not write into the published folder: its smaller runs would replace
    the page's figures."""
    folder = Path(out) if out is not None else (PUBLISHED if full else SCRATCH)
    if not full and folder.resolve() == PUBLISHED.resolve():
        raise PublishedPageError(f"{folder}: a quick or partial check does not replace the published page; "
                         f"leave out --out (it writes to {SCRATCH}/) or name another folder")
    return folder


def validate_facts(quick: bool = False, workers: int | None = None, out: str | Path | None = None,
                   numbers: list[int] | None = None, robustness: bool | None = None,
                   settings: list[str] | None = None) -> tuple[str, Path, list[FactResult]]:
    """Run the facts (all, or those numbered) and the published sizes they are judged on
    (`published`): print-ready table, page path and results. The
    robustness sweep runs in full mode unless `robustness` says otherwise. `settings` (PATH=VALUE)
    apply to every arm of every fact: an ablation, e.g. a reduced-form layer switched off. Only a
    full run of every fact with the sweep and no settings writes to docs/ by default (`page_folder`)."""
    from simulator.experiments.runner import open_executor
    from simulator.validation import published
    from simulator.validation import robustness as sweep

    facts = [fact(n) for n in numbers] if numbers else list(FACTS)
    settings = list(settings or [])
    run_sweep = (not quick) if robustness is None else robustness
    folder = page_folder(not quick and not numbers and run_sweep and not settings, out)
    with open_executor("process", workers) as executor:
        runs = run_facts(facts, executor, quick, settings)
        sizes = published.run_sizes(published.chosen(numbers), executor, settings)
        table = sweep.sweep(facts, runs, executor, settings=settings) if run_sweep else None
    found = results(runs)
    return console_table(found, table, sizes), write_page(found, folder, quick, table, settings, sizes), found
