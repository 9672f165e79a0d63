"""Scenario files: every shipped file validates; bad input is refused with a message that names
the file, the field, the value and what is allowed; `extends` and overrides go through the same
validation."""

import json
import pickle
from pathlib import Path

import pytest

from simulator import ScenarioError, load_scenario
from simulator.cli import main
from simulator.scenario import LEVERS, UNCERTAINTIES, Scenario, json_schema

SCENARIOS = sorted(Path(__file__).parents[1].joinpath("scenarios").rglob("*.yaml"))  # demo/ too


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_validates_and_says_what_it_is(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description
    assert path.read_text().lstrip().startswith("#"), "each file opens with a comment saying what it represents"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_unknown_key_is_an_error_naming_file_field_and_allowed_fields(tmp_path):
    path = write(tmp_path, "bad.yaml", "plan:\n  bonuss: 5000\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert "bad.yaml" in text and "plan.bonuss" in text and "unknown field" in text
    assert "bonus" in text and "commission_rate" in text  # the allowed fields are listed


def test_bad_value_names_field_value_and_what_is_allowed(tmp_path):
    path = write(tmp_path, "bad.yaml", "quota:\n  period: fortnight\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert "quota.period" in text and "fortnight" in text and "quarter" in text


def test_cross_field_errors_are_reported(tmp_path):
    path = write(tmp_path, "bad.yaml", "force:\n  segments:\n    a: {share: 0.5}\n    b: {share: 0.6}\n")
    with pytest.raises(ScenarioError, match="sum to 1"):
        load_scenario(path)


def test_extends_deep_merges_and_overrides_apply_after(tmp_path):
    write(tmp_path, "parent.yaml", "name: parent\nplan:\n  bonus: 1000\n  commission_rate: 0.03\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\nname: child\nplan:\n  bonus: 2000\n")
    scenario = load_scenario(child, ["quota.period=month", "plan.tiers=[{at: 1.0, rate: 0.05}]"])
    assert scenario.name == "child"
    assert scenario.plan.bonus == 2000
    assert scenario.plan.commission_rate == 0.03  # kept from the parent
    assert scenario.quota.period == "month"
    assert scenario.plan.tiers[0].rate == 0.05


def test_a_trait_given_in_part_keeps_the_rest_of_its_default_distribution(tmp_path):
    """`--set force.traits.goal_value.mean=700`, or a file that extends another and gives only a
    trait's mean, moves the mean and keeps the default's spread and limits (before, the reps' goal
    values silently lost their spread and their floor at 0). A plain number is still everyone's."""
    default = Scenario().force.traits.goal_value
    assert default.sd > 0 and default.low == 0.0
    moved = load_scenario(data={}, overrides=["force.traits.goal_value.mean=700"]).force.traits.goal_value
    assert (moved.mean, moved.sd, moved.low, moved.high) == (700.0, default.sd, default.low, default.high)
    write(tmp_path, "parent.yaml", "name: parent\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\nname: child\nforce:\n  traits:\n"
                                          "    effort_cost: {mean: 120}\n    ability: {sd: 0.3}\n")
    traits = load_scenario(child).force.traits
    assert (traits.effort_cost.mean, traits.effort_cost.sd, traits.effort_cost.low) == (120.0, 15.0, 10.0)
    assert (traits.ability.mean, traits.ability.sd, traits.ability.low) == (1.0, 0.3, 0.2)
    everyone = load_scenario(data={}, overrides=["force.traits.goal_value=700"]).force.traits.goal_value
    assert (everyone.mean, everyone.sd, everyone.low) == (700.0, 0.0, None)
    with pytest.raises(ScenarioError, match="force.traits.goal_value.sd"):
        load_scenario(data={}, overrides=["force.traits.goal_value.sd=-1"])


def test_a_segments_trait_given_in_part_keeps_the_rest_of_the_forces_distribution():
    """A segment that gives only part of a trait (`high: {goal_value: {mean: 900}}`) moves that part of
    the force's distribution of the trait and keeps its spread and limits (before, the segment's reps
    all had the mean, with no floor); a whole distribution is taken as written, a plain number is every
    such rep's, and a bad part is refused under the segment's own field."""
    data = {"force": {"traits": {"goal_value": {"sd": 50}}, "segments": {
        "high": {"share": 0.3, "goal_value": {"mean": 900}, "ability": {"mean": 1.4, "sd": 0.1, "low": 0.3}},
        "low": {"share": 0.7, "goal_value": 300, "effort_cost": {"sd": 40}}}}}
    force = load_scenario(data=data).force
    high = force.segments["high"].traits(force.traits)
    assert (high.goal_value.mean, high.goal_value.sd, high.goal_value.low) == (900.0, 50.0, 0.0)
    assert (high.ability.mean, high.ability.sd, high.ability.low) == (1.4, 0.1, 0.3)
    low = force.segments["low"].traits(force.traits)
    assert (low.goal_value.mean, low.goal_value.sd, low.goal_value.low) == (300.0, 0.0, None)
    assert (low.effort_cost.mean, low.effort_cost.sd, low.effort_cost.low) == (90.0, 40.0, 10.0)
    with pytest.raises(ScenarioError, match="force.segments.high.goal_value.sd"):
        load_scenario(data={"force": {"segments": {"high": {"share": 1.0, "goal_value": {"sd": -1}}}}})


def test_bad_override_is_validated_like_the_file(tmp_path):
    path = write(tmp_path, "ok.yaml", "name: ok\n")
    with pytest.raises(ScenarioError, match="plan.commission_rate"):
        load_scenario(path, ["plan.commission_rate=-1"])
    with pytest.raises(ScenarioError, match="unknown field"):
        load_scenario(path, ["plan.no_such_field=1"])


def test_overrides_copy_only_the_sections_they_change():
    """`overridden` (a sweep's runs) gives what `apply_overrides` gives, leaves its input as it was, and
    shares only the sections no override touches."""
    import copy

    from simulator.scenario import apply_overrides, overridden

    base = load_scenario(SCENARIOS[0]).model_dump(mode="json")
    before = copy.deepcopy(base)
    changes = {"plan.bonus": 1234.0, "force.traits.goal_value.mean": 650.0, "market.new.section": 1}
    light, deep = overridden(base, changes), apply_overrides(base, changes)
    assert light == deep and base == before
    assert light["plan"]["bonus"] == 1234.0 and light["plan"] is not base["plan"]
    assert light["force"]["traits"] is not base["force"]["traits"] and light["products"] is base["products"]
    assert light["force"]["segments"] is base["force"]["segments"]
    with pytest.raises(ValueError, match="not a section"):
        overridden(base, {"plan.bonus.amount": 1})


def test_a_bad_scenario_in_a_worker_reaches_the_caller_as_itself():
    """A run in a process pool that gets a bad scenario (a calibration's candidate, a sweep's case) raises
    the same error in the caller, message and problems intact, not a broken pool."""
    from concurrent.futures import ProcessPoolExecutor

    from simulator.experiments.design import ExperimentError

    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(load_scenario, Path(__file__).parents[1] / "scenarios" / "baseline.yaml",
                             ["behaviour.effort_curvature=5"])
        with pytest.raises(ScenarioError, match="effort_curvature: must be at most 4") as error:
            future.result()
    assert error.value.problems and "baseline.yaml" in error.value.source
    again = pickle.loads(pickle.dumps(ExperimentError("sweep.yaml", ["replications: bad"])))
    assert type(again) is ExperimentError and again.problems == ["replications: bad"]


def test_circular_extends_is_refused(tmp_path):
    write(tmp_path, "a.yaml", "extends: b.yaml\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\n")
    with pytest.raises(ScenarioError, match="circular"):
        load_scenario(tmp_path / "a.yaml")


def test_levers_and_uncertainties_are_split():
    scenario = Scenario()
    assert set(scenario.levers()) == set(LEVERS)
    assert set(scenario.uncertainties()) == set(UNCERTAINTIES)
    assert not set(LEVERS) & set(UNCERTAINTIES)


def test_digest_changes_with_any_field():
    a = Scenario()
    assert a.digest() == Scenario().digest()
    assert a.digest() != load_scenario(data={}, overrides=["plan.bonus=1"]).digest()


def test_cli_exits_2_on_a_bad_file_and_runs_nothing(tmp_path, capsys):
    path = write(tmp_path, "bad.yaml", "plan:\n  base_salary: lots\n")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    assert "plan.base_salary" in capsys.readouterr().err
    assert not out.exists()
    assert main(["validate", str(path)]) == 2
    assert main(["run", str(tmp_path / "missing.yaml")]) == 2


def test_cli_schema_prints_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == json_schema()
    assert "plan" in schema["properties"] and "extends" in schema["properties"]
