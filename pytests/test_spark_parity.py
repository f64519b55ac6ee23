"""KPI parity between DuckDB and Apache Spark (issue 6, docs/scale-out.md).

The bundled sample is built on Spark (dbt-spark session mode, local[2], the runner's loader
then `dbt build --target spark`) and its marts.kpi_values is compared with the DuckDB build of
the `warehouse` fixture: the same keys, and every value equal to 1e-9 relative.

By default the Spark build covers the models kpi_values depends on (no data or unit tests:
with ~1,500 tests a full build takes about half an hour on Spark in session mode); set
CRM_SPARK_PARITY_FULL=1 to build the whole project with every test on Spark first.
Needs the optional dependencies (`make spark-setup`); skipped when PySpark is not installed.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytest.importorskip(
    "pyspark", reason="PySpark is not installed (optional dependencies: `make spark-setup`)"
)

from crm_kpi.build import BuildRequest
from crm_kpi.spark_loader import ENV_SPARK_DIR, build_on_spark, read_table, spark_session

KEY = ("kpi_id", "kpi_version", "period_grain", "period_start", "breakdown", "breakdown_value")
NUMBERS = ("value", "numerator", "denominator")
OTHERS = ("is_latest_version", "unit", "is_available", "reason", "is_period_complete")
RELATIVE_TOLERANCE = 1e-9

pytestmark = pytest.mark.spark

Row = dict[str, Any]


@pytest.fixture(scope="module")
def spark_kpi_values(
    project_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[tuple, Row]]:
    work = tmp_path_factory.mktemp("spark")
    saved = os.environ.get(ENV_SPARK_DIR)
    os.environ[ENV_SPARK_DIR] = str(work / "spark")
    full = os.environ.get("CRM_SPARK_PARITY_FULL", "") == "1"
    request = BuildRequest(
        project_dir=project_dir,
        database=work / "unused.duckdb",
        select=() if full else ("+kpi_values",),
        exclude_resource_types=() if full else ("test", "unit_test"),
        target_path=work / "target",
        log_path=work / "logs",
    )
    try:
        outcome = build_on_spark(request)
        if not outcome.success:
            pytest.fail("dbt build on Spark failed:\n" + "\n\n".join(outcome.errors), False)
        rows = read_table(spark_session(project_dir), "marts.kpi_values")
        yield _keyed(rows)
    finally:
        if saved is None:
            os.environ.pop(ENV_SPARK_DIR, None)
        else:
            os.environ[ENV_SPARK_DIR] = saved


@pytest.fixture(scope="module")
def duckdb_kpi_values(warehouse: Path) -> dict[tuple, Row]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        cursor = connection.execute("select * from marts.kpi_values")
        names = [column[0] for column in cursor.description]
        return _keyed([dict(zip(names, row, strict=True)) for row in cursor.fetchall()])


def _keyed(rows: list[Row]) -> dict[tuple, Row]:
    keyed: dict[tuple, Row] = {}
    for row in rows:
        key = tuple(_normal(row[column]) for column in KEY)
        assert key not in keyed, f"duplicate key in kpi_values: {key}"
        keyed[key] = row
    return keyed


def _normal(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, Decimal):
        return float(value)
    return value


def _close(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    a, b = float(left), float(right)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=0.0)


def test_spark_builds_the_same_kpi_keys(
    duckdb_kpi_values: dict[tuple, Row], spark_kpi_values: dict[tuple, Row]
) -> None:
    assert len(duckdb_kpi_values) > 1000  # the sample has KPI rows for every grain
    only_duckdb = sorted(set(duckdb_kpi_values) - set(spark_kpi_values), key=str)
    only_spark = sorted(set(spark_kpi_values) - set(duckdb_kpi_values), key=str)
    assert not only_duckdb, f"{len(only_duckdb)} keys only on DuckDB, e.g. {only_duckdb[:5]}"
    assert not only_spark, f"{len(only_spark)} keys only on Spark, e.g. {only_spark[:5]}"


def test_spark_gives_the_same_kpi_values(
    duckdb_kpi_values: dict[tuple, Row], spark_kpi_values: dict[tuple, Row]
) -> None:
    differences = []
    for key in sorted(set(duckdb_kpi_values) & set(spark_kpi_values), key=str):
        left, right = duckdb_kpi_values[key], spark_kpi_values[key]
        for column in NUMBERS:
            if not _close(left[column], right[column]):
                differences.append((key, column, left[column], right[column]))
        for column in OTHERS:
            if _normal(left[column]) != _normal(right[column]):
                differences.append((key, column, left[column], right[column]))
    kpis = sorted({key[0] for key, *_ in differences})
    assert not differences, (
        f"{len(differences)} values differ between DuckDB and Spark (KPIs: {kpis}); "
        f"first ones: {differences[:10]}"
    )


def test_parity_comparison_detects_a_changed_value() -> None:
    assert _close(100.0, 100.0 * (1 + 1e-12))
    assert not _close(100.0, 100.0 * (1 + 1e-8))
    assert not _close(None, 0.0)
    assert _close(None, None)
    assert _close(Decimal("1.5"), 1.5)
