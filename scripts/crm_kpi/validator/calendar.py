"""Reporting periods in Python: calendar months, fiscal quarters and years, all_time, and the
scorecard windows, with the same definitions as docs/architecture.md ("Time")."""

from __future__ import annotations

import calendar as month_calendar
import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crm_kpi.validator.settings import PROJECT_DIR, Settings

CALENDAR_GRAINS = ("month", "quarter", "year", "all_time")
TARGETS_SEED = PROJECT_DIR / "seeds" / "reference" / "kpi_targets.csv"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (clamped to the month's length), like dbt.dateadd."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def month_start(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def period_start(day: dt.date, grain: str, fiscal_start: int) -> dt.date:
    """First day of the month / fiscal quarter / fiscal year containing `day`."""
    first = month_start(day)
    offset = (day.month - fiscal_start) % 12
    if grain == "month":
        return first
    if grain == "quarter":
        return add_months(first, -(offset % 3))
    if grain == "year":
        return add_months(first, -offset)
    raise ValueError(grain)


def period_starts(moments: pd.Series, grain: str, fiscal_start: int) -> pd.Series:
    """Vectorised `period_start` of timestamps or dates (NaT stays NaT)."""
    stamps = pd.to_datetime(moments)
    index = stamps.dt.year * 12 + stamps.dt.month - 1
    offset = (stamps.dt.month - fiscal_start) % 12
    shift = {"month": 0 * offset, "quarter": offset % 3, "year": offset}[grain]
    index = index - shift
    return pd.to_datetime(
        {"year": index // 12, "month": index % 12 + 1, "day": 1}, errors="coerce"
    ).dt.date


@dataclass(frozen=True)
class Period:
    grain: str
    start: dt.date
    end: dt.date  # exclusive
    as_of_at: pd.Timestamp

    @property
    def start_at(self) -> pd.Timestamp:
        return pd.Timestamp(self.start)

    @property
    def end_instant(self) -> pd.Timestamp:
        """ "At the end of the period": the next period's start, capped at as_of."""
        return min(pd.Timestamp(self.end), self.as_of_at)

    @property
    def is_complete(self) -> bool:
        return pd.Timestamp(self.end) <= self.as_of_at

    @property
    def is_window(self) -> bool:
        return self.grain.startswith("window_")


@dataclass(frozen=True)
class Calendar:
    periods: tuple[Period, ...]

    def of(self, grains: tuple[str, ...] | list[str], windows: bool = False) -> list[Period]:
        return [p for p in self.periods if p.grain in grains or (windows and p.is_window)]

    @property
    def windows(self) -> list[Period]:
        return [p for p in self.periods if p.is_window]


def read_targets(path: Path = TARGETS_SEED) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build_calendar(settings: Settings, calendar_start: dt.date, as_of_at: pd.Timestamp) -> Calendar:
    fiscal = settings.fiscal_year_start_month
    # with as_of_date set, as_of_at is the next midnight: the last reported day is as_of_date
    as_of_day = settings.as_of_date or as_of_at.date()
    months = []
    current = calendar_start
    while current <= as_of_day:
        months.append(current)
        current = add_months(current, 1)
    periods: list[Period] = [Period("month", m, add_months(m, 1), as_of_at) for m in months]
    for grain, length in (("quarter", 3), ("year", 12)):
        starts = sorted({period_start(m, grain, fiscal) for m in months})
        periods += [Period(grain, s, add_months(s, length), as_of_at) for s in starts]
    periods.append(Period("all_time", calendar_start, as_of_day + dt.timedelta(days=1), as_of_at))
    periods += _windows(settings, as_of_at, as_of_day)
    return Calendar(tuple(periods))


def _windows(settings: Settings, as_of_at: pd.Timestamp, as_of_day: dt.date) -> list[Period]:
    go_live, months = settings.go_live_date, settings.baseline_months
    latest_end = month_start(as_of_at.date())
    windows = [
        Period("window_before_go_live", add_months(go_live, -months), go_live, as_of_at),
        Period("window_after_go_live", go_live, add_months(go_live, months), as_of_at),
        Period("window_latest", add_months(latest_end, -months), latest_end, as_of_at),
    ]
    for target in read_targets():
        due = add_months(go_live, int(target["within_months"]))
        windows.append(
            Period(f"window_target_{target['target_id']}", add_months(due, -months), due, as_of_at)
        )
    return [w for w in windows if w.start <= as_of_day]
