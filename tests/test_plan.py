"""Pay math: known answers and properties (never negative, capped, monotone, continuous where the
plan says so)."""

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.pay.payout import PayCurve, pay_moments

Q = 100_000.0


def test_linear_commission_pays_rate_times_sales():
    curve = PayCurve.build(rate=0.05)
    assert curve.pay(80_000, Q) == pytest.approx(4_000)
    assert curve.pay(250_000, Q) == pytest.approx(12_500)


def test_bonus_at_quota_and_accelerator_known_answers():
    curve = PayCurve.build(rate=0.02, tiers=[(1.0, 0.04)], bonuses=[(1.0, 5_000)])
    assert curve.pay(99_999.99, Q) == pytest.approx(2_000, abs=0.01)
    assert curve.pay(100_000, Q) == pytest.approx(2_000 + 5_000)
    # 100k at 2%, the next 50k at 4%, plus the bonus
    assert curve.pay(150_000, Q) == pytest.approx(2_000 + 2_000 + 5_000)
    assert curve.bonus(150_000, Q) == 5_000
    assert curve.commission(150_000, Q) == pytest.approx(4_000)


def test_decelerator_lowers_the_rate_above_its_tier():
    curve = PayCurve.build(rate=0.04, tiers=[(1.5, 0.01)])
    assert curve.pay(200_000, Q) == pytest.approx(150_000 * 0.04 + 50_000 * 0.01)


def test_cap_stops_commission_but_keeps_the_bonus():
    curve = PayCurve.build(rate=0.03, cap=1.2, bonuses=[(1.0, 1_000)])
    assert curve.pay(120_000, Q) == pytest.approx(3_600 + 1_000)
    assert curve.pay(300_000, Q) == pytest.approx(3_600 + 1_000)


def test_threshold_gates_commission_then_pays_from_the_first_dollar():
    curve = PayCurve.build(rate=0.05, threshold=0.5)
    assert curve.pay(49_999, Q) == 0.0
    assert curve.pay(50_000, Q) == pytest.approx(2_500)
    assert curve.pay(80_000, Q) == pytest.approx(4_000)


def test_breakpoint_insertion_keeps_pay_unchanged():
    curve = PayCurve.build(rate=0.02, tiers=[(1.2, 0.05)], bonuses=[(0.9, 700)])
    with_break, index = curve.with_breakpoint(1.0)
    assert with_break.lo[index] == 1.0
    sales = np.linspace(0, 3 * Q, 301)
    np.testing.assert_allclose(with_break.pay(sales, Q), curve.pay(sales, Q))


def test_scaled_multiplies_all_variable_pay():
    curve = PayCurve.build(rate=0.02, tiers=[(1.0, 0.04)], bonuses=[(1.0, 5_000)])
    sales = np.linspace(0, 3 * Q, 50)
    np.testing.assert_allclose(curve.scaled(1.5).pay(sales, Q), 1.5 * curve.pay(sales, Q))


def test_pay_moments_match_monte_carlo():
    curve = PayCurve.build(rate=0.02, tiers=[(1.0, 0.04)], bonuses=[(1.0, 5_000)])
    mean, var = pay_moments(curve, np.array([95_000.0]), np.array([20_000.0]), np.array([Q]))
    draws = np.random.default_rng(0).normal(95_000, 20_000, 400_000)
    pay = curve.pay(draws, Q)
    assert mean[0] == pytest.approx(pay.mean(), rel=0.01)
    assert var[0] == pytest.approx(pay.var(), rel=0.03)


def test_pay_moments_are_the_integrals_of_the_curve_against_the_normal_density():
    """The closed form against quadrature, segment by segment, for several reps at once (one with
    no spread), with a threshold, a rate table, bonus steps and a cap, and a scalar quota."""
    from scipy import integrate, stats

    curve = PayCurve.build(rate=0.03, tiers=[(1.0, 0.05)], threshold=0.5, cap=1.5,
                           bonuses=[(0.8, 500.0), (1.0, 2_000.0)])
    mean = np.array([40_000.0, 95_000.0, 120_000.0, 180_000.0, 110_000.0])
    sd = np.array([10_000.0, 20_000.0, 35_000.0, 15_000.0, 0.0])
    first, second = pay_moments(curve, mean, sd, Q)
    for m, s, got_mean, got_var in zip(mean[:-1], sd[:-1], first[:-1], second[:-1]):
        density = stats.norm(m, s).pdf
        inside = [x for x in curve.lo[1:] * Q if abs(x - m) < 12 * s]  # beyond 12 sd the density is nothing
        edges = [m - 12 * s, *inside, m + 12 * s]
        moment = [sum(integrate.quad(lambda x, k=k, f=density: curve.pay(x, Q) ** k * f(x), a, b,
                                     epsabs=1e-12, epsrel=1e-12)[0] for a, b in pairwise(edges)) for k in (1, 2)]
        assert got_mean == pytest.approx(moment[0], rel=1e-7)
        assert got_var == pytest.approx(moment[1] - moment[0] ** 2, rel=1e-6)
    assert first[-1] == pytest.approx(curve.pay(110_000.0, Q)) and second[-1] == pytest.approx(0.0, abs=1e-3)


plans = st.builds(
    lambda rate, tiers, threshold, cap, bonus, bonus_at: PayCurve.build(
        rate=rate, tiers=tiers, threshold=threshold, cap=cap, bonuses=[(bonus_at, bonus)]
    ),
    rate=st.floats(0, 0.2),
    tiers=st.lists(st.tuples(st.floats(0.1, 3), st.floats(0, 0.3)), max_size=3),
    threshold=st.floats(0, 1),
    cap=st.one_of(st.none(), st.floats(0.5, 3)),
    bonus=st.floats(0, 20_000),
    bonus_at=st.floats(0.1, 2),
)


@settings(max_examples=200, deadline=None)
@given(curve=plans, quota=st.floats(1_000, 1e7))
def test_pay_is_never_negative_and_never_falls_as_sales_rise(curve, quota):
    sales = np.linspace(0, 4 * quota, 400)
    pay = curve.pay(sales, quota)
    assert np.all(pay >= 0)
    assert np.all(np.diff(pay) >= -1e-6 * (1 + pay[:-1]))


@settings(max_examples=200, deadline=None)
@given(curve=plans, quota=st.floats(1_000, 1e7))
def test_commission_is_continuous_above_the_threshold_and_flat_above_the_cap(curve, quota):
    paying = np.flatnonzero((curve.slope > 0) | (curve.quota_coef != 0))
    gate = curve.lo[paying[0]] if paying.size else 0.0
    sales = np.linspace(gate * quota + 1.0, 4 * quota, 2_000)
    commission = curve.commission(sales, quota)
    steepest = curve.slope.max()
    assert np.all(np.diff(commission) <= steepest * np.diff(sales) + 1e-6)
    cap_at = [lo for lo, s in zip(curve.lo, curve.slope) if s == 0 and lo > gate]
    if cap_at and np.all(curve.slope[curve.lo >= cap_at[-1]] == 0):
        above = np.linspace(cap_at[-1] * quota, 5 * quota, 20)
        np.testing.assert_allclose(curve.commission(above, quota), curve.commission(above[0], quota))
