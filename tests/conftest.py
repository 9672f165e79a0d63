from pathlib import Path

import pytest

from simulator import load_scenario

ROOT = Path(__file__).parents[1]
SCENARIOS = ROOT / "scenarios"


def small(name: str = "baseline", *overrides: str, size: int = 40, years: float = 1.0):
    """A shipped scenario on a small force and a short horizon."""
    return load_scenario(SCENARIOS / f"{name}.yaml", [f"force.size={size}", f"horizon_years={years}", *overrides])


@pytest.fixture
def small_baseline():
    return small()
