"""Reading a sweep's results is light and total: `load_results` in a fresh process loads neither the
engine, numba, Mesa, matplotlib nor the scenario schema, and a table the runs kept without rows
(no quota period ended) reads as an empty table with its identity columns."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT, TINY_SWEEP

from simulator.experiments.design import load_experiment
from simulator.experiments.runner import SerialExecutor, run_sweep
from simulator.experiments.store import load_results

HEAVY = ("numba", "matplotlib", "mesa", "simulator.sim", "simulator.scenario", "pydantic", "scipy")


@pytest.fixture(scope="module")
def short_sweep(tmp_path_factory):
    """The tiny sweep cut to a month, keeping rep-period tables: no quarter ends, so they have no rows."""
    folder = tmp_path_factory.mktemp("reading")
    text = TINY_SWEEP.replace("horizon_years: 0.25", "horizon_years: 0.08").replace("[daily]", "[daily, rep_periods]")
    (folder / "tiny.yaml").write_text(text)
    report = run_sweep(load_experiment(folder / "tiny.yaml"), folder / "out", SerialExecutor(), progress=False)
    assert report.ok == 8
    return folder / "out"


def test_reading_results_loads_no_engine_numba_mesa_or_matplotlib(short_sweep):
    code = (f"import json, sys\nfrom simulator import load_results\n"
            f"n = [len(load_results({str(short_sweep)!r}, t)) for t in ('runs', 'daily')]\n"
            f"print(json.dumps([n, sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{sorted({h.split('.')[0] for h in HEAVY})!r})]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    counts, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts[0] == 8 and counts[1] > 8
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == [], f"reading results imported {heavy[:10]}"


def test_a_kept_table_without_rows_reads_as_an_empty_table(short_sweep):
    rows = load_results(short_sweep, "rep_periods")
    assert len(rows) == 0
    assert {"run_id", "case", "replication", "seed", "lever.plan.bonus"} <= set(rows.columns)
