"""The typed schema of scenario files: every section and field, its unit, its bounds.

A scenario describes a world (the force, products, market: the *uncertainties* a plan designer
does not control) and a plan (pay plan, quota policy, management rules: the *levers*). Unknown
keys are errors. Reading files and overrides is `simulator.scenario.loading`.
"""

from __future__ import annotations

import hashlib
import json
import typing
from typing import Annotated, Any, Literal, Mapping, Sequence

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from simulator.calendar import PERIOD_DAYS
from simulator.scenario.designer import parse_mix, resolve_plan_terms

LEVERS = ("plan", "quota", "management")
UNCERTAINTIES = ("force", "products", "market", "behaviour")
# the named risks whose thresholds a file may set (`simulator.analysis.risk.RISKS` judges them)
RISK_NAMES = ("timing_gaming", "sandbagging", "product_mix", "fabrication", "mis_selling", "discouragement",
              "attrition", "customer_harm", "activity_gaming")


MAX_PROBLEMS = 20  # problems listed in one message; the rest are counted


class ScenarioError(ValueError):
    """A scenario or override that cannot be used; the message says where and what is allowed."""

    kind = "scenario"  # what the file is, in the message's first line

    def __init__(self, source: str, problems: Sequence[str]):
        self.source = source
        self.problems = list(problems)
        shown = self.problems[:MAX_PROBLEMS]
        more = len(self.problems) - len(shown)
        lines = "\n".join(f"  - {p}" for p in shown) + (f"\n  ... and {more} more" if more else "")
        super().__init__(f"{source}: invalid {self.kind}\n{lines}")

    def __reduce__(self):
        """Rebuilt from its arguments, so the error crosses from a worker process to the caller intact
        (the default would call __init__ with the message alone, and the pool would break instead)."""
        return type(self), (self.source, self.problems)


# ------------------------------------------------------------------------------------- limits
# Every number has an upper bound that says why: a value past it is a typo or an attack, and would
# otherwise fail deep inside a run (memory, overflow) or quietly produce nonsense. Non-finite
# numbers (.inf, .nan) are refused everywhere (`allow_inf_nan=False`); so are booleans where a
# number belongs.

MAX_YEARS = 50
MAX_DAYS = 50 * 252  # business days of the longest horizon
MAX_AMOUNT = 1e9  # $ amounts, rates and multipliers
MAX_PER_DAY = 1_000  # acts or activities a rep can add to a log in one business day
MAX_COUNT = 10_000  # warnings, misses: counts of events in a rep's career
MAX_MONTHS = 12 * MAX_YEARS
MAX_REPS = 100_000
MAX_TIERS = 7  # with a threshold, a cap, a bonus step, a stacked goal and the goal: the pay kernels' 12 segments
MAX_SEED = 2**63 - 1

WHY_DAYS = "50 years of 252 business days, the longest horizon a run may have"
WHY_AMOUNT = "larger amounts, rates and multipliers lie outside any plan or market the model describes and overflow its sums"
WHY_PER_DAY = "more than a thousand in one business day is not a person's day, and each one reserves memory"
WHY_COUNT = "more than the business days of the longest horizon"
WHY_MONTHS = "the months of the longest horizon, 50 years"
WHY_REPS = "the largest force a run may have"
WHY_TIERS = ("the compiled pay kernels take at most 12 rate bands and steps, and the threshold, cap, "
             "bonus, stacked bonus and goal take up to five")


def _not_bool(value: Any) -> Any:
    """YAML reads `true`/`yes`/`on` as booleans; a number field must not take them as 1."""
    if isinstance(value, bool):
        raise ValueError(f"must be a number, not {str(value).lower()}")
    return value


def at_most(limit: float, why: str) -> AfterValidator:
    """A bound whose error says why it is there; the JSON Schema shows it as the maximum."""

    def check(value):
        if value > limit:
            raise ValueError(f"must be at most {limit:,g} ({why})")
        return value

    return AfterValidator(check)


def Bounded(kind: type, *, ge: float | None = None, gt: float | None = None, le: float, why: str) -> Any:  # noqa: N802
    """A number type with a lower bound and an upper bound that says why."""
    return Annotated[kind, BeforeValidator(_not_bool), Field(ge=ge, gt=gt, json_schema_extra={"maximum": le}),
                     at_most(le, why)]


