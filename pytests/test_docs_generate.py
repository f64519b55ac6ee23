"""`dbt docs generate` works on the warehouse, and the docs carry the model, column and KPI
descriptions (catalog.json: the relations as built; manifest.json: the descriptions)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from crm_kpi.dbt_invoke import dbt_args, invocation_env, temporary_environment
from dbt_manifests import invoke_parsed

MARTS = ("kpi_values", "kpi_catalog", "kpi_scorecard")


@pytest.fixture(scope="module")
def docs_target(
    warehouse: Path, project_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    work = tmp_path_factory.mktemp("docs")
    # dbt opens the database read-write: a copy (same name), the other workers read the original
    database = work / warehouse.name
    shutil.copyfile(warehouse, database)
    target_path = work / "target"
    target_path.mkdir()
    args = dbt_args("docs", project_dir, target_path=target_path, log_path=work / "logs")
    args[1:1] = ["generate"]
    with temporary_environment(invocation_env(database, None), cwd=project_dir):
        result = invoke_parsed(args, project_dir, database, work)
    assert result.success, "\n".join(result.errors)
    return target_path


def _kpi_models(warehouse: Path) -> list[tuple[str, str]]:
    """(relation name, English name) of every KPI version in the catalog."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute("select model_name, name_en from marts.kpi_catalog").fetchall()
    return [(row[0], row[1]) for row in rows]


def test_catalog_has_every_mart(docs_target: Path, warehouse: Path) -> None:
    catalog = json.loads((docs_target / "catalog.json").read_text())
    relations = {node["metadata"]["name"] for node in catalog["nodes"].values()}
    expected = [*MARTS, *(name for name, _ in _kpi_models(warehouse))]
    missing = [name for name in expected if name not in relations]
    assert not missing, f"not in catalog.json: {missing}"
    kpi_values = next(
        node for node in catalog["nodes"].values() if node["metadata"]["name"] == "kpi_values"
    )
    assert kpi_values["metadata"]["schema"] == "marts"
    assert {"kpi_id", "value", "is_available"} <= set(kpi_values["columns"])
    assert (docs_target / "index.html").is_file()


def test_docs_carry_model_column_and_kpi_descriptions(docs_target: Path, warehouse: Path) -> None:
    manifest = json.loads((docs_target / "manifest.json").read_text())
    # keyed by relation name: a versioned model kpi_<id> (version n) is built as kpi_<id>_v<n>
    models = {
        node["alias"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    kpi_values = models["kpi_values"]
    assert "Every KPI of the catalog" in kpi_values["description"]
    column_descriptions = {name: col["description"] for name, col in kpi_values["columns"].items()}
    assert all(column_descriptions.values()), column_descriptions
    assert not any("{{" in text for text in column_descriptions.values())
    undocumented = [name for name, _ in _kpi_models(warehouse) if not models[name]["description"]]
    assert not undocumented, f"KPI models without a description: {undocumented}"
    # the KPI's documentation page (doc block kpi_<id>_v<n>: name, description, formula, ...)
    blocks = {doc["name"]: doc["block_contents"] for doc in manifest["docs"].values()}
    missing = [
        name for name, name_en in _kpi_models(warehouse) if name_en not in blocks.get(name, "")
    ]
    assert not missing, f"KPIs without their doc block: {missing}"
    exposures = {node["name"]: node for node in manifest["exposures"].values()}
    assert exposures["kpi_dashboard"]["type"] == "dashboard"
