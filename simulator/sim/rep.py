"""SalesRep, the Mesa agent: the face of one rep.

A rep's state lives in the model's arrays (`simulator.state.reps.RepArrays`), one row per position, so
a day is a few vectorised steps over all reps; each `SalesRep` reads and writes its own row. So
`model.agents` can be inspected, filtered, grouped and drawn like any Mesa agents
(`model.agents.select(lambda r: r.attainment < 0.5)`), while the decisions run over arrays.
"""

from __future__ import annotations

import mesa


class SalesRep(mesa.Agent):
    """One rep holding one position (territory) of the force."""

    def __init__(self, model: mesa.Model, slot: int):
        super().__init__(model)
        self.slot = slot

    @property
    def _r(self):
        return self.model.engine.reps

    # who the rep is
    @property
    def performer_type(self) -> str:
        return self.model.engine.world.composition.names[self._r.segment[self.slot]]

    @property
    def ability(self) -> float:
        return float(self._r.ability[self.slot])

    @property
    def risk_aversion(self) -> float:
        return float(self._r.risk_aversion[self.slot])

    @property
    def foresight(self) -> float:
        return float(self._r.foresight[self.slot])

    @property
    def integrity(self) -> float:
        """Integrity now (0-1): the trait worn down by pressure and what the rep has seen and done."""
        return float(self._r.integrity_now[self.slot])

    @property
    def norm(self) -> float:
        """How acceptable misconduct looks where the rep works (0-1)."""
        return float(self._r.norm[self.slot])

    @property
    def branch(self) -> int:
        return int(self.model.engine.world.branch[self.slot])

    @property
    def state(self) -> str:
        """What the rep is doing, for pictures: 'caught' (found out lately), 'misconduct'
        (cheated lately), 'gaming' (holding deals back or discounting them into the period) or
        'honest'."""
        r = self._r
        if r.seen_caught[self.slot] > 0.5:
            return "caught"
        if r.seen_acting[self.slot] > 0.5:
            return "misconduct"
        if r.pushed[self.slot] > 0 or r.pulled[self.slot] > 0 or r.offered[self.slot] > 0:
            return "gaming"
        return "honest"

    @property
    def tenure_days(self) -> int:
        return int(self.model.engine.day - self._r.hire_day[self.slot])

    # what the rep does
    @property
    def effort(self) -> float:
        """Today's effort (1 = normal intensity)."""
        return float(self._r.effort[self.slot])

    @effort.setter
    def effort(self, value: float) -> None:
        self._r.effort[self.slot] = value

    @property
    def product_focus(self) -> dict[str, float]:
        """Today's split of effort across products."""
        shares = self.model.engine.world.focus_shares[self._r.focus[self.slot]]
        return dict(zip(self.model.engine.world.products.names, map(float, shares)))

    # where the rep stands
    @property
    def quota(self) -> float:
        return float(self._r.quota[self.slot])

    @property
    def sales(self) -> float:
        """Credited sales so far this period."""
        return float(self._r.sales[self.slot])

    @property
    def attainment(self) -> float:
        return self.sales / self.quota if self.quota > 0 else 0.0

    @property
    def morale(self) -> float:
        return float(self._r.morale[self.slot])

    @property
    def held_deals(self) -> int:
        """Ready customers the rep is keeping waiting."""
        return int((self._r.held_kind[self.slot] >= 0).sum())

    def __repr__(self) -> str:
        return (f"SalesRep(id={self.unique_id}, {self.performer_type}, effort={self.effort:.2f}, "
                f"attainment={self.attainment:.2f})")
