"""Executing a sweep: batches of runs on any `concurrent.futures.Executor`, results that survive.

The runner sees the model as `run(scenario, seed) -> RunResult` and nothing of its inside. It
hands batches of runs to an executor; each worker runs its batch, writes the results as Parquet
parts (atomically) and sends back only (run_id, ok, seconds) per run, so the parent's memory
stays flat however many runs there are. Engines:

- `serial`: in this process, for one worker and for debugging;
- `process` (default): the standard library's process pool, started with `spawn` through an
  explicit context (never the global start method), its workers limited to one BLAS thread;
- `loky`: a reusable pool that pickles with cloudpickle, so a model defined in a notebook cell ships;
- `dask`: a Dask cluster (`Client(address).get_executor()`), or a local one on 127.0.0.1.
Any other Executor (Ray, `mpi4py.futures.MPIPoolExecutor`) can be passed to `run_sweep` as it is.

Seeds travel with the runs, so results do not depend on the engine, the number of workers or
the order in which batches finish. Batches grow once the first runs have been timed, to about
`TASK_SECONDS` of work each, and shrink again near the end so every worker finishes together.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import traceback
from collections import deque
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Literal, Sequence

import pandas as pd

from simulator.analysis.metrics import flatten
from simulator.experiments import store
from simulator.experiments.design import Experiment, RunSpec, keep_metric, scenario_for
from simulator.experiments.files import is_disk_full
from simulator.experiments.run import RunResult, run

Model = Callable[..., RunResult]
Engine = Literal["process", "loky", "dask", "serial"]
ENGINES = ("process", "loky", "dask", "serial")
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
TASK_SECONDS = 5.0  # aim for batches of about this much work: small per-task overhead, little lost to a kill
MAX_BATCH = 500


# ------------------------------------------------------------------------------------- engines


class SerialExecutor(Executor):
    """Runs each task in this process as it is submitted: one worker, nothing pickled."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Processes started inside this block use one BLAS, OpenMP and numba thread each, so workers on
    a few cores do not compete with each other's thread pools (a large run decides on every core only
    when it runs alone: `behaviour.rules.THREADED_FROM_REPS`); the parent's environment is restored after."""
    saved = {name: os.environ.get(name) for name in THREAD_VARS}
    os.environ.update({name: "1" for name in THREAD_VARS})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_BUSY = threading.Lock()  # held while this process runs a batch


