"""Reading while building: readers query the published warehouse in a loop while the runner
rebuilds it, first successfully, then with a build that fails; no reader gets an error or a
partial state, the build never fails on a lock, and the failed build leaves the last good
warehouse published.

The readers are separate processes (pytests/warehouse_reader.py) that open a NEW read-only
connection per query: two with `duckdb.connect(path, read_only=True)`, one through SQLAlchemy +
duckdb-engine with `NullPool` and `?access_mode=read_only` (how Superset connects). Each query
reads the kpi_values row count, a checksum of all its rows and the kpi_scorecard row count.

Known good states: A, the bundled sample (the session `warehouse` fixture, copied to the
published path), and B, a generated extracts folder (generator --scale 0.05) published by
`crm-kpi build --models-only` (the publish is the same with dbt's tests). The failing build C is
B's folder with a required column dropped from customers.csv. Every reader result must be A or
B; a query that starts after B was published must see B; nothing of C is ever visible.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from crm_kpi.publish import building_files
from warehouse_reader import STATE_SQL

BUILD_TIMEOUT_S = 600
READER_SCRIPT = Path(__file__).with_name("warehouse_reader.py")
READER_MODES = ("duckdb", "duckdb", "sqlalchemy")
MIN_QUERIES = 200
MIN_QUERIES_PER_BUILD = 20


@dataclass(frozen=True)
class State:
    rows: int
    checksum: str
    scorecard_rows: int


def _state(database: Path) -> State:
    with duckdb.connect(str(database), read_only=True) as connection:
        return _read_state(connection)


def _read_state(connection: duckdb.DuckDBPyConnection) -> State:
    row = connection.execute(STATE_SQL).fetchone()
    assert row is not None
    return State(int(row[0]), str(row[1]), int(row[2]))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Reader:
    mode: str
    process: subprocess.Popen[str]
    stderr_file: Path
    records: list[dict[str, object]] = field(default_factory=list)
    collector: threading.Thread | None = None

    def stderr(self) -> str:
        return self.stderr_file.read_text()


def _start_reader(database: Path, stop_file: Path, mode: str, number: int) -> Reader:
    stderr_file = stop_file.with_name(f"reader_{number}_{mode}.stderr")
    with stderr_file.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(READER_SCRIPT), str(database), str(stop_file), "--mode", mode],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    reader = Reader(mode, process, stderr_file)

    def collect() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            reader.records.append(json.loads(line))

    reader.collector = threading.Thread(target=collect, daemon=True)
    reader.collector.start()
    return reader


def _wait_for_records(readers: list[Reader], count: int) -> None:
    deadline = time.monotonic() + 60
    while any(len(reader.records) < count for reader in readers):
        for reader in readers:
            if reader.process.poll() is not None:
                pytest.fail(f"{reader.mode} reader exited: {reader.stderr()}")
        if time.monotonic() > deadline:
            pytest.fail("the readers did not start querying within 60 s")
        time.sleep(0.1)


def _stop_readers(readers: list[Reader], stop_file: Path) -> None:
    stop_file.touch()
    for reader in readers:
        try:
            reader.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            reader.process.kill()
            reader.process.wait()
        assert reader.collector is not None
        reader.collector.join(timeout=10)


@dataclass
class Build:
    returncode: int
    output: str
    started: float  # time.time(), comparable with the readers' timestamps
    ended: float


def _crm_kpi_build(project_dir: Path, extracts: Path, database: Path, work: Path) -> Build:
    env = {
        **os.environ,
        "CRM_PROJECT_DIR": str(project_dir),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    env.pop("CRM_EXTRACTS_DIR", None)
    started = time.time()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "crm_kpi.cli",
            "build",
            "--extracts",
            str(extracts),
            "--database",
            str(database),
            "--models-only",
        ],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    return Build(done.returncode, done.stdout + done.stderr, started, time.time())


def _drop_column(folder: Path, table: str, column: str) -> None:
    path = folder / f"{table}.csv"
    header, *rows = path.read_text().splitlines()
    dropped = header.split(",").index(column)
    kept = [header, *rows[:5]]  # the first rows: no quoted commas in them
    path.write_text(
        "\n".join(
            ",".join(v for i, v in enumerate(line.split(",")) if i != dropped) for line in kept
        )
        + "\n"
    )


def _overlapping(records: list[dict[str, object]], build: Build) -> list[dict[str, object]]:
    return [r for r in records if r["start"] < build.ended and r["end"] > build.started]


def _state_of(record: dict[str, object]) -> State:
    return State(int(record["rows"]), str(record["checksum"]), int(record["scorecard_rows"]))


def test_readers_see_only_complete_builds_during_a_rebuild_and_a_failed_rebuild(
    warehouse: Path, project_dir: Path, tmp_path: Path
) -> None:
    published = tmp_path / "published" / "crm_kpi.duckdb"
    published.parent.mkdir()
    shutil.copyfile(warehouse, published)
    state_a = _state(published)

    extracts_b = tmp_path / "extracts_b"
    subprocess.run(
        [sys.executable, "-m", "crm_kpi.generator", "--out", str(extracts_b), "--scale", "0.05"],
        check=True,
        capture_output=True,
    )
    extracts_c = tmp_path / "extracts_c"
    shutil.copytree(extracts_b, extracts_c)
    _drop_column(extracts_c, "customers", "created_at")

    stop_file = tmp_path / "stop"
    readers = [
        _start_reader(published, stop_file, mode, number)
        for number, mode in enumerate(READER_MODES)
    ]
    try:
        _wait_for_records(readers, 3)
        # A connection held open across the publish keeps reading the file it opened (the
        # old inode): it sees A until it reconnects.
        held = duckdb.connect(str(published), read_only=True)
        try:
            build_b = _crm_kpi_build(project_dir, extracts_b, published, tmp_path / "dbt")
            assert build_b.returncode == 0, build_b.output[-3000:]
            assert _read_state(held) == state_a
        finally:
            held.close()  # also drops DuckDB's cached instance of the old file in this process
        state_b = _state(published)
        published_b = _sha256(published)
        time.sleep(2)
        build_c = _crm_kpi_build(project_dir, extracts_c, published, tmp_path / "dbt")
        time.sleep(2)
    finally:
        _stop_readers(readers, stop_file)

    # the builds: B published, C failed on its input (not on a lock) and published nothing
    assert state_b != state_a
    for build in (build_b, build_c):
        assert "could not set lock" not in build.output.lower(), build.output[-3000:]
    assert build_c.returncode == 1, build_c.output[-3000:]
    assert "created_at" in build_c.output
    assert _sha256(published) == published_b
    assert building_files(published) == []

    # the readers: no error, only complete states, the new state as soon as it is published
    records = [record for reader in readers for record in reader.records]
    errors = [record for record in records if "error" in record]
    assert errors == [], errors[:5]
    assert all(reader.process.returncode == 0 for reader in readers), [r.stderr() for r in readers]
    states = [_state_of(record) for record in records]
    assert set(states) <= {state_a, state_b}, set(states) - {state_a, state_b}
    before_b = [r for r in records if r["end"] < build_b.started]
    after_b = [r for r in records if r["start"] > build_b.ended]
    assert before_b
    assert all(_state_of(r) == state_a for r in before_b)
    assert after_b
    assert all(_state_of(r) == state_b for r in after_b)
    for reader in readers:  # every reader, SQLAlchemy's included, saw the switch from A to B
        assert {_state_of(r) for r in reader.records} == {state_a, state_b}, reader.mode

    during_b = _overlapping(records, build_b)
    during_c = _overlapping(records, build_c)
    print(
        f"reader queries: {len(records)} in total, {len(during_b)} during the successful "
        f"rebuild ({build_b.ended - build_b.started:.0f} s), {len(during_c)} during the failed "
        f"one ({build_c.ended - build_c.started:.0f} s)"
    )
    assert len(records) >= MIN_QUERIES
    assert len(during_b) >= MIN_QUERIES_PER_BUILD
    assert len(during_c) >= MIN_QUERIES_PER_BUILD
