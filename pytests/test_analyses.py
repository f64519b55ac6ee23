"""The example queries of analyses/ compile with dbt and return rows on the sample warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from crm_kpi.dbt_invoke import dbt_args, invocation_env, temporary_environment
from dbt_manifests import invoke_parsed

MIN_ANALYSES = 6


@pytest.fixture(scope="module")
def compiled_analyses(
    warehouse: Path, project_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    work = tmp_path_factory.mktemp("analyses")
    # dbt opens the database read-write: a copy (same name), the other workers read the original
    database = work / warehouse.name
    shutil.copyfile(warehouse, database)
    target_path = work / "target"
    args = dbt_args(
        "compile",
        project_dir,
        select=["resource_type:analysis"],
        target_path=target_path,
        log_path=work / "logs",
    )
    with temporary_environment(invocation_env(database, None), cwd=project_dir):
        result = invoke_parsed(args, project_dir, database, work)
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
