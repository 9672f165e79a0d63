"""A sweep's results folder: Parquet parts written atomically, a manifest, and loading them back.

Layout of a folder:
    manifest.json          the experiment (file text and resolved form), the design's digest,
                           package and library versions, the code's git commit, one entry a session
    design.parquet         one row a run: run_id, case, replication, seed, parameters, overrides
    runs/part-*.parquet    one row a finished run: run_id, seed, status, metrics, error, traceback
    daily/part-*.parquet   per-run tables when the experiment keeps them (a run_id column added)
    rep_periods/part-*.parquet

    .lock                  held (flock) by the sweep that is writing here; names it
    .space-reserve         a little space kept so a session can be closed on a full disk

A worker writes the per-run tables of a batch first and its runs part last, each through a
temporary file and a rename, so a runs part on disk is the proof that its runs are finished and
their tables complete. Anything else (temporary files, table parts without a runs part) is left by
a killed process: nothing reads it, and the next session clears it away.

One session at a time writes a folder: `session_lock` takes an exclusive lock on `.lock` (released
by the kernel if the process dies, even by kill -9) and writes the holder's process, machine, start
and command into it, so a second sweep on the same folder is refused with the holder named. The
lock is advisory and local: two machines sharing a folder over NFS must not run into it at once.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import platform
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator, Literal, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.analysis.glossary import entries
from simulator.experiments.files import DISK_FULL, atomic_write, dump_json, package_version

if TYPE_CHECKING:  # reading results (load_results) must not load the scenario schema or the engine
    from simulator.experiments.design import Experiment

RUNS = "runs"
TABLES = ("daily", "rep_periods")
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
LIBRARIES = ("numpy", "numba", "scipy", "pandas", "pyarrow", "pydantic", "mesa", "SALib", "loky", "dask",
             "distributed")
IDENTITY = ("run_id", "case", "replication", "seed")
LOCK = ".lock"
RESERVE = ".space-reserve"
RESERVE_BYTES = 256 << 10  # room to close the session's manifest entry when the disk fills


class ResultsError(ValueError):
    """A results folder that cannot be used as asked; the message says why and what to do."""


def part_name(first_run: int) -> str:
    """Parts sort by the time they were written (`part-<ns>-<first run>-<nonce>`), so the latest record of a run
    is the last one, and names never collide between workers."""
    return f"part-{time.time_ns():020d}-{first_run:09d}-{_nonce()}"


def _nonce() -> str:
    import os

    return os.urandom(4).hex()


def write_part(out: Path, kind: str, name: str, table: pd.DataFrame) -> None:
    """One part of a table, atomically."""
    folder = Path(out) / kind
    folder.mkdir(parents=True, exist_ok=True)
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    atomic_write(folder / f"{name}.parquet", lambda path: pq.write_table(arrow, path))


def parts(out: Path, kind: str) -> list[Path]:
    """Finished parts of a table, oldest first (temporary files start with a dot and never match)."""
    return sorted((Path(out) / kind).glob("part-*.parquet"))


def finished_runs(out: Path) -> set[int]:
    """Run ids that have an ok record: a resumed sweep skips them."""
    done: set[int] = set()
    for path in parts(out, RUNS):
        table = pq.read_table(path, columns=["run_id", "status"]).to_pandas()
        done.update(table.loc[table["status"] == "ok", "run_id"].astype(int).tolist())
    return done


def clear_leftovers(out: Path) -> int:
    """Delete what a killed process left half-done: temporary files and table parts whose runs part
    was never written. Returns how many files went."""
    out = Path(out)
    committed = {p.stem for p in parts(out, RUNS)}
    gone = 0
    for kind in (RUNS, *TABLES):
        folder = out / kind
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            orphan = kind != RUNS and path.suffix == ".parquet" and path.stem not in committed
            if path.name.endswith(".tmp") or orphan:
                path.unlink(missing_ok=True)
                gone += 1
    return gone


# ------------------------------------------------------------------------------------- manifest


def git_commit(where: Path | None = None) -> dict:
    """The commit of the code (and whether it had uncommitted changes), or nulls outside a git checkout."""
    where = where or Path(__file__).parent

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def environment() -> dict:
    """Versions of Python, this package and the libraries that decide the numbers."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"package_version": package_version(), "python": sys.version.split()[0],
            "platform": platform.platform(), "libraries": versions, "git": git_commit()}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def read_manifest(out: Path) -> dict | None:
    path = Path(out) / MANIFEST
    return json.loads(path.read_text()) if path.exists() else None


def write_manifest(out: Path, manifest: dict) -> None:
    text = dump_json(manifest, indent=2, sort_keys=False)
    atomic_write(Path(out) / MANIFEST, lambda path: Path(path).write_text(text))


def write_design(out: Path, design: pd.DataFrame) -> None:
    arrow = pa.Table.from_pandas(design, preserve_index=False)
    atomic_write(Path(out) / DESIGN, lambda path: pq.write_table(arrow, path))


