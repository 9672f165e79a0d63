"""Run the core benchmark: python -m benchmarks [--quick] [--decide].

--decide adds the decision kernel replayed alone on recorded days (`benchmarks.decide`)."""

import sys

from benchmarks import core


def main() -> None:
    quick = "--quick" in sys.argv
    core.main(quick=quick)
    if "--decide" in sys.argv:
        from benchmarks import decide

        decide.report(("baseline", "ratchet", "daily_quota"), reps=500, years=1.0, repeat=5, checked=False)


if __name__ == "__main__":
    main()
