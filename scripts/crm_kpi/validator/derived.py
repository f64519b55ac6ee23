"""Derived facts rebuilt in pandas from the staged tables alone (never the intermediate models):
customer activity spans and churns, customer stock flags per period, ticket business hours,
repeat contacts and licensed users per period.

Written from shared/spec/kpis.md, docs/architecture.md ("Time"; "Customers: active, new,
churned") and docs/kpi_design.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from crm_kpi.validator import facts
from crm_kpi.validator.calendar import Period
from crm_kpi.validator.data import Frame
from crm_kpi.validator.rollup import Spec, rollup_events, rollup_periods

# Stands for "no end" (a running subscription) while spans are merged; staged timestamps are
# never after 2100-01-01 (out_of_range), so nothing real reaches it.
OPEN_END = pd.Timestamp("2200-01-01")
SPAN_COLUMNS = ["customer_id", "span_start", "span_end", "churn_reason"]


# --- customers: active, new, churned -------------------------------------------------------


def activity_intervals(frame: Frame) -> pd.DataFrame:
    """Intervals [start, end) in which a customer is active, before merging.

    A customer with at least one subscription is active while one runs (started_at <= t <
    ended_at, no end while running); any other customer for `churn_inactivity_days` after each
    completed order. Only what is known at as_of counts: subscriptions started and completed
    orders placed after `as_of_at` are ignored.
    """
    as_of = frame.as_of_at
    subscriptions = frame.table("subscriptions")
    subscriptions = subscriptions[subscriptions["started_at"] <= as_of]
    from_subscriptions = pd.DataFrame(
        {
            "customer_id": subscriptions["customer_id"],
            "start": subscriptions["started_at"],
            "end": subscriptions["ended_at"].fillna(OPEN_END),
            "reason": subscriptions["cancel_reason"].astype(object),
        }
    )
    orders = frame.table("orders")
    orders = orders[
        (orders["status"] == "completed")
        & (orders["ordered_at"] <= as_of)
        & ~orders["customer_id"].isin(set(subscriptions["customer_id"]))
    ]
    days = pd.Timedelta(days=frame.settings.churn_inactivity_days)
    from_orders = pd.DataFrame(
        {
            "customer_id": orders["customer_id"],
            "start": orders["ordered_at"],
            "end": orders["ordered_at"] + days,
            "reason": None,
        }
    )
    intervals = pd.concat([from_subscriptions, from_orders], ignore_index=True)
    intervals = intervals[intervals["customer_id"].notna()]
    intervals["start"] = pd.to_datetime(intervals["start"]).astype("datetime64[us]")
    intervals["end"] = pd.to_datetime(intervals["end"]).astype("datetime64[us]")
    return intervals.reset_index(drop=True)


def activity_spans(frame: Frame) -> pd.DataFrame:
    """Gaps and islands: the activity intervals of each customer merged into non-overlapping
    spans (an interval starting at or before the running end of the previous ones continues the
    span). `span_end` is NaT while the span has no end; `churn_reason` is the cancel_reason of
    the subscription whose end closes the span (of several ending at that instant, the first
    non-empty reason in alphabetical order)."""
    intervals = activity_intervals(frame)
    if intervals.empty:
        return pd.DataFrame(columns=SPAN_COLUMNS)
    intervals = intervals.sort_values(["customer_id", "start", "end"], kind="mergesort")
    by_customer = intervals.groupby("customer_id", sort=False)
    running_end = by_customer["end"].cummax()
    previous_end = running_end.groupby(intervals["customer_id"], sort=False).shift()
    starts_span = previous_end.isna() | (intervals["start"] > previous_end)
    intervals["span"] = starts_span.cumsum()
    spans = intervals.groupby("span").agg(
        customer_id=("customer_id", "first"), span_start=("start", "min"), span_end=("end", "max")
    )
    closing = intervals[intervals["end"] == intervals["span"].map(spans["span_end"])]
    reasons = closing.dropna(subset=["reason"]).groupby("span")["reason"].min()
    spans["churn_reason"] = spans.index.map(reasons)
    spans["span_end"] = spans["span_end"].where(spans["span_end"] < OPEN_END)
    return spans.reset_index(drop=True)[SPAN_COLUMNS]


def first_active(spans: pd.DataFrame) -> pd.Series:
    """customer_id → the start of the customer's first span."""
    return spans.groupby("customer_id")["span_start"].min()


