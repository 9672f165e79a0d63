"""Kernels that borrow their caller's arrays and so need no reference counting.

numba counts references to every array a compiled function holds: each array, and each array in
a tuple, passed into a function that is not inlined is counted up on entry and down on exit, with
an atomic operation each way. The reps' valuation passes a focus mix's coefficients as one tuple
carrying about a dozen work arrays, and the search calls it thousands of times a rep-day, so in
scenarios that value pay with the exact count distribution (daily goals, Sears, ratchets) the
counting took about a fifth of the decision's time (perf, December 2026).

A kernel compiled with `borrowing` runs without it. That is safe only for a kernel that

- allocates nothing (no `np.empty`, no array arithmetic, no copy of a slice: what it allocated
  would never be freed),
- returns no array and no view of one (its caller would count down a reference it was never given,
  and free the array under its owner), and
- calls nothing that returns an array or a view unless that callee is inlined into it
  (`inline="always"`: it is then compiled as part of the kernel, without counting too).

Reading and writing the caller's arrays, slicing them into views that stay inside, and calling
other kernels that return numbers are all fine: the caller holds the references throughout.
tests/test_borrowing.py runs every shipped scenario's decisions with numba's allocation counters on
and requires every allocation to be freed, so a kernel that breaks the rules fails there.
"""

from __future__ import annotations

from numba import njit


def borrowing(function=None, **options):
    """`njit(cache=True, error_model="numpy")` without reference counting (the rules above)."""
    compile_ = njit(cache=True, error_model="numpy", _nrt=False, **options)
    return compile_ if function is None else compile_(function)
