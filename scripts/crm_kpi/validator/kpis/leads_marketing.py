"""Leads and marketing KPIs (docs/kpi_design.md), from staged leads, campaigns, opportunities
and orders."""

from __future__ import annotations

import pandas as pd

from crm_kpi.validator import facts, marketing
from crm_kpi.validator.data import Frame
from crm_kpi.validator.kpis import kpi
from crm_kpi.validator.rollup import Spec, rollup_events

LEAD_BREAKDOWNS = ("user_id", "team", "acquisition_channel", "campaign_id")
LEAD_OWNER = ("user_id", "team", "acquisition_channel")
CAMPAIGNS = ("campaigns",)


@kpi("new_leads")
def new_leads(frame: Frame) -> pd.DataFrame:
    rows = marketing.leads(frame).assign(measure=1.0)
    return rollup_events(
        frame, marketing.slim(rows, LEAD_BREAKDOWNS), Spec("new_leads", 1, "sum", LEAD_BREAKDOWNS)
    )


@kpi("lead_conversion_rate", 1)
def lead_conversion_rate_v1(frame: Frame) -> pd.DataFrame:
    """Cohort by created_at: the share converted by as_of."""
    leads = marketing.leads(frame)
    converted = leads["converted_known_at"].notna()
    rows = leads.assign(numerator=converted.astype(float), denominator=1.0)
    spec = Spec("lead_conversion_rate", 1, "ratio", LEAD_BREAKDOWNS)
    return rollup_events(frame, marketing.slim(rows, LEAD_BREAKDOWNS), spec)


@kpi("lead_conversion_rate", 2)
def lead_conversion_rate_v2(frame: Frame) -> pd.DataFrame:
    """Only leads whose conversion window has closed by as_of (created_at + window <= as_of);
    the share converted within the window (converted_at - created_at <= window)."""
    window = pd.Timedelta(days=frame.settings.lead_conversion_window_days)
    leads = marketing.leads(frame)
    leads = leads[leads["created_at"] + window <= frame.as_of_at]
    converted = leads["converted_at"].notna() & (
        leads["converted_at"] - leads["created_at"] <= window
    )
    rows = leads.assign(numerator=converted.astype(float), denominator=1.0)
    spec = Spec("lead_conversion_rate", 2, "ratio", LEAD_BREAKDOWNS)
    return rollup_events(frame, marketing.slim(rows, LEAD_BREAKDOWNS), spec)


@kpi("lead_response_hours")
def lead_response_hours(frame: Frame) -> pd.DataFrame:
    leads = marketing.leads(frame)
    leads = leads[leads["contacted_at"].notna()]
    hours = (leads["contacted_at"] - leads["created_at"]) / marketing.HOUR
    rows = leads.assign(measure=hours)
    spec = Spec("lead_response_hours", 1, "mean", LEAD_OWNER)
    return rollup_events(frame, marketing.slim(rows, LEAD_OWNER), spec)


@kpi("lost_lead_rate")
def lost_lead_rate(frame: Frame) -> pd.DataFrame:
    """A lead is lost when its first contact came more than the SLA after creation, or when it
    has no contact (by as_of) and the SLA has run out by as_of."""
    sla = pd.Timedelta(hours=frame.settings.lead_contact_sla_hours)
    leads = marketing.leads(frame)
    late = leads["contacted_at"].notna() & (leads["contacted_at"] - leads["created_at"] > sla)
    never = leads["contacted_at"].isna() & (leads["created_at"] + sla <= frame.as_of_at)
    rows = leads.assign(numerator=(late | never).astype(float), denominator=1.0)
    spec = Spec("lost_lead_rate", 1, "ratio", LEAD_OWNER)
    return rollup_events(frame, marketing.slim(rows, LEAD_OWNER), spec)


@kpi("cost_per_lead")
def cost_per_lead(frame: Frame) -> pd.DataFrame:
    """Campaigns by started_at: Σ cost / Σ leads attributed to them (created up to as_of)."""
    campaigns = frame.table("campaigns")
    leads = marketing.leads(frame)
    leads = leads[leads["created_at"] <= frame.as_of_at]
    counts = leads.groupby("campaign_id").size()
    rows = campaigns.assign(
        event_at=campaigns["started_at"],
        numerator=campaigns["cost"].astype(float),
        denominator=campaigns["campaign_id"].map(counts).fillna(0).astype(float),
    )
    spec = Spec("cost_per_lead", 1, "ratio", ("campaign_id",), requires=CAMPAIGNS)
    return rollup_events(frame, marketing.slim(rows, spec.breakdowns), spec)


@kpi("revenue_per_lead")
def revenue_per_lead(frame: Frame) -> pd.DataFrame:
    """Revenue (by ordered_at) of customers that are some lead's converted customer, over the
    leads qualified (by qualified_at) in the same period."""
    leads = frame.table("leads")
    converted_customers = set(leads["converted_customer_id"].dropna())
    orders = facts.completed_orders(frame)
    orders = orders[orders["customer_id"].isin(converted_customers)]
    qualified = leads[leads["qualified_at"].notna()]
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "event_at": orders["ordered_at"],
                    "numerator": orders["amount"].astype(float),
                    "denominator": 0.0,
                }
            ),
            pd.DataFrame(
                {"event_at": qualified["qualified_at"], "numerator": 0.0, "denominator": 1.0}
            ),
        ],
        ignore_index=True,
    )
    return rollup_events(frame, rows, Spec("revenue_per_lead", 1, "ratio"))


@kpi("campaign_responses")
def campaign_responses(frame: Frame) -> pd.DataFrame:
    leads = marketing.leads(frame)
    rows = leads[leads["campaign_id"].notna()].assign(measure=1.0)
    spec = Spec("campaign_responses", 1, "sum", ("campaign_id",), requires=CAMPAIGNS)
    return rollup_events(frame, marketing.slim(rows, spec.breakdowns), spec)


@kpi("campaign_revenue")
def campaign_revenue(frame: Frame) -> pd.DataFrame:
    won = marketing.campaign_won_opportunities(frame)
    rows = won.assign(event_at=won["closed_at"], measure=won["amount"].astype(float))
    spec = Spec("campaign_revenue", 1, "sum", ("campaign_id",), requires=CAMPAIGNS)
    return rollup_events(frame, marketing.slim(rows, spec.breakdowns), spec)


@kpi("campaign_roi")
def campaign_roi(frame: Frame) -> pd.DataFrame:
    """Won revenue of campaign leads (by closed_at) minus campaign cost (by started_at), over the
    cost of the campaigns started in the period."""
    won = marketing.campaign_won_opportunities(frame)
    campaigns = frame.table("campaigns")
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "event_at": won["closed_at"],
                    "campaign_id": won["campaign_id"],
                    "numerator": won["amount"].astype(float),
                    "denominator": 0.0,
                }
            ),
            pd.DataFrame(
                {
                    "event_at": campaigns["started_at"],
                    "campaign_id": campaigns["campaign_id"],
                    "numerator": -campaigns["cost"].astype(float),
                    "denominator": campaigns["cost"].astype(float),
                }
            ),
        ],
        ignore_index=True,
    )
    spec = Spec("campaign_roi", 1, "ratio", ("campaign_id",), requires=CAMPAIGNS)
    return rollup_events(frame, marketing.slim(rows, spec.breakdowns), spec)
