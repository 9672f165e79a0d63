"""Scenario files: the typed schema (`schema`) and reading files, `extends:` and overrides (`loading`).

    from simulator.scenario import load_scenario
    scenario = load_scenario("scenarios/baseline.yaml", ["plan.bonus=6000"])
"""

from simulator.scenario.loading import (
    apply_overrides,
    deep_merge,
    describe_error,
    json_schema,
    load_scenario,
    parse_override,
    read_yaml,
    resolve_extends,
    validate,
)
from simulator.scenario.schema import (
    LEVERS,
    RISK_NAMES,
    UNCERTAINTIES,
    Activity,
    ActivityTarget,
    Behaviour,
    Contest,
    Customers,
    Detection,
    Dist,
    Draw,
    Ethics,
    Fabrication,
    Force,
    Launch,
    Management,
    Market,
    MisSelling,
    Network,
    Plan,
    Pressure,
    Product,
    ProductQuota,
    Quota,
    QuotaReset,
    Regulator,
    RiskThresholds,
    Sanctions,
    Scenario,
    ScenarioError,
    Seasonality,
    Segment,
    Service,
    Shock,
    Skills,
    StackedBonusSpec,
    Subscription,
    TeamBonus,
    Tier,
    TrainingSpec,
    Traits,
    Trust,
    Turnover,
)

__all__ = [name for name in dir() if not name.startswith("_") and name not in ("loading", "schema")]
