"""Calling a compiled kernel with the same arguments day after day, without numba's dispatch.

Each call of a numba kernel from Python first types every argument (each array inside each
NamedTuple: dtype, dimensions, layout) to find the compiled version that fits. A day of a run makes
about a dozen such calls with a hundred-odd arrays between them, and the typing alone came to
about 30 us a day, a tenth of a 200-rep day and a third of a 2-rep one (`python -m benchmarks
scenarios` prints a day's fixed cost). But the engine hands its kernels the same objects every
day: the same arrays, in the same bundles (`state.reps.RepArrays`, `state.context.DayContext`
keep theirs), and scalars whose type does not change. So `SteadyCall` remembers the last
arguments it dispatched and the compiled entry point numba chose for them, and when a call brings
the very same objects (`is`, for everything but plain scalars, which need only the same type), it
calls that entry point directly. The objects that hand out bundles keep them (`KeepsBundles`).

Why that is safe: an object that is the same object has the same numba type (an array's dtype,
dimensions and layout do not change in place, and this package never assigns `shape` or `dtype`;
a NamedTuple cannot change its members), and a Python `int`, `float` or `bool`, or a NumPy scalar,
is typed by its type alone (an `int` beyond 2**63 aside, which no day count reaches). Anything
else goes through numba as before, and becomes the remembered call. The entry point is the compiled
version typed for these objects: the only one if the kernel has one (numba just ran it for them),
else the one whose signature is the objects' types as numba reads them (looked up once, on the
second call with the same objects: about half a millisecond for the largest bundles).

It pays only for kernels handed bundles: numba types a NamedTuple in Python, member by member
(the decision's call: 9.3 us dispatched, 4.5 us steady; deal timing 12.1 against 4.7; misconduct
16.2 against 6.2), but plain arrays and numbers in C, faster than this class checks them (a kernel
of a few arrays: 0.1-0.5 us dispatched against 0.3-0.9 us steady; 2-rep runs, a throwaway timing
of each call with the arguments of a run's 30th day). Those are called directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

SCALARS = frozenset({int, float, bool, np.float64, np.int64, np.bool_})
EVERY: list[SteadyCall] = []  # every steady call made, in the order the modules made them


class SteadyCall:
    """A kernel that calls its compiled entry point directly while its arguments stay the same objects.
    `dispatched` counts the calls that went through numba's dispatch (new objects): a day's kernel that
    counts one a day has a caller that rebuilds what it hands over (tests/test_steady.py watches it)."""

    __slots__ = ("dispatched", "kernel", "state")

    def __init__(self, kernel: Any):
        self.kernel = kernel
        self.dispatched = 0
        EVERY.append(self)
        # [the last arguments dispatched, their entry point: None until looked for, False if dispatched]; a new
        # pair when the arguments change, and an entry point is written only into the pair it was found for, so
        # a thread never pairs one call's arguments with another's entry point
        self.state: list = [(), None]

    def __call__(self, *args):
        state = self.state
        last, entry = state
        if len(args) == len(last) and _same(args, last):
            if entry is None:  # the second call with these objects: find the version numba ran for them
                entry = state[1] = self._entry_point(args)
            if entry:
                return entry(*args)
            return self.kernel(*args)  # none typed for them: dispatched, and not looked for again
        result = self.kernel(*args)
        self.state = [args, None]
        self.dispatched += 1
        return result

    def _entry_point(self, args: tuple) -> Any:
        """The entry point of the compiled version typed exactly for `args`, or False if there is none (numba
        ran one it converts them to: such calls stay dispatched). With one version compiled, that one is the
        version numba ran; with several, the arguments are typed once, as numba types them."""
        overloads = self.kernel.overloads
        if len(overloads) == 1:
            (compiled,) = overloads.values()
            return compiled.entry_point
        compiled = overloads.get(tuple(self.kernel.typeof_pyval(a) for a in args))
        return False if compiled is None else compiled.entry_point


def _same(args: tuple, last: tuple) -> bool:
    for a, b in zip(args, last):
        if a is not b and (type(a) is not type(b) or type(a) not in SCALARS):
            return False
    return True


class KeepsBundles:
    """Hands out the bundles its kernels take, each built once and kept (the same object, call after call)
    until one of the attributes it is built from is assigned anew: what lets a `SteadyCall` see the same
    arguments day after day. `BUNDLE_SOURCES` names those attributes (None: any attribute); writing into
    an array changes nothing, replacing it drops the kept bundles."""

    BUNDLE_SOURCES: frozenset[str] | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        replaced = self.__dict__.get(name) is not value  # `r.x *= 2` assigns the array it already holds
        object.__setattr__(self, name, value)
        sources = self.BUNDLE_SOURCES
        if replaced and (sources is None or name in sources):
            self.drop_bundles()

    def bundle_store(self) -> dict:
        """Where the bundles are kept."""
        store = self.__dict__.get("_kept")
        if store is None:
            store = self.__dict__["_kept"] = {}
        return store

    def drop_bundles(self) -> None:
        store = self.__dict__.get("_kept")
        if store:
            store.clear()

    def kept(self, key: Any, build: Callable[[], Any]) -> Any:
        """The bundle kept under `key`, built by `build()` if there is none."""
        store = self.bundle_store()
        bundle = store.get(key)
        if bundle is None:
            bundle = store[key] = build()
        return bundle
