"""`crm-kpi`: build and validate the CRM KPI warehouse.

A thin orchestration layer over dbt (all business logic lives in the dbt project):

    crm-kpi build [--extracts DIR] [--database PATH] [--var KEY=VALUE ...] [--threads N]
                  [--select SELECTOR ...]
    crm-kpi validate [--database PATH]
    crm-kpi export [--database PATH] [--out DIR]     (the marts as Parquet files)
    crm-kpi report [--database PATH] [--out FILE]    (the static HTML dashboard)
    crm-kpi check DIR [--var KEY=VALUE ...]          (validate extracts without building)
    crm-kpi generate ...        (synthetic extracts; see `crm-kpi generate --help`)

Exit codes: 0 success, 1 build or validation failed, 2 usage or set-up error, 130 interrupted,
143 terminated (SIGTERM).

`build` is blue/green: it builds into `<db>.building.duckdb` and moves it over the published
file only when every model and test succeeded; one build per published file at a time
(crm_kpi.publish).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from functools import partial, update_wrapper
from pathlib import Path

from crm_kpi.build import BuildOutcome, BuildRequest, ExtractsDirError
from crm_kpi.checks import check_kpis_independently, check_row_reconciliation, run_checks
from crm_kpi.dbt_invoke import VarSyntaxError, parse_var_assignments, unknown_var_keys
from crm_kpi.progress import ProgressPrinter
from crm_kpi.project import (
    ENV_DUCKDB_PATH,
    ENV_EXTRACTS_DIR,
    ProjectNotFoundError,
    find_project_dir,
    project_vars,
    resolve_database_path,
    resolve_extracts_dir,
)
from crm_kpi.publish import (
    BuildInProgressError,
    BuildTerminated,
    PublishError,
    build_and_publish,
    settings_file,
    terminate_on_sigterm,
)
from crm_kpi.summary import (
    format_duration,
    format_row_counts,
    format_table,
    format_tally,
    tally_nodes,
)
from crm_kpi.warehouse import WarehouseError, open_read_only

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM
MAX_ERRORS_SHOWN = 15
DEFAULT_EXPORT_DIR = "target/exports"
DEFAULT_REPORT_FILE = "target/crm_kpi_report.html"


class UsageError(Exception):
    """A problem with the command line or the set-up; the message says what to do."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm-kpi",
        description="Build and validate the CRM KPI warehouse (dbt + DuckDB).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser(
        "build",
        help="load the extracts and build every model and test (dbt seed + dbt build)",
        description="Build the warehouse from the bundled sample (default) or a folder of "
        "CSV/Parquet extracts.",
    )
    build.add_argument(
        "--extracts",
        metavar="DIR",
        help=f"folder of <table>.csv / <table>.parquet extracts (default: ${ENV_EXTRACTS_DIR}, "
        "else the bundled sample in seeds/crm_sample)",
    )
    _add_database_option(build)
    build.add_argument(
        "--var",
        dest="vars",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting of dbt_project.yml, e.g. --var baseline_months=12 (repeatable)",
    )
    build.add_argument("--threads", type=_positive_int, metavar="N", help="dbt threads")
    build.add_argument(
        "--target",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="engine: duckdb (default, blue/green publishing of the file) or spark (loads the "
        "extracts into Spark, then builds there; needs `make spark-setup`, docs/scale-out.md)",
    )
    build.add_argument(
        "--select", nargs="+", default=[], metavar="SELECTOR", help="dbt node selection"
    )
    build.add_argument(
        "--incremental",
        action="store_true",
        help="update the large facts with their new and changed rows only (the next extract of "
        "the same source and settings); default: rebuild everything",
    )
    build.add_argument(
        "--models-only",
        action="store_true",
        help="build the models without running the data and unit tests (for timing and "
        "quick looks; a build without tests is not validated)",
    )
    build.add_argument(
        "-q", "--quiet", action="store_true", help="print only the nodes that failed or warned"
    )
    build.add_argument(
        "--dbt-log",
        action="store_true",
        help="show dbt's own console output instead of the compact progress lines",
    )

    validate = commands.add_parser(
        "validate",
        help="check a built warehouse (row reconciliation, ...)",
        description="Run the validation checks against a built warehouse (read-only).",
    )
    _add_database_option(validate)
    validate.add_argument(
        "--var",
        dest="vars",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="the settings the warehouse was built with (default: those `crm-kpi build` "
        "recorded beside the database)",
    )

    export = commands.add_parser(
        "export",
        help="write every mart as a Parquet file (plus kpi_values partitioned by kpi_id)",
        description="Export the marts of a built warehouse (read-only) as Parquet files: "
        "<out>/marts/<table>.parquet and <out>/kpi_values_by_kpi/kpi_id=<id>/.",
    )
    _add_database_option(export)
    export.add_argument(
        "--out",
        metavar="DIR",
        help=f"output folder (default: {DEFAULT_EXPORT_DIR} in the project)",
    )

    report = commands.add_parser(
        "report",
        help="write the KPI dashboard as one self-contained HTML file",
        description="Generate the static HTML dashboard (opens from disk, works offline) from "
        "a built warehouse (read-only).",
    )
    _add_database_option(report)
    report.add_argument(
        "--out",
        metavar="FILE",
        help=f"HTML file to write (default: {DEFAULT_REPORT_FILE} in the project)",
    )

    check = commands.add_parser(
        "check",
        help="validate a folder of extracts against the contract, without building",
        description="Check a folder of CSV/Parquet extracts with the staging rules (the staging "
        "layer is built into a temporary database, then deleted) and print a per-file report. "
        "Exit code 1 on blocking problems (missing required file or column, unreadable file); "
        "0 when only row-level problems exist (those rows would be quarantined).",
    )
    check.add_argument("extracts", metavar="DIR", help="folder of <table>.csv / .parquet files")
    check.add_argument(
        "--var",
        dest="vars",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting the rules depend on, e.g. --var reporting_currency=EUR (repeatable)",
    )

    commands.add_parser(
        "generate",
        add_help=False,
        help="generate synthetic CRM extracts (crm-kpi generate --help)",
    )
    return parser


