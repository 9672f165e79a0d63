"""The ethical climate: the norm each rep reads from colleagues, integrity worn down by pressure and
by what it sees, and the check-ins that apply pressure.

A rep's norm drifts toward its manager's tolerance plus `peer_influence` x the chance some
colleague is seen cheating unpunished, less the chance some colleague is seen caught (Gino, Ayal
and Ariely 2009). Integrity erodes at failed check-ins, at each act and among unpunished cheats
(Welsh, Ordonez, Snyder and Christian 2015; Bandura 1999), and recovers slowly. docs/model.md.
"""

from __future__ import annotations

from numba import njit

CHECK_EVERY = {"none": 0, "daily": 1, "weekly": 5}


def is_check_in(check_ins: str, day_in_period: int, days_left: int) -> bool:
    """Whether progress is checked at the end of this day of the period."""
    if check_ins == "none":
        return False
    if check_ins == "period":
        return days_left == 1
    return days_left == 1 or (day_in_period + 1) % CHECK_EVERY[check_ins] == 0


@njit(cache=True, error_model="numpy")
def update_norms(active, indptr, indices, seen_acting, seen_caught, tolerance, influence, memory, norm, exposure):
    """Each rep's norm drifts toward its manager's tolerance + influence x exposure - deterrence:
    exposure is the chance that some colleague is seen cheating and getting away with it,
    deterrence the chance that some colleague is seen caught. One visible cheater among one's own
    group is enough to move behaviour (Gino, Ayal and Ariely 2009); `exposure` is kept."""
    for i in range(len(active)):
        exposure[i] = 0.0
        if not active[i]:
            continue
        none_cheating = 1.0
        none_caught = 1.0
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            if not active[j]:
                continue
            none_cheating *= 1.0 - seen_acting[j] * (1.0 - seen_caught[j])
            none_caught *= 1.0 - seen_caught[j]
        exposure[i] = 1.0 - none_cheating
        target = tolerance[i] + influence * exposure[i] - (1.0 - none_caught)
        target = min(max(target, 0.0), 0.95)
        norm[i] += (target - norm[i]) / memory


@njit(cache=True, error_model="numpy")
def check_in(active, sales, quota, elapsed_share, integrity, erosion, behind):
    """A progress check: who is behind the pro-rated goal; their integrity erodes."""
    count = 0
    for i in range(len(active)):
        behind[i] = False
        if not active[i]:
            continue
        if sales[i] < quota[i] * elapsed_share:
            behind[i] = True
            integrity[i] *= 1.0 - erosion
            count += 1
    return count
