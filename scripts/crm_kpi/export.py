"""`crm-kpi export`: the marts as Parquet files, for tools that read files rather than DuckDB.

Layout of the output folder:

    <out>/marts/<table>.parquet            one file per table of the `marts` schema
    <out>/kpi_values_by_kpi/kpi_id=<id>/   kpi_values again, hive-partitioned by kpi_id
                                           (read with `read_parquet('.../**/*.parquet',
                                           hive_partitioning = true)`)

The warehouse is opened read-only; only the output folder is written.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from crm_kpi.warehouse import open_read_only

MARTS_SCHEMA = "marts"
PARTITIONED_TABLE = "kpi_values"
PARTITION_COLUMN = "kpi_id"
MARTS_FOLDER = "marts"
PARTITIONED_FOLDER = "kpi_values_by_kpi"


@dataclass(frozen=True)
class ExportedFile:
    """One written Parquet file (or partitioned folder) and how many rows it holds."""

    table: str
    path: Path
    rows: int


@dataclass(frozen=True)
class ExportResult:
    out_dir: Path
    files: list[ExportedFile]
    partitioned: ExportedFile
    partitions: int


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def mart_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables and views of the marts schema, sorted by name."""
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_catalog = current_database() order by table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [str(row[0]) for row in rows]


def _count(connection: duckdb.DuckDBPyConnection, table: str) -> int:
    found = connection.execute(
        f"select count(*) from {MARTS_SCHEMA}.{_identifier(table)}"
    ).fetchone()
    return int(found[0]) if found else 0


def export_marts(database: Path, out_dir: Path) -> ExportResult:
    """Write every mart as Parquet, plus kpi_values partitioned by kpi_id.

    Existing files of the same name are replaced; the partitioned folder is rewritten whole
    (so a KPI removed from the warehouse does not linger in it).
    """
    marts_dir = out_dir / MARTS_FOLDER
    partitioned_dir = out_dir / PARTITIONED_FOLDER
    marts_dir.mkdir(parents=True, exist_ok=True)
    files: list[ExportedFile] = []
    with open_read_only(database) as connection:
        tables = mart_tables(connection)
        for table in tables:
            target = marts_dir / f"{table}.parquet"
            connection.execute(
                f"copy (select * from {MARTS_SCHEMA}.{_identifier(table)}) "
                f"to {_sql_string(str(target))} (format parquet, compression zstd)"
            )
            files.append(ExportedFile(table, target, _count(connection, table)))
        if partitioned_dir.exists():
            shutil.rmtree(partitioned_dir)
        connection.execute(
            f"copy (select * from {MARTS_SCHEMA}.{PARTITIONED_TABLE}) "
            f"to {_sql_string(str(partitioned_dir))} "
            f"(format parquet, compression zstd, partition_by ({PARTITION_COLUMN}))"
        )
        partitions = connection.execute(
            f"select count(distinct {PARTITION_COLUMN}) from {MARTS_SCHEMA}.{PARTITIONED_TABLE}"
        ).fetchone()
        partitioned = ExportedFile(
            PARTITIONED_TABLE, partitioned_dir, _count(connection, PARTITIONED_TABLE)
        )
    return ExportResult(
        out_dir=out_dir,
        files=files,
        partitioned=partitioned,
        partitions=int(partitions[0]) if partitions else 0,
    )
