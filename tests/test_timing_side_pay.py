"""Deal timing weighs the pay beside the quota's curve that depends on when a deal lands: a SPIF
over its window, a product quota over its period, a second prize over its window
(`behaviour.timing._landing`), and the runs show it (Oyer 1998 and Asch 1990: sales timed to
bonus deadlines)."""

import numpy as np
import pytest
from conftest import small

from simulator import run
from simulator.behaviour.timing import _landing
from simulator.behaviour.valuation import prize_gain
from simulator.state.context import TimingTerms

UNIT = 2000.0  # credited $ of one deal


def side(spif=(0.0, 0.0, 0.0), goal_product=0):
    """Timing terms for two products, a SPIF on product 0 at today's, the period's last day's and
    the next period's first day's $ a unit."""
    now, end, next_ = spif
    return TimingTerms(np.zeros(1), np.array([now, 0.0]), np.array([end, 0.0]), np.array([next_, 0.0]),
                       np.zeros((1, 2, 4)), goal_product)


def landing(p, now, end, full, terms, prize=0.0, next_in_window=False, bonus=0.0):
    return _landing(p, UNIT, now, end, full, prize, 900.0, 300.0, 1000.0, next_in_window, terms,
                    bonus, 30.0, 3.0, 31.0)


def test_nothing_beside_the_curve_adds_nothing():
    assert landing(0, UNIT, UNIT, UNIT, side()) == (0.0, 0.0, 0.0)


def test_a_spif_pays_on_the_day_the_deal_lands():
    """A SPIF whose window closes with the period: a deal booked now or by the period's end earns
    its $ a unit (a discounted deal a little under one unit), one pushed into the next period none."""
    now, end, later = landing(0, 0.9 * UNIT, 0.9 * UNIT, UNIT, side((150.0, 150.0, 0.0)))
    assert now == pytest.approx(135.0) and end == pytest.approx(135.0) and later == 0.0
    assert landing(1, UNIT, UNIT, UNIT, side((150.0, 150.0, 150.0))) == (0.0, 0.0, 0.0)  # another product


def test_a_product_quota_counts_a_unit_booked_this_period_only():
    """The product quota's bonus times the gain in the chance of reaching it, the same normal form
    the effort choice uses, for its own product; nothing for a deal booked next period."""
    now, end, later = landing(0, UNIT, UNIT, UNIT, side(goal_product=0), bonus=2500.0)
    assert now == pytest.approx(prize_gain(2500.0, 30.0, 3.0, 1.0, 31.0)) and now > 0.0
    assert end == now and later == 0.0
    assert landing(1, UNIT, UNIT, UNIT, side(goal_product=0), bonus=2500.0) == (0.0, 0.0, 0.0)


def test_a_prize_counts_a_deal_next_period_only_while_its_window_goes_on():
    closing = landing(0, UNIT, UNIT, UNIT, side(), prize=6000.0, next_in_window=False)
    going_on = landing(0, UNIT, UNIT, UNIT, side(), prize=6000.0, next_in_window=True)
    assert closing[0] > 0.0 and closing[2] == 0.0
    assert going_on[2] == pytest.approx(going_on[0])


@pytest.mark.slow
def test_a_spif_window_closing_with_the_quarter_draws_deals_into_it():
    """A $150-a-unit SPIF on the quick product for the first quarter (about 7.5% of its price):
    on the quarter's last day reps pull deals in and give waiting customers the discount far more,
    and push far fewer out, than under the same plan without it (three seeds of 200 reps)."""
    def last_day_of_first_quarter(*overrides):
        days = [run(small("baseline", *overrides, size=200, years=0.5), seed=s).daily for s in (1, 2, 3)]
        return sum(d[d["day"] == 62][["pulled_in", "pushed_out", "discount_offers"]].sum() for d in days)

    plain = last_day_of_first_quarter()
    spif = last_day_of_first_quarter("plan.spif={standard: 150}", "plan.spif_window=[0, 63]")
    assert spif["pulled_in"] > 3 * plain["pulled_in"] > 0
    assert spif["discount_offers"] > 3 * plain["discount_offers"]
    assert spif["pushed_out"] < 0.1 * plain["pushed_out"]
