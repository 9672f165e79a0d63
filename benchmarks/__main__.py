"""Run every benchmark: python -m benchmarks [--quick]."""

import sys

from benchmarks import core


def main() -> None:
    quick = "--quick" in sys.argv
    core.main(quick=quick)


if __name__ == "__main__":
    main()
