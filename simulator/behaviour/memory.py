"""What a rep carries from a period into the next: running averages, commitment, its customers'
habit of waiting, and the misses a firing rule counts.

Each is an exponential average with weight `behaviour.memory` on the period just ended (adaptive
expectations: the rep's outlook and the job's certainty equivalent read them, `behaviour.turnover`):
pay a day, pay beside the curve (its mean and variance), effort cost a day, sales over a full period
and morale (attainment, capped at 1.5). Commitment to the goal follows the experience of reaching it
(Locke and Latham 2002: commitment falls with goals that are missed). A territory's customers learn
whether waiting for a period-end discount pays: the share who wait moves towards its ceiling times
the share of asked-for discounts that were given (Larkin 2014's period-end deals, which customers
come to expect). Under a firing rule a ramped-up rep's run of misses grows or ends, and the rule
fires at `fire_after` misses in a row.

One compiled pass over the settling reps, element for element the arithmetic of the array
statements it replaced (the same operations in the same order, so the same numbers); at a daily
quota a force settles every day, and a statement per average cost more than the averages.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, error_model="numpy")
def remember_period(idx, m, period_len, days, attainment, sales, quota, variable, beside, commitment_learning,
                    waiting_learning, waiting_ceiling, fire_below, fire_after, ramp_days, t, averages, customers,
                    firing):
    """Move the reps `idx` (their periods' `days`, `attainment`, credited `sales`, `quota`, `variable`
    pay and pay `beside` the curve, aligned with `idx`) into their next period. `averages`: pay_mean,
    beside_var, beside_mean, effort_cost_mean, effort_cost, effort_cost_units, typical_sales, morale,
    commitment, year_sales, year_quota; `customers`: offered, refused, waiting_share; `firing`:
    hire_day, misses, miss_rate, fired (`fire_below` 0: no firing rule)."""
    (pay_mean, beside_var, beside_mean, effort_cost_mean, effort_cost, effort_cost_units, typical_sales, morale,
     commitment, year_sales, year_quota) = averages
    offered, refused, waiting_share = customers
    hire_day, misses, miss_rate, fired = firing
    keep = 1 - m
    for j in range(len(idx)):
        i = idx[j]
        d = days[j]
        scale = period_len / d
        pay_mean[i] = keep * pay_mean[i] + m * (variable[j] / d)
        beside_rate = beside[j] / d
        beside_var[i] = keep * beside_var[i] + m * (beside_rate - beside_mean[i]) ** 2
        beside_mean[i] = keep * beside_mean[i] + m * beside_rate
        effort_cost_mean[i] = keep * effort_cost_mean[i] + m * effort_cost[i] * effort_cost_units[i] / d
        typical_sales[i] = keep * typical_sales[i] + m * sales[j] * scale
        a = attainment[j]
        morale[i] = keep * morale[i] + m * (1.5 if a > 1.5 else a)  # noqa: FURB136 (min() would turn a NaN into 1.5; np.minimum keeps it)
        if commitment_learning:
            commitment[i] = keep * commitment[i] + m * (1.0 if a >= 1.0 else 0.0)
        asked = offered[i] + refused[i]
        if asked > 0:
            paid = offered[i] / max(asked, 1.0)
            waiting_share[i] += waiting_learning * (waiting_ceiling * paid - waiting_share[i])
        if fire_below > 0:  # misses count once a rep has ramped up
            missed = a < fire_below and t - hire_day[i] >= ramp_days
            misses[i] = misses[i] + 1 if missed else 0
            miss_rate[i] = keep * miss_rate[i] + m * (1.0 if missed else 0.0)
            fired[i] = fired[i] or misses[i] >= fire_after
        year_sales[i] += sales[j]
        year_quota[i] += quota[j]
