"""Plans stated in a compensation designer's words: OTE, pay mix, target incentive and leverage.

A designer writes "$160k OTE, 50/50, 2x at 150%"; the engine pays a base salary and commission
rates. `resolve_plan_terms` turns the first into the second on the raw scenario data, before the
schema validates it, so every consumer (engine, reports, sweeps) sees ordinary rates. Stating more
numbers than the plan has freedoms is allowed when they agree; when they contradict each other the
error names the fields and what each implies (issue 18: 10% of a $1M annual quota is $100k, not the
$80k a 50/50 mix on $160k OTE implies). The scenario layer cannot import the pay code, so the pay at
an attainment is computed here with the same rules as `simulator.pay.payout.PayCurve`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from simulator.calendar import DAYS_PER_YEAR, PERIOD_DAYS

TOLERANCE = 0.005  # relative disagreement between stated numbers that counts as a contradiction
DEFAULT_BASE = 60000.0  # `Plan.base_salary`'s default, $ a year
DESIGNER_FIELDS = ("ote", "mix", "target_incentive", "leverage")


def parse_mix(value: Any) -> Any:
    """A pay mix as the fixed share of OTE: '50/50' or '60/40' (fixed/variable, in percent) or 0.5."""
    if isinstance(value, str):
        found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*", value)
        if not found:
            raise ValueError("must be fixed/variable in percent ('50/50') or the fixed share (0.5)")
        fixed, variable = float(found[1]), float(found[2])
        if abs(fixed + variable - 100) > 1e-6:
            raise ValueError("fixed/variable must add up to 100 ('50/50', '60/40')")
        return fixed / 100
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not 0 <= value <= 1:
        raise ValueError("a fixed share must be between 0 and 1 (or write fixed/variable in percent, '50/50')")
    return value


def money(value: float) -> str:
    return f"${value:,.0f}" if value >= 0 else f"-${-value:,.0f}"


def mix_words(share: float) -> str:
    return f"{share * 100:.4g}/{100 - share * 100:.4g}"


def pay_at(attainment: float, quota: float, plan: Mapping[str, Any]) -> float:
    """Variable pay of one period at `attainment`, by the rules of `simulator.pay.payout.PayCurve`:
    marginal rates by band, nothing below the threshold, no commission past the cap, bonus steps."""
    rate = float(plan.get("commission_rate", 0.02))
    tiers = sorted((float(t["at"]), float(t["rate"])) for t in plan.get("tiers") or [])
    threshold = float(plan.get("threshold", 0.0))
    cap = plan.get("cap")
    if attainment < threshold:
        commission = 0.0
    else:
        edges = sorted({0.0} | {a for a, _ in tiers} | ({float(cap)} if cap is not None else set()))
        commission = 0.0
        for k, lo in enumerate(edges):
            hi = min(edges[k + 1] if k + 1 < len(edges) else float("inf"), attainment)
            if hi <= lo:
                break
            band = 0.0 if cap is not None and lo >= float(cap) else next(
                (r for a, r in reversed(tiers) if lo >= a), rate)
            commission += band * (hi - lo) * quota
    bonus = float(plan.get("bonus", 0.0)) if attainment >= float(plan.get("bonus_at", 1.0)) else 0.0
    return commission + bonus


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _period_quota(quota: Mapping[str, Any]) -> float | None:
    """The $ quota of one quota period, when the file states one (`Quota.period_amount`)."""
    amount = _number(quota.get("amount"))
    period = quota.get("period", "quarter")
    per = quota.get("amount_per") or period
    if amount is None or not isinstance(period, str) or not isinstance(per, str) or period not in PERIOD_DAYS \
            or per not in PERIOD_DAYS:
        return None
    return amount * PERIOD_DAYS[period] / PERIOD_DAYS[per]


def _as_dict(section: Any) -> dict | None:
    if hasattr(section, "model_dump"):
        return section.model_dump(exclude_unset=True)
    return dict(section) if isinstance(section, Mapping) else None


def _split(plan: dict) -> dict[str, float]:
    """Base, OTE, mix and target incentive from the two (or more) that are stated; raises on contradiction."""
    given = {k: _number(plan[k]) for k in ("base_salary", "ote", "mix", "target_incentive") if k in plan}
    if "mix" in plan and given["mix"] is None and isinstance(plan["mix"], str):
        given["mix"] = parse_mix(plan["mix"])
    given = {k: v for k, v in given.items() if v is not None}
    if "base_salary" not in given and len(given) < 2:
        given["base_salary"] = DEFAULT_BASE  # the base the plan pays when it states none
    order = [k for k in ("base_salary", "ote", "mix", "target_incentive") if k in given]
    a, b = order[0], order[1]
    solved = _solve(a, given[a], b, given[b])
    for key in order[2:]:
        if abs(solved[key] - given[key]) > TOLERANCE * max(abs(given[key]), abs(solved[key]), 1e-9):
            raise ValueError(_contradiction(a, b, key, given, solved))
    return solved


def _solve(a: str, x: float, b: str, y: float) -> dict[str, float]:
    known = {a: x, b: y}
    base, ote, mix, ti = (known.get(k) for k in ("base_salary", "ote", "mix", "target_incentive"))
    if base is not None and ote is not None:
        ti = ote - base
    elif base is not None and mix is not None:
        if mix <= 0:
            raise ValueError(f"plan.mix {mix_words(mix)} leaves no fixed pay, but plan.base_salary is {money(base)}")
        ote = base / mix
    elif base is not None:
        ote = base + ti
    elif ote is not None and mix is not None:
        base = mix * ote
    elif ote is not None:
        base = ote - ti
    else:
        if mix >= 1:
            raise ValueError(f"plan.mix {mix_words(mix)} leaves no variable pay, but plan.target_incentive is {money(ti)}")
        ote = ti / (1 - mix)
    base = ote - ti if base is None else base
    ti = ote - base if ti is None else ti
    if ti < 0 or base < 0:
        raise ValueError(f"plan.{a} {_shown(a, x)} and plan.{b} {_shown(b, y)} give a "
                         f"{'negative target incentive' if ti < 0 else 'negative base salary'}")
    return {"base_salary": base, "ote": ote, "mix": base / ote if ote > 0 else 1.0, "target_incentive": ti}


def _shown(key: str, value: float) -> str:
    return mix_words(value) if key == "mix" else money(value)


def _contradiction(a: str, b: str, key: str, given: dict, solved: dict) -> str:
    return (f"plan.{a} {_shown(a, given[a])} and plan.{b} {_shown(b, given[b])} imply plan.{key} "
            f"{_shown(key, solved[key])}, not the {_shown(key, given[key])} stated; state two of plan.base_salary, "
            f"plan.ote, plan.mix and plan.target_incentive, or make them agree")


def _linear(at: float, quota: float, plan: dict, set_rate) -> tuple[float, float]:
    """Pay at `at` as intercept + slope x the rate `set_rate` writes into a copy of the plan."""
    zero, one = dict(plan), dict(plan)
    set_rate(zero, 0.0)
    set_rate(one, 1.0)
    intercept = pay_at(at, quota, zero)
    return intercept, pay_at(at, quota, one) - intercept


def _set_rate(plan: dict, rate: float) -> None:
    plan["commission_rate"] = rate


def _set_upside(plan: dict, rate: float) -> None:
    plan["tiers"] = [{"at": 1.0, "rate": rate}]


def _quota_words(quota: Mapping[str, Any], q: float) -> str:
    period = quota.get("period", "quarter")
    per = quota.get("amount_per") or period
    whole = f"quota.amount {money(float(quota['amount']))} a {per}"
    return whole if per == period else f"{whole} ({money(q)} a {period})"


def _rates(plan: dict, quota: Mapping[str, Any], why: str) -> None:
    """Set (or check) the commission rate so the plan pays the target incentive at 100% of quota."""
    q = _period_quota(quota)
    per_year = DAYS_PER_YEAR / PERIOD_DAYS[quota.get("period", "quarter")]
    target = plan["target_incentive"] / per_year
    explicit = "commission_rate" in plan
    if q is None:
        if not explicit and plan.get("bonus_share_of_target") is None:
            raise ValueError(f"{why} sets the commission rate from a $ quota, but quota.amount is not set "
                             f"(quota.difficulty sets the quota only when the run builds the world); set "
                             f"quota.amount (with quota.amount_per), or state plan.commission_rate")
        return
    probe = dict(plan)
    if plan.get("bonus_share_of_target") is not None:
        probe["bonus"] = plan["bonus_share_of_target"] * target
    if explicit:
        paid = pay_at(1.0, q, probe) * per_year
        if abs(paid - plan["target_incentive"]) > TOLERANCE * max(plan["target_incentive"], 1.0):
            rate = _number(plan["commission_rate"]) or 0.0
            raise ValueError(f"plan.commission_rate {rate * 100:g}% of {_quota_words(quota, q)} pays "
                             f"{money(paid)} a year at 100% of quota, not the {money(plan['target_incentive'])} "
                             f"target incentive that {why} implies; drop plan.commission_rate to have it set from the "
                             f"quota, or make the numbers agree")
        return
    intercept, slope = _linear(1.0, q, probe, _set_rate)
    if slope <= 0:
        raise ValueError(f"{why} cannot set plan.commission_rate: the plan pays no commission at 100% of quota "
                         f"(plan.threshold or plan.tiers below quota); state plan.commission_rate")
    rate = (target - intercept) / slope
    if rate < 0:
        raise ValueError(f"{why} is {money(plan['target_incentive'])} a year, less than the plan's bonus at quota "
                         f"alone ({money(intercept * per_year)} a year); lower plan.bonus or raise the target")
    plan["commission_rate"] = rate


def _leverage(plan: dict, quota: Mapping[str, Any]) -> None:
    """Set (or check) the rate above quota so the plan pays `multiple` x target at attainment `at`."""
    lev = plan["leverage"]
    at, multiple = _number(lev.get("at")), _number(lev.get("multiple"))
    q = _period_quota(quota)
    if at is None or multiple is None or at <= 1:
        return  # the schema reports the fields
    if q is None:
        raise ValueError("plan.leverage sets the rate above quota from a $ quota, but quota.amount is not set; "
                         "set quota.amount, or state plan.tiers instead")
    per_year = DAYS_PER_YEAR / PERIOD_DAYS[quota.get("period", "quarter")]
    target = plan["target_incentive"] / per_year if "target_incentive" in plan else pay_at(1.0, q, plan)
    if target <= 0:
        raise ValueError("plan.leverage is a multiple of the target incentive, and the plan's is $0; "
                         "state plan.target_incentive (or plan.ote and plan.mix) above zero")
    want = multiple * target
    if plan.get("tiers"):
        paid = pay_at(at, q, plan)
        if abs(paid - want) > TOLERANCE * max(want, 1.0):
            raise ValueError(f"plan.tiers pay {paid / target:.0%} of target incentive at {at:.0%} of quota, not the "
                             f"{multiple:.0%} plan.leverage states; drop plan.tiers to have them set from "
                             f"plan.leverage, or make them agree")
        return
    intercept, slope = _linear(at, q, plan, _set_upside)
    if slope <= 0:
        raise ValueError(f"plan.leverage asks for pay at {at:.0%} of quota, but plan.cap stops commission at "
                         f"quota; raise plan.cap or drop plan.leverage")
    rate = (want - intercept) / slope
    if rate < 0:
        raise ValueError(f"plan.leverage asks for {multiple:.0%} of target incentive at {at:.0%} of quota, but the "
                         f"plan already pays {intercept / target:.0%} there without commission above quota")
    plan["tiers"] = [{"at": 1.0, "rate": rate}]


def resolve_plan_terms(data: Any) -> Any:
    """Raw scenario data with plan.ote, plan.mix, plan.target_incentive and plan.leverage turned into
    base salary and commission rates (kept beside them, resolved); other data as it came. Malformed
    fields are left for the schema to report, field by field."""
    try:
        return _resolve(data)
    except (TypeError, KeyError, AttributeError, ZeroDivisionError, OverflowError):
        return data


def _resolve(data: Any) -> Any:
    if not isinstance(data, Mapping):
        return data
    plan, quota = _as_dict(data.get("plan")), _as_dict(data.get("quota")) or {}
    if plan is None or not any(plan.get(k) is not None for k in DESIGNER_FIELDS):
        return data
    plan = {k: v for k, v in plan.items() if v is not None or k == "cap"}
    if not all(_number(plan[k]) is not None for k in ("ote", "target_incentive", "base_salary") if k in plan):
        return data  # the schema reports a field that is not a number
    try:
        if "mix" in plan:
            plan["mix"] = parse_mix(plan["mix"])
    except ValueError:
        return data  # the schema reports it
    if any(k in plan for k in ("ote", "mix", "target_incentive")):
        split = _split(plan)
        stated = [f"plan.{k} {_shown(k, float(plan[k]))}" for k in ("mix", "ote", "target_incentive", "base_salary")
                  if k in plan]
        plan.update(split)
        _rates(plan, quota, " with ".join(stated))
    if plan.get("leverage") is not None and isinstance(plan["leverage"], Mapping):
        _leverage(plan, quota)
    return {**data, "plan": plan}
