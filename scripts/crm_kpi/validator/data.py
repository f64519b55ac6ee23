"""The staged tables, loaded once, and the reporting frame every KPI is computed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd

from crm_kpi.validator.calendar import Calendar, build_calendar
from crm_kpi.validator.settings import Settings

TABLES = (
    "customers", "leads", "opportunities", "orders", "subscriptions", "activities", "tickets",
    "survey_responses", "campaigns", "users", "usage_events", "trainings", "sales_targets",
    "crm_costs", "web_sessions", "exchange_rates", "holidays",
)  # fmt: skip

# Timestamps whose maximum is the default as_of (the latest moment in the extracts).
AS_OF_SOURCES = {
    "orders": ["ordered_at"],
    "opportunities": ["created_at", "closed_at"],
    "leads": ["created_at"],
    "tickets": ["created_at", "first_response_at", "resolved_at"],
    "activities": ["occurred_at"],
    "usage_events": ["occurred_at"],
    "survey_responses": ["responded_at"],
    "web_sessions": ["started_at"],
    "subscriptions": ["started_at"],
    "customers": ["created_at"],
}
# Timestamps whose earliest month starts the reporting calendar.
CALENDAR_SOURCES = {
    "orders": ["ordered_at"],
    "leads": ["created_at"],
    "opportunities": ["created_at"],
    "tickets": ["created_at"],
    "usage_events": ["occurred_at"],
    "activities": ["occurred_at"],
    "customers": ["created_at"],
}


def load_staged(connection: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Every clean staged table as a DataFrame (money as float)."""
    tables = {}
    for table in TABLES:
        frame = connection.sql(f"select * from staging.stg_crm__{table}").df()
        for column in frame.columns:
            if frame[column].dtype == object and column.endswith(("amount", "_value", "cost")):
                frame[column] = pd.to_numeric(frame[column])
        tables[table] = frame
    tables["_row_counts"] = connection.sql("select * from staging.stg_crm__row_counts").df()
    return tables


def _extreme(
    tables: dict[str, pd.DataFrame], sources: dict[str, list[str]], how: str
) -> pd.Timestamp | None:
    values = []
    for table, columns in sources.items():
        for column in columns:
            series = tables[table][column].dropna()
            if len(series):
                values.append(series.max() if how == "max" else series.min())
    return (max(values) if how == "max" else min(values)) if values else None


@dataclass
class Frame:
    """Settings, staged tables and calendar of one warehouse: the input of every KPI function."""

    settings: Settings
    tables: dict[str, pd.DataFrame]
    as_of_at: pd.Timestamp = field(init=False)
    calendar_start: dt.date = field(init=False)

    def __post_init__(self) -> None:
        if self.settings.as_of_date is not None:
            self.as_of_at = pd.Timestamp(self.settings.as_of_date) + pd.Timedelta(days=1)
        else:
            self.as_of_at = pd.Timestamp(_extreme(self.tables, AS_OF_SOURCES, "max"))
        first = pd.Timestamp(_extreme(self.tables, CALENDAR_SOURCES, "min"))
        self.calendar_start = dt.date(first.year, first.month, 1)

    @cached_property
    def calendar(self) -> Calendar:
        return build_calendar(self.settings, self.calendar_start, self.as_of_at)

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name].copy()


def load_frame(database: Path, settings: Settings) -> Frame:
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = load_staged(connection)
    return Frame(settings=settings, tables=tables)
