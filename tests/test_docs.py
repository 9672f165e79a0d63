"""The experiment files shown in docs/experiments.md are valid experiments."""

import re
from pathlib import Path

import pytest

from simulator.experiments.design import load_experiment

ROOT = Path(__file__).parents[1]
BLOCKS = re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "experiments.md").read_text(), re.S)


@pytest.mark.parametrize("text", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_documented_experiment_files_validate(text, tmp_path):
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    (tmp_path / "docs").mkdir()
    path = tmp_path / "docs" / "example.yaml"
    path.write_text(text)
    experiment = load_experiment(path)
    assert experiment.n_runs > 0 and experiment.spec.description


def test_docs_show_at_least_two_experiment_files():
    assert len(BLOCKS) >= 2
