"""Large synthetic extracts (millions of rows) in bounded memory, for benchmarks.

The row-by-row generator (`crm_kpi.generator`) writes about 53,000 rows at scale 1; at tens of
millions of rows Python loops are far too slow. This module writes a large data set as N copies
("tiles") of one block written by that generator, each copy a separate company of the same
shape: every id (primary and foreign keys, visitor ids) gets the suffix `~<tile>` (tile 0 keeps
the original ids, so one tile is exactly the block), e-mail addresses get `+t<tile>` before the
`@` and phone numbers the digits of the tile, so records of two tiles never match as
duplicates. Everything else (amounts, timestamps, the go-live effect, the ~1% of dirty rows and
the duplicates within a block) is copied as it is, so the distributions and the defects per row
are those of the block at every size, and the expected quarantine counts are N times the
block's.

DuckDB does the copying (`range(N)` crossed with the block, ordered by tile and row, so the file
order is the same on every run; DuckDB sorts out of core within its memory limit), writing
Parquet or CSV directly; the block itself is ~53,000 rows. Same seed and size give the same
rows in the same order.

`append_day` writes the next extract of such a folder: the same files plus one new day of
orders, activities, usage events and tickets (copies of the last day's rows, moved one day on,
with new ids) and some existing orders and tickets updated (new status / resolution and a new
`updated_at`), the input of the incremental runs.

Usage (from the project root)::

    python -m crm_kpi.scaled --out /tmp/crm_10m --orders 10M --format parquet
    python -m crm_kpi.scaled --append-day /tmp/crm_10m --out /tmp/crm_10m_next
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crm_kpi.generator import TABLE_COLUMNS, generate

# Columns holding ids of the company's records (primary and foreign keys).
ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "owner_user_id", "legacy_id"),
    "leads": ("lead_id", "campaign_id", "owner_user_id", "converted_customer_id"),
    "opportunities": ("opportunity_id", "customer_id", "lead_id", "owner_user_id"),
    "orders": ("order_id", "customer_id", "opportunity_id"),
    "subscriptions": ("subscription_id", "customer_id", "renewed_from_subscription_id"),
    "activities": ("activity_id", "user_id", "customer_id", "lead_id", "opportunity_id"),
    "tickets": ("ticket_id", "customer_id", "assigned_user_id"),
    "survey_responses": ("response_id", "customer_id", "ticket_id"),
    "campaigns": ("campaign_id",),
    "users": ("user_id",),
    "usage_events": ("event_id", "user_id"),
    "trainings": ("user_id",),
    "sales_targets": ("user_id",),
    "crm_costs": ("cost_id",),
    "web_sessions": ("session_id", "visitor_id", "customer_id"),
}
EMAIL_COLUMNS = {"customers": ("email",), "leads": ("email",), "users": ("email",)}
PHONE_COLUMNS = {"customers": ("phone",)}
# Reference tables shared by every tile (one company calendar, one set of rates).
SHARED_TABLES = ("exchange_rates", "holidays")
# Orders in one block of the bundled generator at scale 1 (seeds/crm_sample): the unit of size.
BLOCK_SCALE = 1.0


def parse_size(text: str) -> int:
    """'0.1M' -> 100000, '10M' -> 10000000, '250k' -> 250000, '5000' -> 5000."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in ("k", "m") else text
    return round(float(number) * factor)


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _expression(table: str, column: str) -> str:
    """SQL of one column of tile `tile` (t = 0 keeps the block's value)."""
    quoted = f'"{column}"'
    if column in ID_COLUMNS.get(table, ()):
        changed = f"rtrim({quoted}) || '~' || tile"
    elif column in EMAIL_COLUMNS.get(table, ()):
        changed = f"regexp_replace({quoted}, '@', '+t' || tile || '@')"
    elif column in PHONE_COLUMNS.get(table, ()):
        changed = f"rtrim({quoted}) || lpad(cast(tile as varchar), 5, '0')"
    else:
        return quoted
    return (
        f"case when tile = 0 or {quoted} is null or trim({quoted}) = '' then {quoted} "
        f"else {changed} end as {quoted}"
    )


def _copy_options(fmt: str) -> str:
    if fmt == "parquet":
        return "(format parquet, compression zstd, row_group_size 262144)"
    return "(format csv, header true)"


