"""Pay beside the quota's pay curve: contest prizes, team bonuses and draws, and how reps weigh them.

A contest prize (`simulator.levers.contest`) or a team bonus (`simulator.levers.team`) is a second threshold
prize: a lump sum won when the rep's credited sales over its period reach a cutoff that depends on
other reps (the rank line it expects, or what the team still needs from it). The valuation already
has a place for one such prize, the stacked goal (`behaviour.effort`: the lump sum times the chance
of reaching its level, with that chance moved by the effort, product mix and variance of the work
that closes in its period), so the prize is installed there, with each rep's cutoff refreshed
each morning from what it sees; the misconduct weighing adds the prize's gain in that chance. No
rule says what a contest or a team quota makes reps do: that comes out of the weighing. A draw
(`simulator.levers.draw`) changes realised pay only, and so what reps weigh when deciding to stay.

Every lever here is off by default, and off it draws no random numbers and changes no
arithmetic: a scenario without these levers gives exactly the numbers it gave before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from simulator.calendar import PERIOD_DAYS, PeriodCalendar
from simulator.levers.contest import ContestPrize, rank_in_group
from simulator.levers.draw import DrawBook
from simulator.levers.quota_reset import QuotaAdjuster
from simulator.levers.team import TeamPrize

if TYPE_CHECKING:
    from simulator.sim.engine import Engine


class SecondPrize(Protocol):
    """A lump sum won at a per-rep cutoff over a period: a contest or a team bonus."""

    column: str
    amount: float
    period: str

    def cutoffs(self, engine: "Engine") -> tuple[np.ndarray, np.ndarray]: ...

    def winners(self, engine: "Engine", idx: np.ndarray) -> np.ndarray: ...


class Prizes:
    """The levers of this module that a run has switched on."""

    def __init__(self, engine: "Engine"):
        plan = engine.scenario.plan
        self.prize: SecondPrize | None = None
        if plan.contest is not None and plan.contest.prize > 0:
            self.prize = ContestPrize(plan.contest)
        elif plan.team is not None and plan.team.amount > 0:
            self.prize = TeamPrize(plan.team, engine.scenario.quota.period)
        if self.prize is not None:  # the prize takes the stacked goal's place in the valuation
            engine.stack_calendar = PeriodCalendar.build(self.prize.period, engine.n_days)
            engine.stack_amount = self.prize.amount * plan.variable_scale
        self.extra_var = np.zeros(engine.scenario.force.size)
        draw = plan.draw
        self.draws = DrawBook(draw, engine.scenario.force.size, plan.variable_scale) if draw and draw.amount > 0 else None
        reset = engine.scenario.quota.reset
        self.quotas = QuotaAdjuster(reset, engine) if reset is not None else None

    @property
    def on(self) -> bool:
        return self.prize is not None or self.draws is not None or self.quotas is not None

    def refresh(self, engine: "Engine") -> None:
        """Each morning, after reps' beliefs are updated: the cutoff each rep expects, and the
        uncertainty of what it depends on, into the stacked goal's place."""
        if self.prize is None:
            return
        r = engine.reps
        cut, self.extra_var = self.prize.cutoffs(engine)
        r.stack_quota[:] = cut
        r.var_stack += self.extra_var

    def misconduct_terms(self, engine: "Engine") -> tuple:
        """The prize, the cutoffs and the belief about the prize period's sales, for
        `behaviour.misconduct.choose_misconduct` (a zero prize: nothing is weighed)."""
        r = engine.reps
        if self.prize is None:
            return 0.0, r.stack_quota, r.mu_stack, r.var_stack
        return engine.stack_amount, r.stack_quota, r.mu_stack, r.var_stack + self.extra_var

    def period_pay(self, engine: "Engine", idx: np.ndarray, full: bool, variable: np.ndarray) -> dict[str, np.ndarray]:
        """Pay beside the curve for the reps `idx` settling now, by column ({} when all is off):
        prizes at the prize period's end, then draws on the variable pay including them."""
        out: dict[str, np.ndarray] = {}
        if self.prize is not None:
            paid = np.zeros(idx.size)
            if full and engine.stack_calendar.is_last_day[engine.day]:
                paid = engine.stack_amount * self.prize.winners(engine, idx)
            out[self.prize.column] = paid
        if self.draws is not None:
            r = engine.reps
            days = np.maximum(r.days_active[idx], 1)
            total = variable + sum(out.values()) if out else variable
            out.update(self.draws.settle(r.rep_id, r.hire_day, idx, engine.day + 1 - days, days, total))
        return out

    def end_of_day(self, engine: "Engine") -> None:
        """After the day's settlement: quotas follow the market where the plan says so."""
        if self.quotas is not None:
            self.quotas.adjust(engine)