def read_design(out: Path) -> pd.DataFrame:
    path = Path(out) / DESIGN
    if not path.exists():
        raise ResultsError(f"{out}: no {DESIGN}; is this the folder of a sweep (salesim sweep --out)?")
    return pd.read_parquet(path)


# ------------------------------------------------------------------------------------- sessions


def open_folder(out: Path, experiment: Experiment, *, resume: bool, model: str, engine: str, workers: int
                ) -> set[int]:
    """Create or reopen the results folder of `experiment` for a session; return the run ids already
    finished. A folder holds one experiment (its digest) made by one model; `resume` insists on one."""
    manifest = read_manifest(out)
    if manifest is None:
        if resume:
            raise ResultsError(f"{out}: no sweep to resume here (no {MANIFEST})")
        if out.exists() and any(p.name not in (LOCK, RESERVE) for p in out.iterdir()):
            raise ResultsError(f"{out}: the folder is not empty and holds no sweep; choose another --out")
        out.mkdir(parents=True, exist_ok=True)
        manifest = new_manifest(experiment, model)
    else:
        if manifest.get("digest") != experiment.digest():
            raise ResultsError(
                f"{out}: holds results of another experiment ({manifest['experiment']['name']} from "
                f"{manifest['experiment']['file']}, digest {manifest.get('digest')}); this one's digest is "
                f"{experiment.digest()}. Choose another --out, or run the experiment that made it")
        if manifest.get("model") != model:
            raise ResultsError(f"{out}: was made with model {manifest.get('model')}, not {model}")
        clear_leftovers(out)
    env = environment()
    manifest["sessions"].append({"started": now(), "engine": engine, "workers": workers, "git": env["git"],
                                 "package_version": env["package_version"]})
    write_manifest(out, manifest)
    if not (out / DESIGN).exists():  # written after the manifest: a kill between leaves it missing
        write_design(out, experiment.design_table())
    reserve_space(out)
    return finished_runs(out)


def new_manifest(experiment: Experiment, model: str) -> dict:
    """What a results folder records about its sweep (the design itself goes to design.parquet)."""
    spec = experiment.spec
    return {
        "format": 1,
        "digest": experiment.digest(),
        "experiment": {"name": experiment.name, "file": str(Path(experiment.source).resolve()),
                       "text": experiment.text, "overrides": list(experiment.overrides),
                       "scenario_overrides": list(experiment.scenario_overrides),
                       "resolved": spec.model_dump(mode="json")},
        "base_scenario": experiment.base,
        "parameters": [{"name": f.name, "column": f.column, "role": f.role, "kind": f.kind, "sets": list(f.paths)}
                       for f in experiment.factors],
        "cases": len(experiment.cases),
        "runs": experiment.n_runs,
        "seeds": {"root": spec.seed, "common_random_numbers": spec.common_random_numbers,
                  "rule": "run r of case c: SeedSequence(root).spawn(runs)[c * replications + r] "
                          "(spawn(replications)[r] with common random numbers), the top 63 bits of "
                          "generate_state(1, uint64); every run's seed is in design.parquet"},
        "model": model,
        "design": DESIGN,
        "created": now(),
        "environment": environment(),
        "sessions": [],
    }


def reserve_space(out: Path) -> None:
    """Keep RESERVE_BYTES (or four manifests, if more) in `.space-reserve`, given back by close_session:
    on a full disk, the session can still be closed. Best effort: no space, no reserve."""
    size = max(RESERVE_BYTES, 4 * ((Path(out) / MANIFEST).stat().st_size if (Path(out) / MANIFEST).exists() else 0))
    try:
        with open(Path(out) / RESERVE, "wb") as handle:
            handle.write(b"\0" * size)
    except OSError as exc:
        if exc.errno not in DISK_FULL:
            raise
        (Path(out) / RESERVE).unlink(missing_ok=True)


def close_session(out: Path, **outcome) -> None:
    """Record how the session went (runs ok, failed, interrupted, disk full...) in the manifest,
    first giving back the space reserved for it."""
    (Path(out) / RESERVE).unlink(missing_ok=True)
    manifest = read_manifest(out)
    if manifest is not None:
        manifest["sessions"][-1].update(ended=now(), **outcome)
        write_manifest(out, manifest)


