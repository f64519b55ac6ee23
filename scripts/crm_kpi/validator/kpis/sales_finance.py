"""Sales and finance KPIs (docs/kpi_design.md), from staged orders, opportunities, targets."""

from __future__ import annotations

import pandas as pd

from crm_kpi.validator import facts
from crm_kpi.validator.calendar import CALENDAR_GRAINS, Period, add_months, period_starts
from crm_kpi.validator.data import Frame
from crm_kpi.validator.kpis import kpi
from crm_kpi.validator.rollup import OUTPUT, OWNER, Spec, finalize, rollup_events, rollup_periods

COST = ("orders.cost_amount",)


def _orders(frame: Frame) -> pd.DataFrame:
    orders = facts.completed_orders(frame)
    orders["event_at"] = orders["ordered_at"]
    orders["profit"] = orders["amount"] - orders["cost_amount"]
    return orders


def _won(frame: Frame) -> pd.DataFrame:
    opportunities = facts.opportunities(frame)
    won = opportunities[opportunities["is_won"]].copy()
    won["event_at"] = won["closed_at"]
    return won


@kpi("revenue")
def revenue(frame: Frame) -> pd.DataFrame:
    orders = _orders(frame)
    return rollup_events(
        frame, orders.assign(measure=orders["amount"]), Spec("revenue", 1, "sum", OWNER)
    )


@kpi("order_count")
def order_count(frame: Frame) -> pd.DataFrame:
    rows = _orders(frame).assign(measure=1.0)
    return rollup_events(frame, rows, Spec("order_count", 1, "sum", OWNER))


@kpi("average_order_value")
def average_order_value(frame: Frame) -> pd.DataFrame:
    orders = _orders(frame)
    rows = orders.assign(numerator=orders["amount"], denominator=1.0)
    return rollup_events(frame, rows, Spec("average_order_value", 1, "ratio", OWNER))


@kpi("gross_profit")
def gross_profit(frame: Frame) -> pd.DataFrame:
    orders = _orders(frame)
    rows = orders.assign(measure=orders["profit"])
    return rollup_events(frame, rows, Spec("gross_profit", 1, "sum", OWNER, requires=COST))


@kpi("gross_margin")
def gross_margin(frame: Frame) -> pd.DataFrame:
    orders = _orders(frame)
    orders = orders[orders["cost_amount"].notna()]
    rows = orders.assign(numerator=orders["profit"], denominator=orders["amount"])
    return rollup_events(frame, rows, Spec("gross_margin", 1, "ratio", OWNER, requires=COST))


@kpi("profit_per_customer")
def profit_per_customer(frame: Frame) -> pd.DataFrame:
    orders = _orders(frame)
    rows = orders.assign(numerator=orders["profit"])
    spec = Spec(
        "profit_per_customer", 1, "ratio", OWNER, requires=COST, denominator_distinct="customer_id"
    )
    return rollup_events(frame, rows, spec)


@kpi("new_business_revenue")
def new_business_revenue(frame: Frame) -> pd.DataFrame:
    won = _won(frame)
    won = won[won["opportunity_type"] == "new_business"]
    return rollup_events(
        frame, won.assign(measure=won["amount"]), Spec("new_business_revenue", 1, "sum", OWNER)
    )


@kpi("expansion_revenue")
def expansion_revenue(frame: Frame) -> pd.DataFrame:
    won = _won(frame)
    won = won[won["opportunity_type"].isin(["upsell", "cross_sell"])]
    return rollup_events(
        frame, won.assign(measure=won["amount"]), Spec("expansion_revenue", 1, "sum", OWNER)
    )


@kpi("win_rate")
def win_rate(frame: Frame) -> pd.DataFrame:
    closed = facts.opportunities(frame)
    closed = closed[closed["is_closed"]]
    rows = closed.assign(
        event_at=closed["closed_at"], numerator=closed["is_won"].astype(float), denominator=1.0
    )
    return rollup_events(frame, rows, Spec("win_rate", 1, "ratio", OWNER))


@kpi("average_deal_size")
def average_deal_size(frame: Frame) -> pd.DataFrame:
    won = _won(frame)
    return rollup_events(
        frame, won.assign(measure=won["amount"]), Spec("average_deal_size", 1, "mean", OWNER)
    )


def _cycle_days(won: pd.DataFrame) -> pd.Series:
    return (won["closed_at"] - won["created_at"]).dt.total_seconds() / 86400.0


@kpi("sales_cycle_days")
def sales_cycle_days(frame: Frame) -> pd.DataFrame:
    won = _won(frame)
    rows = won.assign(measure=_cycle_days(won))
    return rollup_events(frame, rows, Spec("sales_cycle_days", 1, "mean", OWNER))


@kpi("sales_cycle_days_median")
def sales_cycle_days_median(frame: Frame) -> pd.DataFrame:
    won = _won(frame)
    rows = won.assign(measure=_cycle_days(won))
    return rollup_events(frame, rows, Spec("sales_cycle_days_median", 1, "median", OWNER))


def _open_at_end(frame: Frame) -> pd.DataFrame:
    opportunities = facts.opportunities(frame)

    def is_open(rows: pd.DataFrame, period: Period) -> pd.Series:
        end = period.end_instant
        return (rows["created_at"] < end) & (~rows["is_closed"] | (rows["closed_at"] >= end))

    return facts.stock_rows(frame, opportunities, CALENDAR_GRAINS, is_open)


