"""The MetricFlow semantic layer against the KPI marts: two independent definitions must agree.

The metrics of models/marts/semantic/ read only the core facts (fct_*, dim_*); the KPI models
compute marts.kpi_values through macros/kpi/. On the session's sample warehouse this test runs
`mf query` (CLI, through the read-only `metricflow` target of profiles.yml: an in-memory DuckDB
that ATTACHes the warehouse READ_ONLY) once per grain with every comparable metric, and compares
each metric with the KPI's `overall` rows of kpi_values (version 1) at month and quarter grain,
period by period. It fails on any difference beyond float rounding.

Tolerance: |mf - kpi| <= 1e-9 × max(1, |kpi|). kpi_values sums exactly (decimal(38, 10)) and
casts to double; MetricFlow sums doubles in the engine's order, which differs from an exact sum
by a few ulps per thousand rows (relative ~1e-13 here); 1e-9 is also the tolerance of the
independent validator (crm_kpi.validator). Any real difference in a definition (a filter, the
event time, a period boundary) moves a value by far more.

Periods: every period of kpi_values at the grain (the reporting calendar up to as_of) is
compared. A period that MetricFlow does not return at all (no fact of any metric of the query;
on the sample, the calendar's first month) counts as null, and as 0 for the metrics that are 0
without facts (sums and counts, `fill_nulls_with: 0`), like kpi_values. A period it returns is
compared as it is.
"""

from __future__ import annotations

import csv
import math
import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

