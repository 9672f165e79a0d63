"""Subscriptions (`market.business_model: subscription`): recurring revenue, billed monthly.

At each month's end the month's new business joins the recurring revenue (a twelfth of its net
value a month), the month is billed, and customers churn: at the base rate, faster where trust
has fallen, fastest if sold what they did not need. Churn is taken in expectation, so no random
numbers are drawn.
"""

from __future__ import annotations

import numpy as np

from simulator.scenario import Subscription
from simulator.state.reps import RepArrays


def bill_month(r: RepArrays, mis_sold: np.ndarray, spec: Subscription) -> tuple[float, float, float, float]:
    """Bill the month and let customers churn; returns recurring revenue billed, churned, churned
    for lost trust or mis-selling, and still active ($ a month)."""
    r.mrr += (r.month_revenue - mis_sold) / 12.0
    r.mrr_mis_sold += mis_sold / 12.0
    # cancelled subscriptions stop, taken from the territory's pool in proportion
    pool = r.mrr.sum(axis=1)
    keep = 1.0 - np.minimum(r.month_cancelled / 12.0 / np.maximum(pool, 1e-9), 1.0)
    r.mrr *= keep[:, None]
    r.month_revenue[:] = 0.0
    r.month_cancelled[:] = 0.0
    billed = r.mrr.sum() + r.mrr_mis_sold.sum()
    excess = spec.churn_per_lost_trust * (1.0 - r.trust)[:, None]
    normal = r.mrr * spec.monthly_churn
    from_trust = r.mrr * excess
    from_mis_selling = r.mrr_mis_sold * max(spec.mis_sold_churn - spec.monthly_churn, 0.0)
    churned = normal + from_trust + r.mrr_mis_sold * spec.mis_sold_churn
    r.mrr -= normal + from_trust
    r.mrr_mis_sold *= 1.0 - spec.mis_sold_churn
    return (billed, churned.sum(), from_trust.sum() + from_mis_selling.sum(), r.mrr.sum() + r.mrr_mis_sold.sum())
