"""A product launched mid-run (`market.launch`): customers' awareness of it and reps' learning curve.

A territory's leads of the product are its full rate x awareness x the rep's productivity on it.
Awareness follows Bass (1969) diffusion driven by the selling effort put on the product; a rep's
productivity on it climbs with its own selling (Arrow 1962; Wright 1936). Reps weigh only today's
leads, which is why launch incentives matter. No random numbers are drawn. docs/model.md.
"""

from __future__ import annotations

import numpy as np

from simulator.levers.base import Lever
from simulator.state.context import DayContext
from simulator.world.build import World


class Launch(Lever):
    """Awareness by territory, experience by rep, and the per-rep leads table they give
    (`leads_table`, which the kernels read in place of the products' leads)."""

    name = "launch"

    def __init__(self, world: World, n: int):
        products = world.products
        self.spec = world.scenario.market.launch
        self.product = products.names.index(self.spec.product)
        self.full_rate = float(products.leads[self.product])
        self.leads_table = np.tile(products.leads, (n, 1))
        self.leads_table[:, self.product] = 0.0  # not on sale yet
        self.awareness = np.zeros(n)
        self.experience = np.zeros(n)  # days of full selling effort on the product
        self.owner = np.zeros(n, dtype=np.int64)
        self.daily_names = (f"awareness_{self.spec.product}", f"learning_{self.spec.product}")
        self.today = np.zeros(2)
        if self.spec.day == 0:  # on sale from the start: the pipeline a run begins with includes it
            self.awareness[:] = self.spec.awareness_start
            self._set_leads()

    @classmethod
    def build(cls, world: World, rng: np.random.Generator, built: dict) -> "Launch | None":
        return cls(world, world.scenario.force.size) if world.scenario.market.launch is not None else None

    def start_day(self, ctx: DayContext) -> None:
        """Move awareness and experience on by yesterday's selling and set today's leads."""
        t = ctx.day
        spec = self.spec
        if t < spec.day:
            return
        r = ctx.reps
        newcomer = r.rep_id != self.owner  # a new hire has no experience of the product
        self.experience[newcomer] = 0.0
        self.owner[:] = r.rep_id
        if t == spec.day:
            self.awareness[:] = spec.awareness_start
        else:
            selling = np.where(r.active, r.effort * ctx.world.focus_shares[r.focus, self.product], 0.0)
            self.experience += selling
            word_of_mouth = spec.imitation * self.awareness.mean()
            self.awareness += (spec.innovation * selling + word_of_mouth) * (1.0 - self.awareness)
            np.minimum(self.awareness, 1.0, out=self.awareness)
        learned = self._set_leads()
        self.today[:] = (self.awareness.mean(), float(learned[r.active].mean()) if r.active.any() else 0.0)

    def _set_leads(self) -> np.ndarray:
        """Leads of the product by territory and rep; returns each rep's productivity on it."""
        learned = 1.0 - (1.0 - self.spec.productivity_start) * np.exp(-self.experience / self.spec.learning_days)
        self.leads_table[:, self.product] = self.full_rate * self.awareness * learned
        return learned

    def daily_values(self) -> dict[str, float]:
        return dict(zip(self.daily_names, self.today))
