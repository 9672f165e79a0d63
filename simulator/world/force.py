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


class TraitDraws:
    """How to draw a list of traits (normal, or lognormal with the dist's mean and sd, clipped to
    low/high; every rep alike where sd is 0), worked out once: a hire draws a handful of reps many times
    a run. The normal draws of every trait that varies come from one call, row by row: a Generator
    fills an array of locations and scales in order, each draw loc + scale x a standard normal, so the
    numbers are those of a call per trait in turn (tests/test_force.py), and a hire costs one call,
    not a dozen."""

    def __init__(self, dists: list[Dist]):
        self.dists = list(dists)
        varying = [d for d in self.dists if d.sd != 0]
        self.loc, self.scale = np.empty((len(varying), 1)), np.empty((len(varying), 1))
        for row, dist in enumerate(varying):
            if dist.dist == "lognormal":
                sigma2 = np.log1p((dist.sd / dist.mean) ** 2)
                self.loc[row], self.scale[row] = np.log(dist.mean) - sigma2 / 2, np.sqrt(sigma2)
            else:
                self.loc[row], self.scale[row] = dist.mean, dist.sd
        # bounds of the varying rows (clipped together, as one np.clip per trait would, element for element),
        # which of them are lognormal, and each trait's row, or its constant already clipped (-1 / the value)
        self.lognormal = np.array([d.dist == "lognormal" for d in varying], dtype=bool)
        self.any_lognormal = bool(self.lognormal.any())
        self.low = np.array([-np.inf if d.low is None else d.low for d in varying], dtype=float).reshape(-1, 1)
        self.high = np.array([np.inf if d.high is None else d.high for d in varying], dtype=float).reshape(-1, 1)
        rows = iter(range(len(varying)))
        self.each = [(next(rows), 0.0) if dist.sd != 0 else (-1, float(np.clip(
            np.float64(dist.mean), -np.inf if dist.low is None else dist.low,
            np.inf if dist.high is None else dist.high))) for dist in self.dists]

    def draw(self, n: int, rng: np.random.Generator) -> list[np.ndarray]:
        """n draws of each trait, in the order of the dists."""
        values = rng.normal(self.loc, self.scale, size=(len(self.loc), n)) if len(self.loc) else np.empty((0, n))
        if self.any_lognormal:
            values[self.lognormal] = np.exp(values[self.lognormal])
        values = np.clip(values, self.low, self.high)
        return [values[row] if row >= 0 else np.full(n, constant) for row, constant in self.each]


def draw_all(dists: list[Dist], n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """n draws of each trait (`TraitDraws`)."""
    return TraitDraws(dists).draw(n, rng)


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
        self.draws = [TraitDraws([getattr(traits, t) for t in TRAITS]) for traits in self.traits]

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
        for s, draws in enumerate(self.draws):
            members = np.flatnonzero(segment == s)
            if not members.size:  # a lone hire's other segments: nothing to draw (an empty draw takes nothing
                continue  # from the stream)
            for t, values in zip(TRAITS, draws.draw(len(members), rng)):
                out[t][members] = values
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
