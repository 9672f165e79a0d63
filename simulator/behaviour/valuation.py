"""What a period's pay is worth to a rep, in closed form: compiled kernels over pay curves.

Under a normal belief about the period's credited sales the plan's value is a sum over the pay
curve's segments of normal partial moments: E[pay] for a risk-neutral rep, E[pay] - r/2 Var[pay]
for a risk-averse one (Holmstrom and Milgrom 1987); where few deals are expected the exact
compound distribution replaces the normal (`value_atoms`, `count_pmf`, `build_atoms`). A curve is
`simulator.pay.payout.PayCurve.kernel()`; `goal` adds the rep's value of reaching its goal to every
segment from the goal's index up (Locke and Latham 2002).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simulator.behaviour.borrowing import borrowing

SQRT2 = math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
NEG_INF = -np.inf


@njit(cache=True, inline="always", error_model="numpy")
def ncdf(z: float) -> float:
    return 0.5 * math.erfc(-z / SQRT2)


@njit(cache=True, inline="always", error_model="numpy")
def prize_gain(amount: float, mu: float, s: float, x: float, line: float) -> float:
    """What x more credit in a prize's window adds to the chance of reaching its line, times the
    prize: a second threshold prize (a stacked bonus, a contest, a team bonus) over a window whose
    credited sales are believed Normal(mu, s^2)."""
    return amount * (ncdf((mu + x - line) / s) - ncdf((mu - line) / s))


@njit(cache=True, inline="always", error_model="numpy")
def cdf_pdf(z: float):
    """(Phi(z), phi(z)) from one exponential: Abramowitz and Stegun 26.2.17, |error| < 7.5e-8.

    The valuation needs both at every breakpoint; this halves its transcendental work. Beyond
    |z| = 9 both are settled in double precision (returning exact 0 there also keeps subnormal
    numbers, which are slow, out of the arithmetic).
    """
    if z > 9.0:
        return 1.0, 0.0
    if z < -9.0:
        return 0.0, 0.0
    d = INV_SQRT_2PI * math.exp(-0.5 * z * z)
    t = 1.0 / (1.0 + 0.2316419 * abs(z))
    tail = d * t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))))
    return (1.0 - tail if z >= 0.0 else tail), d


@njit(cache=True, inline="always", error_model="numpy")
def npdf(z: float) -> float:
    if abs(z) > 38.0:
        return 0.0
    return INV_SQRT_2PI * math.exp(-0.5 * z * z)


@njit(cache=True, inline="always", error_model="numpy")
def segment_of(c, q, curve):
    n, lo = curve[0], curve[1]
    j = n - 1
    while j > 0 and c < lo[j] * q:
        j -= 1
    return j


@borrowing
def curve_at(c, q, curve, goal):
    """Pay plus goal value at credited sales c (segment 0 extends below zero)."""
    n, lo, slope, qc, lump, gi = curve
    j = segment_of(c, q, curve)
    v = qc[j] * q + lump[j] + slope[j] * c
    if j >= gi:
        v += goal
    return v


@njit(cache=True, error_model="numpy")
def _mass(zl, zu):
    """P(zl <= Z < zu), accurate in both tails."""
    if zl > 0.0:
        return ncdf(-zl) - ncdf(-zu)
    return ncdf(zu) - ncdf(zl)


@njit(cache=True, error_model="numpy", inline="always")
def value_normal(mu, s, q, curve, goal, r):
    """Certainty equivalent E[v] - r/2 Var[v] of the curve's value v(S) when S ~ N(mu, s^2).

    With r = 0 it is the expected value. On each linear segment, E[v] and E[v^2] are sums of
    normal partial moments, so only Phi and phi at the breakpoints are needed. The mean-variance
    form is the second-order approximation of CARA utility (Pratt 1964) and exact when pay is
    linear in normally distributed sales (Holmstrom and Milgrom 1987).
    """
    n, lo, slope, qc, lump, gi = curve
    if s <= 1e-9 * (1.0 + abs(mu)):
        return curve_at(mu, q, curve, goal)
    mean = 0.0
    second = 0.0
    p_low = 0.0
    d_low = 0.0
    zd_low = 0.0
    for j in range(n):
        if j < n - 1:
            z = (lo[j + 1] * q - mu) / s
            p_up, d_up = cdf_pdf(z)
            zd_up = z * d_up
        else:
            p_up = 1.0
            d_up = 0.0
            zd_up = 0.0
        p = p_up - p_low
        if p > 0.0:
            a = qc[j] * q + lump[j]
            if j >= gi:
                a += goal
            a += slope[j] * mu  # v = a + b s Z on this segment
            bs = slope[j] * s
            ez = d_low - d_up
            ez2 = p + zd_low - zd_up
            mean += a * p + bs * ez
            second += a * a * p + 2.0 * a * bs * ez + bs * bs * ez2
        p_low = p_up
        d_low = d_up
        zd_low = zd_up
    if r <= 0.0:
        return mean
    return mean - 0.5 * r * max(second - mean * mean, 0.0)


@njit(cache=True, error_model="numpy", inline="always")
def value_normal_grad(mu, s, dmu, ds, q, curve, goal, r):
    """`value_normal` and its derivative when mu and s move at rates dmu and ds.

    The same sum over segments, differentiated term by term: at a breakpoint z = (L - mu) / s
    moves at dz = -(dmu + z ds) / s, so Phi(z) moves at phi dz, phi(z) at -z phi dz and z phi(z)
    at (1 - z^2) phi dz. The value is computed exactly as `value_normal` computes it.
    """
    n, lo, slope, qc, lump, gi = curve
    if s <= 1e-9 * (1.0 + abs(mu)):
        return curve_at(mu, q, curve, goal), slope[segment_of(mu, q, curve)] * dmu
    mean = 0.0
    second = 0.0
    d_mean = 0.0
    d_second = 0.0
    p_low = 0.0
    d_low = 0.0
    zd_low = 0.0
    dp_low = 0.0
    dd_low = 0.0
    dzd_low = 0.0
    for j in range(n):
        if j < n - 1:
            z = (lo[j + 1] * q - mu) / s
            p_up, d_up = cdf_pdf(z)
            zd_up = z * d_up
            dz = -(dmu + z * ds) / s
            dp_up = d_up * dz
            dd_up = -zd_up * dz
            dzd_up = (d_up - z * zd_up) * dz
        else:
            p_up = 1.0
            d_up = 0.0
            zd_up = 0.0
            dp_up = 0.0
            dd_up = 0.0
            dzd_up = 0.0
        p = p_up - p_low
        if p > 0.0:
            a = qc[j] * q + lump[j]
            if j >= gi:
                a += goal
            a += slope[j] * mu  # v = a + b s Z on this segment
            bs = slope[j] * s
            ez = d_low - d_up
            ez2 = p + zd_low - zd_up
            mean += a * p + bs * ez
            second += a * a * p + 2.0 * a * bs * ez + bs * bs * ez2
            da = slope[j] * dmu
            dbs = slope[j] * ds
            dp = dp_up - dp_low
            dez = dd_low - dd_up
            dez2 = dp + dzd_low - dzd_up
            d_mean += da * p + a * dp + dbs * ez + bs * dez
            d_second += (2.0 * a * da * p + a * a * dp + 2.0 * (da * bs + a * dbs) * ez + 2.0 * a * bs * dez
                         + 2.0 * bs * dbs * ez2 + bs * bs * dez2)
        p_low = p_up
        d_low = d_up
        zd_low = zd_up
        dp_low = dp_up
        dd_low = dd_up
        dzd_low = dzd_up
    if r <= 0.0:
        return mean, d_mean
    var = second - mean * mean
    if var > 0.0:
        return mean - 0.5 * r * var, d_mean - 0.5 * r * (d_second - 2.0 * mean * d_mean)
    return mean - 0.5 * r * max(var, 0.0), d_mean


@njit(cache=True, error_model="numpy", inline="always")
def ratchet_cost(mu, s, q, weight, up, down):
    """weight x expected rise of next period's quota under `next = q + a (S - q)`.

    E[(S - q)+] = (mu - q) Phi(z) + s phi(z); E[(q - S)+] = (q - mu) Phi(-z) + s phi(z).
    The weight is the value a forward-looking rep puts on a lower next quota (Weitzman 1980's
    ratchet; Misra and Nair 2011 estimate reps' response to it).
    """
    if weight == 0.0:
        return 0.0
    if s <= 1e-9 * (1.0 + abs(mu)):
        d = mu - q
        return weight * (up * d if d > 0 else down * d)
    z = (mu - q) / s
    above = (mu - q) * ncdf(z) + s * npdf(z)
    below = (q - mu) * ncdf(-z) + s * npdf(z)
    return weight * (up * above - down * below)


@njit(cache=True, error_model="numpy", inline="always")
def ratchet_cost_grad(mu, s, dmu, ds, q, weight, up, down):
    """`ratchet_cost` and its derivative when mu and s move at rates dmu and ds
    (dE[(S - q)+]/dmu = Phi(z), dE[(q - S)+]/dmu = -Phi(-z), both move with s at phi(z))."""
    if weight == 0.0:
        return 0.0, 0.0
    if s <= 1e-9 * (1.0 + abs(mu)):
        d = mu - q
        if d > 0:
            return weight * (up * d), weight * up * dmu
        return weight * (down * d), weight * down * dmu
    z = (mu - q) / s
    c_up = ncdf(z)
    c_down = ncdf(-z)
    d = npdf(z)
    above = (mu - q) * c_up + s * d
    below = (q - mu) * c_down + s * d
    return (weight * (up * above - down * below),
            weight * (up * (c_up * dmu + d * ds) - down * (d * ds - c_down * dmu)))


# ------------------------------------------------------------------------------- option values


@njit(cache=True, error_model="numpy")
def _integrate_linear(a, b, left, right, mu, s):
    """E[(a + b S) 1{left <= S < right}] for S ~ N(mu, s^2)."""
    if left == -np.inf:
        cl, dl = 0.0, 0.0
    else:
        cl, dl = cdf_pdf((left - mu) / s)
    if right == np.inf:
        cu, du = 1.0, 0.0
    else:
        cu, du = cdf_pdf((right - mu) / s)
    p = cu - cl
    return a * p + b * (mu * p + s * (dl - du))


@njit(cache=True, error_model="numpy", inline="always")
def _breakpoints(x, q, curve, points):
    """The breakpoints of value(S) and value(S + x) in order, into points; returns how many."""
    n, lo = curve[0], curve[1]
    k = 0
    for j in range(1, n):  # insertion sort
        for point in (lo[j] * q, lo[j] * q - x):
            at = k
            while at > 0 and points[at - 1] > point:
                points[at] = points[at - 1]
                at -= 1
            points[at] = point
            k += 1
    return k


@njit(cache=True, error_model="numpy", inline="always")
def _piece(i, m, points, mu, x, q, curve):
    """The i-th of the m + 1 pieces the breakpoints cut the line into (left, right), a point inside
    it, and the curve's segments value(S) and value(S + x) are on there (j1, j2)."""
    left = -np.inf if i == 0 else points[i - 1]
    right = np.inf if i == m else points[i]
    if i == 0:
        probe = right - 1.0 if m > 0 else mu
    elif i == m:
        probe = left + 1.0
    else:
        probe = 0.5 * (left + right)
    return left, right, probe, segment_of(probe, q, curve), segment_of(probe + x, q, curve)


@borrowing
def gain_and_option(mu, s, x, alternative, q, curve, goal, points, with_option=True):
    """For a deal worth x: (E[gain if booked this period], E[max(gain, alternative)]); the second
    is 0 when `with_option` is False (a caller that needs the gain alone: its sum is the same to the bit).

    gain(S) = value(S + x) - value(S) is piecewise linear in the period's other sales S, so both
    expectations are closed form under S ~ N(mu, s^2). The second is the value of keeping the
    choice until the period's end, when S is known (the option a held deal is priced as).
    `points` is work space for at least 2 n + 2 numbers.
    """
    _, _, slope, qc, lump, gi = curve
    if s <= 1e-9 * (1.0 + abs(mu)):
        g = curve_at(mu + x, q, curve, goal) - curve_at(mu, q, curve, goal)
        return g, max(g, alternative) if with_option else 0.0
    m = _breakpoints(x, q, curve, points)
    gain_total = 0.0
    option_total = 0.0
    for i in range(m + 1):
        left, right, probe, j1, j2 = _piece(i, m, points, mu, x, q, curve)
        if right <= left:
            continue
        alpha = qc[j2] * q + lump[j2] + slope[j2] * x - qc[j1] * q - lump[j1]
        if j2 >= gi:
            alpha += goal
        if j1 >= gi:
            alpha -= goal
        beta = slope[j2] - slope[j1]
        gain_total += _integrate_linear(alpha, beta, left, right, mu, s)
        if not with_option:
            continue
        if beta == 0.0:
            option_total += _integrate_linear(max(alpha, alternative), 0.0, left, right, mu, s)
        else:
            cross = (alternative - alpha) / beta
            if cross <= left or cross >= right:
                mid_gain = alpha + beta * probe
                if mid_gain >= alternative:
                    option_total += _integrate_linear(alpha, beta, left, right, mu, s)
                else:
                    option_total += _integrate_linear(alternative, 0.0, left, right, mu, s)
            else:
                # gain rises through the alternative if beta > 0, falls through it if beta < 0
                if beta > 0:
                    option_total += _integrate_linear(alternative, 0.0, left, cross, mu, s)
                    option_total += _integrate_linear(alpha, beta, cross, right, mu, s)
                else:
                    option_total += _integrate_linear(alpha, beta, left, cross, mu, s)
                    option_total += _integrate_linear(alternative, 0.0, cross, right, mu, s)
    return gain_total, option_total


@njit(cache=True, error_model="numpy", inline="always")
def _line_moments(c0, c1, zl, zu):
    """(E[f 1{zl <= Z < zu}], E[f^2 1{zl <= Z < zu}]) for f = c0 + c1 Z, Z standard normal."""
    if zl == -np.inf:
        pl, dl, zdl = 0.0, 0.0, 0.0
    else:
        pl, dl = cdf_pdf(zl)
        zdl = zl * dl
    if zu == np.inf:
        pu, du, zdu = 1.0, 0.0, 0.0
    else:
        pu, du = cdf_pdf(zu)
        zdu = zu * du
    p = pu - pl
    ez = dl - du
    ez2 = p + zdl - zdu
    return c0 * p + c1 * ez, c0 * c0 * p + 2.0 * c0 * c1 * ez + c1 * c1 * ez2


@borrowing
def gain_and_option_ce(mu, s, x, alternative, q, curve, goal, points, r, with_option=True):
    """`gain_and_option` for a rep with risk aversion r, in certainty equivalents (E - r/2 Var, as
    `value_normal` and the effort choice value pay): (CE of the period's value with the deal booked
    now, CE with the choice kept until the period's end, when S is known: max(value(S + x), value(S)
    + alternative)), each less the CE without the deal. Under linear pay a deal's credit shifts
    value by a sure amount and leaves its variance alone, so risk changes no timing there; near a
    threshold, booking now is worth more to a risk-averse rep where it makes reaching the threshold
    surer (Holmstrom and Milgrom 1987 on mean-variance; Pratt 1964). The second is 0 when
    `with_option` is False."""
    _, _, slope, qc, lump, gi = curve
    if r <= 0.0 or s <= 1e-9 * (1.0 + abs(mu)):
        return gain_and_option(mu, s, x, alternative, q, curve, goal, points, with_option)
    m = _breakpoints(x, q, curve, points)
    base1 = base2 = now1 = now2 = hold1 = hold2 = 0.0  # first and second moments of each value
    for i in range(m + 1):
        left, right, probe, j1, j2 = _piece(i, m, points, mu, x, q, curve)
        if right <= left:
            continue
        a1 = qc[j1] * q + lump[j1] + (goal if j1 >= gi else 0.0)  # value(S) = a1 + b1 S here
        a2 = qc[j2] * q + lump[j2] + slope[j2] * x + (goal if j2 >= gi else 0.0)  # value(S + x) = a2 + b2 S
        b1, b2 = slope[j1], slope[j2]
        zl = -np.inf if i == 0 else (left - mu) / s
        zu = np.inf if i == m else (right - mu) / s
        e1, e2 = _line_moments(a1 + b1 * mu, b1 * s, zl, zu)
        base1 += e1
        base2 += e2
        e1, e2 = _line_moments(a2 + b2 * mu, b2 * s, zl, zu)
        now1 += e1
        now2 += e2
        if not with_option:
            continue
        # kept: the better of booking (a2 + b2 S) and the alternative (a1 + alternative + b1 S)
        da, db = a2 - a1 - alternative, b2 - b1
        cross = -da / db if db != 0.0 else np.inf
        if db == 0.0 or cross <= left or cross >= right:
            book = da + db * probe >= 0.0
            c0 = (a2 + b2 * mu) if book else (a1 + alternative + b1 * mu)
            e1, e2 = _line_moments(c0, (b2 if book else b1) * s, zl, zu)
            hold1 += e1
            hold2 += e2
        else:
            zc = (cross - mu) / s
            low_book = db < 0.0  # booking is the better below the crossing when its slope is the lower
            e1, e2 = _line_moments((a2 + b2 * mu) if low_book else (a1 + alternative + b1 * mu),
                                   (b2 if low_book else b1) * s, zl, zc)
            hold1 += e1
            hold2 += e2
            e1, e2 = _line_moments((a1 + alternative + b1 * mu) if low_book else (a2 + b2 * mu),
                                   (b1 if low_book else b2) * s, zc, zu)
            hold1 += e1
            hold2 += e2
    half = 0.5 * r
    base = base1 - half * max(base2 - base1 * base1, 0.0)
    now = now1 - half * max(now2 - now1 * now1, 0.0)
    hold = hold1 - half * max(hold2 - hold1 * hold1, 0.0)
    return now - base, (hold - base) if with_option else 0.0


# ---------------------------------------------------------------------- exact small-count values

MAX_COUNT = 96
MAX_ATOMS = 8192
TAIL = 1e-7


@njit(cache=True, error_model="numpy")
def binomial_pmf(n, w, out):
    """P(k wins of n), k = 0.., with the upper tail below TAIL cut off; returns the length used."""
    n = min(n, MAX_COUNT - 1)
    if w >= 1.0:
        out[: n + 1] = 0.0
        out[n] = 1.0
        return n + 1
    p = (1.0 - w) ** n
    out[0] = p
    length = 1
    for k in range(1, n + 1):
        p = p * (n - k + 1) / k * w / (1.0 - w)
        out[k] = p
        length = k + 1
        if p < TAIL and k > n * w:
            break
    return length


@njit(cache=True, error_model="numpy", inline="always")
def compound_row(base, p, base_len, lam, out):
    """out[p, :length] = the distribution of (a count with pmf base[p, :base_len]) + Poisson(lam)
    new wins, the Poisson's upper tail below TAIL cut off; returns the length used.

    One pass: each Poisson term is spread over the base as it is computed (no work array), and
    `out` is zeroed only where it is written.
    """
    term = math.exp(-lam)
    last = base_len - 1
    for m in range(min(last, MAX_COUNT)):
        out[p, m] = 0.0
    b = 0
    while True:
        top = last + b
        if top < MAX_COUNT:
            out[p, top] = 0.0
        for a in range(min(base_len, MAX_COUNT - b)):
            out[p, a + b] += base[p, a] * term
        b += 1
        if b >= MAX_COUNT or (b > lam and term < TAIL):
            break
        term = term * lam / b
    return min(base_len + b - 1, MAX_COUNT)


STABLE_WIN = 0.6  # the recurrence of `compound_binomial_row` is stable for win rates up to about this


@njit(cache=True, error_model="numpy", inline="always")
def compound_binomial_row(n, w, lam, p, out, q_n=-1.0, log_q_n=1.0):
    """out[p, :length] = the distribution of Binomial(n, w) + Poisson(lam), up to the first count
    past the mean with probability below TAIL; returns the length used (0: not computed, use
    `compound_row`).

    O(length) by the recurrence of the coefficients of the probability generating function
    G(z) = (1 - w + w z)^n exp(lam (z - 1)), which satisfies (1 - w + w z) G' = (n w + lam (1 - w + w z)) G:
        (1 - w) (m + 1) g[m+1] = (n w + lam (1 - w) - w m) g[m] + lam w g[m-1].
    Past the mode the first term turns negative; the spurious solution then grows like
    (w / (1 - w))^m, harmless while w <= STABLE_WIN. `q_n` = (1 - w)^n and `log_q_n` = its log
    may be given (they do not change with effort).
    """
    q = 1.0 - w
    if q_n < 0.0:
        q_n = q**n
        log_q_n = n * math.log(q) if q > 0.0 else -np.inf
    if w > STABLE_WIN or log_q_n - lam < -600.0:
        return 0
    g = q_n * math.exp(-lam)
    out[p, 0] = g
    g_prev = 0.0
    lead = n * w + lam * q
    lw = lam * w
    mean = n * w + lam
    m = 0
    while m + 1 < MAX_COUNT:
        g_next = ((lead - w * m) * g + lw * g_prev) / (q * (m + 1))
        m += 1
        if g_next < 0.0:
            g_next = 0.0
        out[p, m] = g_next
        g_prev = g
        g = g_next
        if m > mean and g < TAIL:
            break
    return m + 1


@njit(cache=True, error_model="numpy")
def count_pmf(base, base_len, lam, poisson, out):
    """Distribution of (pipeline wins with pmf `base`) + Poisson(lam) new wins, the Poisson's upper
    tail below TAIL cut off; returns the length used. (`poisson`: unused, kept for callers.)"""
    return compound_row(base.reshape((1, base.shape[0])), 0, base_len, lam, out.reshape((1, out.shape[0])))


@borrowing
def build_atoms(pmfs, lengths, values, atom_v, atom_p):
    """Joint distribution of sum_p values[p] * N_p for independent counts; -1 if too many atoms."""
    n_atoms = 1
    atom_v[0] = 0.0
    atom_p[0] = 1.0
    for p in range(len(lengths)):
        if lengths[p] <= 1 and pmfs[p, 0] >= 1.0 - TAIL:
            continue
        new_n = 0
        start = n_atoms
        for a in range(n_atoms):
            for c in range(lengths[p]):
                prob = atom_p[a] * pmfs[p, c]
                if prob < TAIL:
                    continue
                if start + new_n >= MAX_ATOMS:
                    return -1
                atom_v[start + new_n] = atom_v[a] + c * values[p]
                atom_p[start + new_n] = prob
                new_n += 1
        for a in range(new_n):  # forward, element by element: a slice copy of overlapping ranges would allocate
            atom_v[a] = atom_v[start + a]
            atom_p[a] = atom_p[start + a]
        n_atoms = new_n
    return n_atoms


@borrowing
def value_atoms(base, atom_v, atom_p, n_atoms, q, curve, goal, r):
    """Certainty equivalent E[v] - r/2 Var[v] when S = base + an atom, with its probability."""
    mean = 0.0
    second = 0.0
    mass = 0.0
    for a in range(n_atoms):
        v = curve_at(base + atom_v[a], q, curve, goal)
        mean += atom_p[a] * v
        second += atom_p[a] * v * v
        mass += atom_p[a]
    if mass <= 0.0:
        return curve_at(base, q, curve, goal)
    mean /= mass
    if r <= 0.0:
        return mean
    return mean - 0.5 * r * max(second / mass - mean * mean, 0.0)


@borrowing
def value_counts(booked, pmfs, lengths, values, q, curve, goal, r, atom_v, atom_p, prefix):
    """Certainty equivalent when S = booked + sum_p values[p] * N_p with independent counts N_p.

    Exact, and cheap: the longest count distribution becomes prefix sums of its probability and
    first two moments; for each combination of the other products' counts (their joint atoms),
    each linear segment of the pay curve then takes O(1). Returns nan if the atoms do not fit.
    """
    n_seg, lo, slope, qc, lump, gi = curve
    k = len(values)
    inner = 0
    for p in range(k):
        if lengths[p] > lengths[inner]:
            inner = p
    v1 = values[inner]
    # the other products' joint distribution
    saved = lengths[inner]
    saved0 = pmfs[inner, 0]
    lengths[inner] = 1
    pmfs[inner, 0] = 1.0
    n_atoms = build_atoms(pmfs, lengths, values, atom_v, atom_p)
    lengths[inner] = saved
    pmfs[inner, 0] = saved0
    if n_atoms < 0:
        return np.nan
    # prefix sums of the inner count's probability, mean and second moment
    length = lengths[inner]
    prefix[0, 0] = 0.0
    prefix[1, 0] = 0.0
    prefix[2, 0] = 0.0
    for c in range(length):
        w = pmfs[inner, c]
        prefix[0, c + 1] = prefix[0, c] + w
        prefix[1, c + 1] = prefix[1, c] + c * w
        prefix[2, c + 1] = prefix[2, c] + c * c * w
    mean = 0.0
    second = 0.0
    mass = 0.0
    for a in range(n_atoms):
        base = booked + atom_v[a]
        weight = atom_p[a]
        low_count = 0
        for j in range(n_seg):
            if j == n_seg - 1 or v1 <= 0.0:
                high_count = length
            else:
                high_count = min(max(int(math.ceil((lo[j + 1] * q - base) / v1)), 0), length)
            if high_count > low_count:
                prob = prefix[0, high_count] - prefix[0, low_count]
                m1 = prefix[1, high_count] - prefix[1, low_count]
                m2 = prefix[2, high_count] - prefix[2, low_count]
                b = slope[j]
                a0 = qc[j] * q + lump[j] + b * base
                if j >= gi:
                    a0 += goal
                bv = b * v1
                mean += weight * (a0 * prob + bv * m1)
                second += weight * (a0 * a0 * prob + 2.0 * a0 * bv * m1 + bv * bv * m2)
                mass += weight * prob
                low_count = high_count
    if mass <= 0.0:
        return curve_at(booked, q, curve, goal)
    mean /= mass
    if r <= 0.0:
        return mean
    return mean - 0.5 * r * max(second / mass - mean * mean, 0.0)


@njit(cache=True, error_model="numpy", inline="always")
def _pair_tables(booked, pmfs, lengths, values, q, curve, goal, prefix, seg, from_booked):
    """The shared set-up of `value_pair` and `value_pair_grad`: which product is summed over
    (the inner one, the longer distribution) and which gives the atoms, the inner count's
    cumulative moments (`prefix`), and per segment the inner count at which it ends (before the
    other product's atoms), the intercept and the slope of the value (`seg`); with `from_booked`
    the intercepts already include the slope times `booked`."""
    n_seg, lo, slope, qc, lump, gi = curve
    inner = 1 if lengths[1] > lengths[0] else 0
    other = 1 - inner
    v1 = values[inner]
    vo = values[other]
    length = lengths[inner]
    p0 = 0.0
    p1 = 0.0
    p2 = 0.0
    prefix[0, 0] = 0.0
    prefix[1, 0] = 0.0
    prefix[2, 0] = 0.0
    for c in range(length):
        w = pmfs[inner, c]
        p0 += w
        p1 += c * w
        p2 += c * c * w
        prefix[0, c + 1] = p0
        prefix[1, c + 1] = p1
        prefix[2, c + 1] = p2
    for j in range(n_seg):
        a0 = qc[j] * q + lump[j]
        if j >= gi:
            a0 += goal
        seg[0, j] = a0 + slope[j] * booked if from_booked else a0
        seg[1, j] = slope[j]
        seg[2, j] = lo[j + 1] * q - booked if j < n_seg - 1 else 0.0
    return inner, other, v1, vo, length


@njit(cache=True, error_model="numpy", inline="always")
def value_pair(booked, pmfs, lengths, values, q, curve, goal, r, prefix, seg):
    """`value_counts` for two products, without the atom table: the other product's counts are
    the atoms (the same atoms, with the same cut-off, as `build_atoms` makes). `seg` is work
    space of 3 x MAX_SEGMENTS numbers."""
    n_seg = curve[0]
    inner, other, v1, vo, length = _pair_tables(booked, pmfs, lengths, values, q, curve, goal, prefix, seg, False)
    trivial = lengths[other] <= 1 and pmfs[other, 0] >= 1.0 - TAIL
    n_atoms = 1 if trivial else lengths[other]
    mean = 0.0
    second = 0.0
    mass = 0.0
    for a in range(n_atoms):
        if trivial:
            weight = 1.0
            base = booked
        else:
            weight = pmfs[other, a]
            if weight < TAIL:
                continue
            base = booked + a * vo
        shift = base - booked
        low_count = 0
        for j in range(n_seg):
            if j == n_seg - 1 or v1 <= 0.0:
                high_count = length
            else:
                high_count = min(max(int(math.ceil((seg[2, j] - shift) / v1)), 0), length)
            if high_count > low_count:
                prob = prefix[0, high_count] - prefix[0, low_count]
                m1 = prefix[1, high_count] - prefix[1, low_count]
                m2 = prefix[2, high_count] - prefix[2, low_count]
                b = seg[1, j]
                a0 = seg[0, j] + b * base
                bv = b * v1
                mean += weight * (a0 * prob + bv * m1)
                second += weight * (a0 * a0 * prob + 2.0 * a0 * bv * m1 + bv * bv * m2)
                mass += weight * prob
                low_count = high_count
    if mass <= 0.0:
        return curve_at(booked, q, curve, goal)
    mean /= mass
    if r <= 0.0:
        return mean
    return mean - 0.5 * r * max(second / mass - mean * mean, 0.0)


@njit(cache=True, error_model="numpy", inline="always")
def _segment_sums(base, n_seg, seg, v1, length, prefix):
    """E[v] and E[v^2] over the inner count's distribution (unnormalised) at S = base + N v1."""
    first = 0.0
    second = 0.0
    shift_count = 0
    low_count = 0
    for j in range(n_seg):
        if j == n_seg - 1 or v1 <= 0.0:
            high_count = length
        else:
            high_count = min(max(int(math.ceil((seg[2, j] - base) / v1)), 0), length)
        if high_count > low_count:
            prob = prefix[0, high_count] - prefix[0, low_count]
            m1 = prefix[1, high_count] - prefix[1, low_count]
            m2 = prefix[2, high_count] - prefix[2, low_count]
            b = seg[1, j]
            a0 = seg[0, j] + b * base
            bv = b * v1
            first += a0 * prob + bv * m1
            second += a0 * a0 * prob + 2.0 * a0 * bv * m1 + bv * bv * m2
            low_count = high_count
    return first, second


@borrowing
def value_pair_grad(booked, pmfs, lengths, values, q, curve, goal, r, prefix, seg, rates):
    """`value_pair` and its derivative when each product's Poisson mean moves at rates[p].

    A Poisson count's distribution moves with its mean as d g(m) = g(m - 1) - g(m), so the
    derivative of E[h(N)] is E[h(N + 1)] - E[h(N)]: one more deal of that product. For the inner
    product that is the same sum at a base one deal higher; for the other product, the next atom.
    """
    n_seg = curve[0]
    inner, other, v1, vo, length = _pair_tables(booked, pmfs, lengths, values, q, curve, goal, prefix, seg, True)
    trivial = lengths[other] <= 1 and pmfs[other, 0] >= 1.0 - TAIL
    n_atoms = 1 if trivial else lengths[other]
    mean = 0.0
    second = 0.0
    d_mean = 0.0
    d_second = 0.0
    mass = 0.0
    for a in range(n_atoms):
        if trivial:
            weight = 1.0
            shift = 0.0
        else:
            weight = pmfs[other, a]
            if weight < TAIL:
                continue
            shift = a * vo
        f1, f2 = _segment_sums(shift, n_seg, seg, v1, length, prefix)
        i1, i2 = _segment_sums(shift + v1, n_seg, seg, v1, length, prefix)
        o1, o2 = _segment_sums(shift + vo, n_seg, seg, v1, length, prefix)
        mean += weight * f1
        second += weight * f2
        d_mean += weight * (rates[inner] * (i1 - f1) + rates[other] * (o1 - f1))
        d_second += weight * (rates[inner] * (i2 - f2) + rates[other] * (o2 - f2))
        mass += weight * prefix[0, length]
    if mass <= 0.0:
        return curve_at(booked, q, curve, goal), 0.0
    mean /= mass
    d_mean /= mass
    if r <= 0.0:
        return mean, d_mean
    var = second / mass - mean * mean
    if var > 0.0:
        return mean - 0.5 * r * var, d_mean - 0.5 * r * (d_second / mass - 2.0 * mean * d_mean)
    return mean, d_mean
