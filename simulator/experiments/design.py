"""Experiment files: a base scenario, the parameters to vary, a design, replications and seeds.

An experiment file is YAML checked like a scenario file (unknown keys are errors; every error
names the file, the field, the bad value and what is allowed). `load_experiment` resolves it
completely before anything runs: the base scenario, every case of the design (each one validated
as a scenario) and one seed per run spawned from the root seed. A bad path, value or range
therefore stops a sweep before its first run, and a resolved `Experiment` is a plain list of
runs that any engine can execute in any order.

A parameter is one of three things (the key of `parameters:` is its name and its column):
- a dotted path of the scenario (`quota.period`) with `levels` or a range `low`..`high`;
- a named number (`fixed_share`) that `sets` several fields, each to offset + factor x value,
  e.g. the other segment's share as 1 - value;
- a named choice (`quota_frequency`) whose `levels` map a label to a set of overrides, e.g. a
  daily quota together with a daily-sized bonus.
Its column says whether it is a lever (plan, quota, management), an uncertainty (force, products,
market, behaviour) or a setting of the run (its horizon): `lever.quota.period`, `uncertainty.high_share`.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import types
import typing
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Annotated, Any, Iterator, Literal, Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulator.scenario import (
    LEVERS,
    MAX_SEED,
    UNCERTAINTIES,
    Scenario,
    ScenarioError,
    apply_overrides,
    describe_error,
    load_scenario,
    overridden,
    parse_override,
    read_yaml,
    validate,
)
from simulator.scenario.safe_yaml import shown
from simulator.scenario.schema import Bounded, Number
from simulator.scenario.schema import Strict as ScenarioStrict

ROLES = ("lever", "uncertainty", "setting")
SECTIONS = ("financial", "customer", "internal_process", "learning_growth", "by_performer", "by_prior_tercile")
TABLES = ("daily", "rep_periods")
MAX_CASE_PROBLEMS = 10  # stop listing broken cases after this many
MAX_RUNS = 1_000_000  # runs in one sweep: its design table and progress live in one process's memory
MAX_REPLICATIONS = 100_000
MAX_SAMPLES = 1_000_000
MAX_TABLE_BYTES = 64 << 20  # a design table (CSV or Parquet) of 64 MiB holds far more than MAX_RUNS cases
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"  # an experiment's name names its default folder
WHY_RUNS = f"a sweep holds at most {MAX_RUNS:,} runs"


class ExperimentError(ScenarioError):
    """An experiment file that cannot be run; the message names the file, field, value and what is allowed."""

    kind = "experiment"


class Strict(ScenarioStrict):
    """Unknown keys, non-finite numbers and booleans for numbers are errors, as in scenario files."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Tie(Strict):
    """A field set from a named parameter's value: offset + factor x value."""

    offset: Number = Field(0.0, description="value of the field when the parameter is 0")
    factor: Number = Field(1.0, description="change of the field per unit of the parameter")

    @model_validator(mode="before")
    @classmethod
    def _identity(cls, value: Any) -> Any:
        return {} if value is None else value


