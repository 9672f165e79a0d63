"""A plan's terms in a compensation designer's words ("base $80,000 a year; 10% to quota, 20% above;
cap 200%; quota $250,000 a quarter"), for the cards at the top of every report and for `salesim check`.

The dollar figures (quota, pay at 100%, OTE) come from the plan as the engine compiles it
(`simulator.analysis.payout_curve`), so the words cannot disagree with what reps are paid.
"""

from __future__ import annotations

import html

from simulator.analysis.payout_curve import payout_curve
from simulator.scenario import Scenario

PERIOD_WORDS = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "half_year": "half-year",
                "year": "year"}
PER_YEAR = {"day": 252, "week": 252 / 5, "month": 12, "quarter": 4, "half_year": 2, "year": 1}


def money(value: float) -> str:
    """Dollars with thousands separators ($1,234,567), millions past ten million ($12.3 million)."""
    if abs(value) >= 1e7:
        return f"${value / 1e6:,.1f} million"
    return f"${value:,.0f}" if value >= 0 else f"-${-value:,.0f}"


def percent(share: float, digits: int = 0) -> str:
    """A share as a percentage (0.474 -> 47%)."""
    text = f"{share * 100:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def _rate(rate: float, units: bool = False) -> str:
    """A commission rate: a share of credited dollars, or dollars per credited unit (count goals)."""
    return f"${rate:,.2f} a unit".replace(".00 ", " ") if units else percent(rate, 2)


def _upto(at: float) -> str:
    return "quota" if at == 1 else f"{percent(at)} of quota"


def commission_terms(scenario: Scenario) -> str:
    """The rate table: '10% to quota, 20% above', with threshold and cap."""
    spec = scenario.plan
    scale = spec.variable_scale
    units = spec.credit_basis == "units"
    words = []
    tiers = sorted(spec.tiers, key=lambda t: t.at)
    if not tiers:
        words.append(f"{_rate(spec.commission_rate * scale, units)}".replace(" a unit", " a credited unit") if units
                     else f"{_rate(spec.commission_rate * scale)} commission on every credited $")
    else:
        words.append(f"{_rate(spec.commission_rate * scale, units)} to {_upto(tiers[0].at)}")
        for k, tier in enumerate(tiers):
            upto = f" to {_upto(tiers[k + 1].at)}" if k + 1 < len(tiers) else " above"
            words.append(f"{_rate(tier.rate * scale, units)}{upto}")
    if spec.credit_basis == "gross_profit":
        words.append(f"credited on {spec.credit_basis.replace('_', ' ')}")
    if spec.threshold > 0:
        words.append(f"nothing below {percent(spec.threshold)} of quota, then from the first $")
    if spec.cap is not None:
        words.append(f"cap {percent(spec.cap)} of quota")
    return ", ".join(words[:2]) + ("; " + "; ".join(words[2:]) if len(words) > 2 else "")


def quota_size(scenario: Scenario, amount: float) -> str:
    """A quota amount in its unit: dollars, or units under count goals."""
    return f"{amount:,.0f} units" if scenario.plan.credit_basis == "units" else money(amount)


def quota_terms(scenario: Scenario) -> str:
    """'quota $250,000 a quarter, the same for everyone, fixed'."""
    q = scenario.quota
    curve = payout_curve(scenario)
    period = PERIOD_WORDS[q.period]
    size = lambda v: quota_size(scenario, v)
    if q.amount is not None and q.amount_per not in (None, q.period):
        amount = f"quota {size(q.amount)} a {PERIOD_WORDS[q.amount_per]}, so {size(q.period_amount)} a {period}"
    elif q.amount is not None:
        amount = f"quota {size(q.amount)} a {period}"
    else:
        whose = {"uniform": "the force's", "individual": "each rep's own"}[q.basis]
        if q.policy == "territory":
            whose = "the territory's"
        amount = (f"quota {q.difficulty:g} x {whose} expected sales at normal effort "
                  f"(about {size(curve.quota)} a {period} for the average rep)")
    policy = {"fixed": "fixed", "ratchet": f"ratcheted ({percent(q.ratchet_up)} of any excess added next {period})",
              "growth": f"grows {percent(q.growth)} a year on last year's sales",
              "territory": "set from territory potential"}[q.policy]
    assigned = "" if q.assigned else "; a yardstick only, not the reps' goal"
    return f"{amount}, {policy}{assigned}"


