"""`crm-kpi check DIR`: validate a folder of extracts against the contract without building.

The rules are not re-implemented here: the staging layer of the dbt project (the same models a
build runs) is built from the folder into a temporary DuckDB file, and the report is read from
`staging.stg_crm__row_counts` and `staging.stg_crm__quarantined_rows`; the file is deleted
afterwards. A failed staging build (a missing required file or column, an unreadable file) is a
blocking problem; quarantined rows are not (a build would stage the rest).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crm_kpi.build import BuildRequest, build_warehouse
from crm_kpi.dbt_invoke import VarValue, temporary_environment
from crm_kpi.warehouse import TableRowCounts, open_read_only

# The staging layer only. Tests of later layers that also read a staging model (relationships
# from intermediate models to staging) are left out: "cautious" indirect selection keeps a test
# only when every model it reads is selected.
CHECK_SELECT = ("staging",)
CHECK_ENV = {"DBT_INDIRECT_SELECTION": "cautious"}
MAX_EXAMPLES = 3
EXAMPLE_WIDTH = 160

_FILE_IN_MESSAGE = re.compile(
    r"Extract (?P<file>[\w.-]+\.(?:csv|parquet))|Required extract '(?P<table>\w+)'"
)


@dataclass(frozen=True)
class Problem:
    """One quarantine reason of one table: how many rows have it, and a few of them."""

    kind: str  # missing, unparseable, unknown_value, out_of_range, ordering, duplicate, ...
    reason: str  # the full reason code (missing:created_at)
    rows: int
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileReport:
    """The outcome for one contract table (one extract file)."""

    table: str
    file: str | None  # None when the (optional) file is absent
    counts: TableRowCounts
    problems: list[Problem]


@dataclass(frozen=True)
class CheckResult:
    """What the check found. `blocking` holds the messages of the problems that stop a build."""

    extracts_dir: Path
    blocking: list[str]
    files: list[FileReport]
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return not self.blocking


def extract_file(extracts_dir: Path, table: str) -> str | None:
    """The file a table is read from (`.csv` before `.parquet`, like staging), None if absent."""
    for extension in ("csv", "parquet"):
        if (extracts_dir / f"{table}.{extension}").is_file():
            return f"{table}.{extension}"
    return None


def blocking_file(message: str) -> str | None:
    """The file a blocking error message names (`customers.csv`, or `tickets` when missing)."""
    found = _FILE_IN_MESSAGE.search(message)
    if found is None:
        return None
    return found.group("file") or found.group("table")


def check_extracts(
    project_dir: Path,
    extracts_dir: Path,
    vars: Mapping[str, VarValue] | None = None,
    work_dir: Path | None = None,
) -> CheckResult:
    """Build the staging layer from `extracts_dir` into a temporary database and report on it.

    `work_dir` holds dbt's target/ and logs/ (default: the temporary folder, removed at the end).
    Raises crm_kpi.build.ExtractsDirError when the folder does not exist.
    """
    with tempfile.TemporaryDirectory(prefix="crm-kpi-check-") as temp:
        temp_dir = Path(temp)
        dbt_dir = work_dir or temp_dir
        request = BuildRequest(
            project_dir=project_dir,
            database=temp_dir / "check.duckdb",
            extracts_dir=extracts_dir,
            vars=dict(vars or {}),
            select=CHECK_SELECT,
            target_path=dbt_dir / "target",
            log_path=dbt_dir / "logs",
        )
        with temporary_environment(CHECK_ENV, cwd=project_dir):
            outcome = build_warehouse(request)
        files: list[FileReport] = []
        if outcome.success and outcome.row_counts is not None:
            files = _file_reports(request.database, extracts_dir, outcome.row_counts)
        blocking = [] if outcome.success else outcome.errors
    return CheckResult(
        extracts_dir=extracts_dir, blocking=blocking, files=files, elapsed_s=outcome.elapsed_s
    )


def _file_reports(
    database: Path, extracts_dir: Path, counts: list[TableRowCounts]
) -> list[FileReport]:
    with open_read_only(database) as connection:
        rows = connection.execute(
            "select table_name, source_row_number, record_key, reasons, raw_row "
            "from staging.stg_crm__quarantined_rows order by table_name, source_row_number"
        ).fetchall()
    tallies: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    for table, row_number, key, reasons, raw_row in rows:
        for reason in str(reasons).split("; "):
            tallies[table][reason] += 1
            shown = examples[(table, reason)]
            if len(shown) < MAX_EXAMPLES:
                shown.append(_example(row_number, key, raw_row, reason_columns(reason)))
    reports = []
    for count in counts:
        problems = [
            Problem(
                kind=reason_kind(reason),
                reason=reason,
                rows=n,
                examples=examples[(count.table_name, reason)],
            )
            for reason, n in sorted(tallies[count.table_name].items(), key=lambda i: (-i[1], i[0]))
        ]
        reports.append(
            FileReport(
                table=count.table_name,
                file=extract_file(extracts_dir, count.table_name),
                counts=count,
                problems=problems,
            )
        )
    return reports


def reason_kind(reason: str) -> str:
    """`unparseable:created_at` -> `unparseable`; `closed_at_before_created_at` -> `ordering`."""
    if ":" in reason:
        return reason.split(":", 1)[0]
    if "_before_" in reason:
        return "ordering"
    return "duplicate" if reason == "duplicate_superseded" else reason


def reason_columns(reason: str) -> list[str]:
    """The columns a reason is about (shown in the examples instead of the whole row, which
    may hold personal data): `missing:created_at` -> created_at; `a_before_b` -> a, b."""
    if ":" in reason:
        return [reason.split(":", 1)[1]]
    if "_before_" in reason:
        return reason.split("_before_", 1)
    return []


def _example(row_number: object, key: object, raw_row: object, columns: list[str]) -> str:
    try:
        values = json.loads(str(raw_row))
    except json.JSONDecodeError:
        values = {}
    shown = ", ".join(f"{column}={values.get(column)!r}" for column in columns)
    text = f"row {row_number} (key {key or '-'})" + (f": {shown}" if shown else "")
    return text if len(text) <= EXAMPLE_WIDTH else text[: EXAMPLE_WIDTH - 3] + "..."


def format_report(result: CheckResult) -> str:
    """The per-file report printed by `crm-kpi check`."""
    lines = [f"extracts: {result.extracts_dir}", ""]
    if result.blocking:
        lines.append("BLOCKING problems (a build would stop):")
        for message in result.blocking:
            named = blocking_file(message)
            lines.append(f"  [{named or 'extracts'}]")
            lines.extend("    " + line.rstrip() for line in message.strip().splitlines())
        return "\n".join(lines)
    for report in result.files:
        c = report.counts
        name = report.file or f"{report.table} (absent, optional)"
        lines.append(
            f"{name}: {c.raw_rows} rows, {c.staged_rows} staged, "
            f"{c.quarantined_rows} quarantined ({c.duplicate_rows} duplicates)"
            + ("" if c.reconciles else "  RAW ROWS DO NOT RECONCILE")
        )
        for kind in dict.fromkeys(problem.kind for problem in report.problems):
            problems = [problem for problem in report.problems if problem.kind == kind]
            lines.append(f"  {kind}: {sum(problem.rows for problem in problems)} rows")
            for problem in problems:
                lines.append(f"    {problem.reason}: {problem.rows} rows")
                lines.extend(f"      e.g. {example}" for example in problem.examples)
    total = sum(r.counts.quarantined_rows or 0 for r in result.files)
    lines += ["", f"No blocking problems; {total} rows would be quarantined."]
    return "\n".join(lines)
