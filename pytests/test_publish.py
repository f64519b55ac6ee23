"""Blue/green publishing (crm_kpi.publish): interrupted and failed builds leave the published
warehouse exactly as it was, and the next build succeeds.

Every build runs `crm-kpi build` as a subprocess on a small generated extracts folder
(generator --scale 0.05) with `--select staging` and DBT_INDIRECT_SELECTION=cautious (only the
tests whose parents are all selected), so each build takes well under a minute. The published
warehouse is the result of one such build (module fixture), copied for each test; later builds
start from a copy of it (a selection build does). Kill points: fixed delays and events seen in
the runner's output (the building file created, the first dbt node finished, dozens finished).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from crm_kpi.publish import (
    BuildInProgressError,
    build_lock,
    building_files,
    building_path,
    lock_path,
    settings_file,
    storage_version,
)

SELECT = ("--select", "staging")
BUILD_TIMEOUT_S = 300


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def small_extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small_extracts")
    subprocess.run(
        [sys.executable, "-m", "crm_kpi.generator", "--out", str(folder), "--scale", "0.05"],
        check=True,
        capture_output=True,
    )
    return folder


@pytest.fixture(scope="module", autouse=True)
def dbt_artifacts_outside_the_project(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """The subprocesses write dbt's target/ and logs/ to a temp folder, not into the project
    (shared: the building file's path is the same in every build of a published file, so dbt
    parses partially from the second build of a folder on)."""
    folder = tmp_path_factory.mktemp("publish_dbt")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(folder / "target"))
        patch.setenv("DBT_LOG_PATH", str(folder / "logs"))
        yield


@pytest.fixture(scope="module")
def first_build(
    project_dir: Path, small_extracts: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A warehouse published by the runner into an empty folder (a fresh file)."""
    database = tmp_path_factory.mktemp("first_build") / "crm_kpi.duckdb"
    run = _start_build(project_dir, small_extracts, database)
    assert _finish(run) == 0, "\n".join(run.lines[-40:])
    assert _leftovers(database) == set()
    return database


@pytest.fixture
def published(first_build: Path, tmp_path: Path) -> Path:
    """A copy of the first build, with its settings sidecar, in a folder of its own."""
    folder = tmp_path / "published"
    folder.mkdir()
    database = folder / first_build.name
    shutil.copyfile(first_build, database)
    shutil.copyfile(settings_file(first_build), settings_file(database))
    return database