def _init_worker(parent: int) -> None:
    """Worker initializer. Ctrl-C is the parent's to handle: it lets the batches under way finish.
    A worker whose parent is gone (kill -9) finishes its batch, writes it, then exits; a pool's idle
    workers would otherwise wait for work forever. The parent's pid comes from the parent itself: a
    worker still importing the package when the parent dies would otherwise read its new parent
    (init) here and watch the wrong process for ever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        with _BUSY:
            os._exit(0)

    threading.Thread(target=watch, name="salesim-parent-watch", daemon=True).start()


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def open_executor(engine: Engine = "process", workers: int | None = None, scheduler: str | None = None
                  ) -> Iterator[Executor]:
    """An executor for `run_sweep`, shut down when the block ends.

    `scheduler` (a Dask scheduler address) implies the dask engine; dask without one starts a
    local cluster on 127.0.0.1 with `workers` single-threaded workers. One process worker runs serially.
    """
    engine = "dask" if scheduler else engine
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    workers = workers or default_workers()
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if engine == "serial" or (engine == "process" and workers == 1):
        yield SerialExecutor()
    elif engine == "process":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with single_threaded_blas():
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_init_worker, initargs=(os.getpid(),))
            pool.submit(int)  # start every worker now, while the environment says one thread
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    elif engine == "loky":
        from loky import get_reusable_executor

        yield get_reusable_executor(max_workers=workers, env={name: "1" for name in THREAD_VARS},
                                    initializer=_init_worker, initargs=(os.getpid(),))  # kept alive for the next sweep
    else:
        with _dask_client(scheduler, workers) as client:
            executor = client.get_executor(pure=False)
            try:
                yield executor
            finally:
                executor.shutdown(wait=False)


@contextmanager
def _dask_client(scheduler: str | None, workers: int):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ValueError("the dask engine needs Dask: pip install 'salesim[dask]'") from None
    if scheduler:
        with Client(scheduler) as client:
            yield client
    else:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client


def worker_count(executor: Executor) -> int:
    """How many tasks the executor runs at once (for sizing batches and the submission window): the
    pool's size, a Dask cluster's threads, mpi4py's `num_workers`, or a `max_workers` attribute that
    any other executor may carry; every core if it says nothing."""
    if isinstance(executor, SerialExecutor):
        return 1
    client = getattr(executor, "_client", None)  # dask's ClientExecutor
    if client is not None:
        return max(1, sum(client.nthreads().values()))
    for name in ("max_workers", "num_workers", "_max_workers"):
        count = getattr(executor, name, None)
        if isinstance(count, int) and count > 0:
            return count
    return default_workers()


# ------------------------------------------------------------------------------------- worker side


@dataclass(frozen=True)
class Task:
    """A batch of runs for one worker: everything it needs, nothing it does not."""

    out: str
    base: dict
    runs: tuple[RunSpec, ...]
    tables: tuple[str, ...]
    metrics: tuple[str, ...]
    model: Model = run


def run_batch(task: Task) -> list[tuple[int, bool, float]]:
    """Run a batch, write its parts and return (run_id, ok, seconds) per run. A run that raises is
    recorded as failed with its traceback; an interrupt writes the runs already finished, then stops."""
    rows: list[dict] = []
    tables: dict[str, list[pd.DataFrame]] = {name: [] for name in task.tables}
    with _BUSY:
        try:
            for spec in task.runs:
                rows.append(_one_run(task, spec, tables))
        finally:
            _write_batch(task, rows, tables)
    return [(row["run_id"], row["status"] == "ok", row["seconds"]) for row in rows]


def _write_batch(task: Task, rows: list[dict], tables: dict[str, list[pd.DataFrame]]) -> None:
    """The batch's table parts, then its runs part, which commits the batch."""
    if not rows:
        return
    name = store.part_name(task.runs[0].run_id)
    for kind, frames in tables.items():
        if frames:
            store.write_part(Path(task.out), kind, name, pd.concat(frames, ignore_index=True))
    store.write_part(Path(task.out), store.RUNS, name, pd.DataFrame(rows))


def _one_run(task: Task, spec: RunSpec, tables: dict[str, list[pd.DataFrame]]) -> dict:
    start = time.perf_counter()
    row: dict = {"run_id": spec.run_id, "seed": spec.seed}
    try:
        result = task.model(scenario_for(task.base, spec.overrides), spec.seed)
        card = {k: v for k, v in result.summary.items() if k != "provenance"}
        metrics = {k: v for k, v in flatten(card).items() if keep_metric(k, task.metrics)}
    except Exception as exc:  # noqa: BLE001 - one broken run must not stop the sweep
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc(),
                   seconds=time.perf_counter() - start)
        return row
    for name in tables:
        frame = getattr(result, name)
        tables[name].append(frame.assign(run_id=spec.run_id)[["run_id", *frame.columns]])
    row.update(status="ok", seconds=time.perf_counter() - start, **metrics)
    return row


# ------------------------------------------------------------------------------------- parent side


@dataclass
class SweepReport:
    """What a sweep did: runs in the experiment, done before, done now, failed, still missing."""

    out: Path
    runs: int
    skipped: int = 0  # finished by an earlier session
    ok: int = 0
    failed: int = 0
    interrupted: bool = False
    broken: str | None = None  # the engine stopped taking work
    disk_full: str | None = None  # where writing failed for want of space; a rerun resumes
    seconds: float = 0.0
    failures: list[int] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return self.runs - self.skipped - self.ok - self.failed

    @property
    def rate(self) -> float:
        return (self.ok + self.failed) / self.seconds if self.seconds > 0 else float("nan")


