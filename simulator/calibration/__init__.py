"""Calibration: fit the reps' behavioural parameters to a firm's history (a rep-period panel, and
optionally deal or day timing) by simulated method of moments with common random numbers.

`panel` reads and checks the history, `moments` measures it (and every simulated run alike),
`parameters` resolves the dotted paths to fit and their bounds, `objective` simulates moments at
candidate values, `fit` estimates with intervals and checks identification, `output` writes the
files and `workflow` runs it all (`salesim calibrate`). `magnitudes` compares a scenario's moments
with sizes published in field studies; `out_of_sample` checks a fit's prediction across a plan change.
"""

from simulator.calibration.fit import Fit
from simulator.calibration.moments import MOMENTS
from simulator.calibration.panel import History, PanelError, from_tables, read_history
from simulator.calibration.workflow import prepare, run_calibration

__all__ = ["Fit", "History", "MOMENTS", "PanelError", "from_tables", "prepare", "read_history", "run_calibration"]
