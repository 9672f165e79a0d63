"""What effort costs a rep: a day at effort e costs k (2 / gamma) e^gamma.

k is the rep's `force.traits.effort_cost`, gamma the force's `behaviour.effort_curvature`. With
gamma = 2 the cost is k e^2, the quadratic cost of the agency models the reps' decision follows
(Holmstrom and Milgrom 1987; Misra and Nair 2011 estimate a sales force's effort cost in this
form). The scale 2 / gamma holds the marginal cost at normal effort (e = 1) at 2 k whatever gamma
is, so a force that works at normal effort under a plan still does when gamma changes; what
gamma moves is how far effort answers pay: where pay is linear in effort at v a unit, the chosen
effort is (v / 2k)^(1 / (gamma - 1)), so its elasticity to a commission rate is 1 / (gamma - 1)
(1 at gamma = 2). That elasticity is the size a calibration fits gamma to (docs/calibration.md).

The quadratic case is computed as it always was (k e e, 2 k e), so its numbers stay the same to the bit.
"""

from __future__ import annotations

import math

from numba import njit

E_LOW = 0.1  # below this effort the curvature of a steeper-than-quadratic cost is not relied on (`least_bend`)


@njit(cache=True, error_model="numpy", inline="always")
def cost(k: float, e: float, gamma: float) -> float:
    """k (2 / gamma) e^gamma: the cost of effort e >= 0 (k may be a day's scale or the period's)."""
    if gamma == 2.0:
        return k * e * e
    return k * (2.0 / gamma) * e ** gamma


@njit(cache=True, error_model="numpy", inline="always")
def cost_grad(k: float, e: float, gamma: float) -> tuple[float, float]:
    """(cost, marginal cost) of effort e >= 0; the cost to the bit as `cost` gives it, so a search that
    climbs on the slope and one that compares values see the same U."""
    if gamma == 2.0:
        return k * e * e, 2.0 * k * e
    return k * (2.0 / gamma) * e ** gamma, 2.0 * k * e ** (gamma - 1.0)


@njit(cache=True, error_model="numpy", inline="always")
def linear_optimum(earn: float, k: float, gamma: float) -> float:
    """The effort at which the marginal cost equals earn, what a unit of effort earns where pay is
    linear in effort: earn / 2k at gamma = 2 (0 when earn <= 0)."""
    if gamma == 2.0:
        return earn / max(2.0 * k, 1e-12)
    if earn <= 0.0:
        return 0.0
    return (earn / max(2.0 * k, 1e-12)) ** (1.0 / (gamma - 1.0))


@njit(cache=True, error_model="numpy", inline="always")
def least_bend(k: float, gamma: float, e_max: float) -> float:
    """The smallest curvature of the cost on [E_LOW, e_max] (2 k at gamma = 2): what the searches take
    as the least that U curves down by, to screen a focus mix and size a first Newton step. Above
    gamma 2 the cost bends less below E_LOW, so a neighbouring mix whose best effort lies there could
    be screened out; tests/test_decisions.py holds the search to the exhaustive grid at gamma 3."""
    if gamma == 2.0:
        return 2.0 * k
    low = E_LOW if gamma > 2.0 else e_max  # e^(gamma - 2) is least at the low end when it rises, else at the top
    return 2.0 * k * (gamma - 1.0) * math.pow(low, gamma - 2.0)
