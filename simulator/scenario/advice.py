"""Advice on a valid scenario that is probably not what its author meant (warnings, not errors)."""

from __future__ import annotations

from simulator.scenario.schema import Force


def identical_segments(force: Force) -> list[tuple[str, str]]:
    """Pairs of segments whose reps are drawn from the same traits: one group under two names.

    A firm's top and core performers differ in ability; segments with nothing set inherit the same
    defaults, and comparing them only shows noise (issue 18: "top" did worse than "core")."""
    names = list(force.segments)
    resolved = {name: force.segments[name].traits(force.traits) for name in names}
    return [(a, b) for i, a in enumerate(names) for b in names[i + 1:] if resolved[a] == resolved[b]]


def segment_warnings(force: Force) -> list[str]:
    """One sentence per pair of identical segments, naming the fields that would tell them apart."""
    return [f"force.segments: {a} and {b} have identical traits, so they are one group of reps under two names; "
            f"set force.segments.{a}.ability (or another trait) to make them differ"
            for a, b in identical_segments(force)]
