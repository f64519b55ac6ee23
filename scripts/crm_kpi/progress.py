"""Compact progress lines from dbt's events while a command runs.

dbt calls the callback from its worker threads, and an exception raised inside a callback
would be reported as a failure of the node being run: every handler here is guarded.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any, TextIO

from crm_kpi.dbt_invoke import strip_ansi

STATUS_LABELS = {
    "success": "OK",
    "pass": "PASS",
    "warn": "WARN",
    "fail": "FAIL",
    "error": "ERROR",
    "skipped": "SKIP",
    "no-op": "NO-OP",
}
MAX_WARNINGS_PER_KIND = 3  # dbt can repeat a warning for every node; the rest are counted
MAX_NAME = 52  # longer node names (generated test names) are shortened in progress lines
QUIET_STATUSES = frozenset({"success", "pass", "no-op", "skipped"})

# Warning/error events that the progress lines or the final summary already report.
_REPORTED_ELSEWHERE = frozenset(
    {
        "LogTestResult",
        "LogModelResult",
        "LogSeedResult",
        "LogSnapshotResult",
        "LogNodeResult",
        "RunResultWarning",
        "RunResultWarningMessage",
        "RunResultFailure",
        "RunResultError",
        "RunResultErrorNoMessage",
        "GenericExceptionOnRun",
        "EndOfRunSummary",
        "StatsLine",
        "MainEncounteredError",
        "MainStackTrace",
        "NodeFinished",
    }
)


def status_label(status: str, failures: int | None = None) -> str:
    """`OK`, `PASS`, `WARN 3`, `FAIL 2`, ... for a dbt node status."""
    label = STATUS_LABELS.get(status, status.upper())
    if status in ("warn", "fail") and failures:
        label = f"{label} {failures}"
    return label


def progress_line(
    done: int, total: int | None, resource_type: str, name: str, label: str, seconds: float
) -> str:
    """`[  3/120] model  stg_crm__customers ............ OK 0.4s`."""
    width = len(str(total)) if total else 1
    counter = f"[{done:>{width}}/{total}]" if total else f"[{done}]"
    if len(name) > MAX_NAME:
        name = name[: MAX_NAME - 3] + "..."
    head = f"{counter} {resource_type:<6} {name} "
    return f"{head:.<72} {label} {seconds:.1f}s"


@dataclass
class _PhaseCount:
    done: int = 0
    total: int | None = None


class ProgressPrinter:
    """A `dbtRunner` callback printing one line per finished node (and dbt's warnings).

    quiet=True prints only nodes that failed or warned (skipped nodes are counted at the end).
    """

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self._stream = stream or sys.stdout
        self._quiet = quiet
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._counter = _PhaseCount()
        self._warnings_seen: set[str] = set()
        self._warnings_by_kind: Counter[str] = Counter()

    def start_phase(self, title: str) -> None:
        """Reset the counter and print a heading (one phase = one dbt command)."""
        with self._lock:
            self._counter = _PhaseCount()
            self._write(title)

    def __call__(self, event: Any) -> None:
        try:
            self._handle(event)
        except Exception as exc:  # never let a display problem fail a dbt node
            self._write(f"(progress display error: {exc!r})")

    def _handle(self, event: Any) -> None:
        name = event.info.name
        if name == "LogStartLine":
            with self._lock:
                self._counter.total = int(event.data.total) or self._counter.total
        elif name == "NodeFinished":
            self._node_finished(event.data)
        elif event.info.level in ("warn", "error") and name not in _REPORTED_ELSEWHERE:
            self._dbt_message(name, event.info.level, strip_ansi(event.info.msg).strip())

    def finish_phase(self) -> None:
        """Say how many warnings of a kind were not printed (see `MAX_WARNINGS_PER_KIND`)."""
        with self._lock:
            hidden = {
                kind: count - MAX_WARNINGS_PER_KIND
                for kind, count in self._warnings_by_kind.items()
                if count > MAX_WARNINGS_PER_KIND
            }
            self._warnings_by_kind.subtract(hidden)
        for kind, count in sorted(hidden.items()):
            self._write(f"dbt: {count} more {kind} message(s) not shown; see dbt.log")

    def _dbt_message(self, kind: str, level: str, message: str) -> None:
        """Print a dbt warning/error once, and at most a few of each kind."""
        with self._lock:
            if message in self._warnings_seen:
                return
            self._warnings_seen.add(message)
            self._warnings_by_kind[kind] += 1
            if self._warnings_by_kind[kind] > MAX_WARNINGS_PER_KIND:
                return
        self._write(f"dbt {level}: {message}")

    def _node_finished(self, data: Any) -> None:
        node = data.node_info
        result = data.run_result
        status = result.status or node.node_status
        with self._lock:
            self._counter.done += 1
            done, total = self._counter.done, self._counter.total
        if self._quiet and status in QUIET_STATUSES:
            return
        failures = getattr(result, "num_failures", None)
        label = status_label(status, failures)
        self._write(
            progress_line(
                done, total, node.resource_type, node.node_name, label, result.execution_time
            )
        )

    def _write(self, line: str) -> None:
        with self._write_lock:
            self._stream.write(line + "\n")
            self._stream.flush()
