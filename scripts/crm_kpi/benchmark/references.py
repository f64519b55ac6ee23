"""The two reference points of the benchmark and the check that they equal the project.

* `run_sql`: reference.sql, the hand-written DuckDB script (the lower bound, no dbt);
* `run_pandas`: pandas_reference.compute (the notebook);
* `compare`: a reference's rows against the project's kpi_values for the same KPI versions:
  the same rows (every grain, period and breakdown), nulls in the same places, values, numerators
  and denominators equal within a relative 1e-9 (the project's sums are exact decimals, the
  references' are floats: the last bits of a double may differ, nothing more).

Each function can run as a child process: `python -m crm_kpi.benchmark.references sql|pandas
<extracts> <as_of_date> <out.parquet>` writes the rows, so the benchmark times and measures it;
`... compare <project.duckdb> <reference.parquet> <out.json>` writes the check, so the benchmark
itself never holds millions of KPI rows while it measures the next steps.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from string import Template

import duckdb
import numpy as np
import pandas as pd

SUBSET = (
    ("revenue", 1), ("win_rate", 1), ("average_deal_size", 1), ("sales_cycle_days", 1),
    ("lead_conversion_rate", 1), ("first_response_hours", 1), ("resolution_hours", 1),
    ("churn_rate", 1), ("active_user_rate", 1), ("nps", 1),
)  # fmt: skip
KEYS = ["kpi_id", "kpi_version", "period_grain", "period_start", "breakdown", "breakdown_value"]
VALUES = ["value", "numerator", "denominator"]
FLAGS = ["is_available", "is_period_complete"]
TABLES = (
    "exchange_rates", "users", "customers", "orders", "opportunities", "leads", "tickets",
    "survey_responses", "subscriptions", "usage_events", "activities",
)  # fmt: skip
SQL_PATH = Path(__file__).with_name("reference.sql")


def _reader(folder: Path, table: str) -> str:
    parquet, csv = folder / f"{table}.parquet", folder / f"{table}.csv"
    if csv.exists():
        return f"read_csv('{csv}', header = true, all_varchar = true, auto_detect = true, skip = 0)"
    return f"read_parquet('{parquet}')"


def sql_script(folder: Path, as_of_date: dt.date, churn_days: int = 90) -> str:
    values = {table: _reader(Path(folder), table) for table in TABLES}
    values.update(as_of_date=as_of_date.isoformat(), churn_days=str(int(churn_days)))
    return Template(SQL_PATH.read_text(encoding="utf-8")).substitute(values)


def run_sql(
    folder: Path, as_of_date: dt.date, memory_limit: str | None = None, threads: int | None = None
) -> pd.DataFrame:
    """The lower bound, with the project's DuckDB settings (the limit and threads the benchmark
    gives the project through CRM_DUCKDB_MEMORY_LIMIT / CRM_DUCKDB_THREADS)."""
    memory_limit = memory_limit or os.environ.get("CRM_DUCKDB_MEMORY_LIMIT", "6GB")
    threads = threads or int(os.environ.get("CRM_DUCKDB_THREADS", "2"))
    with duckdb.connect() as connection:
        connection.execute(f"set memory_limit = '{memory_limit}'")
        connection.execute(f"set threads = {int(threads)}")
        connection.execute("set preserve_insertion_order = true")
        connection.execute("set enable_progress_bar = false")
        connection.execute(sql_script(folder, as_of_date))
        return connection.sql("select * from reference_kpis").df()


def run_pandas(folder: Path, as_of_date: dt.date) -> pd.DataFrame:
    from crm_kpi.benchmark.pandas_reference import compute

    return compute(Path(folder), as_of_date)


def project_values(database: Path) -> pd.DataFrame:
    """The subset's rows of kpi_values: the KPI models' rows without the scorecard windows
    (what kpi_values unions; read from the models so a `--select +<KPIs>` build has them)."""
    columns = ", ".join(KEYS + VALUES + FLAGS)
    parts = " union all ".join(
        f"select {columns} from marts.kpi_{k}_v{v} where substr(period_grain, 1, 7) <> 'window_'"
        for k, v in SUBSET
    )
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql(parts).df()


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[KEYS + VALUES + FLAGS].copy()
    frame["kpi_version"] = frame["kpi_version"].astype(int)
    frame["period_start"] = (
        pd.to_datetime(frame["period_start"]).dt.normalize().astype("datetime64[ns]")
    )
    frame["breakdown_value"] = (
        frame["breakdown_value"].astype(object).where(frame["breakdown_value"].notna(), "")
    )
    for column in VALUES:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in FLAGS:
        frame[column] = frame[column].astype(bool)
    return frame


def compare(expected: pd.DataFrame, actual: pd.DataFrame, rtol: float = 1e-9) -> dict:
    """Rows of kpi_values (expected) against a reference's (actual)."""
    left, right = _normalise(expected), _normalise(actual)
    duplicated = int(right.duplicated(KEYS).sum())
    merged = left.merge(right, on=KEYS, how="outer", suffixes=("_p", "_r"), indicator=True)
    missing = int((merged["_merge"] == "left_only").sum())
    extra = int((merged["_merge"] == "right_only").sum())
    both = merged[merged["_merge"] == "both"]
    differing = pd.Series(False, index=both.index)
    for column in VALUES:
        p, r = both[f"{column}_p"], both[f"{column}_r"]
        close = np.isclose(p, r, rtol=rtol, atol=1e-12) | (p.isna() & r.isna())
        differing |= ~close
    for column in FLAGS:
        differing |= both[f"{column}_p"] != both[f"{column}_r"]
    examples = both[differing].head(5)[KEYS + [f"{c}_{s}" for c in VALUES for s in "pr"]]
    return {
        "rows_project": len(left),
        "rows_reference": len(right),
        "missing": missing,
        "extra": extra,
        "duplicated": duplicated,
        "differing": int(differing.sum()),
        "equal": missing == 0 and extra == 0 and duplicated == 0 and not differing.any(),
        "examples": examples.astype(str).to_dict("records"),
        "missing_examples": merged[merged["_merge"] == "left_only"]
        .head(3)[KEYS]
        .astype(str)
        .to_dict("records"),
        "extra_examples": merged[merged["_merge"] == "right_only"]
        .head(3)[KEYS]
        .astype(str)
        .to_dict("records"),
    }


def main(argv: list[str]) -> int:
    if argv[0] == "compare":
        _, database, reference, report = argv
        actual = duckdb.sql(f"select * from read_parquet('{reference}')").df()
        check = compare(project_values(Path(database)), actual)
        Path(report).write_text(json.dumps(check, indent=1) + "\n", encoding="utf-8")
        return 0
    kind, folder, as_of, out = argv
    as_of_date = dt.date.fromisoformat(as_of)
    frame = (
        run_sql(Path(folder), as_of_date) if kind == "sql" else run_pandas(Path(folder), as_of_date)
    )
    with duckdb.connect() as connection:
        connection.register("frame", frame)
        connection.execute(f"copy frame to '{out}' (format parquet)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
