"""The parameters a calibration fits: dotted paths into the scenario (as `--set` takes them), each
with its starting value (the scenario's) and bounds (given, or from the schema's limits and a
factor of three around the start where the schema leaves a side open)."""

from __future__ import annotations

import math
import types
import typing
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import annotated_types
from pydantic import BaseModel

from simulator.experiments.design import path_problem
from simulator.scenario import Scenario

OPEN_FACTOR = 3.0  # an open side of the schema's range is set this factor away from the start


@dataclass(frozen=True)
class FitParameter:
    """One parameter to estimate: its dotted path, where the search starts and the range it may take."""

    path: str
    start: float
    low: float
    high: float

    def clip(self, value: float) -> float:
        return min(max(float(value), self.low), self.high)


def _leaf_field(path: str):
    """The pydantic FieldInfo of a dotted scenario path (None where the path enters free-form data)."""
    annotation: Any = Scenario
    info = None
    for key in path.split("."):
        model = _model(annotation)
        if model is not None and key in model.model_fields:
            info = model.model_fields[key]
            annotation = info.annotation
        elif typing.get_origin(_unwrap(annotation)) is dict:
            annotation, info = typing.get_args(_unwrap(annotation))[1], None
        else:
            return None
    return info


def _unwrap(annotation: Any) -> Any:
    """Drop Optional and Annotated around a type."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _unwrap(args[0])
    return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model(arg)
        if found is not None:
            return found
    return None


def schema_limits(path: str) -> tuple[float | None, float | None]:
    """(lowest, highest) the schema allows for the field at `path` (None where it sets no limit)."""
    info = _leaf_field(path)
    low = high = None
    metadata = list(getattr(info, "metadata", []) or [])
    extras = [getattr(info, "json_schema_extra", None)]
    for annotation in _annotated_parts(getattr(info, "annotation", None)):  # e.g. `Positive | None`
        for extra in typing.get_args(annotation)[1:]:
            metadata.extend(getattr(extra, "metadata", [extra]))
            extras.append(getattr(extra, "json_schema_extra", None))
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = float(item.ge)
        if isinstance(item, annotated_types.Gt):  # exclusive: the search may not propose the limit itself
            low = math.nextafter(float(item.gt), math.inf)
        if isinstance(item, annotated_types.Le):
            high = float(item.le)
        if isinstance(item, annotated_types.Lt):
            high = math.nextafter(float(item.lt), -math.inf)
    for extra in extras:
        if isinstance(extra, dict) and "maximum" in extra:  # `schema.Bounded`: the upper limit its validator enforces
            high = float(extra["maximum"]) if high is None else min(high, float(extra["maximum"]))
    return low, high


def _annotated_parts(annotation: Any) -> list[Any]:
    """The Annotated types in an annotation: itself, or the members of an Optional or Union."""
    if typing.get_origin(annotation) is typing.Annotated:
        return [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if typing.get_origin(a) is typing.Annotated]
    return []


def value_at(data: Mapping, path: str) -> Any:
    node: Any = data
    for key in path.split("."):
        node = node[key]
    return node


def parse_bounds(items: Sequence[str]) -> dict[str, tuple[float, float]]:
    """`path=low:high` items as path -> (low, high)."""
    out = {}
    for item in items:
        path, sep, span = item.partition("=")
        low, colon, high = span.partition(":")
        try:
            if not sep or not colon:
                raise ValueError
            out[path.strip()] = (float(low), float(high))
        except ValueError:
            raise ValueError(f"--bounds {item!r} must look like path.to.field=LOW:HIGH, e.g. "
                             "force.traits.effort_cost.mean=30:200") from None
    return out


def resolve(base: Mapping, paths: Sequence[str], bounds: Mapping[str, tuple[float, float]] | None = None
            ) -> list[FitParameter]:
    """The parameters at `paths` of the resolved scenario `base` (its full dump), with bounds, or
    ValueError naming the path and what is wrong."""
    bounds = dict(bounds or {})
    if not paths:
        raise ValueError("name at least one parameter to fit, e.g. --fit force.traits.effort_cost.mean")
    if len(set(paths)) != len(paths):
        raise ValueError(f"a parameter is named twice in --fit: {', '.join(paths)}")
    stray = sorted(set(bounds) - set(paths))
    if stray:
        raise ValueError(f"--bounds for {', '.join(stray)}, which --fit does not name")
    out = []
    for path in paths:
        problem = path_problem(path, base)
        if problem:
            raise ValueError(f"--fit {path}: {problem}")
        value = value_at(base, path)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"--fit {path}: its value {value!r} is not a number; only numeric fields can be fitted")
        start = float(value)
        floor, ceiling = schema_limits(path)
        if path in bounds:
            low, high = bounds[path]
        else:
            wide = (start / OPEN_FACTOR, start * OPEN_FACTOR) if start > 0 else \
                (start * OPEN_FACTOR, start / OPEN_FACTOR) if start < 0 else (0.0, 1.0)
            low = floor if floor is not None and floor > wide[0] else wide[0]
            high = ceiling if ceiling is not None and ceiling < wide[1] else wide[1]
        if floor is not None and low < floor or ceiling is not None and high > ceiling:
            raise ValueError(f"--bounds {path}={low:g}:{high:g} leave the schema's range "
                             f"[{floor if floor is not None else '-inf'}, {ceiling if ceiling is not None else 'inf'}]")
        if not low < high:
            raise ValueError(f"--bounds {path}: low ({low:g}) must be below high ({high:g})")
        out.append(FitParameter(path, min(max(start, low), high), float(low), float(high)))
    return out
