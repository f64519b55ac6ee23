"""The warehouse foundation on the bundled sample and on folders of extracts.

Every expected outcome is written here, not inferred from what the build did: the reason each
dirty row must be quarantined with comes from the generator's manifest (`_defects.json`).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

CONTRACT_TABLES = {
    "customers", "leads", "opportunities", "orders", "subscriptions", "activities", "tickets",
    "survey_responses", "campaigns", "users", "usage_events", "trainings", "sales_targets",
    "crm_costs", "web_sessions", "exchange_rates", "holidays",
}  # fmt: skip


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def row_counts(database: Path) -> dict[str, tuple[int, int, int]]:
    rows = query(
        database,
        "select table_name, raw_rows, staged_rows, quarantined_rows "
        "from staging.stg_crm__row_counts",
    )
    return {table: (raw, staged, quarantined) for table, raw, staged, quarantined in rows}


@pytest.fixture(scope="module")
def defects(sample_seed_dir: Path) -> list[dict]:
    return json.loads((sample_seed_dir / "_defects.json").read_text(encoding="utf-8"))


def test_every_table_reconciles(warehouse: Path) -> None:
    counts = row_counts(warehouse)
    assert set(counts) == CONTRACT_TABLES
    for table, (raw, staged, quarantined) in counts.items():
        assert raw > 0, f"{table}: the sample has rows in every table"
        assert raw == staged + quarantined, f"{table}: {raw} != {staged} + {quarantined}"


def test_raw_rows_match_the_files(warehouse: Path, sample_seed_dir: Path) -> None:
    counts = row_counts(warehouse)
    for table in CONTRACT_TABLES:
        with (sample_seed_dir / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            data_rows = sum(1 for _ in csv.reader(handle)) - 1
        assert counts[table][0] == data_rows, table


def test_each_dirty_row_is_quarantined_with_its_reason(
    warehouse: Path, defects: list[dict]
) -> None:
    expected = {
        f"{d['table']}:{d['row_number']}": d["expected_reason"]
        for d in defects
        if d["expected_reason"] is not None
    }
    quarantined = dict(
        query(
            warehouse,
            "select quarantined_row_id, reasons from staging.stg_crm__quarantined_rows",
        )
    )
    missing = {row: reason for row, reason in expected.items() if row not in quarantined}
    assert not missing, f"dirty rows that were staged: {list(missing.items())[:5]}"
    wrong = {
        row: (reason, quarantined[row])
        for row, reason in expected.items()
        if reason not in quarantined[row].split("; ")
    }
    assert not wrong, f"quarantined for another reason: {list(wrong.items())[:5]}"
    unexpected = set(quarantined) - set(expected)
    assert not unexpected, f"clean rows quarantined: {sorted(unexpected)[:5]}"


def test_every_quarantine_kind_is_exercised(defects: list[dict]) -> None:
    kinds = Counter(
        d["expected_reason"].split(":")[0] for d in defects if d["expected_reason"] is not None
    )
    for kind in (
        "missing", "unparseable", "unknown_value", "out_of_range", "duplicate_superseded",
        "no_exchange_rate", "closed_at_before_created_at", "resolved_at_before_created_at",
    ):  # fmt: skip
        assert kinds[kind] >= 3, kind


def test_quarantine_keeps_the_original_row(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select table_name, raw_row from staging.stg_crm__quarantined_rows "
        "where table_name = 'orders' limit 5",
    )
    assert rows
    for _, raw_row in rows:
        original = json.loads(raw_row)
        assert {"order_id", "customer_id", "amount", "status"} <= set(original)


def test_kept_problems_are_staged_and_flagged(warehouse: Path, defects: list[dict]) -> None:
    bad_emails = [d for d in defects if d["kind"] == "kept_invalid_email"]
    assert bad_emails
    for defect in bad_emails:
        table, key_column = defect["table"], f"{defect['table'].rstrip('s')}_id"
        flags = query(
            warehouse,
            f"select is_email_valid from staging.stg_crm__{table} "
            f"where {key_column} = '{defect['key']}'",
        )
        assert flags == [(False,)], defect
    orphans = query(
        warehouse,
        "select count(*) from marts.fct_orders where not has_known_customer",
    )[0][0]
    assert orphans > 0, "orders of customers missing from the export are kept and flagged"


def test_csv_and_parquet_folders_stage_like_the_seeds(
    warehouse: Path, sample_extracts, build_extracts
) -> None:
    seeded = row_counts(warehouse)
    for fmt in ("csv", "parquet"):
        outcome = build_extracts(sample_extracts(fmt), select=["staging"])
        assert outcome.success, outcome.errors
        assert row_counts(outcome.request.database) == seeded, fmt


def test_missing_required_column_names_file_and_column(sample_extracts, build_extracts) -> None:
    folder = sample_extracts("csv")
    path = folder / "customers.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    keep = [i for i, name in enumerate(rows[0]) if name.strip().lower() != "created_at"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[row[i] for i in keep] for row in rows])
    outcome = build_extracts(folder, select=["base_crm__customers"])
    assert not outcome.success
    message = "\n".join(outcome.errors)
    assert "customers.csv" in message and "'created_at'" in message, message


def test_missing_required_file_is_named(sample_extracts, build_extracts) -> None:
    folder = sample_extracts("csv")
    (folder / "tickets.csv").unlink()
    outcome = build_extracts(folder, select=["base_crm__tickets"])
    assert not outcome.success
    message = "\n".join(outcome.errors)
    assert "Required extract 'tickets' not found" in message, message


def test_absent_optional_extract_builds_and_reports_not_available(
    sample_extracts, build_extracts
) -> None:
    folder = sample_extracts("csv")
    (folder / "subscriptions.csv").unlink()
    outcome = build_extracts(folder, select=["+kpi_renewal_rate", "+kpi_churn_rate"])
    assert outcome.success, outcome.errors
    database = outcome.request.database
    assert row_counts(database)["subscriptions"] == (0, 0, 0)
    renewal = query(
        database,
        "select distinct is_available, reason, value from marts.kpi_renewal_rate_v1 "
        "where breakdown = 'overall'",
    )
    assert renewal == [(False, "the subscriptions extract is absent or empty", None)]
    churn = query(
        database,
        "select count(*) from marts.kpi_churn_rate_v1 "
        "where breakdown = 'overall' and is_available and value is not null",
    )[0][0]
    assert churn > 0, "churn falls back to order activity without subscriptions"
