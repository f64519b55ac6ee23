"""The independent pandas recomputation of every KPI agrees with the warehouse on the sample."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from crm_kpi import cli
from crm_kpi.validator.compare import compare_kpi
from crm_kpi.validator.kpis import load_all


def test_validate_command_passes_on_the_sample(
    warehouse: Path, capsys: pytest.CaptureFixture
) -> None:
    """`crm-kpi validate`: reconciliation and every KPI recomputed independently, all equal."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        catalog = connection.execute("select count(*) from marts.kpi_catalog").fetchone()[0]
    exit_code = cli.main(["validate", "--database", str(warehouse)])
    output = capsys.readouterr().out
    assert exit_code == 0, output
    assert f"{catalog} KPI versions" in output and "0 mismatching" in output, output
    comparisons = int(output.split(" comparisons")[0].rsplit(" ", 1)[-1])
    assert comparisons > 100_000


def test_comparison_catches_a_wrong_value_and_a_missing_row() -> None:
    published = pd.DataFrame(
        {
            "period_grain": ["month", "month"],
            "period_start": ["2024-01-01", "2024-02-01"],
            "breakdown": ["overall", "overall"],
            "breakdown_value": [None, None],
            "value": [0.5, 0.25],
            "numerator": [1.0, 1.0],
            "denominator": [2.0, 4.0],
            "is_available": [True, True],
        }
    )
    recomputed = published.copy()
    recomputed.loc[1, "value"] = 0.25 * (1 + 1e-6)
    result = compare_kpi("win_rate", 1, recomputed, published)
    assert not result.passed and result.mismatches
    assert compare_kpi("win_rate", 1, published, published.iloc[:1]).missing_in_warehouse
    assert compare_kpi("win_rate", 1, published, published).passed


def test_registry_covers_the_catalog_ids() -> None:
    catalog = pd.read_csv(Path(__file__).parents[1] / "seeds" / "reference" / "kpi_definitions.csv")
    expected = set(zip(catalog["kpi_id"], catalog["kpi_version"], strict=True))
    assert set(load_all()) == expected
