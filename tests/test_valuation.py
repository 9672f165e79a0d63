"""The reps' closed-form valuations against simulation and enumeration."""

import numpy as np
import pytest

from simulator.behaviour import valuation as V
from simulator.pay.payout import PayCurve

pytestmark = pytest.mark.slow  # real days of every scenario

Q = 250_000.0


@pytest.fixture(scope="module")
def curve():
    c, gi = PayCurve.build(rate=0.02, tiers=[(1.0, 0.04)], cap=1.6, bonuses=[(1.0, 5_000)], threshold=0.4) \
        .with_breakpoint(1.0)
    return c.kernel(gi)


def pointwise(curve, sales, goal):
    return np.array([V.curve_at(s, Q, curve, goal) for s in sales])


@pytest.mark.parametrize("mu,s,r,goal", [
    (240e3, 30e3, 0.0, 500.0), (240e3, 30e3, 5e-5, 500.0), (150e3, 20e3, 1e-4, 0.0), (420e3, 60e3, 3e-5, 800.0),
])
def test_certainty_equivalent_matches_monte_carlo(curve, mu, s, r, goal):
    draws = np.random.default_rng(1).normal(mu, s, 200_000)
    value = pointwise(curve, draws, goal)
    expected = value.mean() - 0.5 * r * value.var()
    got = V.value_normal(mu, s, Q, curve, goal, r)
    assert got == pytest.approx(expected, abs=3 * value.std() / np.sqrt(len(draws)) + 1.0)


@pytest.mark.parametrize("mu,s,x,alternative", [
    (240e3, 30e3, 20e3, 500.0), (230e3, 10e3, 2e3, 60.0), (400e3, 50e3, 20e3, 700.0), (50e3, 40e3, 20e3, 0.0),
])
def test_gain_and_option_match_monte_carlo(curve, mu, s, x, alternative):
    draws = np.random.default_rng(2).normal(mu, s, 200_000)
    gain = pointwise(curve, draws + x, 400.0) - pointwise(curve, draws, 400.0)
    g, option = V.gain_and_option(mu, s, x, alternative, Q, curve, 400.0, np.empty(32))
    tol = 4 * gain.std() / np.sqrt(len(draws)) + 1e-6
    assert g == pytest.approx(gain.mean(), abs=tol)
    assert option == pytest.approx(np.maximum(gain, alternative).mean(), abs=tol)
    assert option >= max(g, alternative) - 1e-9


def test_exact_distribution_matches_enumeration(curve):
    """Pipeline wins (binomial) plus new wins (Poisson) of two products, against simulation."""
    win = np.array([0.4, 0.25])
    values = np.array([2_000.0, 20_000.0])
    pipe = np.array([6, 3])
    lam = np.array([2.5, 0.4])
    pmfs = np.zeros((2, V.MAX_COUNT))
    base = np.zeros((2, V.MAX_COUNT))
    lengths = np.zeros(2, dtype=np.int64)
    for p in range(2):
        n = V.binomial_pmf(pipe[p], win[p], base[p])
        lengths[p] = V.count_pmf(base[p], n, lam[p], np.zeros(V.MAX_COUNT), pmfs[p])
    atom_v = np.zeros(V.MAX_ATOMS)
    atom_p = np.zeros(V.MAX_ATOMS)
    n_atoms = V.build_atoms(pmfs, lengths, values, atom_v, atom_p)
    assert atom_p[:n_atoms].sum() == pytest.approx(1.0, abs=1e-5)
    booked = 215_000.0
    got = V.value_atoms(booked, atom_v, atom_p, n_atoms, Q, curve, 500.0, 0.0)
    rng = np.random.default_rng(3)
    n = 400_000
    wins = rng.binomial(pipe, win, size=(n, 2)) + rng.poisson(lam, size=(n, 2))
    sales = booked + wins @ values
    assert got == pytest.approx(pointwise(curve, sales, 500.0).mean(), rel=0.01)


