"""A product table for the whole force, or one row per rep.

The kernels read a rep's opportunity rate and win rate on a product through
`per_rep(table, i, p)`. Given the products' 1-D table (every scenario without a launch or
skills) it is `table[p]`, compiled exactly as before; given an (n reps x products) table it is
`table[i, p]`, which is how a launched product's leads differ by territory and rep
(`simulator.levers.launch`) and win rates by rep's skill (`simulator.levers.training`). `of_rep(value, i)` does
the same for one number: the force's, or rep i's entry of an array (cancellation rates that
follow customers' trust in their rep).
"""

from __future__ import annotations

from numba import types
from numba.extending import overload


def per_rep(table, i, p):
    """Product p's entry for rep i."""
    return table[i, p] if table.ndim == 2 else table[p]


def of_rep(value, i):
    """The force's value, or rep i's."""
    return value[i] if hasattr(value, "shape") else value


@overload(of_rep, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _of_rep(value, i):
    if isinstance(value, types.Array):
        return lambda value, i: value[i]
    return lambda value, i: value


@overload(per_rep, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _per_rep(table, i, p):
    if table.ndim == 1:
        return lambda table, i, p: table[p]
    return lambda table, i, p: table[i, p]
