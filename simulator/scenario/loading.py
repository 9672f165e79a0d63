"""Reading scenario files: YAML (safe loading only), `extends:`, dotted overrides and error messages
that name the file, the field, the bad value and what is allowed."""

from __future__ import annotations

import copy
import typing
from pathlib import Path
from typing import Any, Mapping, Sequence

from pydantic import BaseModel, ValidationError

from simulator.scenario.safe_yaml import MAX_SHOWN, YamlProblem, load_text, read_text, shown
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


MAX_EXTENDS = 16  # files in an `extends:` chain; the shipped ones are two deep
YAML_SUFFIXES = (".yaml", ".yml")


def read_yaml(path: Path, what: str = "scenario file") -> dict:
    """A YAML file's top-level mapping, read safely (`simulator.scenario.safe_yaml`): a regular
    UTF-8 file of bounded size, no duplicate keys, no alias bombs, no deep nesting."""
    try:
        data = load_text(read_text(Path(path), what))
    except FileNotFoundError:
        raise ScenarioError(str(path), ["(file): not found"]) from None
    except YamlProblem as exc:
        raise ScenarioError(str(path), [f"{exc.where or '(file)'}: {exc.message}"]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ScenarioError(str(path), [f"(top level): must be a mapping of fields (field: value), "
                                        f"got {type(data).__name__}"])
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise ScenarioError(str(path), [f"{shown(bad[0])}: a field name must be text"])
    return data


def resolve_extends(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """The file's data merged over whatever it `extends`, recursively.

    A file may extend only a regular `.yaml`/`.yml` file (so a scenario cannot make the program read
    and quote another kind of file), in a chain of at most MAX_EXTENDS files."""
    given = Path(path)
    path = given.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError(str(seen[0]), [f"extends: circular chain {chain}"])
    if len(seen) >= MAX_EXTENDS:
        raise ScenarioError(str(seen[0]), [f"extends: a chain of more than {MAX_EXTENDS} files "
                                           f"({seen[0].name} -> ... -> {path.name}); flatten it"])
    data = read_yaml(path if seen else given)  # the first file as the user named it
    if "extends" not in data:
        return data
    parent = data.pop("extends")
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(str(path), [f"extends: must be the name of a scenario file, got {shown(parent)}"])
    parent_path = (path.parent / parent).resolve()
    if parent_path.suffix.lower() not in YAML_SUFFIXES:
        raise ScenarioError(str(path), [f"extends: {shown(parent)} is not a .yaml or .yml file; "
                                        f"a scenario extends only another scenario file"])
    if not parent_path.exists():
        raise ScenarioError(str(path), [f"extends: {shown(parent)} not found (looked for {parent_path})"])
    try:
        inherited = resolve_extends(parent_path, (*seen, path))
    except ScenarioError as exc:  # named from this file: the one the user gave, through the chain
        raise ScenarioError(str(path if seen else given),
                            [p if p.startswith("extends:") and exc.source != str(parent_path)
                             else f"extends: {shown(parent)}: {p}" for p in exc.problems]) from None
    return deep_merge(inherited, data)


def parse_override(text: str) -> tuple[list[str], Any]:
    """`a.b.c=value` as a path and a YAML-typed value."""
    if "=" not in text:
        raise ValueError(f"override {text!r} must look like path.to.field=value")
    path, raw = text.split("=", 1)
    keys = [k for k in path.strip().split(".") if k]
    if not keys:
        raise ValueError(f"override {text!r} has an empty field path")
    if not raw.strip():
        return keys, None
    try:
        return keys, load_text(raw)
    except YamlProblem as exc:
        raise ValueError(f"override {shown(text)}: {exc.message}") from None


def apply_overrides(data: dict, overrides: Sequence[str] | Mapping[str, Any]) -> dict:
    """Apply dotted overrides (strings `a.b=v` or a mapping path -> value) to raw scenario data: a
    deep copy, which the caller may change at will."""
    return overridden(copy.deepcopy(data), overrides)


def overridden(data: dict, overrides: Sequence[str] | Mapping[str, Any]) -> dict:
    """`apply_overrides` copying only the sections on the overrides' paths: the rest is shared with
    `data`, so the result is for reading (validating a sweep's runs, one per case: a deep copy of
    the whole scenario was about a quarter of the time a large design took to load). `data` is left
    as it was."""
    items = (
        [(k.split("."), v) for k, v in overrides.items()]
        if isinstance(overrides, Mapping)
        else [parse_override(o) for o in overrides]
    )
    data = dict(data)
    for keys, value in items:
        node = data
        for key in keys[:-1]:
            child = node.get(key)
            if child is None:
                child = {}
            elif not isinstance(child, dict):
                raise ValueError(f"override {'.'.join(keys)}: {key} is not a section")
            node[key] = child = dict(child)
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


FRIENDLIER = {  # pydantic's words for some errors, and what they mean in a scenario file
    "finite_number": "must be a finite number (.inf and .nan are not allowed)",
    "int_parsing_size": "must be a whole number within this field's bounds",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "int_parsing": "must be a whole number",
}


def describe_error(error: dict, root: type[BaseModel] | None = None) -> str:
    """One pydantic error as `field.path: what is wrong (got value)`; unknown fields list the allowed
    ones; a rule across fields that names its fields in its message is shown as it is. Values are
    quoted cut short (`safe_yaml.shown`), never whole."""
    root = root or Scenario
    loc = [k for k in error["loc"] if k not in ("function-after", "function-before")]
    path = ".".join(str(k)[:MAX_SHOWN] for k in loc) or "(top level)"
    value = error.get("input")
    got = "" if isinstance(value, dict) else f" (got {shown(value)})"  # a section: its fields say it
    if error["type"] == "extra_forbid" or error["type"] == "extra_forbidden":
        allowed = _allowed_fields(loc, root)
        hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
        return f"{path}: unknown field{hint}"
    message = FRIENDLIER.get(error["type"], error["msg"].removeprefix("Value error, "))
    if not loc and message.split(" ", 1)[0].split(".", 1)[0] in root.model_fields:
        return message  # a cross-field rule whose message starts with the field it is about
    return f"{path}: {message}{got}"


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
        changed = apply_overrides(raw, overrides)
    except ValueError as exc:
        raise ScenarioError(source, [str(exc)]) from None
    problem = period_change_problem(raw, changed)
    if problem:
        raise ScenarioError(source, [problem])
    return validate(changed, source)


def period_change_problem(before: Mapping, after: Mapping) -> str | None:
    """Why an override of quota.period cannot stand: a dollar quota that does not say its period
    would silently keep its number for a period of another length (issue 18: a quarterly $250,000
    became a monthly one, three times the quota)."""
    old, new = (d.get("quota") if isinstance(d.get("quota"), Mapping) else {} for d in (before, after))
    period_before, period_after = old.get("period", "quarter"), new.get("period", "quarter")
    if period_before == period_after or new.get("amount") is None or new.get("amount_per") is not None:
        return None
    if old.get("amount") != new.get("amount"):
        return None  # the amount was set again along with the period: it is the new period's
    return (f"quota.period: changed from {period_before} to {period_after}, but quota.amount {shown(new['amount'])} "
            f"does not say its period, so it would stay {shown(new['amount'])} a {period_after}; add "
            f"quota.amount_per={period_before} to rescale it, or set quota.amount for a {period_after} too")


def json_schema() -> dict:
    """JSON Schema of scenario files, for editors' autocompletion."""
    schema = Scenario.model_json_schema()
    schema["properties"]["extends"] = {"type": "string", "description": "a scenario file this one overrides"}
    return schema
