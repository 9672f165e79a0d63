"""A firm's history as the calibration reads it: a rep-period panel (what an incentive-compensation
system exports) and, optionally, a timing table (deals or days) for within-period timing.

A panel has a row per rep and quota period with `rep_id, period, quota, sales` required and any of
`OPTIONAL` beside them. The model's own `rep_periods.parquet` is a panel as it is, and its
`daily.parquet` a timing table, so a run of the model is a valid history. Bad data is refused
before anything runs, with the file, the row and the column, and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REQUIRED = ("rep_id", "period", "quota", "sales")
OPTIONAL = ("pay", "attainment", "deals", "discount", "pulled_in", "pushed_out", "quit", "fired", "tenure_days")
# the model's rep_periods table marks rows of a rep who held the job for only part of a period
PARTIAL = "complete"
TIMING_DEALS = ("day", "value")   # a deal file: one row per deal (rep_id, day, value, discount)
TIMING_DAILY = ("day", "credited")  # the model's daily table: one row per business day
SUFFIXES = (".csv", ".parquet")


class PanelError(ValueError):
    """A history file the calibration cannot use: which file, where and what is allowed."""

    def __init__(self, source: str, problem: str):
        self.source, self.problem = source, problem
        super().__init__(f"{source}: {problem}")


@dataclass(frozen=True)
class History:
    """What a firm's export gives: the rep-period panel, and the credited sales by period and
    business day (None without a timing file)."""

    panel: pd.DataFrame
    timing: pd.DataFrame | None
    source: str

    @property
    def columns(self) -> set[str]:
        return set(self.panel.columns)

    def describe(self) -> str:
        reps, periods = self.panel["rep_id"].nunique(), self.panel["period"].nunique()
        timing = "no timing file" if self.timing is None else f"{self.timing['period'].nunique()} periods of daily timing"
        return f"{self.source}: {len(self.panel)} rep-periods, {reps} reps, {periods} periods; {timing}"


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV or Parquet file as a table, or PanelError naming the file and what is allowed."""
    path = Path(path)
    if not path.exists():
        raise PanelError(str(path), "file not found")
    if path.suffix.lower() not in SUFFIXES:
        raise PanelError(str(path), f"unknown file type {path.suffix!r}; allowed: {', '.join(SUFFIXES)}")
    try:
        return pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is the file's fault, said with its name
        raise PanelError(str(path), f"cannot be read as {path.suffix[1:]}: {exc}") from None


