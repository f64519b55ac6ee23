"""Shared fixtures.

* `warehouse`: the bundled sample built once per test session into a temporary DuckDB file
  (path yielded; open it with `duckdb.connect(str(path), read_only=True)`).
* `build_extracts`: build any folder of extracts into a fresh temporary DuckDB file and get
  the `BuildOutcome` back (success flag, dbt's error messages, row counts), for CSV-folder,
  Parquet-folder and error-case tests.
* `sample_extracts`: write the bundled sample as a folder of `.csv` or `.parquet` extracts,
  to modify before building it.

Builds run dbt in-process through the runner's Python API, with dbt's artifacts and log in a
session temp folder so the project's own target/ is left alone.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import duckdb
import pytest

from crm_kpi.build import BuildOutcome, BuildRequest, build_warehouse
from crm_kpi.dbt_invoke import VarValue
from crm_kpi.project import find_project_dir

BuildExtracts = Callable[..., BuildOutcome]
SampleExtracts = Callable[..., Path]


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return find_project_dir()


@pytest.fixture(scope="session")
def sample_seed_dir(project_dir: Path) -> Path:
    return project_dir / "seeds" / "crm_sample"


@pytest.fixture(scope="session")
def dbt_work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dbt's target/ and logs/ for the whole session (one parse, reused by every build)."""
    return tmp_path_factory.mktemp("dbt")


def _build(
    project_dir: Path,
    work_dir: Path,
    database: Path,
    extracts_dir: Path | None,
    variables: Mapping[str, VarValue] | None,
    select: Sequence[str] = (),
) -> BuildOutcome:
    request = BuildRequest(
        project_dir=project_dir,
        database=database,
        extracts_dir=extracts_dir,
        vars=dict(variables or {}),
        select=tuple(select),
        target_path=work_dir / "target",
        log_path=work_dir / "logs",
    )
    return build_warehouse(request)


def _failure_report(outcome: BuildOutcome) -> str:
    return "dbt build failed:\n" + "\n\n".join(outcome.errors)


@pytest.fixture(scope="session")
def warehouse(
    project_dir: Path, dbt_work_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The bundled sample, built once per session; yields the DuckDB file's path."""
    database = tmp_path_factory.mktemp("warehouse") / "crm_kpi_sample.duckdb"
    outcome = _build(project_dir, dbt_work_dir, database, None, None)
    if not outcome.success:
        pytest.fail(_failure_report(outcome), pytrace=False)
    yield database


@pytest.fixture
def build_extracts(project_dir: Path, dbt_work_dir: Path, tmp_path: Path) -> BuildExtracts:
    """`build_extracts(folder, vars=None, select=()) -> BuildOutcome`, into a fresh temp db.

    It does not fail the test on a failed build: error-case tests assert on
    `outcome.success` and `outcome.errors`. The database is `outcome.request.database`.
    A full build takes a while; error-case tests can pass a dbt selection (e.g.
    `select=["staging"]`) to build only what they need.
    """
    counter = iter(range(1_000_000))

    def build(
        extracts_dir: Path,
        vars: Mapping[str, VarValue] | None = None,
        select: Sequence[str] = (),
    ) -> BuildOutcome:
        database = tmp_path / f"build_{next(counter)}.duckdb"
        folder = Path(extracts_dir).resolve()
        return _build(project_dir, dbt_work_dir, database, folder, vars, select)

    return build


@pytest.fixture
def sample_extracts(sample_seed_dir: Path, tmp_path: Path) -> SampleExtracts:
    """`sample_extracts(fmt="csv" | "parquet", tables=None) -> folder` with the sample's tables.

    `tables` limits the copy to those tables (e.g. to leave out an optional extract). Parquet
    files are written by DuckDB with every column as text, like the CSVs.
    """
    counter = iter(range(1_000_000))

    def make(fmt: str = "csv", tables: list[str] | None = None) -> Path:
        if fmt not in ("csv", "parquet"):
            raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
        folder = tmp_path / f"extracts_{next(counter)}_{fmt}"
        folder.mkdir()
        sources = sorted(sample_seed_dir.glob("*.csv"))
        if tables is not None:
            sources = [path for path in sources if path.stem in set(tables)]
        for source in sources:
            if fmt == "csv":
                shutil.copyfile(source, folder / source.name)
            else:
                _csv_to_parquet(source, folder / f"{source.stem}.parquet")
        return folder

    return make


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_to_parquet(source: Path, target: Path) -> None:
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from read_csv({_sql_string(str(source))}, header = true, "
            f"all_varchar = true)) to {_sql_string(str(target))} (format parquet)"
        )
