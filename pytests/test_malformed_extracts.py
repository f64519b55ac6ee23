"""A catalog of malformed extracts: one defect per case, each built from a folder containing it.

Every case starts from a tiny, clean, handmade folder (the six required tables plus
`survey_responses` and `exchange_rates`, three rows each) and changes ONE thing. The expected
outcome is written in the case, never inferred from what the build did:

* an error case lists the texts the build's error message must contain (the file, and the
  column or line where it applies);
* a build case lists, for the table it touches, the raw row count and every quarantined row
  (source row number -> its exact reasons); every other row of that table must be staged, and
  raw = staged + quarantined must hold for every table. Some cases add queries with their
  exact expected rows (kept values, flags).

The marts: one build applies the defects of every value case to one folder at once and builds
every model (no tests) through `marts`; it must succeed, reconcile, and pass the personal-data
scan of pytests/pii_scan.py (no e-mail, phone or name of these rows reaches `marts` in clear).
Cases whose defect is in how the file is written (delimiter, BOM, headers, line endings, file
type) stage the base's values, so they are left out of it; `header_only` (an empty table)
builds the marts on its own.

Speed: a build case builds staging (every model without dbt's tests), an error case the one
base model, all into the same database path with the same dbt target folder and the parsed
project cached (a different database path changes the profile and would force a full parse).
Building the marts for every case took about 10 s of dbt's per-model work per case.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from crm_kpi.build import BuildOutcome, BuildRequest, build_warehouse
from crm_kpi.dbt_invoke import temporary_environment
from dbt_manifests import MANIFESTS, NO_ARTIFACTS
from pii_scan import scan_marts

Rows = list[list[str]]

# The clean base: the six required tables, survey_responses and exchange_rates.
BASE: dict[str, str] = {
    "users": """\
user_id,full_name,email,team,role,region,licensed_from,licensed_to
U1,Ann Agent,ann@example.com,sales,rep,emea,2023-01-01,
U2,Bob Boss,bob@example.com,sales,manager,emea,2023-01-01,
U3,Cy Support,cy@example.com,support,agent,amer,2023-01-01,
""",
    "customers": """\
customer_id,customer_name,email,phone,segment,industry,region,country,acquisition_channel,owner_user_id,created_at,updated_at
C1,Alpha Ltd,a@alpha.com,+1 555 0101,smb,retail,emea,DE,web,U1,2024-01-02T10:00:00,2024-01-03T10:00:00
C2,Beta GmbH,b@beta.com,+1 555 0102,Mid Market,software,emea,DE,referral,U1,2024-01-05T10:00:00,2024-01-06T10:00:00
C3,Gamma Inc,c@gamma.com,+1 555 0103,enterprise,finance,amer,US,event,U2,2024-01-08T10:00:00,2024-01-09T10:00:00
""",  # noqa: E501
    "leads": """\
lead_id,created_at,source_channel,campaign_id,owner_user_id,status,first_contacted_at,qualified_at,converted_at,converted_customer_id,estimated_value,updated_at
L1,2024-01-01T09:00:00,web,,U1,converted,2024-01-01T10:00:00,2024-01-01T12:00:00,2024-01-02T10:00:00,C1,1000.00,2024-01-02T10:00:00
L2,2024-01-03T09:00:00,referral,,U1,working,2024-01-03T11:00:00,,,,500.00,2024-01-03T11:00:00
L3,2024-01-04T09:00:00,event,,U2,new,,,,,,2024-01-04T09:00:00
""",
    "opportunities": """\
opportunity_id,customer_id,lead_id,owner_user_id,opportunity_type,stage,amount,currency,created_at,closed_at,updated_at
O1,C1,L1,U1,new_business,closed_won,1200.00,USD,2024-01-02T10:00:00,2024-01-20T10:00:00,2024-01-20T10:00:00
O2,C2,,U1,upsell,proposal,800.00,USD,2024-01-06T10:00:00,,2024-01-07T10:00:00
O3,C3,,U2,new_business,closed_lost,300.00,USD,2024-01-09T10:00:00,2024-01-25T10:00:00,2024-01-25T10:00:00
""",
    "orders": """\
