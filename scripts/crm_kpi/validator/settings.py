"""The settings of a build (dbt vars), read independently of the dbt models."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Settings:
    """dbt vars with the documented defaults; `as_of_at` is filled from the data."""

    go_live_date: dt.date
    baseline_months: int
    reporting_currency: str
    crm_timezone: str
    churn_inactivity_days: int
    repeat_contact_window_days: int
    lead_contact_sla_hours: float
    as_of_date: dt.date | None
    fiscal_year_start_month: int
    business_hours_start: str
    business_hours_end: str
    business_days: tuple[int, ...]
    roi_gain_basis: str
    lead_conversion_window_days: int


def project_vars(project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    with (project_dir / "dbt_project.yml").open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle).get("vars", {}))


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    values = {**project_vars(), **(overrides or {})}
    return Settings(
        go_live_date=_date(values["crm_go_live_date"]),
        baseline_months=int(values["baseline_months"]),
        reporting_currency=str(values["reporting_currency"]),
        crm_timezone=str(values["crm_timezone"]),
        churn_inactivity_days=int(values["churn_inactivity_days"]),
        repeat_contact_window_days=int(values["repeat_contact_window_days"]),
        lead_contact_sla_hours=float(values["lead_contact_sla_hours"]),
        as_of_date=_date(values.get("as_of_date")),
        fiscal_year_start_month=int(values["fiscal_year_start_month"]),
        business_hours_start=str(values["business_hours_start"]),
        business_hours_end=str(values["business_hours_end"]),
        business_days=tuple(int(day) for day in values["business_days"]),
        roi_gain_basis=str(values["roi_gain_basis"]),
        lead_conversion_window_days=int(values["lead_conversion_window_days"]),
    )
