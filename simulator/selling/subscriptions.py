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


class YoungContracts:
    """Recurring revenue each rep sold within the churn-clawback window, by month of sale
    (`plan.churn_clawback`): what of it churns, and so what commission is taken back.

    A subset of the territory's recurring revenue (`RepArrays.mrr`), aged a month at each billing
    and churned at the same rates as the whole; a month's sales join it at the month's end and churn
    that month, so a window of W months covers the churn of W billings. Kept only while churn
    clawback is on, so plans without it compute exactly what they did before."""

    def __init__(self, n: int, n_products: int, months: int):
        self.mrr = np.zeros((n, months, n_products))
        self.mis_sold = np.zeros((n, months, n_products))

    def month(self, new: np.ndarray, new_mis_sold: np.ndarray, keep: np.ndarray, churn: np.ndarray,
              mis_sold_churn: float) -> np.ndarray:
        """Age the cohorts a month (the oldest leaves the window), add the month's sales, take
        cancellations (`keep`, already clawed back as cancellations) and return the churned $ a
        month by rep and product."""
        for book, fresh in ((self.mrr, new), (self.mis_sold, new_mis_sold)):
            book[:, 1:] = book[:, :-1].copy()
            book[:, 0] = fresh
        self.mrr *= keep[:, None, None]
        churned = self.mrr * churn[:, None, :] + self.mis_sold * mis_sold_churn
        self.mrr -= self.mrr * churn[:, None, :]
        self.mis_sold *= 1.0 - mis_sold_churn
        return churned.sum(axis=1)

    def release(self, slots: np.ndarray) -> None:
        """Reps leave: what they sold is out of reach (as cancellation clawbacks lapse)."""
        self.mrr[slots] = 0.0
        self.mis_sold[slots] = 0.0


def bill_month(r: RepArrays, mis_sold: np.ndarray, spec: Subscription,
               young: YoungContracts | None = None) -> tuple[float, float, float, float, np.ndarray | None]:
    """Bill the month and let customers churn; returns recurring revenue billed, churned, churned
    for lost trust or mis-selling, and still active ($ a month), and with `young` the churned
    recurring revenue sold within the clawback window by rep and product."""
    new = (r.month_revenue - mis_sold) / 12.0
    r.mrr += new
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
    young_churned = None
    if young is not None:
        rate = np.broadcast_to(spec.monthly_churn + excess, r.mrr.shape)
        young_churned = young.month(new * r.active[:, None], mis_sold / 12.0 * r.active[:, None], keep, rate,
                                    spec.mis_sold_churn)
    return (billed, churned.sum(), from_trust.sum() + from_mis_selling.sum(), r.mrr.sum() + r.mrr_mis_sold.sum(),
            young_churned)