class Parameter(Strict):
    """One thing the experiment varies, with its levels or its range."""

    levels: list[Any] | dict[str, dict[str, Any]] | None = Field(
        None, max_length=MAX_RUNS, description="the values to try; or label -> {dotted.path: value} for a named choice")
    low: Number | None = Field(None, description="lower bound of a numeric range")
    high: Number | None = Field(None, description="upper bound of a numeric range")
    count: Bounded(int, ge=2, le=MAX_RUNS, why=WHY_RUNS) | None = Field(None, description="grid: evenly spaced levels from low to high")
    scale: Literal["linear", "log"] = Field("linear", description="how a range is spread: evenly, or evenly in log")
    integer: bool = Field(False, description="round a range's values to whole numbers")
    sets: dict[str, Tie] | None = Field(
        None, description="a named number: the fields it sets, dotted.path -> {offset, factor}")

    @field_validator("levels", mode="before")
    @classmethod
    def _shape(cls, levels: Any) -> Any:
        if isinstance(levels, Mapping):
            bad = {label: v for label, v in levels.items() if not isinstance(v, Mapping)}
            if bad:
                label, value = next(iter(bad.items()))
                raise ValueError(f"a named choice maps each label to {{dotted.path: value}}; {label!r} maps to {value!r}")
        elif levels is not None and not isinstance(levels, list):
            raise ValueError(f"levels is a list of values, or a mapping of labels to overrides (got {levels!r})")
        return levels

    @model_validator(mode="after")
    def _check(self) -> "Parameter":
        ranged = self.low is not None or self.high is not None
        if self.levels is None and not ranged:
            raise ValueError("give levels, or a range with low and high")
        if self.levels is not None and ranged:
            raise ValueError("give levels or a range (low, high), not both")
        if self.levels is not None and len(self.levels) == 0:
            raise ValueError("levels must not be empty")
        if ranged:
            if self.low is None or self.high is None:
                raise ValueError(f"a range needs both low and high (got low={self.low}, high={self.high})")
            if not self.low < self.high:
                raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
            if self.scale == "log" and self.low <= 0:
                raise ValueError(f"a log scale needs low > 0 (got {self.low:g})")
            if self.integer and math.ceil(self.low) > math.floor(self.high):
                raise ValueError(f"no whole number lies between low ({self.low:g}) and high ({self.high:g})")
        elif self.count is not None or self.integer or self.scale != "linear":
            raise ValueError("count, scale and integer describe a range (low, high), not levels")
        if isinstance(self.levels, dict) and self.sets is not None:
            raise ValueError("a named choice (levels as label -> overrides) cannot also have sets")
        if self.sets is not None and isinstance(self.levels, list):
            bad = [v for v in self.levels if isinstance(v, bool) or not isinstance(v, (int, float))]
            if bad:
                raise ValueError(f"sets needs numeric levels (got {bad[0]!r})")
        if self.sets is not None and not self.sets:
            raise ValueError("sets must name at least one field")
        return self


DesignKind = Literal["grid", "cases", "table", "random", "latin_hypercube", "sobol", "morris"]
SAMPLED = ("random", "latin_hypercube", "sobol", "morris")


class Design(Strict):
    """How the cases are chosen from the parameters."""

    kind: DesignKind = Field(
        "grid", description="grid (every combination), cases (listed here), table (a CSV or Parquet file), "
                            "random, latin_hypercube, sobol (Saltelli's scheme) or morris (trajectories)")
    samples: Bounded(int, ge=1, le=MAX_SAMPLES, why=WHY_RUNS) | None = Field(
        None, description="random and latin_hypercube: cases; sobol: base samples N (a power of 2), "
                          "giving N x (d + 2) cases, or N x (2d + 2) with second_order; morris: trajectories")
    cases: list[dict[str, Any]] | None = Field(None, min_length=1, max_length=MAX_RUNS, description="cases: parameter (or dotted.path) -> value, one mapping a case")
    file: str | None = Field(None, description="table: a .csv or .parquet file, one column a parameter, one row a case")
    second_order: bool = Field(False, description="sobol: also sample for second-order indices")
    morris_levels: Bounded(int, ge=2, le=1000, why="a finer grid than a thousand levels adds nothing to Morris screening") = Field(4, description="morris: grid levels p of each factor (even)")

    @model_validator(mode="after")
    def _check(self) -> "Design":
        needs = {"cases": "cases", "table": "file"}
        if self.kind in needs and getattr(self, needs[self.kind]) is None:
            raise ValueError(f"a {self.kind} design needs {needs[self.kind]}")
        if self.kind in SAMPLED and self.samples is None:
            raise ValueError(f"a {self.kind} design needs samples")
        if self.kind == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"sobol needs samples that are a power of 2 (got {self.samples}; "
                             f"try {1 << (self.samples - 1).bit_length()})")
        if self.samples is not None and self.kind not in SAMPLED:
            raise ValueError(f"samples belongs to the sampled designs ({', '.join(SAMPLED)}), not {self.kind}")
        if self.kind == "morris" and self.morris_levels % 2:
            raise ValueError(f"morris_levels must be even (got {self.morris_levels})")
        if self.cases is not None and self.kind != "cases" or self.file is not None and self.kind != "table":
            raise ValueError(f"cases and file belong to the cases and table designs, not {self.kind}")
        return self


