"""What one sale is worth to the rep who makes it, net of the commission expected back.

Commission on a sale is taken back when the customer cancels within `market.customers.cancel_days`
(`plan.clawback`, `simulator.selling.pipeline.cancel_due`) and, with `plan.churn_clawback`, when a
subscription churns within the window (`simulator.selling.subscriptions.YoungContracts`). A
designer weighing a churn clawback wants the commission a rep can expect to keep: the headline rate
on the deal's credit, less the expected clawbacks at the normal cancellation and churn rates. The
reps of the model choose effort from the pay curve on credited sales (`simulator.behaviour.valuation`),
which weighs neither clawback, so this figure is for the designer (the plan's terms), not an input
to the reps' choices.
"""

from __future__ import annotations

from simulator.analysis.normal_effort import compiled_plan
from simulator.scenario import Scenario
from simulator.world.market import build_products


def churn_clawback_share(scenario: Scenario) -> float:
    """Expected share of a subscription sale's commission taken back for churn: the clawback share
    times the chance the contract churns within the window at the normal monthly churn rate."""
    claw = scenario.plan.churn_clawback
    if claw is None or scenario.market.business_model != "subscription":
        return 0.0
    churn = scenario.market.subscription.monthly_churn
    return claw.share * (1.0 - (1.0 - churn) ** claw.window_months)


def sale_value(scenario: Scenario) -> dict[str, float]:
    """Commission a rep expects to keep from one deal of each product at the plan's headline rate, $."""
    products = build_products(scenario)
    rate = compiled_plan(scenario).curve.first_rate
    cancelled = scenario.market.customers.cancel_rate * scenario.plan.clawback
    kept = (1.0 - cancelled) * (1.0 - churn_clawback_share(scenario))
    return {name: float(rate * deal * kept) for name, deal in zip(products.names, products.credited_deal)}
