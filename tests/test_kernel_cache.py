"""Compiled kernels are dropped when the package's sources change (`simulator.kernel_cache`): numba's
own cache follows only a kernel's file, not the functions it inlines from other modules."""

from simulator.kernel_cache import STAMP_NAME, clear_stale_kernels


def _cache(package, name):
    path = package / "sub" / "__pycache__" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"compiled")
    return path


def test_caches_go_when_any_source_changes_and_stay_while_none_does(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    package = tmp_path / "simulator"
    (package / "sub").mkdir(parents=True)
    (package / "kernel.py").write_text("x = 1\n")
    (package / "sub" / "inlined.py").write_text("y = 2\n")
    old = [_cache(package, "kernel.f-1.py312.nbi"), _cache(package, "kernel.f-1.py312.1.nbc")]
    assert clear_stale_kernels(package) == 2  # no record of what they were built from: they go
    assert not any(p.exists() for p in old)
    assert (package / "__pycache__" / STAMP_NAME).exists()
    kept = _cache(package, "kernel.f-1.py312.nbi")
    assert clear_stale_kernels(package) == 0 and kept.exists()  # same sources: kept
    (package / "sub" / "inlined.py").write_text("y = 3\n")  # an inlined callee changes, the kernel's file does not
    assert clear_stale_kernels(package) == 1 and not kept.exists()
    (package / "__pycache__" / "other.cpython-312.pyc").write_bytes(b"bytecode")
    assert clear_stale_kernels(package) == 0  # Python's own bytecode is not numba's to clear


def test_a_shared_cache_folder_loses_only_this_packages_kernels(tmp_path, monkeypatch):
    package = tmp_path / "src" / "simulator"
    package.mkdir(parents=True)
    (package / "kernel.py").write_text("x = 1\n")
    shared = tmp_path / "numba-cache"
    ours = shared / "src" / "simulator" / "kernel.f-1.py312.nbi"
    theirs = shared / "other" / "lib.g-1.py312.nbi"
    for path in (ours, theirs):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"compiled")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(shared))
    clear_stale_kernels(package)
    assert not ours.exists() and theirs.exists()
