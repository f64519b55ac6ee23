"""The example queries of analyses/ compile with dbt and return rows on the sample warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from crm_kpi.dbt_invoke import dbt_args, invocation_env, invoke_dbt, temporary_environment

MIN_ANALYSES = 6


def _reuse_partial_parse(dbt_work_dir: Path, target_path: Path) -> None:
    """Start from the session build's parse (same project, vars and database: no re-parse)."""
    state = dbt_work_dir / "target" / "partial_parse.msgpack"
    target_path.mkdir(parents=True, exist_ok=True)
    if state.is_file():
        shutil.copyfile(state, target_path / state.name)


@pytest.fixture(scope="module")
def compiled_analyses(
    warehouse: Path, project_dir: Path, dbt_work_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    work = tmp_path_factory.mktemp("analyses")
    target_path = work / "target"
    _reuse_partial_parse(dbt_work_dir, target_path)
    args = dbt_args(
        "compile",
        project_dir,
        select=["resource_type:analysis"],
        target_path=target_path,
        log_path=work / "logs",
    )
    with temporary_environment(invocation_env(warehouse, None), cwd=project_dir):
        result = invoke_dbt(args)
    assert result.success, "\n".join(result.errors)
    compiled = target_path / "compiled" / "crm_kpi" / "analyses"
    return {path.stem: path.read_text() for path in sorted(compiled.glob("*.sql"))}


def test_every_analysis_compiles(project_dir: Path, compiled_analyses: dict[str, str]) -> None:
    sources = {path.stem for path in (project_dir / "analyses").glob("*.sql")}
    assert len(sources) >= MIN_ANALYSES
    assert set(compiled_analyses) == sources
    for name, sql in compiled_analyses.items():
        assert "{{" not in sql and "ref(" not in sql, name
        assert '"marts"' in sql or "marts." in sql, f"{name} does not read the marts"


def test_every_analysis_has_a_header_comment(project_dir: Path) -> None:
    for path in sorted((project_dir / "analyses").glob("*.sql")):
        header = path.read_text().splitlines()[:3]
        assert header and all(line.startswith("--") for line in header[:2]), path.name


def test_every_analysis_returns_rows(warehouse: Path, compiled_analyses: dict[str, str]) -> None:
    empty = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for name, sql in compiled_analyses.items():
            cursor = connection.execute(sql)
            rows = cursor.fetchall()
            if not rows:
                empty.append(name)
    assert not empty, f"analyses without rows on the sample: {empty}"
