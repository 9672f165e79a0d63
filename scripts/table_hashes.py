"""Fingerprints of every shipped scenario's tables: a guard that a refactor changes no number.

Each scenario in `scenarios/` runs on a short horizon with a small force and a fixed seed; the
daily, rep-period and acts tables are hashed (column names, dtypes and values). Values are
rounded to 12 significant digits first, so a last-bit difference in how a machine sums an array
does not count, while any real change to a trajectory does.

    python scripts/table_hashes.py            # print the hashes and compare with the committed ones
    python scripts/table_hashes.py --write    # record them (after a deliberate change of the model)

Runs round differently on machines with and without AVX-512 (`machine_class`), so each class has its own
record; a deliberate change of the model records both (the other on a machine of that class).

`tests/test_tables_unchanged.py` compares the committed file with a fresh run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def machine_class() -> str:
    """The class of machine whose runs a record holds. numpy's and OpenBLAS's AVX-512 kernels and numba's
    code for an AVX-512 host round some results differently in the last bit from their AVX2 ones, and over
    a run's year and a half a last-bit difference can flip a rep's choice and with it the trajectory (5 of
    the 29 scenarios ran differently on an AVX2-only machine, 7 December 2026). The same machine class
    still gives the same numbers every time."""
    from numpy._core._multiarray_umath import __cpu_features__

    return "avx512" if __cpu_features__.get("AVX512F") else "avx2"


# One record per machine class: the first recorded on AVX-512 machines, the second on an AVX2-only one.
RECORDS = {"avx512": "table_hashes.json", "avx2": "table_hashes_avx2.json"}
HASHES = ROOT / "tests" / "data" / RECORDS[machine_class()]
OVERRIDES = ["force.size=40", "horizon_years=1.5"]
SEED = 7


def table_hash(table: pd.DataFrame) -> str:
    """A hash of a table's column names, dtypes and values (floats to 12 significant digits)."""
    h = hashlib.sha256()
    for name in table.columns:
        column = table[name]
        h.update(f"{name}:{column.dtype}".encode())
        values = column.to_numpy()
        if values.dtype.kind == "f":
            with np.errstate(all="ignore"):
                values = np.array([float(f"{v:.12g}") for v in values])
        elif values.dtype.kind == "O":
            values = np.array([str(v) for v in values])
        h.update(np.ascontiguousarray(values).tobytes() if values.dtype.kind != "U" else "\x1f".join(values).encode())
    return h.hexdigest()[:16]


def scenario_files() -> list[Path]:
    return sorted(p for p in (ROOT / "scenarios").rglob("*.yaml"))


def scenario_hashes(path: Path) -> dict[str, str]:
    from simulator import load_scenario, run

    result = run(load_scenario(path, OVERRIDES), seed=SEED)
    return {"daily": table_hash(result.daily), "rep_periods": table_hash(result.rep_periods),
            "acts": table_hash(result.acts)}


def all_hashes() -> dict[str, dict[str, str]]:
    return {str(p.relative_to(ROOT / "scenarios")): scenario_hashes(p) for p in scenario_files()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="record the hashes in this machine class's record (tests/data/)")
    args = parser.parse_args(argv)
    fresh = all_hashes()
    if args.write:
        HASHES.parent.mkdir(parents=True, exist_ok=True)
        HASHES.write_text(json.dumps(fresh, indent=1, sort_keys=True) + "\n")
        print(f"wrote {HASHES.relative_to(ROOT)} ({len(fresh)} scenarios)")
        return 0
    committed = json.loads(HASHES.read_text()) if HASHES.exists() else {}
    changed = 0
    for name, tables in fresh.items():
        was = committed.get(name, {})
        diff = [t for t in tables if was.get(t) != tables[t]]
        changed += bool(diff)
        print(f"{name:36s} {'changed: ' + ', '.join(diff) if diff else 'same'}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