def static_pay(scenario, rows, variable: np.ndarray) -> np.ndarray | None:
    """What a plan's contest, team bonus and draw would pay on rep-period rows of another run
    (`simulator.experiments.compare`'s static what-if), given the curve's `variable` pay on those rows; None
    when the plan has none of them. Prizes go to the rows that close a prize period; draws top
    up the rows of new hires and, when recoverable, are paid back from later rows."""
    plan = scenario.plan
    contest = plan.contest if plan.contest is not None and plan.contest.prize > 0 else None
    team = plan.team if plan.team is not None and plan.team.amount > 0 else None
    draw = plan.draw if plan.draw is not None and plan.draw.amount > 0 else None
    if contest is None and team is None and draw is None:
        return None
    scale = plan.variable_scale
    out = np.zeros(len(rows))
    done = rows["complete"].to_numpy()
    end = rows["end_day"].to_numpy()
    sales = rows["sales"].to_numpy(dtype=float)
    quota = rows["quota"].to_numpy(dtype=float)
    if contest is not None:
        length = PERIOD_DAYS[contest.period]
        window = end // length
        frame = rows.assign(window=window, own=quota)[done]
        totals = frame.groupby(["window", "rep_id"]).agg(sales=("sales", "sum"), quota=("own", "sum"),
                                                         branch=("branch", "last"), last=("end_day", "max"))
        totals = totals[(totals["last"] + 1) % length == 0].reset_index()
        score = totals["sales"] / (totals["quota"] if contest.measure == "attainment" else 1.0)
        if contest.kind == "threshold":
            won = score >= contest.level
        else:
            group = totals["window"] * (int(rows["branch"].max()) + 1) + (totals["branch"] if contest.scope == "branch" else 0)
            won = rank_in_group(group.to_numpy(), score.to_numpy()) < contest.winners
        winners = set(zip(totals.loc[won, "window"], totals.loc[won, "rep_id"], totals.loc[won, "last"]))
        keys = zip(window, rows["rep_id"], end)
        out += contest.prize * scale * np.array([done[i] and key in winners for i, key in enumerate(keys)])
    if team is not None:
        frame = rows[done]
        teams = frame.groupby([frame["end_day"], frame["branch"]])[["sales", "quota"]].transform("sum")
        made = (teams["sales"] >= team.at * teams["quota"]).to_numpy()
        out[np.flatnonzero(done)] += team.amount * scale * made
    if draw is not None:
        book = DrawBook(draw, 1, scale)
        hire = (end - rows["tenure_days"].to_numpy())
        days = rows["days"].to_numpy()
        first = end + 1 - days
        covered = np.clip(hire + book.last_day - first, 0, days)
        due = book.per_day * covered
        paid = variable + out
        top_up = np.maximum(due - paid, 0.0)
        out += top_up
        if draw.recoverable:  # paid back in each rep's later periods, in order
            owed: dict[int, float] = {}
            for i in np.lexsort((end, rows["rep_id"].to_numpy())):
                rep = int(rows["rep_id"].iat[i])
                balance = owed.get(rep, 0.0) + top_up[i]
                back = min(balance, draw.recovery_share * max(paid[i] - due[i], 0.0))
                owed[rep] = balance - back
                out[i] -= back
    return out