def churn_events(frame: Frame, spans: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per churn: the end of a span at or before as_of, with the days from the
    customer's first activity to it (`lifetime_days`) and the reason."""
    spans = activity_spans(frame) if spans is None else spans
    churns = spans[spans["span_end"].notna() & (spans["span_end"] <= frame.as_of_at)].copy()
    churns["first_active_at"] = churns["customer_id"].map(first_active(spans))
    churns["churned_at"] = churns["span_end"]
    churns["lifetime_days"] = (
        churns["churned_at"] - churns["first_active_at"]
    ).dt.total_seconds() / 86400.0
    return churns.reset_index(drop=True)


def _active_mask(spans: pd.DataFrame, instant: pd.Timestamp) -> pd.Series:
    """Active just before the instant (docs/architecture.md): span_start < t <= span_end, so a
    span starting exactly at a period's start is new in it, and one ending exactly at its end
    is a churn of the next period."""
    return (spans["span_start"] < instant) & (
        spans["span_end"].isna() | (spans["span_end"] >= instant)
    )


def customer_period_rows(frame: Frame, grains: Sequence[str]) -> pd.DataFrame:
    """Per period (and scorecard window) and customer: S (active at the period start), E
    (active at the end instant), N (first active in the period, not after as_of), lost (S and
    not E) with the reason of the churn that ended the span running at the start, and
    first_active_at. Only customers with S, E or N have a row. Breakdown attributes are the
    customer's (user_id = the owner)."""
    spans = activity_spans(frame)
    firsts = first_active(spans)
    parts = []
    for period in frame.calendar.of(grains, windows=True):
        start, end = period.start_at, period.end_instant
        at_start = spans[_active_mask(spans, start)]
        at_end = set(spans.loc[_active_mask(spans, end), "customer_id"])
        new = set(
            firsts.index[
                (firsts >= start) & (firsts < pd.Timestamp(period.end)) & (firsts <= frame.as_of_at)
            ]
        )
        start_reason = at_start.set_index("customer_id")["churn_reason"]
        customers = sorted(set(start_reason.index) | at_end | new)
        part = pd.DataFrame({"customer_id": customers})
        part["S"] = part["customer_id"].isin(start_reason.index).astype(float)
        part["E"] = part["customer_id"].isin(at_end).astype(float)
        part["N"] = part["customer_id"].isin(new).astype(float)
        part["lost"] = ((part["S"] == 1) & (part["E"] == 0)).astype(float)
        part["churn_reason"] = part["customer_id"].map(start_reason).where(part["lost"] == 1)
        part["first_active_at"] = part["customer_id"].map(firsts)
        part["end_instant"] = end
        part["period_grain"] = period.grain
        part["period_start"] = period.start
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True)
    return facts.with_customer(rows, frame, user_from_owner=True)


# --- tickets ------------------------------------------------------------------------------


def _clock(value: str) -> tuple[dt.time, int]:
    """'HH:MM' → (time, extra days); '24:00' is midnight of the next day."""
    hours, minutes = (int(part) for part in value.split(":")[:2])
    if hours == 24:
        return dt.time(0, minutes), 1
    return dt.time(hours, minutes), 0


