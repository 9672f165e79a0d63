"""Files that survive: atomic writes, valid JSON, a clear error when the disk is full, and the
package version every result file records."""

from __future__ import annotations

import errno
import json
import math
import os
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

# what a full disk (or a quota, or a file-size limit) looks like to a writer
DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}

UNMEASURED = ("not measurable in this run: nothing to measure it on (for example no completed quota "
              "period, no misconduct, no departure, no subscription)")
UNBOUNDED = "unbounded in this run: a ratio whose denominator was zero"


class DiskFull(OSError):
    """Writing failed for want of space; the message says where and that a rerun resumes."""


@cache  # read from the installed metadata once a process: every run's provenance asks
def package_version() -> str:
    try:
        return metadata.version("salesim")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_read_umask()  # what open() would give; read once, at import, before any thread starts


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error (or what it was raised from) is a full disk, a quota or a file-size limit."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def disk_full(where: Path, action: str = "rerun to resume") -> DiskFull:
    return DiskFull(errno.ENOSPC, f"disk full at {where}; {action}", str(where))


def atomic_write(target: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: readers never see half a file.

    The file gets the permissions an ordinary write would give (mkstemp's are owner-only), so
    colleagues and a cluster's workers can read shared results folders. A full disk raises
    DiskFull naming the folder; the temporary file is removed and the old file, if any, is intact.
    """
    target = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise disk_full(target.parent) from exc
        raise
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if is_disk_full(exc) and not isinstance(exc, DiskFull):
            raise disk_full(target.parent) from exc
        raise


def json_safe(value: Any, path: str = "", found: dict[str, str] | None = None) -> tuple[Any, dict[str, str]]:
    """`value` with every non-finite number replaced by None, and where each was (dotted path) with
    why: JSON has no NaN or Infinity, and a figure that cannot be measured is null, not a number."""
    found = {} if found is None else found
    if isinstance(value, dict):
        return {k: json_safe(v, f"{path}.{k}" if path else str(k), found)[0] for k, v in value.items()}, found
    if isinstance(value, (list, tuple)):
        return [json_safe(v, f"{path}.{i}" if path else str(i), found)[0] for i, v in enumerate(value)], found
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        try:
            value = value.item()
        except (TypeError, ValueError):
            pass
    if isinstance(value, float) and not math.isfinite(value):
        found[path] = UNMEASURED if math.isnan(value) else UNBOUNDED
        return None, found
    return value, found


def dump_json(value: Any, **kwargs) -> str:
    """Valid JSON (RFC 8259): non-finite numbers become null; anything else unknown becomes text."""
    clean, _ = json_safe(value)
    return json.dumps(clean, allow_nan=False, default=str, **kwargs)
