"""Reading the built DuckDB warehouse (read-only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

ROW_COUNTS_SCHEMA = "staging"
ROW_COUNTS_MODEL = "stg_crm__row_counts"
ROW_COUNT_COLUMNS = ("table_name", "raw_rows", "staged_rows", "quarantined_rows", "duplicate_rows")


class WarehouseError(RuntimeError):
    """The warehouse file cannot be read (missing, locked, not built yet)."""


@contextmanager
def open_read_only(database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the DuckDB file read-only, with a message that says what to do when it fails."""
    if not database.is_file():
        raise WarehouseError(
            f"Database {database} does not exist. Build it first: crm-kpi build "
            f"(or pass --database / set CRM_DUCKDB_PATH to the file you built)."
        )
    try:
        connection = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(
            f"Cannot open {database} read-only: {exc}. "
            "Is another process (a dbt run, a notebook) writing to it?"
        ) from exc
    try:
        yield connection
    finally:
        connection.close()


def relation_exists(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """True when a table or view `schema.name` exists in the open database."""
    found = connection.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = ? and table_catalog = current_database()",
        [schema, name],
    ).fetchone()
    return bool(found and found[0])


@dataclass(frozen=True)
class TableRowCounts:
    """One row of staging.stg_crm__row_counts."""

    table_name: str
    raw_rows: int | None
    staged_rows: int | None
    quarantined_rows: int | None
    duplicate_rows: int | None

    @property
    def reconciles(self) -> bool:
        """Every raw row is either staged or quarantined (a null count never reconciles)."""
        if self.raw_rows is None or self.staged_rows is None or self.quarantined_rows is None:
            return False
        return self.raw_rows == self.staged_rows + self.quarantined_rows


def read_row_counts(connection: duckdb.DuckDBPyConnection) -> list[TableRowCounts] | None:
    """The per-table row counts, or None when the model has not been built."""
    if not relation_exists(connection, ROW_COUNTS_SCHEMA, ROW_COUNTS_MODEL):
        return None
    columns = ", ".join(ROW_COUNT_COLUMNS)
    rows = connection.execute(
        f"select {columns} from {ROW_COUNTS_SCHEMA}.{ROW_COUNTS_MODEL} order by table_name"
    ).fetchall()
    return [TableRowCounts(str(row[0]), *(_as_int(value) for value in row[1:])) for row in rows]


def _as_int(value: Any) -> int | None:
    return None if value is None else int(value)
