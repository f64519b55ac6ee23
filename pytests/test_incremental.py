"""An incremental run after new and updated rows gives exactly what a full refresh gives.

The extracts are the bundled sample's block (crm_kpi.scaled at one tile = seeds/crm_sample);
the next day's folder (crm_kpi.scaled.append_day) adds a day of orders, activities, usage
events and tickets and updates orders and tickets of the last days (status, resolution,
updated_at). Database A: full build of day 1, then an incremental run on day 2. Database B: a
full refresh on day 2. kpi_values and the four incremental facts must hold the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from crm_kpi.dbt_invoke import dbt_args, invocation_env, temporary_environment
from crm_kpi.scaled import append_day, generate_scaled
from dbt_manifests import invoke_parsed

FACTS = ("fct_orders", "fct_activities", "fct_usage_events", "fct_tickets")
SELECT = ("+kpi_values", *(f"+{fact}" for fact in FACTS))


def _run(project_dir: Path, work: Path, database: Path, extracts: Path, *extra: str) -> None:
    # build (not run): the reference seeds are parents too; the tests are the lead's full suite
    args = dbt_args(
        "build",
        project_dir,
        select=SELECT,
        exclude_resource_types=("test", "unit_test"),
        target_path=work / "target",
        log_path=work / "logs",
    )
    with temporary_environment(invocation_env(database, extracts), project_dir):
        result = invoke_parsed([*args, *extra], project_dir, database, work)
    assert result.success, "\n".join(result.errors)


def _rows(database: Path, relation: str) -> int:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(f"select count(*) from {relation}").fetchone()[0]


def _difference(left: Path, right: Path, relations: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Rows only in left / only in right, per relation (multiset difference)."""
    out = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as l (read_only)")
        connection.execute(f"attach '{right}' as r (read_only)")
        for relation in relations:
            only_left = connection.execute(
                f"select count(*) from (select * from l.{relation} except all "
                f"select * from r.{relation})"
            ).fetchone()[0]
            only_right = connection.execute(
                f"select count(*) from (select * from r.{relation} except all "
                f"select * from l.{relation})"
            ).fetchone()[0]
            out[relation] = (only_left, only_right)
    return out


@pytest.fixture(scope="module")
def extracts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("incremental")
    day1 = root / "day1"
    generate_scaled(day1, orders=1, fmt="parquet")
    day2 = root / "day2"
    summary = append_day(day1, day2)
    return day1, day2, summary


def test_incremental_run_equals_full_refresh(
    project_dir: Path, tmp_path: Path, extracts: tuple[Path, Path, dict]
) -> None:
    day1, day2, summary = extracts
    # the next day really has new and changed rows
    assert min(summary["new_rows"].values()) > 0, summary
    assert summary["updated_rows"]["orders"] > 0 and summary["updated_rows"]["tickets"] > 0

    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    _run(project_dir, tmp_path / "a", incremental, day1)
    orders_day1 = _rows(incremental, "marts.fct_orders")
    with duckdb.connect(str(incremental), read_only=True) as connection:
        connection.execute("create temp table before as select * from marts.kpi_values")
        kpis_day1 = connection.execute("select count(*) from before").fetchone()[0]

    _run(project_dir, tmp_path / "a", incremental, day2)
    # the second run on A really was incremental: delete+insert of the rows past the watermark
    target = tmp_path / "a" / "target"
    executed = next((target / "run").rglob("fct_orders.sql")).read_text().lower()
    compiled = next((target / "compiled").rglob("fct_orders.sql")).read_text().lower()
    assert "delete from" in executed and "max(changed_at)" in compiled
    _run(project_dir, tmp_path / "b", full, day2, "--full-refresh")

    assert _rows(incremental, "marts.fct_orders") == orders_day1 + summary["new_rows"]["orders"]
    assert kpis_day1 > 0
    differences = _difference(
        incremental, full, ["marts.kpi_values"] + [f"marts.{f}" for f in FACTS]
    )
    assert all(d == (0, 0) for d in differences.values()), differences