def batch_size(mean_seconds: float | None, remaining: int, workers: int) -> int:
    """Runs for the next task: one while runs are untimed, then about TASK_SECONDS of work, but no
    more than a quarter of each worker's share of what is left."""
    if mean_seconds is None:
        return 1
    by_time = TASK_SECONDS / max(mean_seconds, 1e-4)
    by_balance = remaining / (4 * workers)
    return int(max(1, min(by_time, by_balance, MAX_BATCH)))


def run_sweep(experiment: Experiment, out: str | Path, executor: Executor | None = None, *,
              resume: bool = False, model: Model = run, batch: int | None = None,
              progress: bool = True) -> SweepReport:
    """Run every run of `experiment` not yet finished in `out`, writing results as they come.

    A folder belongs to one experiment (the manifest's digest); running the same experiment into
    it again, or with `resume=True`, runs only what is missing (failed runs are tried again).
    `resume=True` insists that there is a sweep to continue. `batch` fixes the runs per task.
    """
    if executor is None:
        with open_executor() as pool:
            return run_sweep(experiment, out, pool, resume=resume, model=model, batch=batch, progress=progress)
    out = Path(out).resolve()  # workers elsewhere (a cluster) need the whole path
    if resume and store.read_manifest(out) is None:
        raise store.ResultsError(f"{out}: no sweep to resume here (no {store.MANIFEST})")
    with store.session_lock(out):
        return _session(experiment, out, executor, resume, model, batch, progress)


def _session(experiment: Experiment, out: Path, executor: Executor, resume: bool, model: Model,
             batch: int | None, progress: bool) -> SweepReport:
    """One session on a locked folder: open it, run what is missing, close it whatever happens."""
    done = store.open_folder(out, experiment, resume=resume, model=model_name(model),
                             engine=type(executor).__name__, workers=worker_count(executor))
    todo = deque(i for i in range(experiment.n_runs) if i not in done)
    report = SweepReport(out, experiment.n_runs, skipped=len(done))
    started = time.perf_counter()
    bar = _progress(experiment, report, progress)
    try:
        _drive(experiment, out, executor, todo, report, bar, model, batch)
    except KeyboardInterrupt:
        report.interrupted = True
        report.ok = len(store.finished_runs(out)) - report.skipped  # a serial batch writes what it finished
    finally:
        bar.close()
        report.seconds = time.perf_counter() - started
        store.close_session(out, ok=report.ok, failed=report.failed, skipped=report.skipped,
                            interrupted=report.interrupted, broken=report.broken, disk_full=report.disk_full,
                            seconds=round(report.seconds, 3))
    return report


def _progress(experiment: Experiment, report: SweepReport, show: bool):
    from tqdm import tqdm

    bar = tqdm(total=report.runs, initial=report.skipped, unit="run", desc=experiment.name, disable=not show,
               dynamic_ncols=True, smoothing=0.1, mininterval=0.5)
    bar.set_postfix(failed=0)
    return bar


