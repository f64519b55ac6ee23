"""Unit tests of the runner's pure functions (no dbt run)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from crm_kpi import cli
from crm_kpi.build import BuildRequest, build_steps
from crm_kpi.checks import CheckResult, check_row_reconciliation, run_checks
from crm_kpi.dbt_invoke import (
    NodeOutcome,
    VarSyntaxError,
    dbt_args,
    error_messages,
    invocation_env,
    parse_var_assignment,
    parse_var_assignments,
    parse_var_value,
    strip_ansi,
    temporary_environment,
    unknown_var_keys,
)
from crm_kpi.progress import ProgressPrinter, progress_line, status_label
from crm_kpi.project import (
    ProjectNotFoundError,
    find_project_dir,
    is_project_dir,
    project_vars,
    resolve_database_path,
    resolve_extracts_dir,
)
from crm_kpi.summary import format_duration, format_table, format_tally, tally_nodes
from crm_kpi.warehouse import TableRowCounts, read_row_counts

# --- --var parsing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("-3", -3),
        ("0", 0),
        ("0.5", 0.5),
        ("1e3", 1000.0),
        ("true", True),
        ("FALSE", False),
        ("null", None),
        ("2024-04-01", "2024-04-01"),
        ("USD", "USD"),
        ("007", "007"),  # leading zeros: an identifier, not a number
        ("09:00", "09:00"),
        ("[1, 2, 3]", [1, 2, 3]),
        ('{"a": 1}', {"a": 1}),
        ('"42"', "42"),  # JSON quotes force text
        ("[not json", "[not json"),
        ("", ""),
        ("gross_profit", "gross_profit"),
    ],
)
def test_parse_var_value(text: str, expected: object) -> None:
    value = parse_var_value(text)
    assert value == expected
    assert type(value) is type(expected)


def test_parse_var_assignment_splits_on_the_first_equals() -> None:
    assert parse_var_assignment("pii_hash_key=a=b") == ("pii_hash_key", "a=b")
    assert parse_var_assignment(" baseline_months =12") == ("baseline_months", 12)


@pytest.mark.parametrize("bad", ["baseline_months", "=12", "1abc=2", "a b=1"])
def test_parse_var_assignment_rejects_malformed_input(bad: str) -> None:
    with pytest.raises(VarSyntaxError, match="KEY=VALUE"):
        parse_var_assignment(bad)


def test_parse_var_assignments_last_value_wins() -> None:
    assert parse_var_assignments(["a=1", "b=x", "a=2"]) == {"a": 2, "b": "x"}


def test_unknown_var_keys() -> None:
    known = {"baseline_months": 6, "as_of_date": None}
    assert unknown_var_keys({"baseline_months": 1, "as_of": "x", "zz": 1}, known) == [
        "as_of",
        "zz",
    ]


# --- dbt arguments and environment ---------------------------------------------------------


def test_dbt_args_minimal(tmp_path: Path) -> None:
    args = dbt_args("seed", tmp_path)
    assert args[:5] == ["seed", "--project-dir", str(tmp_path), "--profiles-dir", str(tmp_path)]
    assert "--vars" not in args
    assert args[-4:] == ["--log-level", "none", "--log-level-file", "debug"]


def test_dbt_args_full(tmp_path: Path) -> None:
    args = dbt_args(
        "build",
        tmp_path,
        vars={"baseline_months": 12, "as_of_date": None},
        threads=4,
        select=["staging", "+kpi_values"],
        exclude_resource_types=["seed"],
        target_path=tmp_path / "t",
        log_path=tmp_path / "l",
        show_dbt_log=True,
    )
    vars_json = args[args.index("--vars") + 1]
    assert json.loads(vars_json) == {"baseline_months": 12, "as_of_date": None}
    assert args[args.index("--threads") + 1] == "4"
    select_at = args.index("--select")
    assert args[select_at + 1 : select_at + 3] == ["staging", "+kpi_values"]
    assert args[args.index("--exclude-resource-type") + 1] == "seed"
    assert args[args.index("--target-path") + 1] == str(tmp_path / "t")
    assert args[args.index("--log-path") + 1] == str(tmp_path / "l")
    assert "--log-level" not in args


def test_build_steps_for_the_sample(tmp_path: Path) -> None:
    request = BuildRequest(project_dir=tmp_path, database=tmp_path / "w.duckdb", select=("a",))
    (seed_title, seed), (_, build) = build_steps(request)
    assert seed[0] == "seed" and "--select" not in seed
    assert "sample" in seed_title
    assert build[0] == "build"
    assert build[build.index("--select") + 1] == "a"
    assert build[build.index("--exclude-resource-type") + 1] == "seed"


def test_build_steps_for_an_extracts_folder(tmp_path: Path) -> None:
    request = BuildRequest(
        project_dir=tmp_path, database=tmp_path / "w.duckdb", extracts_dir=tmp_path
    )
    ((title, build),) = build_steps(request)
    assert str(tmp_path) in title
    assert build[0] == "build"
    # the reference seeds are still built; the bundled sample is not loaded
    assert build[build.index("--exclude") + 1] == "path:seeds/crm_sample"
    assert "--exclude-resource-type" not in build


def test_build_steps_refresh_the_incremental_facts_unless_asked(tmp_path: Path) -> None:
    """A build rebuilds everything by default (it starts from a copy of the published file,
    which may hold other extracts or settings); --incremental leaves dbt's incremental runs."""
    for extracts in (None, tmp_path):
        request = BuildRequest(
            project_dir=tmp_path, database=tmp_path / "w.duckdb", extracts_dir=extracts
        )
        build = build_steps(request)[-1][1]
        assert "--full-refresh" in build
        incremental = BuildRequest(
            project_dir=tmp_path, database=tmp_path / "w.duckdb", extracts_dir=extracts,
            incremental=True,
        )  # fmt: skip
        assert "--full-refresh" not in build_steps(incremental)[-1][1]
    # the sample's seed step is never a full refresh
    assert "--full-refresh" not in build_steps(BuildRequest(tmp_path, tmp_path / "w"))[0][1]


