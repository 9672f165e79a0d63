"""What a plan search is (`salesim optimise`): the levers and their ranges, the constraints, the
objective, the seeds, and a plan's figures over them.

Every candidate runs on the same seeds as the current plan (common random numbers: seed, seed+1,
... as `salesim compare` uses them), so candidates differ by what their levers do, not by chance,
and a plan file's figures are exactly what `salesim compare` prints for it with the same seed and
replications.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.analysis.metrics import flatten
from simulator.analysis.risk import LEVELS, RISKS, nanmean
from simulator.calibration.parameters import _leaf_field, _unwrap, schema_limits, value_at
from simulator.experiments.design import path_problem, scenario_for
from simulator.scenario import LEVERS, Scenario

if TYPE_CHECKING:  # optuna loads when a search runs, not when salesim starts
    from optuna import Trial

OBJECTIVES = {"profit": "financial.profit_after_comp_and_fines", "revenue": "financial.revenue",
              "gross_profit": "financial.gross_profit"}
COST = "financial.comp_cost"
METRICS = {**OBJECTIVES, "cost": COST}  # what a constraint may bound besides risks
OPEN_FACTOR = 3.0  # an open side of a lever's range is this factor from its current value
DEFAULT_RANGES = {"plan.cap": (1.0, 3.0), "plan.threshold": (0.0, 0.9), "plan.bonus_at": (0.5, 1.5)}
STUDY = "salesim-optimise"
JOURNAL = "study.log"
SAMPLERS = ("tpe", "nsga2")


class OptimiseError(ValueError):
    """A lever, bound, constraint or output folder the search cannot use; the message says what is allowed."""


# ------------------------------------------------------------------------------------- levers


@dataclass(frozen=True)
class Lever:
    """A dotted scenario path the search may move: a number in [low, high] (whole if the field is),
    or one of `choices`."""

    path: str
    current: Any
    low: float = math.nan
    high: float = math.nan
    choices: tuple = ()
    whole: bool = False

    def suggest(self, trial: Trial) -> Any:
        if self.choices:
            return trial.suggest_categorical(self.path, list(self.choices))
        if self.whole:
            return trial.suggest_int(self.path, int(self.low), int(self.high))
        return trial.suggest_float(self.path, self.low, self.high)

    def holds(self, value: Any) -> bool:
        """Whether a value lies in the lever's space (the current plan may lie outside it)."""
        if self.choices:
            return value in self.choices
        return isinstance(value, (int, float)) and not isinstance(value, bool) and self.low <= value <= self.high

    def describe(self) -> str:
        space = (", ".join(map(str, self.choices)) if self.choices
                 else f"{self.low:g} to {self.high:g}" + (" (whole)" if self.whole else ""))
        return f"{self.path}: {space} (current {self.current})"


def _choices(path: str) -> tuple:
    """The values a Literal (or bool) field allows, () for other fields."""
    info = _leaf_field(path)
    annotation = _unwrap(getattr(info, "annotation", None))
    if annotation is bool:
        return (False, True)
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(typing.get_args(annotation))
    return ()


def _is_whole(path: str) -> bool:
    return _unwrap(getattr(_leaf_field(path), "annotation", None)) is int


def parse_bounds(items: Sequence[str]) -> dict[str, tuple[float, float] | tuple]:
    """`PATH=LOW:HIGH` (a number range: two floats) or `PATH=A,B,C` (the values to choose among: texts,
    made numbers for a numeric lever by `resolve_levers`)."""
    out: dict[str, Any] = {}
    for item in items:
        path, sep, span = item.partition("=")
        if not sep or not path.strip() or not span.strip():
            raise OptimiseError(f"--bounds {item!r}: must look like PATH=LOW:HIGH (plan.commission_rate=0.01:0.06) "
                                "or PATH=A,B (quota.period=month,quarter)")
        if ":" in span:
            low, _, high = span.partition(":")
            try:
                out[path.strip()] = (float(low), float(high))
            except ValueError:
                raise OptimiseError(f"--bounds {item!r}: LOW and HIGH must be numbers") from None
        else:
            out[path.strip()] = tuple(v.strip() for v in span.split(",") if v.strip())
    return out


