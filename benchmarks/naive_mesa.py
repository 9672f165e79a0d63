"""The reference a modeller would write first: the reps' daily decision, agent by agent, in Mesa.

Each `NaiveRep` is a `mesa.Agent` whose `step` weighs effort and product focus the way the engine's
kernel does (`behaviour.effort.choose_effort` under the normal belief): for every focus mix, the
credited sales that a unit of effort brings inside the period, their variance and what closes after
it (at its certainty equivalent); U = the certainty equivalent of the pay curve plus goal value (normal partial moments, the
same Phi/phi approximation), minus the ratchet's cost, plus next period's value of later sales,
minus the effort cost over the rest of the period. It searches as the kernel's exhaustive search
does: the coarse effort grid and the efforts that reach each threshold, at every mix, then a local
refinement of the two best mixes. Plain Python floats, one rep at a time: no arrays, no compiler.

The day's inputs are those the engine's reps saw (recorded by `benchmarks.decide.record`), so the
two compute the same thing: `compare` checks that the engine's chosen value equals this U at the
engine's choice (the same rule) and that the two searches agree (the same optimum), then times
both on the same rep-days. It covers the plans this subset describes (commission, bonus,
accelerator, goal value, ratchet): rep-days on the exact distribution, side pay, unit goals or a
stacked bonus are skipped and counted.

    python -m benchmarks naive [--quick]
"""

from __future__ import annotations

import math
import time

import mesa
import numpy as np

from benchmarks.decide import record, replay
from simulator.behaviour.effort import E_GRID, E_MAX, THRESHOLD_Z

INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def cdf_pdf(z: float) -> tuple[float, float]:
    """Phi(z), phi(z) by Abramowitz and Stegun 26.2.17, as the engine computes them."""
    if z > 9.0:
        return 1.0, 0.0
    if z < -9.0:
        return 0.0, 0.0
    d = INV_SQRT_2PI * math.exp(-0.5 * z * z)
    t = 1.0 / (1.0 + 0.2316419 * abs(z))
    tail = d * t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))))
    return (1.0 - tail if z >= 0.0 else tail), d


def ncdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def npdf(z: float) -> float:
    return 0.0 if abs(z) > 38.0 else INV_SQRT_2PI * math.exp(-0.5 * z * z)


