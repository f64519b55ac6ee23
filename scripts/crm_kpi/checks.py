"""Checks run by `crm-kpi validate` against a built warehouse.

A check is a function taking a read-only DuckDB connection and returning a `CheckResult`
(a name, pass/fail, and a small table to print). `CHECKS` lists the checks `validate` runs,
in order. To add one (e.g. the independent KPI recomputation of `crm_kpi.validator`), write a
function with the `Check` signature that turns its comparison results into a `CheckResult`,
and append it to `CHECKS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import duckdb

from crm_kpi.warehouse import ROW_COUNTS_MODEL, ROW_COUNTS_SCHEMA, read_row_counts


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check; `rows` is what gets printed (may be empty)."""

    name: str
    passed: bool
    summary: str
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[object, ...], ...] = field(default_factory=tuple)


Check = Callable[[duckdb.DuckDBPyConnection], CheckResult]


def check_row_reconciliation(connection: duckdb.DuckDBPyConnection) -> CheckResult:
    """raw rows = staged rows + quarantined rows, for every extract table."""
    name = "row reconciliation (raw = staged + quarantined)"
    counts = read_row_counts(connection)
    if counts is None:
        return CheckResult(
            name=name,
            passed=False,
            summary=f"{ROW_COUNTS_SCHEMA}.{ROW_COUNTS_MODEL} not found: run `crm-kpi build`.",
        )
    if not counts:
        return CheckResult(name=name, passed=False, summary="the row counts model is empty.")
    rows = tuple(
        (
            c.table_name,
            c.raw_rows,
            c.staged_rows,
            c.quarantined_rows,
            c.duplicate_rows,
            "ok" if c.reconciles else "MISMATCH",
        )
        for c in counts
    )
    mismatches = [c.table_name for c in counts if not c.reconciles]
    summary = (
        f"{len(counts)} tables reconcile."
        if not mismatches
        else f"{len(mismatches)} of {len(counts)} tables do not reconcile: {', '.join(mismatches)}"
    )
    return CheckResult(
        name=name,
        passed=not mismatches,
        summary=summary,
        headers=("table", "raw", "staged", "quarantined", "duplicates", "result"),
        rows=rows,
    )


def check_kpis_independently(
    connection: duckdb.DuckDBPyConnection, overrides: Mapping[str, object] | None = None
) -> CheckResult:
    """Every KPI recomputed in pandas from the staged tables equals the warehouse's."""
    from crm_kpi.validator import compare_with_warehouse

    name = "KPIs recomputed independently (pandas) = kpi_values"
    built = connection.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'kpi_values'"
    ).fetchall()[0][0]
    if not built:
        return CheckResult(
            name=name, passed=False, summary="marts.kpi_values not found: run `crm-kpi build`."
        )
    comparison = compare_with_warehouse(connection, dict(overrides or {}))
    rows = tuple(
        (
            f"{result.kpi_id} v{result.version}",
            result.comparisons,
            "ok" if result.passed else "MISMATCH",
            _first_problem(result),
        )
        for result in comparison.results
    )
    failed = [row[0] for row in rows if row[2] != "ok"]
    summary = (
        f"{len(comparison.results)} KPI versions, {comparison.comparisons} comparisons, "
        f"{len(failed)} mismatching"
    )
    if comparison.not_validated:
        summary += f"; not recomputed: {', '.join(comparison.not_validated)}"
    return CheckResult(
        name=name,
        passed=comparison.passed,
        summary=summary,
        headers=("kpi", "comparisons", "result", "first difference"),
        rows=rows,
    )


def _first_problem(result: object) -> str:
    for problems, label in (
        (result.error and [result.error], "error"),
        (result.mismatches, "value"),
        (result.missing_in_warehouse, "missing in warehouse"),
        (result.extra_in_warehouse, "extra in warehouse"),
    ):
        if problems:
            return f"{label}: {problems[0]}"[:120]
    return ""


CHECKS: tuple[Check, ...] = (check_row_reconciliation, check_kpis_independently)


def run_checks(
    connection: duckdb.DuckDBPyConnection, checks: Sequence[Check] = CHECKS
) -> list[CheckResult]:
    """Run every check; a check that raises a DuckDB error is reported as failed."""
    results = []
    for check in checks:
        try:
            results.append(check(connection))
        except duckdb.Error as exc:
            name = (check.__doc__ or check.__name__).strip().splitlines()[0]
            results.append(CheckResult(name=name, passed=False, summary=f"query failed: {exc}"))
    return results
