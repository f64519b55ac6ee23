"""Building the warehouse: `dbt seed` (bundled sample only) then `dbt build`.

`build_warehouse` is the Python API used by the `crm-kpi build` command and by the pytest
fixtures; it returns plain data and never raises for dbt failures.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_kpi.dbt_invoke import (
    EventCallback,
    InvocationResult,
    ManifestCache,
    NodeOutcome,
    VarValue,
    dbt_args,
    invocation_env,
    invoke_dbt,
    temporary_environment,
)
from crm_kpi.progress import ProgressPrinter
from crm_kpi.warehouse import TableRowCounts, WarehouseError, open_read_only, read_row_counts


@dataclass(frozen=True)
class BuildRequest:
    """What to build. Paths must be absolute (see crm_kpi.project for the defaults)."""

    project_dir: Path
    database: Path
    extracts_dir: Path | None = None  # None = the bundled sample (seeds/crm_sample)
    vars: Mapping[str, VarValue] = field(default_factory=dict)
    threads: int | None = None
    select: Sequence[str] = ()
    exclude_resource_types: Sequence[str] = ()  # e.g. ("test",): models only, for quick builds
    target_path: Path | None = None  # dbt artifacts; None = <project>/target
    log_path: Path | None = None  # dbt.log; None = <project>/logs
    show_dbt_log: bool = False  # dbt's own console output instead of progress lines
    # False: the incremental facts are rebuilt in full (--full-refresh), so a build never keeps
    # rows of other extracts or settings; True: only their new and changed rows (see
    # macros/utils/incremental.sql), for the next extract of the same source and settings
    incremental: bool = False
    # a process that builds many databases (the test suite) parses the project once per
    # setting instead of once per build (see ManifestCache); None = dbt parses as usual
    manifests: ManifestCache | None = None


@dataclass
class BuildOutcome:
    """What happened: dbt's results per command, the row counts, the errors."""

    request: BuildRequest
    invocations: list[InvocationResult]
    row_counts: list[TableRowCounts] | None
    row_counts_note: str | None
    elapsed_s: float

    @property
    def success(self) -> bool:
        return all(invocation.success for invocation in self.invocations)

    @property
    def nodes(self) -> list[NodeOutcome]:
        return [node for invocation in self.invocations for node in invocation.nodes]

    @property
    def errors(self) -> list[str]:
        return [error for invocation in self.invocations for error in invocation.errors]


class ExtractsDirError(ValueError):
    """The extracts folder does not exist."""


# The bundled sample; the other seeds (seeds/reference: the KPI catalog) are always loaded.
SAMPLE_SEEDS = "path:seeds/crm_sample"


def build_steps(request: BuildRequest) -> list[tuple[str, list[str]]]:
    """The dbt commands of a build.

    Bundled sample: `dbt seed` (every seed), then `dbt build` without seeds.
    Extracts folder: `dbt build` alone, leaving out the sample seeds (the models read the files;
    the reference seeds are loaded by the build as part of the DAG).
    """
    common = {
        "vars": request.vars,
        "threads": request.threads,
        "target_path": request.target_path,
        "log_path": request.log_path,
        "show_dbt_log": request.show_dbt_log,
    }
    if request.extracts_dir is None:
        return [
            (
                "dbt seed (bundled sample and reference data)",
                dbt_args("seed", request.project_dir, **common),
            ),
            (
                "dbt build (extracts: bundled sample)",
                dbt_args(
                    "build",
                    request.project_dir,
                    select=request.select,
                    exclude_resource_types=("seed", *request.exclude_resource_types),
                    full_refresh=not request.incremental,
                    **common,
                ),
            ),
        ]
    build = dbt_args(
        "build",
        request.project_dir,
        select=request.select,
        exclude=(SAMPLE_SEEDS,),
        exclude_resource_types=tuple(request.exclude_resource_types),
        full_refresh=not request.incremental,
        **common,
    )
    return [(f"dbt build (extracts: {request.extracts_dir})", build)]


def build_warehouse(request: BuildRequest, progress: ProgressPrinter | None = None) -> BuildOutcome:
    """Run the build; stop after the first failing dbt command."""
    if request.extracts_dir is not None and not request.extracts_dir.is_dir():
        raise ExtractsDirError(f"Extracts folder {request.extracts_dir} does not exist.")
    request.database.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    callbacks: list[EventCallback] = [progress] if progress is not None else []
    invocations: list[InvocationResult] = []
    env = invocation_env(request.database, request.extracts_dir)
    with temporary_environment(env, cwd=request.project_dir):
        for title, args in build_steps(request):
            manifest, failed_parse = _parsed_manifest(request)
            if failed_parse is not None:
                invocations.append(failed_parse)
                break
            if progress is not None:
                progress.start_phase(title)
            invocation = invoke_dbt(args, callbacks, manifest)
            if progress is not None:
                progress.finish_phase()
            invocations.append(invocation)
            if not invocation.success:
                break
    row_counts, note = _row_counts(request.database)
    return BuildOutcome(
        request=request,
        invocations=invocations,
        row_counts=row_counts,
        row_counts_note=note,
        elapsed_s=time.monotonic() - started,
    )


def _parsed_manifest(request: BuildRequest) -> tuple[Any, InvocationResult | None]:
    """The manifest from the request's cache (None without a cache: dbt parses itself)."""
    if request.manifests is None:
        return None, None
    parse_args = dbt_args(
        "parse",
        request.project_dir,
        vars=request.vars,
        target_path=request.target_path,
        log_path=request.log_path,
    )
    return request.manifests.manifest(request.project_dir, request.database, parse_args)


def _row_counts(database: Path) -> tuple[list[TableRowCounts] | None, str | None]:
    try:
        with open_read_only(database) as connection:
            counts = read_row_counts(connection)
    except WarehouseError as exc:
        return None, str(exc)
    if counts is None:
        return None, "staging.stg_crm__row_counts is not in the database (not built yet)."
    return counts, None
