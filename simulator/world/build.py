"""The world of one run, built once from the scenario: calendars, products, the plan as the reps
weigh it, demand, the force's composition and its network.

Everything here is fixed for the run. Demand is drawn from the run's generator; the network and
its branch managers from a child of its seed sequence, so building them does not move the run's
main stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.calendar import PeriodCalendar
from simulator.pay.payout import CompiledPlan, compile_plan
from simulator.scenario import Scenario
from simulator.world.force import ForceComposition
from simulator.world.market import Demand, ProductTable, build_demand, build_products, focus_lattice, lattice_neighbours
from simulator.world.network import branch_network


@dataclass(frozen=True)
class SecondGoal:
    """A lump sum won over a longer window than the quota period: a stacked bonus, a contest
    prize or a team bonus (a plan has at most one). Reps weigh it at its own line."""

    calendar: PeriodCalendar
    amount: float


@dataclass(frozen=True)
class World:
    """What stays fixed through a run."""

    scenario: Scenario
    n_days: int
    calendar: PeriodCalendar
    products: ProductTable
    focus_shares: np.ndarray  # (focus mixes, products): the share of effort on each product
    focus_g: np.ndarray  # the same with diminishing returns to focus (market.focus_returns)
    neighbours: np.ndarray  # each focus mix's neighbours on the lattice, for the local search
    balanced: int  # the focus mix closest to an even split
    plan: CompiledPlan
    decision_curve: tuple  # the plan's curve with a breakpoint at quota, as the kernels read it
    second: SecondGoal | None
    quota_up: float  # next quota's move per $ of sales above quota this period
    quota_down: float  # ... and below it
    quota_carry: tuple[float, float]  # share of a rise in a quota that survives into the next one (above, below)
    demand: Demand
    closing: tuple[np.ndarray, np.ndarray]  # `Demand.closing_table` over the quota period
    closing_second: tuple[np.ndarray, np.ndarray] | None  # ... over the second goal's window
    composition: ForceComposition
    reference_rate: float  # credited $ a day of the reference rep at normal effort and a balanced mix
    deal_size: float  # value-weighted mean credited deal at a balanced mix (compound-Poisson variance per $)
    mean_ability: float
    branch: np.ndarray  # branch of each position
    network_csr: tuple[np.ndarray, np.ndarray]  # (indptr, indices) of each position's colleagues
    manager: np.ndarray  # each position's branch manager: how hard it presses and how much it looks away
    misconduct_on: bool
    pressure_cost: float  # $ being behind at a check-in costs, before the manager's factor
    p_found: np.ndarray  # chance an act is found: [fabrication, mis-selling]

    @property
    def period_len(self) -> int:
        return self.calendar.length

    @property
    def deal_value(self) -> np.ndarray:
        return self.products.credited_deal

    @property
    def second_amount(self) -> float:
        return self.second.amount if self.second is not None else 0.0

    @property
    def n_branches(self) -> int:
        return int(self.branch.max()) + 1

    def reference_margin(self) -> float:
        """Gross margin of the sales a balanced product mix would bring: the yardstick for
        product-mix distortion."""
        p = self.products
        value = p.leads * self.focus_g[self.balanced] * p.win * p.price
        return float(np.sum(value * p.margin) / np.sum(value))


def second_goal(scenario: Scenario, plan: CompiledPlan, n_days: int) -> SecondGoal | None:
    """The plan's second threshold prize, if any: a stacked bonus, a contest or a team bonus."""
    spec = scenario.plan
    if spec.contest is not None and spec.contest.prize > 0:
        return SecondGoal(PeriodCalendar.build(spec.contest.period, n_days), spec.contest.prize * spec.variable_scale)
    if spec.team is not None and spec.team.amount > 0:
        return SecondGoal(PeriodCalendar.build(scenario.quota.period, n_days), spec.team.amount * spec.variable_scale)
    if plan.stacked is not None:
        return SecondGoal(PeriodCalendar.build(plan.stacked.period, n_days), float(plan.stacked.curve.lump[-1]))
    return None


