"""Acts of misconduct and how they come to light: the ledger, complaints, audits, whistle-blowing,
sanctions and the regulator.

Every act (a fabricated sale or a mis-sale) is recorded with the day, the rep, its credit and the
events it will cause: a customer complaint after a delay (fees noticed, an unneeded repair found
out), a colleague's report. Complaints harm trust in the territory whether or not anyone acts on
them; investigated complaints, reports and audits detect acts; detection brings the sanctions the
scenario sets (clawback of the credit, a warning, dismissal after repeated findings). Once detected
acts pass the regulator's threshold the firm pays fines and remediation. Events sit on a calendar
of linked lists by day, and each rep's acts on a linked list by rep, so a day's work touches only
that day's events and audited reps' recent acts.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from numba import njit

from simulator.draws import (
    AUDIT,
    AUDIT_CATCH,
    COMPLAINT_CHANCE,
    COMPLAINT_DELAY,
    INVESTIGATE,
    REFUND,
    REPORT_CHANCE,
    REPORT_DELAY,
    exponential,
    uniform,
)

FABRICATION, MIS_SALE = 0, 1
COMPLAINT, REPORT = 0, 1
REPORT_DELAY_DAYS = 10.0  # mean business days from a colleague seeing an act to reporting it

# columns of the day's misconduct totals (compiled into other modules' kernels: clear numba's caches
# after changing them)
FAKE_CREDIT, FABRICATIONS, MIS_SOLD, MIS_SALES, FEES, FEE_REFUNDS, REFUNDS, COMPLAINTS, DETECTIONS, FINES, \
    REMEDIATION, DISMISSALS, CREDIT_REVERSED, CLAWBACK_BOOKED = range(14)
DAY_COLUMNS = ("fake_credit", "fabrications", "mis_sold", "mis_sales", "fees", "fee_refunds", "refunds", "complaints",
               "detections", "fines", "remediation", "dismissals", "credit_reversed", "misconduct_clawback")


class Acts(NamedTuple):
    """The act arrays as the kernels take them: one entry per act, and the ledger's counters
    (`count`: acts so far; `slot_head`: each slot's latest act; `found`: acts detected and fined so far)."""

    slot: np.ndarray
    rep_id: np.ndarray
    day: np.ndarray
    kind: np.ndarray
    product: np.ndarray
    credit: np.ndarray
    value: np.ndarray
    period: np.ndarray
    detected_day: np.ndarray
    complaint_day: np.ndarray
    refunded: np.ndarray
    fined: np.ndarray
    prev_same_slot: np.ndarray
    count: np.ndarray
    slot_head: np.ndarray
    found_order: np.ndarray
    found: np.ndarray
    attainment: np.ndarray
    days_left: np.ndarray


class Events(NamedTuple):
    """Complaints and reports to come: linked lists by day (`day_head`), each event an act and a kind."""

    act: np.ndarray
    kind: np.ndarray
    next: np.ndarray
    count: np.ndarray
    day_head: np.ndarray


class Ledger:
    """All acts of a run and the events they will cause; arrays grow as needed."""

    FIELDS = {
        "slot": np.int64, "rep_id": np.int64, "day": np.int64, "kind": np.int64, "product": np.int64,
        "credit": np.float64, "value": np.float64, "period": np.int64, "detected_day": np.int64,
        "complaint_day": np.int64, "refunded": np.bool_, "fined": np.bool_, "prev_same_slot": np.int64,
        "found_order": np.int64, "attainment": np.float64, "days_left": np.int64,
    }

    def __init__(self, n_slots: int, n_days: int, capacity: int = 1024):
        self.capacity = capacity
        self.acts = {k: np.zeros(capacity, dtype=t) for k, t in self.FIELDS.items()}
        self.count = np.zeros(1, dtype=np.int64)
        self.slot_head = np.full(n_slots, -1, dtype=np.int64)  # the slot's latest act
        self.event_act = np.zeros(2 * capacity, dtype=np.int64)
        self.event_kind = np.zeros(2 * capacity, dtype=np.int64)
        self.event_next = np.zeros(2 * capacity, dtype=np.int64)
        self.event_count = np.zeros(1, dtype=np.int64)
        self.day_head = np.full(n_days + 1, -1, dtype=np.int64)
        self.found = np.zeros(2, dtype=np.int64)  # acts detected so far, and fined so far
        self._bundles: tuple[Acts, Events] | None = None  # kept until the arrays grow: the kernels' calls stay steady

    def reserve(self, extra: int) -> None:
        """Make room for `extra` more acts (and their events) before a kernel writes them."""
        need = int(self.count[0]) + extra
        if need > self.capacity:
            new = max(2 * self.capacity, need)
            self.acts = {k: np.concatenate([a, np.zeros(new - self.capacity, dtype=a.dtype)]) for k, a in self.acts.items()}
            grow = 2 * new - len(self.event_act)
            self.event_act = np.concatenate([self.event_act, np.zeros(grow, dtype=np.int64)])
            self.event_kind = np.concatenate([self.event_kind, np.zeros(grow, dtype=np.int64)])
            self.event_next = np.concatenate([self.event_next, np.zeros(grow, dtype=np.int64)])
            self.capacity = new
            self._bundles = None

    def _kept(self) -> tuple[Acts, Events]:
        """The act and event arrays as the kernels take them, the same bundles until the arrays grow
        (`simulator.steady`)."""
        if self._bundles is None:
            a = self.acts
            self._bundles = (
                Acts(a["slot"], a["rep_id"], a["day"], a["kind"], a["product"], a["credit"], a["value"], a["period"],
                     a["detected_day"], a["complaint_day"], a["refunded"], a["fined"], a["prev_same_slot"],
                     self.count, self.slot_head, a["found_order"], self.found, a["attainment"], a["days_left"]),
                Events(self.event_act, self.event_kind, self.event_next, self.event_count, self.day_head))
        return self._bundles

    def arrays(self) -> Acts:
        """The act arrays as the kernels take them."""
        return self._kept()[0]

    def mis_sold_since(self, first: int, n_slots: int, n_products: int) -> np.ndarray:
        """Revenue of mis-sales recorded from act `first` on, by slot and product."""
        n = int(self.count[0])
        out = np.zeros((n_slots, n_products))
        a = self.acts
        pick = np.flatnonzero(a["kind"][first:n] == MIS_SALE) + first
        np.add.at(out, (a["slot"][pick], a["product"][pick]), a["value"][pick])
        return out

    def events(self) -> Events:
        return self._kept()[1]

    def table(self, product_names, segment_of_rep: dict | None = None) -> pd.DataFrame:
        """One row per act: who, when, what, whether and when it was detected."""
        n = int(self.count[0])
        a = {k: v[:n] for k, v in self.acts.items()}
        frame = pd.DataFrame({
            "rep_id": a["rep_id"], "slot": a["slot"], "day": a["day"], "period": a["period"],
            "kind": np.where(a["kind"] == FABRICATION, "fabrication", "mis_sale"),
            "product": np.asarray(product_names, dtype=object)[a["product"]] if n else np.array([], dtype=object),
            "credit": a["credit"], "value": a["value"],
            "attainment_when_decided": a["attainment"], "days_left_when_decided": a["days_left"],
            "complaint_day": a["complaint_day"], "detected_day": a["detected_day"],
            "refunded": a["refunded"], "fined": a["fined"],
        })
        frame["detected"] = frame["detected_day"] >= 0
        frame["detection_lag_days"] = np.where(frame["detected"], frame["detected_day"] - frame["day"], np.nan)
        return frame


@njit(cache=True, error_model="numpy")
def record_act(slot, rep_id, day, kind, product, credit, value, period, attainment, days_left, complaint_rate,
               complaint_delay, report_chance, n_days, acts, events, rng):
    """Write one act (with the rep's attainment and days left when it decided) and schedule the
    complaint and the colleague's report it may bring."""
    (a_slot, a_rep, a_day, a_kind, a_product, a_credit, a_value, a_period, a_detected, a_complaint, a_refunded,
     a_fined, a_prev, count, slot_head, found_order, found, a_attainment, a_days_left) = acts
    k = count[0]
    count[0] += 1
    a_slot[k] = slot
    a_rep[k] = rep_id
    a_day[k] = day
    a_kind[k] = kind
    a_product[k] = product
    a_credit[k] = credit
    a_value[k] = value
    a_period[k] = period
    a_attainment[k] = attainment
    a_days_left[k] = days_left
    a_detected[k] = -1
    a_complaint[k] = -1
    a_refunded[k] = False
    a_fined[k] = False
    a_prev[k] = slot_head[slot]
    slot_head[slot] = k
    if uniform(rng, slot, COMPLAINT_CHANCE) < complaint_rate:
        when = day + 1 + int(exponential(rng, slot, COMPLAINT_DELAY, complaint_delay))
        a_complaint[k] = when
        _schedule(k, COMPLAINT, when, n_days, events)
    if report_chance > 0.0 and uniform(rng, slot, REPORT_CHANCE) < report_chance:
        _schedule(k, REPORT, day + 1 + int(exponential(rng, slot, REPORT_DELAY, REPORT_DELAY_DAYS)), n_days, events)


@njit(cache=True, error_model="numpy")
def _schedule(act, kind, when, n_days, events):
    event_act, event_kind, event_next, event_count, day_head = events
    if when >= n_days:
        return
    e = event_count[0]
    event_count[0] += 1
    event_act[e] = act
    event_kind[e] = kind
    event_next[e] = day_head[when]
    day_head[when] = e


@njit(cache=True, error_model="numpy")
def _refund(k, acts, totals):
    """Give the customer's money back (the sale's price, or the fees of a fake account)."""
    a_kind, a_value, a_refunded = acts.kind, acts.value, acts.refunded
    if a_refunded[k]:
        return False
    a_refunded[k] = True
    totals[REFUNDS if a_kind[k] == MIS_SALE else FEE_REFUNDS] += a_value[k]
    return True


class Rules(NamedTuple):
    """How the firm and the regulator respond to misconduct (`management`, `market.regulator`)."""

    clawback_share: float  # share of commission clawed back on a reversed sale
    clawback: bool  # whether detected acts' credit is reversed
    warnings_before_firing: int
    harm_per_complaint: float  # trust lost in the territory per complaint
    refund_rate: float  # chance a complaining mis-sold customer is refunded
    investigation: float  # chance a complaint is investigated
    audit_rate: float  # chance a rep is audited on a day
    audit_catch: float  # chance an audit finds each act in its window
    audit_window: int  # business days an audit looks back
    threshold: int  # acts found before the regulator fines
    fine_per_act: float
    remediation_per_customer: float


class Record(NamedTuple):
    """Each position's record that oversight reads and writes."""

    active: np.ndarray
    rep_id: np.ndarray
    sales: np.ndarray
    clawback_due: np.ndarray
    last_rate: np.ndarray  # commission per credited $ in the last settled period
    warnings: np.ndarray
    dismissed: np.ndarray
    caught_today: np.ndarray
    detected: np.ndarray  # acts detected this period
    trust: np.ndarray  # customers' trust in the territory


@njit(cache=True, error_model="numpy")
def _reverse_credit(k, acts, record, period_now, clawback_share, totals):
    """Take an act's credit back from the rep who booked it: from the open period's sales, or as a
    clawback of the commission it earned in a settled period (a rep who has left is out of reach)."""
    a_slot, a_rep, a_credit, a_period = acts.slot, acts.rep_id, acts.credit, acts.period
    slot = a_slot[k]
    if record.rep_id[slot] != a_rep[k]:
        return
    if a_period[k] == period_now:
        record.sales[slot] -= a_credit[k]
        totals[CREDIT_REVERSED] += a_credit[k]
    else:
        record.clawback_due[slot] += a_credit[k] * record.last_rate[slot] * clawback_share
        totals[CLAWBACK_BOOKED] += a_credit[k] * record.last_rate[slot] * clawback_share


@njit(cache=True, error_model="numpy")
def _detect(k, day, period_now, acts, record, rules, totals):
    a_slot, a_rep, a_detected = acts.slot, acts.rep_id, acts.detected_day
    if a_detected[k] >= 0:
        return
    a_detected[k] = day
    totals[DETECTIONS] += 1
    found_order, found = acts.found_order, acts.found
    found_order[found[0]] = k
    found[0] += 1
    slot = a_slot[k]
    # the customer is made whole; a mis-sale refunded on its complaint already had its credit taken back
    reversed_before = not _refund(k, acts, totals) and acts.kind[k] == MIS_SALE
    if record.rep_id[slot] != a_rep[k] or not record.active[slot]:
        return
    record.detected[slot] += 1
    record.caught_today[slot] = True
    if rules.clawback and not reversed_before:
        _reverse_credit(k, acts, record, period_now, rules.clawback_share, totals)
    record.warnings[slot] += 1
    if record.warnings[slot] > rules.warnings_before_firing and not record.dismissed[slot]:
        record.dismissed[slot] = True
        totals[DISMISSALS] += 1


@njit(cache=True, error_model="numpy")
def oversee_acts(day, period_now, acts, events, record, rules, totals, rng):
    """Today's complaints and reports, audits, sanctions, and the regulator's fines."""
    a_slot, a_kind, a_detected, a_fined = acts.slot, acts.kind, acts.detected_day, acts.fined
    e = events.day_head[day]
    while e >= 0:
        k = events.act[e]
        if events.kind[e] == COMPLAINT:
            totals[COMPLAINTS] += 1
            slot = a_slot[k]
            record.trust[slot] = max(record.trust[slot] - rules.harm_per_complaint, 0.0)
            refund = a_kind[k] == FABRICATION or uniform(rng, slot, REFUND) < rules.refund_rate
            if refund and _refund(k, acts, totals) and a_kind[k] == MIS_SALE:
                # a refunded sale no longer counts, like a cancellation
                _reverse_credit(k, acts, record, period_now, rules.clawback_share, totals)
            if uniform(rng, slot, INVESTIGATE) < rules.investigation:
                _detect(k, day, period_now, acts, record, rules, totals)
        else:
            _detect(k, day, period_now, acts, record, rules, totals)
        e = events.next[e]
    if rules.audit_rate > 0.0:
        a_day, a_prev, slot_head = acts.day, acts.prev_same_slot, acts.slot_head
        for slot in range(len(record.active)):
            k = slot_head[slot]
            if k < 0 or a_day[k] < day - rules.audit_window or not record.active[slot]:
                continue  # nothing recent to find
            if uniform(rng, slot, AUDIT) >= rules.audit_rate:
                continue
            while k >= 0 and a_day[k] >= day - rules.audit_window:
                # an audit reviews records already on the books: today's bookings wait for tomorrow's
                if a_day[k] < day and a_detected[k] < 0 and uniform(rng, slot, AUDIT_CATCH) < rules.audit_catch:
                    _detect(k, day, period_now, acts, record, rules, totals)
                k = a_prev[k]
    # the regulator: once enough acts have come to light, every one found is fined and remedied
    found_order, found = acts.found_order, acts.found
    if found[0] >= rules.threshold:
        for n in range(found[1], found[0]):
            a_fined[found_order[n]] = True
            totals[FINES] += rules.fine_per_act
            totals[REMEDIATION] += rules.remediation_per_customer
        found[1] = found[0]
