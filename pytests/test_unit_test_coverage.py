"""Every KPI model version of the catalog has at least one dbt unit test."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]


def covered_versions() -> set[tuple[str, int]]:
    """(model, version) pairs that some unit test runs on (all versions when not restricted)."""
    catalog = list(
        csv.DictReader((PROJECT / "seeds/reference/kpi_definitions.csv").open(encoding="utf-8"))
    )
    versions: dict[str, set[int]] = {}
    for row in catalog:
        versions.setdefault(f"kpi_{row['kpi_id']}", set()).add(int(row["kpi_version"]))
    covered = set()
    for path in PROJECT.glob("models/marts/kpis/*/_*__unit_tests.yml"):
        for test in yaml.safe_load(path.read_text(encoding="utf-8")).get("unit_tests", []):
            model = test["model"]
            include = (test.get("versions") or {}).get("include")
            for version in include or versions.get(model, set()):
                covered.add((model, int(version)))
    return covered


def test_every_kpi_version_has_a_unit_test() -> None:
    catalog = csv.DictReader(
        (PROJECT / "seeds/reference/kpi_definitions.csv").open(encoding="utf-8")
    )
    expected = {(f"kpi_{row['kpi_id']}", int(row["kpi_version"])) for row in catalog}
    missing = sorted(expected - covered_versions())
    assert not missing, f"KPI versions without a unit test: {missing}"
