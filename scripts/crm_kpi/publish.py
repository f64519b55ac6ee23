"""Blue/green publishing of the warehouse file.

`crm-kpi build` never writes the published DuckDB file in place. It builds into a fresh file
beside it, `<stem>.building-<pid><suffix>` (e.g. `crm_kpi.building-4242.duckdb`), and only when
every dbt command succeeded (every model built, every test passed) moves it over the published
path with `os.replace`, an atomic rename on the same file system. A reader (a BI tool, a
notebook) therefore sees either the previous warehouse or the new one, never a half-built or a
failed one, and a failed or interrupted build leaves the last good warehouse in place.

* A failed build, Ctrl-C (KeyboardInterrupt) or SIGTERM (turned into `BuildTerminated` by
  `terminate_on_sigterm`) removes the building file; the published file is not touched.
* A process killed outright (SIGKILL, power loss) cannot clean up: the next build removes the
  building files of processes that are no longer running (`remove_stale_building_files`).
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
import json
import os
import re
import shutil
import signal
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import FrameType

import duckdb

from crm_kpi.build import BuildOutcome, BuildRequest, build_warehouse
from crm_kpi.dbt_invoke import VarValue
from crm_kpi.progress import ProgressPrinter

BUILDING_TAG = ".building-"
# DuckDB writes `<file>.wal` beside an open database; the runner writes `<file>.settings.json`.
COMPANION_SUFFIXES = ("", ".wal", ".settings.json")


class PublishError(RuntimeError):
    """The build succeeded but could not be published (the message says why)."""


class BuildTerminated(KeyboardInterrupt):
    """The build received SIGTERM; raised like Ctrl-C so every `finally` runs."""


def settings_file(database: Path) -> Path:
    """Where `build` records the --var settings, so `validate` recomputes with the same."""
    return database.with_name(database.name + ".settings.json")


def building_path(published: Path, pid: int | None = None) -> Path:
    """The file a build of `published` writes to: `<stem>.building-<pid><suffix>`."""
    pid = os.getpid() if pid is None else pid
    return published.with_name(f"{published.stem}{BUILDING_TAG}{pid}{published.suffix}")


def _building_pattern(published: Path) -> re.Pattern[str]:
    return re.compile(
        re.escape(f"{published.stem}{BUILDING_TAG}")
        + r"(\d+)"
        + re.escape(published.suffix)
        + "("
        + "|".join(re.escape(suffix) for suffix in COMPANION_SUFFIXES if suffix)
        + ")?$"
    )


def _pid_is_running(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


def building_files(published: Path) -> dict[int, list[Path]]:
    """The building files (and their companions) beside `published`, by the pid in the name."""
    found: dict[int, list[Path]] = {}
    if not published.parent.is_dir():
        return found
    pattern = _building_pattern(published)
    for path in sorted(published.parent.iterdir()):
        match = pattern.fullmatch(path.name)
        if match:
            found.setdefault(int(match.group(1)), []).append(path)
    return found


def remove_stale_building_files(published: Path) -> list[Path]:
    """Remove the building files left by builds whose process is gone; return them.

    The files of a process still running (another build of the same warehouse) are kept.
    """
    removed: list[Path] = []
    for pid, paths in building_files(published).items():
        if pid == os.getpid() or _pid_is_running(pid):
            continue
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


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
    remove_stale_building_files(published)
    building = building_path(published)
    _remove_building_file(building)  # a leftover of an earlier process with the same pid
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