@contextmanager
def session_lock(out: Path, command: Sequence[str] | None = None) -> Iterator[None]:
    """Hold the folder's lock for a session, or raise ResultsError naming the session that holds it."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise ResultsError(f"{out}: another sweep is writing here ({holder(out)}); wait for it to "
                               f"finish, or choose another --out") from None
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": now(),
                "command": " ".join(command if command is not None else sys.argv)[:500]}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def holder(out: Path) -> str:
    """Who holds the folder's lock, as its lock file says."""
    try:
        info = json.loads((Path(out) / LOCK).read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "a process that has not yet said who it is"
    return f"process {info.get('pid')} on {info.get('host')} since {info.get('started')}: {info.get('command')}"


# ------------------------------------------------------------------------------------- loading


def _records(out: Path) -> pd.DataFrame:
    """Every run's record, once: an ok record wins over failures, and of failures the latest."""
    frames = []
    for path in parts(out, RUNS):
        frame = pq.read_table(path).to_pandas()
        frame["_part"] = path.stem
        frames.append(frame)
    if not frames:
        return pd.DataFrame({"run_id": pd.Series(dtype="int64"), "status": pd.Series(dtype="object"),
                             "_part": pd.Series(dtype="object")})
    records = pd.concat(frames, ignore_index=True)
    records["_ok"] = records["status"] == "ok"
    records = records.sort_values(["run_id", "_ok", "_part"], ascending=[True, False, False])
    return records.drop_duplicates("run_id", keep="first").drop(columns="_ok")


# What the columns of `load_results` are beyond the run's own tables: its identity and parameters
# (every table), and the record of how it went (the runs table, whose other columns are the
# scorecard's figures, `simulator.analysis.metrics.SCORECARD`).
IDENTITY_COLUMNS = entries("", [
    ("run_id", "id", "The run, from 0: case x replications + replication."),
    ("case", "index", "The design's case (one combination of parameter values), from 0."),
    ("replication", "index", "The replication of the case, from 0."),
    ("seed", "seed", "The run's random seed (from the experiment's root seed; the manifest gives the rule)."),
    ("lever.{parameter}", "as the field", ("A plan, quota or management parameter the sweep varies, by its "
                                          "dotted scenario path or name.")),
    ("uncertainty.{parameter}", "as the field", "A force, product, market or behaviour parameter the sweep varies."),
    ("setting.{parameter}", "as the field", "Any other scenario field the sweep varies (horizon, seed...)."),
])
RECORD_COLUMNS = entries("", [
    ("status", "label", "ok, or failed (then error and traceback say why)."),
    ("seconds", "s", "Wall time of the run in its worker."),
    ("error", "text", "Failed runs: the error's type and message."),
    ("traceback", "text", "Failed runs: the Python traceback, where the error arose."),
])


def load_results(out: str | Path, table: Literal["runs", "daily", "rep_periods"] = "runs",
                 runs: Sequence[int] | None = None) -> pd.DataFrame:
    """A sweep's results as one tidy table, sorted by run_id.

    `runs` (the default): a row per recorded run with run_id, case, replication, seed, status, the
    parameter columns (`lever.*`, `uncertainty.*`, `setting.*`), the metrics, the run's seconds and,
    for failed runs, the error and traceback. `daily` or `rep_periods`: the per-run tables the
    experiment kept, each row with its run's identity and parameters. `runs` limits the run ids.
    """
    out = Path(out)
    design = read_design(out)
    parameters = [c for c in design.columns if c not in IDENTITY and c != "overrides" and not c.startswith("unit.")]
    records = _records(out)
    if runs is not None:
        records = records[records["run_id"].isin(list(runs))]
    if table == "runs":
        body = records.drop(columns=["_part", "seed"], errors="ignore")
        merged = design[[*IDENTITY, *parameters]].merge(body, on="run_id", how="inner")
        front = [*IDENTITY, "status", *parameters]
        back = [c for c in ("seconds", "error", "traceback") if c in merged]
        metrics = [c for c in merged.columns if c not in front and c not in back]
        return merged[front + metrics + back].sort_values("run_id").reset_index(drop=True)
    if table not in TABLES:
        raise ValueError(f"table must be runs, daily or rep_periods, got {table!r}")
    kept = (read_manifest(out) or {}).get("experiment", {}).get("resolved", {}).get("outputs", {}).get("tables", [])
    if table not in kept:
        raise ResultsError(f"{out}: the experiment did not keep {table} tables (outputs.tables: {kept}); "
                           f"add {table} to outputs.tables and run it again into another folder")
    ok = records[records["status"] == "ok"]
    wanted = set(zip(ok["run_id"], ok["_part"]))
    frames = []
    for part in sorted(set(ok["_part"])):
        path = out / table / f"{part}.parquet"
        frame = pd.read_parquet(path)
        keep = pd.Series([(r, part) in wanted for r in frame["run_id"]], index=frame.index, dtype=bool)
        frames.append(frame[keep])  # a mask, even when empty: frame[[]] would drop every column
    if not frames:
        return design[[*IDENTITY, *parameters]].iloc[:0]
    rows = pd.concat(frames, ignore_index=True)
    merged = design[[*IDENTITY, *parameters]].merge(rows, on="run_id", how="inner")
    return merged.sort_values("run_id", kind="stable").reset_index(drop=True)  # each run's rows keep their order


def sweep_status(out: str | Path) -> dict[str, int]:
    """How many of a sweep's runs are ok, failed and not yet run."""
    design = read_design(Path(out))
    records = _records(Path(out))
    ok = int((records["status"] == "ok").sum())
    failed = int((records["status"] != "ok").sum())
    return {"runs": len(design), "ok": ok, "failed": failed, "pending": len(design) - ok - failed}