def _drive(experiment: Experiment, out: Path, executor: Executor, todo: deque, report: SweepReport, bar,
           model: Model, batch: int | None) -> None:
    workers = worker_count(executor)
    window = 2 * workers  # tasks in flight: every worker busy, one queued behind it, no more held in memory
    in_flight: dict[Future, list[int]] = {}
    timed, total_seconds = 0, 0.0
    spec = experiment.spec
    try:
        while todo or in_flight:
            while todo and len(in_flight) < window and report.broken is None and report.disk_full is None:
                size = batch or batch_size(total_seconds / timed if timed else None, len(todo), workers)
                ids = [todo.popleft() for _ in range(min(size, len(todo)))]
                task = Task(str(out), experiment.base, tuple(experiment.run(i) for i in ids),
                            tuple(spec.outputs.tables), tuple(spec.outputs.metrics), model)
                try:
                    in_flight[executor.submit(run_batch, task)] = ids
                except (BrokenExecutor, RuntimeError) as exc:  # the engine stopped taking work
                    todo.extendleft(reversed(ids))
                    report.broken = f"{type(exc).__name__}: {exc}"
            if (report.broken is not None or report.disk_full is not None) and not in_flight:
                break
            finished, _ = wait(in_flight, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                ids = in_flight.pop(future)
                try:
                    statuses = future.result()
                except Exception as exc:  # noqa: BLE001 - the task broke (a worker died, a part could not be written)
                    if is_disk_full(exc):  # its runs stay pending (their runs part was never written): a rerun does them
                        report.disk_full = report.disk_full or str(getattr(exc, "filename", None) or out)
                        continue
                    statuses = _record_task_failure(experiment, out, ids, exc)
                    if isinstance(exc, BrokenExecutor):
                        report.broken = f"{type(exc).__name__}: {exc}"
                for run_id, ok, seconds in statuses:
                    report.ok += ok
                    report.failed += not ok
                    if not ok:
                        report.failures.append(run_id)
                    timed, total_seconds = timed + 1, total_seconds + seconds
                bar.update(len(statuses))
                bar.set_postfix(failed=report.failed)
    except KeyboardInterrupt:
        for future in in_flight:
            future.cancel()
        if not isinstance(executor, SerialExecutor) and in_flight:
            bar.write(f"interrupted: letting the {len(in_flight)} batches under way finish and write their runs")
            _collect(in_flight, report)
        raise


def _collect(in_flight: dict[Future, list[int]], report: SweepReport) -> None:
    """After an interrupt: wait for batches already running; their parts are written by the workers."""
    wait(list(in_flight))
    for future, ids in in_flight.items():
        if future.cancelled() or future.exception() is not None:
            continue
        for _run_id, ok, _seconds in future.result():
            report.ok += ok
            report.failed += not ok


def _record_task_failure(experiment: Experiment, out: Path, ids: Sequence[int], exc: BaseException
                         ) -> list[tuple[int, bool, float]]:
    """A task that failed as a whole: record its runs as failed (a resume tries them again), unless a
    worker got as far as writing them."""
    written = store.finished_runs(out)
    missing = [i for i in ids if i not in written]
    text = "".join(traceback.format_exception(exc))
    rows = [{"run_id": i, "seed": experiment.run(i).seed, "status": "failed",
             "error": f"{type(exc).__name__}: {exc}", "traceback": text, "seconds": 0.0} for i in missing]
    if rows:
        store.write_part(out, store.RUNS, store.part_name(missing[0]), pd.DataFrame(rows))
    return [(i, i not in missing, 0.0) for i in ids]


def model_name(model: Model) -> str:
    """How a results folder names the model that made it (a folder is never resumed with another)."""
    return f"{getattr(model, '__module__', '?')}.{getattr(model, '__qualname__', repr(model))}"


def rerun(out: str | Path, run_id: int, model: Model = run) -> RunResult:
    """Run one run of a sweep again from what its folder recorded: the base scenario, the run's
    overrides and its seed. Gives the same numbers, bit for bit, on the same code."""
    out = Path(out)
    manifest = store.read_manifest(out)
    if manifest is None:
        raise store.ResultsError(f"{out}: no {store.MANIFEST}; is this a sweep's folder?")
    design = store.read_design(out)
    row = design.loc[design["run_id"] == run_id]
    if row.empty:
        raise store.ResultsError(f"{out}: no run {run_id}; runs are 0 .. {len(design) - 1}")
    overrides = json.loads(row["overrides"].iloc[0])
    return model(scenario_for(manifest["base_scenario"], overrides), int(row["seed"].iloc[0]))
