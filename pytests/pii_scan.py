"""The personal-data scan of the `marts` schema, shared by the tests that run it.

Every column of every table and view in `marts` is read, cast to text, and scanned for

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


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def looks_like_phone(text: str) -> list[str]:
    found = []
    for match in PHONE.finditer(ISO_DATE_OR_TIME.sub(" ", text)):  # dates never count
        token = match.group(0)
        if DECIMAL_AMOUNT.fullmatch(token):
            continue
        if len(digits(token)) >= MIN_PHONE_DIGITS:
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


def personal_values(connection: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
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
                    if len(digits(text)) >= MIN_PHONE_DIGITS:
                        values["phone_digits"].add(digits(text))
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
        personal = personal_values(connection)
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
                if digits(value) in personal["phone_digits"]:
                    findings.append(f"{where}: a staged phone: {value!r}")
                if _is_text(data_type):
                    for token in looks_like_phone(value):
                        findings.append(f"{where}: phone pattern: {token!r} in {value!r}")
                        break
    return findings, len(columns)
