"""Data-quality KPIs (docs/kpi_design.md): stock KPIs over the records created before the end
instant of each period, and the quarantined row rate from the staged row counts."""

from __future__ import annotations

import pandas as pd

from crm_kpi.validator import facts, marketing
from crm_kpi.validator.data import Frame
from crm_kpi.validator.kpis import kpi
from crm_kpi.validator.rollup import OWNER, Spec, rollup_periods


def _filled(values: pd.Series) -> pd.Series:
    return values.notna() & (values.astype(object).astype(str).str.strip() != "")


def is_profile_complete(customers: pd.DataFrame) -> pd.Series:
    """E-mail or phone, industry, segment and owner all filled (non-empty). A phone is filled
    when it has any text, digits or not (kpis.md says "filled"; a malformed e-mail counts too)."""
    return (
        (_filled(customers["email"]) | _filled(customers["phone"]))
        & _filled(customers["industry"])
        & _filled(customers["segment"])
        & _filled(customers["owner_user_id"])
    )


def _normalised_email(emails: pd.Series) -> pd.Series:
    text = emails.astype(object).where(emails.notna())
    cleaned = text.str.strip().str.lower()
    return cleaned.where(cleaned != "")


def _normalised_phone(phones: pd.Series) -> pd.Series:
    text = phones.astype(object).where(phones.notna())
    digits = text.str.replace(r"\D", "", regex=True)
    return digits.where(digits != "")


def is_duplicate(customers: pd.DataFrame) -> pd.Series:
    """True for a customer that shares a normalised e-mail or phone with an older record
    (earlier created_at; the same created_at: smaller customer_id). Within each group of equal
    keys every record but the oldest has an older one."""
    ordered = customers.sort_values(["created_at", "customer_id"], kind="mergesort")
    duplicate = pd.Series(False, index=customers.index)
    for key in (_normalised_email(ordered["email"]), _normalised_phone(ordered["phone"])):
        keyed = key.notna()
        later = key[keyed].duplicated(keep="first")
        duplicate.loc[later[later].index] = True
    return duplicate


@kpi("customer_completeness")
def customer_completeness(frame: Frame) -> pd.DataFrame:
    customers = facts.with_customer(frame.table("customers"), frame, user_from_owner=True)
    customers = customers.assign(
        numerator=is_profile_complete(customers).astype(float), denominator=1.0
    )
    return marketing.stock_ratio(frame, customers, Spec("customer_completeness", 1, "ratio", OWNER))


@kpi("invalid_email_rate")
def invalid_email_rate(frame: Frame) -> pd.DataFrame:
    """Non-empty e-mails of customers and of leads; invalid = not is_email_valid."""
    parts = []
    for table in ("customers", "leads"):
        records = frame.table(table)
        records = records[_filled(records["email"])]
        valid = records["is_email_valid"].astype("boolean").fillna(False).astype(bool)
        parts.append(
            pd.DataFrame(
                {
                    "created_at": records["created_at"],
                    "numerator": (~valid).astype(float),
                    "denominator": 1.0,
                }
            )
        )
    rows = pd.concat(parts, ignore_index=True)
    return marketing.stock_ratio(frame, rows, Spec("invalid_email_rate", 1, "ratio"))


@kpi("duplicate_customer_rate")
def duplicate_customer_rate(frame: Frame) -> pd.DataFrame:
    customers = frame.table("customers")
    customers = customers.assign(numerator=is_duplicate(customers).astype(float), denominator=1.0)
    return marketing.stock_ratio(frame, customers, Spec("duplicate_customer_rate", 1, "ratio"))


@kpi("quarantined_row_rate")
def quarantined_row_rate(frame: Frame) -> pd.DataFrame:
    """all_time only: quarantined raw rows / raw rows, by table (from the staged row counts)."""
    counts = frame.table("_row_counts")
    rows = pd.DataFrame(
        {
            "period_grain": "all_time",
            "period_start": frame.calendar_start,
            "table": counts["table_name"].astype(object),
            "numerator": counts["quarantined_rows"].astype(float),
            "denominator": counts["raw_rows"].astype(float),
        }
    )
    spec = Spec("quarantined_row_rate", 1, "ratio", ("table",), grains=("all_time",), windows=False)
    return rollup_periods(frame, rows, spec)
