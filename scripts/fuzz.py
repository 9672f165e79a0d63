"""A fuzz campaign over every shipped scenario and experiment file: mutate, load, run, judge.

Each mutation takes one shipped file and breaks it the way a careless user or an attacker would:
a field set to .inf, .nan, 1e308, a negative, a boolean, text, a list or null; a field deleted or
an unknown one added; a number multiplied a thousandfold; a key written twice; an alias bomb; an
alias cycle; nesting 200 deep; bytes that are not UTF-8; a file cut short; `extends:` pointed at a
system file, a folder, a FIFO or itself. The mutant is loaded as its kind of file, and then:

- a refusal must be a ScenarioError (or ExperimentError) whose message names the file and a field
  (the field mutated, a section above it, or for a file that is not YAML at all, the file itself);
- an accepted file runs a tiny horizon, and no figure of its summary may be infinite; a figure
  may be NaN (not measurable: no completed period, no act, no departure in 13 days) only if some
  shipped file cannot measure it at that horizon either (revenue, pay, effort must always be
  numbers), or where the mutation changed the file's structure (a field deleted, the file cut
  short or scrambled), which changes what there is to measure;
- anything else is a failure: a traceback (any other exception) or a hang (no answer in 20 s).

    python scripts/fuzz.py                    # 3,000 mutations (a few minutes), the table, failures
    python scripts/fuzz.py --mutations 300 --seed 5

`tests/test_fuzz.py` runs a few hundred of the same mutations on every test run.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the project's own package, not another install
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

TINY_YEARS = 0.05  # 13 business days: long enough for every phase to run
RUN_BUDGET_SECONDS = 2.0  # accepted mutants estimated to take longer are counted, not run
HANG_SECONDS = 20

ODD_VALUES: list[Any] = [float("inf"), float("-inf"), float("nan"), 1e308, -1e308, -1, 0, 10**20, 1e9, True, False,
                         None, "text", [], {}, [1, 2], 0.5, -0.5]
ODD_TEXT = {float("inf"): ".inf", float("-inf"): "-.inf"}


@dataclass
class Mutant:
    source: Path  # the shipped file it came from
    kind: str  # the mutation
    text: bytes  # the mutant's content
    path: tuple = ()  # the field mutated, when there is one
    setup: Any = None  # a callable preparing the folder (a FIFO, a folder) before loading


@dataclass
class Outcome:
    mutant: Mutant
    result: str  # refused | ran | skipped (too big for a tiny run) | traceback | hang | non-finite | unclear
    names_file: bool = True
    names_field: bool = True
    detail: str = ""


# ------------------------------------------------------------------------------------- mutations


def corpus(root: Path = ROOT) -> list[Path]:
    files = sorted((root / "scenarios").rglob("*.yaml")) + sorted((root / "experiments").rglob("*.yaml"))
    return [f for f in files if f.is_file()]


def is_experiment(path: Path) -> bool:
    return "experiments" in path.parts


def leaves(data: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every path into the data: sections and values."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from leaves(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield (*prefix, i)
            yield from leaves(value, (*prefix, i))


def _set(data: Any, path: tuple, value: Any) -> None:
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _get(data: Any, path: tuple) -> Any:
    node = data
    for key in path:
        node = node[key]
    return node


def _dump(data: Any) -> bytes:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return text.encode()


def mutate(source: Path, rng: random.Random) -> Mutant:
    """One random mutation of a shipped file."""
    raw = source.read_bytes()
    data = yaml.safe_load(raw) or {}
    paths = [p for p in leaves(data) if p and p[0] != "extends"]
    kind = rng.choice(["value", "value", "value", "value", "scale", "scale", "delete", "unknown", "duplicate",
                       "alias_bomb", "alias_cycle", "deep", "not_utf8", "truncate", "extends", "flip"])
    if kind in ("value", "scale", "delete", "unknown") and paths:
        path = rng.choice(paths)
        mutated = copy.deepcopy(data)
        if kind == "value":
            _set(mutated, path, rng.choice(ODD_VALUES))
        elif kind == "scale":
            numbers = [p for p in paths if isinstance(_get(data, p), (int, float)) and not isinstance(_get(data, p), bool)]
            if not numbers:
                return mutate(source, rng)
            path = rng.choice(numbers)
            _set(mutated, path, _get(data, path) * rng.choice([1e3, 1e6, -1, 1e-9, 1e300]))
        elif kind == "delete":
            parent = _get(mutated, path[:-1])
            del parent[path[-1]]
        else:
            target = _get(mutated, path[:-1])
            if not isinstance(target, dict):
                return mutate(source, rng)
            target["no_such_field"] = 1
            path = (*path[:-1], "no_such_field")
        return Mutant(source, kind, _dump(mutated), tuple(path))
    lines = raw.decode().splitlines(keepends=True)
    if kind == "duplicate":
        tops = [i for i, line in enumerate(lines) if line[:1].isalpha() and ":" in line]
        i = rng.choice(tops)
        key = lines[i].split(":", 1)[0]
        return Mutant(source, kind, raw + f"\n{key}: {lines[i].split(':', 1)[1].strip() or '{}'}\n".encode(), (key,))
    if kind == "alias_bomb":
        bomb = ["lol: &a0 [x, x, x, x, x, x, x, x, x]"]
        bomb += [f"lol{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]" for k in range(1, 9)]
        return Mutant(source, kind, raw + ("\n" + "\n".join(bomb) + "\n").encode(), ("lol",))
    if kind == "alias_cycle":
        return Mutant(source, kind, raw + b"\ncycle: &c [1, *c]\n", ("cycle",))
    if kind == "deep":
        return Mutant(source, kind, raw + b"\ndeep: " + b"[" * 200 + b"]" * 200 + b"\n", ("deep",))
    if kind == "not_utf8":
        cut = rng.randrange(len(raw))
        return Mutant(source, kind, raw[:cut] + b"\xff\xfe\xc3" + raw[cut:])
    if kind == "truncate":
        return Mutant(source, kind, raw[: rng.randrange(len(raw))])
    if kind == "flip":
        data_bytes = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            data_bytes[rng.randrange(len(data_bytes))] = rng.choice(b"{}[]:&*!|>-'\"#%@`\t")
        return Mutant(source, kind, bytes(data_bytes))
    # extends: a system file, a folder, a FIFO, itself, a missing file
    target = rng.choice(["/etc/passwd", "/etc/hostname.yaml", "folder.yaml", "fifo.yaml", "self", "missing.yaml"])
    body = b"".join(line.encode() for line in lines if not line.startswith("extends:"))
    name = "mutant.yaml" if target == "self" else target
    return Mutant(source, f"extends:{Path(target).name}", f"extends: {name}\n".encode() + body, ("extends",))


# ------------------------------------------------------------------------------------- judging


def _alarm(signum, frame):
    raise TimeoutError("no answer")


def _problems(message: str) -> list[str]:
    return [line[4:] for line in message.splitlines() if line.startswith("  - ")]


def names_field(message: str, mutant: Mutant) -> bool:
    """Every problem line says where (`where: what`); a structured mutation's field, a section
    above it or one inside it is named."""
    problems = _problems(message)
    if not problems or not all(re.match(r"^(\(file\)|\(top level\)|\(size\)|--set |--\w|[A-Za-z_][\w.-]*)", p)
                               for p in problems):
        return False
    if not mutant.path or mutant.kind == "delete":  # deleting a section breaks what refers to it: any field named will do
        return True
    dotted = [".".join(str(k) for k in mutant.path[:n]) for n in range(len(mutant.path), 0, -1)]
    return any(d in message for d in dotted)


def unmeasured_at_tiny_horizon(path: Path, cache: dict) -> set[str]:
    """Figures the unmutated file cannot measure at the tiny horizon (nan there too)."""
    if path not in cache:
        cache[path] = set()
        try:
            scenario = _tiny(_scenario_of(path))
            from simulator.analysis.metrics import flatten
            from simulator.experiments.run import run

            card = {k: v for k, v in run(scenario, 1).summary.items() if k != "provenance"}
            cache[path] = {k for k, v in flatten(card).items() if isinstance(v, float) and math.isnan(v)}
        except Exception:  # noqa: BLE001 - a shipped file that does not run is the shipped tests' business
            pass
    return cache[path]


def _scenario_of(path: Path):
    if is_experiment(path):
        from simulator.experiments.design import load_experiment

        return load_experiment(path).scenario(0)
    from simulator.scenario import load_scenario

    return load_scenario(path)


def _tiny(scenario):
    return scenario.model_copy(update={"horizon_years": TINY_YEARS})


def judge(mutant: Mutant, folder: Path, cache: dict) -> Outcome:
    """Load the mutant as its kind of file, run it briefly if accepted, and say how it went."""
    from simulator.analysis.metrics import flatten
    from simulator.experiments.budget import estimate
    from simulator.experiments.design import load_experiment
    from simulator.experiments.run import run
    from simulator.scenario import ScenarioError, load_scenario

    where = folder / ("experiments" if is_experiment(mutant.source) else "scenarios")
    where = where / mutant.source.parent.relative_to(ROOT / where.name)
    target = where / "mutant.yaml"
    target.write_bytes(mutant.text)
    fifo = where / "fifo.yaml"
    if not fifo.exists() and hasattr(os, "mkfifo"):
        os.mkfifo(fifo)
    (where / "folder.yaml").mkdir(exist_ok=True)
    allowed = unmeasured_at_tiny_horizon(mutant.source, cache)  # also compiles the file's kernels, outside the alarm
    allowed = allowed | cache.get("any", set())
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        try:
            if is_experiment(mutant.source):
                experiment = load_experiment(target)
                if experiment.n_runs < 1:
                    return Outcome(mutant, "unclear", detail="an experiment with no runs was accepted")
                scenario = experiment.scenario(0)
            else:
                scenario = load_scenario(target)
        except ScenarioError as exc:
            message = str(exc)
            return Outcome(mutant, "refused", names_file=str(target) in message.splitlines()[0],
                           names_field=names_field(message, mutant), detail=message[:400])
        scenario = _tiny(scenario)
        if estimate(scenario).seconds > RUN_BUDGET_SECONDS:
            return Outcome(mutant, "skipped", detail=f"force.size {scenario.force.size}: too big for a tiny run")
        card = {k: v for k, v in run(scenario, 1).summary.items() if k != "provenance"}
        structural = mutant.kind in ("delete", "truncate", "flip", "not_utf8") or mutant.kind.startswith("extends")
        bad = {k: v for k, v in flatten(card).items() if isinstance(v, float) and not math.isfinite(v)
               and not (math.isnan(v) and (k in allowed or structural))}
        if bad:
            return Outcome(mutant, "non-finite", detail=f"{sorted(bad)[:6]}")
        return Outcome(mutant, "ran")
    except TimeoutError:
        return Outcome(mutant, "hang", detail=f"no answer in {HANG_SECONDS} s")
    except Exception:  # noqa: BLE001 - what the campaign is looking for
        return Outcome(mutant, "traceback", detail=traceback.format_exc()[-1500:])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def judged_apart(mutant: Mutant, folder: Path, cache: dict) -> Outcome:
    """`judge` in a forked child, killed after HANG_SECONDS: a hang inside compiled code (which no
    signal handler interrupts) is caught too. Where fork is missing, in this process."""
    import pickle

    if not hasattr(os, "fork"):
        return judge(mutant, folder, cache)
    unmeasured_at_tiny_horizon(mutant.source, cache)  # computed here, so the child inherits it
    read, write = os.pipe()
    import warnings

    with warnings.catch_warnings():  # the child only judges one file and exits; no lock it could inherit is taken
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: judge, send the outcome, leave without running the parent's cleanup
        try:
            os.close(read)
            outcome = judge(mutant, folder, cache)
            outcome.mutant.setup = None
            os.write(write, pickle.dumps(outcome))
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + HANG_SECONDS + 5
    chunks = []
    import select

    while time.monotonic() < deadline:
        ready, _, _ = select.select([read], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(read, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read)
    done, _ = os.waitpid(pid, os.WNOHANG)
    if done == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if not chunks:
        return Outcome(mutant, "hang", detail=f"no answer in {HANG_SECONDS} s (killed)")
    return pickle.loads(b"".join(chunks))


def campaign(mutations: int, seed: int = 0, root: Path = ROOT) -> list[Outcome]:
    """`mutations` mutants, drawn round-robin over the shipped files, each judged."""
    rng = random.Random(seed)
    files = corpus(root)
    outcomes, cache = [], {}
    with tempfile.TemporaryDirectory(prefix="salesim-fuzz-") as tmp:
        folder = Path(tmp)
        shutil.copytree(root / "scenarios", folder / "scenarios")
        shutil.copytree(root / "experiments", folder / "experiments")
        cache["any"] = set().union(*(unmeasured_at_tiny_horizon(f, cache) for f in files))
        for i in range(mutations):
            source = files[i % len(files)]
            outcomes.append(judged_apart(mutate(source, rng), folder, cache))
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    """Mutations by kind: refused (naming the file, the field), ran to finite figures, and failures."""
    rows: dict[str, Counter] = defaultdict(Counter)
    for o in outcomes:
        kind = o.mutant.kind.split(":")[0]
        for key in (kind, "all"):
            row = rows[key]
            row["tried"] += 1
            row[o.result] += 1
            if o.result == "refused":
                row["names file"] += o.names_file
                row["names field"] += o.names_field
    columns = ["tried", "refused", "names file", "names field", "ran", "skipped", "non-finite", "traceback", "hang",
               "unclear"]
    lines = [f"{'mutation':<12}" + "".join(f"{c:>12}" for c in columns)]
    for key in sorted(rows, key=lambda k: (k == "all", k)):
        lines.append(f"{key:<12}" + "".join(f"{rows[key][c]:>12,}" for c in columns))
    return "\n".join(lines)


def failures(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.result in ("traceback", "hang", "non-finite", "unclear")
            or (o.result == "refused" and not (o.names_file and o.names_field))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutations", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=10, help="failures to print in full")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    outcomes = campaign(args.mutations, args.seed)
    print(table(outcomes))
    bad = failures(outcomes)
    print(f"\n{len(outcomes):,} mutations of {len(corpus()):,} shipped files in {time.perf_counter() - started:,.0f} s; "
          f"{len(bad)} failures")
    for o in bad[: args.show]:
        print(f"\n--- {o.result}: {o.mutant.kind} of {o.mutant.source.relative_to(ROOT)} at "
              f"{'.'.join(map(str, o.mutant.path)) or '-'}\n{o.detail}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
