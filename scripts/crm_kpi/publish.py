"""Blue/green publishing of the warehouse file.

`crm-kpi build` never writes the published DuckDB file in place. It builds into a file beside
it, `<stem>.building<suffix>` (e.g. `crm_kpi.building.duckdb`), and only when every dbt command
succeeded (every model built, every test passed) moves it over the published path with
`os.replace`, an atomic rename on the same file system. A reader (a BI tool, a notebook)
therefore sees either the previous warehouse or the new one, never a half-built or a failed
one, and a failed or interrupted build leaves the last good warehouse in place.

* One build per published file at a time: a build holds an exclusive lock on
  `<database>.build-lock` (flock) from start to publish, and a second build of the same file
  stops at once with a message naming the process that holds it. The kernel releases the
  lock when the process ends in any way, so a killed build never leaves a stale lock.
* A failed build, Ctrl-C (KeyboardInterrupt) or SIGTERM (turned into `BuildTerminated` by
  `terminate_on_sigterm`) removes the building file; the published file is not touched.
* A process killed outright (SIGKILL, power loss) cannot clean up: the next build, once it
  holds the lock, knows the building file is a leftover and removes it.
* The building file's name is the same for every build of a published file, so the database
  path in dbt's profile is too, and dbt's partial parsing (which any change to the profile
  turns off) carries over from one build to the next: a few seconds instead of a full parse.
* A build with a dbt selection (`--select`) starts from a copy of the published file, so the
  published warehouse keeps the models outside the selection.
* The settings sidecar (`<database>.settings.json`) is written beside the building file and
  moved right after the database, so it always describes the published file.

`dbt build` run directly (without the runner) is not involved: it writes CRM_DUCKDB_PATH in
place, as before.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import shutil
import signal
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import FrameType

import duckdb

from crm_kpi.build import BuildOutcome, BuildRequest, build_warehouse
from crm_kpi.dbt_invoke import VarValue
from crm_kpi.progress import ProgressPrinter

BUILDING_TAG = ".building"
LOCK_SUFFIX = ".build-lock"
# DuckDB writes `<file>.wal` beside an open database; the runner writes `<file>.settings.json`.
COMPANION_SUFFIXES = ("", ".wal", ".settings.json")


class PublishError(RuntimeError):
    """The build succeeded but could not be published (the message says why)."""


class BuildInProgressError(RuntimeError):
    """Another process is building the same published file."""


class BuildTerminated(KeyboardInterrupt):
    """The build received SIGTERM; raised like Ctrl-C so every `finally` runs."""


def settings_file(database: Path) -> Path:
    """Where `build` records the --var settings, so `validate` recomputes with the same."""
    return database.with_name(database.name + ".settings.json")


def building_path(published: Path) -> Path:
    """The file a build of `published` writes to: `<stem>.building<suffix>`."""
    return published.with_name(f"{published.stem}{BUILDING_TAG}{published.suffix}")


def lock_path(published: Path) -> Path:
    """The file whose flock says that a build of `published` is running."""
    return published.with_name(published.name + LOCK_SUFFIX)


def building_files(published: Path) -> list[Path]:
    """The building file and its companions that exist (a running or a killed build's)."""
    building = building_path(published)
    candidates = (building.with_name(building.name + suffix) for suffix in COMPANION_SUFFIXES)
    return [path for path in candidates if path.exists()]


@contextlib.contextmanager
def build_lock(published: Path) -> Iterator[None]:
    """Hold the exclusive build lock of `published`; BuildInProgressError if another has it.

    flock(2) locks belong to the open file, and the kernel drops them when the process ends,
    however it ends: there is no stale lock to clean up after a SIGKILL.
    """
    with lock_path(published).open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BuildInProgressError(
                f"Another build of {published} is running (process {holder}); "
                "wait for it to finish, or build into another --database."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_building_file(building: Path) -> None:
    for suffix in COMPANION_SUFFIXES:
        with contextlib.suppress(FileNotFoundError):
            building.with_name(building.name + suffix).unlink()


def _start_from_published(published: Path, building: Path) -> None:
    """Copy the published file (and a WAL a direct `dbt build` may have left) to `building`."""
    for suffix in ("", ".wal"):
        source = published.with_name(published.name + suffix)
        if source.is_file():
            shutil.copyfile(source, building.with_name(building.name + suffix))


def _write_settings(path: Path, variables: Mapping[str, VarValue]) -> None:
    path.write_text(json.dumps(dict(variables), indent=2) + "\n")


def build_and_publish(
    request: BuildRequest, progress: ProgressPrinter | None = None
) -> BuildOutcome:
    """Build `request` into a building file and publish it over `request.database` on success.

    The returned outcome names the published path (`outcome.request` is `request`). On a
    failure or an interruption the building file is removed and the exception (if any) is
    re-raised; the published file and its settings sidecar are untouched either way.
    """
    published = request.database
    published.parent.mkdir(parents=True, exist_ok=True)
    building = building_path(published)
    with build_lock(published):
        _remove_building_file(building)  # left by a killed build: nobody else holds the lock
        try:
            if request.select and published.is_file():
                _start_from_published(published, building)
            outcome = build_warehouse(dataclasses.replace(request, database=building), progress)
            outcome.request = request
            if outcome.success:
                _checkpoint(building)
                _checkpoint_published(published)
                building_settings = settings_file(building)
                _write_settings(building_settings, request.vars)
                building.replace(published)  # os.replace: atomic on the same file system
                building_settings.replace(settings_file(published))
            return outcome
        finally:
            _remove_building_file(building)  # nothing left to remove after a successful publish


def storage_version(database: Path) -> str | None:
    """The DuckDB storage format of a file, e.g. `v1.0.0` (None when DuckDB does not say)."""
    with duckdb.connect() as connection:
        connection.execute(f"attach {_sql_string(str(database))} as probe (read_only)")
        row = connection.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = 'probe'"
        ).fetchone()
    if not row or not row[0]:
        return None
    return str(row[0]).rstrip("+")


def _checkpoint(database: Path) -> None:
    """Fold DuckDB's write-ahead log into the file, so the file alone is the whole warehouse.

    The file is opened with its own storage format as `storage_compatibility_version`: a
    DuckDB 2.0 connection with the default setting would rewrite an older-format file in the
    2.0 format, which no DuckDB 1.x reader can open.
    """
    version = storage_version(database)
    config = {"storage_compatibility_version": version} if version else {}
    with duckdb.connect(str(database), config=config) as connection:
        connection.execute("checkpoint")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _checkpoint_published(published: Path) -> None:
    """A WAL beside the published file would be replayed against the new file: fold it first.

    It is there only when a direct `dbt build` (or another writer) has the file open or died
    without closing it; opening the file read-write fails in the first case.
    """
    wal = published.with_name(published.name + ".wal")
    if not wal.exists():
        return
    try:
        _checkpoint(published)
    except duckdb.Error as exc:
        raise PublishError(
            f"Cannot publish over {published}: {wal.name} beside it shows that another process "
            f"is writing to it ({exc}). Stop that process and build again."
        ) from exc


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise BuildTerminated(f"received signal {signum}")


@contextlib.contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into `BuildTerminated` (a KeyboardInterrupt) in the main thread."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread: leave the default handling alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
