"""Property tests (hypothesis) on generated extracts (issue 5, item 6).

Each example starts from a tiny generated extracts folder and changes random cells to random
valid or invalid values drawn from the contract (models/staging/crm/_crm__sources.yml: logical
type, accepted values), drops random rows, and sometimes drops a column (a required one makes
the build fail). It then builds staging and a few KPI models (models only) and asserts:

* no unhandled exception: the build succeeds, or fails with a message naming the file;
* reconciliation: raw rows = staged rows + quarantined rows for every table;
* every KPI value lies within the catalog's value_min / value_max
  (seeds/reference/kpi_definitions.csv), e.g. ratios within [0, 1];
* counts are non-negative (row counts, KPI denominators).

dbt builds are slow (each example is a build), so the examples are few, the run is
derandomized (the same examples in every CI run, so no flakiness) and shrinking is off:
8 examples of about 10 s each (64 dbt nodes).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from crm_kpi.build import BuildOutcome, BuildRequest
from crm_kpi.project import find_project_dir
from crm_kpi.warehouse import read_row_counts
from dbt_manifests import MANIFESTS, build_without_artifacts

KPI_MODELS = ("kpi_win_rate_v1", "kpi_revenue_v1", "kpi_nps_v1", "kpi_churn_rate_v1")
SELECT = (*(f"+{model}" for model in KPI_MODELS), "+stg_crm__row_counts")
# the tables the selected KPIs read (mutations elsewhere would not be looked at)
MUTATED_TABLES = (
    "customers",
    "opportunities",
    "orders",
    "subscriptions",
    "survey_responses",
    "exchange_rates",
)
PROJECT_DIR = find_project_dir()


@dataclass(frozen=True)
class Column:
    name: str
    logical_type: str
    required: bool
    accepted_values: tuple[str, ...]


def _contract() -> dict[str, list[Column]]:
    source = yaml.safe_load(
        (PROJECT_DIR / "models" / "staging" / "crm" / "_crm__sources.yml").read_text()
    )
    tables: dict[str, list[Column]] = {}
    for table in source["sources"][0]["tables"]:
        columns = []
        for column in table["columns"]:
            meta = column.get("meta") or {}
            columns.append(
                Column(
                    name=column["name"],
                    logical_type=str(meta.get("logical_type", "text")),
                    required=bool(meta.get("required", False)),
                    accepted_values=tuple(str(v) for v in meta.get("accepted_values") or ()),
                )
            )
        tables[table["name"]] = columns
    return tables


CONTRACT = _contract()


def _catalog_ranges() -> dict[str, tuple[float | None, float | None]]:
    path = PROJECT_DIR / "seeds" / "reference" / "kpi_definitions.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    def bound(text: str | None) -> float | None:
        return float(text) if text not in (None, "") else None

    return {row["kpi_id"]: (bound(row["value_min"]), bound(row["value_max"])) for row in rows}


# --- value strategies, by logical type ------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "",
        "   ",
        "O'Brien; DROP TABLE customers; --",
        'say "hi", then leave',
        "line one\nline two",
        "شركة الأمل",
        "شرکت نمونه",
        "Київ Продаж",
        "null",
        "NaN",
    ]
)
TIMESTAMPS_VALID = st.datetimes(
    min_value=dt.datetime(2022, 1, 1),
    max_value=dt.datetime(2025, 12, 31),
).map(lambda moment: moment.replace(microsecond=0).isoformat())
TIMESTAMPS_INVALID = st.sampled_from(
    ["yesterday", "2024-13-45", "1899-12-31", "2150-01-01T00:00:00", "31/12/2024", "2024-02-30"]
)
DATES_VALID = st.dates(
    min_value=dt.date(2022, 1, 1),
    max_value=dt.date(2025, 12, 31),
).map(lambda day: day.isoformat())
NUMBERS_VALID = st.decimals(min_value=0, max_value=1_000_000, places=2).map(str)
NUMBERS_INVALID = st.sampled_from(["-5", "NaN", "inf", "1e400", "abc", "1,000.50", "-0.01"])


def value_for(column: Column) -> st.SearchStrategy[str]:
    kind = column.logical_type
    if kind == "enum" and column.accepted_values:
        valid = st.sampled_from(column.accepted_values)
        odd_case = valid.map(lambda value: f"  {value.upper()} ")
        return st.one_of(valid, odd_case, st.sampled_from(["bogus", "", "Closed Won!"]))
    if kind == "timestamp":
        return st.one_of(TIMESTAMPS_VALID, TIMESTAMPS_VALID.map(lambda t: t + "+02:00"),
                         TIMESTAMPS_INVALID, st.just(""))  # fmt: skip
    if kind == "date":
        return st.one_of(DATES_VALID, TIMESTAMPS_INVALID, st.just(""))
    if kind in ("money", "number"):
        return st.one_of(NUMBERS_VALID, NUMBERS_INVALID, st.just(""))
    if kind == "integer":
        return st.one_of(st.integers(-20, 20).map(str), st.sampled_from(["1.5", "x", ""]))
    if kind == "boolean":
        return st.sampled_from(["true", "FALSE", "1", "0", "yes", "maybe", ""])
    if kind == "currency":
        return st.sampled_from(["USD", "eur", " GBP ", "XXX", ""])
    return ODD_TEXT


@dataclass(frozen=True)
class Changes:
    """What an example does to the extracts."""

    cells: list[tuple[str, int, str, str]]  # (table, row index, column, new value)
    dropped_rows: list[tuple[str, int]]  # (table, row index)
    dropped_column: tuple[str, str] | None  # (table, column)


@st.composite
def mutations(draw: st.DrawFn) -> Changes:
    """Cell changes, dropped rows and maybe a dropped column, as plain data."""
    cells = []
    for _ in range(draw(st.integers(1, 25))):
        table = draw(st.sampled_from(MUTATED_TABLES))
        column = draw(st.sampled_from(CONTRACT[table]))
        cells.append((table, draw(st.integers(0, 10_000)), column.name, draw(value_for(column))))
    dropped_rows = draw(
        st.lists(st.tuples(st.sampled_from(MUTATED_TABLES), st.integers(0, 10_000)), max_size=5)
    )
    dropped_column = draw(
        st.one_of(
            st.none(),
            st.sampled_from(
                [(table, column.name) for table in MUTATED_TABLES for column in CONTRACT[table]]
            ),
        )
    )
    return Changes(cells, dropped_rows, dropped_column)


def apply_mutations(source: Path, target: Path, changes: Changes) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    for table in MUTATED_TABLES:
        path = target / f"{table}.csv"
        if not path.exists():
            continue
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fieldnames = list(reader.fieldnames or [])
            rows = list(reader)
        for cell_table, index, column, value in changes.cells:
            if cell_table == table and rows and column in fieldnames:
                rows[index % len(rows)][column] = value
        for row_table, index in changes.dropped_rows:
            if row_table == table and rows:
                rows.pop(index % len(rows))
        dropped = changes.dropped_column
        if dropped is not None and dropped[0] == table and dropped[1] in fieldnames:
            fieldnames.remove(dropped[1])
            for row in rows:
                row.pop(dropped[1], None)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def _expected_failure(changes: Changes) -> str | None:
    """The file a build must name when it fails: a dropped required column's table."""
    if changes.dropped_column is None:
        return None
    table, column = changes.dropped_column
    required = {c.name for c in CONTRACT[table] if c.required}
    return f"{table}.csv" if column in required else None