order_id,customer_id,opportunity_id,ordered_at,amount,cost_amount,currency,status,fulfilled_at,updated_at
R1,C1,O1,2024-01-21T10:00:00,1200.00,400.00,USD,completed,2024-01-22T10:00:00,2024-01-22T10:00:00
R2,C2,,2024-01-22T10:00:00,250.50,100.00,USD,completed,,2024-01-22T10:00:00
R3,C3,,2024-01-23T10:00:00,99.99,,EUR,refunded,,2024-01-24T10:00:00
""",
    "tickets": """\
ticket_id,customer_id,category,channel,priority,assigned_user_id,created_at,first_response_at,resolved_at,status,resolution,reopened_count,updated_at
T1,C1,question,email,normal,U3,2024-01-10T09:00:00,2024-01-10T10:00:00,2024-01-11T09:00:00,resolved,solved,0,2024-01-11T09:00:00
T2,C2,complaint,phone,high,U3,2024-01-12T09:00:00,2024-01-12T09:30:00,,open,,0,2024-01-12T09:30:00
T3,C3,incident,chat,urgent,U3,2024-01-13T09:00:00,,,pending,,1,2024-01-13T09:00:00
""",
    "survey_responses": """\
response_id,customer_id,ticket_id,survey_type,score,responded_at
S1,C1,T1,csat,5,2024-01-11T12:00:00
S2,C2,,nps,9,2024-01-15T12:00:00
S3,C3,,nps,0,2024-01-16T12:00:00
""",
    "exchange_rates": """\