def test_invocation_env_removes_extracts_dir_for_the_sample(tmp_path: Path) -> None:
    env = invocation_env(tmp_path / "w.duckdb", None)
    assert env == {"CRM_DUCKDB_PATH": str(tmp_path / "w.duckdb"), "CRM_EXTRACTS_DIR": None}
    assert invocation_env(tmp_path / "w.duckdb", tmp_path)["CRM_EXTRACTS_DIR"] == str(tmp_path)


def test_temporary_environment_restores_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRM_EXTRACTS_DIR", "/somewhere")
    monkeypatch.delenv("CRM_DUCKDB_PATH", raising=False)
    before = Path.cwd()
    with temporary_environment(
        {"CRM_EXTRACTS_DIR": None, "CRM_DUCKDB_PATH": "x.duckdb"}, cwd=tmp_path
    ):
        assert "CRM_EXTRACTS_DIR" not in os.environ
        assert os.environ["CRM_DUCKDB_PATH"] == "x.duckdb"
        assert Path.cwd() == tmp_path.resolve()
    assert os.environ["CRM_EXTRACTS_DIR"] == "/somewhere"
    assert "CRM_DUCKDB_PATH" not in os.environ
    assert Path.cwd() == before


# --- project location and paths ------------------------------------------------------------


def _fake_project(root: Path, name: str = "crm_kpi") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "dbt_project.yml").write_text(
        f"name: {name}\nvars:\n  baseline_months: 6\n", encoding="utf-8"
    )
    return root


def test_find_project_dir_prefers_the_environment(tmp_path: Path) -> None:
    root = _fake_project(tmp_path / "proj")
    assert find_project_dir(env={"CRM_PROJECT_DIR": str(root)}) == root.resolve()


def test_find_project_dir_rejects_a_wrong_override(tmp_path: Path) -> None:
    _fake_project(tmp_path / "other", name="other_project")
    with pytest.raises(ProjectNotFoundError, match="CRM_PROJECT_DIR"):
        find_project_dir(env={"CRM_PROJECT_DIR": str(tmp_path / "other")})


def test_find_project_dir_walks_up_from_the_package(tmp_path: Path) -> None:
    root = _fake_project(tmp_path / "proj")
    package_file = root / "scripts" / "crm_kpi" / "cli.py"
    found = find_project_dir(env={}, package_file=package_file, cwd=tmp_path)
    assert found == root.resolve()


def test_find_project_dir_explains_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFoundError, match="CRM_PROJECT_DIR"):
        find_project_dir(env={}, package_file=tmp_path / "a" / "b.py", cwd=tmp_path)


def test_the_real_project_is_found() -> None:
    root = find_project_dir()
    assert is_project_dir(root)
    assert "crm_go_live_date" in project_vars(root)


def test_resolve_database_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_database_path(None, tmp_path / "p", env={}) == (
        tmp_path / "p" / "target" / "crm_kpi.duckdb"
    )
    assert resolve_database_path(None, tmp_path, env={"CRM_DUCKDB_PATH": "e.duckdb"}) == (
        tmp_path / "e.duckdb"
    )
    assert resolve_database_path("x.duckdb", tmp_path, env={"CRM_DUCKDB_PATH": "e"}) == (
        tmp_path / "x.duckdb"
    )


def test_resolve_extracts_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_extracts_dir(None, env={}) is None
    assert resolve_extracts_dir(None, env={"CRM_EXTRACTS_DIR": ""}) is None
    assert resolve_extracts_dir(None, env={"CRM_EXTRACTS_DIR": "in"}) == tmp_path / "in"
    assert resolve_extracts_dir("mine", env={"CRM_EXTRACTS_DIR": "in"}) == tmp_path / "mine"


