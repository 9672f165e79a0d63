"""How many replications a comparison needs: a difference between plans is *resolved* when its 95%
interval (paired by seed) is clear of zero; for the rest, the replications at which an interval of
the observed spread would be narrower than the observed difference.

A designer otherwise reads "+$12,000 [-$3,000, +$27,000]" and cannot tell whether to run more
replications or stop: this says "resolved" or "about 14 replications would separate them".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

MAX_REPLICATIONS = 100_000  # past this, a difference is too small against the noise to be worth resolving


def resolved(low: float, high: float) -> bool:
    """Whether a 95% interval is clear of zero."""
    return not (math.isnan(low) or math.isnan(high)) and (low > 0 or high < 0)


def replications_needed(differences: Sequence[float], confidence: float = 0.95) -> int | None:
    """The fewest paired replications whose Student-t interval, at the observed mean and standard
    deviation of the differences, would exclude zero; None when no number would (no difference,
    fewer than two replications, or more than MAX_REPLICATIONS)."""
    x = np.asarray([v for v in differences if not math.isnan(v)], dtype=float)
    if x.size < 2:
        return None
    mean, sd = abs(float(x.mean())), float(x.std(ddof=1))
    if mean == 0:
        return None
    if sd == 0:
        return 2
    ratio = sd / mean
    # half-width t(n-1) sd / sqrt(n) < |mean|: the normal approximation gives a start, t corrects it
    n = max(2, int((stats.norm.ppf(0.5 + confidence / 2) * ratio) ** 2))
    if n > MAX_REPLICATIONS:
        return None
    while stats.t.ppf(0.5 + confidence / 2, n - 1) * ratio / math.sqrt(n) >= 1:
        n += 1
    return n


def separation_words(is_resolved: bool, needed: int | None, have: int) -> str:
    """'resolved', or how many replications would separate the plans on this figure."""
    if is_resolved:
        return "resolved"
    if needed is None:
        return "no difference to resolve" if have >= 2 else "needs 2+ replications"
    return f"about {needed:,} replications would separate them"
