"""Reading scenario files: YAML (safe loading only), `extends:`, dotted overrides and error messages
that name the file, the field, the bad value and what is allowed."""

from __future__ import annotations

import copy
import json
import typing
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml
from pydantic import BaseModel, ValidationError

from simulator.scenario.schema import Scenario, ScenarioError


def deep_merge(base: Mapping, over: Mapping) -> dict:
    """`over` merged into `base`: dicts merge key by key, anything else is replaced."""
    merged = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def read_yaml(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise ScenarioError(str(path), ["file not found"]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(str(path), [f"not valid YAML: {exc}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ScenarioError(str(path), [f"the top level must be a mapping of fields, got {type(data).__name__}"])
    return data


def resolve_extends(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """The file's data merged over whatever it `extends`, recursively."""
    path = Path(path).resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError(str(path), [f"extends: circular chain {chain}"])
    data = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(str(path), [f"extends: must be a file name, got {parent!r}"])
    parent_path = (path.parent / parent).resolve()
    if not parent_path.exists():
        raise ScenarioError(str(path), [f"extends: {parent!r} not found (looked for {parent_path})"])
    return deep_merge(resolve_extends(parent_path, (*seen, path)), data)


def parse_override(text: str) -> tuple[list[str], Any]:
    """`a.b.c=value` as a path and a YAML-typed value."""
    if "=" not in text:
        raise ValueError(f"override {text!r} must look like path.to.field=value")
    path, raw = text.split("=", 1)
    keys = [k for k in path.strip().split(".") if k]
    if not keys:
        raise ValueError(f"override {text!r} has an empty field path")
    return keys, yaml.safe_load(raw) if raw.strip() else None


def apply_overrides(data: dict, overrides: Sequence[str] | Mapping[str, Any]) -> dict:
    """Apply dotted overrides (strings `a.b=v` or a mapping path -> value) to raw scenario data."""
    data = copy.deepcopy(data)
    items = (
        [(k.split("."), v) for k, v in overrides.items()]
        if isinstance(overrides, Mapping)
        else [parse_override(o) for o in overrides]
    )
    for keys, value in items:
        node = data
        for key in keys[:-1]:
            child = node.get(key)
            if not isinstance(child, dict):
                child = {} if child is None else child
                if not isinstance(child, dict):
                    raise ValueError(f"override {'.'.join(keys)}: {key} is not a section")
                node[key] = child
            node = child
        node[keys[-1]] = value
    return data


def _allowed_fields(loc: Sequence[Any], root: type[BaseModel]) -> list[str] | None:
    """Field names allowed at the parent of `loc` in the schema, for 'unknown field' errors."""
    model: Any = root
    keyed = False  # the next key names an entry of a mapping (a segment, a product), not a field
    for key in loc[:-1]:
        if isinstance(key, int) or keyed:
            keyed = False
            continue
        field = getattr(model, "model_fields", {}).get(key)
        if field is None:
            return None
        annotation = field.annotation
        keyed = _is_mapping(annotation)
        model = _model_in(annotation)
        if model is None:
            return None
    return sorted(getattr(model, "model_fields", {}))


def _is_mapping(annotation: Any) -> bool:
    """Whether an annotation (perhaps Optional) is a dict."""
    if typing.get_origin(annotation) is dict:
        return True
    return any(_is_mapping(arg) for arg in typing.get_args(annotation) if arg is not type(None))


def _model_in(annotation: Any) -> Any:
    """The pydantic model class inside an annotation (Optional, dict values, lists)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def describe_error(error: dict, root: type[BaseModel] | None = None) -> str:
    """One pydantic error as `field.path: what is wrong (got value)`; unknown fields list the allowed ones."""
    loc = [k for k in error["loc"] if k not in ("function-after", "function-before")]
    path = ".".join(str(k) for k in loc) or "(top level)"
    value = error.get("input")
    shown = "" if isinstance(value, dict) else f" (got {json.dumps(value, default=str)})"  # a section: its fields say it
    if error["type"] == "extra_forbidden":
        allowed = _allowed_fields(loc, root or Scenario)
        hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
        return f"{path}: unknown field{hint}"
    message = error["msg"].removeprefix("Value error, ")
    return f"{path}: {message}{shown}"


def validate(data: Mapping, source: str = "<scenario>") -> Scenario:
    """Validate raw data against the schema, raising ScenarioError that names `source`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, [describe_error(e) for e in exc.errors()]) from None


def load_scenario(
    path: str | Path | None = None,
    overrides: Sequence[str] | Mapping[str, Any] = (),
    data: Mapping | None = None,
) -> Scenario:
    """Load a scenario file (or raw `data`), resolve `extends`, apply overrides and validate."""
    source = str(path) if path is not None else "<scenario>"
    raw = resolve_extends(Path(path)) if path is not None else dict(data or {})
    try:
        raw = apply_overrides(raw, overrides)
    except ValueError as exc:
        raise ScenarioError(source, [str(exc)]) from None
    return validate(raw, source)


def json_schema() -> dict:
    """JSON Schema of scenario files, for editors' autocompletion."""
    schema = Scenario.model_json_schema()
    schema["properties"]["extends"] = {"type": "string", "description": "a scenario file this one overrides"}
    return schema
