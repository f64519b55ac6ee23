"""Customer perception and service KPIs (docs/kpi_design.md, "Service"), from staged tickets,
survey responses, holidays and customers."""

from __future__ import annotations

import pandas as pd

from crm_kpi.validator import derived, facts
from crm_kpi.validator.calendar import CALENDAR_GRAINS
from crm_kpi.validator.data import Frame
from crm_kpi.validator.kpis import kpi
from crm_kpi.validator.rollup import OUTPUT, OWNER, Spec, finalize

_LATEST: list[tuple[Frame, pd.DataFrame]] = []


def _tickets(frame: Frame) -> pd.DataFrame:
    """Tickets with their breakdowns (user = the assigned user; segment, region, channel of the
    ticket's customer), calendar and business hours, and the repeat-contact flag. Responses and
    resolutions after as_of are not known yet (treated as absent)."""
    if _LATEST and _LATEST[0][0] is frame:
        return _LATEST[0][1].copy()
    tickets = facts.with_user_team(frame.table("tickets"), frame, "assigned_user_id")
    # A response or resolution after as_of has not happened yet as far as as_of knows.
    for column in ("first_response_at", "resolved_at"):
        tickets[column] = tickets[column].where(tickets[column] <= frame.as_of_at)
    tickets = facts.with_customer(tickets, frame, user_from_owner=False)
    tickets["first_response_hours"] = _hours(tickets["first_response_at"] - tickets["created_at"])
    tickets["resolution_hours"] = _hours(tickets["resolved_at"] - tickets["created_at"])
    tickets["first_response_business_hours"] = derived.business_hours_between(
        frame, tickets["created_at"], tickets["first_response_at"]
    )
    tickets["resolution_business_hours"] = derived.business_hours_between(
        frame, tickets["created_at"], tickets["resolved_at"]
    )
    tickets["is_repeat_contact"] = derived.repeat_contacts(frame, tickets)
    _LATEST[:] = [(frame, tickets)]
    return tickets.copy()


