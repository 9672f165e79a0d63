"""YAML text to plain data, safely: what a scenario or experiment file may be before it is parsed.

A file is read only if it is a regular file no bigger than `MAX_FILE_BYTES`, in UTF-8. Its text
is first walked as a stream of parser events (no value is built), which refuses, naming the field
where it happens:

- duplicate keys in one mapping (YAML loaders silently keep the last);
- nesting deeper than `MAX_DEPTH` (the schema is six levels deep);
- a document whose aliases would expand to more than `MAX_NODES` values (an "alias bomb": a few
  hundred bytes of `&a [*b, *b, ...]` that expand to billions), or an alias to its own enclosing
  section (a cycle);
- more than one document.

Only then is the text loaded, with libyaml's C loader where it is installed (some 20 times faster
than PyYAML's pure-Python one) and safe construction only: YAML tags that build objects are
refused. Numbers written `1e9` or `-2.5E-3` are read as numbers, as YAML 1.2 reads them, not as
text. Values quoted in messages are cut to `MAX_SHOWN` characters.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 1 << 20  # 1 MiB: the largest shipped file is about 6 KB; 1 MiB parses in well under a second
MAX_DEPTH = 32  # sections nest six deep in the schema; 32 leaves room and stops stack-deep recursion
MAX_NODES = 200_000  # values after expanding aliases: a 20,000-row design, not an alias bomb
MAX_SHOWN = 80  # characters of a value quoted in an error message

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader where libyaml is installed
C_LOADER = _BASE is not yaml.SafeLoader


class Loader(_BASE):  # type: ignore[misc, valid-type]
    """Safe loading, with YAML 1.2's floats: `1e9` is a number, not the text "1e9"."""


Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


class YamlProblem(ValueError):
    """Text that is not acceptable YAML here: `where` is the dotted field path ('' at the top)."""

    def __init__(self, where: str, message: str):
        self.where = where
        self.message = message
        super().__init__(f"{where or '(top level)'}: {message}")


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """A value as a message quotes it: JSON-like, cut to `limit` characters."""
    try:
        text = json.dumps(value, default=str, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def read_text(path: Path, what: str = "file", max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a regular file of at most `max_bytes`, as UTF-8. Raises YamlProblem (no field:
    the file itself) or FileNotFoundError. Never blocks on a FIFO or device: it is opened
    non-blocking and refused unless it is a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise YamlProblem("", f"is a folder, not a {what}") from None
    except OSError as exc:
        raise YamlProblem("", f"cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise YamlProblem("", f"is a folder, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise YamlProblem("", f"is not a regular file (a pipe, socket or device); a {what} must be one")
        if info.st_size > max_bytes:
            raise YamlProblem("", f"is {info.st_size:,} bytes; a {what} may have at most {max_bytes:,} "
                                  f"(larger files are refused so reading one cannot stall the program)")
        data = b""
        while len(data) <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - len(data))
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise YamlProblem("", f"is over {max_bytes:,} bytes; a {what} may have at most {max_bytes:,}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlProblem("", f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                              f"save it as UTF-8") from None


def load_text(text: str) -> Any:
    """Plain data (dicts, lists, strings, numbers, booleans, None) from YAML text, after the checks
    above. Raises YamlProblem naming the field where the text goes wrong."""
    check_events(text)
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - Loader is a safe loader
    except yaml.YAMLError as exc:  # e.g. a tag that would build an object
        raise YamlProblem("", _yaml_message(exc)) from None


class _Frame:
    __slots__ = ("mapping", "anchor", "size", "keys", "want_key", "key", "index")

    def __init__(self, mapping: bool, anchor: str | None):
        self.mapping = mapping
        self.anchor = anchor
        self.size = 1
        self.keys: set[str] = set()
        self.want_key = True
        self.key: str | None = None
        self.index = 0


def _where(stack: list[_Frame]) -> str:
    parts = []
    for frame in stack:
        if frame.mapping:
            if frame.key is None or frame.want_key:
                break
            parts.append(frame.key[:MAX_SHOWN])
        else:
            parts.append(str(frame.index))
    return ".".join(parts)


def check_events(text: str) -> None:
    """Walk the parser's events without building values: duplicate keys, depth, alias expansion,
    alias cycles and extra documents are refused here (see the module's docstring)."""
    stack: list[_Frame] = []
    sizes: dict[str, int] = {}
    open_anchors: set[str] = set()
    documents = 0
    total = 0

    def add(size: int) -> None:
        nonlocal total
        if not stack:
            total += size
        else:
            frame = stack[-1]
            frame.size += size
            if frame.mapping:
                frame.want_key = True
            else:
                frame.index += 1
        if total > MAX_NODES or (stack and stack[-1].size > MAX_NODES):
            raise YamlProblem(_where(stack), f"its aliases expand to more than {MAX_NODES:,} values; "
                                             f"aliases that multiply (an \"alias bomb\") are refused before "
                                             f"they are expanded")

    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise YamlProblem("", "holds more than one YAML document (---); a file is one document")
            elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                size = 1
                if isinstance(event, yaml.AliasEvent):
                    if event.anchor in open_anchors:
                        raise YamlProblem(_where(stack), f"alias *{event.anchor[:MAX_SHOWN]} refers to a section "
                                                         f"that contains it (a cycle)")
                    size = sizes.get(event.anchor, 1)
                elif event.anchor is not None:
                    sizes[event.anchor] = 1
                frame = stack[-1] if stack else None
                if frame is not None and frame.mapping and frame.want_key:
                    key = event.value if isinstance(event, yaml.ScalarEvent) else f"*{event.anchor}"
                    if key in frame.keys and key != "<<":
                        frame.key, frame.want_key = key, False
                        raise YamlProblem(_where(stack), "duplicate key: it appears twice in the same section "
                                                         "(YAML would silently keep the last); keep one")
                    frame.keys.add(key)
                    frame.key, frame.want_key = key, False
                    frame.size += size
                    continue
                add(size)
            elif isinstance(event, yaml.CollectionStartEvent):
                parent = stack[-1] if stack else None
                if parent is not None and parent.mapping and parent.want_key:
                    parent.key, parent.want_key = "(a key that is a section)", False
                if len(stack) >= MAX_DEPTH:
                    raise YamlProblem(_where(stack), f"nests deeper than {MAX_DEPTH} levels; "
                                                     f"scenario sections nest six deep")
                stack.append(_Frame(isinstance(event, yaml.MappingStartEvent), event.anchor))
                if event.anchor is not None:
                    open_anchors.add(event.anchor)
            elif isinstance(event, yaml.CollectionEndEvent):
                frame = stack.pop()
                if frame.anchor is not None:
                    sizes[frame.anchor] = frame.size
                    open_anchors.discard(frame.anchor)
                add(frame.size)
    except yaml.YAMLError as exc:
        raise YamlProblem(_where(stack), _yaml_message(exc)) from None


def _yaml_message(exc: yaml.YAMLError) -> str:
    """A parser error as 'not valid YAML at line L, column C: problem', without quoting the text."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or type(exc).__name__
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"not valid YAML{where}: {str(problem)[:MAX_SHOWN * 2]}"
