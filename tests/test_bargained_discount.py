"""A customer who bargains takes a share of what the rep gains by the deal signing now
(`behaviour.timing.concession`): the rep pays only its commission's share of a discount, so where
the deal lands a bonus or an accelerator it concedes far more of the firm's price than the deal
needed (Larkin 2014), and under linear commission, where timing gains the rep nothing, nothing."""

import numpy as np
import pytest
from conftest import small

from simulator import run
from simulator.behaviour.timing import concession
from simulator.behaviour.valuation import gain_and_option_ce
from simulator.pay.payout import PayCurve

Q = 250_000.0
DEAL = 20_000.0


@pytest.fixture(scope="module")
def bonus_curve():
    c, gi = PayCurve.build(rate=0.02, tiers=[(1.0, 0.04)], cap=None, bonuses=[(1.0, 5_000)], threshold=0.4) \
        .with_breakpoint(1.0)
    return c.kernel(gi)


def gain(curve, mu, s, discount):
    return gain_and_option_ce(mu, s, DEAL * (1.0 - discount), 0.0, Q, curve, 0.0, np.empty(32), 0.0)[0]


@pytest.mark.parametrize("power", [0.25, 0.5])
def test_the_rep_keeps_what_the_customer_leaves_of_its_gain(bonus_curve, power):
    """Short of the bonus by less than the deal, signing now is worth most of the bonus to the rep;
    the customer takes `power` of the gain over waiting (worth `hold`) as a further discount, so the
    rep's gain at the bargained discount is hold + (1 - power) x (gain at the base discount - hold)."""
    mu, s, base, hold = 240_000.0, 8_000.0, 0.1, 600.0
    now = gain(bonus_curve, mu, s, base)
    extra = concession(mu, s, DEAL, base, now, 0.0, hold, Q, bonus_curve, 0.0, np.empty(32), 0.0, power, 0.9)
    assert 0.0 < extra < 0.8
    surplus = now - hold
    assert gain(bonus_curve, mu, s, base + extra) == pytest.approx(hold + (1 - power) * surplus, rel=1e-4)
    # the firm gives up far more than the rep: the rep's pay falls by the customer's share of its gain,
    # the firm's price by over three times as much (4.5 and 4.1 times here)
    assert extra * DEAL > 3 * power * surplus


def test_no_bargaining_power_or_no_room_concedes_nothing(bonus_curve):
    args = (240_000.0, 8_000.0, DEAL, 0.1, gain(bonus_curve, 240_000.0, 8_000.0, 0.1), 0.0, 600.0, Q, bonus_curve,
            0.0, np.empty(32), 0.0)
    assert concession(*args, 0.0, 0.9) == 0.0
    assert concession(*args, 0.5, 0.1) == 0.0  # the base discount is already the deepest allowed


def test_a_desperate_rep_concedes_up_to_the_deepest_discount(bonus_curve):
    """With all the bargaining power the customer takes the whole gain; where even the deepest
    discount leaves the deal landing the bonus, it gets the deepest discount."""
    args = (245_000.0, 2_000.0, DEAL, 0.1, gain(bonus_curve, 245_000.0, 2_000.0, 0.1), 0.0, 0.0, Q, bonus_curve,
            0.0, np.empty(32), 0.0)
    assert concession(*args, 1.0, 0.5) == pytest.approx(0.4)


def test_bargaining_deepens_discounts_under_an_accelerator_and_not_under_linear_pay():
    """Runs (two seeds of 80 reps x a year): with customers who bargain, the discounts reps grant
    under a bonus-and-accelerator plan cost more of revenue than without; under linear commission
    no discount is granted either way."""
    def cost(name, power):
        days = [run(small(name, f"market.customers.bargaining_power={power}", size=80, years=1), seed).daily
                for seed in (1, 2)]
        return sum(d["discounts"].sum() for d in days) / sum(d["revenue"].sum() for d in days)

    assert cost("accelerator", 0.5) > 1.2 * cost("accelerator", 0.0) > 0.0
    assert cost("linear_commission", 0.5) == cost("linear_commission", 0.0) == 0.0
