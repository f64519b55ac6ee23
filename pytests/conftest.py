"""Shared fixtures.

* `warehouse`: the bundled sample built once per test run into a temporary DuckDB file shared
  by the xdist workers (open it with `duckdb.connect(str(path), read_only=True)`; a test that
  writes to it or runs dbt on it works on a copy).
* `build_extracts`: build any folder of extracts into a fresh temporary DuckDB file and get
  the `BuildOutcome` back (success flag, dbt's error messages, row counts), for CSV-folder,
  Parquet-folder and error-case tests.
* `sample_extracts`: write the bundled sample as a folder of `.csv` or `.parquet` extracts,
  to modify before building it.

Builds run dbt in-process through the runner's Python API, with dbt's artifacts and log in a
session temp folder so the project's own target/ is left alone.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from crm_kpi.build import BuildOutcome, BuildRequest, build_warehouse
from crm_kpi.dbt_invoke import VarValue
from crm_kpi.project import find_project_dir
from dbt_manifests import MANIFESTS

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
        manifests=MANIFESTS,
    )
    return build_warehouse(request)


def _failure_report(outcome: BuildOutcome) -> str:
    return "dbt build failed:\n" + "\n\n".join(outcome.errors)


def _run_root(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test run shared by all xdist workers (each has its own basetemp)."""
    basetemp = tmp_path_factory.getbasetemp()
    return basetemp.parent if hasattr(config, "workerinput") else basetemp


@contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def warehouse(
    request: pytest.FixtureRequest,
    project_dir: Path,
    dbt_work_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The bundled sample, built once per test run; yields the DuckDB file's path.

    The xdist workers share one build: the first to need it builds it while holding a lock,
    the others wait and open the same file (read-only: a test that needs to write, or to run
    dbt on it, works on a copy of the file). A failed build fails every test that uses it.
    """
    root = _run_root(request.config, tmp_path_factory) / "shared_warehouse"
    root.mkdir(exist_ok=True)
    database = root / "crm_kpi_sample.duckdb"
    failure = root / "build_failed.txt"
    with _exclusive(root / ".lock"):
        if not database.exists() and not failure.exists():
            outcome = _build(project_dir, dbt_work_dir, database, None, None)
            if not outcome.success:
                failure.write_text(_failure_report(outcome))
                database.unlink(missing_ok=True)
    if failure.exists():
        pytest.fail(failure.read_text(), pytrace=False)
    return database


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


# The test files that take longest, longest first (seconds per file measured on the 2-core CI
# machine). `make test` runs xdist with --dist loadfile --no-loadscope-reorder: a worker takes
# the next file in this order when it runs dry, so the two workers finish close together.
SLOWEST_FILES = (
    "test_spark_parity.py",  # the sample on Spark, ~360 s (skipped without PySpark)
    "test_publish.py",  # crm-kpi build subprocesses, ~210 s
    "test_malformed_extracts.py",  # 38 staging builds and one of every model, ~180 s
    "test_determinism.py",
    "test_properties.py",
    "test_incremental.py",
    "test_warehouse.py",
    "test_concurrent_readers.py",
    "test_check_command.py",
    "test_validator.py",
    "test_metricflow.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest as found
