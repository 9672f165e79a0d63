"""The day's schedule, written once: the engine, the Mesa model, the benchmark and the tests all
run these phases, in this order (each is an `Engine` method of the same name)."""

from __future__ import annotations

PHASES: tuple[tuple[str, str], ...] = (
    ("open_day", "the calendar, demand and what reps expect of the rest of the period"),
    ("start_levers", "a launched product's awareness and learning; skills and training"),
    ("outlook", "reps read where they stand, and what the levers offer today"),
    ("decide", "reps choose effort and product focus"),
    ("prospect", "effort turns leads into opportunities"),
    ("close_deals", "opportunities due today are decided; ready customers sign, wait or are held"),
    ("time_deals", "reps book, hold, discount, pull in or push out"),
    ("misbehave", "reps weigh fabricating sales or selling customers what they do not need"),
    ("cancel", "cancellations reverse sales and come back as clawbacks"),
    ("oversee", "check-ins, complaints, audits, reports and sanctions; norms and trust move"),
    ("end_levers", "activities logged (some perhaps never made) and audited; SPIF units counted"),
    ("bill", "month ends: recurring revenue is billed and subscriptions churn"),
    ("turnover", "month ends: reps weigh quitting"),
    ("settle", "period ends: pay, quotas, customers learn, firing"),
    ("staff", "leavers go, new hires start after the vacancy"),
    ("record", "the day's row; the day ends"),
)
PHASE_NAMES: tuple[str, ...] = tuple(name for name, _ in PHASES)
