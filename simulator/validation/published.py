"""Published sizes on the validation page: where a field study reports how big an effect is, the
model's figure with its 95% interval, judged against the study's band.

The stylized facts compare arms and judge directions; most of their studies report no size that
carries over to another firm. Two kinds do, each judged on the scenario it transfers to:
- a study's own setting, rebuilt and fitted: Larkin's (2014) enterprise software vendor
  (`scenarios/field/enterprise_software.yaml`) sizes fact 1's discount-fuelled rush (6-8% of revenue),
  with Oyer's (1998) fiscal-year pattern on the same profile;
- what surveys of many forces report (CSO Insights: reps making quota, plan attainment), judged on
  the baseline, the model's typical B2B force.
A size the model misses is a finding the page states, not a failed run (`magnitudes.judge`).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simulator.calibration.magnitudes import BY_NAME, figures, judged, seeds
from simulator.scenario import load_scenario

SCENARIOS = Path(__file__).parents[2] / "scenarios"
REPLICATIONS = 5  # the runs a size; `python -m simulator.calibration.magnitudes` uses the same seeds
SEED = 1


@dataclass(frozen=True)
class PublishedSize:
    """A published size (a `magnitudes.TARGETS` name), the scenario it is judged on and why there."""

    target: str
    scenario: str  # path under scenarios/
    fact: int | None  # the stylized fact it sizes, if any
    why: str


FIELD = "field/enterprise_software.yaml"
SIZES: tuple[PublishedSize, ...] = (
    PublishedSize("discount_cost", FIELD, 1, "the study's vendor, its customers' bargaining power fitted on other seeds"),
    PublishedSize("year_end_ratio", FIELD, 1, "the same vendor's year"),
    PublishedSize("year_start_ratio", FIELD, 1, "the same vendor's year"),
    PublishedSize("annual_hit_rate", "baseline.yaml", None, "surveys of many B2B forces: the typical force"),
    PublishedSize("plan_attainment", "baseline.yaml", None, "surveys of many B2B forces: the typical force"),
)


def chosen(numbers: Sequence[int] | None) -> list[PublishedSize]:
    """The sizes a run of the facts `numbers` judges: every size for all facts, else the sizes of those facts."""
    return list(SIZES) if not numbers else [s for s in SIZES if s.fact in numbers]


def run_sizes(sizes: Sequence[PublishedSize], executor: Executor, settings: Sequence[str] = ()) -> pd.DataFrame:
    """Each size judged on its scenario over REPLICATIONS runs (one run a scenario and seed gives every
    size judged there); `settings` (PATH=VALUE) apply as they do to the facts' arms. A row per size:
    `magnitudes.judged`'s columns and the fact."""
    by_scenario: dict[str, list[PublishedSize]] = {}
    for size in sizes:
        by_scenario.setdefault(size.scenario, []).append(size)
    futures = {
        (path, seed): executor.submit(figures, load_scenario(SCENARIOS / path, list(settings)), seed,
                                      [s.target for s in group])
        for path, group in by_scenario.items() for seed in seeds(REPLICATIONS, SEED)}
    rows = []
    for path, group in by_scenario.items():
        values = [futures[(path, seed)].result() for seed in seeds(REPLICATIONS, SEED)]
        for k, size in enumerate(group):
            row = judged(BY_NAME[size.target], path.removesuffix(".yaml"), [v[k] for v in values])
            rows.append(row | {"fact": size.fact, "why": size.why})
    if not rows:
        return pd.DataFrame()
    order = {s.target: i for i, s in enumerate(sizes)}
    return pd.DataFrame(rows).sort_values("target", key=lambda t: t.map(order)).reset_index(drop=True)
