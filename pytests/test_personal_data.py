"""No personal data in clear in the `marts` schema (issue 5, item 5).

A broader check than the dbt singular test tests/core_marts_have_no_personal_data.sql (which
looks at column names): the scan of pytests/pii_scan.py reads every column of every table and
view in `marts` and looks for e-mail and phone patterns and for the clear e-mails, phones and
names of staging. The same scan runs on every malformed-extract case that builds
(test_malformed_extracts.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pii_scan import EMAIL, digits, looks_like_phone, personal_values, scan_marts


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
    assert looks_like_phone(text) == expected


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
        personal = personal_values(connection)
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
            [email, phone, name, digits(phone)],
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