@dataclass
class Run:
    """A `crm-kpi build` subprocess whose output lines are collected by a thread."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def node_lines(self) -> int:
        return sum(1 for line in self.lines if line.startswith("["))


def _start_build(project_dir: Path, extracts: Path, database: Path) -> Run:
    env = {**os.environ, "CRM_PROJECT_DIR": str(project_dir), "DBT_INDIRECT_SELECTION": "cautious"}
    env.pop("CRM_EXTRACTS_DIR", None)
    command = [
        sys.executable,
        "-m",
        "crm_kpi.cli",
        "build",
        "--extracts",
        str(extracts),
        "--database",
        str(database),
        *SELECT,
    ]
    process = subprocess.Popen(
        command,
        cwd=project_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    run = Run(process)

    def collect() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            run.lines.append(line.rstrip("\n"))

    threading.Thread(target=collect, daemon=True).start()
    return run


def _wait_for(run: Run, condition: Callable[[Run], bool], what: str) -> None:
    deadline = time.monotonic() + BUILD_TIMEOUT_S
    while not condition(run):
        if run.process.poll() is not None:
            pytest.fail(f"the build ended before {what}:\n" + "\n".join(run.lines[-30:]))
        if time.monotonic() > deadline:
            run.process.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _finish(run: Run) -> int:
    return run.process.wait(timeout=BUILD_TIMEOUT_S)


def _after(seconds: float) -> Callable[[Run], bool]:
    return lambda run: time.monotonic() - run.started >= seconds


def _nodes_done(count: int) -> Callable[[Run], bool]:
    return lambda run: run.node_lines() >= count


def _building_file_exists(database: Path) -> Callable[[Run], bool]:
    return lambda run: building_path(database).exists()


def _leftovers(database: Path) -> set[str]:
    keep = {database.name, settings_file(database).name, lock_path(database).name}
    return {path.name for path in database.parent.iterdir()} - keep


# (label, condition factory): the points at which the build is killed
KILL_POINTS: list[tuple[str, Callable[[Path], Callable[[Run], bool]]]] = [
    ("after 0.5 s (Python start-up)", lambda _db: _after(0.5)),
    ("after 4 s (dbt parsing the project)", lambda _db: _after(4)),
    ("building file created (dbt connected)", _building_file_exists),
    ("first node finished", lambda _db: _nodes_done(1)),
    ("40 nodes finished", lambda _db: _nodes_done(40)),
    ("120 nodes finished", lambda _db: _nodes_done(120)),
]


def test_killed_builds_leave_the_published_warehouse_untouched(
    project_dir: Path, small_extracts: Path, published: Path
) -> None:
    before = _sha256(published)
    settings_before = settings_file(published).read_text()
    for label, point in KILL_POINTS:
        run = _start_build(project_dir, small_extracts, published)
        _wait_for(run, point(published), label)
        run.process.send_signal(signal.SIGKILL)
        assert _finish(run) == -signal.SIGKILL, label
        assert _sha256(published) == before, f"published file changed when killed {label}"
        assert settings_file(published).read_text() == settings_before, label
        # a killed process cannot clean up: only the building file (and companions) may be left
        assert _leftovers(published) == {path.name for path in building_files(published)}, label

    # the next build takes the lock (the kernel released it), removes the leftovers, publishes
    run = _start_build(project_dir, small_extracts, published)
    code = _finish(run)
    assert code == 0, "\n".join(run.lines[-40:])
    assert _leftovers(published) == set()
    assert _sha256(published) != before
    # the runner wrote the first (fresh) file in the profile's format; a rebuild keeps it
    assert storage_version(published) == os.environ.get("CRM_DUCKDB_STORAGE_VERSION", "v1.0.0")
    with duckdb.connect(str(published), read_only=True) as connection:
        raw, staged, quarantined = connection.execute(
            "select sum(raw_rows), sum(staged_rows), sum(quarantined_rows) "
            "from staging.stg_crm__row_counts"
        ).fetchone()
        customers = connection.execute(
            "select count(*) from staging.base_crm__customers"
        ).fetchone()
    assert raw == staged + quarantined
    assert customers == (len((small_extracts / "customers.csv").read_text().splitlines()) - 1,)


def test_sigterm_cleans_up_its_own_building_file(
    project_dir: Path, small_extracts: Path, published: Path
) -> None:
    before = _sha256(published)
    run = _start_build(project_dir, small_extracts, published)
    _wait_for(run, _nodes_done(10), "10 nodes finished")
    run.process.send_signal(signal.SIGTERM)
    assert _finish(run) == 143, "\n".join(run.lines[-20:])
    assert _sha256(published) == before
    assert _leftovers(published) == set()


def test_failed_build_leaves_the_published_warehouse_untouched(
    project_dir: Path, small_extracts: Path, published: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad_extracts"
    shutil.copytree(small_extracts, bad)
    customers = bad / "customers.csv"
    header, *rows = customers.read_text().splitlines()
    columns = header.split(",")
    dropped = columns.index("created_at")
    customers.write_text(
        "\n".join(
            ",".join(value for i, value in enumerate(line.split(",")) if i != dropped)
            for line in [header, *rows[:5]]  # the first rows: no quoted commas in them
        )
        + "\n"
    )
    before = _sha256(published)
    settings_before = settings_file(published).read_text()
    run = _start_build(project_dir, bad, published)
    assert _finish(run) == 1
    output = "\n".join(run.lines)
    assert "customers.csv" in output
    assert "created_at" in output
    assert _sha256(published) == before
    assert settings_file(published).read_text() == settings_before
    assert _leftovers(published) == set()


def test_the_build_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    database = tmp_path / "crm_kpi.duckdb"
    refused = pytest.raises(BuildInProgressError, match=f"process {os.getpid()}")
    # flock belongs to the open file: a second open, even in this process, is refused
    with build_lock(database), refused, build_lock(database):
        pass
    with build_lock(database):  # released on exit: the next build gets it
        assert lock_path(database).read_text().strip() == str(os.getpid())


def test_a_second_build_of_the_same_file_stops_with_a_message(
    project_dir: Path, small_extracts: Path, published: Path
) -> None:
    before = _sha256(published)
    with build_lock(published):  # this test process is "the other build"
        run = _start_build(project_dir, small_extracts, published)
        assert _finish(run) == 1
    output = "\n".join(run.lines)
    assert f"Another build of {published} is running (process {os.getpid()})" in output
    assert _sha256(published) == before
    assert _leftovers(published) == set()
