"""What next period looks like from this one: the value of a sale that counts next period, and
the value of a lower next quota.

Work that closes after the period's end is worth nu_next = delta * m_next per credited $, where
delta is the rep's patience over one period and m_next blends the plan's headline commission
rate (what a myopic rep counts) with the full marginal value of a sale at the start of a typical
next period, towards its bonus and goal (what a forward-looking rep counts, weight `foresight`).
Under a quota that moves with this period's sales, a forward-looking rep also prices the expected
rise of next period's quota at nu_Q = -dV/dQ (Weitzman 1980's ratchet; Misra and Nair 2011),
weighted by its `ratchet_foresight`. Computed once per period per rep (MECHANISM.md: keep delta,
beta and beta_ratchet separate).
"""

from __future__ import annotations

import math

from numba import njit

from simulator.behaviour.valuation import value_normal


@njit(cache=True, error_model="numpy")
def period_outlook(
    who, typical_sales, deal_size, demand_share, quota, goal, foresight, ratchet_foresight, delta,
    first_rate, curve, nu_next, ratchet_w,
):
    """Fill nu_next and ratchet_w for the reps flagged in `who`."""
    for i in range(len(who)):
        if not who[i]:
            continue
        mu = typical_sales[i]
        s = math.sqrt(max(mu, 1.0) * deal_size + demand_share * mu * mu) + 1.0
        q = quota[i]
        h = 0.01 * s
        d_sales = (value_normal(mu + h, s, q, curve, goal[i], 0.0)
                   - value_normal(mu - h, s, q, curve, goal[i], 0.0)) / (2.0 * h)
        hq = 0.001 * q
        d_quota = (value_normal(mu, s, q - hq, curve, goal[i], 0.0)
                   - value_normal(mu, s, q + hq, curve, goal[i], 0.0)) / (2.0 * hq)
        beta = foresight[i]
        nu_next[i] = delta[i] * ((1.0 - beta) * first_rate + beta * max(d_sales, 0.0))
        ratchet_w[i] = ratchet_foresight[i] * delta[i] * max(d_quota, 0.0)
