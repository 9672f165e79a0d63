"""Run the benchmarks: python -m benchmarks [core|sweep] [--quick] [--runs N].

With no name, every benchmark runs. --quick shortens each; --runs sets the sweep's size
(default 1,000, or 100 with --quick).
"""

import argparse

from benchmarks import core, sweep


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", choices=("core", "sweep"), help="which benchmarks (default: all)")
    parser.add_argument("--quick", action="store_true", help="shorter runs, for a first look")
    parser.add_argument("--runs", type=int, help="runs in the sweep benchmark (default 1000; 100 with --quick)")
    args = parser.parse_args()
    names = args.names or ["core", "sweep"]
    if "core" in names:
        core.main(quick=args.quick)
    if "sweep" in names:
        sweep.main(runs=args.runs or (100 if args.quick else 1000))


if __name__ == "__main__":
    main()
