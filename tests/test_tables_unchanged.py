"""Every shipped scenario's tables hash as recorded in `tests/data/table_hashes.json`.

Refactors must change no number the model produces. A deliberate change to the model records new
hashes with `python scripts/table_hashes.py --write`, in the same commit as the change, and says
why in its message.
"""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import table_hashes  # noqa: E402

RECORDED = json.loads(table_hashes.HASHES.read_text())


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_tables_hash_as_recorded(name):
    assert table_hashes.scenario_hashes(ROOT / "scenarios" / name) == RECORDED[name]


def test_every_scenario_is_recorded():
    assert sorted(RECORDED) == sorted(str(p.relative_to(ROOT / "scenarios")) for p in table_hashes.scenario_files())
