"""A quick or partial `salesim validate-facts` never overwrites the published page (docs/validation.md):
it writes to a scratch folder, and refuses docs/ when asked. The fact runs are replaced by a stub, so
this checks where pages go, not what the facts find (tests/test_facts.py does that)."""

from pathlib import Path

import pytest

from simulator import validation
from simulator.cli import EXIT_BAD_INPUT, main
from simulator.validation import published


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A working folder with a published page, and fact runs that cost nothing."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "validation.md").write_text("published")
    calls = []

    def run_facts(facts, executor, quick, settings=()):
        calls.append((quick, settings) if settings else quick)
        return []

    monkeypatch.setattr(validation, "run_facts", run_facts)
    monkeypatch.setattr("simulator.validation.published.run_sizes",
                        lambda sizes, executor, settings=(): calls.append(("sizes", len(sizes), tuple(settings))) or None)
    monkeypatch.setattr("simulator.validation.robustness.sweep", lambda facts, runs, executor, settings=(): None)
    return tmp_path, calls


@pytest.mark.parametrize("flags", [["--quick"], ["--facts", "1"], ["--no-robustness"]])
def test_a_check_writes_to_the_scratch_folder_and_leaves_the_published_page(project, flags):
    root, calls = project
    assert main(["validate-facts", "--workers", "1", *flags]) == 0
    assert (root / "docs" / "validation.md").read_text() == "published"
    assert (root / validation.SCRATCH / "validation.md").exists()
    judged = published.chosen([1]) if flags == ["--facts", "1"] else published.SIZES  # fact 1's sizes, or all
    assert calls == [flags == ["--quick"], ("sizes", len(judged), ())]


def test_a_check_refuses_to_write_into_the_published_folder(project, capsys):
    root, calls = project
    assert main(["validate-facts", "--quick", "--workers", "1", "--out", "docs"]) == EXIT_BAD_INPUT
    assert "published page" in capsys.readouterr().err
    assert calls == [], "nothing runs before the refusal"
    assert (root / "docs" / "validation.md").read_text() == "published"


def test_a_full_run_updates_the_published_page(project):
    root, calls = project
    assert main(["validate-facts", "--workers", "1"]) == 0
    assert (root / "docs" / "validation.md").read_text() != "published"
    assert not (root / validation.SCRATCH).exists()
    assert calls == [False, ("sizes", len(published.SIZES), ())]


def test_a_check_may_name_another_folder(project):
    root, _ = project
    assert main(["validate-facts", "--quick", "--workers", "1", "--out", "elsewhere"]) == 0
    assert (root / "elsewhere" / "validation.md").exists()
    assert validation.page_folder(False, Path("elsewhere")) == Path("elsewhere")


def test_an_ablation_is_a_check_that_says_what_it_switched_off(project):
    """Settings on every arm (a reduced-form layer switched off) make a page about that variant of the
    model, never the published one, and the page says so at the top and in its command."""
    root, calls = project
    belief = "force.traits.detection_belief={mean: 0.5}"
    assert main(["validate-facts", "--workers", "1", "--no-robustness",
                 "--set", "behaviour.commitment_learning=false", "--set", belief]) == 0
    assert (root / "docs" / "validation.md").read_text() == "published"
    page = (root / validation.SCRATCH / "validation.md").read_text()
    assert "`behaviour.commitment_learning=false`" in page and "ablation" in page
    # the command on the page can be pasted back into a shell
    assert f"salesim validate-facts --set behaviour.commitment_learning=false --set '{belief}'" in page
    settings = ["behaviour.commitment_learning=false", belief]
    assert calls == [(False, settings), ("sizes", len(published.SIZES), tuple(settings))]  # the sizes too


def test_settings_reach_every_arm_of_a_fact():
    from simulator.validation.suite import arm_scenarios, load_fact

    arms = arm_scenarios(load_fact(validation.fact(4), quick=True, settings=["behaviour.commitment_learning=false"]))
    assert len(arms) > 1 and not any(s.behaviour.commitment_learning for s in arms.values())
    assert all(s.behaviour.commitment_learning for s in arm_scenarios(load_fact(validation.fact(4), quick=True)).values())