def write_tiles(
    block_dir: Path, out_dir: Path, tiles: int, fmt: str, memory_limit: str = "4GB"
) -> dict[str, int]:
    """N tiles of the block's CSV files into out_dir; rows written per table."""
    import duckdb

    rows: dict[str, int] = {}
    with duckdb.connect() as connection:
        connection.execute(f"set memory_limit = {_sql_literal(memory_limit)}")
        connection.execute("set preserve_insertion_order = true")
        temp = tempfile.mkdtemp(prefix="crm_kpi_scaled_spill_")
        connection.execute(f"set temp_directory = {_sql_literal(temp)}")
        try:
            for table, columns in TABLE_COLUMNS.items():
                source = _sql_literal(str(block_dir / f"{table}.csv"))
                target = _sql_literal(str(out_dir / f"{table}.{fmt}"))
                read = (
                    f"read_csv({source}, all_varchar = true, header = true, delim = ',', "
                    "quote = '\"', escape = '\"')"
                )
                connection.execute(
                    f"create or replace temp table block as "
                    f"select *, row_number() over () as _rn from {read}"
                )
                copies = 1 if table in SHARED_TABLES else tiles
                select = ", ".join(_expression(table, column) for column in columns)
                connection.execute(
                    f"copy (select {select} from range({copies}) as tiles(tile) "
                    f"cross join block order by tile, _rn) to {target} {_copy_options(fmt)}"
                )
                rows[table] = connection.execute("select count(*) from block").fetchone()[0]
                rows[table] *= copies
        finally:
            shutil.rmtree(temp, ignore_errors=True)
    return rows


def generate_scaled(
    out_dir: Path, orders: int, seed: int = 42, fmt: str = "parquet", memory_limit: str = "4GB"
) -> dict[str, Any]:
    """Extracts with about `orders` orders (whole tiles of the scale-1 block, rounded up)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crm_kpi_block_") as tmp:
        block = Path(tmp)
        summary = generate(block, seed=seed, scale=BLOCK_SCALE, fmt="csv")
        block_orders = summary["rows"]["orders"]
        tiles = max(1, math.ceil(orders / block_orders))
        rows = write_tiles(block, out_dir, tiles, fmt, memory_limit)
        defects = json.loads((block / "_defects.json").read_text(encoding="utf-8"))
    other = "csv" if fmt == "parquet" else "parquet"
    for table in TABLE_COLUMNS:
        (out_dir / f"{table}.{other}").unlink(missing_ok=True)
    quarantined = {t: n * (1 if t in SHARED_TABLES else tiles) for t, n in
                   summary["expected_quarantined"].items()}  # fmt: skip
    result = {
        "out_dir": str(out_dir),
        "seed": seed,
        "format": fmt,
        "tiles": tiles,
        "block_rows": summary["rows"],
        "rows": rows,
        "total_rows": sum(rows.values()),
        "expected_quarantined": quarantined,
        "block_defects": len(defects),
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out_dir / "_scaled.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


# --------------------------------------------------------------------------------------------
# The next day's extract: new rows and updated rows
# --------------------------------------------------------------------------------------------

PLAIN_TS = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"
# Tables that get a new day: (timestamp columns moved one day on, the column placing a row on
# its day, the key)
NEW_DAY = {
    "orders": (("ordered_at", "fulfilled_at", "updated_at"), "ordered_at", "order_id"),
    "activities": (("occurred_at", "due_at"), "occurred_at", "activity_id"),
    "usage_events": (("occurred_at",), "occurred_at", "event_id"),
    "tickets": (
        ("created_at", "first_response_at", "resolved_at", "updated_at"), "created_at", "ticket_id"
    ),
}  # fmt: skip


def _file(folder: Path, table: str) -> Path:
    for ext in ("parquet", "csv"):
        path = folder / f"{table}.{ext}"
        if path.exists():
            return path
    raise FileNotFoundError(f"no {table}.csv or {table}.parquet in {folder}")


def _reader(path: Path) -> str:
    if path.suffix == ".parquet":
        return f"read_parquet({_sql_literal(str(path))})"
    return (
        f"read_csv({_sql_literal(str(path))}, all_varchar = true, header = true, delim = ',', "
        "quote = '\"', escape = '\"')"
    )


def _shifted(column: str, timestamps: Sequence[str]) -> str:
    if column not in timestamps:
        return f'"{column}"'
    return (
        f'case when "{column}" is null or trim("{column}") = \'\' then "{column}" '
        f"else strftime(try_cast(\"{column}\" as timestamp) + interval 1 day, '%Y-%m-%dT%H:%M:%S') "
        f'end as "{column}"'
    )


def _updated(table: str, column: str, day_sql: str) -> str | None:
    """The new value of an updated row's column (None: unchanged)."""
    if table == "orders":
        return {
            "status": "'cancelled'",
            "updated_at": f"strftime({day_sql} + interval 9 hour, '%Y-%m-%dT%H:%M:%S')",
        }.get(column)
    if table == "tickets":
        return {
            "status": "'closed'",
            "resolution": "'solved'",
            "first_response_at": f"coalesce(first_response_at, strftime({day_sql} + interval 8 "
            "hour, '%Y-%m-%dT%H:%M:%S'))",
            "resolved_at": f"strftime({day_sql} + interval 10 hour, '%Y-%m-%dT%H:%M:%S')",
            "updated_at": f"strftime({day_sql} + interval 10 hour, '%Y-%m-%dT%H:%M:%S')",
        }.get(column)
    return None