class Base(Strict):
    """The scenario every run starts from."""

    scenario: str = Field(description="scenario file, relative to the experiment file")
    set: dict[str, Any] = Field(default_factory=dict, description="dotted.path -> value, applied to every run")


class Outputs(Strict):
    """What each run keeps. The summary row of every run is always kept."""

    tables: list[Literal["daily", "rep_periods"]] = Field(
        default_factory=list, description="per-run tables to keep as well: daily, rep_periods")
    metrics: list[str] = Field(
        default_factory=lambda: ["*"],
        description="summary metrics to keep, as patterns over names like financial.revenue (* = all)")

    @field_validator("metrics")
    @classmethod
    def _sections(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if not any(fnmatch(section, pattern.split(".")[0]) for section in SECTIONS):
                raise ValueError(f"{pattern!r} matches no section; sections are {', '.join(SECTIONS)}")
        return patterns


class ExperimentFile(Strict):
    """An experiment: a base scenario, parameters, a design, replications, a root seed, outputs."""

    name: str = Field(pattern=NAME_PATTERN, description="short name, used for the default output folder "
                      "(runs/sweeps/<name>): letters, digits, _ . - (up to 64, not starting with . _ or -)")
    description: str = Field("", description="the question the experiment answers")
    base: Base
    parameters: dict[str, Parameter] = Field(default_factory=dict, description="name or dotted.path -> levels or range")
    design: Design = Field(default_factory=Design)
    replications: Bounded(int, ge=1, le=MAX_REPLICATIONS, why=WHY_RUNS) = Field(1, description="runs of every case, each with its own seed")
    seed: Bounded(int, ge=0, le=MAX_SEED, why="seeds are 63-bit") = Field(description="root seed: every run's seed is spawned from it")
    common_random_numbers: bool = Field(
        False, description="give replication r of every case the same seed, so cases are compared on the same draws")
    outputs: Outputs = Field(default_factory=Outputs)


# ------------------------------------------------------------------------------------- factors


@dataclass(frozen=True)
class Factor:
    """A parameter resolved against the base scenario: its column, role and the overrides a value gives."""

    name: str
    role: str
    spec: Parameter
    paths: tuple[str, ...]

    @property
    def column(self) -> str:
        return f"{self.role}.{self.name}"

    @property
    def kind(self) -> str:
        if isinstance(self.spec.levels, dict):
            return "choice"
        return "number" if self.spec.sets is not None else "path"

    def overrides(self, value: Any) -> dict[str, Any]:
        """dotted.path -> value that this parameter's value stands for."""
        if self.kind == "choice":
            return dict(self.spec.levels[value])
        if self.kind == "number":
            return {path: _plain(tie.offset + tie.factor * value) for path, tie in self.spec.sets.items()}
        return {self.name: value}

    def grid_levels(self) -> list:
        spec = self.spec
        if isinstance(spec.levels, dict):
            return list(spec.levels)
        if spec.levels is not None:
            return list(spec.levels)
        space = np.geomspace if spec.scale == "log" else np.linspace
        values = space(spec.low, spec.high, spec.count)
        if spec.integer:
            return sorted({int(round(v)) for v in values})
        return [float(v) for v in values]

    def at(self, u: float) -> Any:
        """The value at coordinate u in [0, 1] of the unit cube (sampling designs)."""
        spec = self.spec
        if spec.levels is not None:
            levels = self.grid_levels()
            return levels[min(int(u * len(levels)), len(levels) - 1)]
        if spec.integer:
            low, high = math.ceil(spec.low), math.floor(spec.high)
            return int(min(low + math.floor(u * (high - low + 1)), high))
        if spec.scale == "log":
            return float(math.exp(math.log(spec.low) + u * (math.log(spec.high) - math.log(spec.low))))
        return float(spec.low + u * (spec.high - spec.low))

    def candidates(self) -> list:
        """Values that test every edge of the parameter before the design is drawn."""
        spec = self.spec
        if spec.levels is not None:
            return self.grid_levels()
        return [self.at(0.0), self.at(1.0)]


def _plain(value: Any) -> Any:
    """NumPy scalars as Python ones, so values serialise and validate like YAML values."""
    return value.item() if isinstance(value, np.generic) else value


def _step(annotation: Any, key: str) -> tuple[Any, bool] | None:
    """(annotation of `key` inside a value of `annotation`, whether the key is free-form), or None."""
    if typing.get_origin(annotation) is Annotated:
        return _step(typing.get_args(annotation)[0], key)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _step(arg, key) if arg is not type(None) else None
            if found is not None:
                return found
        return None
    if typing.get_origin(annotation) is dict:
        return typing.get_args(annotation)[1], True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found = annotation.model_fields.get(key)
        return (found.annotation, False) if found is not None else None
    return None


def path_problem(path: str, base: Mapping) -> str | None:
    """Why `path` is not a field of the scenario `base` (its full dump), or None if it is."""
    keys = path.split(".")
    if keys[0] == "seed":
        return "the runner gives every run its own seed; set the experiment's root seed instead"
    node: Any = base
    annotation: Any = Scenario
    for i, key in enumerate(keys):
        where = ".".join(keys[:i]) or "the top level"
        if node is None:
            return f"{where} is not set in the base scenario; vary {where} as a whole, or set it in base.set"
        if not isinstance(node, Mapping):
            return f"{where} is a value, not a section"
        step = _step(annotation, key)
        if key not in node:
            if step is not None and step[1] and i == len(keys) - 1:
                return None  # a new entry of a free-form mapping (e.g. plan.crediting.<product>)
            return f"no field {key!r} in {where}; there: {', '.join(sorted(node)) or '(nothing)'}"
        node, annotation = node[key], (step[0] if step else None)
    return None


def roles_of(paths: Sequence[str]) -> set[str]:
    """lever (plan, quota, management), uncertainty (force, products, market, behaviour) or setting."""
    return {"lever" if p.split(".")[0] in LEVERS else "uncertainty" if p.split(".")[0] in UNCERTAINTIES
            else "setting" for p in paths}


# ------------------------------------------------------------------------------------- the experiment


@dataclass(frozen=True)
class RunSpec:
    """What one run needs: its identity, its seed and the overrides of the base scenario."""

    run_id: int
    case: int
    replication: int
    seed: int
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Experiment:
    """A resolved experiment: the base scenario, validated cases and one seed per run."""

    spec: ExperimentFile
    source: str
    text: str  # the experiment file as written
    base: dict  # the resolved base scenario, every field present
    factors: tuple[Factor, ...]
    cases: tuple[dict[str, Any], ...]  # column -> value, one a case
    case_overrides: tuple[dict[str, Any], ...]  # dotted.path -> value, one a case
    seeds: np.ndarray  # int64, one a run
    overrides: tuple[str, ...] = ()  # what the command line changed in the file
    scenario_overrides: tuple[str, ...] = ()
    unit: np.ndarray | None = field(default=None, repr=False)  # sobol/morris: coordinates in the unit cube

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def n_runs(self) -> int:
        return len(self.cases) * self.spec.replications

    def run(self, run_id: int) -> RunSpec:
        case, replication = divmod(run_id, self.spec.replications)
        return RunSpec(run_id, case, replication, int(self.seeds[run_id]), self.case_overrides[case])

    def runs(self) -> Iterator[RunSpec]:
        return (self.run(i) for i in range(self.n_runs))

    def scenario(self, run_id: int) -> Scenario:
        """The scenario of one run, as the runner builds it."""
        return scenario_for(self.base, self.run(run_id).overrides)

    def design_table(self):
        """One row a run: run_id, case, replication, seed, the parameter columns, the overrides as JSON
        and, for sobol and morris designs, each case's point in the unit cube (`unit.<name>`)."""
        import pandas as pd

        reps = self.spec.replications
        table = pd.DataFrame({"run_id": np.arange(self.n_runs, dtype=np.int64),
                              "case": np.repeat(np.arange(len(self.cases), dtype=np.int64), reps),
                              "replication": np.tile(np.arange(reps, dtype=np.int64), len(self.cases)),
                              "seed": self.seeds})
        for factor in self.factors:
            values = [_cell(case.get(factor.column)) for case in self.cases]
            table[factor.column] = np.repeat(np.array(values, dtype=object), reps)
            table[factor.column] = table[factor.column].infer_objects()
        table["overrides"] = np.repeat(np.array([json.dumps(o, sort_keys=True) for o in self.case_overrides],
                                                dtype=object), reps)
        if self.unit is not None:  # sobol and morris: the coordinates SALib's analysers take
            for j, factor in enumerate(self.factors):
                table[f"unit.{factor.name}"] = np.repeat(self.unit[:, j], reps)
        return table

    def digest(self) -> str:
        """Hash of everything that decides the runs' results: a results folder belongs to one digest."""
        identity = {"base": self.base, "cases": list(self.case_overrides), "replications": self.spec.replications,
                    "outputs": self.spec.outputs.model_dump(mode="json"),
                    "seeds": hashlib.sha256(self.seeds.tobytes()).hexdigest()}
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def _cell(value: Any) -> Any:
    """A parameter value as a table cell: scalars as they are, lists and mappings as JSON text."""
    return json.dumps(value, sort_keys=True) if isinstance(value, (list, dict)) else value


def scenario_for(base: Mapping, overrides: Mapping[str, Any]) -> Scenario:
    """The base scenario with a run's overrides, validated."""
    return validate(overridden(base, overrides), "<run>")


def run_seeds(root: int, n_cases: int, replications: int, common: bool = False) -> np.ndarray:
    """One seed a run from SeedSequence(root).spawn: run r of case c is child c x replications + r
    (with common random numbers, child r for every case). 63-bit ints: any engine stores them."""
    children = np.random.SeedSequence(root).spawn(replications if common else n_cases * replications)
    seeds = np.array([int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children], dtype=np.int64)
    return np.tile(seeds, n_cases) if common else seeds


def design_rng(root: int) -> np.random.Generator:
    """The generator that draws sampled designs: the root sequence itself, whose stream differs from
    every spawned child's, so the design and the runs never share draws."""
    return np.random.default_rng(np.random.SeedSequence(root))


# ------------------------------------------------------------------------------------- loading


def load_experiment(path: str | Path, overrides: Sequence[str] = (), scenario_overrides: Sequence[str] = ()
                    ) -> Experiment:
    """Read, validate and resolve an experiment file.

    `overrides` change the experiment file (`replications=1`, `design.samples=8`);
    `scenario_overrides` change the base scenario for every run (`force.size=10`), after its `set`.
    Raises ExperimentError naming the file and field before anything runs.
    """
    source = str(path)
    path = Path(path)
    try:
        raw = read_yaml(path, "experiment file")
        text = path.read_text(encoding="utf-8")  # read_yaml checked it is a small UTF-8 file
        raw = apply_overrides(raw, [_file_override(o) for o in overrides])
    except ScenarioError as exc:
        raise ExperimentError(source, exc.problems) from None
    except ValueError as exc:
        raise ExperimentError(source, [str(exc)]) from None
    try:
        spec = ExperimentFile.model_validate(raw)
    except ValidationError as exc:
        raise ExperimentError(source, [describe_error(e, ExperimentFile) for e in exc.errors()]) from None
    base = _base_scenario(spec, path, scenario_overrides, source)
    factors = _factors(spec, base, source)
    _check_size(spec, factors, source)
    cases, factors, unit = _design(spec, factors, base, path, source)
    case_overrides = _validated_overrides(cases, factors, base, source)
    seeds = run_seeds(spec.seed, len(cases), spec.replications, spec.common_random_numbers)
    return Experiment(spec, source, text, base, tuple(factors), tuple(cases),
                      tuple(case_overrides), seeds, tuple(overrides), tuple(scenario_overrides), unit)


def planned_cases(spec: ExperimentFile, n_factors: int, grid_sizes: Sequence[int] = ()) -> int:
    """How many cases the design will have, counted before it is drawn."""
    design = spec.design
    if design.kind == "grid":
        return math.prod(grid_sizes)
    if design.kind == "cases":
        return len(design.cases or ())
    if design.kind == "table":
        return 0  # counted when read
    samples = design.samples or 0
    if design.kind == "sobol":
        return samples * ((2 * n_factors + 2) if design.second_order else (n_factors + 2))
    if design.kind == "morris":
        return samples * (n_factors + 1)
    return samples


def _check_size(spec: ExperimentFile, factors: Sequence[Factor], source: str) -> None:
    """Refuse a design of more than MAX_RUNS runs before drawing it (a grid's levels are counted, not listed)."""
    sizes = [len(f.spec.levels) if f.spec.levels is not None else (f.spec.count or 1) for f in factors]
    runs = planned_cases(spec, len(factors), sizes) * spec.replications
    if runs > MAX_RUNS:
        raise ExperimentError(source, [f"replications: the design has {runs:,} runs "
                                       f"({runs // spec.replications:,} cases x {spec.replications:,} replications); "
                                       f"{WHY_RUNS}: use fewer levels, samples or replications, or split the sweep"])


def _file_override(text: str) -> str:
    """An override of the experiment file itself (`replications=1`, `design.samples=8`)."""
    keys, _ = parse_override(text)
    if keys[:2] == ["base", "set"] and len(keys) > 2:
        raise ValueError(f"override {text!r}: change the base scenario with a scenario override "
                         f"(salesim sweep --set {'.'.join(keys[2:])}=...)")
    return text


def _base_scenario(spec: ExperimentFile, path: Path, scenario_overrides: Sequence[str], source: str) -> dict:
    scenario_path = (path.parent / spec.base.scenario).resolve()
    try:
        full = load_scenario(scenario_path).model_dump(mode="json")
    except ScenarioError as exc:
        raise ExperimentError(source, [f"base.scenario ({spec.base.scenario}): {p}" for p in exc.problems]) from None
    problems = [f"base.set.{p}: {why}" for p in spec.base.set if (why := path_problem(p, full))]
    try:
        given = [parse_override(o) for o in scenario_overrides]
    except ValueError as exc:
        raise ExperimentError(source, [str(exc)]) from None
    problems += [f"--set {'.'.join(k)}: {why}" for k, _ in given if (why := path_problem(".".join(k), full))]
    if problems:
        raise ExperimentError(source, problems)
    data = apply_overrides(apply_overrides(full, spec.base.set), {".".join(k): v for k, v in given})
    try:
        return validate(data, source).model_dump(mode="json")
    except ScenarioError as exc:
        raise ExperimentError(source, [f"base: {p}" for p in exc.problems]) from None


def _factors(spec: ExperimentFile, base: dict, source: str) -> list[Factor]:
    factors, problems = [], []
    for name, parameter in spec.parameters.items():
        where = f"parameters.{name}"
        if isinstance(parameter.levels, dict):
            paths = sorted({p for level in parameter.levels.values() for p in level})
            if not paths:
                problems.append(f"{where}.levels: each label must map to at least one dotted.path: value")
                continue
        else:
            paths = sorted(parameter.sets) if parameter.sets is not None else [name]
        wrong = [f"{where}: {'' if p == name else p + ': '}{why}" for p in paths if (why := path_problem(p, base))]
        if wrong:
            problems += wrong
            continue
        roles = roles_of(paths)
        if len(roles) > 1:
            problems.append(f"{where}: sets both {' and '.join(sorted(roles))} fields ({', '.join(paths)}); "
                            f"keep levers and uncertainties in separate parameters")
            continue
        factor = Factor(name, roles.pop(), parameter, tuple(paths))
        for i, value in enumerate(factor.candidates()):
            try:
                scenario_for(base, factor.overrides(value))
            except ScenarioError as exc:
                shown = f"levels.{i}" if parameter.levels is not None else ("low", "high")[i]
                problems += [f"{where}.{shown} ({_cell(value)}): {p}" for p in exc.problems]
        factors.append(factor)
    if problems:
        raise ExperimentError(source, problems)
    return factors


def _design(spec: ExperimentFile, factors: list[Factor], base: dict, path: Path, source: str
            ) -> tuple[list[dict[str, Any]], list[Factor], np.ndarray | None]:
    """The cases as column -> value, the factors (with any paths a listed design adds) and, for
    sobol and morris, the unit-cube coordinates the cases came from."""
    design = spec.design
    if design.kind == "grid":
        problems = [f"parameters.{f.name}: a grid needs levels, or low, high and count" for f in factors
                    if f.spec.levels is None and f.spec.count is None]
        if problems:
            raise ExperimentError(source, problems)
        combos = itertools.product(*(f.grid_levels() for f in factors))
        return [{f.column: v for f, v in zip(factors, combo)} for combo in combos], factors, None
    if design.kind in ("cases", "table"):
        rows = design.cases if design.kind == "cases" else _read_table(path.parent / design.file, source)
        return _listed_cases(rows, factors, base, source)
    if not factors:
        raise ExperimentError(source, [f"design: a {design.kind} design needs at least one parameter"])
    unit = _unit_sample(design, len(factors), design_rng(spec.seed))
    cases = [{f.column: f.at(float(u)) for f, u in zip(factors, row)} for row in unit]
    return cases, factors, (unit if design.kind in ("sobol", "morris") else None)


def _unit_sample(design: Design, d: int, rng: np.random.Generator) -> np.ndarray:
    """Points in the unit cube [0, 1]^d, one row a case."""
    if design.kind == "random":
        return rng.random((design.samples, d))
    if design.kind == "latin_hypercube":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=d, rng=rng).random(design.samples)
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    if design.kind == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, design.samples, calc_second_order=design.second_order, seed=rng)
    from SALib.sample import morris

    return morris.sample(problem, design.samples, num_levels=design.morris_levels, seed=rng)