def _show(value) -> str:
    """A value as a reader typed it: 1, 'lots', 2.5 (not NumPy's reprs)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _row(frame: pd.DataFrame, index, path: Path) -> str:
    """How a reader finds a row: its position among the data rows (and its line in a CSV file)."""
    position = int(frame.index.get_loc(index)) + 1
    return f"row {position}" + (f" (line {position + 1})" if path.suffix.lower() == ".csv" else "")


def _numeric(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        first = bad.idxmax()
        raise PanelError(str(path), f"{_row(frame, first, path)}, column {column!r}: {_show(frame.at[first, column])} "
                                    "is not a number")
    return values.astype(float)


def validate_panel(frame: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """The panel with numeric columns as numbers and periods as 0, 1, 2, ... in time order, or
    PanelError: missing required columns, empty or non-numeric values, quotas not above zero,
    negative sales, periods out of order, one rep in two places at once."""
    path = Path(path)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise PanelError(str(path), f"missing required column(s) {', '.join(missing)}; a panel needs "
                                    f"{', '.join(REQUIRED)} and may have {', '.join(OPTIONAL)} "
                                    f"(found: {', '.join(map(str, frame.columns))})")
    if frame.empty:
        raise PanelError(str(path), "has no rows")
    frame = frame.reset_index(drop=True).copy()
    for column in ("rep_id", "period", "quota", "sales"):
        empty = frame[column].isna()
        if empty.any():
            raise PanelError(str(path), f"{_row(frame, empty.idxmax(), path)}, column {column!r}: empty; "
                                        "every row needs a rep, a period, a quota and sales")
    for column in ("quota", "sales", *[c for c in OPTIONAL if c in frame.columns and c not in ("quit", "fired")]):
        frame[column] = _numeric(frame, column, path)
    for column in ("quit", "fired"):
        if column in frame.columns:
            frame[column] = _flag(frame, column, path)
    low = frame["quota"] <= 0
    if low.any():
        first = low.idxmax()
        raise PanelError(str(path), f"{_row(frame, first, path)}, column 'quota': {frame.at[first, 'quota']:g}; "
                                    "quotas must be above 0")
    negative = frame["sales"] < 0
    if negative.any():
        first = negative.idxmax()
        raise PanelError(str(path), f"{_row(frame, first, path)}, column 'sales': {frame.at[first, 'sales']:g}; "
                                    "credited sales must be 0 or more (net cancellations into a later period's sales)")
    frame["period"] = _period_index(frame, path)
    twice = frame.duplicated(["rep_id", "period"], keep="first")
    if twice.any():
        second = twice.idxmax()
        rep, period = frame.at[second, "rep_id"], frame.at[second, "period"]
        first = frame.index[(frame["rep_id"] == rep) & (frame["period"] == period)][0]
        raise PanelError(str(path), f"{_row(frame, second, path)}, columns 'rep_id', 'period': rep {_show(rep)} is "
                                    f"already in period {_show(period)} at {_row(frame, first, path)}; one rep, one row "
                                    "a period (one rep in two places at once)")
    _check_days(frame, path)
    if "attainment" not in frame.columns:
        frame["attainment"] = frame["sales"] / frame["quota"]
    return frame


def _flag(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """A yes/no column as booleans: true/false, 1/0, yes/no (any case); empty counts as no."""
    words = {"true": True, "1": True, "yes": True, "y": True, "false": False, "0": False, "no": False, "n": False,
             "1.0": True, "0.0": False, "nan": False, "": False, "none": False}
    text = frame[column].astype(str).str.strip().str.lower()
    bad = ~text.isin(list(words))
    if bad.any():
        first = bad.idxmax()
        raise PanelError(str(path), f"{_row(frame, first, path)}, column {column!r}: {_show(frame.at[first, column])}; "
                                    "allowed: true/false, 1/0, yes/no")
    return text.map(words).astype(bool)


def _period_index(frame: pd.DataFrame, path: Path) -> pd.Series:
    """Periods as consecutive integers in time order: whole numbers as they are (their order is
    time's), else dates or labels such as 2024-03-31 or 2024Q1 parsed as dates."""
    raw = frame["period"]
    numbers = pd.to_numeric(raw, errors="coerce")
    if numbers.notna().all():
        if (numbers != np.floor(numbers)).any() or (numbers < 0).any():
            first = ((numbers != np.floor(numbers)) | (numbers < 0)).idxmax()
            raise PanelError(str(path), f"{_row(frame, first, path)}, column 'period': {_show(raw[first])}; periods are "
                                        "whole numbers from 0 in time order, or dates (2024-03-31, 2024Q1)")
        return numbers.astype(int)
    try:
        stamps = _dates(raw)
    except ValueError as exc:
        raise PanelError(str(path), f"column 'period': {exc}; periods are whole numbers from 0 in time order, "
                                    "or dates (2024-03-31, 2024Q1)") from None
    order = {stamp: i for i, stamp in enumerate(sorted(stamps.unique()))}
    return stamps.map(order).astype(int)


def _dates(raw: pd.Series) -> pd.Series:
    out = []
    for value in raw.astype(str):
        try:
            out.append(pd.Period(value).start_time)
        except (ValueError, TypeError):
            raise ValueError(f"{value!r} is neither a whole number nor a date") from None
    return pd.Series(out, index=raw.index)


def _check_days(frame: pd.DataFrame, path: Path) -> None:
    """With start_day and end_day (the model's panel, or an export with dates as business-day
    numbers): each row's days in order, and a rep's periods one after the other."""
    if not {"start_day", "end_day"} <= set(frame.columns):
        return
    backwards = frame["start_day"] > frame["end_day"]
    if backwards.any():
        first = backwards.idxmax()
        raise PanelError(str(path), f"{_row(frame, first, path)}, columns 'start_day', 'end_day': the period "
                                    f"ends ({_show(frame.at[first, 'end_day'])}) before it starts ({_show(frame.at[first, 'start_day'])})")
    ordered = frame.sort_values(["rep_id", "period"])
    previous_end = ordered.groupby("rep_id")["end_day"].shift()
    overlap = ordered["start_day"] <= previous_end
    if overlap.any():
        first = overlap.idxmax()
        raise PanelError(str(path), f"{_row(frame, first, path)}, column 'period': rep {_show(frame.at[first, 'rep_id'])} "
                                    f"starts period {_show(frame.at[first, 'period'])} on day {_show(frame.at[first, 'start_day'])}, "
                                    "before its previous period ended: periods out of order")


def validate_timing(frame: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """Credited sales by period and business day: from a deal file (`period, day, value`, one row
    per deal) or the model's daily table (`period, day, credited`), or PanelError."""
    path = Path(path)
    if set(TIMING_DAILY) <= set(frame.columns):
        value = "credited"
    elif set(TIMING_DEALS) <= set(frame.columns):
        value = "value"
    else:
        raise PanelError(str(path), "a timing file needs period, day and value (one row per deal: rep_id, period, "
                                    "day, value, discount) or period, day and credited (the model's daily table); "
                                    f"found: {', '.join(map(str, frame.columns))}")
    if "period" not in frame.columns:
        raise PanelError(str(path), "missing column 'period': the quota period each deal was credited to")
    frame = frame.reset_index(drop=True)
    day = _numeric(frame, "day", path)
    sales = _numeric(frame, value, path)
    period = _period_index(frame, path)
    if (day < 0).any():
        first = (day < 0).idxmax()
        raise PanelError(str(path), f"{_row(frame, first, path)}, column 'day': {_show(frame.at[first, 'day'])}; "
                                    "business days count from 0")
    table = pd.DataFrame({"period": period, "day": day.astype(int), "sales": sales})
    bounds = table.groupby("period")["day"].agg(["min", "max"]).sort_index()
    overlapping = bounds["min"].iloc[1:].to_numpy() <= bounds["max"].iloc[:-1].to_numpy()
    if overlapping.any():
        period_no = bounds.index[1:][overlapping][0]
        raise PanelError(str(path), f"column 'period': period {period_no} has days before the previous period "
                                    "ends; periods out of order")
    return table.groupby(["period", "day"], as_index=False)["sales"].sum()


def read_history(data: str | Path, timing: str | Path | None = None) -> History:
    """Read a history: `data` is a panel file (CSV or Parquet) or a run's folder (its
    rep_periods.parquet, and its daily.parquet for timing); `timing` an optional deal or day file."""
    data = Path(data)
    if data.is_dir():
        panel_path = data / "rep_periods.parquet"
        if not panel_path.exists():
            raise PanelError(str(data), "a folder given as history must hold rep_periods.parquet (a run's folder)")
        if timing is None and (data / "daily.parquet").exists():
            timing = data / "daily.parquet"
        data = panel_path
    panel = validate_panel(read_table(data), data)
    table = validate_timing(read_table(timing), timing) if timing is not None else None
    return History(panel, table, str(data))


def from_tables(rep_periods: pd.DataFrame, daily: pd.DataFrame | None = None, source: str = "<run>") -> History:
    """A history from tables in memory, such as a run's `rep_periods` and `daily`."""
    panel = validate_panel(rep_periods, Path(source))
    table = validate_timing(daily, Path(source)) if daily is not None else None
    return History(panel, table, source)
