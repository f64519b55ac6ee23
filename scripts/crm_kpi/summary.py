"""Plain-text summaries: tables, node counts, row counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from crm_kpi.dbt_invoke import NodeOutcome
from crm_kpi.warehouse import TableRowCounts


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A fixed-width text table: numbers right-aligned, None shown as `-`."""
    texts = [[_cell(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in texts:
        widths = [max(width, len(text)) for width, text in zip(widths, row, strict=True)]
    lines = [
        "  ".join(header.ljust(width) for header, width in zip(headers, widths, strict=True)),
        "  ".join("-" * width for width in widths),
    ]
    for values, row in zip(rows, texts, strict=True):
        cells = []
        for value, text, width in zip(values, row, widths, strict=True):
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            cells.append(text.rjust(width) if is_number else text.ljust(width))
        lines.append("  ".join(cells))
    return "\n".join(line.rstrip() for line in lines)


def format_row_counts(counts: Sequence[TableRowCounts]) -> str:
    """The per-table raw / staged / quarantined / duplicate rows."""
    headers = ("table", "raw", "staged", "quarantined", "duplicates")
    rows = [
        (c.table_name, c.raw_rows, c.staged_rows, c.quarantined_rows, c.duplicate_rows)
        for c in counts
    ]
    return format_table(headers, rows)


@dataclass(frozen=True)
class NodeTally:
    """How many nodes of each kind ended in each state."""

    models_built: int
    models_failed: int
    seeds_loaded: int
    tests_passed: int
    tests_warned: int
    tests_failed: int
    skipped: int
    other_errors: int

    @property
    def failed(self) -> bool:
        return bool(self.models_failed or self.tests_failed or self.other_errors)


def tally_nodes(nodes: Sequence[NodeOutcome]) -> NodeTally:
    """Count dbt's node results (seed + build)."""
    counts = Counter((node.resource_type, node.status) for node in nodes)
    tests = ("test", "unit_test")
    known_errors = counts[("model", "error")] + sum(
        counts[(kind, status)] for kind in tests for status in ("fail", "error")
    )
    all_errors = sum(n for (_, status), n in counts.items() if status in ("error", "fail"))
    return NodeTally(
        models_built=counts[("model", "success")],
        models_failed=counts[("model", "error")],
        seeds_loaded=counts[("seed", "success")],
        tests_passed=sum(counts[(kind, "pass")] for kind in tests),
        tests_warned=sum(counts[(kind, "warn")] for kind in tests),
        tests_failed=sum(counts[(kind, status)] for kind in tests for status in ("fail", "error")),
        skipped=sum(n for (_, status), n in counts.items() if status == "skipped"),
        other_errors=all_errors - known_errors,
    )


def format_tally(tally: NodeTally) -> str:
    """`Models: 57 built, 0 failed | Seeds: 17 | Tests: 240 passed, 3 warned, 0 failed`."""
    parts = [f"Models: {tally.models_built} built, {tally.models_failed} failed"]
    if tally.seeds_loaded:
        parts.append(f"Seeds: {tally.seeds_loaded} loaded")
    parts.append(
        f"Tests: {tally.tests_passed} passed, {tally.tests_warned} warned, "
        f"{tally.tests_failed} failed"
    )
    if tally.skipped:
        parts.append(f"Skipped: {tally.skipped}")
    if tally.other_errors:
        parts.append(f"Other errors: {tally.other_errors}")
    return " | ".join(parts)


def format_duration(seconds: float) -> str:
    """`42.3s` or `3m 05s`."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s"
