"""Leads and campaigns rebuilt in pandas from staging alone (docs/kpi_design.md, "Leads and
marketing"), and the monthly series behind the CRM return on investment ("Return on the CRM
investment").

Leads: the responsible user is the lead's owner, team = that user's team, acquisition_channel =
the lead's source_channel. A won opportunity belongs to a campaign through its lead.
`stock_ratio` is a vectorised stock rollup (rows counted while created before the end instant).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_kpi.validator import facts
from crm_kpi.validator.calendar import add_months, month_start
from crm_kpi.validator.data import Frame
from crm_kpi.validator.rollup import NONE_LABEL, OUTPUT, Spec, finalize

HOUR = pd.Timedelta(hours=1)
ROLLUP_COLUMNS = (
    "event_at", "created_at", "measure", "numerator", "denominator", "period_grain", "period_start",
)  # fmt: skip


def slim(rows: pd.DataFrame, breakdowns: Sequence[str] = ()) -> pd.DataFrame:
    """Only the columns a rollup reads (time, measures, breakdowns): grouping and per-period
    copies carry every column, so a slim frame is several times faster."""
    return rows[[c for c in (*ROLLUP_COLUMNS, *breakdowns) if c in rows.columns]]


def leads(frame: Frame) -> pd.DataFrame:
    """Staged leads with user_id, team and acquisition_channel; a contact or conversion after
    as_of is not known yet and is blanked (`contacted_at`, `converted_known_at`)."""
    rows = facts.with_user_team(frame.table("leads"), frame, "owner_user_id")
    rows["acquisition_channel"] = rows["source_channel"]
    as_of = frame.as_of_at
    rows["contacted_at"] = rows["first_contacted_at"].where(rows["first_contacted_at"] <= as_of)
    rows["converted_known_at"] = rows["converted_at"].where(rows["converted_at"] <= as_of)
    rows["event_at"] = rows["created_at"]
    return rows


def campaign_won_opportunities(frame: Frame) -> pd.DataFrame:
    """closed_won opportunities whose lead has a campaign, with that `campaign_id`."""
    opportunities = facts.opportunities(frame)
    won = opportunities[opportunities["is_won"] & opportunities["lead_id"].notna()]
    lead_campaign = frame.table("leads").set_index("lead_id")["campaign_id"]
    won = won.assign(campaign_id=won["lead_id"].map(lead_campaign))
    return won[won["campaign_id"].notna()].copy()


def month_end(start: dt.date) -> pd.Timestamp:
    return pd.Timestamp(add_months(start, 1))


def monthly_amounts(frame: Frame, basis: str) -> pd.Series:
    """Revenue (`basis='revenue'`) or gross profit (`'gross_profit'`: Σ amount - cost over the
    completed orders with a cost) of the completed orders up to as_of, by month start (date)."""
    orders = facts.completed_orders(frame)
    if basis == "gross_profit":
        orders = orders[orders["cost_amount"].notna()]
        amounts = orders["amount"] - orders["cost_amount"]
    elif basis == "revenue":
        amounts = orders["amount"]
    else:
        raise ValueError(f"unknown roi_gain_basis {basis!r}")
    months = orders["ordered_at"].dt.to_period("M").dt.start_time.dt.date
    return amounts.astype(float).groupby(months).sum()


def gain_months(frame: Frame, basis: str) -> pd.DataFrame:
    """One row per month from go-live to as_of's month: `month` (start date), `month_end`
    (timestamp), `gain` = the month's amount - the baseline and `cumulative_gain`.

    baseline = Σ amount of the `baseline_months` complete months before go-live /
    baseline_months (a month without orders counts 0). The months counted after go-live are
    those starting on or after go-live (the go-live month when go-live is a 1st, else the month
    after it); `ordinal` numbers them from 1: the whole months from go-live to the month's end."""
    settings = frame.settings
    amounts = monthly_amounts(frame, basis)
    go_live = settings.go_live_date
    last_before = month_start(go_live)  # months starting before it end on or before go-live
    baseline_starts = [add_months(last_before, -k) for k in range(1, settings.baseline_months + 1)]
    baseline = (
        sum(float(amounts.get(m, 0.0)) for m in baseline_starts) / settings.baseline_months
        if settings.baseline_months
        else 0.0
    )
    months = []
    current = last_before if last_before == go_live else add_months(last_before, 1)
    while pd.Timestamp(current) <= frame.as_of_at:
        months.append(current)
        current = add_months(current, 1)
    rows = pd.DataFrame({"month": months})
    rows["month_end"] = [month_end(m) for m in months]
    rows["ordinal"] = range(1, len(months) + 1)
    rows["gain"] = [float(amounts.get(m, 0.0)) - baseline for m in months]
    rows["cumulative_gain"] = rows["gain"].cumsum()
    rows.attrs["baseline"] = baseline
    return rows