def _read_table(path: Path, source: str) -> list[dict[str, Any]]:
    import pandas as pd

    if not path.exists():
        raise ExperimentError(source, [f"design.file: {path} not found"])
    if path.suffix.lower() not in (".csv", ".parquet"):
        raise ExperimentError(source, [f"design.file: {shown(path.name)} must be a .csv or .parquet file"])
    if not path.is_file():
        raise ExperimentError(source, [f"design.file: {path} is not a regular file"])
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise ExperimentError(source, [f"design.file: {path} is {path.stat().st_size:,} bytes; a design table "
                                       f"may have at most {MAX_TABLE_BYTES:,} ({WHY_RUNS})"])
    try:
        table = pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any parser's complaint about the file is the user's to fix
        raise ExperimentError(source, [f"design.file: {path} cannot be read as a table "
                                       f"({type(exc).__name__}: {str(exc)[:160]})"]) from None
    if len(table) > MAX_RUNS:
        raise ExperimentError(source, [f"design.file: {len(table):,} rows; {WHY_RUNS}"])
    return [{k: _plain(v) for k, v in row.items() if not (isinstance(v, float) and math.isnan(v))}
            for row in table.to_dict("records")]


def _listed_cases(rows: list[dict[str, Any]], declared_factors: list[Factor], base: dict, source: str
                  ) -> tuple[list[dict[str, Any]], list[Factor], None]:
    """Cases given one by one: keys are declared parameters or dotted paths; a path a case leaves
    out keeps the base scenario's value, which its column shows."""
    factors = list(declared_factors)
    declared = {f.name: f for f in factors}
    problems = []
    for key in sorted({k for row in rows for k in row} - set(declared)):
        if why := path_problem(key, base):
            problems.append(f"design.cases: {key}: {why}")
            continue
        seen = sorted({_cell(row[key]) for row in rows if key in row}, key=str)
        declared[key] = Factor(key, roles_of([key]).pop(), Parameter(levels=seen), (key,))
        factors.append(declared[key])
    cases = []
    for i, row in enumerate(rows):
        case = {}
        for factor in factors:
            if factor.name in row:
                value = row[factor.name]
                if factor.kind == "choice" and (not isinstance(value, str) or value not in factor.spec.levels):
                    problems.append(f"design.cases.{i}.{factor.name}: {shown(value)} is not one of the labels of "
                                    f"parameters.{factor.name}.levels ({', '.join(factor.spec.levels)})")
                case[factor.column] = value
            elif factor.kind == "path":
                case[factor.column] = _value_at(base, factor.name)
            else:
                problems.append(f"design case {i}: no value for {factor.name}")
        cases.append(case)
    if problems:
        raise ExperimentError(source, problems)
    return cases, factors, None