def resolve_levers(base: Mapping, paths: Sequence[str], bounds: Mapping[str, Any] | None = None,
                   horizon_days: int | None = None) -> list[Lever]:
    """The levers at `paths` of the resolved scenario `base` (its full dump), or OptimiseError naming
    the lever and what is allowed. Ranges: --bounds, else a few fields' usual ranges, else the schema's
    limits and a factor of three around the current value. A quota period must fit the horizon
    (`fits`): pay is counted when a period ends, so a period the runs do not finish costs nothing
    and the search would pick it for that alone."""
    bounds = dict(bounds or {})
    if not paths:
        raise OptimiseError("name at least one lever, e.g. --levers plan.commission_rate plan.bonus")
    if len(set(paths)) != len(paths):
        raise OptimiseError(f"a lever is named twice in --levers: {' '.join(paths)}")
    stray = sorted(set(bounds) - set(paths))
    if stray:
        raise OptimiseError(f"--bounds for {', '.join(stray)}, which --levers does not name")
    out = []
    for path in paths:
        if path.split(".", 1)[0] not in LEVERS:
            raise OptimiseError(f"--levers {path}: a lever is a field of the plan, the quota or management "
                                f"({', '.join(LEVERS)}); {path.split('.', 1)[0]} is the world the plan meets")
        problem = path_problem(path, base)
        if problem:
            raise OptimiseError(f"--levers {path}: {problem}")
        current = value_at(base, path) if path_problem(path, base) is None and _present(base, path) else None
        choices = _choices(path)
        given = bounds.get(path)
        if choices:
            if given is not None:
                if not isinstance(given, tuple) or not given or isinstance(given[0], float):
                    raise OptimiseError(f"--bounds {path}: a choice; give the values it may take, e.g. "
                                        f"{path}={','.join(map(str, choices[:2]))} (allowed: {', '.join(map(str, choices))})")
                typed = [_typed(v, choices) for v in given]
                wrong = [v for v, t in zip(given, typed) if t is None]
                if wrong:
                    raise OptimiseError(f"--bounds {path}: {', '.join(wrong)} not allowed; allowed: "
                                        f"{', '.join(map(str, choices))}")
                choices = tuple(dict.fromkeys(typed))
                unfit = [c for c in choices if path == "quota.period" and not fits(c, horizon_days)]
                if unfit:
                    raise OptimiseError(f"--bounds {path}: {', '.join(unfit)} do not fit the horizon of {horizon_days} "
                                        f"days in whole periods, so their last period's pay would be missing from "
                                        f"the cost; allowed here: {', '.join(c for c in _choices(path) if fits(c, horizon_days))}")
            elif path == "quota.period":
                choices = tuple(c for c in choices if fits(c, horizon_days))
            out.append(Lever(path, current, choices=choices))
            continue
        if current is not None and (isinstance(current, bool) or not isinstance(current, (int, float))):
            raise OptimiseError(f"--levers {path}: its value {current!r} is neither a number nor a choice; "
                                "a lever is a number (plan.commission_rate) or a choice (quota.period)")
        floor, ceiling = schema_limits(path)
        whole = _is_whole(path)
        if given is not None and given and isinstance(given[0], str):  # numbers to choose among
            try:
                values = tuple(dict.fromkeys(int(v) if whole else float(v) for v in given))
            except ValueError:
                raise OptimiseError(f"--bounds {path}={','.join(given)}: a {'whole ' * whole}number; give a range "
                                    f"{path}=LOW:HIGH or the numbers to try, {path}=A,B,C") from None
            bad = [v for v in values if not math.isfinite(v) or floor is not None and v < floor
                   or ceiling is not None and v > ceiling]
            if bad:
                raise OptimiseError(f"--bounds {path}: {', '.join(map(str, bad))} outside the schema's range "
                                    f"[{floor if floor is not None else '-inf'}, {ceiling if ceiling is not None else 'inf'}]")
            out.append(Lever(path, current, choices=values))
            continue
        if given is not None:
            low, high = given
        elif path in DEFAULT_RANGES:
            low, high = DEFAULT_RANGES[path]
        elif current is not None and current != 0:
            wide = sorted((current / OPEN_FACTOR, current * OPEN_FACTOR))
            low = floor if floor is not None and floor > wide[0] else wide[0]
            high = ceiling if ceiling is not None and ceiling < wide[1] else wide[1]
        else:
            raise OptimiseError(f"--levers {path}: it is {'not set' if current is None else 0} in the scenario, so "
                                f"no range follows from it; give one with --bounds {path}=LOW:HIGH")
        if floor is not None and low < floor or ceiling is not None and high > ceiling:
            raise OptimiseError(f"--bounds {path}={low:g}:{high:g} leaves the schema's range "
                                f"[{floor if floor is not None else '-inf'}, {ceiling if ceiling is not None else 'inf'}]")
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise OptimiseError(f"--bounds {path}: LOW ({low:g}) must be below HIGH ({high:g}), both finite")
        if whole and math.ceil(low) > math.floor(high):
            raise OptimiseError(f"--bounds {path}: a whole number; no whole number lies in {low:g}:{high:g}")
        out.append(Lever(path, current, float(math.ceil(low) if whole else low),
                         float(math.floor(high) if whole else high), whole=whole))
    return out