def _hours(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds() / 3600.0


def _surveys(frame: Frame, survey_type: str) -> pd.DataFrame:
    """Responses of one type: user = the ticket's assigned user, else the customer's owner;
    the customer is the response's, else the ticket's."""
    responses = frame.table("survey_responses")
    responses = responses[responses["survey_type"] == survey_type]
    tickets = frame.table("tickets").set_index("ticket_id")
    responses["customer_id"] = responses["customer_id"].fillna(
        responses["ticket_id"].map(tickets["customer_id"])
    )
    owners = facts.customer_attributes(frame)["owner_id"]
    responses["responsible_user"] = responses["ticket_id"].map(tickets["assigned_user_id"])
    responses["responsible_user"] = responses["responsible_user"].fillna(
        responses["customer_id"].map(owners)
    )
    responses = facts.with_user_team(responses, frame, "responsible_user")
    responses = facts.with_customer(responses, frame, user_from_owner=False)
    responses["event_at"] = responses["responded_at"]
    return responses


@kpi("nps")
def nps(frame: Frame) -> pd.DataFrame:
    responses = _surveys(frame, "nps")
    score = responses["score"].astype(float)
    rows = responses.assign(
        numerator=(score >= 9).astype(float) - (score <= 6).astype(float), denominator=1.0
    )
    spec = Spec("nps", 1, "ratio", OWNER, requires=("survey_responses.nps",), scale=100.0)
    return derived.slim_events(frame, rows, spec)


@kpi("csat")
def csat(frame: Frame) -> pd.DataFrame:
    responses = _surveys(frame, "csat")
    rows = responses.assign(
        numerator=(responses["score"].astype(float) >= 4).astype(float), denominator=1.0
    )
    spec = Spec("csat", 1, "ratio", OWNER, requires=("survey_responses.csat",))
    return derived.slim_events(frame, rows, spec)


@kpi("tickets_created")
def tickets_created(frame: Frame) -> pd.DataFrame:
    tickets = _tickets(frame)
    rows = tickets.assign(event_at=tickets["created_at"], measure=1.0)
    return derived.slim_events(frame, rows, Spec("tickets_created", 1, "sum", OWNER))


@kpi("complaints")
def complaints(frame: Frame) -> pd.DataFrame:
    tickets = _tickets(frame)
    tickets = tickets[tickets["category"] == "complaint"]
    rows = tickets.assign(event_at=tickets["created_at"], measure=1.0)
    return derived.slim_events(frame, rows, Spec("complaints", 1, "sum", OWNER))


def _responded(frame: Frame, measure: str, complaints_only: bool = False) -> pd.DataFrame:
    tickets = _tickets(frame)
    tickets = tickets[tickets["first_response_at"].notna()]
    if complaints_only:
        tickets = tickets[tickets["category"] == "complaint"]
    return tickets.assign(event_at=tickets["created_at"], measure=tickets[measure])


@kpi("first_response_hours", 1)
def first_response_hours(frame: Frame) -> pd.DataFrame:
    rows = _responded(frame, "first_response_hours")
    return derived.slim_events(frame, rows, Spec("first_response_hours", 1, "mean", OWNER))


@kpi("first_response_hours", 2)
def first_response_hours_v2(frame: Frame) -> pd.DataFrame:
    rows = _responded(frame, "first_response_business_hours")
    return derived.slim_events(frame, rows, Spec("first_response_hours", 2, "mean", OWNER))


@kpi("first_response_hours_median")
def first_response_hours_median(frame: Frame) -> pd.DataFrame:
    rows = _responded(frame, "first_response_hours")
    return derived.slim_events(frame, rows, Spec("first_response_hours_median", 1, "median", OWNER))


@kpi("complaint_response_hours")
def complaint_response_hours(frame: Frame) -> pd.DataFrame:
    rows = _responded(frame, "first_response_hours", complaints_only=True)
    return derived.slim_events(frame, rows, Spec("complaint_response_hours", 1, "mean", OWNER))


def _resolved(frame: Frame) -> pd.DataFrame:
    tickets = _tickets(frame)
    tickets = tickets[tickets["resolved_at"].notna()]
    return tickets.assign(event_at=tickets["resolved_at"])


@kpi("resolution_hours", 1)
def resolution_hours(frame: Frame) -> pd.DataFrame:
    rows = _resolved(frame)
    rows = rows.assign(measure=rows["resolution_hours"])
    return derived.slim_events(frame, rows, Spec("resolution_hours", 1, "mean", OWNER))


@kpi("resolution_hours", 2)
def resolution_hours_v2(frame: Frame) -> pd.DataFrame:
    rows = _resolved(frame)
    rows = rows.assign(measure=rows["resolution_business_hours"])
    return derived.slim_events(frame, rows, Spec("resolution_hours", 2, "mean", OWNER))


@kpi("resolution_hours_median")
def resolution_hours_median(frame: Frame) -> pd.DataFrame:
    rows = _resolved(frame)
    rows = rows.assign(measure=rows["resolution_hours"])
    return derived.slim_events(frame, rows, Spec("resolution_hours_median", 1, "median", OWNER))


@kpi("resolution_rate")
def resolution_rate(frame: Frame) -> pd.DataFrame:
    """Resolved tickets except duplicates and spam: resolution `solved` / all of them."""
    rows = _resolved(frame)
    rows = rows[~rows["resolution"].isin(["duplicate", "spam"])]
    rows = rows.assign(numerator=(rows["resolution"] == "solved").astype(float), denominator=1.0)
    return derived.slim_events(frame, rows, Spec("resolution_rate", 1, "ratio", OWNER))


@kpi("repeat_contact_rate")
def repeat_contact_rate(frame: Frame) -> pd.DataFrame:
    tickets = _tickets(frame)
    rows = tickets.assign(
        event_at=tickets["created_at"],
        numerator=tickets["is_repeat_contact"].astype(float),
        denominator=1.0,
    )
    return derived.slim_events(frame, rows, Spec("repeat_contact_rate", 1, "ratio", OWNER))


@kpi("tickets_resolved_per_day")
def tickets_resolved_per_day(frame: Frame) -> pd.DataFrame:
    """Tickets resolved in the period / its days up to as_of: all of its days when complete,
    else from period_start to as_of_date inclusive. Numerator = the count, denominator = days."""
    rows = _resolved(frame)
    rows = rows.assign(measure=1.0)
    spec = Spec("tickets_resolved_per_day", 1, "sum", ("user_id", "team"))
    counts = derived.slim_events(frame, rows, spec)
    as_of_date = frame.settings.as_of_date or frame.as_of_at.date()
    days = {}
    for period in frame.calendar.of(CALENDAR_GRAINS, windows=True):
        if period.is_complete:
            days[(period.grain, period.start)] = float((period.end - period.start).days)
        else:
            days[(period.grain, period.start)] = float((as_of_date - period.start).days + 1)
    denominator = pd.Series(
        [days[key] for key in zip(counts["period_grain"], counts["period_start"], strict=True)],
        index=counts.index,
        dtype=float,
    )
    counts["numerator"] = counts["value"].astype(float)
    counts["denominator"] = denominator
    counts["value"] = (counts["numerator"] / denominator).where(denominator > 0)
    return finalize(frame, counts[OUTPUT], spec)
