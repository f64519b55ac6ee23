"""A real BI tool: Apache Superset reads the published warehouse read-only, across a rebuild.

Opt-in (marker `superset`): Superset lives in its own virtualenv, `.venv-superset`, installed
from requirements-superset.lock by `make test-superset`, which also runs this test. Without
that virtualenv (or CRM_SUPERSET_VENV) the test is skipped, unless CRM_SUPERSET=1 asks for it
(then it fails).

The test starts Superset 6.1 on 127.0.0.1 with bi/superset_config.py (SQLite metadata in a
temporary folder, no examples), upgrades its metadata database, creates an admin, starts the
web server, logs in through the REST API, registers the published warehouse as
`duckdb:////<abs path>?access_mode=read_only`, lists the tables of the `marts` schema and runs
a scorecard query through SQL Lab's API. Then `crm-kpi build` publishes a different warehouse
(generated extracts) over the same path, and the same query through Superset must return the
new warehouse's rows, equal to what DuckDB reads from the file directly. Superset's DuckDB is
1.5.x (requirements-superset.lock): the file written by DuckDB 2.0 must open in a 1.x reader.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from crm_kpi.project import find_project_dir


def _superset_bin() -> Path:
    default = find_project_dir() / ".venv-superset"
    return Path(os.environ.get("CRM_SUPERSET_VENV", default)) / "bin" / "superset"


SUPERSET_BIN = _superset_bin()
# Decided at collection, so a skipped run does not build the `warehouse` fixture first.
pytestmark = [
    pytest.mark.superset,
    pytest.mark.skipif(
        not SUPERSET_BIN.is_file() and os.environ.get("CRM_SUPERSET") != "1",
        reason=f"{SUPERSET_BIN} not found: run `make test-superset` (installs .venv-superset)",
    ),
]

STEP_TIMEOUT_S = 300
SERVER_START_TIMEOUT_S = 180
ADMIN = {"username": "admin", "password": "crm-kpi-test-only", "provider": "db", "refresh": False}
SCORECARD_SQL = (
    "select kpi_id, kpi_version, target_id, baseline_value, after_value, change_after "
    "from marts.kpi_scorecard order by kpi_id, kpi_version, target_id"
)


@pytest.fixture(scope="module")
def superset_bin() -> Path:
    if not SUPERSET_BIN.is_file():  # CRM_SUPERSET=1 asked for the test: fail, do not skip
        pytest.fail(f"{SUPERSET_BIN} not found: run `make test-superset`")
    return SUPERSET_BIN


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Superset:
    """A Superset web server on loopback and a logged-in REST API client."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.token = ""

    def call(self, method: str, path: str, body: object | None = None) -> Any:
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            pytest.fail(f"{method} {path}: HTTP {exc.code}: {exc.read()[:2000]!r}")

    def login(self) -> None:
        self.token = self.call("POST", "/api/v1/security/login", ADMIN)["access_token"]

    def sql(self, database_id: int, sql: str) -> list[tuple[Any, ...]]:
        body = {"database_id": database_id, "sql": sql, "schema": "marts", "runAsync": False}
        result = self.call("POST", "/api/v1/sqllab/execute/", body)
        assert result["status"] == "success", result
        names = [column["column_name"] for column in result["columns"]]
        return [tuple(row[name] for name in names) for row in result["data"]]


def _run(superset_bin: Path, env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [str(superset_bin), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, f"superset {' '.join(args)}:\n{done.stdout[-3000:]}"


@pytest.fixture(scope="module")
def superset(
    superset_bin: Path, project_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Superset]:
    home = tmp_path_factory.mktemp("superset_home")
    env = {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(project_dir / "bi" / "superset_config.py"),
        "CRM_SUPERSET_HOME": str(home),
        "FLASK_APP": "superset",
        "PYTHONUNBUFFERED": "1",
    }
    _run(superset_bin, env, "db", "upgrade")
    admin = ["--username", ADMIN["username"], "--password", ADMIN["password"]]
    names = ["--firstname", "CRM", "--lastname", "Test", "--email", "admin@example.invalid"]
    _run(superset_bin, env, "fab", "create-admin", *admin, *names)
    _run(superset_bin, env, "init")  # the roles and their permissions (the admin's included)
    port = _free_port()
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [str(superset_bin), "run", "-h", "127.0.0.1", "-p", str(port), "--with-threads"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client = Superset(f"http://127.0.0.1:{port}")
    try:
        _wait_until_healthy(client, server, home / "server.log")
        client.login()
        yield client
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_until_healthy(client: Superset, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"superset run exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(client.base_url + "/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    pytest.fail(f"Superset did not answer /health within {SERVER_START_TIMEOUT_S} s")


def _normalise(value: Any) -> Any:
    """JSON (Superset) and DuckDB's Python types compared: numbers as rounded floats."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return round(float(value), 9)
    return str(value)


def _rows(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(_normalise(value) for value in row) for row in rows]


def _direct(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return _rows(connection.execute(sql).fetchall())


def _crm_kpi_build(project_dir: Path, extracts: Path, database: Path, work: Path) -> None:
    env = {
        **os.environ,
        "CRM_PROJECT_DIR": str(project_dir),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    env.pop("CRM_EXTRACTS_DIR", None)
    command = ["build", "--extracts", str(extracts), "--database", str(database)]
    done = subprocess.run(
        [sys.executable, "-m", "crm_kpi.cli", *command],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]


def test_superset_reads_the_published_warehouse_across_a_rebuild(
    superset: Superset, warehouse: Path, project_dir: Path, tmp_path: Path
) -> None:
    published = tmp_path / "published" / "crm_kpi.duckdb"
    published.parent.mkdir()
    shutil.copyfile(warehouse, published)
    uri = f"duckdb:///{published}?access_mode=read_only"  # published is absolute: 4 slashes
    database = superset.call(
        "POST",
        "/api/v1/database/",
        {"database_name": "crm_kpi_warehouse", "sqlalchemy_uri": uri, "expose_in_sqllab": True},
    )
    database_id = int(database["id"])

    query = urllib.parse.quote("(schema_name:marts)")
    tables = superset.call("GET", f"/api/v1/database/{database_id}/tables/?q={query}")
    names = {table["value"] for table in tables["result"]}
    assert {"kpi_values", "kpi_catalog", "kpi_scorecard", "fct_orders"} <= names, names

    before = _rows(superset.sql(database_id, SCORECARD_SQL))
    assert before, "the scorecard is empty"
    assert before == _direct(published, SCORECARD_SQL)

    # publish a different warehouse over the same path while Superset stays up
    extracts = tmp_path / "extracts"
    subprocess.run(
        [sys.executable, "-m", "crm_kpi.generator", "--out", str(extracts), "--scale", "0.05"],
        check=True,
        capture_output=True,
    )
    inode_before = published.stat().st_ino
    _crm_kpi_build(project_dir, extracts, published, tmp_path / "dbt")
    assert published.stat().st_ino != inode_before  # a new file was renamed over the path

    after = _rows(superset.sql(database_id, SCORECARD_SQL))
    assert after == _direct(published, SCORECARD_SQL)
    assert after != before, "Superset still shows the warehouse of before the rebuild"
