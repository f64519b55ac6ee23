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
