"""Running sweeps: the same tables whatever the engine, nothing lost or repeated when a sweep is
killed and resumed, a run that raises recorded without stopping the others, and every shipped
experiment runnable in a tiny quick mode."""

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import psutil
import pyarrow.parquet as pq
import pytest
from conftest import TINY_SWEEP

from simulator import load_results, load_scenario, run
from simulator.analysis.metrics import flatten
from simulator.cli import main, sweep_exit_status
from simulator.experiments.design import load_experiment
from simulator.experiments.runner import SerialExecutor, SweepReport, batch_size, open_executor, rerun, run_sweep
from simulator.experiments.store import ResultsError, sweep_status

pytestmark = pytest.mark.slow  # whole sweeps, on several executors, killed and resumed

ROOT = Path(__file__).parents[1]
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.yaml"))
QUICK = ["--set", "force.size=10", "--years", "0.25", "--replications", "1"]



@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.yaml"
    path.write_text(TINY_SWEEP)
    return path


@pytest.fixture(scope="module")
def serial(tiny_file, tmp_path_factory) -> Path:
    """The reference: the tiny experiment run in this process, one run after another."""
    out = tmp_path_factory.mktemp("serial") / "out"
    report = run_sweep(load_experiment(tiny_file), out, SerialExecutor(), progress=False)
    assert (report.ok, report.failed) == (8, 0)
    return out


def same_results(out: Path, reference: Path, table: str = "runs") -> None:
    got, want = load_results(out, table), load_results(reference, table)
    if table == "runs":
        got, want = got.drop(columns="seconds"), want.drop(columns="seconds")
    assert got["run_id"].is_unique or table != "runs"
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_results_table_is_tidy(serial):
    table = load_results(serial)
    assert list(table["run_id"]) == list(range(8)) and set(table["status"]) == {"ok"}
    assert list(table.columns[:7]) == ["run_id", "case", "replication", "seed", "status", "lever.plan.bonus",
                                       "uncertainty.market.demand_uncertainty"]
    assert {"financial.revenue", "by_performer.high.hit_rate", "seconds"} <= set(table.columns)
    daily = load_results(serial, "daily")
    days = load_scenario(ROOT / "scenarios" / "baseline.yaml", ["horizon_years=0.25"]).n_days
    assert len(daily) == 8 * days and daily.groupby("run_id")["day"].apply(list).map(lambda d: d == list(range(days))).all()
    assert "lever.plan.bonus" in daily.columns
    with pytest.raises(ResultsError, match="rep_periods"):
        load_results(serial, "rep_periods")


def test_results_files_get_ordinary_permissions(serial):
    """Atomic writes go through mkstemp, whose files only their owner may read; a shared results
    folder must be readable as if written with open()."""
    from simulator.experiments.files import FILE_MODE

    files = [p for p in serial.rglob("*") if p.is_file()]
    assert files and all(p.stat().st_mode & 0o777 == FILE_MODE for p in files)
    assert FILE_MODE & 0o044  # readable by group or others under any usual umask


def test_any_run_reruns_bit_for_bit_from_its_record(serial):
    recorded = load_results(serial).set_index("run_id").loc[5]
    again = flatten({k: v for k, v in rerun(serial, 5).summary.items() if k != "provenance"})
    assert again and all(recorded[name] == value or (value != value and recorded[name] != recorded[name])
                         for name, value in again.items())
    assert rerun(serial, 5).summary["provenance"]["seed"] == recorded["seed"]


def test_two_processes_give_the_serial_tables(tiny_file, serial, tmp_path):
    with open_executor("process", workers=2) as pool:
        report = run_sweep(load_experiment(tiny_file), tmp_path / "out", pool, batch=3, progress=False)
    assert (report.ok, report.failed, report.pending) == (8, 0, 0)
    same_results(tmp_path / "out", serial)
    same_results(tmp_path / "out", serial, "daily")