NonNeg = Bounded(float, ge=0, le=MAX_AMOUNT, why=WHY_AMOUNT)
Positive = Bounded(float, gt=0, le=MAX_AMOUNT, why=WHY_AMOUNT)
Share = Annotated[float, BeforeValidator(_not_bool), Field(ge=0, le=1)]
Number = Annotated[float, BeforeValidator(_not_bool), Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
Days = Bounded(int, ge=0, le=MAX_DAYS, why=WHY_DAYS)
DaysPositive = Bounded(int, ge=1, le=MAX_DAYS, why=WHY_DAYS)
PerDay = Bounded(int, ge=0, le=MAX_PER_DAY, why=WHY_PER_DAY)
Count = Bounded(int, ge=0, le=MAX_COUNT, why=WHY_COUNT)
CountPositive = Bounded(int, ge=1, le=MAX_COUNT, why=WHY_COUNT)
Months = Bounded(int, ge=0, le=MAX_MONTHS, why=WHY_MONTHS)
MonthsPositive = Bounded(int, ge=1, le=MAX_MONTHS, why=WHY_MONTHS)
Reps = Bounded(int, ge=1, le=MAX_REPS, why=WHY_REPS)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """`true` is not 1 and `false` is not 0, whatever YAML and pydantic's lax mode think."""
        if isinstance(value, bool):
            annotation = cls.model_fields[info.field_name].annotation
            if annotation is not bool and bool not in typing.get_args(annotation):
                raise ValueError(f"must be {_kind(annotation)}, not {str(value).lower()}")
        return value


def _kind(annotation: Any) -> str:
    text = str(annotation)
    return "a number" if "int" in text or "float" in text else "a value of this field's kind"


class Dist(Strict):
    """A trait's distribution across reps. A plain number in a file means every rep has it."""

    mean: Number = Field(description="mean of the trait")
    sd: NonNeg = Field(0.0, description="standard deviation across reps")
    dist: Literal["normal", "lognormal"] = Field(
        "normal", description="normal (clipped to low/high) or lognormal with this mean and sd"
    )
    low: Number | None = Field(None, description="lowest value drawn (clip)")
    high: Number | None = Field(None, description="highest value drawn (clip)")

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return {"mean": value}
        return value

    @model_validator(mode="after")
    def _check(self) -> "Dist":
        if self.dist == "lognormal" and self.mean <= 0:
            raise ValueError(f"lognormal needs mean > 0, got {self.mean}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self


DistLike = Annotated[Dist, Field()]

MAX_ABILITY = 100.0  # a rep a hundred times as productive as the reference rep
WHY_ABILITY = ("sales productivity is relative to the reference rep (1); past 100 a rep's opportunities a day "
               "run into the thousands and a run no longer ends in reasonable time")


def _ability_within(dist: Dist | None) -> Dist | None:
    """Ability multiplies every opportunity a rep gets: its mean, clips and spread are bounded."""
    if dist is None:
        return dist
    if dist.mean <= 0 or (dist.low is not None and dist.low < 0):
        raise ValueError(f"mean must be above 0 and low at least 0 (sales productivity is never negative; "
                         f"a rep of ability 0 sells nothing), got mean {dist.mean:g}, low {dist.low}")
    for name in ("mean", "low", "high"):
        value = getattr(dist, name)
        if value is not None and value > MAX_ABILITY:
            raise ValueError(f"{name} must be at most {MAX_ABILITY:g} ({WHY_ABILITY}), got {value:g}")
    if dist.sd > MAX_ABILITY / 10 and (dist.high is None or dist.high > MAX_ABILITY):
        raise ValueError(f"sd must be at most {MAX_ABILITY / 10:g} unless high clips it at most {MAX_ABILITY:g} "
                         f"({WHY_ABILITY}), got {dist.sd:g}")
    return dist


class Traits(Strict):
    """What reps are like. Defaults describe a typical rep; segments override any of them."""

    ability: DistLike = Field(
        Dist(mean=1.0, sd=0.15, low=0.2),
        description="sales productivity; 1 is the reference rep whose opportunity rates the products give",
    )
    risk_aversion: DistLike = Field(
        Dist(mean=5e-5, sd=2.5e-5, low=0.0),
        description="CARA coefficient per $ of period pay (0 = risk neutral)",
    )
    effort_cost: DistLike = Field(
        Dist(mean=90.0, sd=15.0, low=10.0),
        description="$ a day a rep would pay to avoid a day at normal effort (effort 1) when the cost is quadratic; a day at effort e costs this x (2 / behaviour.effort_curvature) x e ^ behaviour.effort_curvature",
    )
    foresight: DistLike = Field(
        Dist(mean=0.8, sd=0.1, low=0.0, high=1.0),
        description="0-1: weight on what today's sales do to next period's pay and quota (0 = myopic)",
    )
    ratchet_foresight: DistLike = Field(
        Dist(mean=0.8, sd=0.1, low=0.0, high=1.0),
        description="0-1: weight on what this period's sales do to next period's quota under a ratchet",
    )
    patience: DistLike = Field(
        Dist(mean=0.9, low=0.5, high=1.0),
        description="yearly discount factor on pay that comes later",
    )
    goal_value: DistLike = Field(
        Dist(mean=500.0, sd=100.0, low=0.0),
        description="$ equivalent of reaching an accepted quarter's goal; goals of other lengths are worth this x (days / 63) ^ behaviour.goal_scaling, counted per goal (goal-setting theory)",
    )
    integrity: DistLike = Field(
        Dist(mean=0.7, sd=0.15, low=0.0, high=1.0),
        description="0-1: moral cost of misconduct (used by the misconduct model)",
    )
    outside_option: DistLike = Field(
        Dist(mean=65000.0, sd=8000.0, low=0.0),
        description="$ a year, net of effort, that a rep could earn elsewhere",
    )
    present_bias: DistLike = Field(
        Dist(mean=1.0, low=0.0, high=1.0),
        description="0-1: beta of quasi-hyperbolic discounting, the weight on every later payoff against today's effort cost (1 = no present bias)",
    )
    detection_belief: DistLike = Field(
        Dist(mean=1.0, low=0.0),
        description="the chance a rep believes an act of misconduct (or a padded activity) is found, as a multiple of the chance the scenario's audits, complaints and reports give (1 = beliefs follow the world; below 1: reps who underrate detection; capped at certainty)",
    )

    @model_validator(mode="before")
    @classmethod
    def _partial_over_defaults(cls, data: Any) -> Any:
        """A trait given in part (`goal_value: {mean: 700}`, `--set force.traits.goal_value.mean=700`)
        changes that part of the default distribution and keeps the rest (its spread and limits), as
        an `extends:` file keeps what it does not say. A plain number still means every rep has it."""
        if not isinstance(data, Mapping):
            return data
        merged = dict(data)
        for name, given in data.items():
            field = cls.model_fields.get(name)
            if isinstance(given, Mapping) and field is not None and isinstance(field.default, Dist):
                merged[name] = {**field.default.model_dump(), **given}
        return merged

    @field_validator("ability", mode="after")
    @classmethod
    def _ability(cls, dist: Dist | None) -> Dist | None:
        return _ability_within(dist)


class Segment(Strict):
    """A group of reps (e.g. high or low performers): its share of the force and trait overrides."""

    share: Share = Field(description="share of the force in this segment")
    ability: DistLike | None = None
    risk_aversion: DistLike | None = None
    effort_cost: DistLike | None = None
    foresight: DistLike | None = None
    ratchet_foresight: DistLike | None = None
    patience: DistLike | None = None
    goal_value: DistLike | None = None
    integrity: DistLike | None = None
    outside_option: DistLike | None = None
    present_bias: DistLike | None = None
    detection_belief: DistLike | None = None

    def traits(self, defaults: Traits) -> Traits:
        chosen = {k: v for k, v in self.model_dump(exclude={"share"}).items() if v is not None}
        return defaults.model_copy(update={k: Dist(**v) for k, v in chosen.items()})

    @field_validator("ability", mode="after")
    @classmethod
    def _ability(cls, dist: Dist | None) -> Dist | None:
        return _ability_within(dist)


class Network(Strict):
    """Branches and who sees whom: a relaxed caveman graph (Watts 1999), branches of
    `branch_size` reps fully connected inside, each tie rewired to another branch with
    probability `rewiring`."""

    branch_size: Reps = Field(10, description="reps per branch (team)")
    rewiring: Share = Field(0.05, description="share of ties that reach into another branch")
    manager_spread: NonNeg = Field(0.3, description="lognormal sd of how hard branch managers press and how much they tolerate, around the scenario's pressure cost and tolerance")


class Skills(Strict):
    """Reps' relationship skills (listening, clarity, adapting to the customer) and what they do
    (uncertainty). Adaptive selling raises a rep's performance (Weitz, Sujan and Sujan 1986), and
    a salesperson's relationship behaviour builds customers' trust, which brings future business
    (Crosby, Evans and Cowles 1990)."""

    mean: Share = Field(0.4, description="mean skill of a new hire, 0-1")
    sd: NonNeg = Field(0.15, description="standard deviation of new hires' skill (clipped to 0-1)")
    win_effect: NonNeg = Field(0.8, description="a rep's win rates are the products' x (1 + win_effect x (skill - mean))")
    trust_days: Positive = Field(63.0, description="business days over which customers' trust in their rep follows the rep's skill")
    referral_effect: NonNeg = Field(0.3, description="demand in a territory x (1 + referral_effect x (customers' trust in the rep - mean)): repeat business and referrals")
    follow_up_effect: NonNeg = Field(0.0, description="customers' trust in their rep heads for skill + this x the rep's after-sales follow-ups a day (market.activities with after_sales), at most 1")
    retention_effect: NonNeg = Field(0.0, description="cancellations x (1 - retention_effect x (customers' trust in the rep - mean)), at least 0: customers who trust their rep stay")


class EffortUnits(Strict):
    """What normal effort (effort 1) is in a designer's units, so reports can say "about 2.2x the
    calls a week of a normal quarter" instead of "effort 2.2". Words only: the model is unchanged."""

    unit: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z][A-Za-z -]*$")] = Field(
        description="what a rep does, plural (calls, meetings, hours)")
    per_week: Positive = Field(description="how many a week a rep does at normal effort")
    most: Positive | None = Field(None, description="the most a week people can do; reports flag effort beyond it (none: no limit)")

    @model_validator(mode="after")
    def _most(self) -> "EffortUnits":
        if self.most is not None and self.most < self.per_week:
            raise ValueError(f"most ({self.most:g}) must be at least per_week ({self.per_week:g}): normal effort is workable")
        return self


