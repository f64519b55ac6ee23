"""Tests of the sample data generator (`scripts/crm_kpi/generator.py`).

Besides determinism and the shape of the files, the generated data is checked against a small
Python replica of the staging rules of docs/architecture.md ("What is quarantined"): every row
the manifest lists with an `expected_reason` must get exactly that reason, and every other row
must get none, so the sample exercises each rule once per defect and nothing else by accident.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from crm_kpi import generator as gen

SMALL = 0.05
PROJECT_DIR = Path(gen.__file__).resolve().parents[2]
SAMPLE_DIR = PROJECT_DIR / "seeds" / "crm_sample"
MAX_SAMPLE_BYTES = 5 * 1000 * 1000
EMAIL_RE = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$")
INTEGER_RE = re.compile(r"^[+-]?\d+$")
TRUE_TEXT = {"true", "1", "yes", "t", "y"}
FALSE_TEXT = {"false", "0", "no", "f", "n"}
TABLES_WITH_UPDATED_AT = ("customers", "leads", "opportunities", "orders", "tickets")
# (table, column) -> referenced table; the key of the referenced table is its first PK column
REFERENCES = {
    ("customers", "owner_user_id"): "users",
    ("leads", "campaign_id"): "campaigns",
    ("leads", "owner_user_id"): "users",
    ("leads", "converted_customer_id"): "customers",
    ("opportunities", "customer_id"): "customers",
    ("opportunities", "lead_id"): "leads",
    ("opportunities", "owner_user_id"): "users",
    ("orders", "customer_id"): "customers",
    ("orders", "opportunity_id"): "opportunities",
    ("subscriptions", "customer_id"): "customers",
    ("subscriptions", "renewed_from_subscription_id"): "subscriptions",
    ("activities", "user_id"): "users",
    ("activities", "customer_id"): "customers",
    ("activities", "lead_id"): "leads",
    ("activities", "opportunity_id"): "opportunities",
    ("tickets", "customer_id"): "customers",
    ("tickets", "assigned_user_id"): "users",
    ("survey_responses", "customer_id"): "customers",
    ("survey_responses", "ticket_id"): "tickets",
    ("usage_events", "user_id"): "users",
    ("trainings", "user_id"): "users",
    ("sales_targets", "user_id"): "users",
    ("web_sessions", "customer_id"): "customers",
}


# --------------------------------------------------------------------------------------------
# A replica of the staging rules
# --------------------------------------------------------------------------------------------


@dataclass
class CheckedRow:
    number: int
    raw: dict[str, str | None]
    parsed: dict[str, Any]
    reasons: list[str] = field(default_factory=list)


def _timestamp(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _parse(logical_type: str, text: str | None) -> tuple[Any, bool]:
    """(parsed value, unparseable) of a trimmed raw text by its contract logical type."""
    if text is None:
        return None, False
    if logical_type in ("timestamp", "date"):
        value = _timestamp(text)
        if value is not None and logical_type == "date":
            return value.date(), False
        return value, value is None
    if logical_type in ("money", "number"):
        try:
            number = float(text)
        except ValueError:
            return None, True
        return (number, False) if math.isfinite(number) else (None, True)
    if logical_type == "integer":
        return (int(text), False) if INTEGER_RE.match(text) else (None, True)
    if logical_type == "boolean":
        lowered = text.lower()
        if lowered in TRUE_TEXT | FALSE_TEXT:
            return lowered in TRUE_TEXT, False
        return None, True
    if logical_type in ("enum", "label"):
        return (re.sub(r"[^a-z0-9]+", "_", text.lower()) or None), False
    if logical_type == "currency":
        return text.upper(), False
    if logical_type == "email":
        return text.lower(), False
    return text, False


def _contract_reasons(table: str, columns: list[dict[str, Any]], row: CheckedRow) -> None:
    for column in columns:
        name, meta = column["name"], column.get("meta") or {}
        logical_type = meta.get("logical_type", "text")
        text = row.raw.get(name)
        value, unparseable = _parse(logical_type, text)
        row.parsed[name] = value
        if meta.get("required") and text is None and (table, name) != ("activities", "occurred_at"):
            row.reasons.append(f"missing:{name}")
        if unparseable:
            row.reasons.append(f"unparseable:{name}")
        if value is None:
            continue
        negative = logical_type in ("money", "integer") and value < 0
        outside = logical_type in ("timestamp", "date") and not 1900 <= value.year < 2100
        if negative or outside:
            row.reasons.append(f"out_of_range:{name}")
        if logical_type == "enum" and value not in meta.get("accepted_values", []):
            row.reasons.append(f"unknown_value:{name}")
    if "currency" in row.parsed and row.parsed["currency"] is None:
        row.parsed["currency"] = "USD"


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


class Rates:
    """A rate is in force from its date until the next one: only the first date matters."""

    def __init__(self, rows: list[CheckedRow]) -> None:
        self.first: dict[str, date] = {}
        for row in rows:
            if not row.reasons:
                currency, day = row.parsed["currency"], row.parsed["rate_date"]
                self.first[currency] = min(day, self.first.get(currency, day))

    def missing(self, currency: str, at: datetime | date | None) -> bool:
        if currency == "USD" or at is None:
            return False
        return currency not in self.first or _as_date(at) < self.first[currency]


def _before(row: CheckedRow, later: str, earlier: str) -> list[str]:
    a, b = row.parsed.get(later), row.parsed.get(earlier)
    return [f"{later}_before_{earlier}"] if a is not None and b is not None and a < b else []


def _no_rate(row: CheckedRow, rates: Rates, money: str, at: Any) -> list[str]:
    if row.parsed.get(money) is None or at is None:
        return []
    return [f"no_exchange_rate:{money}"] if rates.missing(row.parsed["currency"], at) else []


def _table_reasons(table: str, row: CheckedRow, rates: Rates) -> list[str]:
    p = row.parsed
    if table == "leads":
        return [
            *_before(row, "first_contacted_at", "created_at"),
            *_before(row, "qualified_at", "created_at"),
            *_before(row, "converted_at", "created_at"),
        ]
    if table == "opportunities":
        closed_stage = p["stage"] in ("closed_won", "closed_lost") and p["closed_at"] is None
        at = p["closed_at"] or p["created_at"] if p["created_at"] else None
        return [
            *_before(row, "closed_at", "created_at"),
            *(["missing:closed_at"] if closed_stage else []),
            *_no_rate(row, rates, "amount", at),
        ]
    if table == "orders":
        return [
            *_before(row, "fulfilled_at", "ordered_at"),
            *_no_rate(row, rates, "amount", p["ordered_at"]),
        ]
    if table in ("subscriptions", "campaigns"):
        money = "annual_value" if table == "subscriptions" else "cost"
        return [
            *_before(row, "ended_at", "started_at"),
            *_no_rate(row, rates, money, p["started_at"]),
        ]
    if table == "crm_costs":
        return _no_rate(row, rates, "amount", p["incurred_on"])
    if table == "sales_targets":
        start = p["period_start"]
        not_first = start is not None and start.day != 1
        return [
            *(["out_of_range:period_start"] if not_first else []),
            *_no_rate(row, rates, "target_amount", start),
        ]
    return _other_table_reasons(table, row)


def _other_table_reasons(table: str, row: CheckedRow) -> list[str]:
    p = row.parsed
    if table == "exchange_rates":
        rate = p["rate_to_reporting"]
        return ["out_of_range:rate_to_reporting"] if rate is not None and rate <= 0 else []
    if table == "survey_responses" and p["score"] is not None:
        low, high = {"nps": (0, 10), "csat": (1, 5)}.get(p["survey_type"], (-math.inf, math.inf))
        return [] if low <= p["score"] <= high else ["out_of_range:score"]
    if table == "tickets":
        return [
            *_before(row, "first_response_at", "created_at"),
            *_before(row, "resolved_at", "created_at"),
        ]
    if table == "trainings":
        score = p["assessment_score"]
        return (
            ["out_of_range:assessment_score"] if score is not None and not 0 <= score <= 100 else []
        )
    if table == "users":
        return _before(row, "licensed_to", "licensed_from")
    if table == "activities":
        open_allowed = p["activity_type"] in ("task", "follow_up")
        return [] if p["occurred_at"] is not None or open_allowed else ["missing:occurred_at"]
    return []


def _read_rows(folder: Path, table: str) -> Iterator[tuple[int, dict[str, str | None]]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip().lower() for name in next(reader)]
        for number, values in enumerate(reader, start=1):
            yield (
                number,
                {name: (v.strip() or None) for name, v in zip(header, values, strict=True)},
            )


def _deduplicate(table: str, rows: list[CheckedRow]) -> None:
    key_columns = gen.PRIMARY_KEYS[table]
    newest: dict[tuple[Any, ...], CheckedRow] = {}
    ordered = table in TABLES_WITH_UPDATED_AT
    for row in (r for r in rows if not r.reasons):
        key = tuple(row.parsed[c] for c in key_columns)
        best = newest.get(key)
        if best is None or _newer(row, best, ordered):
            if best is not None:
                best.reasons.append("duplicate_superseded")
            newest[key] = row
        else:
            row.reasons.append("duplicate_superseded")


def _newer(row: CheckedRow, other: CheckedRow, ordered: bool) -> bool:
    if ordered:
        a, b = row.parsed["updated_at"], other.parsed["updated_at"]
        if a != b:
            return b is None or (a is not None and a > b)
    return row.number > other.number


def check_folder(folder: Path) -> dict[str, list[CheckedRow]]:
    """Every row of every extract with the reasons staging would give it."""
    contract = gen.load_contract()
    checked: dict[str, list[CheckedRow]] = {}
    for table in ["exchange_rates", *(t for t in gen.TABLE_COLUMNS if t != "exchange_rates")]:
        rows = []
        for number, raw in _read_rows(folder, table):
            row = CheckedRow(number, raw, {})
            _contract_reasons(table, contract[table]["columns"], row)
            rows.append(row)
        checked[table] = rows
    rates = Rates(checked["exchange_rates"])
    for table, rows in checked.items():
        for row in rows:
            if table != "exchange_rates":
                row.reasons.extend(_table_reasons(table, row, rates))
            elif not row.reasons:
                row.reasons.extend(_other_table_reasons(table, row))
        _deduplicate(table, rows)
    return checked


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated_small")
    gen.generate(folder, seed=42, scale=SMALL)
    return folder


@pytest.fixture(scope="module")
def sample_dir() -> Path:
    if not (SAMPLE_DIR / "customers.csv").exists():
        pytest.fail(f"the bundled sample is missing in {SAMPLE_DIR}", pytrace=False)
    return SAMPLE_DIR


@pytest.fixture(scope="module")
def small_checked(small_dir: Path) -> dict[str, list[CheckedRow]]:
    return check_folder(small_dir)


@pytest.fixture(scope="module")
def sample_checked(sample_dir: Path) -> dict[str, list[CheckedRow]]:
    return check_folder(sample_dir)


def _manifest(folder: Path) -> list[dict[str, Any]]:
    return json.loads((folder / gen.MANIFEST_NAME).read_text(encoding="utf-8"))


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_same_seed_and_scale_give_identical_bytes(small_dir: Path, tmp_path: Path) -> None:
    gen.generate(tmp_path, seed=42, scale=SMALL)
    assert _files(tmp_path) == _files(small_dir)


def test_another_seed_gives_other_data(small_dir: Path, tmp_path: Path) -> None:
    gen.generate(tmp_path, seed=7, scale=SMALL)
    for table in ("customers", "leads", "orders", "tickets", "activities"):
        name = f"{table}.csv"
        assert (tmp_path / name).read_bytes() != (small_dir / name).read_bytes(), name


def test_every_contract_table_has_every_contract_column(small_dir: Path) -> None:
    contract = gen.load_contract()
    assert set(contract) == set(gen.TABLE_COLUMNS)
    for table, spec in contract.items():
        with (small_dir / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == list(gen.TABLE_COLUMNS[table])
        missing = [c["name"] for c in spec["columns"] if c["name"] not in header]
        assert not missing, f"{table}.csv lacks contract columns {missing}"
        assert sum(1 for _ in _read_rows(small_dir, table)) > 0, f"{table}.csv has no rows"


def test_files_are_utf8_with_unix_line_endings(small_dir: Path) -> None:
    for table in gen.TABLE_COLUMNS:
        data = (small_dir / f"{table}.csv").read_bytes()
        assert b"\r" not in data, table
        assert data.endswith(b"\n"), table
        data.decode("utf-8")


def test_manifest_rows_are_in_the_files(small_dir: Path) -> None:
    entries = _manifest(small_dir)
    assert entries
    rows = {table: dict(_read_rows(small_dir, table)) for table in gen.TABLE_COLUMNS}
    for entry in entries:
        row = rows[entry["table"]][entry["row_number"]]
        key_columns = gen.PRIMARY_KEYS[entry["table"]]
        key = [row[c] or "" for c in key_columns]
        assert key == ([entry["key"]] if len(key_columns) == 1 else entry["key"]), entry
        if not entry["kind"].startswith("duplicate"):  # rows are read trimmed, like staging
            assert (row[entry["column"]] or "") == entry["value"].strip(), entry


def test_every_kind_of_defect_appears_at_least_three_times(small_dir: Path) -> None:
    counts: dict[str, int] = {}
    for entry in _manifest(small_dir):
        counts[entry["kind"]] = counts.get(entry["kind"], 0) + 1
    assert set(counts) == set(gen.REASON_TEMPLATES)
    assert min(counts.values()) >= 3, counts
    duplicated = {e["table"] for e in _manifest(small_dir) if e["kind"].startswith("duplicate")}
    assert {*TABLES_WITH_UPDATED_AT, "activities", "usage_events"} <= duplicated


@pytest.mark.parametrize("which", ["small", "sample"])
def test_each_row_gets_exactly_its_expected_reason(
    which: str, request: pytest.FixtureRequest
) -> None:
    folder = request.getfixturevalue(f"{which}_dir")
    checked = request.getfixturevalue(f"{which}_checked")
    expected = {
        (e["table"], e["row_number"]): e["expected_reason"]
        for e in _manifest(folder)
        if e["expected_reason"] is not None
    }
    found = {
        (table, row.number): "; ".join(row.reasons)
        for table, rows in checked.items()
        for row in rows
        if row.reasons
    }
    unexpected = {k: v for k, v in found.items() if k not in expected}
    assert not unexpected, f"rows quarantined without being in the manifest: {unexpected}"
    assert found == expected


@pytest.mark.parametrize("which", ["small", "sample"])
def test_kept_problems_are_the_only_ones(which: str, request: pytest.FixtureRequest) -> None:
    folder = request.getfixturevalue(f"{which}_dir")
    checked = request.getfixturevalue(f"{which}_checked")
    kept: dict[str, set[tuple[str, int]]] = {}
    for entry in _manifest(folder):
        kept.setdefault(entry["kind"], set()).add((entry["table"], entry["row_number"]))
    assert _invalid_emails(checked) == kept["kept_invalid_email"]
    assert _orphans(checked) == kept["kept_orphan"]
    assert _duplicate_customers(checked) == kept["kept_duplicate_customer"]


def _staged(checked: dict[str, list[CheckedRow]], table: str) -> list[CheckedRow]:
    return [row for row in checked[table] if not row.reasons]


def _invalid_emails(checked: dict[str, list[CheckedRow]]) -> set[tuple[str, int]]:
    return {
        (table, row.number)
        for table in ("customers", "leads")
        for row in _staged(checked, table)
        if row.parsed["email"] is not None and not EMAIL_RE.match(row.parsed["email"])
    }


def _orphans(checked: dict[str, list[CheckedRow]]) -> set[tuple[str, int]]:
    keys = {
        table: {row.parsed[gen.PRIMARY_KEYS[table][0]] for row in _staged(checked, table)}
        for table in set(REFERENCES.values())
    }
    return {
        (table, row.number)
        for (table, column), target in REFERENCES.items()
        for row in _staged(checked, table)
        if row.parsed[column] is not None and row.parsed[column] not in keys[target]
    }


def _duplicate_customers(checked: dict[str, list[CheckedRow]]) -> set[tuple[str, int]]:
    first_seen: dict[str, datetime] = {}
    customers = sorted(_staged(checked, "customers"), key=lambda r: r.parsed["created_at"])
    duplicates = set()
    for row in customers:
        phone = re.sub(r"[^0-9]", "", row.raw["phone"] or "")
        contacts = [c for c in (row.parsed["email"], phone and f"tel:{phone}") if c]
        if any(
            first_seen.get(c, row.parsed["created_at"]) < row.parsed["created_at"] for c in contacts
        ):
            duplicates.add(("customers", row.number))
        for contact in contacts:
            first_seen.setdefault(contact, row.parsed["created_at"])
    return duplicates


def test_no_timestamp_after_the_end_of_the_sample(
    sample_checked: dict[str, list[CheckedRow]],
) -> None:
    contract = gen.load_contract()
    latest: dict[str, Any] = {}
    for table, rows in sample_checked.items():
        if table == "holidays":
            continue
        for column in contract[table]["columns"]:
            if (column.get("meta") or {}).get("logical_type") in ("timestamp", "date"):
                values = [r.parsed[column["name"]] for r in rows if r.parsed[column["name"]]]
                latest[f"{table}.{column['name']}"] = max(map(_as_date, values), default=None)
    too_late = {k: v for k, v in latest.items() if v is not None and v > gen.END.date()}
    assert not too_late


def test_the_dirty_values_of_the_brief_are_there(sample_dir: Path) -> None:
    values = {(e["table"], e["column"], e["value"]) for e in _manifest(sample_dir)}
    written = {value for _, _, value in values}
    for value in ("2024-13-45", "31/02/2024", "yesterday", "12,34.5", "abc", "won", "urgentish",
                  "canceled?", " Completed ", "CLOSED_WON", "Closed Won", "john.doe@",
                  "no-at-sign.example.com", "11", "0", "6"):  # fmt: skip
        assert value in written, value
    jpy = [e for e in _manifest(sample_dir) if e["kind"] == "no_exchange_rate"]
    assert jpy
    text = "".join(
        (sample_dir / f"{t}.csv").read_text(encoding="utf-8") for t in ("orders", "leads")
    )
    assert "+02:00" in text and "Z," in text
    assert ",EUR," in (sample_dir / "orders.csv").read_text(encoding="utf-8")


def test_the_crm_shows_its_effect_after_go_live(
    sample_checked: dict[str, list[CheckedRow]],
) -> None:
    checked = sample_checked

    def split(table: str, at: str) -> tuple[list[CheckedRow], list[CheckedRow]]:
        rows = [r for r in _staged(checked, table) if r.parsed[at] is not None]
        window = (datetime(2023, 10, 1), gen.GO_LIVE, datetime(2024, 10, 1))
        before = [r for r in rows if window[0] <= r.parsed[at] < window[1]]
        after = [r for r in rows if window[1] <= r.parsed[at] < window[2]]
        return before, after

    leads_before, leads_after = split("leads", "created_at")
    assert _share(leads_after, "converted_at") > 1.25 * _share(leads_before, "converted_at")
    assert _median_hours(leads_after, "first_contacted_at") < _median_hours(
        leads_before, "first_contacted_at"
    )
    tickets_before, tickets_after = split("tickets", "created_at")
    assert _median_hours(tickets_after, "first_response_at") < 0.5 * _median_hours(
        tickets_before, "first_response_at"
    )
    orders_before, orders_after = split("orders", "ordered_at")
    assert _revenue(orders_after) > 1.1 * _revenue(orders_before)


def _share(rows: list[CheckedRow], column: str) -> float:
    return sum(1 for r in rows if r.parsed[column] is not None) / len(rows)


def _median_hours(rows: list[CheckedRow], column: str) -> float:
    hours = sorted(
        (r.parsed[column] - r.parsed["created_at"]).total_seconds() / 3600
        for r in rows
        if r.parsed[column] is not None
    )
    return hours[len(hours) // 2]


def _revenue(rows: list[CheckedRow]) -> float:
    return sum(r.parsed["amount"] for r in rows if r.parsed["status"] == "completed")


def test_bundled_sample_is_small_and_current(sample_dir: Path, tmp_path: Path) -> None:
    total = sum(path.stat().st_size for path in sample_dir.glob("*.csv"))
    assert total < MAX_SAMPLE_BYTES, f"bundled sample is {total} bytes"
    gen.generate(tmp_path, seed=42, scale=1.0, write_seed_properties=True)
    stale = [
        name for name, data in _files(tmp_path).items() if (sample_dir / name).read_bytes() != data
    ]
    assert not stale, (
        f"seeds/crm_sample is out of date ({stale}); regenerate it with "
        "PYTHONPATH=scripts python -m crm_kpi.generator --out seeds/crm_sample --seed 42 "
        "--scale 1 --write-seed-properties"
    )


def test_seed_properties_load_every_column_as_text(sample_dir: Path) -> None:
    document = yaml.safe_load((sample_dir / gen.SEED_PROPERTIES_NAME).read_text(encoding="utf-8"))
    assert document["version"] == 2
    seeds = {seed["name"]: seed for seed in document["seeds"]}
    assert set(seeds) == {path.stem for path in sample_dir.glob("*.csv")}
    for name, seed in seeds.items():
        with (sample_dir / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert seed["description"]
        assert seed["config"]["column_types"] == dict.fromkeys(header, "varchar")
        assert [c["name"] for c in seed["columns"]] == header
        assert all(c["description"] and "\n" not in c["description"] for c in seed["columns"])


def test_parquet_keeps_every_value_as_text(tmp_path: Path) -> None:
    summary = gen.generate(tmp_path / "pq", seed=42, scale=0.02, fmt="parquet")
    gen.generate(tmp_path / "csv", seed=42, scale=0.02)
    assert not list((tmp_path / "pq").glob("*.csv"))
    with duckdb.connect() as connection:
        for table, count in summary["rows"].items():
            path = str(tmp_path / "pq" / f"{table}.parquet")
            types = {
                row[1] for row in connection.execute(f"describe select * from '{path}'").fetchall()
            }
            assert types == {"VARCHAR"}, table
            assert connection.execute(f"select count(*) from '{path}'").fetchone()[0] == count
        statuses = connection.execute(
            f"select distinct status from '{tmp_path / 'pq' / 'orders.parquet'}'"
        ).fetchall()
    csv_statuses = {row["status"] for _, row in _read_raw(tmp_path / "csv" / "orders.csv")}
    assert {s for (s,) in statuses} == csv_statuses
    assert " Completed " in csv_statuses


def _read_raw(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from enumerate(csv.DictReader(handle), start=1)


def test_main_writes_the_files_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert gen.main(["--out", str(tmp_path), "--seed", "3", "--scale", "0.02"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"]["customers"] > 0
    assert summary["expected_quarantined_total"] == sum(summary["expected_quarantined"].values())
    assert (tmp_path / gen.MANIFEST_NAME).exists()
    assert not (tmp_path / gen.SEED_PROPERTIES_NAME).exists()
