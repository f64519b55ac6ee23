"""The benchmark's two reference points reproduce the project's kpi_values for their ten KPIs.

The benchmark checks this at every size before it reports a time; this test keeps the
references from drifting from the KPI models between benchmark runs (a KPI definition changed
in SQL and not in reference.sql or pandas_reference.py fails here, in CI). Data: two tiles of
the sample's block (crm_kpi.scaled), Parquet, as the benchmark writes them; the project builds
`+<the ten KPI models>` with the benchmark's as_of_date.
"""

from __future__ import annotations

from pathlib import Path

from crm_kpi.benchmark.references import SUBSET, compare, project_values, run_pandas, run_sql
from crm_kpi.benchmark.run import AS_OF
from crm_kpi.scaled import generate_scaled


def test_references_equal_the_project(build_extracts, tmp_path: Path) -> None:
    extracts = tmp_path / "extracts"
    generate_scaled(extracts, orders=14_000, fmt="parquet")  # two tiles: ids must not collide
    outcome = build_extracts(
        extracts,
        vars={"as_of_date": str(AS_OF)},
        select=[f"+kpi_{kpi_id}_v{version}" for kpi_id, version in SUBSET],
    )
    assert outcome.success, "\n".join(outcome.errors)
    project = project_values(outcome.request.database)
    assert {kpi_id for kpi_id, _ in SUBSET} == set(project["kpi_id"])
    for name, run in (("DuckDB SQL", run_sql), ("pandas", run_pandas)):
        check = compare(project, run(extracts, AS_OF))
        assert check["equal"], (name, check)
        assert check["rows_reference"] == len(project) > 1000