class Force(Strict):
    """The sales force: size and composition (uncertainty)."""

    size: Reps = Field(200, description="number of rep positions")
    segments: dict[str, Segment] = Field(
        default_factory=lambda: {
            "high": Segment(share=0.3, ability=Dist(mean=1.35, sd=0.12, low=0.2)),
            "low": Segment(share=0.7, ability=Dist(mean=0.8, sd=0.12, low=0.2)),
        },
        description="performer types by name, with shares summing to 1",
    )
    traits: Traits = Field(default_factory=Traits, description="trait defaults for every segment")
    network: "Network" = Field(default_factory=lambda: Network(), description="how reps sit in branches and who sees whom")
    ramp_days: Days = Field(126, description="business days a new hire needs to reach full productivity")
    ramp_start: Share = Field(0.3, description="a new hire's productivity on day one, as a share of full")
    skills: Skills | None = Field(None, description="reps' relationship skills (none: every rep sells at the products' own win rates)")
    normal_week: EffortUnits | None = Field(None, description="normal effort in a designer's units, e.g. {unit: calls, per_week: 40}, for reports (none: effort as a multiple of normal)")

    @model_validator(mode="before")
    @classmethod
    def _segment_traits_over_force(cls, data: Any) -> Any:
        """A segment's trait given in part (`high: {ability: {mean: 1.5}}`) changes that part of the
        force's distribution of the trait (`force.traits`, itself the default where the file is silent)
        and keeps the rest, as a force trait given in part keeps its default's; before, the segment's
        reps silently lost the trait's spread and limits. A plain number is still every such rep's."""
        if not isinstance(data, Mapping) or not isinstance(data.get("segments"), Mapping):
            return data
        try:
            force_traits = Traits.model_validate(data.get("traits", {}))
        except ValidationError:
            return data  # the traits' own validation reports what is wrong with them
        segments = {}
        for name, segment in data["segments"].items():
            if isinstance(segment, Mapping):
                segment = {trait: {**getattr(force_traits, trait).model_dump(), **given}
                           if isinstance(given, Mapping) and trait in Traits.model_fields else given
                           for trait, given in segment.items()}
            segments[name] = segment
        return {**data, "segments": segments}

    @model_validator(mode="after")
    def _shares(self) -> "Force":
        total = sum(s.share for s in self.segments.values())
        if not self.segments:
            raise ValueError("at least one segment is needed")
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"segment shares must sum to 1, got {total:g}")
        return self


class Product(Strict):
    """A product line: what a deal is worth and how long it takes (uncertainty)."""

    price: Positive = Field(description="revenue of one deal at list price, $")
    margin: Share = Field(0.4, description="gross margin share of revenue")
    win_rate: Annotated[float, Field(gt=0, le=1)] = Field(description="share of opportunities that are won")
    leads_per_day: NonNeg = Field(description="opportunities a day for the reference rep at normal effort, fully focused, in a reference territory")
    cycle_days: Bounded(float, ge=0, le=MAX_DAYS, why=WHY_DAYS) = Field(description="mean business days from opportunity to the customer's decision")
    cycle_spread: Bounded(float, ge=0, le=10, why="a coefficient of variation of 10 spreads the cycle beyond any horizon") = Field(0.5, description="coefficient of variation of the sales-cycle length")


class Seasonality(Strict):
    amplitude: Share = Field(0.0, description="relative swing of demand over the year")
    peak_month: Annotated[int, Field(ge=0, le=11)] = Field(11, description="month of peak demand, 0-11")


class Shock(Strict):
    """A change in demand for a while (e.g. a recession)."""

    start_month: Months = Field(description="first month of the shock (0 = first month of the run)")
    months: MonthsPositive = Field(description="how long it lasts")
    demand: NonNeg = Field(description="demand multiplier while it lasts (0.7 = a 30% drop)")


class Customers(Strict):
    """How customers time their signatures: the period-end rush needs reps who grant a late discount and customers who learn to wait for it."""

    flexible_share: Share = Field(0.2, description="share of ready customers who will sign whenever asked, within flexible_days")
    flexible_days: Days = Field(20, description="days a flexible customer stays ready")
    waiting_share: Share = Field(0.05, description="initial share of ready customers who wait for a period-end discount")
    waiting_ceiling: Share = Field(0.3, description="the most customers who will ever learn to wait")
    waiting_learning: Share = Field(0.25, description="how fast the waiting share follows how often waiting paid off, per period")
    max_wait_days: DaysPositive = Field(63, description="longest a waiting customer waits before signing at list price")
    period_end_discount: Share = Field(0.1, description="discount waiting customers expect")
    pull_in_discount: Share = Field(0.08, description="discount that pulls a deal in from the next period")
    pull_in_acceptance: Share = Field(0.5, description="share of customers who accept signing early for that discount")
    pull_in_days: Days = Field(15, description="how far into the next period pulls reach, days")
    bargaining_power: Share = Field(0.0, description="share of a rep's gain from the customer signing now (rather than waiting or signing next period) that the customer takes as a further discount (0: the discounts above are all a customer gets)")
    max_discount: Share = Field(0.5, description="the deepest a bargained discount can go (a base discount at or above it gets nothing more)")
    walk_away: Share = Field(0.01, description="daily chance that a customer kept waiting walks away")
    cancel_rate: Share = Field(0.02, description="share of booked deals cancelled later")
    cancel_days: DaysPositive = Field(30, description="days after booking within which cancellations come")


class Fabrication(Strict):
    """Wells Fargo-style fabrication: a sale or account the customer never asked for. It counts
    toward the rep's quota and pay but brings no real revenue beyond fees, which are refunded."""

    product: str | None = Field(None, description="product a fake sale is booked as (none: fabrication is impossible)")
    per_day: PerDay = Field(0, description="most fake sales a rep can book in a day (0: impossible)")
    fee: NonNeg = Field(0.0, description="fees charged to the customer per fake sale, $ (refunded when it comes to light)")
    complaint_rate: Share = Field(0.3, description="share of fake sales the customer notices and complains about")
    complaint_delay_days: Positive = Field(40.0, description="mean business days until the complaint")