def fits(period: str, horizon_days: int | None) -> bool:
    """Whether the horizon holds whole quota periods of this length (the unfinished rest at most 2% of it)."""
    from simulator.calendar import PERIOD_DAYS

    if horizon_days is None:
        return True
    length = PERIOD_DAYS[period]
    return length <= horizon_days and horizon_days % length <= 0.02 * horizon_days


def _present(data: Mapping, path: str) -> bool:
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return False
        node = node[key]
    return True


def _typed(text: str, choices: tuple) -> Any:
    for choice in choices:
        if str(choice).lower() == text.lower():
            return choice
    return None


# ------------------------------------------------------------------------------------- constraints


@dataclass(frozen=True)
class Constraint:
    """`cost<=current`, `cost<=1.1*current`, `profit>=current`, `cost<=2e6` or `risk.NAME<=LEVEL`."""

    text: str
    metric: str  # a key of METRICS, or risk.NAME
    op: str  # "<=" or ">="
    factor: float | None = None  # times the current plan's figure
    number: float | None = None  # an absolute bound, $
    level: str | None = None  # the highest risk level allowed

    @property
    def risk(self) -> str | None:
        return self.metric.split(".", 1)[1] if self.metric.startswith("risk.") else None

    def value(self, figures: Mapping[str, float], risks: Mapping[str, Mapping[str, Any]],
              current: Mapping[str, float]) -> float:
        """Optuna's constraint value: at most 0 when met; otherwise how far off, relative to the bound."""
        if self.risk is not None:
            r = risks[self.risk]
            allowed = LEVELS.index(self.level) >= LEVELS.index(r["level"])
            if self.level == "high":
                return -1.0
            limit = r["elevated"] if self.level == "low" else r["high"]
            value = r["value"]
            if math.isnan(value):
                return -1.0
            gap = (value - limit) / abs(limit) if limit else value - limit
            return min(gap, 0.0) if allowed else max(gap, 1e-9)
        bound = self.number if self.number is not None else self.factor * current[METRICS[self.metric]]
        value = figures[METRICS[self.metric]]
        gap = (value - bound) if self.op == "<=" else (bound - value)
        return gap / abs(bound) if bound else gap


CONSTRAINT = re.compile(r"^\s*([A-Za-z_.]+)\s*(<=|>=)\s*(.+?)\s*$")


def parse_constraint(text: str) -> Constraint:
    """One --constraint, or OptimiseError saying what is allowed."""
    found = CONSTRAINT.match(text)
    allowed = (f"METRIC<=current, METRIC<=FACTOR*current, METRIC>=current or METRIC<=NUMBER for METRIC in "
               f"{', '.join(METRICS)}; or risk.NAME<=LEVEL for NAME in {', '.join(RISKS)} and LEVEL in {', '.join(LEVELS)}")
    if not found:
        raise OptimiseError(f"--constraint {text!r}: allowed forms are {allowed}")
    metric, op, bound = found.groups()
    if metric.startswith("risk."):
        name = metric.split(".", 1)[1]
        if name not in RISKS:
            raise OptimiseError(f"--constraint {text!r}: no risk {name!r}; risks are {', '.join(RISKS)}")
        if op != "<=" or bound not in LEVELS:
            raise OptimiseError(f"--constraint {text!r}: a risk is bounded from above by a level: "
                                f"risk.{name}<=LEVEL with LEVEL one of {', '.join(LEVELS)}")
        return Constraint(text, metric, op, level=bound)
    if metric not in METRICS:
        raise OptimiseError(f"--constraint {text!r}: no figure {metric!r}; allowed forms are {allowed}")
    relative = re.fullmatch(r"(?:([0-9.eE+-]+)\s*\*\s*)?current", bound)
    try:
        if relative:
            factor = float(relative.group(1) or 1.0)
            if not math.isfinite(factor) or factor <= 0:
                raise ValueError
            return Constraint(text, metric, op, factor=factor)
        number = float(bound)
        if not math.isfinite(number):
            raise ValueError
        return Constraint(text, metric, op, number=number)
    except ValueError:
        raise OptimiseError(f"--constraint {text!r}: the bound must be current, FACTOR*current (a positive "
                            f"number) or a number of $; allowed forms are {allowed}") from None