def test_a_dask_cluster_gives_the_serial_tables(tiny_file, serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        status = main(["sweep", str(tiny_file), "--scheduler", cluster.scheduler_address,
                       "--out", str(tmp_path / "out"), "--quiet"])
    assert status == 0
    same_results(tmp_path / "out", serial)
    same_results(tmp_path / "out", serial, "daily")


def test_any_executor_will_do(tiny_file, serial, tmp_path):
    """Ray, MPI or another engine need only a concurrent.futures Executor: here, a thread pool."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        report = run_sweep(load_experiment(tiny_file), tmp_path / "out", pool, progress=False)
    assert (report.ok, report.failed) == (8, 0)
    same_results(tmp_path / "out", serial)


def test_a_run_that_raises_is_recorded_and_the_others_go_on(tiny_file, serial, tmp_path):
    """The model is defined here, as in a notebook cell: loky ships it to its workers."""

    def model(scenario, seed):
        if scenario.plan.bonus == 6000 and scenario.market.demand_uncertainty == 0.3:
            raise RuntimeError("demand model diverged")
        return run(scenario, seed)

    with open_executor("loky", workers=2) as pool:
        report = run_sweep(load_experiment(tiny_file), tmp_path / "out", pool, model=model, batch=2, progress=False)
    assert (report.ok, report.failed) == (6, 2) and sorted(report.failures) == [6, 7]
    table = load_results(tmp_path / "out")
    failed = table[table["status"] == "failed"]
    assert list(failed["run_id"]) == [6, 7] and failed["financial.revenue"].isna().all()
    assert (failed["error"] == "RuntimeError: demand model diverged").all()
    assert failed["traceback"].str.contains("in model").all()
    ok = table[table["status"] == "ok"].drop(columns=["seconds", "error", "traceback"])
    want = load_results(serial).drop(columns="seconds").iloc[:6]
    pd.testing.assert_frame_equal(ok, want, check_exact=True)


def test_exit_status_counts_failed_runs():
    def report(**kwargs):
        return SweepReport(Path("."), runs=300, **kwargs)

    assert sweep_exit_status(report(ok=300)) == 0
    assert sweep_exit_status(report(ok=297, failed=3)) == 103
    assert sweep_exit_status(report(ok=100, failed=200)) == 199
    assert sweep_exit_status(report(ok=10, interrupted=True)) == 130


def test_rerunning_into_the_folder_runs_only_what_is_missing(tiny_file, serial, tmp_path):
    out = tmp_path / "out"
    experiment = load_experiment(tiny_file)
    run_sweep(experiment, out, SerialExecutor(), batch=3, progress=False)
    again = run_sweep(experiment, out, SerialExecutor(), progress=False)
    assert (again.skipped, again.ok) == (8, 0)
    lost = sorted((out / "runs").glob("part-*.parquet"))[1]  # a batch whose record never made it to disk
    lost_runs = set(pq.read_table(lost).column("run_id").to_pylist())
    lost.unlink()
    (out / "runs" / ".part-half-written.parquet.tmp").write_bytes(b"PAR1 half")
    resumed = run_sweep(experiment, out, SerialExecutor(), resume=True, progress=False)
    assert (resumed.skipped, resumed.ok) == (8 - len(lost_runs), len(lost_runs))
    same_results(out, serial)
    same_results(out, serial, "daily")
    assert not list(out.rglob("*.tmp"))
    with pytest.raises(ResultsError, match="another experiment"):
        run_sweep(load_experiment(tiny_file, ["seed=4"]), out, SerialExecutor(), progress=False)
    with pytest.raises(ResultsError, match="no sweep to resume"):
        run_sweep(experiment, tmp_path / "empty", SerialExecutor(), resume=True, progress=False)


def test_a_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path):
    path = tmp_path / "kill.yaml"
    path.write_text(TINY_SWEEP.replace("replications: 2", "replications: 10"))
    reference = tmp_path / "reference"
    run_sweep(load_experiment(path), reference, SerialExecutor(), progress=False)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "simulator.cli", "sweep", str(path), "--out", str(out), "--quiet"]
    sweep = subprocess.Popen([*command, "--workers", "2", "--batch-size", "1"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("part-*.parquet"))) < 3 and sweep.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    workers = psutil.Process(sweep.pid).children()
    os.kill(sweep.pid, signal.SIGKILL)
    sweep.wait()
    _, alive = psutil.wait_procs(workers, timeout=20)
    assert not alive, "orphaned workers finish their batch and exit"
    killed = sweep_status(out)
    assert 3 <= killed["ok"] < 40 and killed["pending"] > 0, killed
    for part in out.rglob("part-*.parquet"):
        pq.read_table(part)  # whatever a resume would trust is whole
    resumed = subprocess.run([*command, "--resume", "--workers", "1"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "done before" in resumed.stdout
    table = load_results(out)
    assert sorted(table["run_id"]) == list(range(40))
    same_results(out, reference)
    same_results(out, reference, "daily")


def spawned_workers(pid: int) -> list[psutil.Process]:
    """The spawned worker processes of `pid` at this moment. A child can exit, or sit as a zombie not yet
    reaped, between being listed and being asked its command line (a short-lived helper of the parent's, on a
    busy machine): such a child is no worker to wait for, so it is skipped rather than failing the test."""
    workers = []
    try:
        children = psutil.Process(pid).children()
    except psutil.NoSuchProcess:
        return []
    for child in children:
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                workers.append(child)
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            continue
    return workers


def test_workers_killed_with_their_parent_while_starting_exit(tmp_path):
    """A sweep killed while its workers are still importing the package leaves no worker behind: each
    was told its parent's pid, instead of reading a parent that may already be init."""
    path = tmp_path / "kill.yaml"
    path.write_text(TINY_SWEEP)
    command = [sys.executable, "-m", "simulator.cli", "sweep", str(path), "--out", str(tmp_path / "out"), "--quiet",
               "--workers", "2"]
    sweep = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    workers: list[psutil.Process] = []
    while sweep.poll() is None and time.monotonic() < deadline:
        workers = spawned_workers(sweep.pid)
        if workers:
            break
        time.sleep(0.01)
    assert workers, "the sweep started a worker"
    os.kill(sweep.pid, signal.SIGKILL)
    sweep.wait()
    _, alive = psutil.wait_procs(workers, timeout=30)
    for process in alive:
        process.kill()
    assert not alive, "workers orphaned while starting exit"


def test_batches_grow_to_the_task_time_and_shrink_at_the_end():
    assert batch_size(None, 1000, 2) == 1  # nothing timed yet
    assert batch_size(0.5, 1000, 2) == 10  # about five seconds of work
    assert batch_size(0.001, 100_000, 2) == 500  # capped
    assert batch_size(0.1, 16, 2) == 2  # the tail: several tasks per worker
    assert batch_size(0.1, 3, 2) == 1


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_every_shipped_experiment_validates_and_runs_in_quick_mode(path, tmp_path):
    text = path.read_text()
    assert text.lstrip().startswith("#"), "each experiment opens with a comment saying what it answers"
    experiment = load_experiment(path)
    assert experiment.name == path.stem and experiment.spec.description
    roles = {f.role for f in experiment.factors}
    assert roles == {"lever", "uncertainty"}, "each shipped experiment crosses a lever with an uncertainty"
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet", *QUICK]) == 0
    table = load_results(tmp_path / "out")
    assert len(table) == len(experiment.cases) and set(table["status"]) == {"ok"}
    assert table["financial.revenue"].gt(0).all()