class MisSelling(Strict):
    """Sears-style mis-selling: a real sale to a customer who did not need it. Real revenue now,
    then complaints and refunds."""

    share_of_declines: Share = Field(0.0, description="share of customers who decline that a rep could talk into buying anyway (0: impossible)")
    complaint_rate: Share = Field(0.4, description="share of mis-sold customers who complain")
    refund_rate: Share = Field(0.5, description="share of complaining customers who get their money back")
    complaint_delay_days: Positive = Field(30.0, description="mean business days until the complaint")


class Trust(Strict):
    """Customers' trust in the firm in each territory: harm lowers it, time restores it, and
    demand follows it with a delay (repeat purchases and referrals)."""

    harm_per_complaint: Share = Field(0.01, description="trust lost in a territory per complaint felt there")
    recovery: Share = Field(0.005, description="daily share of lost trust that returns")
    delay_days: Positive = Field(42.0, description="business days over which demand catches up with trust")
    demand_elasticity: NonNeg = Field(1.0, description="demand is proportional to trust to this power")


class Regulator(Strict):
    """Regulatory exposure: once detected misconduct passes a threshold the firm pays fines and
    remediation. Defaults scaled from the public cases: Wells Fargo's 2016 settlement was $185 million
    for about 2 million accounts (about $90 each) plus refunds; Sears settled California's 1992
    case for about $8 million plus $46 million of coupons."""

    threshold_acts: Bounded(int, ge=0, le=10**9, why="more acts than a force of 100,000 could commit in 50 years at a thousand a day") = Field(100, description="detected acts that bring the regulator in")
    fine_per_act: NonNeg = Field(90.0, description="fine per detected act once the regulator is in, $")
    remediation_per_customer: NonNeg = Field(25.0, description="compensation per harmed customer found, $, on top of refunds")


class Subscription(Strict):
    """Recurring revenue (business_model: subscription): a deal's net value is a year of service,
    billed monthly while the customer stays."""

    monthly_churn: Share = Field(0.01, description="share of recurring revenue lost each month in the normal course")
    churn_per_lost_trust: Share = Field(0.2, description="extra monthly churn per unit of trust lost in the territory")
    mis_sold_churn: Share = Field(0.15, description="monthly churn of customers who were sold what they did not need")


class Service(Strict):
    """Billable work (business_model: service): a sale is an engagement worth its price in
    billable hours, delivered by the firm's consultants or technicians."""

    bill_rate: Positive = Field(150.0, description="$ billed per hour of work sold")
    delivery_hours_per_day: Positive = Field(40.0, description="billable hours the delivery staff behind one territory can work in a business day (for utilisation)")


class Activity(Strict):
    """An activity reps log (calls, demos, visits to new customers, follow-ups): how selling effort
    produces it and how well the log is checked (uncertainty). Activity-based pay is the
    behaviour-based control of Anderson and Oliver (1987)."""

    per_effort: Positive = Field(description="activities a rep does in a day at normal effort (effort 1), all of it on the activity's product if it names one")
    product: str | None = Field(None, description="product whose selling produces the activity (a demo of the enterprise line); none: any selling")
    padding_per_day: PerDay = Field(0, description="most activities that never happened a rep could log in a day (0: the log is verified)")
    after_sales: bool = Field(False, description="a follow-up with customers already sold: it builds their trust in the rep (with force.skills: follow_up_effect)")


class Launch(Strict):
    """A product introduced mid-run (uncertainty: how its market and the reps take to it).
    Customers' awareness follows Bass (1969) diffusion, its innovation term driven by the force's
    selling of it; each rep's productivity on it climbs a learning curve with its own selling of it."""

    product: str = Field(description="the product launched (one of `products`); nobody can sell it before launch_day")
    day: Days = Field(description="business day of the launch (0 = the first day of the run; after the run's end: never on sale)")
    awareness_start: Annotated[float, Field(gt=0, le=1)] = Field(0.05, description="share of the product's eventual demand aware of it at launch")
    innovation: NonNeg = Field(0.01, description="Bass p: daily share of the unaware who learn of it per unit of the force's mean selling effort on it")
    imitation: NonNeg = Field(0.02, description="Bass q: daily share of the unaware who learn of it from aware customers (word of mouth), per unit of awareness")
    productivity_start: Annotated[float, Field(gt=0, le=1)] = Field(0.4, description="a rep's productivity on the product before any experience of selling it, as a share of full")
    learning_days: Positive = Field(20.0, description="days of full selling effort on the product by which a rep has closed 63% of the gap to full productivity (learning curve)")


class Market(Strict):
    """Territories, demand and customers (uncertainty)."""

    business_model: Literal["product", "service", "subscription"] = Field(
        "product", description="what a sale is: a product (revenue when sold), a service (billable work, billed when sold) or a subscription (recurring revenue, with churn)")
    subscription: Subscription = Field(default_factory=Subscription)
    service: Service = Field(default_factory=Service)

    territory_spread: Bounded(float, ge=0, le=5, why="a lognormal sd of 5 already puts one territory in a hundred 100,000 times the median") = Field(0.25, description="lognormal sd of territory potential across positions")
    focus_returns: Annotated[float, Field(gt=0, le=1)] = Field(
        0.8, description="returns to concentrating effort on one product line (1 = constant; below 1, prospects run thin)"
    )
    seasonality: Seasonality = Field(default_factory=Seasonality)
    shocks: list[Shock] = Field(default_factory=list, max_length=100)
    demand_uncertainty: NonNeg = Field(0.05, description="coefficient of variation of a month's demand")
    customers: Customers = Field(default_factory=Customers)
    fabrication: Fabrication = Field(default_factory=Fabrication)
    mis_selling: MisSelling = Field(default_factory=MisSelling)
    trust: Trust = Field(default_factory=Trust)
    regulator: Regulator = Field(default_factory=Regulator)
    # levers from selling practice (issue 9): activities reps log, a product launched mid-run
    activities: dict[str, Activity] = Field(default_factory=dict, description="activities reps do and log, by name (calls, demos, ...)")
    launch: Launch | None = Field(None, description="a product introduced mid-run (none: every product is on sale from day 0)")


class StackedBonusSpec(Strict):
    period: Literal["month", "quarter", "half_year", "year"] = Field("year", description="period of the stacked goal")
    amount: NonNeg = Field(0.0, description="$ paid when the stacked goal is reached")
    at: NonNeg = Field(1.0, description="attainment of the stacked goal that pays it")


class Tier(Strict):
    at: NonNeg = Field(description="attainment from which the rate applies")
    rate: NonNeg = Field(description="commission rate on credited sales in this band")


