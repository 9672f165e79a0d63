"""Faults a sweep must survive: a full disk, a second sweep on the same folder; and a dashboard
server that makes no outbound request.

The full disk is simulated: a real small filesystem (tmpfs, a loop device) needs root, and
RLIMIT_FSIZE caps the size of each file, not the space left, so it would fail only the largest
file rather than whichever write comes when the disk is full. Instead the writer every results
file goes through (`atomic_write`) is given a disk of a fixed size: once the folder holds that many
bytes, the next write fails with ENOSPC after its temporary file was written, as a real full disk
fails it. Everything above the writer (the runner, the session, the reserve, the command) is the
real code, in this process.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import TINY_SWEEP

from simulator import load_results
from simulator.cli import EXIT_DISK_FULL, main
from simulator.experiments import files, store
from simulator.experiments.design import load_experiment
from simulator.experiments.runner import SerialExecutor, run_sweep
from simulator.experiments.store import ResultsError, session_lock, sweep_status

ROOT = Path(__file__).parents[1]



def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class SmallDisk:
    """A disk of `size` bytes holding `folder`: a write that would take it past `size` fails (ENOSPC)."""

    def __init__(self, folder: Path, size: int):
        self.folder, self.size, self.refused = folder, size, 0
        self.real = files.atomic_write

    def atomic_write(self, target, write):
        def limited(tmp):
            write(tmp)
            if folder_bytes(self.folder) > self.size:
                self.refused += 1
                raise OSError(errno.ENOSPC, "No space left on device", str(tmp))

        self.real(target, limited)


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.yaml"
    path.write_text(TINY_SWEEP)
    return path


@pytest.fixture(scope="module")
def reference(tiny_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reference") / "out"
    report = run_sweep(load_experiment(tiny_file), out, SerialExecutor(), batch=1, progress=False)
    assert (report.ok, report.failed) == (8, 0)
    return out


def test_a_sweep_on_a_nearly_full_disk_stops_cleanly_and_a_rerun_loses_and_repeats_nothing(
        tiny_file, reference, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    command = ["sweep", str(tiny_file), "--out", str(out), "--workers", "1", "--batch-size", "1", "--quiet"]
    # the disk has room for the folder's opening files and about three runs' parts
    opening = folder_bytes(reference) - sum(folder_bytes(reference / kind) for kind in ("runs", "daily"))
    per_run = (folder_bytes(reference / "runs") + folder_bytes(reference / "daily")) / 8
    disk = SmallDisk(out, int(opening + store.RESERVE_BYTES + 3.5 * per_run))
    monkeypatch.setattr(store, "atomic_write", disk.atomic_write)

    assert main(command) == EXIT_DISK_FULL
    err = capsys.readouterr().err
    assert f"disk full at {out.resolve()}" in err and "rerun to resume" in err
    assert "Traceback" not in err and disk.refused >= 1
    status = sweep_status(out)
    assert 1 <= status["ok"] < 8 and status["failed"] == 0, status  # unfinished runs are pending, not failed
    session = store.read_manifest(out)["sessions"][-1]
    assert session.get("ended") and session["disk_full"], session  # the session was closed, from the reserve
    assert not list(out.rglob("*.tmp"))
    for part in out.rglob("part-*.parquet"):
        pq.read_table(part)  # whatever the rerun will trust is whole
    done_before = status["ok"]

    monkeypatch.setattr(store, "atomic_write", files.atomic_write)  # space freed
    assert main(command) == 0
    printed = capsys.readouterr().out
    assert f"{8 - done_before} runs done now, {done_before} done before, 0 failed" in printed
    oks = pd.concat([pq.read_table(p).to_pandas() for p in (out / "runs").glob("part-*.parquet")])
    assert sorted(oks.loc[oks["status"] == "ok", "run_id"]) == list(range(8))  # no run done twice
    for table in ("runs", "daily"):
        got, want = load_results(out, table), load_results(reference, table)
        if table == "runs":
            got, want = got.drop(columns="seconds"), want.drop(columns="seconds")
        pd.testing.assert_frame_equal(got, want, check_exact=True)  # bit for bit


def test_a_full_disk_keeps_the_old_file_and_names_the_folder(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("old")

    def fill(path):
        Path(path).write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(files.DiskFull, match=f"disk full at {tmp_path}; rerun to resume"):
        files.atomic_write(target, fill)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_a_second_sweep_on_a_folder_in_use_is_refused_naming_the_holder(tiny_file, tmp_path, capsys):
    out = tmp_path / "out"
    with session_lock(out, ["salesim", "sweep", "first.yaml"]):
        with pytest.raises(ResultsError, match=f"process {os.getpid()} on .*first.yaml"):
            run_sweep(load_experiment(tiny_file), out, SerialExecutor(), progress=False)
        assert main(["sweep", str(tiny_file), "--out", str(out), "--workers", "1", "--quiet"]) == 2
        assert "another sweep is writing here" in capsys.readouterr().err
        assert not (out / store.MANIFEST).exists()  # the refused sweep wrote nothing
    report = run_sweep(load_experiment(tiny_file), out, SerialExecutor(), progress=False)  # released: it runs
    assert report.ok == 8
    assert (out / store.LOCK).read_text() == ""  # the holder's note goes with the lock


def test_the_lock_is_held_by_a_running_sweep_in_another_process(tiny_file, tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from simulator.experiments.store import session_lock\n"
        f"with session_lock({str(out)!r}, ['the-first-sweep']):\n"
        "    print('held', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ResultsError, match=f"process {holder.pid} .*the-first-sweep"):
            run_sweep(load_experiment(tiny_file), out, SerialExecutor(), progress=False)
    finally:
        holder.kill()
        holder.wait()
    assert run_sweep(load_experiment(tiny_file), out, SerialExecutor(), progress=False).ok == 8  # the kernel freed it


def test_the_dashboard_server_makes_no_outbound_request():
    pytest.importorskip("solara")
    from simulator.dashboard.server import command, environment

    argv = command()
    assert "--no-check-version" in argv  # Solara's start-up check of PyPI
    help_text = subprocess.run([sys.executable, "-m", "solara", "run", "--help"], capture_output=True, text=True,
                               env={**os.environ, "COLUMNS": "300"}).stdout
    assert "--no-check-version" in help_text  # the installed Solara knows the option
    probe = ("import solara.server.settings as s, solara.server.telemetry as t; "
             "print(s.telemetry.mixpanel_enable)")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment(None))
    assert shown.stdout.strip() == "False", shown.stderr  # no usage telemetry (mixpanel, ipify)
    default = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if not k.startswith("SOLARA_")})
    assert default.stdout.strip() == "True"  # ... which Solara would send without it


def test_summaries_are_valid_json_with_unmeasured_figures_null_and_explained(tmp_path):
    assert main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--years", "0.25", "--set", "force.size=10",
                 "--out", str(tmp_path / "r"), "--quiet"]) == 0

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    summary = json.loads((tmp_path / "r" / "summary.json").read_text(), parse_constant=refuse)
    assert summary["unmeasured"]  # a quarter of a year leaves figures that cannot be measured
    for dotted, why in summary["unmeasured"].items():
        node = summary
        for key in dotted.split("."):
            node = node[key]
        assert node is None and why.startswith(("not measurable", "unbounded"))
