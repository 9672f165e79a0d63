"""salesim optimise: the search finds the best plan of a space small enough to run whole, keeps
out the plans a constraint forbids, resumes without repeating trials, refuses another search's
folder, and writes plan files that load and give the figures the search recorded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simulator.cli import main
from simulator.experiments.compare import compare
from simulator.experiments.runner import SerialExecutor
from simulator.optimise import output, search
from simulator.optimise import problem as opt
from simulator.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
SMALL = ["force.size=6", "horizon_years=0.25"]
RATES = ("0.01", "0.015", "0.03", "0.045")  # not the current 0.02: the search must find the best
PERIODS = ("month", "quarter")
SEEDS = [11, 12]


def problem(objective: str = "revenue", constraints=("cost<=current",), sampler: str = "tpe") -> opt.Problem:
    scenario = load_scenario(BASELINE, SMALL)
    levers = opt.resolve_levers(scenario.model_dump(mode="json"), ["plan.commission_rate", "quota.period"],
                                opt.parse_bounds([f"plan.commission_rate={','.join(RATES)}",
                                                  f"quota.period={','.join(PERIODS)}"]), scenario.n_days)
    return opt.Problem(BASELINE, scenario, list(SMALL), levers, objective,
                       [opt.parse_constraint(c) for c in constraints], SEEDS, sampler)


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    """Every plan of the space run by `salesim compare`'s own machinery on the same seeds."""
    base = load_scenario(BASELINE, SMALL)
    plans = [load_scenario(BASELINE, [*SMALL, f"plan.commission_rate={r}", f"quota.period={p}"])
             for r in RATES for p in PERIODS]
    names = [f"{r}-{p}" for r in RATES for p in PERIODS]
    found = compare([base, *plans], names=["current", *names], replications=len(SEEDS), seed=SEEDS[0])
    means = found.runs_table().groupby("plan")[["financial.revenue", "financial.comp_cost"]].mean()
    means["rate"] = [float(n.split("-")[0]) if n != "current" else 0.02 for n in means.index]
    means["period"] = [n.split("-")[1] if n != "current" else "quarter" for n in means.index]
    return means


@pytest.fixture(scope="module")
def searched(tmp_path_factory, truth):
    out = tmp_path_factory.mktemp("search")
    p = problem()
    outcome = search.search(p, out, 24, SerialExecutor(), seed=5)
    assert not any(t.params == {"plan.commission_rate": 0.02, "quota.period": "quarter"} for t in outcome.study.trials)
    output.write_outputs(outcome, p, out)
    return p, outcome, out


def test_finds_the_best_plan_of_a_small_space_within_the_cost(searched, truth):
    """The best revenue among plans costing no more than the current plan, found by running every plan
    with compare(), is the search's plan-1; and the constraint binds (the best revenue overall costs more)."""
    _, _, out = searched
    current_cost = truth.loc["current", "financial.comp_cost"]
    allowed = truth[(truth["financial.comp_cost"] <= current_cost) & (truth.index != "current")]
    best = allowed["financial.revenue"].idxmax()
    overall = truth["financial.revenue"].idxmax()
    assert truth.loc[overall, "financial.comp_cost"] > current_cost, "the constraint must bind for this test to mean anything"
    front = pd.read_csv(out / "front.csv")
    top = front.iloc[0]
    assert (top["plan.commission_rate"], top["quota.period"]) == (truth.loc[best, "rate"], truth.loc[best, "period"])
    assert top["revenue"] == pytest.approx(truth.loc[best, "financial.revenue"], rel=1e-9)


def test_the_constraint_keeps_dearer_plans_off_the_front(searched, truth):
    _, _, out = searched
    trials = pd.read_csv(out / "trials.csv")
    current_cost = truth.loc["current", "financial.comp_cost"]
    dear = trials["cost"] > current_cost * (1 + 1e-12)
    assert dear.any() and (~dear).any()
    assert not trials.loc[dear, "feasible"].any()
    assert trials.loc[~dear, "feasible"].all()
    assert not trials.loc[dear, "on_front"].any()
    assert (pd.read_csv(out / "front.csv")["cost"] <= current_cost * (1 + 1e-12)).all()


def test_plan_files_load_and_give_the_recorded_figures(searched):
    """plans/plan-N.yaml extends the input with the lever values; compare() on it gives the figures of front.csv."""
    p, _, out = searched
    front = pd.read_csv(out / "front.csv")
    files = sorted((out / "plans").glob("plan-*.yaml"))
    assert len(files) == len(front) >= 1
    plan = load_scenario(out / "plans" / "plan-1.yaml")
    assert plan.plan.commission_rate == front.iloc[0]["plan.commission_rate"]
    assert plan.quota.period == front.iloc[0]["quota.period"]
    assert plan.force.size == 6
    again = compare([p.scenario, plan.model_copy(update={"horizon_years": 0.25})], replications=len(SEEDS),
                    seed=SEEDS[0])
    means = again.runs_table().groupby("plan", sort=False)[["financial.revenue", "financial.comp_cost"]].mean()
    assert means.iloc[1]["financial.revenue"] == pytest.approx(front.iloc[0]["revenue"], rel=1e-9)
    assert means.iloc[1]["financial.comp_cost"] == pytest.approx(front.iloc[0]["cost"], rel=1e-9)
    page = (out / "report.html").read_text()
    assert "payout-plan-1" in page and (out / "figures" / "front.png").stat().st_size > 10_000