def test_normal_misstates_the_chance_of_a_threshold_with_few_deals(curve):
    """With a handful of lumpy deals the normal approximation misstates the chance of reaching quota."""
    pmfs = np.zeros((1, V.MAX_COUNT))
    base = np.zeros((1, V.MAX_COUNT))
    lengths = np.zeros(1, dtype=np.int64)
    n = V.binomial_pmf(0, 0.5, base[0])
    lengths[0] = V.count_pmf(base[0], n, 1.2, np.zeros(V.MAX_COUNT), pmfs[0])  # about one deal expected
    atom_v, atom_p = np.zeros(V.MAX_ATOMS), np.zeros(V.MAX_ATOMS)
    n_atoms = V.build_atoms(pmfs, lengths, np.array([20_000.0]), atom_v, atom_p)
    booked = Q - 15_000.0  # one deal reaches quota
    exact = V.value_atoms(booked, atom_v, atom_p, n_atoms, Q, curve, 0.0, 0.0)
    normal = V.value_normal(booked + 24_000.0, np.sqrt(1.2) * 20_000.0, Q, curve, 0.0, 0.0)
    p_reach = 1 - np.exp(-1.2)  # P(at least one deal)
    assert exact > normal + 0.05 * 5_000 * p_reach


def test_value_counts_equals_enumerating_every_atom(curve):
    """The prefix-sum evaluation over count distributions equals the sum over all atoms."""
    rng = np.random.default_rng(4)
    values = np.array([2_000.0, 20_000.0])
    for _ in range(20):
        pmfs = np.zeros((2, V.MAX_COUNT))
        base = np.zeros((2, V.MAX_COUNT))
        lengths = np.zeros(2, dtype=np.int64)
        for p in range(2):
            n = V.binomial_pmf(int(rng.integers(0, 12)), float(rng.uniform(0.1, 0.6)), base[p])
            lengths[p] = V.count_pmf(base[p], n, float(rng.uniform(0, 4)), np.zeros(V.MAX_COUNT), pmfs[p])
        booked = float(rng.uniform(150_000, 260_000))
        r = float(rng.choice([0.0, 5e-5]))
        atom_v, atom_p = np.zeros(V.MAX_ATOMS), np.zeros(V.MAX_ATOMS)
        n_atoms = V.build_atoms(pmfs.copy(), lengths.copy(), values, atom_v, atom_p)
        by_atoms = V.value_atoms(booked, atom_v, atom_p, n_atoms, Q, curve, 300.0, r)
        by_counts = V.value_counts(booked, pmfs, lengths, values, Q, curve, 300.0, r,
                                   np.zeros(V.MAX_ATOMS), np.zeros(V.MAX_ATOMS), np.zeros((3, V.MAX_COUNT + 1)))
        assert by_counts == pytest.approx(by_atoms, rel=1e-5)  # the atoms drop probabilities below 1e-7


@pytest.mark.parametrize("n", [0, 1, 3, 12, 40, 95])
@pytest.mark.parametrize("w", [0.0, 0.1, 0.25, 0.4, 0.6])
@pytest.mark.parametrize("lam", [0.0, 0.3, 2.0, 12.0])
def test_compound_recurrence_matches_the_convolution(n, w, lam):
    """The O(length) recurrence for binomial pipeline wins plus Poisson new wins equals the
    convolution of the two distributions (up to where each cuts its tail)."""
    out = np.zeros((1, V.MAX_COUNT))
    length = V.compound_binomial_row.py_func(float(n), w, lam, 0, out)
    base = np.zeros(V.MAX_COUNT)
    reference = np.zeros(V.MAX_COUNT)
    ref_length = V.count_pmf(base, V.binomial_pmf(n, w, base), lam, np.zeros(V.MAX_COUNT), reference)
    assert length > 0
    assert abs(out[0, :length].sum() - reference[:ref_length].sum()) < 3e-7  # both cut at MAX_COUNT
    m = min(length, ref_length)
    np.testing.assert_allclose(out[0, :m], reference[:m], atol=1e-7)


