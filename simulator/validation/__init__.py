"""Validation against published findings: the seven stylized facts, run, checked and
written up (docs/validation.md).

    from simulator.validation import validate_facts
    text, page = validate_facts(quick=True, workers=2, out="docs")
"""

from __future__ import annotations

from pathlib import Path

from simulator.validation.facts import FACTS, Check, Fact, fact
from simulator.validation.page import FactResult, console_table, results, write_page
from simulator.validation.suite import run_facts

__all__ = ["FACTS", "Check", "Fact", "FactResult", "fact", "run_facts", "validate_facts"]


def validate_facts(quick: bool = False, workers: int | None = None, out: str | Path = "docs",
                   numbers: list[int] | None = None, robustness: bool | None = None,
                   ) -> tuple[str, Path, list[FactResult]]:
    """Run the facts (all, or those numbered), print-ready table, page path and results. The
    robustness sweep runs in full mode unless `robustness` says otherwise."""
    from simulator.experiments.runner import open_executor
    from simulator.validation import robustness as sweep

    facts = [fact(n) for n in numbers] if numbers else list(FACTS)
    run_sweep = (not quick) if robustness is None else robustness
    with open_executor("process", workers) as executor:
        runs = run_facts(facts, executor, quick)
        table = sweep.sweep(facts, runs, executor) if run_sweep else None
    found = results(runs)
    return console_table(found, table), write_page(found, Path(out), quick, table), found
