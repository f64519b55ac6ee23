"""Customer KPIs (docs/kpi_design.md, "Customers"), from staged subscriptions, orders and
customers: activity spans, S / E / N per period, churns, renewals, repeat purchases, CLV."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from crm_kpi.validator import derived, facts
from crm_kpi.validator.calendar import CALENDAR_GRAINS, add_months
from crm_kpi.validator.data import Frame
from crm_kpi.validator.kpis import kpi
from crm_kpi.validator.rollup import (
    NONE_LABEL,
    OUTPUT,
    OWNER,
    Spec,
    finalize,
)

_LATEST: list[tuple[Frame, pd.DataFrame]] = []


def _customer_periods(frame: Frame) -> pd.DataFrame:
    """S, E, N, lost per customer and period (computed once for the latest Frame)."""
    if not _LATEST or _LATEST[0][0] is not frame:
        _LATEST[:] = [(frame, derived.customer_period_rows(frame, CALENDAR_GRAINS))]
    return _LATEST[0][1].copy()


@kpi("active_customers")
def active_customers(frame: Frame) -> pd.DataFrame:
    rows = _customer_periods(frame)
    rows = rows[rows["E"] == 1].assign(measure=1.0)
    return derived.slim_periods(frame, rows, Spec("active_customers", 1, "sum", OWNER))


@kpi("new_customers")
def new_customers(frame: Frame) -> pd.DataFrame:
    rows = _customer_periods(frame)
    rows = rows[rows["N"] == 1].assign(measure=1.0)
    return derived.slim_periods(frame, rows, Spec("new_customers", 1, "sum", OWNER))


@kpi("customer_retention_rate")
def customer_retention_rate(frame: Frame) -> pd.DataFrame:
    rows = _customer_periods(frame)
    rows = rows.assign(numerator=rows["E"] - rows["N"], denominator=rows["S"])
    return derived.slim_periods(frame, rows, Spec("customer_retention_rate", 1, "ratio", OWNER))


@kpi("customer_growth_rate")
def customer_growth_rate(frame: Frame) -> pd.DataFrame:
    rows = _customer_periods(frame)
    rows = rows.assign(numerator=rows["E"] - rows["S"], denominator=rows["S"])
    return derived.slim_periods(frame, rows, Spec("customer_growth_rate", 1, "ratio", OWNER))


@kpi("churn_rate")
def churn_rate(frame: Frame) -> pd.DataFrame:
    """Among the customers active at the start (S): lost / S with the O breakdowns; by
    `reason`: the lost customers of that churn reason over S of the whole period."""
    rows = _customer_periods(frame)
    rows = rows[rows["S"] == 1]
    rows = rows.assign(numerator=rows["lost"], denominator=rows["S"])
    spec = Spec("churn_rate", 1, "ratio", OWNER)
    result = derived.slim_periods(frame, rows, spec)
    lost = rows[rows["lost"] == 1].copy()
    lost["reason"] = lost["churn_reason"].astype(object).where(lost["churn_reason"].notna())
    lost["reason"] = lost["reason"].fillna(NONE_LABEL)
    starting = rows.groupby(["period_grain", "period_start"])["S"].sum()
    by_reason = lost.groupby(["period_grain", "period_start", "reason"]).size().reset_index()
    by_reason.columns = ["period_grain", "period_start", "breakdown_value", "numerator"]
    denominators = [
        starting.get((g, s), 0.0)
        for g, s in zip(by_reason["period_grain"], by_reason["period_start"], strict=True)
    ]
    by_reason["numerator"] = by_reason["numerator"].astype(float)
    by_reason["denominator"] = pd.Series(denominators, dtype=float)
    by_reason["value"] = (by_reason["numerator"] / by_reason["denominator"]).where(
        by_reason["denominator"] > 0
    )
    by_reason = by_reason.assign(
        kpi_id="churn_rate", kpi_version=1, breakdown="reason", is_available=True
    )
    combined = pd.concat([result, by_reason[OUTPUT]], ignore_index=True)
    return finalize(frame, combined, spec)


def _subscriptions(frame: Frame) -> pd.DataFrame:
    subscriptions = frame.table("subscriptions")
    return facts.with_customer(subscriptions, frame, user_from_owner=True)


@kpi("renewal_rate")
def renewal_rate(frame: Frame) -> pd.DataFrame:
    """Subscriptions ended in the period: renewed (another subscription, started by as_of, has
    renewed_from_subscription_id = it) / all of them."""
    subscriptions = _subscriptions(frame)
    known = subscriptions[subscriptions["started_at"] <= frame.as_of_at]
    renewed = set(known["renewed_from_subscription_id"].dropna())
    ended = subscriptions[subscriptions["ended_at"].notna()]
    rows = ended.assign(
        event_at=ended["ended_at"],
        numerator=ended["subscription_id"].isin(renewed).astype(float),
        denominator=1.0,
    )
    spec = Spec("renewal_rate", 1, "ratio", OWNER, requires=("subscriptions",))
    return derived.slim_events(frame, rows, spec)


@kpi("repeat_purchase_rate")
def repeat_purchase_rate(frame: Frame) -> pd.DataFrame:
    """At the end instant: customers with >= 2 completed orders placed before it / customers
    with >= 1."""
    orders = facts.completed_orders(frame)
    parts = []
    for period in frame.calendar.of(CALENDAR_GRAINS, windows=True):
        before = orders[orders["ordered_at"] < period.end_instant]
        counts = before.groupby("customer_id").size()
        part = pd.DataFrame(
            {
                "customer_id": counts.index,
                "numerator": (counts.to_numpy() >= 2).astype(float),
                "denominator": 1.0,
                "period_grain": period.grain,
                "period_start": period.start,
            }
        )
        parts.append(part)
    rows = facts.with_customer(pd.concat(parts, ignore_index=True), frame, user_from_owner=True)
    return derived.slim_periods(frame, rows, Spec("repeat_purchase_rate", 1, "ratio", OWNER))


@kpi("average_customer_lifetime_days")
def average_customer_lifetime_days(frame: Frame) -> pd.DataFrame:
    churns = derived.churn_events(frame)
    churns = facts.with_customer(churns, frame, user_from_owner=True)
    rows = churns.assign(event_at=churns["churned_at"], measure=churns["lifetime_days"])
    return derived.slim_events(
        frame, rows, Spec("average_customer_lifetime_days", 1, "mean", OWNER)
    )


@kpi("average_customer_tenure_days")
def average_customer_tenure_days(frame: Frame) -> pd.DataFrame:
    rows = _customer_periods(frame)
    rows = rows[rows["E"] == 1]
    tenure = (rows["end_instant"] - rows["first_active_at"]).dt.total_seconds() / 86400.0
    rows = rows.assign(measure=tenure)
    return derived.slim_periods(frame, rows, Spec("average_customer_tenure_days", 1, "mean", OWNER))


def _total(series: pd.Series, months: list[dt.date]) -> float:
    return float(sum(series.get(month, 0.0) for month in months))


@kpi("customer_lifetime_value")
def customer_lifetime_value(frame: Frame) -> pd.DataFrame:
    """Month grain, overall: over the trailing months M-11..M, ARPU (Σ revenue / Σ E) × margin
    (Σ profit / Σ revenue of orders with cost) / churn (Σ lost / Σ S). A scorecard window uses
    the reporting months inside it."""
    months = frame.calendar.of(("month",))
    month_starts = [period.start for period in months]
    periods = _customer_periods(frame)
    periods = periods[periods["period_grain"] == "month"]
    monthly = periods.groupby("period_start")[["S", "E", "lost"]].sum()
    orders = facts.completed_orders(frame)
    orders["month"] = orders["ordered_at"].dt.to_period("M").dt.start_time.dt.date
    costed = orders[orders["cost_amount"].notna()]
    revenue = orders.groupby("month")["amount"].sum()
    costed_revenue = costed.groupby("month")["amount"].sum()
    profit = (costed["amount"] - costed["cost_amount"]).groupby(costed["month"]).sum()
    out = []
    for period in frame.calendar.of(("month",), windows=True):
        if period.is_window:
            trailing = [m for m in month_starts if period.start <= m < period.end]
        else:
            trailing = [add_months(period.start, -back) for back in range(12)]
        active, starting = _total(monthly["E"], trailing), _total(monthly["S"], trailing)
        with_cost = _total(costed_revenue, trailing)
        arpu = _total(revenue, trailing) / active if active else None
        margin = _total(profit, trailing) / with_cost if with_cost else None
        churn = _total(monthly["lost"], trailing) / starting if starting else None
        value = arpu * margin / churn if None not in (arpu, margin, churn) and churn else None
        out.append(
            {
                "kpi_id": "customer_lifetime_value",
                "kpi_version": 1,
                "period_grain": period.grain,
                "period_start": period.start,
                "breakdown": "overall",
                "breakdown_value": None,
                "value": value,
                "numerator": None,
                "denominator": None,
                "is_available": True,
            }
        )
    spec = Spec(
        "customer_lifetime_value",
        1,
        "ratio",
        grains=("month",),
        requires=("orders.cost_amount",),
    )
    return finalize(frame, pd.DataFrame(out, columns=OUTPUT), spec)
