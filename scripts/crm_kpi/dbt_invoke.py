"""Invoking dbt in-process through its programmatic API (`dbtRunner`).

Everything here is mechanics: command-line arguments, `--vars` parsing, the environment of an
invocation, and turning dbt's results and exceptions into plain messages. No business logic.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_kpi.project import ENV_DUCKDB_PATH, ENV_EXTRACTS_DIR

VarValue = str | int | float | bool | None | list[Any] | dict[str, Any]
EventCallback = Callable[[Any], None]

_VAR_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT = re.compile(r"[+-]?(0|[1-9][0-9]*)")  # no leading zeros: "007" stays text
_FLOAT = re.compile(r"[+-]?((0|[1-9][0-9]*)(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class VarSyntaxError(ValueError):
    """A `--var` argument that is not KEY=VALUE."""


def parse_var_value(text: str) -> VarValue:
    """Interpret a `--var` value the way a user means it.

    `true`/`false` -> bool, `null` -> None, whole numbers (without leading zeros) -> int,
    decimal numbers -> float, JSON lists/objects/quoted strings -> their JSON value
    (e.g. `[1,2,3]`, `"0042"`), anything else (dates, words) -> the text unchanged.
    """
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if _INT.fullmatch(stripped):
        return int(stripped)
    if _FLOAT.fullmatch(stripped):
        return float(stripped)
    if stripped[:1] in ("[", "{", '"'):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            return text
    return text


def parse_var_assignment(assignment: str) -> tuple[str, VarValue]:
    """Split `KEY=VALUE` into the key and its parsed value."""
    key, sep, value = assignment.partition("=")
    key = key.strip()
    if not sep or not _VAR_KEY.fullmatch(key):
        raise VarSyntaxError(
            f"--var expects KEY=VALUE (e.g. --var baseline_months=12), got {assignment!r}"
        )
    return key, parse_var_value(value)


def parse_var_assignments(assignments: Sequence[str]) -> dict[str, VarValue]:
    """Parse every `--var`; a key given twice keeps its last value."""
    return dict(parse_var_assignment(item) for item in assignments)


def unknown_var_keys(values: Mapping[str, VarValue], known: Mapping[str, object]) -> list[str]:
    """Keys that dbt_project.yml does not declare (probably typos: dbt ignores them silently)."""
    return sorted(key for key in values if key not in known)


def dbt_args(
    command: str,
    project_dir: Path,
    *,
    vars: Mapping[str, VarValue] | None = None,
    threads: int | None = None,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    exclude_resource_types: Sequence[str] = (),
    target_path: Path | None = None,
    log_path: Path | None = None,
    show_dbt_log: bool = False,
    full_refresh: bool = False,
) -> list[str]:
    """The argument list for `dbtRunner.invoke` (same syntax as the `dbt` command line)."""
    args = [command, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    if full_refresh:
        args.append("--full-refresh")
    if vars:
        args += ["--vars", json.dumps(dict(vars), sort_keys=True)]
    if threads is not None:
        args += ["--threads", str(threads)]
    if select:
        # a partial build runs only the tests whose every parent is selected (dbt's default,
        # eager, also runs tests that reach into models the selection did not build)
        args += ["--select", *select, "--indirect-selection", "cautious"]
    if exclude:
        args += ["--exclude", *exclude]
    for resource_type in exclude_resource_types:
        args += ["--exclude-resource-type", resource_type]
    if target_path is not None:
        args += ["--target-path", str(target_path)]
    if log_path is not None:
        args += ["--log-path", str(log_path)]
    if not show_dbt_log:
        # dbt's own console output is replaced by the runner's progress lines (the full log is
        # still written to <log-path>/dbt.log, at dbt's default file level).
        args += ["--log-level", "none", "--log-level-file", "debug"]
    return args


def invocation_env(database: Path, extracts_dir: Path | None) -> dict[str, str | None]:
    """Environment of one dbt invocation (None = variable removed)."""
    return {
        ENV_DUCKDB_PATH: str(database),
        ENV_EXTRACTS_DIR: str(extracts_dir) if extracts_dir is not None else None,
    }


@contextmanager
def temporary_environment(changes: Mapping[str, str | None], cwd: Path) -> Iterator[None]:
    """Apply environment variables and the working directory, restore both afterwards."""
    saved = {key: os.environ.get(key) for key in changes}
    saved_cwd = Path.cwd()
    try:
        for key, value in changes.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        os.chdir(cwd)
        yield
    finally:
        os.chdir(saved_cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass(frozen=True)
class NodeOutcome:
    """One executed dbt node (seed, model, test, ...), from dbt's run results."""

    unique_id: str
    name: str
    resource_type: str
    status: str
    message: str
    failures: int | None
    execution_time: float
    compiled_path: str | None = None