currency,rate_date,rate_to_reporting
EUR,2023-01-01,1.1000
""",
}
REQUIRED = ("customers", "leads", "opportunities", "orders", "tickets", "users")


# --- building ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("malformed_base")
    for table, text in BASE.items():
        (folder / f"{table}.csv").write_text(text, encoding="utf-8", newline="")
    return folder


# Models only: dbt's own tests of staging are left out to keep each case to seconds; what they
# check is asserted here instead (raw = staged + quarantined per table, unique staged keys).
# No manifest.json / run_results.json either (NO_ARTIFACTS): nothing here reads them.
CATALOG_ENV = {
    "DBT_INDIRECT_SELECTION": "cautious",
    "DBT_EXCLUDE_RESOURCE_TYPES": "test unit_test",
    **NO_ARTIFACTS,
}


@pytest.fixture(scope="module")
def build_case(
    project_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[Path, Sequence[str]], BuildOutcome]]:
    """`build_case(folder, select) -> BuildOutcome`: always the same database path and target."""
    work = tmp_path_factory.mktemp("malformed_dbt")
    database = work / "case.duckdb"

    def build(folder: Path, select: Sequence[str]) -> BuildOutcome:
        database.unlink(missing_ok=True)  # a failed case must not read the previous one's tables
        request = BuildRequest(
            project_dir=project_dir,
            database=database,
            extracts_dir=folder.resolve(),
            select=tuple(select),
            target_path=work / "target",
            log_path=work / "logs",
            manifests=MANIFESTS,
        )
        return build_warehouse(request)

    with temporary_environment(CATALOG_ENV, cwd=project_dir):
        yield build


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


# --- defects ----------------------------------------------------------------------------------


def read_rows(folder: Path, table: str) -> Rows:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return [list(row) for row in csv.reader(handle)]


def write_rows(folder: Path, table: str, rows: Rows, **dialect: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=dialect.pop("lineterminator", "\n"), **dialect).writerows(
        rows
    )
    (folder / f"{table}.csv").write_text(buffer.getvalue(), encoding="utf-8", newline="")


Defect = Callable[[Path], None]


def set_values(table: str, key: str, **values: str) -> Defect:
    """Set columns of the row whose first column is `key`."""

    def apply(folder: Path) -> None:
        rows = read_rows(folder, table)
        header = rows[0]
        row = next(row for row in rows[1:] if row[0] == key)
        for column, value in values.items():
            row[header.index(column)] = value
        write_rows(folder, table, rows)

    return apply


def append_row(table: str, **values: str) -> Defect:
    def apply(folder: Path) -> None:
        rows = read_rows(folder, table)
        rows.append([values.get(column, "") for column in rows[0]])
        write_rows(folder, table, rows)

    return apply


def append_line(table: str, line: bytes) -> Defect:
    def apply(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_bytes(path.read_bytes() + line)

    return apply


def combine(*defects: Defect) -> Defect:
    def apply(folder: Path) -> None:
        for defect in defects:
            defect(folder)

    return apply


def delete_file(table: str) -> Defect:
    return lambda folder: (folder / f"{table}.csv").unlink()


def write_bytes(name: str, content: bytes) -> Defect:
    return lambda folder: (folder / name).write_bytes(content)


def drop_column(table: str, column: str) -> Defect:
    def apply(folder: Path) -> None:
        rows = read_rows(folder, table)
        index = rows[0].index(column)
        write_rows(folder, table, [row[:index] + row[index + 1 :] for row in rows])

    return apply


def add_column(table: str, name: str, value: str) -> Defect:
    def apply(folder: Path) -> None:
        rows = read_rows(folder, table)
        write_rows(folder, table, [[*rows[0], name]] + [[*row, value] for row in rows[1:]])

    return apply


def header_only(table: str) -> Defect:
    return lambda folder: write_rows(folder, table, read_rows(folder, table)[:1])


def rename_header(table: str, rename: Callable[[str], str]) -> Defect:
    def apply(folder: Path) -> None:
        rows = read_rows(folder, table)
        rows[0] = [rename(name) for name in rows[0]]
        write_rows(folder, table, rows)

    return apply


def reorder_with_extra_columns(table: str) -> Defect:
    def apply(folder: Path) -> None:
        rows = read_rows(folder, table)
        reordered = [["notes", *reversed(row), "Extra Column"] for row in rows]
        for number, row in enumerate(reordered[1:], start=1):
            row[0], row[-1] = f"note {number}", "x"
        write_rows(folder, table, reordered)

    return apply


def with_dialect(table: str, **dialect: str) -> Defect:
    return lambda folder: write_rows(folder, table, read_rows(folder, table), **dialect)


def prefix_bytes(table: str, prefix: bytes) -> Defect:
    def apply(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_bytes(prefix + path.read_bytes())

    return apply


def quote_header(table: str) -> Defect:
    """Every header name in double quotes (as many CRMs export), keeping the rows as they are."""

    def apply(folder: Path) -> None:
        path = folder / f"{table}.csv"
        header, rest = path.read_text(encoding="utf-8").split("\n", 1)
        quoted = ",".join(f'"{name}"' for name in header.split(","))
        path.write_text(quoted + "\n" + rest, encoding="utf-8", newline="")

    return apply


def replace_bytes(table: str, old: bytes, new: bytes) -> Defect:
    def apply(folder: Path) -> None:
        path = folder / f"{table}.csv"
        content = path.read_bytes()
        assert old in content
        path.write_bytes(content.replace(old, new, 1))

    return apply


def to_parquet(table: str, types: Mapping[str, str]) -> Defect:
    """Replace `<table>.csv` by `<table>.parquet`, some columns stored as another type.

    `types`: column -> a DuckDB type, or an expression (containing `{}` for the text column).
    """

    def apply(folder: Path) -> None:
        source = folder / f"{table}.csv"
        columns = read_rows(folder, table)[0]
        select = ", ".join(
            (
                types[name].replace("{}", name)
                if "{}" in types[name]
                else f"cast({name} as {types[name]})"
            )
            + f" as {name}"
            if name in types
            else name
            for name in columns
        )
        with duckdb.connect() as connection:
            connection.execute(
                f"copy (select {select} from read_csv('{source}', all_varchar = true)) "
                f"to '{folder / f'{table}.parquet'}' (format parquet)"
            )
        source.unlink()

    return apply


# --- the catalog ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One malformed extract and its expected outcome."""

    id: str
    defect: Defect
    table: str
    # error case: the build fails and its message contains every one of these texts
    error: tuple[str, ...] = ()
    # build case: raw rows of `table`, quarantined rows of `table` (row number -> reasons)
    raw_rows: int | None = None
    quarantined: Mapping[int, str] = field(default_factory=dict)
    # extra assertions: (sql, expected rows, in order)
    expect: tuple[tuple[str, list[tuple]], ...] = ()
    # False for a defect in how a file is written (delimiter, BOM, headers, line endings, file
    # type): the marts see the base's values, so it is left out of the all-at-once build
    value_defect: bool = True
    # build the marts for this case alone too (an empty table reaches every KPI differently)
    builds_marts: bool = False

    @property
    def select(self) -> tuple[str, ...]:
        if self.error:
            return (f"base_crm__{self.table}",)
        return ("staging", "+marts") if self.builds_marts else ("staging",)


