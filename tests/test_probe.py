"""`salesim sweep --dry-run` measures the run time: a few timed days of the largest case, scaled to
every run's force and days and divided among the workers (simulator.experiments.probe)."""

import pytest
from conftest import TINY_SWEEP

from simulator.cli import main
from simulator.experiments.design import load_experiment
from simulator.experiments.probe import Probe, measure, sweep_seconds


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_SWEEP)
    return path


def test_the_measured_speed_is_scaled_to_runs_force_days_and_workers(tiny, tmp_path):
    probe = Probe(case=0, reps=10, days=20, setup_seconds=1.0, rep_days_per_second=100.0)
    experiment = load_experiment(tiny)  # 8 runs of 10 reps x 63 days: 1 + 630 / 100 = 7.3 s each
    assert sweep_seconds(probe, experiment, 1) == pytest.approx(8 * 7.3)
    assert sweep_seconds(probe, experiment, 2) == pytest.approx(4 * 7.3)
    assert sweep_seconds(probe, experiment, 64) == pytest.approx(7.3), "no more workers than runs"
    sizes = tmp_path / "sizes.yaml"
    sizes.write_text(TINY_SWEEP.replace("plan.bonus: {levels: [2000, 6000]}", "force.size: {levels: [10, 30]}"))
    # cases of 10 and 30 reps: 7.3 s and 1 + 30 x 63 / 100 = 19.9 s a run
    assert sweep_seconds(probe, load_experiment(sizes), 1) == pytest.approx(4 * 7.3 + 4 * 19.9)


def test_a_short_timed_run_measures_the_largest_case(tmp_path):
    sizes = tmp_path / "sizes.yaml"
    sizes.write_text(TINY_SWEEP.replace("plan.bonus: {levels: [2000, 6000]}", "force.size: {levels: [10, 30]}"))
    experiment = load_experiment(sizes)
    probe = measure(experiment)
    assert experiment.scenario(probe.case * 2).force.size == probe.reps == 30
    assert probe.rep_days_per_second > 0 and probe.setup_seconds >= 0
    assert 2 <= probe.days <= 63


def test_dry_run_prints_the_measured_time_beside_the_budget_and_keeps_nothing(tiny, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(tiny), "--dry-run", "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert "8 runs on 2 worker(s): peak memory" in printed
    assert "measured time: about" in printed and "8 runs on 2 worker(s), from" in printed
    assert not (tmp_path / "runs").exists()
