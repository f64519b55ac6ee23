"""A reader of the published warehouse, run as its own process by test_concurrent_readers.py.

It queries the marts in a loop, opening a NEW read-only connection for every query (like a BI
tool with a connection-per-query pool), until the stop file exists. One JSON line per query on
stdout: when it started and ended (time.time()), how it connected, the state it saw (the
kpi_values row count and checksum, the kpi_scorecard row count) or the error it got.

    python pytests/warehouse_reader.py DATABASE STOP_FILE --mode duckdb|sqlalchemy [--pause S]

`--mode sqlalchemy` connects through SQLAlchemy + duckdb-engine with `NullPool` and the URL
`duckdb:///<path>?access_mode=read_only`, as Superset does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

# One snapshot of the marts, read in one connection: the row count of kpi_values, an
# order-independent checksum of all its rows, and the row count of kpi_scorecard.
STATE_SQL = """
select
    (select count(*) from marts.kpi_values) as kpi_values_rows,
    (select sum(hash(kv))::varchar from marts.kpi_values as kv) as kpi_values_checksum,
    (select count(*) from marts.kpi_scorecard) as scorecard_rows
"""

Query = Callable[[], tuple[int, str, int]]


def duckdb_query(database: Path) -> Query:
    def run() -> tuple[int, str, int]:
        with duckdb.connect(str(database), read_only=True) as connection:
            row = connection.execute(STATE_SQL).fetchone()
        assert row is not None
        return int(row[0]), str(row[1]), int(row[2])

    return run


def sqlalchemy_query(database: Path) -> Query:
    import sqlalchemy  # only this mode needs it
    from sqlalchemy.pool import NullPool

    engine = sqlalchemy.create_engine(
        f"duckdb:///{database}?access_mode=read_only", poolclass=NullPool
    )

    def run() -> tuple[int, str, int]:
        with engine.connect() as connection:
            row = connection.execute(sqlalchemy.text(STATE_SQL)).one()
        return int(row[0]), str(row[1]), int(row[2])

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database", type=Path)
    parser.add_argument("stop_file", type=Path)
    parser.add_argument("--mode", choices=("duckdb", "sqlalchemy"), default="duckdb")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between queries")
    args = parser.parse_args()
    query = (duckdb_query if args.mode == "duckdb" else sqlalchemy_query)(args.database)
    while not args.stop_file.exists():
        started = time.time()
        record: dict[str, object] = {"mode": args.mode, "start": started}
        try:
            rows, checksum, scorecard_rows = query()
            record.update(rows=rows, checksum=checksum, scorecard_rows=scorecard_rows)
        except Exception as exc:  # every error is reported, none stops the loop
            record["error"] = f"{type(exc).__name__}: {exc}"
        record["end"] = time.time()
        print(json.dumps(record), flush=True)
        time.sleep(args.pause)
    return 0


if __name__ == "__main__":
    sys.exit(main())