# ------------------------------------------------------------------------------------- the problem


@dataclass
class Problem:
    """A search ready to run: the resolved scenario, its levers, objective, constraints and seeds."""

    source: Path
    scenario: Scenario
    settings: list[str]
    levers: list[Lever]
    objective: str
    constraints: list[Constraint]
    seeds: list[int]
    sampler: str = "tpe"
    base: dict = field(init=False)

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise OptimiseError(f"--objective {self.objective!r}: allowed are {', '.join(OBJECTIVES)}")
        if self.sampler not in SAMPLERS:
            raise OptimiseError(f"--sampler {self.sampler!r}: allowed are {', '.join(SAMPLERS)}")
        self.base = self.scenario.model_dump(mode="json")

    @property
    def risk_names(self) -> list[str]:
        """The risks on the front: the constrained ones, or every risk when none is constrained."""
        named = [c.risk for c in self.constraints if c.risk]
        return list(dict.fromkeys(named)) or list(RISKS)

    def identity(self) -> dict:
        return {"scenario": self.base, "levers": [[lv.path, lv.low, lv.high, list(lv.choices)] for lv in self.levers],
                "objective": self.objective, "constraints": [c.text for c in self.constraints],
                "seeds": self.seeds, "sampler": self.sampler}

    def digest(self) -> str:
        text = json.dumps(self.identity(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def overrides(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """A candidate's fields. A quota period moved under a $ quota that does not say its period
        keeps the current period's amount (quota.amount_per), as a designer moving the period means."""
        out = dict(params)
        quota = self.base.get("quota") or {}
        if "quota.period" in out and quota.get("amount") is not None and quota.get("amount_per") is None:
            out["quota.amount_per"] = quota.get("period", "quarter")
        return out

    def candidate(self, params: Mapping[str, Any]) -> Scenario:
        return scenario_for(self.base, self.overrides(params))


def figures_of(summaries: Sequence[dict], thresholds: Mapping) -> tuple[dict, dict, dict]:
    """Means over the replications of the money figures (as `salesim compare` prints them), each
    figure per seed, and every risk's level and value (`simulator.analysis.risk.verdicts`)."""
    from simulator.analysis.risk import verdicts

    flats = [flatten(s) for s in summaries]
    per_seed = {key: [float(f.get(key, math.nan)) for f in flats] for key in set(METRICS.values())}
    figures = {key: nanmean(values) for key, values in per_seed.items()}
    risks = {v.risk: {"level": v.level, "value": v.value, "elevated": v.elevated, "high": v.high}
             for v in verdicts(summaries, thresholds)}
    return figures, per_seed, risks


def simulate(base: Mapping, overrides: Mapping[str, Any], seed: int) -> dict:
    """One run's scorecard: a worker's task, module-level so any executor ships it."""
    from simulator.experiments.run import run

    return run(scenario_for(base, overrides), seed).summary



@dataclass
class Evaluated:
    """A plan's figures over the replications: what a trial records and the outputs read."""

    figures: dict[str, float]
    per_seed: dict[str, list[float]]
    risks: dict[str, dict[str, Any]]

    def attrs(self) -> dict:
        from simulator.experiments.files import json_safe

        return json_safe({"figures": self.figures, "per_seed": self.per_seed, "risks": self.risks})[0]

    @classmethod
    def from_attrs(cls, attrs: Mapping) -> Evaluated:
        def num(v):
            return math.nan if v is None else v

        return cls({k: num(v) for k, v in attrs["figures"].items()},
                   {k: [num(x) for x in v] for k, v in attrs["per_seed"].items()},
                   {k: {**r, "value": num(r["value"])} for k, r in attrs["risks"].items()})


def risk_score(risks: Mapping[str, Mapping[str, Any]], names: Sequence[str]) -> float:
    """The worst of the named risks, each as its figure over its elevated threshold (1: turns
    elevated; a risk not measurable in the runs counts 0): the front's third objective."""
    scores = [r["value"] / r["elevated"] if r["elevated"] else r["value"]
              for r in (risks[n] for n in names) if not math.isnan(r["value"])]
    return float(max(scores, default=0.0))


def worst_level(risks: Mapping[str, Mapping[str, Any]], names: Sequence[str]) -> str:
    return max((risks[n]["level"] for n in names), key=LEVELS.index, default="low")
