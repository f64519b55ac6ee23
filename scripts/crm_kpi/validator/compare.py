"""Compare the independent recomputation with what the warehouse published."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from crm_kpi.validator.data import Frame, load_staged
from crm_kpi.validator.kpis import load_all
from crm_kpi.validator.settings import load_settings

KEY = ["period_grain", "period_start", "breakdown", "breakdown_value"]
MEASURES = ["value", "numerator", "denominator"]
REL_TOL = 1e-9
ABS_TOL = 1e-9


@dataclass
class KpiResult:
    """The comparison of one KPI version over every grain, period and breakdown."""

    kpi_id: str
    version: int
    comparisons: int = 0
    mismatches: list[str] = field(default_factory=list)
    missing_in_warehouse: list[str] = field(default_factory=list)
    extra_in_warehouse: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return not (
            self.mismatches or self.missing_in_warehouse or self.extra_in_warehouse or self.error
        )


@dataclass
class Comparison:
    results: list[KpiResult]
    not_validated: list[str]

    @property
    def comparisons(self) -> int:
        return sum(result.comparisons for result in self.results)

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results) and not self.not_validated


def _same(expected: Any, actual: Any) -> bool:
    missing_expected = expected is None or (isinstance(expected, float) and math.isnan(expected))
    missing_actual = actual is None or (isinstance(actual, float) and math.isnan(actual))
    if missing_expected or missing_actual:
        return missing_expected and missing_actual
    return math.isclose(float(expected), float(actual), rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["period_start"] = pd.to_datetime(out["period_start"]).dt.date
    out["breakdown_value"] = (
        out["breakdown_value"].astype(object).where(out["breakdown_value"].notna(), None)
    )
    return out.set_index(KEY)


def compare_kpi(
    kpi_id: str, version: int, expected: pd.DataFrame, actual: pd.DataFrame
) -> KpiResult:
    result = KpiResult(kpi_id, version)
    expected, actual = _normalise(expected), _normalise(actual)
    missing = expected.index.difference(actual.index)
    extra = actual.index.difference(expected.index)
    result.missing_in_warehouse = [" ".join(map(str, key)) for key in missing[:5]]
    result.extra_in_warehouse = [" ".join(map(str, key)) for key in extra[:5]]
    if len(missing) > 5:
        result.missing_in_warehouse.append(f"... {len(missing)} in all")
    if len(extra) > 5:
        result.extra_in_warehouse.append(f"... {len(extra)} in all")
    common = expected.index.intersection(actual.index)
    for key in common:
        exp_row, act_row = expected.loc[key], actual.loc[key]
        for column in [*MEASURES, "is_available"]:
            result.comparisons += 1
            if not _same(exp_row[column], act_row[column]) and len(result.mismatches) < 5:
                result.mismatches.append(
                    f"{' '.join(map(str, key))} {column}: python {exp_row[column]!r} "
                    f"vs warehouse {act_row[column]!r}"
                )
    return result


def published_values(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """kpi_values (calendar grains) plus the scorecard window rows of every KPI model."""
    values = connection.sql("select * from marts.kpi_values").df()
    models = values[["kpi_id", "kpi_version"]].drop_duplicates().itertuples(index=False)
    windows = [
        connection.sql(
            f"select * from marts.kpi_{kpi_id}_v{version} where period_grain like 'window_%'"
        ).df()
        for kpi_id, version in models
    ]
    columns = [*KEY, *MEASURES, "is_available", "kpi_id", "kpi_version"]
    return pd.concat([values[columns], *[w[columns] for w in windows]], ignore_index=True)


def compare_with_warehouse(
    connection: duckdb.DuckDBPyConnection, overrides: dict[str, Any] | None = None
) -> Comparison:
    frame = Frame(settings=load_settings(overrides), tables=load_staged(connection))
    published = published_values(connection)
    registry = load_all()
    results = []
    for (kpi_id, version), function in sorted(registry.items()):
        actual = published[(published["kpi_id"] == kpi_id) & (published["kpi_version"] == version)]
        try:
            expected = function(frame)
        except Exception as error:
            results.append(KpiResult(kpi_id, version, error=f"{type(error).__name__}: {error}"))
            continue
        results.append(compare_kpi(kpi_id, version, expected, actual))
    built = set(map(tuple, published[["kpi_id", "kpi_version"]].drop_duplicates().to_numpy()))
    not_validated = sorted(f"{k}_v{v}" for k, v in built if (k, int(v)) not in registry)
    return Comparison(results, not_validated)


def validate_warehouse(database: str, overrides: dict[str, Any] | None = None) -> Comparison:
    with duckdb.connect(database, read_only=True) as connection:
        return compare_with_warehouse(connection, overrides)
