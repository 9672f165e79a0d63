"""scipy's normal distribution function inside numba kernels, to the bit.

Kernels that must give the same numbers as array code written with `scipy.special.ndtr` call
`ndtr` from here: scipy's own compiled function for doubles, linked by address, not a rewrite of
it (numba has no `ndtr`, and `math.erfc`-based forms differ from scipy's in the last bits).
"""

from __future__ import annotations

import llvmlite.binding
from numba import types
from numba.extending import get_cython_function_address

SURE_LOW, SURE_HIGH = -38.5, 8.5  # scipy's ndtr is exactly 0 at or below the one and 1 at or above the other


def _scipy_ndtr_address() -> int:
    """Where scipy's normal distribution function for doubles (the one its `ndtr` ufunc computes)
    sits: Cython exports the double variant of a fused function under a mangled name."""
    for name in ("__pyx_fuse_1ndtr", "ndtr"):
        try:
            return get_cython_function_address("scipy.special.cython_special", name)
        except ValueError:
            continue
    raise ImportError("scipy.special.cython_special exports no ndtr for doubles")


# called from kernels by name: the symbol is registered with the JIT on import, so cached kernels
# link to it in any process (tests/test_lever_units.py holds it to scipy's ufunc, bit for bit)
llvmlite.binding.add_symbol("salesim_scipy_ndtr", _scipy_ndtr_address())
ndtr = types.ExternalFunction("salesim_scipy_ndtr", types.float64(types.float64))