# The incremental base models (macros/staging/incremental_base.sql) find changed keys by
# comparing the extract with the table, so they also see what a watermark cannot: rows deleted or
# moved, a value changed without a new updated_at, a duplicate added, rows without a key, a
# revised exchange rate. Day 3 does all of that to day 2's extracts; then day 3 again, a run in
# which nothing changed.
BASE_TABLES = (
    "customers",
    "leads",
    "opportunities",
    "orders",
    "subscriptions",
    "activities",
    "tickets",
    "survey_responses",
    "usage_events",
    "web_sessions",
)
EDITS = {
    # ticket rows 11-15 deleted, row 20's status changed in place (same updated_at), row 30
    # again at the end with a later updated_at, a row without ticket_id, rows 40 and 41 swapped
    "tickets": """
        with numbered as (select *, row_number() over () as n from {src})
        select * exclude (n) from (
            select * replace (case when n = 20 then 'closed' else status end as status,
                              case n when 40 then 41 when 41 then 40 else n end as n)
            from numbered where n not between 11 and 15
            union all
            select * replace ('2099-01-01T00:00:00' as updated_at, 1e9 as n)
            from numbered where n = 30
            union all
            select * replace (null as ticket_id, 1e9 + 1 as n) from numbered where n = 50
        ) order by n
    """,
    # activity rows 1-3 deleted, row 7 again at the end (a duplicate: the last row wins)
    "activities": """
        with numbered as (select *, row_number() over () as n from {src})
        select * exclude (n) from (
            select * from numbered where n > 3
            union all
            select * replace (1e9 as n) from numbered where n = 7
        ) order by n
    """,
    # every rate revised: every converted amount of orders, opportunities, subscriptions changes
    "exchange_rates": """
        select * replace (
            cast(cast(rate_to_reporting as double) * 1.01 as varchar) as rate_to_reporting
        ) from {src}
    """,
}


@pytest.fixture(scope="module")
def edited_day(extracts: tuple[Path, Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, day2, _ = extracts
    day3 = tmp_path_factory.mktemp("day3")
    with duckdb.connect() as connection:
        connection.execute("set preserve_insertion_order = true")
        for path in day2.iterdir():
            target = day3 / path.name
            if path.stem not in EDITS:
                target.write_bytes(path.read_bytes())
                continue
            src = f"read_parquet('{path}')"
            connection.execute(
                f"copy ({EDITS[path.stem].format(src=src)}) to '{target}' (format parquet)"
            )
            changed = connection.execute(
                f"select count(*) from (select * from read_parquet('{target}') "
                f"except all select * from {src})"
            ).fetchone()[0]
            assert changed > 0, path.stem
    return day3


def test_incremental_base_models_equal_full_refresh(
    project_dir: Path, tmp_path: Path, extracts: tuple[Path, Path, dict], edited_day: Path
) -> None:
    _, day2, _ = extracts
    select = ("+stg_crm__row_counts",)
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    for database, extracts_dir, work, extra in (
        (incremental, day2, tmp_path / "a", ()),
        (incremental, edited_day, tmp_path / "a", ()),
        # the same extracts again: nothing may change (rows without a key are re-derived,
        # so they must not be kept twice)
        (incremental, edited_day, tmp_path / "a", ()),
        (full, edited_day, tmp_path / "b", ("--full-refresh",)),
    ):
        args = dbt_args(
            "run",
            project_dir,
            select=select,
            target_path=work / "target",
            log_path=work / "logs",
        )
        with temporary_environment(invocation_env(database, extracts_dir), project_dir):
            result = invoke_parsed([*args, *extra], project_dir, database, work)
        assert result.success, "\n".join(result.errors)
        if database == incremental and extracts_dir == edited_day:
            # incremental: only the touched keys' rows derived (crm_base_replace_touched) and
            # appended to the table
            target = work / "target"
            compiled = next((target / "compiled").rglob("base_crm__tickets.sql")).read_text()
            assert "base_crm__tickets__touched_keys" in compiled
            executed = next((target / "run").rglob("base_crm__tickets.sql")).read_text()
            assert "insert into" in executed.lower()

    relations = [f"staging.base_crm__{table}" for table in BASE_TABLES]
    relations += ["staging.stg_crm__row_counts", "staging.stg_crm__quarantined_rows"]
    differences = _difference(incremental, full, relations)
    assert all(d == (0, 0) for d in differences.values()), differences
