"""No personal data in clear in the `marts` schema (issue 5, item 5).

A broader check than the dbt singular test tests/core_marts_have_no_personal_data.sql (which
looks at column names): every column of every table and view in `marts` is read, cast to text,
and scanned for

* e-mail addresses (a pattern);
* phone numbers: a pattern on text columns (7 or more digits with optional separators, as a
  whole token, that is not an ISO date or timestamp), and, in every column whatever its type,
  the digits of every phone number of the staged extracts (so a phone stored as a number or
  with its separators removed is found too);
* the raw e-mails, phones and person/company names of staging (customers.customer_name,
  users.full_name, every e-mail and phone column), compared case-insensitively with each value.

Keyed hashes (`*_hash`, macro pii_hash) are what marts may carry instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 7+ digits with optional separators (space, dash, dot, parentheses, slash), optionally with a
# leading +, as a whole token: not inside a word, a hash or a longer number.
PHONE = re.compile(r"(?<![\w.+/-])\+?\(?\d(?:[ ()./-]{0,2}\d){6,}(?![\w]|[.,]\d)")
ISO_DATE_OR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
DECIMAL_AMOUNT = re.compile(r"-?\d+\.\d+")  # one decimal point: an amount, not a phone
MIN_PHONE_DIGITS = 7
MIN_NAME_LENGTH = 4  # shorter names ("Li") could equal an ordinary label by chance

# staging relation -> columns with personal data in clear
PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "stg_crm__customers": ("customer_name", "email", "phone"),
    "stg_crm__leads": ("email",),
    "stg_crm__users": ("full_name", "email"),
}


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _looks_like_phone(text: str) -> list[str]:
    found = []
    for match in PHONE.finditer(ISO_DATE_OR_TIME.sub(" ", text)):  # dates never count
        token = match.group(0)
        if DECIMAL_AMOUNT.fullmatch(token):
            continue
        if len(_digits(token)) >= MIN_PHONE_DIGITS:
            found.append(token)
    return found


def _staging_columns(connection: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    available = {
        (row[0], row[1])
        for row in connection.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'staging'"
        ).fetchall()
    }
    return {
        table: {column for column in columns if (table, column) in available}
        for table, columns in PERSONAL_COLUMNS.items()
    }


def _personal_values(connection: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The clear values of staging: {"email": ..., "phone_digits": ..., "name": ...}."""
    values: dict[str, set[str]] = {"email": set(), "phone_digits": set(), "name": set()}
    for table, columns in _staging_columns(connection).items():
        for column in columns:
            rows = connection.execute(
                f"select distinct cast({column} as varchar) from staging.{table} "
                f"where {column} is not null"
            ).fetchall()
            for (value,) in rows:
                text = str(value).strip()
                if column == "email":
                    values["email"].add(text.lower())
                elif column == "phone":
                    if len(_digits(text)) >= MIN_PHONE_DIGITS:
                        values["phone_digits"].add(_digits(text))
                elif len(text) >= MIN_NAME_LENGTH:
                    values["name"].add(text.lower())
    return values


def _marts_columns(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return connection.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_catalog = current_database() "
        "order by table_name, ordinal_position"
    ).fetchall()


def _distinct_text(connection: duckdb.DuckDBPyConnection, table: str, column: str) -> Iterator[str]:
    cursor = connection.execute(
        f'select distinct cast("{column}" as varchar) from marts."{table}" '
        f'where "{column}" is not null'
    )
    while batch := cursor.fetchmany(10_000):
        for (value,) in batch:
            yield str(value)


def _is_text(data_type: str) -> bool:
    return data_type.upper().startswith(("VARCHAR", "TEXT", "STRING", "CHAR"))


