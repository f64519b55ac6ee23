"""Staged rows enriched with the breakdown attributes, rebuilt in pandas from staging alone.

"Responsible user" per docs/kpi_design.md: orders → the customer's owner; opportunities and
leads → their owner; tickets → the assigned user; activities → the user; surveys → the ticket's
assigned user, else the customer's owner. team = that user's team; segment, region and
acquisition_channel come from the customer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from crm_kpi.validator.calendar import Period
from crm_kpi.validator.data import Frame

CUSTOMER_ATTRIBUTES = ["segment", "region", "acquisition_channel"]


def user_teams(frame: Frame) -> pd.Series:
    users = frame.table("users")
    return users.set_index("user_id")["team"]


def customer_attributes(frame: Frame) -> pd.DataFrame:
    """customer_id → owner (as user_id), the owner's team, segment, region, channel."""
    customers = frame.table("customers")
    attributes = customers[["customer_id", "owner_user_id", *CUSTOMER_ATTRIBUTES]].rename(
        columns={"owner_user_id": "owner_id"}
    )
    attributes["owner_team"] = attributes["owner_id"].map(user_teams(frame))
    return attributes.set_index("customer_id")


def with_customer(rows: pd.DataFrame, frame: Frame, user_from_owner: bool) -> pd.DataFrame:
    """Add segment/region/acquisition_channel of rows' customer_id; with `user_from_owner`,
    also user_id and team from the customer's owner."""
    attributes = customer_attributes(frame)
    out = rows.copy()
    for column in CUSTOMER_ATTRIBUTES:
        out[column] = out["customer_id"].map(attributes[column])
    if user_from_owner:
        out["user_id"] = out["customer_id"].map(attributes["owner_id"])
        out["team"] = out["customer_id"].map(attributes["owner_team"])
    return out


def with_user_team(rows: pd.DataFrame, frame: Frame, user_column: str) -> pd.DataFrame:
    out = rows.copy()
    out["user_id"] = out[user_column]
    out["team"] = out["user_id"].map(user_teams(frame))
    return out


def completed_orders(frame: Frame) -> pd.DataFrame:
    orders = frame.table("orders")
    orders = orders[(orders["status"] == "completed") & (orders["ordered_at"] <= frame.as_of_at)]
    return with_customer(orders, frame, user_from_owner=True)


def opportunities(frame: Frame) -> pd.DataFrame:
    opportunities = with_user_team(frame.table("opportunities"), frame, "owner_user_id")
    opportunities = with_customer(opportunities, frame, user_from_owner=False)
    opportunities["is_closed"] = opportunities["stage"].isin(["closed_won", "closed_lost"])
    opportunities["is_won"] = opportunities["stage"] == "closed_won"
    return opportunities


def stock_rows(
    frame: Frame,
    rows: pd.DataFrame,
    grains: Sequence[str],
    member: Callable[[pd.DataFrame, Period], pd.Series],
) -> pd.DataFrame:
    """Rows of a stock KPI: for every period (and scorecard window), the rows for which
    `member(rows, period)` holds, tagged with period_grain and period_start."""
    parts = []
    for period in frame.calendar.of(grains, windows=True):
        part = rows[member(rows, period)].copy()
        part["period_grain"] = period.grain
        part["period_start"] = period.start
        parts.append(part)
    if not parts:
        return rows.iloc[0:0].assign(period_grain=None, period_start=None)
    return pd.concat(parts, ignore_index=True)


def licensed_users(frame: Frame) -> pd.DataFrame:
    """Users with their effective licence: licensed_from defaults to the first activity or
    usage event of the user; licensed_to empty = still licensed."""
    users = frame.table("users")
    seen = pd.concat(
        [
            frame.table("activities")[["user_id", "occurred_at"]],
            frame.table("usage_events")[["user_id", "occurred_at"]],
        ]
    ).dropna()
    seen["occurred_at"] = pd.to_datetime(seen["occurred_at"])  # also when both are absent
    first_seen = seen.groupby("user_id")["occurred_at"].min()
    defaults = pd.Series(first_seen.reindex(users["user_id"]).to_numpy(), index=users.index)
    users["licensed_from"] = pd.to_datetime(users["licensed_from"]).fillna(defaults)
    users["licensed_to"] = pd.to_datetime(users["licensed_to"])
    return users


def licence_overlaps(users: pd.DataFrame, period: Period) -> pd.Series:
    return (users["licensed_from"] < period.end_instant) & (
        users["licensed_to"].isna() | (users["licensed_to"] >= period.start_at)
    )
