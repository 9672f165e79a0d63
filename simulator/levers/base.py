"""The lever interface: what an optional lever may do to a day, and nothing more.

A lever is built from the scenario (or is absent) and takes part in the day at five points, each a
method that does nothing unless the lever overrides it:

- `start_day(ctx)`: before reps decide (a launched product's awareness, skills and training);
- `add_terms(ctx, terms)`: what it adds to the morning's valuation (`Terms`);
- `end_work(ctx)`: after the day's work and oversight (activities logged, SPIF units counted);
- `settle(ctx, idx, days, full, variable)`: at a settlement, its named columns and the pay they
  add for the reps `idx` (`Settlement`);
- `end_day(ctx)`: after settlement; returns the reps whose quota it moved (a quota reset).

It may also replace a product table for the kernels (`leads_table`, `win_table`,
`cancel_table`: per-rep tables it keeps up to date), report daily figures (`daily_values`) and
price itself on another run's rep-period rows for `salesim compare`'s static what-if
(`static_pay`). A lever reads the world and the reps' arrays through the day context; it writes
only its own state, the `Terms` it is handed and the rep columns its docstring names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from simulator.state.context import DayContext, Terms
from simulator.world.build import World

if TYPE_CHECKING:
    from simulator.scenario import Scenario

@dataclass
class Settlement:
    """A lever's part of a settlement: named rep-period columns, and the $ they add to pay."""

    columns: dict[str, np.ndarray] = field(default_factory=dict)
    pay: np.ndarray | None = None


class Lever:
    """An optional lever. Subclasses override the points of the day they take part in.

    `stage` orders pay at a settlement: "earned" pay is summed first and added to variable pay;
    "awarded" pay (prizes, then draws, which top up all other variable pay) is settled after it,
    each seeing the variable pay so far."""

    name: ClassVar[str] = "lever"
    stage: ClassVar[str] = "earned"
    leads_table: np.ndarray | None = None
    win_table: np.ndarray | None = None
    cancel_table: np.ndarray | None = None

    @classmethod
    def build(cls, world: World, rng: np.random.Generator, built: dict[str, "Lever"]) -> "Lever | None":
        """This lever for the world, or None when its scenario does not use it. `built`: the
        levers built before it, by name (a lever may work with another's state)."""
        raise NotImplementedError

    def start_day(self, ctx: DayContext) -> None:
        """Before reps decide."""

    def add_terms(self, ctx: DayContext, terms: Terms) -> None:
        """Add this lever's part of the morning's valuation to `terms`."""

    def end_work(self, ctx: DayContext) -> None:
        """After the day's work and oversight."""

    def settle(self, ctx: DayContext, idx: np.ndarray, days: np.ndarray, full: bool,
               variable: np.ndarray) -> Settlement:
        """Columns and pay for the reps `idx` settling now (who held the job `days` days of the
        period; `full`: the period's end), given their variable pay so far."""
        return Settlement()

    def end_day(self, ctx: DayContext) -> np.ndarray | None:
        """After the day's settlement; the reps whose quota moved, if any."""
        return None

    def daily_values(self) -> dict[str, float]:
        """Today's figures for the daily table."""
        return {}

    @classmethod
    def static_pay(cls, scenario: "Scenario", rows: pd.DataFrame, variable: np.ndarray) -> "StaticPrice":
        """What this lever of `scenario` would pay on another run's rep-period `rows`, given the
        pay curve's `variable` pay on them."""
        return StaticPrice(None)


@dataclass
class StaticPrice:
    """A lever's pay on another run's rows (None: nothing to pay), or why it cannot be priced."""

    pay: np.ndarray | None
    unpriced: str = ""
