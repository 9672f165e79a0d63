"""Drawing the force: one call for every trait gives the numbers of a call per trait."""

from pathlib import Path

import numpy as np
import pytest

from simulator import load_scenario
from simulator.scenario import Dist
from simulator.world.force import TRAITS, ForceComposition, draw_all

SCENARIOS = Path(__file__).parents[1] / "scenarios"
MIXED = [Dist(mean=1.0, sd=0.3, low=0.2), Dist(mean=5.0), Dist(mean=2.0, sd=1.5, dist="lognormal", high=4.0),
         Dist(mean=0.5, sd=0.0, dist="lognormal"), Dist(mean=-1.0, sd=2.0, low=-2.0, high=1.0)]


def _one_trait(dist: Dist, n: int, rng: np.random.Generator) -> np.ndarray:
    """A trait drawn on its own, as the force was drawn trait by trait before."""
    if dist.sd == 0:
        values = np.full(n, dist.mean)
    elif dist.dist == "lognormal":
        sigma2 = np.log1p((dist.sd / dist.mean) ** 2)
        values = np.exp(rng.normal(np.log(dist.mean) - sigma2 / 2, np.sqrt(sigma2), size=n))
    else:
        values = rng.normal(dist.mean, dist.sd, size=n)
    return np.clip(values, -np.inf if dist.low is None else dist.low, np.inf if dist.high is None else dist.high)


def _segments(name: str) -> list[list[Dist]]:
    if name == "mixed":  # lognormal, clipped and constant traits (no shipped scenario draws a lognormal trait)
        return [MIXED]
    force = load_scenario(SCENARIOS / f"{name}.yaml").force
    return [[getattr(traits, t) for t in TRAITS] for traits in ForceComposition(force).traits]


@pytest.mark.parametrize("name", ["baseline", "wells_fargo", "daily_quota", "mixed"])
@pytest.mark.parametrize("n", [1, 3, 200])
def test_all_traits_in_one_call_are_the_trait_by_trait_numbers(name, n):
    """Same values bit for bit, and the stream left where the trait-by-trait draws left it."""
    for dists in _segments(name):
        together, alone = np.random.default_rng(5), np.random.default_rng(5)
        drawn = draw_all(dists, n, together)
        assert len(drawn) == len(dists)
        for dist, values in zip(dists, drawn):
            np.testing.assert_array_equal(values, _one_trait(dist, n, alone))
        assert together.random() == alone.random()
