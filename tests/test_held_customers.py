"""Customers who wait for a rep's period-end discount, or whom the rep holds, are kept however many
there are: a rep's table of held customers widens when a day needs it (`RepArrays.make_room_to_hold`).
A fixed table (it had 32 places) booked the overflow at once, at list price, which cut the
period-end rush short and with it the discount cost that Larkin (2014) measures."""

import numpy as np
from conftest import small

from simulator import run
from simulator.selling import pipeline
from simulator.state.reps import HELD_CAPACITY, RepArrays

ALL_WAIT = ("market.customers.waiting_share=1", "market.customers.waiting_ceiling=1",
            "market.customers.waiting_learning=0", "market.customers.flexible_share=0",
            "market.customers.max_wait_days=63", "management.allow_discounts=false")


def test_every_waiting_customer_waits_for_the_period_to_end():
    """Every ready customer waits for a discount that is never given (discounts not allowed), so
    each signs at list price on the first day of the next quarter: no rep books on any other day
    (the house books the customers of reps who leave), though a rep gathers far more than the
    table's first width of waiting customers a quarter."""
    daily = run(small("baseline", *ALL_WAIT, size=30, years=0.75), seed=3).daily
    first_day = (daily["day"] % 63 == 0) & (daily["day"] > 0)
    by_reps = daily["revenue"] - daily["house_revenue"]
    assert daily.loc[first_day, "deals"].sum() > 2 * 30 * 2 * HELD_CAPACITY  # over 64 waiting a rep a quarter
    assert by_reps[~first_day].abs().max() == 0.0


def test_room_is_made_before_the_day_is_decided():
    """The widening keeps what is held where it was and leaves the new places free."""
    reps = RepArrays.__new__(RepArrays)
    reps.held_kind = np.full((2, 4), pipeline.EMPTY, dtype=np.int8)
    reps.held_kind[0, :3] = pipeline.WAITING
    reps.held_product = np.arange(8, dtype=np.int16).reshape(2, 4)
    reps.held_age = np.ones((2, 4), dtype=np.int16)
    reps.held_life = np.full((2, 4), 63, dtype=np.int16)
    reps.make_room_to_hold(4)
    assert reps.held_kind.shape == (2, 4)  # room enough: nothing changes
    reps.make_room_to_hold(5)
    assert reps.held_kind.shape == (2, 8) and reps.held_kind.dtype == np.int8
    assert (reps.held_kind[0, :3] == pipeline.WAITING).all() and (reps.held_kind[:, 4:] == pipeline.EMPTY).all()
    assert (reps.held_product[:, :4] == np.arange(8).reshape(2, 4)).all() and (reps.held_product[:, 4:] == 0).all()
