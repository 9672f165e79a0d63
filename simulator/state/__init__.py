"""The state of a run that the phases of a day share: the reps as arrays (`reps`) and the day context (`context`)."""