def business_intervals(frame: Frame, first_day: dt.date, last_day: dt.date) -> np.ndarray:
    """The business-hours intervals of every local day in [first_day, last_day], as UTC epoch
    nanoseconds (n × 2): `business_days` (ISO weekdays) from `business_hours_start` to
    `business_hours_end` in `crm_timezone` (DST via zoneinfo), holidays excluded."""
    settings = frame.settings
    zone = ZoneInfo(settings.crm_timezone)
    opens, open_shift = _clock(settings.business_hours_start)
    closes, close_shift = _clock(settings.business_hours_end)
    holidays = set(pd.to_datetime(frame.table("holidays")["holiday_date"]).dt.date)
    rows = []
    day = first_day
    while day <= last_day:
        if day.isoweekday() in settings.business_days and day not in holidays:
            local_open = dt.datetime.combine(day + dt.timedelta(days=open_shift), opens, zone)
            local_close = dt.datetime.combine(day + dt.timedelta(days=close_shift), closes, zone)
            start = pd.Timestamp(local_open.astimezone(dt.UTC)).value
            end = pd.Timestamp(local_close.astimezone(dt.UTC)).value
            if end > start:
                rows.append((start, end))
        day += dt.timedelta(days=1)
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def business_hours_between(frame: Frame, start: pd.Series, end: pd.Series) -> pd.Series:
    """Business hours between two naive-UTC timestamps, row by row (NaN where either is
    missing), from the cumulative business time of the schedule."""
    valid = start.notna() & end.notna()
    result = pd.Series(np.nan, index=start.index, dtype=float)
    if not valid.any():
        return result
    zone = ZoneInfo(frame.settings.crm_timezone)
    low, high = start[valid].min(), end[valid].max()
    first_day = low.tz_localize("UTC").tz_convert(zone).date() - dt.timedelta(days=2)
    last_day = high.tz_localize("UTC").tz_convert(zone).date() + dt.timedelta(days=2)
    intervals = business_intervals(frame, first_day, last_day)
    if len(intervals) == 0:
        result[valid] = 0.0
        return result
    opens, lengths = intervals[:, 0], intervals[:, 1] - intervals[:, 0]
    before = np.concatenate([[0], np.cumsum(lengths)[:-1]])

    def cumulative(moments: pd.Series) -> np.ndarray:
        nanos = pd.to_datetime(moments).astype("datetime64[ns]").astype(np.int64).to_numpy()
        index = np.searchsorted(opens, nanos, side="right") - 1
        inside = np.clip(nanos - opens[np.maximum(index, 0)], 0, lengths[np.maximum(index, 0)])
        return np.where(index >= 0, before[np.maximum(index, 0)] + inside, 0)

    seconds = (cumulative(end[valid]) - cumulative(start[valid])) / 1e9
    result[valid] = seconds / 3600.0
    return result


def repeat_contacts(frame: Frame, tickets: pd.DataFrame) -> pd.Series:
    """True for a ticket that was reopened (reopened_count > 0) or that another ticket of the
    same customer followed within `repeat_contact_window_days` of its creation (created later,
    at most the window after it, not after as_of)."""
    window = pd.Timedelta(days=frame.settings.repeat_contact_window_days)
    reopened = tickets["reopened_count"].fillna(0).astype(float) > 0
    known = frame.table("tickets")
    known = known[known["customer_id"].notna() & (known["created_at"] <= frame.as_of_at)]
    known = known.sort_values(["customer_id", "created_at"], kind="mergesort")
    stamps = known.groupby("customer_id")["created_at"].apply(lambda s: s.to_numpy())

    def followed(row: pd.Series) -> bool:
        later = stamps.get(row["customer_id"])
        if later is None:
            return False
        position = np.searchsorted(later, row["created_at"].to_datetime64(), side="right")
        return position < len(later) and later[position] - row["created_at"] <= window

    has_customer = tickets["customer_id"].notna()
    follow = pd.Series(False, index=tickets.index)
    follow[has_customer] = tickets[has_customer].apply(followed, axis=1).astype(bool)
    return reopened | follow


# --- users ---------------------------------------------------------------------------------


def licences(frame: Frame) -> pd.DataFrame:
    """Users with their effective licence (see facts.licensed_users)."""
    return facts.licensed_users(frame)


def user_period_rows(frame: Frame, grains: Sequence[str]) -> pd.DataFrame:
    """Per period (and scorecard window): the users whose licence overlaps it (licensed_from
    before the end instant, licensed_to empty or not before the start), with their team."""
    return facts.stock_rows(frame, licences(frame), grains, facts.licence_overlaps)


def in_period(moments: pd.Series, period: Period, as_of_at: pd.Timestamp) -> pd.Series:
    """Moments in [period start, period end) and not after as_of."""
    stamps = pd.to_datetime(moments)
    return (stamps >= period.start_at) & (stamps < pd.Timestamp(period.end)) & (stamps <= as_of_at)


# --- rollup ---------------------------------------------------------------------------------

ROLLUP_COLUMNS = (
    "event_at", "period_grain", "period_start", "measure", "numerator", "denominator",
)  # fmt: skip


def for_rollup(rows: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Only the columns the rollup reads (it slices the rows once per period and group)."""
    wanted = (*ROLLUP_COLUMNS, *spec.breakdowns, spec.numerator_distinct, spec.denominator_distinct)
    return rows[[c for c in dict.fromkeys(wanted) if c is not None and c in rows.columns]]


def slim_events(frame: Frame, rows: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """`rollup_events` over the columns it needs."""
    return rollup_events(frame, for_rollup(rows, spec), spec)


def slim_periods(frame: Frame, rows: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """`rollup_periods` over the columns it needs."""
    return rollup_periods(frame, for_rollup(rows, spec), spec)