# ------------------------------------------------- levers from practice: contests, team pay, draws


class Contest(Strict):
    """A sales contest (SPIF contest) paid on top of the plan: the top `winners` of the force or of
    each branch win `prize` (rank), or everyone at or above `level` wins it (threshold). Reps
    weigh it as a second prize at the cutoff they expect (Gaba and Kalra 1999; Casas-Arce and
    Martinez-Jerez 2009)."""

    kind: Literal["rank", "threshold"] = Field("rank", description="rank: the top `winners` win; threshold: everyone reaching `level` wins")
    prize: NonNeg = Field(0.0, description="$ paid to each winner at the contest's end (0: no contest)")
    period: Literal["month", "quarter", "half_year", "year"] = Field("quarter", description="contest period; a whole number of quota periods")
    winners: Reps = Field(1, description="rank contests: how many win in each scope")
    scope: Literal["force", "branch"] = Field("force", description="rank contests: who competes with whom (the whole force, or each branch)")
    measure: Literal["attainment", "sales"] = Field("attainment", description="what is ranked: attainment of the contest period's quota, or credited sales $")
    level: Positive = Field(1.2, description="threshold contests: attainment that wins")


class TeamBonus(Strict):
    """A team (branch) quota and bonus: the team quota is the sum of the members' quotas, and
    every member is paid `amount` when the branch's credited sales reach `at` times it
    (Holmstrom 1982 on moral hazard in teams)."""

    amount: NonNeg = Field(0.0, description="$ paid to each member per quota period when the team reaches its quota (0: no team bonus)")
    at: Positive = Field(1.0, description="team attainment that pays the team bonus")


class Draw(Strict):
    """A draw (guarantee) for new hires: for their first `months` months, variable pay is topped
    up to `amount` a month. A recoverable draw is an advance: the top-ups are paid back from later
    earnings above the draw (`recovery_share` of them); a non-recoverable one is a guarantee."""

    amount: NonNeg = Field(0.0, description="$ of variable pay a month guaranteed to a new hire (0: no draw)")
    months: Bounded(int, ge=1, le=60, why="five years: a draw is for new hires") = Field(6, description="months from the hire date the draw lasts")
    recoverable: bool = Field(False, description="top-ups are recovered from later variable pay (recoverable draw) or not (guarantee)")
    recovery_share: Annotated[float, Field(gt=0, le=1)] = Field(0.5, description="recoverable draws: share of variable pay above the draw taken back each period until repaid")


class ProductQuota(Strict):
    """A separate quota in units of one product, with its own bonus each quota period (a launch
    goal beside the sales quota)."""

    product: str = Field(description="the product whose units count (one of `products`)")
    units: Positive = Field(description="units of it to book in a quota period")
    bonus: NonNeg = Field(description="$ paid for reaching it in a period")
    from_day: Days = Field(0, description="business day from which it applies (e.g. the launch day); no bonus before")


class ActivityTarget(Strict):
    """A goal in logged activities of one kind each quota period (60 calls a month, 8 demos a
    quarter) with its own bonus: a behaviour-based goal (Anderson and Oliver 1987), alone or
    beside the sales quota."""

    activity: str = Field(description="the activity whose logged count goes toward it (one of `market.activities`)")
    count: Positive = Field(description="logged activities of it in a quota period (cut to the days a rep held the job)")
    bonus: NonNeg = Field(description="$ paid for reaching it in a period")


class Leverage(Strict):
    """Upside in a designer's words: the plan pays `multiple` x the target incentive at attainment `at`."""

    at: Bounded(float, gt=1, le=10, why="attainment beyond ten times quota is no plan's excellence point") = Field(
        1.5, description="attainment of the stated upside (1.5 = 150% of quota)")
    multiple: NonNeg = Field(description="pay there as a multiple of the target incentive (2 = twice target)")


class ChurnClawback(Strict):
    """Clawback on subscription churn (business_model: subscription): commission paid on a contract
    that churns within `window_months` of its sale is taken back, `share` of it, in the rep's pay for
    the period in which the customer leaves: the chargeback of plans that pay on new annual contract
    value and take it back when the customer does not stay, as `plan.clawback` does for cancellations
    (`simulator.selling.subscriptions.YoungContracts`)."""

    share: Share = Field(0.0, description="share of the commission a churned contract earned that is taken back (0: none)")
    window_months: MonthsPositive = Field(12, description="months from the sale within which a churning contract's commission is clawed back")


class Plan(Strict):
    """The pay plan (lever), in the vocabulary of incentive-compensation tools."""

    base_salary: NonNeg = Field(60000.0, description="fixed pay, $ a year")
    commission_rate: NonNeg = Field(0.02, description="commission rate on credited sales below the first tier")
    tiers: list[Tier] = Field(default_factory=list, description="rate table above the base rate: accelerators (higher) and decelerators (lower)")
    threshold: NonNeg = Field(0.0, description="attainment below which no commission is paid; reaching it pays commission on every credited $")
    cap: Positive | None = Field(None, description="attainment above which credited sales earn no more commission")
    bonus: NonNeg = Field(0.0, description="lump sum, $ per period, paid on reaching bonus_at")
    bonus_at: NonNeg = Field(1.0, description="attainment that pays the bonus (1 = quota)")
    target_incentive: NonNeg | None = Field(None, description="variable pay at 100% attainment, $ a year: sets plan.commission_rate from a $ quota (or must agree with it); with bonus_share_of_target it also sizes the bonus")
    ote: NonNeg | None = Field(None, description="on-target earnings, $ a year: base salary plus target incentive (simulator.scenario.designer)")
    mix: Annotated[float, BeforeValidator(parse_mix), Field(ge=0, le=1)] | None = Field(
        None, description="pay mix: fixed/variable in percent ('50/50') or the fixed share of OTE (0.5)")
    leverage: Leverage | None = Field(None, description="upside: pay as a multiple of target incentive at an attainment above quota; sets the rate above quota")
    bonus_share_of_target: Share | None = Field(None, description="bonus as a share of target_incentive, instead of `bonus`")
    clawback: Share = Field(1.0, description="share of commission on a cancelled sale that is taken back")
    churn_clawback: ChurnClawback | None = Field(None, description="subscriptions: commission taken back on contracts that churn within a window of their sale (none: churn claws nothing back)")
    credit_basis: Literal["revenue", "gross_profit", "units"] = Field(
        "revenue", description="what sales are credited on: revenue, gross profit, or units (count goals: each deal counts its crediting weight, e.g. accounts or products per household)")
    crediting: dict[str, NonNeg] = Field(default_factory=dict, description="extra credit weight by product name (1 = full credit)")
    stacked_bonus: StackedBonusSpec | None = Field(None, description="a further bonus on a longer period, e.g. annual")
    variable_scale: Positive = Field(1.0, description="multiplier on every commission rate and bonus (equal-cost calibration sets it)")
    # levers from practice (`simulator.levers`); off by default
    contest: Contest | None = Field(None, description="a sales contest on top of the plan (rank or threshold)")
    team: TeamBonus | None = Field(None, description="a team (branch) quota and team bonus")
    draw: Draw | None = Field(None, description="a draw (guarantee) for new hires")


    # levers from selling practice (issue 9): pay outside the quota plan, paid each period
    activity_pay: dict[str, NonNeg] = Field(default_factory=dict, description="$ per logged activity, by activity name (market.activities): activity-based pay")
    spif: dict[str, NonNeg] = Field(default_factory=dict, description="SPIF: $ per unit booked, by product name, on top of commission and outside the quota")
    product_quota: ProductQuota | None = Field(None, description="a separate quota in units of one product, with its own bonus")
    activity_target: ActivityTarget | None = Field(None, description="a goal in logged activities of one kind each quota period, with its own bonus")
    spif_window: tuple[Days, Days] | None = Field(
        None, description="[first, last) business days of the run in which SPIF units are booked and paid (none: the whole run)")

    @field_validator("tiers", mode="before")
    @classmethod
    def _few_tiers(cls, tiers: Any) -> Any:
        if isinstance(tiers, list) and len(tiers) > MAX_TIERS:
            raise ValueError(f"at most {MAX_TIERS} tiers, got {len(tiers):,} ({WHY_TIERS})")
        return tiers

    @model_validator(mode="after")
    def _bonus_source(self) -> "Plan":
        if self.bonus_share_of_target is not None and self.target_incentive is None:
            raise ValueError("bonus_share_of_target needs target_incentive")
        return self


