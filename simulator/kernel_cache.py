"""Compiled kernels stay in step with the source they were built from.

numba keys each kernel's on-disk cache (`cache=True`) on the kernel's own file, but a kernel
compiles in what it inlines from other modules (`inline="always"` functions and overloads): after
an edit of `behaviour/effort_cost.py` or an update of the checkout, `behaviour/effort.py`'s cached
kernels would go on computing with the old code, silently. So on import the package hashes its own
sources and, when they differ from those the caches were built from, deletes the caches: the next
run compiles afresh, as a fresh checkout's first run does.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).parent
STAMP_NAME = "kernel_sources.sha256"  # in the package's __pycache__, beside the caches it vouches for


def sources_digest(package: Path = PACKAGE) -> str:
    """A hash of every Python source of the package, names and contents."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cache_dirs(package: Path) -> list[Path]:
    """Where numba keeps this package's caches: beside the sources, or under NUMBA_CACHE_DIR."""
    dirs = [package]
    elsewhere = os.environ.get("NUMBA_CACHE_DIR")
    if elsewhere and Path(elsewhere).is_dir():
        dirs.append(Path(elsewhere))
    return dirs


def clear_stale_kernels(package: Path = PACKAGE) -> int:
    """Delete the compiled kernels if the sources changed since they were built; how many files went."""
    digest = sources_digest(package)
    stamp = package / "__pycache__" / STAMP_NAME
    try:
        if stamp.read_text() == digest:
            return 0
    except OSError:
        pass
    removed = 0
    for root in _cache_dirs(package):
        for cached in [*root.rglob("*.nbi"), *root.rglob("*.nbc")]:
            if root != package and package.name not in cached.parts:
                continue  # another program's kernels in a shared cache folder
            try:
                cached.unlink()
                removed += 1
            except OSError:
                pass
    try:  # written whole or not at all: two processes importing at once write the same text
        stamp.parent.mkdir(exist_ok=True)
        partial = stamp.with_name(f"{STAMP_NAME}.{os.getpid()}.tmp")
        partial.write_text(digest)
        os.replace(partial, stamp)
    except OSError:
        pass  # a read-only install: numba cannot cache there either
    return removed