def gain_at(months: pd.DataFrame, instant: pd.Timestamp) -> float:
    """The cumulative gain of the complete months that end at or before `instant`."""
    return float(months.loc[months["month_end"] <= instant, "gain"].sum())


def cost_to_date(costs: pd.DataFrame, instant: pd.Timestamp) -> float:
    """Σ amount of the CRM costs incurred before `instant` (all history)."""
    return float(costs.loc[pd.to_datetime(costs["incurred_on"]) < instant, "amount"].sum())


def _cumulative(
    labels: pd.Series, buckets: np.ndarray, rows: pd.DataFrame, size: int
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Per label: Σ numerator, Σ denominator and row count of the rows with bucket <= j, for
    every end index j (arrays of labels by ends)."""
    parts = pd.DataFrame(
        {
            "label": labels.to_numpy(),
            "bucket": buckets,
            "numerator": rows["numerator"].astype(float).to_numpy(),
            "denominator": rows["denominator"].astype(float).to_numpy(),
            "rows": 1.0,
        }
    )
    sums = parts.groupby(["label", "bucket"])[["numerator", "denominator", "rows"]].sum()
    names = sorted(sums.index.get_level_values("label").unique())
    out = []
    for column in ("numerator", "denominator", "rows"):
        table = sums[column].unstack("bucket").reindex(index=names, columns=range(size))
        out.append(table.fillna(0.0).to_numpy().cumsum(axis=1))
    return names, out[0], out[1], out[2]


def stock_ratio(
    frame: Frame, rows: pd.DataFrame, spec: Spec, time_column: str = "created_at"
) -> pd.DataFrame:
    """A stock ratio over the rows whose `time_column` is before each period's end instant, in
    the long shape of `rollup_periods` (overall row always, null without rows; a breakdown row
    only where rows exist), computed with cumulative sums instead of per-period copies."""
    periods = frame.calendar.of(spec.grains, windows=spec.windows)
    ends = pd.DatetimeIndex(sorted({period.end_instant for period in periods}))
    rows = rows[rows[time_column].notna()]
    buckets = ends.searchsorted(pd.DatetimeIndex(rows[time_column]), side="right")
    size = len(ends) + 1  # the last bucket: after every end, never counted
    at = np.array([ends.get_loc(period.end_instant) for period in periods])
    groups = [("overall", pd.Series("", index=rows.index))]
    for column in spec.breakdowns:
        values = rows[column].astype(object)
        groups.append((column, values.where(values.notna(), NONE_LABEL).astype(str)))
    out = []
    for breakdown, labels in groups:
        names, numerators, denominators, counts = _cumulative(labels, buckets, rows, size)
        if breakdown == "overall" and not names:
            names, numerators, denominators, counts = [""], *np.zeros((3, 1, size))
        for index, name in enumerate(names):
            for period, j in zip(periods, at, strict=True):
                count = counts[index, j]
                if breakdown != "overall" and count == 0:
                    continue
                numerator = float(numerators[index, j]) if count else None
                denominator = float(denominators[index, j]) if count else None
                out.append(
                    {
                        "kpi_id": spec.kpi_id,
                        "kpi_version": spec.version,
                        "period_grain": period.grain,
                        "period_start": period.start,
                        "breakdown": breakdown,
                        "breakdown_value": None if breakdown == "overall" else name,
                        "value": (
                            spec.scale * numerator / denominator if count and denominator else None
                        ),
                        "numerator": numerator,
                        "denominator": denominator,
                        "is_available": True,
                    }
                )
    return finalize(frame, pd.DataFrame(out, columns=OUTPUT), spec)
