"""What reps believe a found act of misconduct costs, against the world's own rules
(`behaviour.misconduct.found_while_open`, `credit_taken`, `conduct_terms`; the world: `conduct.oversight`)."""

import numpy as np
import pytest
from conftest import small

from simulator import draws
from simulator.behaviour.misconduct import believed, conduct_terms, credit_taken, found_while_open
from simulator.conduct import oversight
from simulator.world.build import build_world

WATCHED = ("management.detection.audit_rate=0.01", "management.detection.complaint_investigation=0.5",
           "management.detection.whistleblowing=0.1")


def terms(*overrides):
    world = build_world(small("sears_auto", *WATCHED, *overrides), np.random.default_rng(0))
    return world, conduct_terms(world.scenario, world.products, world.p_found, world.plan.clawback_share)


def test_nothing_finds_an_act_before_a_period_closes_on_its_last_day():
    """Complaints and reports come from the next day on and audits review yesterday's books, so an
    act on a period's last day (and every act under daily goals) is never found while it is open."""
    _, c = terms()
    assert found_while_open(1, c.mis_complaint, c.mis_delay, 0.1, c) == 0.0


def test_the_chance_of_a_finding_while_open_grows_to_the_worlds_chance_of_any_finding():
    """Over a long enough period every finding comes while it is open, so the chance reaches the
    world's chance of the act ever being found (`world.p_found`, with a colleague's report)."""
    world, c = terms()
    report = 0.1
    chances = [found_while_open(d, c.mis_complaint, c.mis_delay, report, c) for d in (2, 5, 21, 63, 252, 5000)]
    assert np.all(np.diff(chances) > 0)
    ever = 1.0 - (1.0 - world.p_found[1]) * (1.0 - report)
    assert abs(chances[-1] - ever) < 1e-12
    assert chances[2] < 0.9 * ever  # a month is too short for most complaints (30 days on average)


def test_without_clawback_a_finding_takes_nothing_back_but_a_refund_still_does():
    """`sanctions.clawback: false` stops findings taking credit back; a refunded mis-sale still loses
    its credit, at the plan's clawback share once its period is paid (`oversight_acts`)."""
    world, c = terms()
    assert c.reversal == 1.0 and c.clawback_share == world.plan.clawback_share > 0
    _, off = terms("management.sanctions.clawback=false")
    assert off.reversal == 0.0 and off.clawback_share == world.plan.clawback_share
    assert credit_taken(0.4, 0.3, 0.6, off.refund_rate, off.reversal) == pytest.approx(0.3 * off.refund_rate)


def test_credit_is_taken_back_by_a_finding_or_a_refund_counted_once():
    """With clawback, the credit goes when the act is found or refunded: the chance of the union,
    found + refunded - both, where a refunded complaint is found with `found_on_complaint`; with no
    complaint it is exactly the chance of being found (fake accounts: only their fees are refunded)."""
    found, complained, on_complaint, refund = 0.4, 0.3, 0.7, 0.6
    both = complained * refund * on_complaint
    assert credit_taken(found, complained, on_complaint, refund, 1.0) == pytest.approx(
        found + complained * refund - both)
    assert credit_taken(found, 0.0, on_complaint, refund, 1.0) == found
    assert credit_taken(found, complained, on_complaint, 0.0, 1.0) == found


def _one_mis_sale(clawback: bool):
    """A rep's single mis-sale in an open period, its customer certain to complain and, when they do,
    certain to be refunded and the complaint certain to be investigated."""
    ledger = oversight.Ledger(n_slots=1, n_days=400)
    rng = draws.stream_for(np.random.default_rng(3))  # as the engine hands it to the kernels
    oversight.record_act(0, 7, 0, oversight.MIS_SALE, 0, 2.5, 300.0, 0, 0.9, 5, 1.0, 2.0, 0.0, 400,
                         ledger.arrays(), ledger.events(), rng)
    record = oversight.Record(np.array([True]), np.array([7]), np.array([10.0]), np.zeros(1), np.array([0.1]),
                              np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.bool_), np.zeros(1, dtype=np.bool_),
                              np.zeros(1, dtype=np.int64), np.ones(1))
    rules = oversight.Rules(1.0, clawback, 5, 0.0, 1.0, 1.0, 0.0, 0.0, 20, 10**9, 0.0, 0.0)
    totals = np.zeros(len(oversight.DAY_COLUMNS))
    for day in range(1, 400):
        oversight.oversee_acts(day, 0, ledger.arrays(), ledger.events(), record, rules, totals, rng)
    return ledger, record, totals


@pytest.mark.parametrize("clawback", [True, False])
def test_a_refunded_mis_sale_found_on_its_complaint_loses_its_credit_once(clawback):
    """The refund on the complaint reverses the sale's credit; the investigation of the same
    complaint then finds the act (a warning, a detection) but has no credit left to take back."""
    ledger, record, totals = _one_mis_sale(clawback)
    assert ledger.acts["refunded"][0] and ledger.acts["detected_day"][0] > 0
    assert totals[oversight.DETECTIONS] == 1 and record.warnings[0] == 1
    assert totals[oversight.CREDIT_REVERSED] == 2.5
    assert record.sales[0] == 7.5


def test_a_belief_is_a_chance_whatever_the_trait_draws():
    assert believed(0.3, 1.0) == 0.3
    assert believed(0.3, 10.0) == 1.0
    assert believed(0.3, -0.5) == 0.0
