"""Leads per rep and product: one row for the whole force, or one row per rep.

The kernels read a rep's opportunity rate on a product through `lead(leads, i, p)`. Given the
products' 1-D table (every scenario without a launch) it is `leads[p]`, compiled exactly as
before; given an (n reps x products) table it is `leads[i, p]`, which is how a launched product's
leads differ by territory (awareness) and rep (learning curve, `simulator.launch`).
"""

from __future__ import annotations

from numba.extending import overload


def lead(leads, i, p):
    """Opportunities a day of product p for rep i at normal effort, full focus."""
    return leads[i, p] if leads.ndim == 2 else leads[p]


@overload(lead, inline="always", jit_options={"cache": True, "error_model": "numpy"})
def _lead(leads, i, p):
    if leads.ndim == 1:
        return lambda leads, i, p: leads[p]
    return lambda leads, i, p: leads[i, p]
