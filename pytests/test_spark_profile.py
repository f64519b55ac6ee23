"""The Spark target's settings (profiles.yml) and the runner's loader session agree.

Whichever of the loader and dbt-spark starts the Spark session first fixes its static settings
(master, warehouse folder, metastore), so both must say the same. No PySpark needed.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest
import yaml

from crm_kpi.spark_loader import contract_tables, session_conf


def _render_profile(project_dir: Path) -> dict:
    environment = jinja2.Environment()
    environment.globals["env_var"] = lambda name, default=None: os.environ.get(name, default)
    text = environment.from_string((project_dir / "profiles.yml").read_text()).render()
    return yaml.safe_load(text)["crm_kpi"]["outputs"]["spark"]


@pytest.fixture
def spark_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("CRM_SPARK_MASTER", "CRM_SPARK_SHUFFLE_PARTITIONS", "CRM_SPARK_DRIVER_MEMORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CRM_SPARK_DIR", str(tmp_path / "spark"))
    return tmp_path / "spark"


def test_profile_and_loader_start_the_same_session(project_dir: Path, spark_env: Path) -> None:
    profile = _render_profile(project_dir)
    assert profile["type"] == "spark"
    assert profile["method"] == "session"
    from_profile = {key: str(value) for key, value in profile["server_side_parameters"].items()}
    from_loader = session_conf(project_dir)
    # dbt-spark turns ANSI mode off itself; the loader says so explicitly
    assert from_loader.pop("spark.sql.ansi.enabled") == "false"
    assert from_profile == from_loader
    assert from_loader["spark.sql.warehouse.dir"] == str(spark_env / "warehouse")
    assert from_loader["spark.sql.session.timeZone"] == "UTC"


def test_loader_knows_every_contract_table(project_dir: Path) -> None:
    tables = contract_tables(project_dir)
    assert tables[0] == "customers"
    assert len(tables) == len(set(tables)) == 17
    sample = {path.stem for path in (project_dir / "seeds" / "crm_sample").glob("*.csv")}
    assert sample <= set(tables)


def test_cli_build_takes_a_target() -> None:
    from crm_kpi.cli import build_parser

    assert build_parser().parse_args(["build"]).target == "duckdb"
    assert build_parser().parse_args(["build", "--target", "spark"]).target == "spark"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["build", "--target", "postgres"])