def test_resume_keeps_trials_and_runs_only_new_ones(tmp_path, monkeypatch):
    p = problem(objective="profit", constraints=())
    first = search.search(p, tmp_path, 3, SerialExecutor(), seed=2)
    kept = [(t.number, t.params, t.values) for t in search.counted(first.study)]
    assert len(kept) == 3
    calls = []
    real = search.simulate
    monkeypatch.setattr(search, "simulate", lambda *a: calls.append(a) or real(*a))
    again = search.search(p, tmp_path, 5, SerialExecutor(), seed=2)
    assert again.before == 3
    assert [(t.number, t.params, t.values) for t in search.counted(again.study)][:3] == kept
    assert len(search.counted(again.study)) == 5
    assert len(calls) == len(SEEDS) * (again.ran - again.reused)  # no run of the current plan or an old trial
    same = search.search(p, tmp_path, 5, SerialExecutor(), seed=2)
    assert same.ran == 0 and len(search.counted(same.study)) == 5


def test_a_trial_cut_short_is_run_again(tmp_path):
    """A trial left running by a killed session is marked failed and its plan run first on resuming."""
    p = problem(objective="profit", constraints=())
    study = search.open_study(p, tmp_path, seed=2)
    cut = study.ask()
    params = {lv.path: lv.suggest(cut) for lv in p.levers}  # left running, as a kill leaves it
    outcome = search.search(p, tmp_path, 2, SerialExecutor(), seed=2)
    assert [t.state.name for t in outcome.study.trials].count("RUNNING") == 0
    done = search.counted(outcome.study)
    assert len(done) == 2 and params in [t.params for t in done]


def test_another_search_on_the_same_folder_is_refused(tmp_path):
    search.search(problem(objective="profit", constraints=()), tmp_path, 1, SerialExecutor(), seed=2)
    with pytest.raises(opt.OptimiseError, match="holds another search"):
        search.search(problem(objective="revenue", constraints=()), tmp_path, 1, SerialExecutor(), seed=2)


@pytest.mark.parametrize("argv, words", [
    (["--levers", "plan.nonsense"], "no field 'nonsense'"),
    (["--levers", "force.size"], "a lever is a field of the plan"),
    (["--levers", "plan.commission_rate", "--bounds", "plan.commission_rate=-1:0.1"], "leaves the schema's range"),
    (["--levers", "quota.period", "--bounds", "quota.period=month,fortnight"], "fortnight not allowed; allowed"),
    (["--levers", "quota.period", "--bounds", "quota.period=year"], "do not fit the horizon"),
    (["--levers", "plan.tiers"], "neither a number nor a choice"),
    (["--levers", "plan.commission_rate", "--constraint", "cost<=cheap"], "the bound must be current"),
    (["--levers", "plan.commission_rate", "--constraint", "risk.fabrication<=medium"], "LEVEL one of low, elevated, high"),
    (["--levers", "plan.commission_rate", "--constraint", "risk.greed<=low"], "no risk 'greed'"),
])
def test_bad_input_is_refused_naming_what_is_allowed(tmp_path, capsys, argv, words):
    status = main(["optimise", str(BASELINE), *argv, "--set", "force.size=4", "--years", "0.25", "--trials", "1",
                   "--replications", "1", "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and words in err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_the_command_end_to_end_on_two_workers(tmp_path, capsys):
    out = tmp_path / "o"
    argv = ["optimise", str(BASELINE), "--levers", "plan.commission_rate", "plan.bonus", "--objective", "profit",
            "--constraint", "cost<=current", "--constraint", "risk.attrition<=elevated", "--set", "force.size=6",
            "--years", "0.25", "--trials", "6", "--replications", "2", "--workers", "2", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "PARETO FRONT" in printed and "check a plan: salesim compare" in printed
    assert len(pd.read_csv(out / "trials.csv")) == 6
    more = argv[:argv.index("--trials") + 1] + ["8"] + argv[argv.index("--trials") + 2:]
    assert main([*more, "--engine", "serial"]) == 0  # the engine is not part of the study: resumed on another
    assert "resuming: 6 trials" in capsys.readouterr().out
    assert len(pd.read_csv(out / "trials.csv")) == 8
