"""How well runs on the same seed are paired, under each way of drawing random numbers.

A calibration compares candidates run on the same seeds (common random numbers), and only the part
of a difference that the parameter causes is signal. This measures the rest: runs of the recovery's
history scenario (the baseline at `recovery.TRUTH`), each at a parameter moved by a relative `step`
and at the truth on the same seed; the spread over seeds of the paired change in total bookings. At a
step of a millionth the true change is nil, so its spread is pure pairing noise; at a hundredth it
is the noise a 1% effect has to be read through. docs/calibration.md, "Keyed random draws".

    python -m simulator.calibration.pairing [--reps 100] [--years 3] [--seeds 5-12] [--workers 2]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulator.calibration.recovery import DEFAULT_FIT, SCENARIO, TRUTH
from simulator.experiments.design import scenario_for
from simulator.experiments.run import run
from simulator.experiments.runner import open_executor
from simulator.scenario import load_scenario

PARAMETER = "force.traits.effort_cost.mean"
STEPS = (1e-6, 1e-2)


def total_bookings(base: dict, overrides: dict, seed: int) -> float:
    """A run's total bookings (a worker's task)."""
    return float(run(scenario_for(base, overrides), seed, summary=False).daily["bookings"].sum())


def pairing(reps: int = 100, years: float = 3.0, seeds: Sequence[int] = range(5, 13), workers: int = 2,
            parameter: str = PARAMETER, steps: Sequence[float] = STEPS) -> pd.DataFrame:
    """Per way of drawing: the spread of total bookings between seeds (sd over mean) and, per step,
    the mean and sd of the paired relative change."""
    base = load_scenario(SCENARIO, [f"force.size={reps}", f"horizon_years={years:g}"]).model_dump(mode="json")
    truth = {name: TRUTH[name][0] for name in DEFAULT_FIT}
    rows = []
    with open_executor("process", workers) as executor:
        for draws in ("stream", "keyed"):
            at = {**truth, "random_draws": draws}
            cases = [at] + [{**at, parameter: truth[parameter] * (1.0 + step)} for step in steps]
            futures = [[executor.submit(total_bookings, base, case, seed) for seed in seeds] for case in cases]
            totals = np.array([[f.result() for f in row] for row in futures])
            row = {"random_draws": draws, "between_seeds_sd": totals[0].std(ddof=1) / totals[0].mean()}
            for step, moved in zip(steps, totals[1:]):
                change = moved / totals[0] - 1.0
                row[f"change_{step:g}_mean"] = change.mean()
                row[f"change_{step:g}_sd"] = change.std(ddof=1)
            rows.append(row)
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--seeds", default="5-12", help="first-last")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    first, last = (int(s) for s in args.seeds.split("-"))
    table = pairing(args.reps, args.years, range(first, last + 1), args.workers)
    with pd.option_context("display.float_format", "{:.4f}".format, "display.width", 160):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