@dataclass
class InvocationResult:
    """What one dbt command did, in plain data."""

    command: str
    success: bool
    nodes: list[NodeOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def _enum_value(value: Any) -> str:
    return str(getattr(value, "value", value))


def node_outcomes(result: Any) -> list[NodeOutcome]:
    """Convert dbt's RunExecutionResult (or anything without `.results`) to NodeOutcomes."""
    outcomes = []
    for item in getattr(result, "results", None) or []:
        node = item.node
        outcomes.append(
            NodeOutcome(
                unique_id=node.unique_id,
                name=node.name,
                resource_type=_enum_value(node.resource_type),
                status=_enum_value(item.status),
                message=strip_ansi(str(item.message or "")).strip(),
                failures=item.failures,
                execution_time=float(item.execution_time or 0.0),
                compiled_path=getattr(node, "compiled_path", None),
            )
        )
    return outcomes


FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})


def error_messages(nodes: Sequence[NodeOutcome], exception: BaseException | None) -> list[str]:
    """dbt's own error messages: per failed node, or the exception that stopped dbt."""
    messages = []
    for node in nodes:
        if node.status in FAILED_STATUSES:
            detail = node.message or "(no message from dbt)"
            if node.resource_type == "test" and node.status == "fail" and node.compiled_path:
                detail = f"{detail}\nthe failing rows: run the query in {node.compiled_path}"
            messages.append(
                f"{node.resource_type} {node.name}: {node.status.upper()}\n{_indent(detail)}"
            )
    if exception is not None:
        messages.append(strip_ansi(str(exception)).strip() or type(exception).__name__)
    return messages


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join((prefix + line).rstrip() for line in text.splitlines())


def invoke_dbt(
    args: Sequence[str], callbacks: Sequence[EventCallback] = (), manifest: Any = None
) -> InvocationResult:
    """Run one dbt command in-process and return its outcome (never raises for dbt failures).

    `manifest`: an already parsed manifest (see `ManifestCache`); dbt then skips its parse.
    """
    from dbt.cli.main import dbtRunner  # imported lazily: dbt takes a second to import

    started = time.monotonic()
    runner = dbtRunner(manifest=manifest, callbacks=list(callbacks))
    try:
        outcome = runner.invoke(list(args))
    finally:
        release_duckdb_connections()
    if isinstance(outcome.exception, KeyboardInterrupt):
        raise outcome.exception  # dbtRunner catches Ctrl-C; let the caller stop cleanly
    nodes = node_outcomes(outcome.result)
    success = bool(outcome.success)
    errors = error_messages(nodes, outcome.exception)
    if not success and not errors:
        errors.append(f"dbt {args[0]} failed without an error message; see logs/dbt.log")
    return InvocationResult(
        command=args[0],
        success=success,
        nodes=nodes,
        errors=errors,
        elapsed_s=time.monotonic() - started,
    )


# What dbt reads when it parses the project (dbt_project.yml's default paths).
_PARSED_DIRS = ("models", "macros", "tests", "seeds", "analyses", "snapshots")
_PARSED_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")