# MetricFlow metric -> (kpi_id in kpi_values, grains compared). Every KPI that the semantic layer
# expresses is here; README "Semantic layer" lists the ones that are not and why.
METRIC_KPIS: dict[str, tuple[str, tuple[str, ...]]] = {
    # simple
    "revenue": ("revenue", ("month", "quarter")),
    "order_count": ("order_count", ("month", "quarter")),
    "new_business_revenue": ("new_business_revenue", ("month", "quarter")),
    "expansion_revenue": ("expansion_revenue", ("month", "quarter")),
    "new_leads": ("new_leads", ("month", "quarter")),
    "tickets_created": ("tickets_created", ("month", "quarter")),
    "complaints": ("complaints", ("month", "quarter")),
    "average_deal_size": ("average_deal_size", ("month", "quarter")),
    "sales_cycle_days": ("sales_cycle_days", ("month", "quarter")),
    "sales_cycle_days_median": ("sales_cycle_days_median", ("month", "quarter")),
    "lead_response_hours": ("lead_response_hours", ("month", "quarter")),
    "first_response_hours": ("first_response_hours", ("month", "quarter")),
    "first_response_hours_median": ("first_response_hours_median", ("month", "quarter")),
    "complaint_response_hours": ("complaint_response_hours", ("month", "quarter")),
    "resolution_hours": ("resolution_hours", ("month", "quarter")),
    "resolution_hours_median": ("resolution_hours_median", ("month", "quarter")),
    "order_processing_hours": ("order_processing_hours", ("month", "quarter")),
    "average_session_minutes": ("average_session_minutes", ("month", "quarter")),
    "average_assessment_score": ("average_assessment_score", ("month", "quarter")),
    # ratio
    "win_rate": ("win_rate", ("month", "quarter")),
    "average_order_value": ("average_order_value", ("month", "quarter")),
    "gross_margin": ("gross_margin", ("month", "quarter")),
    "profit_per_customer": ("profit_per_customer", ("month", "quarter")),
    "lead_conversion_rate": ("lead_conversion_rate", ("month", "quarter")),
    "lost_lead_rate": ("lost_lead_rate", ("month", "quarter")),
    "csat": ("csat", ("month", "quarter")),
    "resolution_rate": ("resolution_rate", ("month", "quarter")),
    "repeat_contact_rate": ("repeat_contact_rate", ("month", "quarter")),
    "automation_rate": ("automation_rate", ("month", "quarter")),
    "visitor_conversion_rate": ("visitor_conversion_rate", ("month", "quarter")),
    "overdue_follow_up_rate": ("overdue_follow_up_rate", ("month", "quarter")),
    "revenue_per_lead": ("revenue_per_lead", ("month", "quarter")),
    # derived (revenue growth: one metric per grain, the offset being the grain's period)
    "gross_profit": ("gross_profit", ("month", "quarter")),
    "nps": ("nps", ("month", "quarter")),
    "revenue_growth_month": ("revenue_growth", ("month",)),
    "revenue_growth_quarter": ("revenue_growth", ("quarter",)),
    # cumulative (the value on the period's last day)
    "crm_cost_to_date": ("crm_cost_to_date", ("month", "quarter")),
}
# conversion metric -> (kpi_id, kpi_version, window in days): lead_conversion_rate v2 counts the
# conversions within the window too, but only for leads whose window has closed by as_of; the two
# agree on the periods whose every lead's window has closed (period end + window <= as_of), and
# only those are compared.
CONVERSION_KPIS: dict[str, tuple[str, int, int]] = {
    "lead_conversion_rate_90d": ("lead_conversion_rate", 2, 90),
}
# a derived metric exists only in the periods of its inputs' rows: gross_profit (0 without completed
# orders) is 0 in a period that another metric of the query brings but order_count says is empty
ZERO_WHEN_EMPTY = {"gross_profit": "order_count"}
# metrics that are 0 in a period without facts: the sums, counts and the cumulative cost
# (fill_nulls_with: 0) and gross_profit
ZERO_FILLED = {
    "gross_profit",
    "crm_cost_to_date",
    "revenue",
    "order_count",
    "new_business_revenue",
    "expansion_revenue",
    "new_leads",
    "tickets_created",
    "complaints",
}
GRAINS = ("month", "quarter")
RELATIVE_TOLERANCE = 1e-9
# the project files `mf` needs beside its own target/ (it reads target/semantic_manifest.json)
PROJECT_ENTRIES = (
    "dbt_project.yml",
    "profiles.yml",
    "models",
    "macros",
    "seeds",
    "tests",
    "analyses",
)


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _env(warehouse: Path, project: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DBT_")}
    env.pop("CRM_EXTRACTS_DIR", None)
    env.update(
        CRM_DUCKDB_PATH=str(warehouse),
        CRM_DBT_TARGET="metricflow",
        DBT_PROFILES_DIR=str(project),
        DBT_PROJECT_DIR=str(project),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def _run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, (
        f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return result


@pytest.fixture(scope="module")
def mf_project(
    warehouse: Path,
    project_dir: Path,
    dbt_work_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
):
    """A view of the project for `mf`, with its own target/ (the project's is left alone).

    The semantic manifest is parsed with the default `duckdb` target, as `dbt build` writes it,
    and queried through the read-only `metricflow` target: the relation names a build writes must
    resolve in the attached warehouse. Yields (project folder, environment for `mf`)."""
    project = tmp_path_factory.mktemp("mf_project")
    for entry in PROJECT_ENTRIES:
        if (project_dir / entry).exists():
            (project / entry).symlink_to(project_dir / entry)
    env = _env(warehouse, project)
    # start from the session build's partial-parse state: dbt re-parses only what differs (all of
    # it when the state is from another build's settings), which saves most of a full parse
    state = dbt_work_dir / "target" / "partial_parse.msgpack"
    (project / "target").mkdir()
    if state.is_file():
        shutil.copyfile(state, project / "target" / state.name)
    started = time.perf_counter()
    _run(
        [
            _tool("dbt"),
            "parse",
            "--quiet",
            "--project-dir",
            str(project_dir),
            "--target-path",
            str(project / "target"),
            "--log-path",
            str(project / "logs"),
        ],
        {key: value for key, value in env.items() if key != "CRM_DBT_TARGET"},
        project,
    )
    assert (project / "target" / "semantic_manifest.json").is_file()
    print(f"dbt parse for mf: {time.perf_counter() - started:.1f}s")
    return project, env


def _kpi_values(warehouse: Path, grain: str) -> dict[tuple[str, int, date], float | None]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            """
            select kpi_id, kpi_version, period_start, value
            from marts.kpi_values
            where breakdown = 'overall' and period_grain = ?
            """,
            [grain],
        ).fetchall()
    return {(kpi_id, version, start): value for kpi_id, version, start, value in rows}


def _as_of_date(warehouse: Path) -> date:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "select as_of_date from intermediate.int_reporting_settings"
        ).fetchone()[0]


def _period_end(period_start: date, grain: str) -> date:
    months = period_start.month - 1 + (1 if grain == "month" else 3)
    return date(period_start.year + months // 12, months % 12 + 1, 1)


def _mf_query(project: Path, env: dict[str, str], metrics: list[str], grain: str):
    out = project / f"mf_{grain}.csv"
    _run(
        [
            _tool("mf"),
            "query",
            "--metrics",
            ",".join(metrics),
            "--group-by",
            f"metric_time__{grain}",
            "--csv",
            str(out),
            "--quiet",
        ],
        env,
        project,
    )
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    result: dict[date, dict[str, float | None]] = {}
    for row in rows:
        period = row.pop(f"metric_time__{grain}")
        if not period:  # facts without their event time (e.g. open opportunities): no period
            continue
        result[date.fromisoformat(period[:10])] = {
            name: (float(value) if value not in ("", None) else None) for name, value in row.items()
        }
    return result


def _same(mf: float | None, kpi: float | None) -> bool:
    if mf is None or kpi is None:
        return mf is None and kpi is None
    return math.isclose(mf, kpi, rel_tol=RELATIVE_TOLERANCE, abs_tol=RELATIVE_TOLERANCE)


def test_mf_validate_configs_passes(mf_project) -> None:
    project, env = mf_project
    result = _run([_tool("mf"), "validate-configs"], env, project)
    assert "ERRORS: 0" in result.stdout


@pytest.mark.parametrize("grain", GRAINS)
def test_metricflow_agrees_with_kpi_values(mf_project, warehouse: Path, grain: str) -> None:
    project, env = mf_project
    metrics = [name for name, (_, grains) in METRIC_KPIS.items() if grain in grains]
    kpis = {METRIC_KPIS[name][0] for name in metrics}
    assert len(kpis) >= 15

    expected = _kpi_values(warehouse, grain)
    periods = sorted({period for kpi_id, _, period in expected if kpi_id == "revenue"})
    assert len(periods) >= (12 if grain == "month" else 4), "too few periods to compare"
    as_of = _as_of_date(warehouse)
    # (metric, kpi_id, kpi_version, periods compared)
    comparisons = [(name, METRIC_KPIS[name][0], 1, periods) for name in metrics]
    for name, (kpi_id, version, window_days) in CONVERSION_KPIS.items():
        closed = [p for p in periods if _period_end(p, grain) + timedelta(window_days) <= as_of]
        assert len(closed) >= len(periods) // 2, f"{name}: too few closed cohorts"
        comparisons.append((name, kpi_id, version, closed))

    started = time.perf_counter()
    actual = _mf_query(project, env, [name for name, *_ in comparisons], grain)
    elapsed = time.perf_counter() - started

    differences = []
    compared = 0
    for name, kpi_id, version, compared_periods in comparisons:
        for period in compared_periods:
            key = (kpi_id, version, period)
            assert key in expected, f"kpi_values has no {kpi_id} v{version} row for {period}"
            kpi = expected[key]
            # a period absent from the result has no fact of any metric of the query
            missing = 0.0 if name in ZERO_FILLED else None
            mf = actual[period][name] if period in actual else missing
            if mf is None and name in ZERO_WHEN_EMPTY and period in actual:
                mf = 0.0 if actual[period][ZERO_WHEN_EMPTY[name]] == 0 else None
            compared += 1
            if not _same(mf, kpi):
                differences.append(f"{name} {grain} {period}: mf {mf!r} != kpi_values {kpi!r}")
    assert not differences, f"{len(differences)} of {compared} values differ:\n" + "\n".join(
        differences[:40]
    )
    # every KPI compared has values (not only nulls on both sides)
    for name, _, _, compared_periods in comparisons:
        values = [actual.get(period, {}).get(name) for period in compared_periods]
        assert any(value is not None for value in values), f"{name}: no value at all"
    print(f"{grain}: {compared} values of {len(comparisons)} metrics agree; mf {elapsed:.1f}s")


def test_win_rate_and_revenue_by_quarter_and_customer_segment(mf_project, warehouse: Path) -> None:
    """The issue's example query works, and its segments add up to the overall revenue (every
    order is in exactly one segment group, orders of unknown customers in the null one).

    It runs while this process holds the warehouse open read-only, as a BI tool would: through
    the `metricflow` target `mf` attaches it read-only too, so DuckDB's file lock lets both in
    (a read-write open, as with the `duckdb` target, fails with "Could not set lock")."""
    project, env = mf_project
    out = project / "by_segment.csv"
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        reader.execute("select count(*) from marts.kpi_values").fetchone()
        _run(
            [
                _tool("mf"),
                "query",
                "--metrics",
                "win_rate,revenue",
                "--group-by",
                "metric_time__quarter,customer__segment",
                "--csv",
                str(out),
                "--quiet",
            ],
            env,
            project,
        )
        # the same through the read-write `duckdb` target: refused while a reader is open
        read_write = subprocess.run(
            [_tool("mf"), "query", "--metrics", "revenue", "--group-by", "metric_time__year"],
            env={**env, "CRM_DBT_TARGET": "duckdb"},
            cwd=project,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert "lock" in (read_write.stdout + read_write.stderr).lower(), read_write.stdout
    with out.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["metric_time__quarter"]]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        segments = {
            segment
            for (segment,) in connection.execute(
                "select distinct segment from marts.dim_customers where segment is not null"
            ).fetchall()
        }
    assert {row["customer__segment"] for row in rows if row["customer__segment"]} == segments
    assert any(row["win_rate"] for row in rows)

    revenue_by_quarter: dict[date, float] = {}
    for row in rows:
        quarter = date.fromisoformat(row["metric_time__quarter"][:10])
        revenue_by_quarter[quarter] = revenue_by_quarter.get(quarter, 0.0) + float(
            row["revenue"] or 0
        )
    expected = _kpi_values(warehouse, "quarter")
    for (kpi_id, version, quarter), value in expected.items():
        if kpi_id == "revenue" and version == 1:
            assert _same(revenue_by_quarter.get(quarter, 0.0), value), quarter