class Quota(Strict):
    """How goals are set (lever)."""

    period: Literal["day", "week", "month", "quarter", "half_year", "year"] = Field("quarter", description="quota period")
    policy: Literal["fixed", "ratchet", "growth", "territory"] = Field("fixed", description="fixed; ratchet from last period's sales; growth on last year; share of territory potential")
    basis: Literal["uniform", "individual"] = Field("uniform", description="one quota for all, or each rep's from its own expected sales")
    assigned: bool = Field(True, description="reps are given the quota as their goal (false: it is only a yardstick for reports, as under straight commission)")
    difficulty: Positive = Field(1.0, description="quota as a multiple of expected sales at normal effort over the period")
    amount: Positive | None = Field(None, description="$ quota for everyone (overrides difficulty), per quota period unless amount_per says otherwise")
    amount_per: Literal["day", "week", "month", "quarter", "half_year", "year"] | None = Field(
        None, description="the period `amount` is stated for (e.g. year): each quota period's amount is rescaled from it, "
                          "so changing quota.period keeps the yearly quota (none: amount is per quota period)")
    ratchet_up: Share = Field(0.5, description="share of sales above quota added to the next quota")
    ratchet_down: Share = Field(0.5, description="share of a shortfall taken off the next quota")
    growth: Annotated[float, BeforeValidator(_not_bool)] = Field(0.05, ge=-0.9, le=5, description="growth on last year's sales for the growth policy")
    reset: "QuotaReset | None" = Field(None, description="mid-year quota adjustment when the market shifts (simulator.levers.quota_reset)")


    @model_validator(mode="after")
    def _amount_per(self) -> "Quota":
        if self.amount_per is not None and self.amount is None:
            raise ValueError("amount_per says which period quota.amount is stated for, and needs quota.amount")
        return self

    @property
    def period_amount(self) -> float | None:
        """The $ quota of one full quota period: `amount`, rescaled from `amount_per` when it is given."""
        if self.amount is None or self.amount_per is None:
            return self.amount
        return self.amount * PERIOD_DAYS[self.period] / PERIOD_DAYS[self.amount_per]


class QuotaReset(Strict):
    """Quotas re-set from realised demand when the market moves away from the plan's assumption
    (Zoltners, Sinha and Lorimer 2006 on adjusting quotas to a changed market)."""

    check: Literal["month", "quarter"] = Field("month", description="how often realised demand is compared with the demand the quotas assume")
    threshold: Annotated[float, Field(ge=0, le=1)] = Field(0.1, description="relative change of demand that triggers a reset")


class Pressure(Strict):
    """How management presses for the goal: progress checks, rankings, carried-over shortfalls."""

    check_ins: Literal["none", "daily", "weekly", "period"] = Field("none", description="how often progress against the pro-rated goal is checked")
    cost: NonNeg = Field(0.0, description="$ a rep would pay to avoid being found behind at a check-in (reprimand, shame)")
    public_ranking: bool = Field(False, description="results are ranked in public: being behind costs twice as much")
    carry_shortfall: bool = Field(False, description="a period's shortfall is added to the next period's goal")


class Detection(Strict):
    """How misconduct comes to light."""

    audit_rate: Share = Field(0.0, description="daily chance that a rep's recent sales are audited")
    audit_catch: Share = Field(0.5, description="chance an audit finds each act in its window")
    audit_window_days: DaysPositive = Field(63, description="business days an audit looks back")
    complaint_investigation: Share = Field(0.5, description="share of customer complaints that are investigated and trace the act")
    whistleblowing: Share = Field(0.0, description="chance an honest colleague who sees an act reports it")


class Sanctions(Strict):
    """What happens to a rep whose act is found."""

    clawback: bool = Field(True, description="the act's credit and commission are taken back")
    warnings_before_firing: Count = Field(1, description="warnings before a further finding gets the rep fired (0: fired at the first)")
    tolerance: Share = Field(0.0, description="a manager's tolerance of misconduct, read by reps as the norm in their branch")


class TrainingSpec(Strict):
    """Sales training in relationship skills (lever): every rep goes on a course at regular
    intervals (positions staggered across the interval); a course costs money at once and raises
    the rep's skill only after a delay, the time it takes to put it into practice."""

    every_days: DaysPositive = Field(126, description="business days between a rep's courses")
    cost: NonNeg = Field(3000.0, description="$ per rep per course (trainer, travel, time away), counted in the cost of sales")
    gain: Share = Field(0.3, description="share of the gap to full skill (1) that a course closes")
    delay_days: Days = Field(21, description="business days from a course until its skill shows in selling")


class Management(Strict):
    """Management rules (lever)."""

    vacancy_days: Days = Field(42, description="business days from a departure to the new hire's start")
    fire_below_attainment: NonNeg = Field(0.0, description="attainment below which a period counts as a miss for firing (0 = never fire for misses)")
    fire_after_misses: CountPositive = Field(3, description="consecutive misses that get a rep fired")
    fire_bottom_share: Share = Field(0.0, description="share of the force fired each year for the lowest attainment")
    allow_discounts: bool = Field(True, description="whether reps may give discounts (period-end and pull-in)")
    pressure: Pressure = Field(default_factory=Pressure)
    detection: Detection = Field(default_factory=Detection)
    sanctions: Sanctions = Field(default_factory=Sanctions)
    training: TrainingSpec | None = Field(None, description="sales training in relationship skills (needs force.skills; none: no training)")