@kpi("open_pipeline_value")
def open_pipeline_value(frame: Frame) -> pd.DataFrame:
    rows = _open_at_end(frame)
    return rollup_periods(
        frame, rows.assign(measure=rows["amount"]), Spec("open_pipeline_value", 1, "sum", OWNER)
    )


@kpi("open_opportunities")
def open_opportunities(frame: Frame) -> pd.DataFrame:
    rows = _open_at_end(frame).assign(measure=1.0)
    return rollup_periods(frame, rows, Spec("open_opportunities", 1, "sum", OWNER))


@kpi("quota_attainment")
def quota_attainment(frame: Frame) -> pd.DataFrame:
    targets = frame.table("sales_targets")
    targets["month"] = pd.to_datetime(targets["period_start"]).dt.date
    won = _won(frame)
    won["month"] = period_starts(won["closed_at"], "month", 1)
    won = won.merge(targets[["user_id", "month"]].drop_duplicates(), on=["user_id", "month"])
    target_rows = pd.DataFrame(
        {
            "event_at": pd.to_datetime(targets["period_start"]),
            "user_id": targets["user_id"],
            "numerator": 0.0,
            "denominator": targets["target_amount"].astype(float),
        }
    )
    won_rows = pd.DataFrame(
        {
            "event_at": won["closed_at"],
            "user_id": won["user_id"],
            "numerator": won["amount"].astype(float),
            "denominator": 0.0,
        }
    )
    rows = pd.concat([target_rows, won_rows], ignore_index=True)
    rows["team"] = rows["user_id"].map(facts.user_teams(frame))
    spec = Spec("quota_attainment", 1, "ratio", ("user_id", "team"), requires=("sales_targets",))
    return rollup_events(frame, rows, spec)


@kpi("revenue_per_sales_user")
def revenue_per_sales_user(frame: Frame) -> pd.DataFrame:
    users = facts.licensed_users(frame)
    sales_users = users[users["team"] == "sales"]
    orders = _orders(frame)
    revenue_rows = orders.assign(numerator=orders["amount"].astype(float), denominator=0.0)
    user_rows = facts.stock_rows(frame, sales_users, CALENDAR_GRAINS, facts.licence_overlaps)
    parts = []
    for period in frame.calendar.of(CALENDAR_GRAINS, windows=True):
        parts.append(
            {
                "period_grain": period.grain,
                "period_start": period.start,
                "numerator": _revenue_in(revenue_rows, period, frame),
                "denominator": float(
                    len(
                        user_rows[
                            (user_rows["period_grain"] == period.grain)
                            & (user_rows["period_start"] == period.start)
                        ]
                    )
                ),
            }
        )
    rows = pd.DataFrame(parts)
    return rollup_periods(frame, rows, Spec("revenue_per_sales_user", 1, "ratio"))


def _revenue_in(rows: pd.DataFrame, period: Period, frame: Frame) -> float:
    stamps = pd.to_datetime(rows["event_at"])
    if period.grain == "all_time":
        members = rows[stamps <= frame.as_of_at]
    else:
        members = rows[(stamps >= period.start_at) & (stamps < pd.Timestamp(period.end))]
    return float(members["numerator"].sum())


GROWTH_GRAINS = {"month": 1, "quarter": 3, "year": 12}


@kpi("revenue_growth")
def revenue_growth(frame: Frame) -> pd.DataFrame:
    """(revenue - previous period's revenue) / previous period's revenue, per breakdown value
    present in either period (absent from one of them = 0 there: new = null, gone = -1)."""
    orders = _orders(frame)
    stamps = pd.to_datetime(orders["event_at"])
    out = []
    for period in frame.calendar.of(tuple(GROWTH_GRAINS)):
        previous_start = pd.Timestamp(add_months(period.start, -GROWTH_GRAINS[period.grain]))
        current = orders[(stamps >= period.start_at) & (stamps < pd.Timestamp(period.end))]
        previous = orders[(stamps >= previous_start) & (stamps < period.start_at)]
        groups = [("overall", None, current, previous)]
        for column in OWNER:
            labels_now = current[column].astype(object).fillna("(none)").astype(str)
            labels_before = previous[column].astype(object).fillna("(none)").astype(str)
            for label in sorted(set(labels_now) | set(labels_before)):
                groups.append(
                    (column, label, current[labels_now == label], previous[labels_before == label])
                )
        for breakdown, label, now, before in groups:
            now_total, before_total = float(now["amount"].sum()), float(before["amount"].sum())
            out.append(
                {
                    "kpi_id": "revenue_growth",
                    "kpi_version": 1,
                    "period_grain": period.grain,
                    "period_start": period.start,
                    "breakdown": breakdown,
                    "breakdown_value": label,
                    "value": (now_total - before_total) / before_total if before_total else None,
                    "numerator": now_total - before_total,
                    "denominator": before_total,
                    "is_available": True,
                }
            )
    spec = Spec("revenue_growth", 1, "ratio", OWNER, grains=tuple(GROWTH_GRAINS), windows=False)
    return finalize(frame, pd.DataFrame(out, columns=OUTPUT), spec)
