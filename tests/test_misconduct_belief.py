"""What reps believe a found act of misconduct costs, against the world's own rules
(`behaviour.misconduct.found_while_open`, `conduct_terms`; the world: `conduct.oversight`)."""

import numpy as np
from conftest import small

from simulator.behaviour.misconduct import believed, conduct_terms, found_while_open
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


def test_without_clawback_a_finding_takes_nothing_back():
    world, c = terms()
    assert c.reversal == 1.0 and c.clawback_share == world.plan.clawback_share > 0
    _, off = terms("management.sanctions.clawback=false")
    assert (off.reversal, off.clawback_share) == (0.0, 0.0)


def test_a_belief_is_a_chance_whatever_the_trait_draws():
    assert believed(0.3, 1.0) == 0.3
    assert believed(0.3, 10.0) == 1.0
    assert believed(0.3, -0.5) == 0.0