UKRAINIAN_NAME = "ТОВ «Київська зірка»"  # noqa: RUF001 (Cyrillic on purpose)
CUSTOMER_NAMES = "select customer_id, customer_name from staging.stg_crm__customers order by 1"

CASES = [
    # --- blocking: the build stops with a message naming the file (and column or line) ---
    Case(
        "missing_required_file",
        delete_file("tickets"),
        "tickets",
        error=("Required extract 'tickets' not found", "tickets.csv or tickets.parquet"),
    ),
    Case(
        "missing_required_column",
        drop_column("customers", "created_at"),
        "customers",
        error=("Extract customers.csv", "required column 'created_at' is missing"),
    ),
    Case(
        "empty_file_zero_bytes",
        write_bytes("leads.csv", b""),
        "leads",
        error=("Extract leads.csv is empty (0 bytes)",),
    ),
    Case(
        "invalid_utf8_bytes",
        replace_bytes("customers", b"Beta GmbH", b"Beta G\xfc\xdfmbH"),  # latin-1 bytes
        "customers",
        error=("Extract customers.csv: line 3 is not valid UTF-8",),
    ),
    Case(
        "not_csv_binary",
        write_bytes("orders.csv", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00xl/workbook"),
        "orders",
        error=("Extract orders.csv is not a CSV text file",),
    ),
    Case(
        "not_csv_html_text",
        write_bytes("customers.csv", b"<html><body><p>Session expired, log in again</p></html>"),
        "customers",
        error=("Extract customers.csv has none of the columns of 'customers'",),
    ),
    Case(
        "parquet_file_that_is_not_parquet",
        combine(delete_file("orders"), write_bytes("orders.parquet", b"order_id,amount\nR1,1\n")),
        "orders",
        error=("orders.parquet",),
    ),
    Case(
        "ragged_row_extra_field",
        append_line("users", b"U4,Dan Dev,dan@example.com,sales,rep,emea,2023-01-01,,x,y\n"),
        "users",
        error=("Extract users.csv: line 5 has 10 fields, the header has 8",),
    ),
    # --- the file is read as the contract allows ---
    Case(
        "header_only",
        header_only("orders"),
        "orders",
        raw_rows=0,
        value_defect=False,
        builds_marts=True,
    ),
    Case(
        "extra_and_reordered_columns",
        reorder_with_extra_columns("customers"),
        "customers",
        raw_rows=3,
        expect=((CUSTOMER_NAMES, [("C1", "Alpha Ltd"), ("C2", "Beta GmbH"), ("C3", "Gamma Inc")]),),
        value_defect=False,
    ),
    Case(
        "upper_case_and_padded_headers",
        rename_header("opportunities", lambda name: f"  {name.upper()} "),
        "opportunities",
        raw_rows=3,
        expect=(
            (
                "select opportunity_id, stage, amount from staging.stg_crm__opportunities "
                "order by 1",
                [
                    ("O1", "closed_won", Decimal(1200)),
                    ("O2", "proposal", Decimal(800)),
                    ("O3", "closed_lost", Decimal(300)),
                ],
            ),
        ),
        value_defect=False,
    ),
    Case(
        "semicolon_delimiter",
        with_dialect("users", delimiter=";"),
        "users",
        raw_rows=3,
        expect=(
            (
                "select user_id, team from staging.stg_crm__users where user_id = 'U3'",
                [("U3", "support")],
            ),
        ),
        value_defect=False,
    ),
    Case(
        "utf8_bom",
        prefix_bytes("customers", b"\xef\xbb\xbf"),
        "customers",
        raw_rows=3,
        expect=((CUSTOMER_NAMES, [("C1", "Alpha Ltd"), ("C2", "Beta GmbH"), ("C3", "Gamma Inc")]),),
        value_defect=False,
    ),
    Case(
        "utf8_bom_before_quoted_header",
        combine(quote_header("customers"), prefix_bytes("customers", b"\xef\xbb\xbf")),
        "customers",
        raw_rows=3,
        expect=((CUSTOMER_NAMES, [("C1", "Alpha Ltd"), ("C2", "Beta GmbH"), ("C3", "Gamma Inc")]),),
        value_defect=False,
    ),
    Case(
        "crlf_line_endings",
        with_dialect("tickets", lineterminator="\r\n"),
        "tickets",
        raw_rows=3,
        expect=(
            (
                "select ticket_id, updated_at from staging.stg_crm__tickets order by 1",
                [
                    ("T1", datetime(2024, 1, 11, 9)),
                    ("T2", datetime(2024, 1, 12, 9, 30)),
                    ("T3", datetime(2024, 1, 13, 9)),
                ],
            ),
        ),
        value_defect=False,
    ),
    Case(
        "quoted_fields_with_commas_and_newlines",
        combine(
            set_values("customers", "C1", customer_name="Alpha, Beta & Co"),
            set_values("customers", "C2", customer_name='Beta "Two"\nSecond line'),
        ),
        "customers",
        raw_rows=3,
        expect=(
            (
                CUSTOMER_NAMES,
                [
                    ("C1", "Alpha, Beta & Co"),
                    ("C2", 'Beta "Two"\nSecond line'),
                    ("C3", "Gamma Inc"),
                ],
            ),
        ),
    ),
    Case(
        "names_with_quotes_semicolons_and_sql_keywords",
        combine(
            set_values("customers", "C1", customer_name="O'Brien; DROP TABLE customers; --"),
            set_values("customers", "C2", customer_name='SELECT * FROM "users" WHERE 1=1'),
        ),
        "customers",
        raw_rows=3,
        expect=(
            (
                CUSTOMER_NAMES,
                [
                    ("C1", "O'Brien; DROP TABLE customers; --"),
                    ("C2", 'SELECT * FROM "users" WHERE 1=1'),
                    ("C3", "Gamma Inc"),
                ],
            ),
        ),
    ),
    Case(
        "arabic_persian_and_ukrainian_text",
        combine(
            set_values("customers", "C1", customer_name="شركة الأمل للتجارة", region="الرياض"),
            set_values("customers", "C2", customer_name="شرکت پارس‌نوین", industry="فناوری"),
            set_values("customers", "C3", customer_name=UKRAINIAN_NAME, segment="Малий бізнес"),
        ),
        "customers",
        raw_rows=3,
        expect=(
            (
                "select customer_id, customer_name, segment, region, industry "
                "from staging.stg_crm__customers order by 1",
                [
                    ("C1", "شركة الأمل للتجارة", "smb", "الرياض", "retail"),
                    ("C2", "شرکت پارس‌نوین", "mid_market", "emea", "فناوری"),
                    ("C3", UKRAINIAN_NAME, "малий_бізнес", "amer", "finance"),
                ],
            ),
        ),
    ),
    Case(
        "parquet_with_wrong_column_types",
        to_parquet(
            "orders",
            {
                "amount": "double",
                "ordered_at": "timestamp",
                "cost_amount": "case when {} is not null then [{}] end",  # a list, not a number
            },
        ),
        "orders",
        raw_rows=3,
        quarantined={1: "unparseable:cost_amount", 2: "unparseable:cost_amount"},
        expect=(
            (
                "select order_id, ordered_at, amount_original, amount from staging.stg_crm__orders",
                [("R3", datetime(2024, 1, 23, 10), Decimal("99.99"), Decimal("109.989"))],
            ),
        ),
        value_defect=False,
    ),
    Case(
        # DuckDB numbers Parquet rows with `file_row_number`, which it refuses for a file that
        # has a column of that name: such a file is numbered like a CSV file, the same numbers
        "parquet_with_a_file_row_number_column",
        combine(
            add_column("orders", "file_row_number", "7"),
            to_parquet("orders", {"cost_amount": "case when {} is not null then [{}] end"}),
        ),
        "orders",
        raw_rows=3,
        quarantined={1: "unparseable:cost_amount", 2: "unparseable:cost_amount"},
        value_defect=False,
    ),
    # --- row-level problems: quarantined with their reasons, the rest staged ---
    Case(
        "unparseable_dates",
        combine(
            set_values("leads", "L2", created_at="yesterday"),
            set_values("leads", "L3", created_at="2024-02-30"),
        ),
        "leads",
        raw_rows=3,
        quarantined={2: "unparseable:created_at", 3: "unparseable:created_at"},
    ),
    Case(
        "dates_in_1900_and_far_future",
        combine(
            set_values("orders", "R1", ordered_at="1899-12-31T23:59:59", fulfilled_at=""),
            set_values("orders", "R2", ordered_at="2100-01-01"),
            set_values("orders", "R3", ordered_at="1900-01-01", currency="USD"),
        ),
        "orders",
        raw_rows=3,
        quarantined={1: "out_of_range:ordered_at", 2: "out_of_range:ordered_at"},
    ),
    Case(
        "timestamps_with_offsets_and_dst_edges",
        combine(
            set_values(
                "tickets",
                "T1",
                created_at="2024-03-31T01:59:59+01:00",
                first_response_at="2024-03-31T03:00:00+02:00",
                resolved_at="2024-10-27T02:30:00+02:00",
            ),
            set_values(
                "tickets",
                "T2",
                created_at="2024-10-27T02:30:00+01:00",
                first_response_at="2024-10-27T07:00:00Z",
            ),
            set_values("tickets", "T3", created_at="2024-11-03T01:30:00-0500"),
        ),
        "tickets",
        raw_rows=3,
        expect=(
            (
                "select ticket_id, created_at, first_response_at, resolved_at "
                "from staging.stg_crm__tickets order by 1",
                [
                    (
                        "T1",
                        *(
                            datetime(*p)
                            for p in [
                                (2024, 3, 31, 0, 59, 59),
                                (2024, 3, 31, 1),
                                (2024, 10, 27, 0, 30),
                            ]
                        ),
                    ),
                    ("T2", datetime(2024, 10, 27, 1, 30), datetime(2024, 10, 27, 7), None),
                    ("T3", datetime(2024, 11, 3, 6, 30), None, None),
                ],
            ),
        ),
    ),
    Case(
        "negative_amount",
        set_values("orders", "R2", amount="-250.50"),
        "orders",
        raw_rows=3,
        quarantined={2: "out_of_range:amount"},
    ),
    Case(
        "nan_and_infinite_amounts",
        combine(
            set_values("opportunities", "O2", amount="NaN"),
            set_values("opportunities", "O3", amount="inf"),
        ),
        "opportunities",
        raw_rows=3,
        quarantined={2: "unparseable:amount", 3: "unparseable:amount"},
    ),
    Case(
        "empty_amount",
        set_values("orders", "R1", amount=""),
        "orders",
        raw_rows=3,
        quarantined={1: "missing:amount"},
    ),
    Case(
        "huge_amount",
        set_values("orders", "R2", amount="123456789012345678.00"),
        "orders",
        raw_rows=3,
        quarantined={2: "out_of_range:amount"},
    ),
    Case(
        "duplicate_keys_with_updated_at",
        append_row(
            "customers",
            customer_id="C1",
            customer_name="Alpha Old Name",
            created_at="2024-01-02T10:00:00",
            updated_at="2024-01-02T11:00:00",
        ),
        "customers",
        raw_rows=4,
        quarantined={4: "duplicate_superseded"},
        expect=((CUSTOMER_NAMES, [("C1", "Alpha Ltd"), ("C2", "Beta GmbH"), ("C3", "Gamma Inc")]),),
    ),
    Case(
        "duplicate_keys_without_updated_at",
        append_row("users", user_id="U1", full_name="Ann Renamed", team="sales"),
        "users",
        raw_rows=4,
        quarantined={1: "duplicate_superseded"},
        expect=(
            (
                "select full_name from staging.stg_crm__users where user_id = 'U1'",
                [("Ann Renamed",)],
            ),
        ),
    ),
    Case(
        "unknown_enum_value",
        set_values("leads", "L3", status="on_hold"),
        "leads",
        raw_rows=3,
        quarantined={3: "unknown_value:status"},
    ),
    Case(
        "oddly_cased_enum_values",
        combine(
            set_values("opportunities", "O1", stage=" Closed Won "),
            set_values("opportunities", "O3", stage="CLOSED-LOST"),
            set_values("opportunities", "O2", opportunity_type="Up Sell"),
        ),
        "opportunities",
        raw_rows=3,
        quarantined={2: "unknown_value:opportunity_type"},
        expect=(
            (
                "select opportunity_id, stage from staging.stg_crm__opportunities order by 1",
                [("O1", "closed_won"), ("O3", "closed_lost")],
            ),
        ),
    ),
    Case(
        "out_of_range_survey_scores",
        combine(
            set_values("survey_responses", "S1", score="0"),  # csat is 1-5
            set_values("survey_responses", "S2", score="11"),  # nps is 0-10
            set_values("survey_responses", "S3", score="-1"),
        ),
        "survey_responses",
        raw_rows=3,
        quarantined={
            1: "out_of_range:score",
            2: "out_of_range:score",
            3: "out_of_range:score; out_of_range:score",
        },
    ),
    Case(
        "closed_before_created",
        set_values("opportunities", "O3", closed_at="2024-01-08T10:00:00"),
        "opportunities",
        raw_rows=3,
        quarantined={3: "closed_at_before_created_at"},
    ),
    Case(
        "closed_stage_without_closed_at",
        set_values("opportunities", "O1", closed_at=""),
        "opportunities",
        raw_rows=3,
        quarantined={1: "missing:closed_at"},
    ),
    Case(
        "orphan_foreign_keys_are_kept",
        combine(
            set_values("opportunities", "O2", customer_id="C999"),
            set_values("opportunities", "O3", owner_user_id="U999"),
        ),
        "opportunities",
        raw_rows=3,
        expect=(
            (
                "select opportunity_id, customer_id from staging.stg_crm__opportunities order by 1",
                [("O1", "C1"), ("O2", "C999"), ("O3", "C3")],
            ),
            (
                "select o.opportunity_id from staging.stg_crm__opportunities as o "
                "anti join staging.stg_crm__customers as c using (customer_id) "
                "where o.customer_id is not null",
                [("O2",)],
            ),
        ),
    ),
    Case(
        "currency_without_a_rate",
        combine(
            set_values("orders", "R1", currency="GBP"),  # no GBP rate at all
            set_values("orders", "R2", currency="eur", ordered_at="2022-12-31T10:00:00"),
        ),
        "orders",
        raw_rows=3,
        quarantined={1: "no_exchange_rate:amount", 2: "no_exchange_rate:amount"},
        expect=(
            (
                "select order_id, currency, amount_original, amount from staging.stg_crm__orders",
                [("R3", "EUR", Decimal("99.99"), Decimal("109.989"))],
            ),
        ),
    ),
    Case(
        "invalid_email_is_kept_and_flagged",
        set_values("customers", "C2", email="b at beta dot com"),
        "customers",
        raw_rows=3,
        expect=(
            (
                "select customer_id, is_email_valid from staging.stg_crm__customers order by 1",
                [("C1", True), ("C2", False), ("C3", True)],
            ),
        ),
    ),
]


def test_the_catalog_has_at_least_30_cases() -> None:
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_extract(
    case: Case,
    base_folder: Path,
    build_case: Callable[[Path, Sequence[str]], BuildOutcome],
    tmp_path: Path,
) -> None:
    folder = tmp_path / "extracts"
    shutil.copytree(base_folder, folder)
    case.defect(folder)
    outcome = build_case(folder, case.select)
    message = "\n".join(outcome.errors)

    if case.error:
        assert not outcome.success, f"{case.id}: the build should have stopped"
        for text in case.error:
            assert text in message, f"{case.id}: {text!r} not in the error:\n{message}"
        return

    assert outcome.success, f"{case.id}: the build failed:\n{message}"
    database = outcome.request.database
    counts = {
        table: (raw, staged, quarantined)
        for table, raw, staged, quarantined in query(
            database,
            "select table_name, raw_rows, staged_rows, quarantined_rows "
            "from staging.stg_crm__row_counts",
        )
    }
    for table, (raw, staged, quarantined) in counts.items():
        assert raw == staged + quarantined, f"{table}: {raw} != {staged} + {quarantined}"
    assert counts[case.table][0] == case.raw_rows, counts[case.table]
    quarantined_rows = dict(
        query(
            database,
            "select source_row_number, reasons from staging.stg_crm__quarantined_rows "
            f"where table_name = '{case.table}'",
        )
    )
    assert quarantined_rows == dict(case.quarantined)
    others = query(
        database,
        "select table_name, count(*) from staging.stg_crm__quarantined_rows "
        f"where table_name <> '{case.table}' group by 1",
    )
    assert others == [], f"rows of untouched tables were quarantined: {others}"
    for sql, expected in case.expect:
        assert query(database, sql) == expected, sql
    key = BASE[case.table].split(",", 1)[0]
    staged, distinct = query(
        database, f"select count({key}), count(distinct {key}) from staging.stg_crm__{case.table}"
    )[0]
    assert staged == distinct, f"{case.table}: duplicate {key} staged"
    if case.builds_marts:
        _assert_marts_without_personal_data(database, case.id)


def _assert_marts_without_personal_data(database: Path, label: str) -> None:
    findings, scanned = scan_marts(database)
    assert scanned > 50, f"{label}: the marts schema looks empty; nothing was scanned"
    assert not findings, f"{label}: personal data in marts:\n" + "\n".join(findings[:20])


VALUE_CASES = [case for case in CASES if not case.error and case.value_defect]


def test_every_value_defect_at_once_builds_the_marts_without_personal_data(
    base_folder: Path,
    build_case: Callable[[Path, Sequence[str]], BuildOutcome],
    tmp_path: Path,
) -> None:
    """The defects of every value case applied to one folder, in catalog order (a later case
    may overwrite a cell an earlier one set), built through the marts: every model builds, every
    table reconciles, and no personal data of these rows reaches the marts."""
    assert len(VALUE_CASES) >= 15
    folder = tmp_path / "extracts"
    shutil.copytree(base_folder, folder)
    for case in VALUE_CASES:
        case.defect(folder)
    outcome = build_case(folder, ("staging", "+marts"))
    assert outcome.success, "the build failed:\n" + "\n".join(outcome.errors)
    database = outcome.request.database
    for table, raw, staged, quarantined in query(
        database,
        "select table_name, raw_rows, staged_rows, quarantined_rows "
        "from staging.stg_crm__row_counts",
    ):
        assert raw == staged + quarantined, f"{table}: {raw} != {staged} + {quarantined}"
    reasons = {
        row[0] for row in query(database, "select reasons from staging.stg_crm__quarantined_rows")
    }
    assert len(reasons) >= 10, reasons  # the defects are there, not overwritten by each other
    (kpi_rows,) = query(database, "select count(*) from marts.kpi_values where value is not null")[
        0
    ]
    assert kpi_rows > 0, "no KPI has a value"
    _assert_marts_without_personal_data(database, "every value defect at once")