class Turnover(Strict):
    base_rate: Share = Field(0.06, description="yearly quit rate for reasons outside the model")
    quit_rate: Share = Field(0.35, description="largest yearly quit rate of reps whose certainty-equivalent pay is far below their outside option")
    tolerance: Positive = Field(0.05, description="shortfall (share of the outside option) at which half that quit rate applies")
    morale_floor: Share = Field(0.0, description="morale (running attainment) below which a rep quits at the largest rate whatever its certainty equivalent: a reduced-form layer, off at 0 (the default); 0.2 was the default until the ablation in docs/model.md found no fact resting on it")


class Ethics(Strict):
    """How reps weigh misconduct (uncertainty: the model of people)."""

    moral_cost: NonNeg = Field(400.0, description="$ a rep of integrity 1 would need to commit one act")
    noise: NonNeg = Field(20.0, description="scale of the logistic noise on each act's weighing, $")
    job_loss_months: NonNeg = Field(6.0, description="months of pay a rep reckons losing the job costs")
    erosion: Share = Field(0.02, description="integrity lost at each check-in a rep fails under pressure, and at each act")
    recovery: Share = Field(0.01, description="daily share of lost integrity that returns")
    peer_influence: Share = Field(0.5, description="weight of what colleagues are seen to do on a rep's norm")
    norm_memory: Positive = Field(21.0, description="business days over which the norm follows what is seen")
    padding_moral_share: Share = Field(0.02, description="moral cost of logging one activity that never happened, as a share of moral_cost")


class Behaviour(Strict):
    """How reps decide (uncertainty: the model of people)."""

    rule: Literal["forward_looking", "myopic", "rule_of_thumb", "exact"] = Field(
        "forward_looking", description="decision rule, by name (exact: effort from the solved within-period policy, only where it is solved: one product decided the day it is worked, fixed quotas, constant demand, no present bias, the plan's curve alone)")
    exact_below_deals: NonNeg = Field(10.0, description="use the exact compound-Poisson distribution of period sales when fewer deals than this are expected")
    memory: Share = Field(0.3, description="weight of the latest period in reps' running averages (pay, sales, morale)")
    goal_scaling: Share = Field(0.5, description="how a goal's value grows with its length: a goal of d days is worth goal_value x (d / 63) ^ this")
    effort_curvature: Bounded(float, ge=1.25, le=4.0, why="a steeper cost freezes effort whatever pay does") = Field(
        2.0, description="how steeply effort's cost rises: a day at effort e costs effort_cost x (2 / this) x e ^ this (2: effort_cost x e^2); the marginal cost at normal effort stays 2 x effort_cost, and effort's elasticity to a commission rate is 1 / (this - 1)")
    commitment_learning: bool = Field(True, description="whether commitment to the goal follows the experience of reaching it, by `memory` each period (a reduced-form layer; off: commitment stays whole)")
    ethics: Ethics = Field(default_factory=Ethics)
    turnover: Turnover = Field(default_factory=Turnover)


def exact_world_problems(scenario: Scenario) -> list[str]:
    """What `scenario` has that the exact within-period policy (`behaviour.exact_policy`) is not solved for,
    each naming its field and what is allowed (empty where the `exact` rule's table is the reps' whole problem)."""
    problems = []
    products = scenario.products
    if len(products) != 1:
        problems.append(f"products: {len(products)} products; the exact policy is solved for one")
    problems += [f"products.{name}.cycle_days: {p.cycle_days:g}; the exact policy needs 0 (deals decided the day "
                 f"they are worked)" for name, p in products.items() if p.cycle_days != 0]
    if scenario.quota.policy != "fixed" or scenario.quota.reset is not None:
        problems.append(f"quota.policy: {scenario.quota.policy}{' with a reset' if scenario.quota.reset else ''}; "
                        f"the exact policy is solved within one period, so quotas must be fixed (no reset)")
    market = scenario.market
    if market.demand_uncertainty != 0:
        problems.append(f"market.demand_uncertainty: {market.demand_uncertainty:g}; the exact policy needs 0")
    if market.seasonality.amplitude != 0:
        problems.append(f"market.seasonality.amplitude: {market.seasonality.amplitude:g}; the exact policy needs a "
                        f"constant rate of wins (0)")
    if market.shocks:
        problems.append("market.shocks: the exact policy needs a constant rate of wins (no shocks)")
    traits = scenario.force.traits
    bias = traits.present_bias.model_dump()
    if bias.get("mean", 1.0) != 1.0 or bias.get("sd", 0.0) != 0:
        problems.append("force.traits.present_bias: the exact policy is solved without present bias (1 for every rep)")
    plan = scenario.plan
    for name in ("spif", "activity_pay"):
        if getattr(plan, name):
            problems.append(f"plan.{name}: pay beside the plan's curve; the exact policy weighs the curve alone")
    for name in ("product_quota", "activity_target", "stacked_bonus", "contest", "team"):
        if getattr(plan, name) is not None:
            problems.append(f"plan.{name}: pay beside the plan's curve; the exact policy weighs the curve alone")
    return problems


class RiskThresholds(Strict):
    """Where a named risk becomes elevated and high (defaults in `simulator.analysis.risk.RISKS`)."""

    elevated: Number | None = Field(None, description="value from which the risk is elevated")
    high: Number | None = Field(None, description="value from which the risk is high")