def _value_at(data: Mapping, path: str) -> Any:
    node: Any = data
    for key in path.split("."):
        node = node.get(key) if isinstance(node, Mapping) else None
    return copy.deepcopy(node)


def _validated_overrides(cases: list[dict[str, Any]], factors: Sequence[Factor], base: dict, source: str
                         ) -> list[dict[str, Any]]:
    """Every case's overrides, each validated as a whole scenario (cross-field rules included)."""
    out, problems, seen = [], [], {}
    for i, case in enumerate(cases):
        overrides = {}
        for factor in factors:
            overrides.update(factor.overrides(case[factor.column]))
        key = json.dumps(overrides, sort_keys=True)
        if key not in seen:
            try:
                scenario_for(base, overrides)
                seen[key] = None
            except ScenarioError as exc:
                seen[key] = exc.problems
        if seen[key] and len(problems) < MAX_CASE_PROBLEMS:
            shown = ", ".join(f"{c}={_cell(v)}" for c, v in case.items())
            problems += [f"design case {i} ({shown}): {p}" for p in seen[key]]
        out.append(overrides)
    if problems:
        raise ExperimentError(source, problems)
    return out


def describe(experiment: Experiment, show: int = 5) -> str:
    """A dry run's account: what varies, how many runs, and the first resolved runs."""
    spec = experiment.spec
    lines = [f"{spec.name}: {spec.description}".rstrip(": "),
             f"base scenario: {spec.base.scenario}" + (f" with {spec.base.set}" if spec.base.set else "")]
    for factor in experiment.factors:
        p = factor.spec
        what = (f"levels {factor.grid_levels()}" if p.levels is not None
                else f"{p.low:g} .. {p.high:g}" + (f" ({p.scale})" if p.scale != "linear" else ""))
        lines.append(f"  {factor.column:<40} {what}" + (f" -> sets {', '.join(factor.paths)}" if factor.kind != "path" else ""))
    crn = ", common random numbers" if spec.common_random_numbers else ""
    lines.append(f"design {spec.design.kind}: {len(experiment.cases)} cases x {spec.replications} replications "
                 f"= {experiment.n_runs} runs (root seed {spec.seed}{crn})")
    for run in itertools.islice(experiment.runs(), show):
        lines.append(f"  run {run.run_id} (case {run.case}, replication {run.replication}, seed {run.seed}): "
                     + (", ".join(f"{k}={json.dumps(v)}" for k, v in run.overrides.items()) or "the base scenario"))
    if experiment.n_runs > show:
        lines.append(f"  ... and {experiment.n_runs - show} more")
    return "\n".join(lines)


def keep_metric(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch(name, p) for p in patterns)
