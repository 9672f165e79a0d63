"""What later periods look like from this one: the value of a sale that counts next period (nu_next)
and the weight on a higher next quota (ratchet_w), computed once per period per rep.

nu_next = patience over a period x ((1 - foresight) x the headline rate + foresight x the marginal
value of a sale at the start of a typical next period). ratchet_w prices a rise of next quota over
every later period it survives in: under `next = quota + a (sales - quota)` a share rho = 1 - a of it
(a's above and below quota weighted by the chance of ending there) is still in the quota after, so
ratchet_w = ratchet_foresight x sum_k delta^k rho^(k-1) x the marginal value of a lower quota
= ratchet_foresight x delta x that value / (1 - delta rho), the stationary closed form of the
ratchet's cost (Weitzman 1980; Misra and Nair 2011 estimate reps' response to it). ratchet_foresight
is how far a rep believes the ratchet (0: not at all, 1: fully). docs/model.md.
"""

from __future__ import annotations

import math

from numba import njit

from simulator.behaviour.valuation import ncdf, value_normal


@njit(cache=True, error_model="numpy")
def period_outlook(
    who, typical_sales, deal_size, demand_share, quota, goal, foresight, ratchet_foresight, delta,
    first_rate, curve, carry_up, carry_down, nu_next, ratchet_w,
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
        above = ncdf((mu - q) / s)
        rho = carry_up * above + carry_down * (1.0 - above)
        ratchet_w[i] = ratchet_foresight[i] * delta[i] * max(d_quota, 0.0) / (1.0 - delta[i] * rho)
