"""Bad input is refused cleanly: a fuzz of every shipped file, and the attacks and mistakes found
by probing, one test each. A refusal names the file and the field; nothing else escapes."""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import pytest

from simulator.cli import main
from simulator.experiments.design import ExperimentError, load_experiment
from simulator.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import fuzz  # noqa: E402

BOMB = "\n".join(["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
                 + [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]" for k in range(1, 9)]) + "\n"


def refusal(path, *overrides) -> str:
    with pytest.raises(ScenarioError) as err:
        load_scenario(path, list(overrides))
    return str(err.value)


def test_a_few_hundred_mutations_of_every_shipped_file_are_refused_cleanly_or_run_to_finite_figures():
    outcomes = fuzz.campaign(250, seed=20)
    bad = fuzz.failures(outcomes)
    report = "\n".join(f"{o.result} {o.mutant.kind} {o.mutant.source.name} {o.mutant.path}: {o.detail[:300]}"
                       for o in bad)
    assert not bad, f"{fuzz.table(outcomes)}\n{report}"
    results = {o.result for o in outcomes}
    assert {"refused", "ran"} <= results  # both kinds of outcome were exercised


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    assert len(BOMB) < 500  # 9^9 = 387 million values once expanded
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    message = refusal(path)
    assert time.perf_counter() - started < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB: nothing was expanded
    assert str(path) in message and "alias bomb" in message


@pytest.mark.parametrize("override, field, allowed", [
    ("plan.commission_rate=.inf", "plan.commission_rate", "finite"),
    ("plan.bonus=.inf", "plan.bonus", "finite"),
    ("force.traits.ability.mean=.nan", "force.traits.ability.mean", "finite"),
    ("products.standard.leads_per_day=.inf", "products.standard.leads_per_day", "finite"),
    ("risks.fabrication.high=.nan", "risks.fabrication.high", "finite"),
    ("market.customers.cancel_days=1e9", "market.customers.cancel_days", "at most 12,600 (50 years"),
    ("market.fabrication.per_day=1e9", "market.fabrication.per_day", "at most 1,000"),
    ("market.territory_spread=1e308", "market.territory_spread", "at most 5"),
    ("products.standard.cycle_days=.inf", "products.standard.cycle_days", "finite"),
    ("plan.base_salary=1e12", "plan.base_salary", "at most 1e+09"),
    ("force.size=true", "force.size", "must be a number, not true"),
    ("force.segments.low.ability.low=1e9", "force.segments.low.ability", "low must be at most 100"),
    ("force.size=1e308", "force.size", "whole number"),
    ("horizon_years=0.001", "horizon_years", "at least one"),
    ("seed=-1", "seed", "greater than or equal to 0"),
    ("plan.tiers=[" + ", ".join(["{at: 1.1, rate: 0.03}"] * 8) + "]", "plan.tiers", "at most 7 tiers"),
    ("force.size=[1,2", "force.size", "not valid YAML"),
    ("plan.tiers=&a [*a]", "plan.tiers", "a cycle"),
])
def test_odd_values_are_refused_naming_the_field_and_what_is_allowed(override, field, allowed):
    message = refusal(ROOT / "scenarios" / "baseline.yaml", override)
    assert "baseline.yaml" in message.splitlines()[0]
    assert field in message and allowed in message, message
    assert len(message) < 1000  # values are quoted cut short


@pytest.mark.parametrize("text, field, allowed", [
    ("plan: {bonus: 1}\nplan: {bonus: 2}\n", "plan", "duplicate key"),
    ("extends: baseline.yaml\nextends: linear_commission.yaml\n", "extends", "duplicate key"),
    ("plan:\n  bonus: 1\n  bonus: 2\n", "plan.bonus", "duplicate key"),
    ("deep: " + "[" * 100 + "]" * 100 + "\n", "deep", "deeper than 32"),
    ("plan: &p {bonus: *p}\n", "plan.bonus", "a cycle"),
    ("--- {}\n--- {}\n", "(file)", "more than one YAML document"),
    ("plan: !!python/object/apply:os.system ['true']\n", "(file)", "not valid YAML"),
])
def test_files_that_yaml_would_misread_are_refused(tmp_path, text, field, allowed):
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    message = refusal(path)
    assert str(path) in message and f"  - {field}" in message and allowed in message, message


def test_files_that_are_not_scenarios_are_refused_without_reading_or_quoting_them(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert "is not UTF-8 text" in refusal(tmp_path / "latin1.yaml")
    (tmp_path / "big.yaml").write_text("description: " + "x" * (1 << 20) + "\n")
    assert "may have at most 1,048,576" in refusal(tmp_path / "big.yaml")
    assert "is a folder" in refusal(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cretkey: hunter2\n")
    (tmp_path / "leak.yaml").write_text(f"extends: {secret}\n")
    message = refusal(tmp_path / "leak.yaml")
    assert "not a .yaml or .yml file" in message and "hunter2" not in message and "s3cretkey" not in message
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo.yaml")
        (tmp_path / "fifo_child.yaml").write_text("extends: fifo.yaml\n")
        started = time.perf_counter()
        assert "not a regular file" in refusal(tmp_path / "fifo_child.yaml")  # never blocks on it
        assert time.perf_counter() - started < 1.0
    chain = [tmp_path / f"c{k}.yaml" for k in range(40)]
    for k, path in enumerate(chain[:-1]):
        path.write_text(f"extends: c{k + 1}.yaml\n")
    chain[-1].write_text("{}\n")
    assert "a chain of more than 16 files" in refusal(chain[0])


def test_validate_checks_every_file_it_is_given_and_reports_each(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xff\xfe")
    good = ROOT / "scenarios" / "baseline.yaml"
    assert main(["validate", str(tmp_path), str(bad), str(good), str(tmp_path / "missing.yaml")]) == 2
    captured = capsys.readouterr()
    assert f"ok    {good}" in captured.out
    for name in (str(tmp_path), str(bad), "missing.yaml"):
        assert name in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("argv, allowed", [
    (["run", "scenarios/baseline.yaml", "--seed", "-1"], "--seed: must be from 0"),
    (["run", "scenarios/baseline.yaml", "--years", "nan"], "--years: must be more than 0"),
    (["compare", "scenarios/baseline.yaml", "--replications", "0"], "--replications: must be from 1"),
    (["sweep", "experiments/quota_frequency.yaml", "--samples", "1e9"], "--samples: must be a whole number"),
    (["discover", "runs/x", "--risk", "fabrication", "--name", "../../etc/x"], "--name: must be a name"),
])
def test_bad_command_line_values_exit_2_saying_what_is_allowed(argv, allowed, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and allowed in capsys.readouterr().err


def test_experiment_names_are_identifiers_and_designs_are_bounded_before_they_are_drawn(tmp_path):
    base = ROOT / "scenarios" / "baseline.yaml"
    for name in ("../../x", "/tmp/x", ".hidden", "a/b"):
        path = tmp_path / "e.yaml"
        path.write_text(f"name: {name!r}\nbase: {{scenario: {base}}}\nseed: 1\n")
        with pytest.raises(ExperimentError, match="name: "):
            load_experiment(path)
    path.write_text(f"name: e\nbase: {{scenario: {base}}}\nseed: 1\ndesign: {{kind: cases, cases: []}}\n")
    with pytest.raises(ExperimentError, match="design.cases: List should have at least 1 item"):
        load_experiment(path)
    path.write_text(f"name: e\nbase: {{scenario: {base}}}\nseed: 1\nreplications: 10\n"
                    "parameters: {plan.bonus: {low: 0, high: 1000}, plan.commission_rate: {low: 0, high: 0.1}}\n"
                    "design: {kind: sobol, samples: 524288}\n")
    started = time.perf_counter()
    with pytest.raises(ExperimentError, match="the design has 20,971,520 runs"):
        load_experiment(path)
    assert time.perf_counter() - started < 5  # counted, not drawn


def test_a_run_beyond_the_machine_is_refused_before_it_starts_unless_forced(capsys):
    from simulator.experiments.budget import BudgetError, check, estimate

    huge = load_scenario(ROOT / "scenarios" / "baseline.yaml",
                         ["force.size=100000", "horizon_years=50", "market.customers.cancel_days=12600"])
    one = estimate(huge)
    assert one.memory > 50 * 2**30 and one.seconds > 10 * 3600
    with pytest.raises(BudgetError, match="force.size 100,000"):
        check(one, source="huge.yaml")
    assert "started anyway" in check(one, force=True)
    assert main(["run", "scenarios/baseline.yaml", "--set", "force.size=100000", "--years", "50",
                 "--set", "market.customers.cancel_days=12600"]) == 2
    assert "--force to start anyway" in capsys.readouterr().err
    small = estimate(load_scenario(ROOT / "scenarios" / "baseline.yaml", ["force.size=10", "horizon_years=0.25"]))
    assert small.memory < 2**30 and small.seconds < 5