def _add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="PATH",
        help=f"DuckDB file (default: ${ENV_DUCKDB_PATH}, else target/crm_kpi.duckdb in the "
        "project)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `crm-kpi` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list[:1] == ["generate"]:
            return run_generate(args_list[1:])
        args = build_parser().parse_args(args_list)
        if args.command == "build":
            return run_build(args)
        if args.command == "export":
            return run_export(args)
        if args.command == "report":
            return run_report(args)
        if args.command == "check":
            return run_check(args)
        return run_validate(args)
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except BuildTerminated:
        _error("terminated (SIGTERM); the published warehouse was left as it was.")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        _error("interrupted.")
        return EXIT_INTERRUPTED


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)


def _project_dir() -> Path:
    try:
        return find_project_dir()
    except ProjectNotFoundError as exc:
        raise UsageError(str(exc)) from exc


def _build_request(args: argparse.Namespace, project_dir: Path) -> BuildRequest:
    try:
        variables = parse_var_assignments(args.vars)
    except VarSyntaxError as exc:
        raise UsageError(str(exc)) from exc
    unknown = unknown_var_keys(variables, project_vars(project_dir))
    if unknown:
        print(
            f"warning: not a setting in dbt_project.yml (typo?): {', '.join(unknown)}",
            file=sys.stderr,
        )
    return BuildRequest(
        project_dir=project_dir,
        database=resolve_database_path(args.database, project_dir),
        extracts_dir=resolve_extracts_dir(args.extracts),
        vars=variables,
        threads=args.threads,
        select=tuple(args.select),
        show_dbt_log=args.dbt_log,
        incremental=args.incremental,
        exclude_resource_types=("test", "unit_test") if args.models_only else (),
    )


def run_build(args: argparse.Namespace) -> int:
    project_dir = _project_dir()
    request = _build_request(args, project_dir)
    on_spark = getattr(args, "target", "duckdb") == "spark"
    _print_header(request, on_spark)
    progress = None if request.show_dbt_log else ProgressPrinter(quiet=args.quiet)
    try:
        with terminate_on_sigterm():
            if on_spark:
                outcome = _build_on_spark(request, progress)
            else:
                outcome = build_and_publish(request, progress)
    except ExtractsDirError as exc:
        raise UsageError(
            f"{exc} Pass an existing folder to --extracts (or fix ${ENV_EXTRACTS_DIR})."
        ) from exc
    except (PublishError, BuildInProgressError) as exc:
        _error(str(exc))
        return EXIT_FAILED
    _print_build_summary(outcome, SPARK_LOCATION if on_spark else str(request.database))
    return EXIT_OK if outcome.success else EXIT_FAILED


def _build_on_spark(request: BuildRequest, progress: ProgressPrinter | None) -> BuildOutcome:
    from crm_kpi.spark_loader import SparkUnavailableError, build_on_spark

    try:
        return build_on_spark(request, progress)
    except SparkUnavailableError as exc:
        raise UsageError(str(exc)) from exc


def _settings_file(database: Path) -> Path:
    """Where `build` records the --var settings (written by crm_kpi.publish)."""
    return settings_file(database)


def _validation_settings(args: argparse.Namespace, database: Path) -> dict[str, object]:
    if args.vars:
        return dict(parse_var_assignments(args.vars))
    recorded = _settings_file(database)
    return json.loads(recorded.read_text()) if recorded.exists() else {}


# where a Spark build's tables are (session mode; profiles.yml, docs/scale-out.md)
SPARK_LOCATION = "Spark (target spark; tables in target/spark unless CRM_SPARK_DIR is set)"


def _print_header(request: BuildRequest, on_spark: bool = False) -> None:
    extracts = request.extracts_dir or "bundled sample (seeds/crm_sample)"
    print(f"project:  {request.project_dir}")
    print(f"database: {SPARK_LOCATION if on_spark else request.database}")
    print(f"extracts: {extracts}")
    if request.vars:
        print(f"vars:     {json.dumps(dict(request.vars), sort_keys=True)}")
    print(flush=True)