def plan_terms(scenario: Scenario) -> list[tuple[str, str]]:
    """The plan's terms as (heading, words) lines, in the order a designer states them."""
    spec = scenario.plan
    period = PERIOD_WORDS[scenario.quota.period]
    curve = payout_curve(scenario)
    per_year = PER_YEAR[scenario.quota.period]
    at_quota = curve.pay_at(1.0) * per_year
    target = curve.target * per_year
    ote = spec.base_salary + target
    lines = [("Base", f"{money(spec.base_salary)} a year"),
             ("Commission", commission_terms(scenario))]
    bonus = curve.curve.lump[-1] if len(curve.curve.lump) else 0.0
    if bonus > 0:
        lines.append(("Bonus", f"{money(bonus)} a {period} at {percent(spec.bonus_at)} of quota"))
    if spec.stacked_bonus is not None and spec.stacked_bonus.amount > 0:
        sb = spec.stacked_bonus
        words = f"{money(sb.amount * spec.variable_scale)} a {PERIOD_WORDS[sb.period]} at {percent(sb.at)} of its quota"
        lines.append(("Stacked bonus", words))
    lines.append(("Quota", quota_terms(scenario)))
    if curve.target_stated and (spec.ote is not None or spec.mix is not None):
        words = f"{money(target)} a year (from the stated OTE and mix); the plan pays {money(at_quota)} a year at 100% of quota"
    elif curve.target_stated:
        words = f"{money(target)} a year (stated); the plan pays {money(at_quota)} a year at 100% of quota"
    else:
        words = f"{money(target)} a year (what the plan pays at 100% of quota)"
    lines.append(("Target incentive", words))
    mix = spec.base_salary / ote if ote > 0 else float("nan")
    lines.append(("OTE and mix", f"{money(ote)} a year on target; pay mix {percent(mix)}/{percent(1 - mix)} fixed/variable"))
    at = spec.leverage.at if spec.leverage is not None else 1.5  # the stated excellence point, else 150%
    upside = curve.pay_at(at) / curve.target if curve.target > 0 else float("nan")
    lines.append(("Leverage", f"{percent(upside)} of target incentive at {percent(at)} of quota"))
    if spec.clawback > 0:
        lines.append(("Clawback", f"{percent(spec.clawback)} of the commission on a cancelled sale"))
    if spec.churn_clawback is not None and spec.churn_clawback.share > 0:
        from simulator.analysis.sale_value import churn_clawback_share

        claw = spec.churn_clawback
        words = (f"{percent(claw.share)} of the commission on a subscription that churns within "
                 f"{claw.window_months} months of its sale; at {scenario.market.subscription.monthly_churn:.1%} "
                 f"monthly churn about {percent(churn_clawback_share(scenario))} of commission comes back")
        lines.append(("Churn clawback", words))
    if spec.variable_scale != 1:
        lines.append(("Scaled", f"every rate and bonus x {spec.variable_scale:.3f} (equal cost, or plan.variable_scale)"))
    extras = _extras(scenario)
    if extras:
        lines.append(("Also", "; ".join(extras)))
    return lines


def _extras(scenario: Scenario) -> list[str]:
    """Levers beside the quota plan, one phrase each."""
    spec = scenario.plan
    period = PERIOD_WORDS[scenario.quota.period]
    out = []
    if spec.contest is not None and spec.contest.prize > 0:
        c = spec.contest
        who = f"top {c.winners} of each {c.scope}" if c.kind == "rank" else f"everyone at {percent(c.level)}"
        out.append(f"contest: {money(c.prize)} to the {who} each {PERIOD_WORDS[c.period]}")
    if spec.team is not None and spec.team.amount > 0:
        out.append(f"team bonus {money(spec.team.amount)} a {period} at {percent(spec.team.at)} of the branch quota")
    if spec.draw is not None and spec.draw.amount > 0:
        kind = "recoverable draw" if spec.draw.recoverable else "guaranteed draw"
        out.append(f"{kind} of {money(spec.draw.amount)} a month for new hires' first {spec.draw.months} months")
    out += [f"SPIF {money(amount)} per {product} unit" for product, amount in spec.spif.items() if amount > 0]
    out += [f"{activity} logged: {money(amount)} each" for activity, amount in spec.activity_pay.items() if amount > 0]
    if spec.product_quota is not None:
        pq = spec.product_quota
        out.append(f"{money(pq.bonus)} a {period} for {pq.units:g} units of {pq.product}")
    if spec.activity_target is not None:
        at = spec.activity_target
        out.append(f"{money(at.bonus)} a {period} for {at.count:g} logged {at.activity}")
    return out


def world_terms(scenario: Scenario) -> str:
    """The force and horizon every total in a report covers."""
    segments = ", ".join(f"{name} {percent(s.share)}" for name, s in scenario.force.segments.items())
    years = f"{scenario.horizon_years:g} year{'' if scenario.horizon_years == 1 else 's'}"
    return (f"{scenario.force.size:,} rep positions ({segments}); {years}; "
            f"{len(scenario.products)} product{'s' if len(scenario.products) > 1 else ''}")


def terms_card(name: str, colour: str, scenario: Scenario) -> str:
    """One plan's terms as an HTML card, edged in the plan's colour."""
    from simulator.analysis.quota_fit import quota_fit

    fit = quota_fit(scenario)
    check = (f"expected attainment {percent(fit.attainment)} at normal effort, hit rate {percent(fit.hit_rate)}, "
             f"fixed share {percent(fit.fixed_share_expected)} (salesim check)")
    lines = [*plan_terms(scenario), ("Fit", check)]
    rows = "".join(f"<tr><th>{html.escape(head)}</th><td>{html.escape(words)}</td></tr>" for head, words in lines)
    warnings = "".join(f"<p class='warning'>{html.escape(w)}</p>" for w in fit.warnings)
    return (f"<div class='card' style='border-top:6px solid {colour}'><h3>{html.escape(name)}</h3>"
            f"<table class='terms'>{rows}</table>{warnings}<p class='note'>{html.escape(world_terms(scenario))}</p></div>")
