"""Run the benchmarks: python -m benchmarks [core|scenarios|decide|naive|sweep|scaling|calibration|side_by_side] [--quick].

With no name, every benchmark runs. `core` times whole runs per phase; `scenarios` every shipped
scenario against the baseline's rate; `decide` the decision kernel replayed alone on recorded days;
`naive` the same decision written agent by agent in plain Mesa (the reference a modeller would write
first) against the kernel; `sweep` a batch of runs on one and two workers; `scaling` the cost and
memory of 100 to 100,000 reps and of a force-wide contest; `calibration` the wall time of fitting six
parameters on a 100-rep x 3-year panel; `side_by_side` today's engine against the one the speed targets
were set on, each in its own checkout and process, on this machine.
--quick shortens each; --runs sets the sweep's size (default 1,000, or 100 with --quick).
"""

import argparse

from benchmarks import core, sweep

NAMES = ("core", "scenarios", "decide", "naive", "sweep", "scaling", "calibration", "side_by_side")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", choices=NAMES, help="which benchmarks (default: all)")
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a first look")
    parser.add_argument("--runs", type=int, help="runs in the sweep benchmark (default 1000; 100 with --quick)")
    args = parser.parse_args()
    names = args.names or list(NAMES)
    if "core" in names:
        core.main(quick=args.quick)
    if "scenarios" in names:
        from benchmarks import scenarios

        scenarios.main(quick=args.quick)
    if "decide" in names:
        from benchmarks import decide

        repeat = 2 if args.quick else 5
        decide.report(("baseline", "ratchet", "daily_quota"), reps=500, years=1.0, repeat=repeat, checked=False)
    if "naive" in names:
        from benchmarks import naive_mesa

        naive_mesa.main(quick=args.quick)
    if "sweep" in names:
        sweep.main(runs=args.runs or (100 if args.quick else 1000))
    if "scaling" in names:
        from benchmarks import scaling

        scaling.main(quick=args.quick)
    if "calibration" in names:
        from benchmarks import calibration

        calibration.main(quick=args.quick)
    if "side_by_side" in names:
        from benchmarks import side_by_side

        side_by_side.main(quick=args.quick)


if __name__ == "__main__":
    main()