def _print_build_summary(outcome: BuildOutcome, location: str) -> None:
    print()
    if outcome.success:
        if outcome.row_counts is not None:
            print("Rows per table")
            print(format_row_counts(outcome.row_counts))
        else:
            print(f"Rows per table: not available ({outcome.row_counts_note})")
        print()
    if outcome.nodes:
        print(format_tally(tally_nodes(outcome.nodes)))
    print(f"Elapsed: {format_duration(outcome.elapsed_s)}")
    if outcome.success:
        print(f"Build OK: {location}", flush=True)
        return
    sys.stdout.flush()
    failed = next(inv.command for inv in outcome.invocations if not inv.success)
    _error(f"dbt {failed} failed.")
    for message in outcome.errors[:MAX_ERRORS_SHOWN]:
        print(_indent(message), file=sys.stderr)
    hidden = len(outcome.errors) - MAX_ERRORS_SHOWN
    if hidden > 0:
        print(f"  ... and {hidden} more failures (all of them are in dbt.log)", file=sys.stderr)
    log_dir = outcome.request.log_path or outcome.request.project_dir / "logs"
    print(
        f"Fix the problem above and run the build again; dbt's full log: {log_dir / 'dbt.log'}",
        file=sys.stderr,
        flush=True,
    )


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join((prefix + line).rstrip() for line in text.splitlines())


def run_validate(args: argparse.Namespace) -> int:
    database = resolve_database_path(args.database, _project_dir())
    try:
        overrides = _validation_settings(args, database)
        checks = (
            check_row_reconciliation,
            update_wrapper(
                partial(check_kpis_independently, overrides=overrides), check_kpis_independently
            ),
        )
        with open_read_only(database) as connection:
            results = run_checks(connection, checks)
    except WarehouseError as exc:
        raise UsageError(str(exc)) from exc
    print(f"database: {database}\n")
    for result in results:
        print(f"[{'PASS' if result.passed else 'FAIL'}] {result.name}: {result.summary}")
        if result.rows:
            print(_indent(format_table(result.headers, result.rows)))
        print()
    failed = [result.name for result in results if not result.passed]
    if failed:
        _error(f"{len(failed)} of {len(results)} checks failed: {'; '.join(failed)}")
        return EXIT_FAILED
    print(f"Validation OK: {len(results)} of {len(results)} checks passed.", flush=True)
    return EXIT_OK


def _output_path(value: str | None, default: str, project_dir: Path) -> Path:
    return Path(value).expanduser().resolve() if value else project_dir / default


def run_export(args: argparse.Namespace) -> int:
    from crm_kpi.export import export_marts

    project_dir = _project_dir()
    database = resolve_database_path(args.database, project_dir)
    out_dir = _output_path(args.out, DEFAULT_EXPORT_DIR, project_dir)
    try:
        result = export_marts(database, out_dir)
    except WarehouseError as exc:
        raise UsageError(str(exc)) from exc
    rows: list[tuple[str, int, str]] = [
        (item.table, item.rows, str(item.path)) for item in result.files
    ]
    partitioned = result.partitioned
    rows.append(
        (
            f"{partitioned.table} ({result.partitions} partitions)",
            partitioned.rows,
            str(partitioned.path),
        )
    )
    print(f"database: {database}\n")
    print(format_table(("table", "rows", "file"), rows))
    print(f"\nExport OK: {len(result.files)} marts written to {out_dir}", flush=True)
    return EXIT_OK


def run_report(args: argparse.Namespace) -> int:
    from crm_kpi.report import write_report

    project_dir = _project_dir()
    database = resolve_database_path(args.database, project_dir)
    out_file = _output_path(args.out, DEFAULT_REPORT_FILE, project_dir)
    try:
        summary = write_report(database, out_file)
    except WarehouseError as exc:
        raise UsageError(str(exc)) from exc
    print(f"database: {database}")
    print(summary)
    print(f"Report OK: {out_file.as_uri()}", flush=True)
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    from crm_kpi.check import check_extracts, format_report

    project_dir = _project_dir()
    extracts_dir = resolve_extracts_dir(args.extracts)
    if extracts_dir is None or not extracts_dir.is_dir():
        raise UsageError(f"Extracts folder {args.extracts} does not exist.")
    try:
        variables = parse_var_assignments(args.vars)
    except VarSyntaxError as exc:
        raise UsageError(str(exc)) from exc
    result = check_extracts(project_dir, extracts_dir, variables)
    print(format_report(result), flush=True)
    if not result.ok:
        _error(f"{len(result.blocking)} blocking problem(s): a build of {extracts_dir} would stop.")
        return EXIT_FAILED
    print(f"Check OK ({format_duration(result.elapsed_s)}).", flush=True)
    return EXIT_OK


def run_generate(argv: Sequence[str]) -> int:
    """Delegate to crm_kpi.generator.main (imported only when asked for)."""
    try:
        from crm_kpi import generator
    except ModuleNotFoundError as exc:
        if exc.name != "crm_kpi.generator":
            raise
        raise UsageError("the generator (crm_kpi.generator) is not installed.") from exc
    result = generator.main(list(argv))
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