def project_fingerprint(project_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every file dbt parses: a change to any of them changes this."""
    paths = [project_dir / name for name in _PARSED_FILES]
    for folder in _PARSED_DIRS:
        paths += sorted((project_dir / folder).rglob("*"))
    entries = []
    for path in paths:
        if path.is_file():
            stat = path.stat()
            entries.append((str(path.relative_to(project_dir)), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


def database_name(database: Path) -> str:
    """The database (catalog) name dbt-duckdb derives from the file path, as in relation names."""
    from dbt.adapters.duckdb.credentials import DuckDBCredentials

    return str(DuckDBCredentials.path_derived_database_name(str(database)))


_OUTPUT_PATH_OPTIONS = ("--target-path", "--log-path")


def _without_output_paths(args: Sequence[str]) -> tuple[str, ...]:
    """The arguments without where dbt writes its artifacts and log (they change no parse)."""
    kept: list[str] = []
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
        elif arg in _OUTPUT_PATH_OPTIONS:
            skip_next = True
        else:
            kept.append(arg)
    return tuple(kept)


class ManifestCache:
    """Parsed manifests kept in memory, so a process that builds many databases parses once.

    dbt parses the whole project at the start of every command (about 10 s here). Its partial
    parsing does not help a process that builds many different database files: the file path
    is part of the profile, and a changed profile means a full parse. dbt's programmatic API
    accepts a parsed manifest instead (`dbtRunner(manifest=...)`); this cache keeps one per
    key: everything a parse depends on (the project's files, the target, the `--vars`, the
    database name written into relation names, whether an extracts folder is set). The SQL is
    still rendered at execution with the invocation's environment, so CRM_EXTRACTS_DIR and the
    database path take effect.
    Builds share the manifest object, as dbt's documentation shows for reusing it (a deep copy
    is not possible: dbt 1.11's `Manifest.__reduce_ex__` misses fields); dbt compiles every
    node again in each invocation, and the project has no ephemeral models whose injected
    CTEs could be kept from an earlier compile.
    Used by the test suite (dozens of builds per process); `crm-kpi build` parses as usual.
    """

    def __init__(self) -> None:
        self._manifests: dict[tuple[object, ...], Any] = {}
        self.parses = 0

    def key(self, project_dir: Path, database: Path, parse_args: Sequence[str]) -> tuple:
        return (
            str(project_dir),
            os.environ.get("CRM_DBT_TARGET", ""),
            # the sample seeds are dependencies of the base models only when no extracts folder
            # is set (macros/staging/crm_extract.sql), so the DAG depends on this
            bool(os.environ.get(ENV_EXTRACTS_DIR, "").strip()),
            database_name(database),
            _without_output_paths(parse_args[1:]),
            project_fingerprint(project_dir),
        )

    def manifest(
        self, project_dir: Path, database: Path, parse_args: Sequence[str]
    ) -> tuple[Any, InvocationResult | None]:
        """The manifest for `parse_args` (a `parse` command), parsing if needed.

        Returns (manifest, None), or (None, the failed parse) when dbt could not parse.
        """
        from dbt.cli.main import dbtRunner

        key = self.key(project_dir, database, parse_args)
        if key not in self._manifests:
            started = time.monotonic()
            outcome = dbtRunner().invoke(list(parse_args))
            if not outcome.success:
                errors = error_messages([], outcome.exception) or ["dbt parse failed"]
                return None, InvocationResult(
                    command="parse",
                    success=False,
                    errors=errors,
                    elapsed_s=time.monotonic() - started,
                )
            release_duckdb_connections()
            self._manifests[key] = outcome.result
            self.parses += 1
        return self._manifests[key], None


def release_duckdb_connections() -> None:
    """Close the DuckDB database dbt-duckdb keeps open between invocations.

    dbt-duckdb caches one database handle per process. Closing it lets the same process open
    the file again (e.g. read-only to summarise it) or build another database file.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    environment = getattr(DuckDBConnectionManager, "_ENV", None)
    if environment is not None:
        with suppress(Exception):  # best effort: the handle may already be gone
            environment.close()
    DuckDBConnectionManager.close_all_connections()