@pytest.fixture(scope="module")
def tiny_extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny_extracts")
    subprocess.run(
        [sys.executable, "-m", "crm_kpi.generator", "--out", str(folder), "--scale", "0.03"],
        check=True,
        capture_output=True,
    )
    return folder


def _build(extracts: Path, database: Path, work_dir: Path) -> BuildOutcome:
    if database.exists():
        database.unlink()
    request = BuildRequest(
        project_dir=PROJECT_DIR,
        database=database,
        extracts_dir=extracts,
        select=SELECT,
        exclude_resource_types=("test",),
        target_path=work_dir / "target",
        log_path=work_dir / "logs",
        manifests=MANIFESTS,
    )
    return build_without_artifacts(request)


def _check_warehouse(database: Path) -> None:
    ranges = _catalog_ranges()
    with duckdb.connect(str(database), read_only=True) as connection:
        counts = read_row_counts(connection)
        assert counts, "stg_crm__row_counts is empty"
        for table in counts:
            for value in (table.raw_rows, table.staged_rows, table.quarantined_rows):
                assert value is not None and value >= 0, table
            assert table.reconciles, f"raw != staged + quarantined: {table}"
        for model in KPI_MODELS:
            rows = connection.execute(
                f"select kpi_id, value, denominator, period_grain, breakdown "
                f"from marts.{model} where is_available"
            ).fetchall()
            for kpi_id, value, denominator, grain, breakdown in rows:
                where = f"{model} {grain} {breakdown}: value={value}"
                if denominator is not None:
                    assert denominator >= 0, where
                if value is None:
                    continue
                assert math.isfinite(value), where
                low, high = ranges[kpi_id]
                if low is not None:
                    assert value >= low - 1e-9, where
                if high is not None:
                    assert value <= high + 1e-9, where


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,  # no .hypothesis/ folder in the project
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=(HealthCheck.function_scoped_fixture, HealthCheck.too_slow),
)
@given(changes=mutations())
def test_random_extracts_build_or_fail_cleanly(
    changes: Changes, tiny_extracts: Path, dbt_work_dir: Path, tmp_path: Path
) -> None:
    extracts = tmp_path / "mutated"
    apply_mutations(tiny_extracts, extracts, changes)
    outcome = _build(extracts, tmp_path / "prop.duckdb", dbt_work_dir)
    must_name = _expected_failure(changes)
    if must_name is not None:
        assert not outcome.success, f"dropping a required column should fail: {changes}"
        assert any(must_name in error for error in outcome.errors), outcome.errors
        return
    if not outcome.success:  # allowed, when the message says which file is wrong
        named = [e for e in outcome.errors if any(f"{t}.csv" in e for t in CONTRACT)]
        assert named, f"build failed without naming a file: {outcome.errors[:3]}\n{changes}"
        return
    _check_warehouse(tmp_path / "prop.duckdb")
