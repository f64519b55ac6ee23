"""Return on the CRM investment (docs/kpi_design.md): cost to date, incremental gain over the
pre-go-live baseline, ROI v1 (revenue) and v2 (gross profit), payback months. Every one is a
stock at the end instant of each period and scorecard window."""

from __future__ import annotations

import pandas as pd

from crm_kpi.validator import marketing
from crm_kpi.validator.calendar import CALENDAR_GRAINS
from crm_kpi.validator.data import Frame
from crm_kpi.validator.kpis import kpi
from crm_kpi.validator.rollup import OUTPUT, Spec, finalize, rollup_periods

COSTS = ("crm_costs",)
COST_DATA = ("orders.cost_amount",)


def _gain_requires(frame: Frame) -> tuple[str, ...]:
    """A gain on gross profit needs cost data: without any it is unavailable, not 0."""
    return COST_DATA if frame.settings.roi_gain_basis == "gross_profit" else ()


@kpi("crm_cost_to_date")
def crm_cost_to_date(frame: Frame) -> pd.DataFrame:
    costs = frame.table("crm_costs")
    costs["incurred_at"] = pd.to_datetime(costs["incurred_on"])
    parts = []
    for period in frame.calendar.of(CALENDAR_GRAINS, windows=True):
        part = costs[costs["incurred_at"] < period.end_instant]
        parts.append(
            part.assign(
                period_grain=period.grain,
                period_start=period.start,
                measure=part["amount"].astype(float),
            )
        )
    rows = pd.concat(parts, ignore_index=True)
    spec = Spec("crm_cost_to_date", 1, "sum", ("category",), requires=COSTS)
    return rollup_periods(frame, rows, spec)


def _per_period(kpi_id: str, version: int, values: list[dict]) -> pd.DataFrame:
    out = [
        {
            "kpi_id": kpi_id,
            "kpi_version": version,
            "breakdown": "overall",
            "breakdown_value": None,
            "is_available": True,
            **value,
        }
        for value in values
    ]
    return pd.DataFrame(out, columns=OUTPUT)


@kpi("crm_incremental_gain")
def crm_incremental_gain(frame: Frame) -> pd.DataFrame:
    months = marketing.gain_months(frame, frame.settings.roi_gain_basis)
    values = [
        {
            "period_grain": period.grain,
            "period_start": period.start,
            "value": marketing.gain_at(months, period.end_instant),
            "numerator": None,
            "denominator": None,
        }
        for period in frame.calendar.of(CALENDAR_GRAINS, windows=True)
    ]
    spec = Spec("crm_incremental_gain", 1, "sum", requires=_gain_requires(frame))
    return finalize(frame, _per_period("crm_incremental_gain", 1, values), spec)


def _roi(frame: Frame, version: int, basis: str, requires: tuple[str, ...]) -> pd.DataFrame:
    months = marketing.gain_months(frame, basis)
    costs = frame.table("crm_costs")
    rows = []
    for period in frame.calendar.of(CALENDAR_GRAINS, windows=True):
        cost = marketing.cost_to_date(costs, period.end_instant)
        gain = marketing.gain_at(months, period.end_instant)
        rows.append(
            {
                "period_grain": period.grain,
                "period_start": period.start,
                "numerator": gain - cost,
                "denominator": cost,
            }
        )
    return rollup_periods(
        frame, pd.DataFrame(rows), Spec("crm_roi", version, "ratio", requires=requires)
    )


@kpi("crm_roi", 1)
def crm_roi_v1(frame: Frame) -> pd.DataFrame:
    """Gain on revenue, whatever roi_gain_basis says."""
    return _roi(frame, 1, "revenue", COSTS)


@kpi("crm_roi", 2)
def crm_roi_v2(frame: Frame) -> pd.DataFrame:
    """Gain on gross profit (completed orders with a cost)."""
    return _roi(frame, 2, "gross_profit", (*COSTS, *COST_DATA))


@kpi("crm_payback_months")
def crm_payback_months(frame: Frame) -> pd.DataFrame:
    """At each period end: the ordinal (first month of gain = 1) of the first complete month whose
    cumulative gain to its end covers the cost to date at its end; null while not reached."""
    months = marketing.gain_months(frame, frame.settings.roi_gain_basis)
    costs = frame.table("crm_costs")
    months["cost"] = [marketing.cost_to_date(costs, end) for end in months["month_end"]]
    reached = months[months["cumulative_gain"] >= months["cost"]]
    values = []
    for period in frame.calendar.of(CALENDAR_GRAINS, windows=True):
        done = reached[reached["month_end"] <= period.end_instant]
        values.append(
            {
                "period_grain": period.grain,
                "period_start": period.start,
                "value": float(done["ordinal"].iloc[0]) if len(done) else None,
                "numerator": None,
                "denominator": None,
            }
        )
    spec = Spec("crm_payback_months", 1, "mean", requires=(*COSTS, *_gain_requires(frame)))
    return finalize(frame, _per_period("crm_payback_months", 1, values), spec)