def append_day(source_dir: Path, out_dir: Path, update_share: float = 0.2) -> dict[str, Any]:
    """Copy of the extracts in source_dir plus one new day (see the module docstring)."""
    import duckdb

    source_dir, out_dir = Path(source_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"new_rows": {}, "updated_rows": {}}
    with duckdb.connect() as connection:
        connection.execute("set preserve_insertion_order = true")
        last = connection.execute(
            "select max(try_cast(ordered_at as timestamp)) from "
            + _reader(_file(source_dir, "orders"))
        ).fetchone()[0]
        last_day = last.date()
        day_sql = f"(date '{last_day}' + interval 1 day)"
        summary["new_day"] = str(last_day.fromordinal(last_day.toordinal() + 1))
        for table, columns in TABLE_COLUMNS.items():
            path = _file(source_dir, table)
            target = out_dir / path.name
            if table not in NEW_DAY:
                shutil.copyfile(path, target)
                continue
            timestamps, day_column, key = NEW_DAY[table]
            plain = " and ".join(
                f'("{c}" is null or trim("{c}") = \'\' or regexp_matches("{c}", \'{PLAIN_TS}\'))'
                for c in timestamps
            )
            on_last_day = (
                f"{plain} and cast(try_cast({day_column} as timestamp) as date) = date '{last_day}'"
            )
            # rows of the last 3 days whose key hash falls in the share are updated
            recent = (
                f"{plain} and try_cast({day_column} as timestamp) "
                f">= date '{last_day}' - interval 2 day "
                f"and hash({key}) % 1000 < {int(update_share * 1000)}"
            )
            existing = ", ".join(
                (
                    f'case when {recent} then {_updated(table, c, day_sql)} else "{c}" end as "{c}"'
                    if _updated(table, c, day_sql)
                    else f'"{c}"'
                )
                for c in columns
            )
            new = ", ".join(
                f'rtrim("{c}") || \'~n\' as "{c}"' if c == key else _shifted(c, timestamps)
                for c in columns
            )
            src = _reader(path)
            options = (
                "(format parquet, compression zstd)"
                if path.suffix == ".parquet"
                else "(format csv, header true)"
            )
            connection.execute(
                f"copy (select {existing} from {src} union all "
                f"select {new} from {src} where {on_last_day}) "
                f"to {_sql_literal(str(target))} {options}"
            )
            summary["new_rows"][table] = connection.execute(
                f"select count(*) from {src} where {on_last_day}"
            ).fetchone()[0]
            if table in ("orders", "tickets"):
                summary["updated_rows"][table] = connection.execute(
                    f"select count(*) from {src} where {recent}"
                ).fetchone()[0]
    return summary


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crm_kpi.scaled",
        description="Write large synthetic CRM extracts (tiles of the sample generator's block), "
        "or the next day's extracts of such a folder.",
    )
    parser.add_argument("--out", required=True, type=Path, help="folder to write the files to")
    parser.add_argument("--orders", default="100k", help="about this many orders: 100k, 1M, 10M")
    parser.add_argument("--seed", type=int, default=42, help="random seed of the block")
    parser.add_argument("--format", choices=("csv", "parquet"), default="parquet")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory limit")
    parser.add_argument(
        "--append-day", type=Path, metavar="FOLDER",
        help="instead: copy FOLDER's extracts to --out with one new day and updated rows",
    )  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.append_day:
        summary = append_day(args.append_day, args.out)
    else:
        summary = generate_scaled(
            args.out, parse_size(args.orders), args.seed, args.format, args.memory_limit
        )
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
