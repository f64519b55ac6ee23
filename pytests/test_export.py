"""`crm-kpi export`: every mart as Parquet, kpi_values also partitioned by kpi_id."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from crm_kpi.cli import main
from crm_kpi.export import MARTS_FOLDER, PARTITIONED_FOLDER


@pytest.fixture(scope="module")
def export_dir(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    assert main(["export", "--database", str(warehouse), "--out", str(out)]) == 0
    return out


def _marts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        return {
            table: connection.execute(f'select count(*) from marts."{table}"').fetchone()[0]
            for table in tables
        }


def test_one_parquet_file_per_mart_with_the_same_rows(warehouse: Path, export_dir: Path) -> None:
    marts = _marts(warehouse)
    assert {"kpi_values", "kpi_catalog", "kpi_scorecard"} <= set(marts)
    files = {path.stem: path for path in (export_dir / MARTS_FOLDER).glob("*.parquet")}
    assert set(files) == set(marts)
    with duckdb.connect() as connection:
        for table, rows in marts.items():
            found = connection.execute(
                "select count(*) from read_parquet(?)", [str(files[table])]
            ).fetchone()[0]
            assert found == rows, table


def test_kpi_values_partitioned_by_kpi_id(warehouse: Path, export_dir: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        kpi_ids = {
            row[0]
            for row in connection.execute("select distinct kpi_id from marts.kpi_values").fetchall()
        }
        rows = connection.execute("select count(*) from marts.kpi_values").fetchone()[0]
    folder = export_dir / PARTITIONED_FOLDER
    partitions = {path.name.removeprefix("kpi_id=") for path in folder.iterdir() if path.is_dir()}
    assert partitions == kpi_ids
    with duckdb.connect() as connection:
        found = connection.execute(
            "select count(*), count(distinct kpi_id) "
            "from read_parquet(?, hive_partitioning = true)",
            [str(folder / "**" / "*.parquet")],
        ).fetchone()
    assert found == (rows, len(kpi_ids))


def test_export_leaves_the_warehouse_unchanged(warehouse: Path, export_dir: Path) -> None:
    # the export ran read-only: the warehouse can still be opened read-only (no lock held)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from marts.kpi_catalog").fetchone()[0] > 0


def test_export_of_a_missing_warehouse_is_a_usage_error(tmp_path: Path) -> None:
    code = main(["export", "--database", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path)])
    assert code == 2