def quota_response(scenario: Scenario) -> tuple[float, float]:
    """How next quota moves per $ of this period's sales above (up) and below (down) quota."""
    spec = scenario.quota
    if spec.amount is None and spec.policy == "ratchet":
        return spec.ratchet_up, spec.ratchet_down
    if spec.amount is None and spec.policy == "growth":
        return 1.0 + spec.growth, 1.0 + spec.growth
    return 0.0, 0.0


def quota_carry(scenario: Scenario) -> tuple[float, float]:
    """Share of a rise in one period's quota that is still in the next period's quota, when that
    period's sales end above and below it: under `next = quota + a (sales - quota)` it is 1 - a,
    so a sale today raises every later quota (Weitzman 1980); a growth quota restarts from sales
    and carries nothing; a fixed quota never moves."""
    spec = scenario.quota
    if spec.amount is None and spec.policy == "ratchet":
        return 1.0 - spec.ratchet_up, 1.0 - spec.ratchet_down
    return 0.0, 0.0


def build_world(scenario: Scenario, rng: np.random.Generator) -> World:
    """The run's world; draws demand from `rng` (and nothing else from its main stream)."""
    n_days = scenario.n_days
    calendar = PeriodCalendar.build(scenario.quota.period, n_days)
    products = build_products(scenario)
    lattice = focus_lattice(products.k)
    focus_g = lattice**scenario.market.focus_returns
    balanced = int(np.argmin(np.abs(lattice - 1.0 / products.k).sum(axis=1)))
    plan = compile_plan(scenario.plan, calendar.periods_per_year, products.credit)
    curve, goal_index = plan.curve.with_breakpoint(1.0)  # where a rep's goal value starts
    second = second_goal(scenario, plan, n_days)
    up, down = quota_response(scenario)
    demand = build_demand(scenario.market, n_days, rng)
    closing = demand.closing_table(calendar.days_left, products.delay_cdf)
    closing_second = demand.closing_table(second.calendar.days_left, products.delay_cdf) if second else None
    composition = ForceComposition(scenario.force)
    g, value = focus_g[balanced], products.credited_deal
    deal_size = float(np.sum(g * products.leads * products.win * value**2)
                      / max(np.sum(g * products.leads * products.win * value), 1e-9))
    branch, manager, csr = _network(scenario, rng)
    m, mg = scenario.market, scenario.management
    pressure = mg.pressure
    checked = pressure.check_ins != "none" and scenario.quota.assigned
    d = mg.detection
    audited = d.audit_catch * (1.0 - (1.0 - d.audit_rate) ** d.audit_window_days)
    p_found = np.array([
        1.0 - (1.0 - audited) * (1.0 - m.fabrication.complaint_rate * d.complaint_investigation),
        1.0 - (1.0 - audited) * (1.0 - m.mis_selling.complaint_rate * d.complaint_investigation),
    ])
    return World(
        scenario=scenario, n_days=n_days, calendar=calendar, products=products, focus_shares=lattice,
        focus_g=focus_g, neighbours=lattice_neighbours(lattice), balanced=balanced, plan=plan,
        decision_curve=curve.kernel(goal_index), second=second, quota_up=up, quota_down=down,
        quota_carry=quota_carry(scenario), demand=demand,
        closing=closing, closing_second=closing_second, composition=composition,
        reference_rate=products.expected_value_per_effort(focus_g[balanced]), deal_size=deal_size,
        mean_ability=composition.mean_trait("ability"), branch=branch, network_csr=csr,
        manager=manager, misconduct_on=m.fabrication.per_day > 0 or m.mis_selling.share_of_declines > 0,
        pressure_cost=pressure.cost * (2.0 if pressure.public_ranking else 1.0) if checked else 0.0,
        p_found=p_found,
    )


def _network(scenario: Scenario, rng: np.random.Generator):
    """Branches, the network and each branch's manager, from a child of the run's seed sequence."""
    child = np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])
    n = scenario.force.size
    branch, indptr, indices = branch_network(n, scenario.force.network, child)
    spread = scenario.force.network.manager_spread
    manager = np.exp(child.normal(-0.5 * spread**2, spread, size=int(branch.max()) + 1))[branch]
    return branch, manager, (indptr, indices)
