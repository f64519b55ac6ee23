"""Operations KPIs (docs/kpi_design.md): order processing, web sessions."""

from __future__ import annotations

import pandas as pd

from crm_kpi.validator import facts
from crm_kpi.validator.data import Frame
from crm_kpi.validator.kpis import kpi
from crm_kpi.validator.rollup import OWNER, Spec, rollup_events


@kpi("order_processing_hours")
def order_processing_hours(frame: Frame) -> pd.DataFrame:
    orders = facts.completed_orders(frame)
    orders = orders[orders["fulfilled_at"].notna()]
    hours = (orders["fulfilled_at"] - orders["ordered_at"]).dt.total_seconds() / 3600.0
    rows = orders.assign(event_at=orders["ordered_at"], measure=hours)
    spec = Spec("order_processing_hours", 1, "mean", OWNER, requires=("orders.fulfilled_at",))
    return rollup_events(frame, rows, spec)


@kpi("average_session_minutes")
def average_session_minutes(frame: Frame) -> pd.DataFrame:
    sessions = frame.table("web_sessions")
    sessions = sessions[sessions["duration_seconds"].notna()]
    rows = sessions.assign(
        event_at=sessions["started_at"], measure=sessions["duration_seconds"].astype(float) / 60.0
    )
    spec = Spec("average_session_minutes", 1, "mean", requires=("web_sessions.duration_seconds",))
    return rollup_events(frame, rows, spec)


@kpi("visitor_conversion_rate")
def visitor_conversion_rate(frame: Frame) -> pd.DataFrame:
    sessions = frame.table("web_sessions")
    converted = sessions["visitor_id"].where(sessions["converted"].fillna(False).astype(bool))
    rows = sessions.assign(event_at=sessions["started_at"], converted_visitor=converted)
    spec = Spec(
        "visitor_conversion_rate",
        1,
        "ratio",
        requires=("web_sessions",),
        numerator_distinct="converted_visitor",
        denominator_distinct="visitor_id",
    )
    return rollup_events(frame, rows, spec)