# --- results, summaries, progress ----------------------------------------------------------


def _node(resource_type: str, status: str, name: str = "n", message: str = "") -> NodeOutcome:
    return NodeOutcome(
        unique_id=f"{resource_type}.crm_kpi.{name}",
        name=name,
        resource_type=resource_type,
        status=status,
        message=message,
        failures=None,
        execution_time=0.1,
    )


def test_tally_nodes() -> None:
    nodes = [
        _node("seed", "success"),
        _node("model", "success"),
        _node("model", "success"),
        _node("model", "error"),
        _node("test", "pass"),
        _node("test", "warn"),
        _node("test", "fail"),
        _node("unit_test", "pass"),
        _node("model", "skipped"),
        _node("snapshot", "error"),
    ]
    tally = tally_nodes(nodes)
    assert (tally.seeds_loaded, tally.models_built, tally.models_failed) == (1, 2, 1)
    assert (tally.tests_passed, tally.tests_warned, tally.tests_failed) == (2, 1, 1)
    assert (tally.skipped, tally.other_errors) == (1, 1)
    assert tally.failed


def test_format_tally_leaves_out_seeds_when_none_ran() -> None:
    with_seed = format_tally(tally_nodes([_node("seed", "success"), _node("model", "success")]))
    without = format_tally(tally_nodes([_node("model", "success"), _node("test", "warn")]))
    assert with_seed.startswith("Models: 1 built, 0 failed | Seeds: 1 loaded | Tests: 0 passed")
    assert without == "Models: 1 built, 0 failed | Tests: 0 passed, 1 warned, 0 failed"


def test_error_messages_carry_dbt_text() -> None:
    message = (
        "Compilation Error in model base_crm__customers\n"
        "  Extract customers.csv: required column 'created_at' is missing"
    )
    nodes = [_node("model", "error", "base_crm__customers", message), _node("test", "pass")]
    errors = error_messages(nodes, RuntimeError("\x1b[31mParsing failed\x1b[0m"))
    assert len(errors) == 2
    assert errors[0].startswith("model base_crm__customers: ERROR")
    assert "required column 'created_at' is missing" in errors[0]
    assert errors[1] == "Parsing failed"


def test_strip_ansi() -> None:
    assert strip_ansi("\x1b[33mWARNING\x1b[0m: x") == "WARNING: x"


def test_status_labels() -> None:
    assert status_label("success") == "OK"
    assert status_label("warn", 3) == "WARN 3"
    assert status_label("fail", 2) == "FAIL 2"
    assert status_label("pass", 0) == "PASS"
    assert status_label("weird") == "WEIRD"


def test_progress_line() -> None:
    line = progress_line(3, 120, "model", "stg_crm__customers", "OK", 0.42)
    assert line.startswith("[  3/120] model  stg_crm__customers ")
    assert line.endswith(" OK 0.4s")
    assert progress_line(1, None, "seed", "users", "OK", 1.0).startswith("[1] seed")
    long_name = "accepted_values_stg_crm__quarantined_rows_table_name__" + "x" * 200
    assert len(progress_line(1, 9, "test", long_name, "PASS", 0.1)) < 100


def _event(name: str, level: str = "debug", msg: str = "", **data: object) -> SimpleNamespace:
    return SimpleNamespace(
        info=SimpleNamespace(name=name, level=level, msg=msg), data=SimpleNamespace(**data)
    )


def _finished(name: str, status: str, failures: int = 0) -> SimpleNamespace:
    return _event(
        "NodeFinished",
        node_info=SimpleNamespace(node_name=name, resource_type="test", node_status=status),
        run_result=SimpleNamespace(status=status, execution_time=0.2, num_failures=failures),
    )


def test_progress_printer_counts_and_quiet_mode() -> None:
    out = io.StringIO()
    printer = ProgressPrinter(stream=out, quiet=True)
    printer.start_phase("dbt build")
    printer(_event("LogStartLine", level="info", total=2))
    printer(_finished("a", "pass"))
    printer(_finished("b", "warn", failures=4))
    printer(_event("SomeDeprecation", level="warn", msg="\x1b[33mold syntax\x1b[0m"))
    printer(_event("SomeDeprecation", level="warn", msg="old syntax"))  # printed once
    lines = out.getvalue().splitlines()
    assert lines[0] == "dbt build"
    assert lines[1].startswith("[2/2] test   b ") and lines[1].endswith("WARN 4 0.2s")
    assert lines[2:] == ["dbt warn: old syntax"]


