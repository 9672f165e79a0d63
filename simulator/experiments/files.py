"""Files that survive: atomic writes, and the package version every result file records."""

from __future__ import annotations

import os
import tempfile
from importlib import metadata
from pathlib import Path


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


def atomic_write(target: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: readers never see half a file.

    The file gets the permissions an ordinary write would give (mkstemp's are owner-only), so
    colleagues and a cluster's workers can read shared results folders.
    """
    target = Path(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