def certainty_equivalent(value: np.ndarray, r: float) -> float:
    return value.mean() - 0.5 * r * value.var()


@pytest.mark.parametrize("mu,s,x,alternative,r", [
    (240e3, 30e3, 20e3, 500.0, 5e-5), (230e3, 10e3, 2e3, 60.0, 1e-4), (400e3, 50e3, 20e3, 700.0, 5e-5),
    (200e3, 40e3, 20e3, 300.0, 2e-4),
])
def test_risk_averse_gain_and_option_match_monte_carlo(curve, mu, s, x, alternative, r):
    """Timing in certainty equivalents (`gain_and_option_ce`): booking now is worth CE[value(S + x)]
    - CE[value(S)], keeping the choice CE[max(value(S + x), value(S) + alternative)] - CE[value(S)],
    CE = E - r/2 Var as the effort choice values pay; against the same draws."""
    draws = np.random.default_rng(3).normal(mu, s, 200_000)
    base = pointwise(curve, draws, 400.0)
    now = pointwise(curve, draws + x, 400.0)
    g, option = V.gain_and_option_ce(mu, s, x, alternative, Q, curve, 400.0, np.empty(32), r)
    tol = 6 * (now - base).std() / np.sqrt(len(draws)) + 0.5 * r * 6 * now.var() * np.sqrt(2 / len(draws)) + 1.0
    assert g == pytest.approx(certainty_equivalent(now, r) - certainty_equivalent(base, r), abs=tol)
    kept = np.maximum(now, base + alternative)
    assert option == pytest.approx(certainty_equivalent(kept, r) - certainty_equivalent(base, r), abs=tol)


def test_risk_moves_a_deals_value_where_the_bonus_is_in_reach(curve):
    """Below the quota a deal raises the chance of the $5,000 bonus, and with it the variance of
    pay: a risk-averse rep values it less than a risk-neutral one; well above the quota, where the
    bonus is nearly sure, a deal that makes it surer is worth more to it."""
    below = 200e3, 40e3, 20e3, 300.0
    above = 270e3, 20e3, 20e3, 300.0
    assert V.gain_and_option_ce(*below, Q, curve, 400.0, np.empty(32), 2e-4)[0] < \
        V.gain_and_option(*below, Q, curve, 400.0, np.empty(32))[0] - 100.0
    assert V.gain_and_option_ce(*above, Q, curve, 400.0, np.empty(32), 2e-4)[0] > \
        V.gain_and_option(*above, Q, curve, 400.0, np.empty(32))[0] + 10.0


def test_risk_changes_no_timing_under_linear_pay():
    """Under linear commission a deal's credit adds a sure amount and leaves pay's variance alone:
    the certainty equivalents are the risk-neutral values, for any risk aversion (no calendar
    effects from risk; Holmstrom and Milgrom 1987)."""
    c, gi = PayCurve.build(rate=0.05, tiers=[], cap=None, bonuses=[], threshold=0.0).with_breakpoint(1.0)
    linear = c.kernel(gi)
    for r in (0.0, 5e-5, 5e-4):
        g, option = V.gain_and_option_ce(240e3, 30e3, 20e3, 700.0, Q, linear, 0.0, np.empty(32), r)
        assert g == pytest.approx(0.05 * 20e3, rel=1e-7)
        assert option == pytest.approx(max(0.05 * 20e3, 700.0), rel=1e-7)


def test_a_risk_neutral_rep_times_deals_as_before(curve):
    for args in [(240e3, 30e3, 20e3, 500.0), (50e3, 40e3, 20e3, 0.0)]:
        assert V.gain_and_option_ce(*args, Q, curve, 400.0, np.empty(32), 0.0) == \
            V.gain_and_option(*args, Q, curve, 400.0, np.empty(32))