class Scenario(Strict):
    """A world and a plan. Levers: plan, quota, management. Uncertainties: force, products, market, behaviour."""

    name: str = Field("scenario", description="short name shown in reports")
    description: str = Field("", description="what the scenario represents")
    horizon_years: Bounded(float, gt=0, le=MAX_YEARS, why="the longest horizon a run may have") = Field(3.0, description="run length in years")
    seed: Bounded(int, ge=0, le=MAX_SEED, why="seeds are 63-bit") = Field(1, description="default seed for the run's random generator")
    random_draws: Literal["stream", "keyed"] = Field(
        "stream", description="how a run draws its chance events from its seed: stream (one generator, in the order the day asks) or keyed (each draw fixed by rep, day and purpose, so runs that differ in a parameter keep each rep's luck: common random numbers for comparisons and calibration)")
    # levers
    plan: Plan = Field(default_factory=Plan)
    quota: Quota = Field(default_factory=Quota)
    management: Management = Field(default_factory=Management)
    # uncertainties
    force: Force = Field(default_factory=Force)
    products: dict[str, Product] = Field(
        default_factory=lambda: {
            "standard": Product(price=2000, margin=0.35, win_rate=0.4, leads_per_day=5.0, cycle_days=3, cycle_spread=0.8),
            "enterprise": Product(price=20000, margin=0.5, win_rate=0.25, leads_per_day=0.9, cycle_days=30, cycle_spread=0.4),
        }
    )
    market: Market = Field(default_factory=Market)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    # reporting
    risks: dict[str, RiskThresholds] = Field(default_factory=dict, description="thresholds of named risks, overriding the defaults")

    @model_validator(mode="before")
    @classmethod
    def _designer_terms(cls, data: Any) -> Any:
        """plan.ote, plan.mix, plan.target_incentive and plan.leverage set base and rates from the quota."""
        return resolve_plan_terms(data)

    @model_validator(mode="after")
    def _cross_checks(self) -> "Scenario":
        if self.n_days < 1:
            raise ValueError(f"horizon_years: {self.horizon_years:g} years gives no whole business day; "
                             f"a run needs at least one ({1 / 252:.4f} years)")
        if not self.products:
            raise ValueError("at least one product is needed")
        if len(self.products) > 4:
            raise ValueError(f"at most 4 products are supported, got {len(self.products)}")
        unknown_risks = set(self.risks) - set(RISK_NAMES)
        if unknown_risks:
            raise ValueError(f"risks names unknown risks {sorted(unknown_risks)}; known: {sorted(RISK_NAMES)}")
        fab = self.market.fabrication
        if fab.per_day > 0 and fab.product not in self.products:
            raise ValueError(f"market.fabrication.product must name a product ({sorted(self.products)}), got {fab.product!r}")
        claw = self.plan.churn_clawback
        if claw is not None and claw.share > 0 and self.market.business_model != "subscription":
            raise ValueError(f"plan.churn_clawback claws back commission on subscriptions that churn; "
                             f"market.business_model is {self.market.business_model}, and only subscription churns "
                             f"(set plan.churn_clawback.share to 0, or market.business_model to subscription)")
        unknown = set(self.plan.crediting) - set(self.products)
        if unknown:
            raise ValueError(f"plan.crediting names unknown products {sorted(unknown)}; products are {sorted(self.products)}")
        if self.plan.stacked_bonus is not None:
            if PERIOD_DAYS[self.plan.stacked_bonus.period] <= PERIOD_DAYS[self.quota.period]:
                raise ValueError(
                    f"plan.stacked_bonus.period ({self.plan.stacked_bonus.period}) must be longer than quota.period ({self.quota.period})"
                )
        return self

    @model_validator(mode="after")
    def _prize_checks(self) -> "Scenario":
        """Contests and team bonuses are weighed through the stacked goal's place in the valuation,
        so a plan has at most one of a stacked bonus, a contest and a team bonus."""
        second = [name for name, on in (
            ("plan.stacked_bonus", self.plan.stacked_bonus is not None and self.plan.stacked_bonus.amount > 0),
            ("plan.contest", self.plan.contest is not None and self.plan.contest.prize > 0),
            ("plan.team", self.plan.team is not None and self.plan.team.amount > 0),
        ) if on]
        if len(second) > 1:
            raise ValueError(f"a plan may have one of plan.stacked_bonus, plan.contest and plan.team, got {' and '.join(second)}")
        contest = self.plan.contest
        if contest is not None and PERIOD_DAYS[contest.period] % PERIOD_DAYS[self.quota.period]:
            raise ValueError(
                f"plan.contest.period ({contest.period}) must be a whole number of quota periods ({self.quota.period})")
        if contest is not None and contest.prize > 0 and contest.kind == "rank":
            field = min(self.force.network.branch_size, self.force.size) if contest.scope == "branch" else self.force.size
            if contest.winners >= field:
                raise ValueError(f"plan.contest.winners ({contest.winners}) must be fewer than the reps competing "
                                 f"in each {contest.scope} ({field}): otherwise everybody wins")
        if self.quota.reset is not None and self.quota.policy not in ("fixed", "territory"):
            raise ValueError(f"quota.reset adjusts fixed or territory quotas; quota.policy {self.quota.policy} follows sales already")
        return self

    @model_validator(mode="after")
    def _exact_rule_world(self) -> Scenario:
        """The `exact` rule runs only where its solved table is the reps' whole problem."""
        problems = exact_world_problems(self) if self.behaviour.rule == "exact" else []
        if problems:
            raise ValueError("behaviour.rule exact follows the exact within-period policy, solved for one product "
                             "decided the day it is worked, fixed quotas, constant demand, no present bias and the "
                             "plan's curve alone; this scenario has " + "; ".join(problems))
        return self

    @model_validator(mode="after")
    def _selling_levers(self) -> "Scenario":
        """Activity pay, SPIFs and launches name activities and products that exist."""
        products = sorted(self.products)
        for name, activity in self.market.activities.items():
            if activity.product is not None and activity.product not in self.products:
                raise ValueError(f"market.activities.{name}.product must name a product ({products}), got {activity.product!r}")
        unknown = set(self.plan.activity_pay) - set(self.market.activities)
        if unknown:
            raise ValueError(f"plan.activity_pay names unknown activities {sorted(unknown)}; "
                             f"market.activities defines {sorted(self.market.activities)}")
        unknown = set(self.plan.spif) - set(self.products)
        if unknown:
            raise ValueError(f"plan.spif names unknown products {sorted(unknown)}; products are {products}")
        if self.management.training is not None and self.force.skills is None:
            raise ValueError("management.training needs force.skills: the skills it trains and what they do")
        target = self.plan.activity_target
        if target is not None and target.activity not in self.market.activities:
            raise ValueError(f"plan.activity_target.activity must name an activity of market.activities "
                             f"({sorted(self.market.activities)}), got {target.activity!r}")
        pq = self.plan.product_quota
        if pq is not None and pq.product not in self.products:
            raise ValueError(f"plan.product_quota.product must name a product ({products}), got {pq.product!r}")
        window = self.plan.spif_window
        if window is not None and window[0] >= window[1]:
            raise ValueError(f"plan.spif_window must be [first, last) with first < last, got {list(window)}")
        launch = self.market.launch
        if launch is not None:
            if launch.product not in self.products:
                raise ValueError(f"market.launch.product must name a product ({products}), got {launch.product!r}")
            if len(self.products) < 2:
                raise ValueError("market.launch needs at least one other product on sale before the launch")
        return self

    def with_variable_scale(self, factor: float) -> "Scenario":
        """The same scenario with its plan's variable pay multiplied by `factor`."""
        plan = self.plan.model_copy(update={"variable_scale": self.plan.variable_scale * factor})
        return self.model_copy(update={"plan": plan})

    @property
    def n_days(self) -> int:
        from simulator.calendar import n_days_for

        return n_days_for(self.horizon_years)

    def digest(self) -> str:
        """Stable hash of the resolved scenario, for provenance."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def risk_thresholds(self) -> dict[str, dict[str, float]]:
        """The scenario's threshold overrides, as simulator.analysis.risk.verdicts takes them."""
        return {name: {k: v for k, v in t.model_dump().items() if v is not None} for name, t in self.risks.items()}

    def levers(self) -> dict:
        return {k: getattr(self, k).model_dump(mode="json") for k in LEVERS}

    def uncertainties(self) -> dict:
        out = self.model_dump(mode="json", include=set(UNCERTAINTIES))
        return out
