"""`crm-kpi report`: the KPI dashboard as one self-contained static HTML file.

The warehouse is read (read-only) into one JSON document, which is inlined into
report_template.html together with the page's CSS and JavaScript: the file opens from disk,
needs no server and no network, and draws its charts as inline SVG with its own small script.

What it reads (all from the marts schema, latest KPI versions):
* kpi_catalog: names in en/ar/fa/uk, description, formula, unit, direction, category;
* kpi_scorecard: the before/after go-live scorecard with the target status;
* kpi_values: the overall trend per KPI (month grain, else the KPI's finest grain), the
  breakdowns by team / segment / acquisition channel for the latest complete quarter, and the
  availability (is_available, reason).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from crm_kpi.warehouse import open_read_only

TEMPLATE_FILE = Path(__file__).with_name("report_template.html")
DATA_PLACEHOLDER = "/*__REPORT_DATA__*/null"
LANGUAGES = ("en", "ar", "fa", "uk")
BREAKDOWNS = ("team", "segment", "acquisition_channel")
TREND_GRAINS = ("month", "quarter", "year")  # finest first
MAX_BREAKDOWN_ROWS = 12

CATALOG_SQL = """
select kpi_id, kpi_version, name_en, name_ar, name_fa, name_uk, description, formula, unit,
    direction, category, owner
from marts.kpi_catalog
where is_latest_version
order by category, kpi_id
"""

SCORECARD_SQL = """
select kpi_id, baseline_value, after_value, latest_value, change_after, change_latest,
    is_after_window_complete, is_improved_after, target_name_en, target_comparison,
    target_value, target_due_date, target_measured, target_status, typical_improvement,
    go_live_date, baseline_months, baseline_start_date, after_end_date
from marts.kpi_scorecard
order by target_id is null, target_id, kpi_id
"""

AVAILABILITY_SQL = """
select kpi_id, bool_or(is_available) as is_available,
    string_agg(distinct reason, '; ' order by reason) filter (where not is_available) as reason
from marts.kpi_values
where is_latest_version and breakdown = 'overall'
group by kpi_id
"""

SERIES_SQL = """
select kpi_id, period_grain, period_start, value, is_period_complete
from marts.kpi_values
where is_latest_version and breakdown = 'overall' and period_grain in ('month', 'quarter', 'year')
    and is_available and value is not null
order by kpi_id, period_grain, period_start
"""

LATEST_QUARTER_SQL = """
select max(period_start) from marts.kpi_values
where period_grain = 'quarter' and is_period_complete and is_available and breakdown = 'overall'
"""

BREAKDOWN_SQL = """
select kpi_id, breakdown, breakdown_value, value
from marts.kpi_values
where is_latest_version and period_grain = 'quarter' and period_start = ?
    and breakdown in ('team', 'segment', 'acquisition_channel')
    and is_available and value is not null
order by kpi_id, breakdown, value desc, breakdown_value
"""


@dataclass(frozen=True)
class ReportSummary:
    kpis: int
    available: int
    charts: int
    breakdown_quarter: str | None
    size_bytes: int

    def __str__(self) -> str:
        quarter = self.breakdown_quarter or "none"
        return (
            f"KPIs: {self.kpis} ({self.available} available), trend charts: {self.charts}, "
            f"breakdowns for the quarter starting {quarter}, {self.size_bytes / 1024:.0f} KiB"
        )


def _plain(value: Any) -> Any:
    """A JSON-friendly value: dates as ISO text, non-finite numbers as null."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(connection: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None):
    cursor = connection.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [
        {name: _plain(value) for name, value in zip(names, row, strict=True)}
        for row in cursor.fetchall()
    ]


def _round(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else value


def collect_report_data(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Everything the page shows, as one JSON-serialisable document."""
    catalog = _records(connection, CATALOG_SQL)
    availability = {row["kpi_id"]: row for row in _records(connection, AVAILABILITY_SQL)}
    kpis = []
    for row in catalog:
        found = availability.get(row["kpi_id"])
        available = bool(found and found["is_available"])
        reason = None if available else (found or {}).get("reason") or "no values in kpi_values"
        kpis.append(
            {
                "id": row["kpi_id"],
                "version": row["kpi_version"],
                "names": {lang: row[f"name_{lang}"] for lang in LANGUAGES},
                "description": row["description"],
                "formula": row["formula"],
                "unit": row["unit"],
                "direction": row["direction"],
                "category": row["category"],
                "owner": row["owner"],
                "available": available,
                "reason": reason,
            }
        )

    grains: dict[str, dict[str, list[list[Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in _records(connection, SERIES_SQL):
        grains[row["kpi_id"]][row["period_grain"]].append(
            [row["period_start"], _round(row["value"]), bool(row["is_period_complete"])]
        )
    series = {}
    for kpi_id, by_grain in grains.items():
        grain = next(grain for grain in TREND_GRAINS if by_grain.get(grain))
        series[kpi_id] = {"grain": grain, "points": by_grain[grain]}

    found = connection.execute(LATEST_QUARTER_SQL).fetchone()
    quarter = found[0] if found else None
    breakdowns: dict[str, dict[str, list[list[Any]]]] = defaultdict(lambda: defaultdict(list))
    if quarter is not None:
        for row in _records(connection, BREAKDOWN_SQL, [quarter]):
            rows = breakdowns[row["kpi_id"]][row["breakdown"]]
            if len(rows) < MAX_BREAKDOWN_ROWS:
                rows.append([row["breakdown_value"], _round(row["value"])])

    scorecard = [
        {key: _round(value) for key, value in row.items()}
        for row in _records(connection, SCORECARD_SQL)
    ]
    go_live = scorecard[0]["go_live_date"] if scorecard else None
    return {
        "go_live_date": go_live,
        "baseline_months": scorecard[0]["baseline_months"] if scorecard else None,
        "breakdown_quarter": _plain(quarter),
        "breakdown_dimensions": list(BREAKDOWNS),
        "kpis": kpis,
        "scorecard": scorecard,
        "series": series,
        "breakdowns": breakdowns,
    }


def render_html(data: dict[str, Any], template: str | None = None) -> str:
    """The template with the data inlined as JSON (safe inside a <script> element)."""
    page = template if template is not None else TEMPLATE_FILE.read_text(encoding="utf-8")
    if DATA_PLACEHOLDER not in page:
        raise ValueError(f"the report template has no {DATA_PLACEHOLDER} placeholder")
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # "</" would close the <script> element; U+2028/2029 are not valid in older JS strings.
    payload = (
        payload.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )
    return page.replace(DATA_PLACEHOLDER, payload)


def write_report(database: Path, out_file: Path) -> ReportSummary:
    """Read the warehouse (read-only) and write the self-contained HTML report."""
    with open_read_only(database) as connection:
        data = collect_report_data(connection)
    html = render_html(data)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(html, encoding="utf-8")
    return ReportSummary(
        kpis=len(data["kpis"]),
        available=sum(1 for kpi in data["kpis"] if kpi["available"]),
        charts=len(data["series"]),
        breakdown_quarter=data["breakdown_quarter"],
        size_bytes=out_file.stat().st_size,
    )