class NaiveRep(mesa.Agent):
    """One rep: reads its state from the model's day and chooses effort and focus on its own."""

    def __init__(self, model: NaiveForce, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.effort = 0.0
        self.focus = 0
        self.value = 0.0

    def coefficients(self, k: int) -> tuple[float, float, float]:
        """Per unit of effort over the rest of the period at mix k: sales in the period, their
        variance, sales after it."""
        s, i = self.model.selling, self.index
        later_risk = 0.5 * self.model.risk[i] * self.model.stakes.nu_next[i]  # sales after the period at their CE
        a_in = b_in = a_out = 0.0
        for p in range(len(s.deal_value)):
            leads = s.leads[i, p] if s.leads.ndim == 2 else s.leads[p]
            win = s.win[i, p] if s.win.ndim == 2 else s.win[p]
            rate = s.productivity[i] * leads * s.focus_g[k, p] * win
            a_in += rate * s.din[p] * s.deal_value[p]
            b_in += rate * s.din[p] * s.deal_value[p] ** 2
            a_out += rate * s.aout[p] * s.deal_value[p] * (1.0 - later_risk * s.deal_value[p])
        return a_in, b_in, a_out

    def utility(self, e: float, c: tuple[float, float, float]) -> float:
        """U at effort e for a mix's coefficients c."""
        m, i = self.model, self.index
        st, ol = m.stakes, m.outlook
        a_in, b_in, a_out = c
        new = e * a_in
        mu = ol.mu_fixed[i] + new
        s = math.sqrt(ol.var_fixed[i] + e * b_in + m.demand_var * new * new)
        u = self.pay_value(mu, s)
        if st.ratchet_w[i] != 0.0:
            u -= self.ratchet_cost(mu, s)
        return u + st.nu_next[i] * e * a_out - m.effort_cost.scale[i] * m.days_left * e * e

    def pay_value(self, mu: float, s: float) -> float:
        """E[v] - r/2 Var[v] of the pay curve plus goal value when period sales ~ N(mu, s^2)."""
        st, i = self.model.stakes, self.index
        n, lo, slope, qc, lump, gi = st.curve
        q, goal, r = st.quota[i], st.goal[i], self.model.risk[i]
        if s <= 1e-9 * (1.0 + abs(mu)):
            j = n - 1
            while j > 0 and mu < lo[j] * q:
                j -= 1
            return qc[j] * q + lump[j] + slope[j] * mu + (goal if j >= gi else 0.0)
        mean = second = p_low = d_low = zd_low = 0.0
        for j in range(n):
            if j < n - 1:
                z = (lo[j + 1] * q - mu) / s
                p_up, d_up = cdf_pdf(z)
                zd_up = z * d_up
            else:
                p_up, d_up, zd_up = 1.0, 0.0, 0.0
            p = p_up - p_low
            if p > 0.0:
                a = qc[j] * q + lump[j] + (goal if j >= gi else 0.0) + slope[j] * mu
                bs = slope[j] * s
                ez = d_low - d_up
                ez2 = p + zd_low - zd_up
                mean += a * p + bs * ez
                second += a * a * p + 2.0 * a * bs * ez + bs * bs * ez2
            p_low, d_low, zd_low = p_up, d_up, zd_up
        return mean if r <= 0.0 else mean - 0.5 * r * max(second - mean * mean, 0.0)

    def ratchet_cost(self, mu: float, s: float) -> float:
        st, i = self.model.stakes, self.index
        q = st.quota[i]
        if s <= 1e-9 * (1.0 + abs(mu)):
            d = mu - q
            return st.ratchet_w[i] * (st.quota_up * d if d > 0 else st.quota_down * d)
        z = (mu - q) / s
        above = (mu - q) * ncdf(z) + s * npdf(z)
        below = (q - mu) * ncdf(-z) + s * npdf(z)
        return st.ratchet_w[i] * (st.quota_up * above - st.quota_down * below)

    def threshold_efforts(self, c: tuple[float, float, float]) -> list[float]:
        """Efforts at which expected sales sit around each pay threshold."""
        m, i = self.model, self.index
        n, lo = m.stakes.curve[0], m.stakes.curve[1]
        a, b = c[0], c[1]
        mu0, var0 = m.outlook.mu_fixed[i], m.outlook.var_fixed[i]
        out = []
        if a <= 0.0:
            return out
        for j in range(1, n):
            target = lo[j] * m.stakes.quota[i]
            for z in THRESHOLD_Z:
                e = (target - mu0) / a
                for _ in range(2):
                    e_pos = max(e, 0.0)
                    new = e_pos * a
                    e = (target + z * math.sqrt(var0 + e_pos * b + m.demand_var * new * new) - mu0) / a
                if 0.0 < e < E_MAX:
                    out.append(e)
        return out

    def refine(self, c: tuple[float, float, float], e0: float) -> tuple[float, float]:
        """Golden-section search on the grid cell either side of e0."""
        lo, hi = max(e0 - 0.25, 0.0), min(e0 + 0.25, E_MAX)
        ratio = (math.sqrt(5.0) - 1.0) / 2.0
        x1, x2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        f1, f2 = self.utility(x1, c), self.utility(x2, c)
        while hi - lo > 1e-5:
            if f1 < f2:
                lo, x1, f1 = x1, x2, f2
                x2 = lo + ratio * (hi - lo)
                f2 = self.utility(x2, c)
            else:
                hi, x2, f2 = x2, x1, f1
                x1 = hi - ratio * (hi - lo)
                f1 = self.utility(x1, c)
        best = max((e0, self.utility(e0, c)), (x1, f1), key=lambda t: t[1])
        return best

    def step(self) -> None:
        """Every mix over the grid and the threshold efforts; refine the two best mixes."""
        ranked = []
        for k in range(self.model.selling.focus_g.shape[0]):
            c = self.coefficients(k)
            probes = list(E_GRID) + self.threshold_efforts(c)
            u, e = max((self.utility(e, c), e) for e in probes)
            ranked.append((u, e, k, c))
        ranked.sort(key=lambda t: -t[0])
        self.value = -math.inf
        for u, e, k, c in ranked[:2]:
            e_star, u_star = self.refine(c, e)
            if u > u_star:
                e_star, u_star = e, u
            if u_star > self.value:
                self.effort, self.focus, self.value = e_star, k, u_star


class NaiveForce(mesa.Model):
    """A force of `NaiveRep`s stepped through recorded days of the engine's world."""

    def __init__(self, days: list, exact: list[np.ndarray], seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.days = days
        self.exact = exact  # per day, which reps the engine valued on the exact distribution
        self.today = 0
        self.reps = [NaiveRep(self, i) for i in range(len(days[0][0][0]))]
        self.covered = np.zeros(len(self.reps), dtype=bool)

    def load(self, d: int) -> None:
        """Day d's inputs, and which reps this subset of the rule decides (normal belief, no side
        pay, unit goals or stacked bonus; the quadratic effort cost)."""
        (self.active, _, self.days_left, self.stakes, self.outlook, self.effort_cost, self.risk, self.selling,
         _, self.demand_var, _, side, today) = self.days[d][0]
        plain = (self.stakes.second_amount == 0.0 and self.effort_cost.curvature == 2.0 and not np.any(side.rate)
                 and not np.any(side.spif)
                 and not np.any(side.unit_goals[:, :, 3] > 0.0) and np.all(today.present_bias == 1.0))
        self.covered = self.active & ~self.exact[d] if plain else np.zeros_like(self.active)

    def step(self) -> None:
        self.load(self.today)
        self.agents.select(lambda agent: self.covered[agent.index]).do("step")
        self.today += 1


def compare(name: str = "baseline", reps: int = 60, years: float = 0.25, every: int = 1) -> dict:
    """The engine's kernel and the per-agent loop on the same recorded days: whether they agree,
    and how long each took."""
    days, work = record(name, reps, years)
    days = days[::every]
    engine_seconds, results = replay(days, work)
    force = NaiveForce(days, [r[3] for r in results])
    naive_seconds = 0.0
    same_value = same_choice = covered = skipped = 0
    worst = 0.0
    for effort, focus, value, _, _, _ in results:
        t0 = time.process_time()
        force.step()
        naive_seconds += time.process_time() - t0
        skipped += int(force.active.sum() - force.covered.sum())
        for i in np.flatnonzero(force.covered):
            agent = force.reps[i]
            covered += 1
            at_engine = agent.utility(effort[i], agent.coefficients(int(focus[i])))
            same_value += abs(at_engine - value[i]) <= 1e-6 * (1.0 + abs(value[i]))
            gap = agent.value - value[i]
            worst = max(worst, gap)
            same_choice += gap <= max(1e-3 * abs(agent.value), 5.0)
    engine_covered = engine_seconds * covered / max(sum(int(d[0][0].sum()) for d in days), 1)
    return {"name": name, "rep_days": covered, "skipped": skipped, "same_value": same_value / max(covered, 1),
            "same_choice": same_choice / max(covered, 1), "worst_gap": worst,
            "naive_rate": covered / naive_seconds if naive_seconds else float("nan"),
            "engine_rate": covered / engine_covered if engine_covered else float("nan")}


def report(result: dict) -> None:
    print(f"{result['name']:<12} {result['rep_days']:>7,} rep-days ({result['skipped']:,} outside the subset): "
          f"engine's U equals the agents' U at the engine's choice on {100 * result['same_value']:.1f}%, "
          f"same optimum on {100 * result['same_choice']:.1f}% (worst gap ${result['worst_gap']:.2f})")
    print(f"    per-agent Mesa loop {result['naive_rate'] / 1e3:8.1f} k rep-days/s; engine's decision kernel "
          f"{result['engine_rate'] / 1e3:8.1f} k rep-days/s: {result['engine_rate'] / result['naive_rate']:.0f}x faster")


def main(quick: bool = False) -> None:
    print("per-agent Mesa reference of the daily decision against the engine's kernel, same days, one core")
    for name in ("baseline", "ratchet"):
        report(compare(name, reps=40 if quick else 100, years=0.25 if quick else 0.5, every=2 if quick else 1))


if __name__ == "__main__":
    main()
