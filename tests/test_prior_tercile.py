"""Performer types as a firm sees them: terciles of last year's attainment (`analysis.metrics.prior_tercile`),
beside the latent segments no firm observes."""

import numpy as np
import pandas as pd

from simulator.analysis.metrics import by_prior_tercile, prior_tercile
from simulator.calendar import DAYS_PER_YEAR


def _panel(attainment_by_rep_year: dict[tuple[int, int], float], quarters_left: dict[int, int] | None = None):
    """Quarterly rep-periods whose every quarter in a year has the given attainment."""
    rows = []
    for (rep, year), attainment in attainment_by_rep_year.items():
        for q in range(4 - (quarters_left or {}).get(rep, 0) if year == 0 else 4):
            end = year * DAYS_PER_YEAR + (q + 1) * 63 - 1
            rows.append({"rep_id": rep, "end_day": end, "days": 63, "complete": True, "quota": 100.0,
                         "sales": 100.0 * attainment, "attainment": attainment, "effort": attainment,
                         "pay": 10.0 * attainment, "pulled_in": 0, "pushed_out": 0, "sales_a": 100.0 * attainment,
                         "performer_type": "high" if rep < 3 else "low"})
    return pd.DataFrame(rows)


def test_each_period_gets_its_reps_tercile_of_last_year_and_none_in_the_first_year():
    year0 = {(rep, 0): a for rep, a in enumerate([0.5, 0.9, 1.1, 1.3, 0.7, 1.6])}
    year1 = {(rep, 1): 1.0 for rep in range(6)}
    panel = _panel(year0 | year1)
    tercile = prior_tercile(panel)
    first = panel["end_day"] < DAYS_PER_YEAR
    assert tercile[first].isna().all()
    second = panel[~first].assign(t=tercile[~first]).groupby("rep_id")["t"].first()
    assert second.to_dict() == {0: "bottom", 4: "bottom", 1: "middle", 2: "middle", 3: "top", 5: "top"}


def test_a_rep_who_did_not_work_the_whole_year_before_has_no_tercile():
    panel = _panel({(0, 0): 1.0, (1, 0): 1.2, (2, 0): 0.8, (0, 1): 1.0, (1, 1): 1.0, (2, 1): 1.0},
                   quarters_left={2: 2})  # rep 2 worked only half of year 0
    tercile = prior_tercile(panel)
    later = panel["end_day"] >= DAYS_PER_YEAR
    assert tercile[later & (panel["rep_id"] == 2)].isna().all()
    assert tercile[later & (panel["rep_id"] != 2)].notna().all()


def test_figures_by_tercile_come_from_that_terciles_periods_only():
    year0 = {(rep, 0): a for rep, a in enumerate([0.5, 0.9, 1.1, 1.3, 0.7, 1.6])}
    year1 = {(rep, 1): a for rep, a in enumerate([0.6, 1.0, 1.2, 1.4, 0.8, 2.0])}
    figures = by_prior_tercile(_panel(year0 | year1), ["a"])
    assert list(figures) == ["bottom", "middle", "top"]
    assert figures["bottom"]["rep_periods"] == 8
    assert np.isclose(figures["bottom"]["attainment_mean"], 0.7)  # reps 0 and 4 in year 1
    assert np.isclose(figures["top"]["hit_rate"], 1.0)
    assert np.isclose(figures["middle"]["sales_per_period"], 110.0)
