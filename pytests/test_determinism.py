"""Idempotent and deterministic builds (issue 5, item 3).

* Building the same extracts twice (the second time over the first build's file) gives the
  same `marts.kpi_values`, compared by a hash of its sorted rows (values rounded to 12
  significant digits, so the last bits of a float sum cannot make the test flaky).
* Shuffling the rows of every input file gives the same `kpi_values`. Duplicates without
  `updated_at` are resolved by "the last row in the file wins", so the shuffle keeps the
  relative order of the rows that share a primary key (it shuffles everything else).

The extracts are a small generated folder (generator --scale 0.05, with its defects: duplicates,
bad values) and the builds are models only (no dbt tests: tests/ and the other pytest files
cover those), which keeps the three builds affordable in CI.
"""

from __future__ import annotations

import csv
import hashlib
import random
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest
import yaml

from crm_kpi.build import BuildOutcome, BuildRequest
from dbt_manifests import MANIFESTS, build_without_artifacts

SIGNIFICANT_DIGITS = 12
SHUFFLE_SEED = 20261122
# Deduplication keys of staging that the contract does not declare as `meta.primary_key`
# (see the base_crm__* models, macro quarantine_reasons_with_duplicates).
KEYS_NOT_IN_CONTRACT = {"exchange_rates": ["currency", "rate_date"], "holidays": ["holiday_date"]}


def _build(project_dir: Path, work_dir: Path, extracts: Path, database: Path) -> BuildOutcome:
    request = BuildRequest(
        project_dir=project_dir,
        database=database,
        extracts_dir=extracts,
        exclude_resource_types=("test",),
        target_path=work_dir / "target",
        log_path=work_dir / "logs",
        manifests=MANIFESTS,
    )
    outcome = build_without_artifacts(request)
    assert outcome.success, "\n\n".join(outcome.errors)
    return outcome


def _canonical(value: object) -> str:
    if isinstance(value, float):
        return format(value, f".{SIGNIFICANT_DIGITS}g")
    return repr(value)


def kpi_values_hash(database: Path) -> tuple[str, int]:
    """sha256 of the sorted, canonicalised rows of marts.kpi_values, and the row count."""
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute("select * from marts.kpi_values").fetchall()
    lines = sorted("\x1f".join(_canonical(value) for value in row) for row in rows)
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return digest, len(rows)


def primary_keys(project_dir: Path) -> dict[str, list[str]]:
    """{table: primary key columns} from the contract (models/staging/crm/_crm__sources.yml)."""
    contract = yaml.safe_load(
        (project_dir / "models" / "staging" / "crm" / "_crm__sources.yml").read_text()
    )
    keys: dict[str, list[str]] = dict(KEYS_NOT_IN_CONTRACT)
    for source in contract["sources"]:
        for table in source["tables"]:
            declared = (table.get("meta") or {}).get("primary_key")
            if declared:
                keys[table["name"]] = list(declared)
    return keys


def _key_value(row: dict[str, str], column: str) -> str:
    """Conservative: values staging could read as equal (case, a date's time part) group too."""
    value = (row.get(column) or "").strip().upper()
    return value[:10] if column.endswith(("_date", "_start")) else value


def shuffle_keeping_key_order(
    rows: Sequence[dict[str, str]], key: Sequence[str], rng: random.Random
) -> list[dict[str, str]]:
    """A random order of `rows` in which rows with the same key keep their relative order."""
    groups: dict[tuple[str, ...], list[dict[str, str]]] = defaultdict(list)
    for index, row in enumerate(rows):
        group = tuple(_key_value(row, column) for column in key) if key else (str(index),)
        groups[group].append(row)
    slots = [group for group, members in groups.items() for _ in members]
    rng.shuffle(slots)
    cursors = {group: iter(members) for group, members in groups.items()}
    return [next(cursors[group]) for group in slots]


def write_shuffled_copy(source: Path, target: Path, keys: dict[str, list[str]]) -> None:
    rng = random.Random(SHUFFLE_SEED)
    target.mkdir()
    for path in sorted(source.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fieldnames = list(reader.fieldnames or [])
            rows = list(reader)
        shuffled = shuffle_keeping_key_order(rows, keys.get(path.stem, []), rng)
        assert len(shuffled) == len(rows)
        with (target / path.name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
            writer.writeheader()
            writer.writerows(shuffled)


def test_shuffle_keeps_the_order_of_rows_sharing_a_key() -> None:
    rows = [{"id": str(i % 3), "n": str(i)} for i in range(30)]
    shuffled = shuffle_keeping_key_order(rows, ["id"], random.Random(1))
    assert shuffled != rows
    assert sorted(shuffled, key=lambda row: int(row["n"])) == rows
    for key in "012":
        order = [int(row["n"]) for row in shuffled if row["id"] == key]
        assert order == sorted(order)


@pytest.fixture(scope="module")
def small_extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("det_extracts")
    subprocess.run(
        [sys.executable, "-m", "crm_kpi.generator", "--out", str(folder), "--scale", "0.05"],
        check=True,
        capture_output=True,
    )
    return folder


def test_two_builds_give_identical_kpi_values(
    project_dir: Path, dbt_work_dir: Path, small_extracts: Path, tmp_path: Path
) -> None:
    database = tmp_path / "det.duckdb"
    _build(project_dir, dbt_work_dir, small_extracts, database)
    first, count = kpi_values_hash(database)
    assert count > 100, "kpi_values is (nearly) empty: the comparison would mean nothing"
    _build(project_dir, dbt_work_dir, small_extracts, database)  # again, over the same file
    second, _ = kpi_values_hash(database)
    assert first == second

    shuffled_dir = tmp_path / "shuffled"
    write_shuffled_copy(small_extracts, shuffled_dir, primary_keys(project_dir))
    assert (shuffled_dir / "orders.csv").read_text() != (small_extracts / "orders.csv").read_text()
    shuffled_db = tmp_path / "shuffled.duckdb"
    _build(project_dir, dbt_work_dir, shuffled_dir, shuffled_db)
    third, _ = kpi_values_hash(shuffled_db)
    assert third == first, "the order of the input rows changed kpi_values"
