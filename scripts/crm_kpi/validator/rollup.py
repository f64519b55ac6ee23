"""The KPI mechanics in pandas: periods, breakdowns, aggregation, empty periods, availability.

Written from docs/kpi_design.md ("Common rules"), independently of macros/kpi/kpi_rollup.sql.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_kpi.validator.calendar import CALENDAR_GRAINS, Period, period_starts
from crm_kpi.validator.data import Frame

NONE_LABEL = "(none)"
OUTPUT = [
    "kpi_id", "kpi_version", "period_grain", "period_start", "breakdown", "breakdown_value",
    "value", "numerator", "denominator", "is_available",
]  # fmt: skip
OWNER = ("user_id", "team", "segment", "region", "acquisition_channel")


@dataclass(frozen=True)
class Spec:
    """How one KPI version is aggregated (docs/kpi_design.md)."""

    kpi_id: str
    version: int
    aggregation: str  # sum | ratio | mean | median
    breakdowns: Sequence[str] = ()
    grains: Sequence[str] = CALENDAR_GRAINS
    requires: Sequence[str] = ()
    scale: float = 1.0
    numerator_distinct: str | None = None
    denominator_distinct: str | None = None
    windows: bool = True
    extra: dict = field(default_factory=dict)


def _sum_or_none(values: pd.Series) -> float | None:
    """Σ of the non-null values; None when every value is null (e.g. no cost data)."""
    values = values.dropna().astype(float)
    return float(values.sum()) if len(values) else None


def _aggregate(rows: pd.DataFrame, spec: Spec) -> tuple[float | None, float | None, float | None]:
    """(value, numerator, denominator) of one group of rows."""
    if spec.aggregation in ("ratio", "mean"):
        if spec.aggregation == "mean":
            measure = rows["measure"].dropna().astype(float)
            numerator, denominator = float(measure.sum()), float(len(measure))
        else:
            numerator = (
                float(rows[spec.numerator_distinct].dropna().nunique())
                if spec.numerator_distinct
                else _sum_or_none(rows["numerator"])
            )
            denominator = (
                float(rows[spec.denominator_distinct].dropna().nunique())
                if spec.denominator_distinct
                else float(rows["denominator"].astype(float).sum())
            )
        if numerator is None or denominator == 0:
            return None, numerator, denominator
        value = spec.scale * numerator / denominator
        return value, numerator, denominator
    measure = rows["measure"].dropna().astype(float)
    if spec.aggregation == "sum":
        return (float(measure.sum()) if len(measure) else None), None, None
    if spec.aggregation == "median":
        return (float(np.median(measure.to_numpy())) if len(measure) else None), None, None
    raise ValueError(spec.aggregation)


def _groups(rows: pd.DataFrame, spec: Spec) -> list[tuple[str, str | None, pd.DataFrame]]:
    groups: list[tuple[str, str | None, pd.DataFrame]] = [("overall", None, rows)]
    for column in spec.breakdowns:
        labels = rows[column].astype(object).where(rows[column].notna(), NONE_LABEL).astype(str)
        for label, part in rows.groupby(labels, sort=True):
            groups.append((column, str(label), part))
    return groups


def _rows_for(period: Period, rows: pd.DataFrame, spec: Spec) -> list[dict]:
    out = []
    for breakdown, label, part in _groups(rows, spec):
        if breakdown != "overall" and part.empty:
            continue
        value, numerator, denominator = _aggregate(part, spec)
        if breakdown == "overall" and part.empty:
            value = 0.0 if spec.aggregation == "sum" else None
            numerator = denominator = None
        out.append(
            {
                "kpi_id": spec.kpi_id,
                "kpi_version": spec.version,
                "period_grain": period.grain,
                "period_start": period.start,
                "breakdown": breakdown,
                "breakdown_value": label,
                "value": value,
                "numerator": numerator,
                "denominator": denominator,
                "is_available": True,
            }
        )
    return out


def rollup_events(frame: Frame, rows: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Rows with `event_at`: each belongs to its month, fiscal quarter and year, all_time and
    every scorecard window containing it; rows after as_of are ignored."""
    rows = rows[pd.to_datetime(rows["event_at"]) <= frame.as_of_at].copy()
    stamps = pd.to_datetime(rows["event_at"])
    fiscal = frame.settings.fiscal_year_start_month
    starts = {
        grain: period_starts(stamps, grain, fiscal)
        for grain in ("month", "quarter", "year")
        if grain in spec.grains
    }
    out: list[dict] = []
    for period in frame.calendar.of(spec.grains, windows=spec.windows):
        if period.grain in starts:
            members = rows[starts[period.grain] == period.start]
        elif period.grain == "all_time":
            members = rows
        else:
            members = rows[(stamps >= period.start_at) & (stamps < pd.Timestamp(period.end))]
        out += _rows_for(period, members, spec)
    return finalize(frame, pd.DataFrame(out, columns=OUTPUT), spec)


def rollup_periods(frame: Frame, rows: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Rows already per period (`period_grain`, `period_start`): stock KPIs."""
    out: list[dict] = []
    for period in frame.calendar.of(spec.grains, windows=spec.windows):
        members = rows[
            (rows["period_grain"] == period.grain) & (rows["period_start"] == period.start)
        ]
        out += _rows_for(period, members, spec)
    return finalize(frame, pd.DataFrame(out, columns=OUTPUT), spec)


def finalize(frame: Frame, result: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Availability: a missing requirement nulls every value and marks the rows unavailable."""
    missing = [r for r in spec.requires if not is_available(frame, r)]
    if missing:
        result = result.copy()
        result[["value", "numerator", "denominator"]] = None
        result["is_available"] = False
    return result


def is_available(frame: Frame, requirement: str) -> bool:
    """A table requirement needs a staged row; `table.column` a staged row carrying the column."""
    table, _, column = requirement.partition(".")
    rows = frame.tables[table]
    if not column:
        return len(rows) > 0
    if column in ("nps", "csat"):
        return bool((rows["survey_type"] == column).any())
    return bool(rows[column].notna().any())


def periods_frame(frame: Frame, spec: Spec) -> list[Period]:
    return frame.calendar.of(spec.grains, windows=spec.windows)
