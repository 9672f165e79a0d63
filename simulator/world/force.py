"""The force's composition: drawing reps' traits from the scenario's segments.

Reps differ in ability, risk aversion, effort cost, foresight, patience, the value they put on
reaching a goal, integrity and their outside option. Each segment (e.g. high and low performers)
overrides the trait defaults; a new hire is drawn from the same mixture as the first force.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from simulator.scenario import Dist, Force, Traits

TRAITS = tuple(Traits.model_fields)


def draw(dist: Dist, n: int, rng: np.random.Generator) -> np.ndarray:
    """n draws of one trait."""
    if dist.sd == 0:
        values = np.full(n, dist.mean)
    elif dist.dist == "lognormal":
        sigma2 = np.log1p((dist.sd / dist.mean) ** 2)
        values = np.exp(rng.normal(np.log(dist.mean) - sigma2 / 2, np.sqrt(sigma2), size=n))
    else:
        values = rng.normal(dist.mean, dist.sd, size=n)
    lo = -np.inf if dist.low is None else dist.low
    hi = np.inf if dist.high is None else dist.high
    return np.clip(values, lo, hi)


@dataclass(frozen=True)
class Recruits:
    """Traits of n reps, one array per trait, and each rep's segment index."""

    segment: np.ndarray
    traits: dict[str, np.ndarray]


class ForceComposition:
    """Draws reps from the scenario's segment mixture."""

    def __init__(self, force: Force):
        self.names = tuple(force.segments)
        self.shares = np.array([force.segments[n].share for n in self.names])
        self.traits = [force.segments[n].traits(force.traits) for n in self.names]

    def initial(self, n: int, rng: np.random.Generator) -> Recruits:
        """The starting force: segment sizes follow the shares exactly (largest remainders)."""
        raw = self.shares * n
        counts = np.floor(raw).astype(int)
        counts[np.argsort(-(raw - counts))[: n - counts.sum()]] += 1
        segment = rng.permutation(np.repeat(np.arange(len(self.names)), counts))
        return self._fill(segment, rng)

    def hire(self, n: int, rng: np.random.Generator) -> Recruits:
        """New hires, each drawn from the segment mixture."""
        return self._fill(rng.choice(len(self.names), size=n, p=self.shares), rng)

    def _fill(self, segment: np.ndarray, rng: np.random.Generator) -> Recruits:
        out = {t: np.zeros(len(segment)) for t in TRAITS}
        for s, traits in enumerate(self.traits):
            members = np.flatnonzero(segment == s)
            if not members.size:  # nothing to draw (an empty draw takes nothing from the stream): a lone hire's
                continue  # other segments cost a dozen calls each for nothing
            for t in TRAITS:
                out[t][members] = draw(getattr(traits, t), len(members), rng)
        return Recruits(segment=segment, traits=out)

    def mean_trait(self, name: str) -> float:
        return float(sum(share * getattr(t, name).mean for share, t in zip(self.shares, self.traits)))


@njit(cache=True, error_model="numpy")
def ramped_productivity(ability, potential, hire_day, day, ramp_start, ramp_days, out):
    """Each position's productivity on `day` (ability x territory potential x ramp-up) into `out`: a
    new hire starts at `ramp_start` of full productivity and reaches it linearly over `ramp_days`
    business days (learning on the job: the first months of a sales hire sell least). One pass, as
    `np.minimum` and the array products would do it, element for element; a day's fixed cost."""
    span = max(ramp_days, 1)
    for i in range(len(out)):
        tenure = (day - hire_day[i]) / span
        ramp = ramp_start + (1.0 - ramp_start) * min(tenure, 1.0)  # tenure is never NaN, so min is np.minimum here
        out[i] = ability[i] * potential[i] * ramp