def test_progress_printer_caps_repeated_warnings() -> None:
    out = io.StringIO()
    printer = ProgressPrinter(stream=out)
    for number in range(5):
        printer(_event("DeprecatedReference", level="warn", msg=f"old ref {number}"))
    printer.finish_phase()
    lines = out.getvalue().splitlines()
    assert lines == [
        "dbt warn: old ref 0",
        "dbt warn: old ref 1",
        "dbt warn: old ref 2",
        "dbt: 2 more DeprecatedReference message(s) not shown; see dbt.log",
    ]


def test_progress_printer_never_raises() -> None:
    out = io.StringIO()
    ProgressPrinter(stream=out)(_event("NodeFinished"))  # no node_info: a malformed event
    assert "progress display error" in out.getvalue()


def test_format_table_aligns_numbers_right() -> None:
    table = format_table(("table", "raw"), [("customers", 1200), ("leads", 7), ("x", None)])
    assert table.splitlines() == [
        "table      raw",
        "---------  ----",
        "customers  1200",
        "leads         7",
        "x          -",
    ]


def test_format_duration() -> None:
    assert format_duration(4.25) == "4.2s"
    assert format_duration(185) == "3m 05s"


# --- validate ------------------------------------------------------------------------------


def _warehouse_with_counts(path: Path, rows: list[tuple[object, ...]]) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema staging")
        connection.execute(
            "create table staging.stg_crm__row_counts (table_name varchar, raw_rows bigint, "
            "staged_rows bigint, quarantined_rows bigint, duplicate_rows bigint)"
        )
        connection.executemany(
            "insert into staging.stg_crm__row_counts values (?, ?, ?, ?, ?)", rows
        )
    return path


def test_row_counts_reconcile() -> None:
    assert TableRowCounts("t", 10, 7, 3, 1).reconciles
    assert not TableRowCounts("t", 10, 7, 2, 0).reconciles
    assert not TableRowCounts("t", None, 0, 0, 0).reconciles


def test_reconciliation_check(tmp_path: Path) -> None:
    path = _warehouse_with_counts(
        tmp_path / "w.duckdb", [("customers", 10, 8, 2, 1), ("orders", 5, 3, 1, 0)]
    )
    with duckdb.connect(str(path), read_only=True) as connection:
        result = check_row_reconciliation(connection)
        counts = read_row_counts(connection)
    assert not result.passed
    assert "orders" in result.summary and "customers" not in result.summary
    assert [row[-1] for row in result.rows] == ["ok", "MISMATCH"]
    assert counts is not None and counts[0] == TableRowCounts("customers", 10, 8, 2, 1)


def test_reconciliation_check_without_the_model() -> None:
    with duckdb.connect() as connection:
        result = check_row_reconciliation(connection)
        assert read_row_counts(connection) is None
    assert not result.passed
    assert "crm-kpi build" in result.summary


def test_run_checks_reports_a_broken_check_as_failed() -> None:
    def broken(connection: duckdb.DuckDBPyConnection) -> CheckResult:
        """a check whose query fails"""
        connection.execute("select * from no_such_table")
        raise AssertionError("unreachable")

    with duckdb.connect() as connection:
        (result,) = run_checks(connection, [broken])
    assert not result.passed
    assert result.name == "a check whose query fails"


@pytest.mark.parametrize("rows", [[("customers", 3, 2, 1, 0)], [("customers", 3, 2, 0, 0)]])
def test_cli_validate_fails_without_kpis_or_reconciliation(
    tmp_path: Path, rows: list[tuple[object, ...]], capsys: pytest.CaptureFixture
) -> None:
    """Row counts alone are not a validated warehouse: the KPI check fails without kpi_values
    (exit 0 on a full warehouse is tested in test_validator.py)."""
    path = _warehouse_with_counts(tmp_path / "w.duckdb", rows)
    assert cli.main(["validate", "--database", str(path)]) == 1
    output = capsys.readouterr().out
    assert "customers" in output
    assert "marts.kpi_values not found" in output


def test_cli_validate_without_a_database(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["validate", "--database", str(tmp_path / "none.duckdb")]) == 2
    assert "crm-kpi build" in capsys.readouterr().err


# --- command line --------------------------------------------------------------------------


def test_cli_build_arguments() -> None:
    args = cli.build_parser().parse_args(
        ["build", "--var", "a=1", "--var", "b=x", "--threads", "3", "--select", "s1", "s2"]
    )
    assert args.vars == ["a=1", "b=x"]
    assert args.threads == 3
    assert args.select == ["s1", "s2"]
    assert args.extracts is None and args.database is None


def test_cli_rejects_bad_threads() -> None:
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["build", "--threads", "0"])


def test_cli_bad_var_is_a_usage_error(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["build", "--var", "oops"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_cli_missing_extracts_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "nope"
    code = cli.main(["build", "--extracts", str(missing), "--database", str(tmp_path / "d")])
    assert code == 2
    assert str(missing) in capsys.readouterr().err
