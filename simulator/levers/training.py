"""Relationship skills and sales training (`force.skills`, `management.training`).

Skill raises a rep's win rates (Weitz, Sujan and Sujan 1986); customers' trust in their rep follows
its skill and after-sales follow-ups (Crosby, Evans and Cowles 1990), bringing referrals and keeping
customers. A course closes part of the gap to full skill after a delay, at a cost. Skills are drawn
from their own stream (a child of the run's seed sequence), so the run's main stream is untouched.
docs/model.md, "Skills and training".
"""

from __future__ import annotations

import numpy as np

from simulator.levers.base import Lever
from simulator.state.context import DayContext
from simulator.world.build import World

STREAM = 0x5C111  # the skills' child of the run's seed sequence (the network uses the first spawned child)


class Training(Lever):
    """Every rep's skill, courses pending, customers' trust in the rep, and the per-rep tables
    they give: win rates (`win_table`) and, where trust keeps customers, cancellation rates
    (`cancel_table`). Multiplies the reps' `productivity` by the referrals trust brings."""

    name = "training"

    def __init__(self, world: World, n: int, rng: np.random.Generator, follow_ups: np.ndarray | None):
        scenario = world.scenario
        self.skills = scenario.force.skills
        self.course = scenario.management.training
        seq = rng.bit_generator.seed_seq
        self.rng = np.random.default_rng(np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, STREAM)))
        self.base_win = world.products.win
        self.win_table = np.tile(world.products.win, (n, 1))
        self.skill = np.zeros(n)
        self.trust = np.full(n, self.skills.mean)  # customers' trust in their rep, by territory
        self.pending = np.zeros(n)  # skill a finished course will add ...
        self.due = np.full(n, -1, dtype=np.int64)  # ... on this day
        self.owner = np.zeros(n, dtype=np.int64)
        self.base_cancel = scenario.market.customers.cancel_rate
        self.cancel_table = np.full(n, self.base_cancel) if self.skills.retention_effect > 0 else None
        self.follow_ups = follow_ups  # after-sales follow-ups each rep did yesterday (`levers.activity`)
        self.daily_names = ("skill", "win_rate_lift", "relationship_trust", "cancel_rate", "courses", "training_cost")
        self.today = np.zeros(len(self.daily_names))

    @classmethod
    def build(cls, world: World, rng: np.random.Generator, built: dict) -> "Training | None":
        if world.scenario.force.skills is None:
            return None
        activities = built.get("activities")
        return cls(world, world.scenario.force.size, rng, activities.follow_ups if activities is not None else None)

    def start_day(self, ctx: DayContext) -> None:
        """New hires' skills, courses taken and landing, win rates, trust and the demand it brings."""
        r = ctx.reps
        t = ctx.day
        s = self.skills
        hired = r.rep_id != self.owner
        if hired.any():
            self.skill[hired] = np.clip(self.rng.normal(s.mean, s.sd, size=int(hired.sum())), 0.0, 1.0)
            self.due[hired] = -1
            self.owner[:] = r.rep_id
        courses = 0
        if self.course is not None:
            every = self.course.every_days
            slot = np.arange(r.n)
            taking = r.active & ((t + slot * every // r.n) % every == 0)  # staggered across the interval
            courses = int(taking.sum())
            self.pending[taking] = self.course.gain
            self.due[taking] = t + self.course.delay_days
            landing = self.due == t
            self.skill[landing] += self.pending[landing] * (1.0 - self.skill[landing])
            self.due[landing] = -1
        lift = 1.0 + s.win_effect * (self.skill - s.mean)
        self.win_table[:] = np.clip(self.base_win[None, :] * lift[:, None], 0.001, 0.99)
        target = self.skill
        if self.follow_ups is not None and s.follow_up_effect > 0.0:  # yesterday's after-sales follow-ups
            target = np.minimum(self.skill + s.follow_up_effect * self.follow_ups, 1.0)
        self.trust += (target - self.trust) / s.trust_days
        if self.cancel_table is not None:
            np.multiply(self.base_cancel, np.maximum(1.0 - s.retention_effect * (self.trust - s.mean), 0.0),
                        out=self.cancel_table)
        r.productivity *= np.maximum(1.0 + s.referral_effect * (self.trust - s.mean), 0.0)
        active = r.active
        cost = courses * self.course.cost if self.course is not None else 0.0
        self.today[:] = (self.skill[active].mean() if active.any() else 0.0,
                         lift[active].mean() - 1.0 if active.any() else 0.0,
                         self.trust.mean(), self.cancel_table[active].mean() if self.cancel_table is not None
                         and active.any() else self.base_cancel, courses, cost)

    def daily_values(self) -> dict[str, float]:
        return dict(zip(self.daily_names, self.today))