def scan_marts(database: Path) -> tuple[list[str], int]:
    """Findings ("table.column: kind: value") and the number of columns scanned."""
    findings: list[str] = []
    with duckdb.connect(str(database), read_only=True) as connection:
        personal = _personal_values(connection)
        columns = _marts_columns(connection)
        for table, column, data_type in columns:
            where = f"marts.{table}.{column}"
            for value in _distinct_text(connection, table, column):
                lowered = value.strip().lower()
                if EMAIL.search(value):
                    findings.append(f"{where}: e-mail pattern: {value!r}")
                if lowered in personal["email"]:
                    findings.append(f"{where}: a staged e-mail: {value!r}")
                if lowered in personal["name"]:
                    findings.append(f"{where}: a staged name: {value!r}")
                if _digits(value) in personal["phone_digits"]:
                    findings.append(f"{where}: a staged phone: {value!r}")
                if _is_text(data_type):
                    for token in _looks_like_phone(value):
                        findings.append(f"{where}: phone pattern: {token!r} in {value!r}")
                        break
    return findings, len(columns)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+1-555-1007919", ["+1-555-1007919"]),
        ("call (555) 123 4567 now", ["(555) 123 4567"]),
        ("5551079190", ["5551079190"]),
        ("555.123.4567", ["555.123.4567"]),
        ("2024-01-15", []),  # a date
        ("2024-01-15 08:43:12", []),  # a timestamp
        ("1234567.89", []),  # an amount
        ("C00001", []),  # an id
        ("LEG-85088", []),  # an id with 5 digits
        ("0a1b2c3d41234567e9f0a1b2c3d4e5f6", []),  # a keyed hash
        ("fe01234567890abc", []),  # digits inside a hex token
        ("123456", []),  # 6 digits
    ],
)
def test_phone_pattern(text: str, expected: list[str]) -> None:
    assert _looks_like_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "is_email"),
    [
        ("nina.yilmaz@amberbay.example.com", True),
        ("o'brien+crm@example.co.uk", True),
        ("not an e-mail @ all", False),
        ("user@localhost", False),
    ],
)
def test_email_pattern(text: str, is_email: bool) -> None:
    assert bool(EMAIL.search(text)) is is_email


def test_staging_has_the_personal_data_the_scan_looks_for(warehouse: Path) -> None:
    """The scan is meaningful: staging holds e-mails, phones and names to look for."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        personal = _personal_values(connection)
    assert len(personal["email"]) > 10
    assert len(personal["phone_digits"]) > 10
    assert len(personal["name"]) > 10


def test_marts_carry_no_personal_data_in_clear(warehouse: Path) -> None:
    findings, scanned = scan_marts(warehouse)
    assert scanned > 50, "the marts schema looks empty; nothing was scanned"
    assert not findings, f"{len(findings)} personal values in marts:\n" + "\n".join(findings[:40])


def test_scan_finds_personal_data_planted_in_a_mart(warehouse: Path, tmp_path: Path) -> None:
    """The scan would catch a leak: a copy of the warehouse with one planted per kind."""
    copy = tmp_path / "leaky.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(copy)) as connection:
        email, phone, name = connection.execute(
            "select email, phone, customer_name from staging.stg_crm__customers "
            "where email is not null and phone is not null and customer_name is not null limit 1"
        ).fetchone()
        connection.execute(
            "create table marts.leak as select ? as a, ? as b, upper(?) as c, "
            "cast(? as bigint) as d, 'write to someone@example.org' as e",
            [email, phone, name, _digits(phone)],
        )
    findings, _ = scan_marts(copy)
    kinds = {finding.split(": ")[1] for finding in findings if finding.startswith("marts.leak.")}
    assert kinds >= {
        "e-mail pattern",
        "a staged e-mail",
        "a staged phone",
        "phone pattern",
        "a staged name",
    }
    columns = {finding.split(":")[0] for finding in findings}
    assert columns == {
        "marts.leak.a",
        "marts.leak.b",
        "marts.leak.c",
        "marts.leak.d",
        "marts.leak.e",
    }
