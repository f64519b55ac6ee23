"""Compare the independent recomputation with what the warehouse published."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
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


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[[*KEY, *MEASURES, "is_available"]].copy()
    out["period_start"] = pd.to_datetime(out["period_start"]).dt.date
    out["breakdown_value"] = (
        out["breakdown_value"].astype(object).where(out["breakdown_value"].notna(), "<null>")
    )
    for column in MEASURES:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    out["is_available"] = out["is_available"].astype(bool)
    return out


def _differs(expected: pd.Series, actual: pd.Series) -> pd.Series:
    """Elementwise: one side null and not the other, or not close (rel 1e-9, abs 1e-9)."""
    both_null = expected.isna() & actual.isna()
    one_null = expected.isna() ^ actual.isna()
    tolerance = np.maximum(REL_TOL * np.maximum(expected.abs(), actual.abs()), ABS_TOL)
    far = (expected - actual).abs() > tolerance
    return ~both_null & (one_null | far.fillna(False))


def _describe(keys: pd.DataFrame, limit: int = 5) -> list[str]:
    texts = [" ".join(map(str, row)) for row in keys[KEY].head(limit).itertuples(index=False)]
    if len(keys) > limit:
        texts.append(f"... {len(keys)} in all")
    return texts


def compare_kpi(
    kpi_id: str, version: int, expected: pd.DataFrame, actual: pd.DataFrame
) -> KpiResult:
    """Keys must match both ways; value, numerator, denominator and is_available must agree."""
    result = KpiResult(kpi_id, version)
    merged = _normalise(expected).merge(
        _normalise(actual), on=KEY, how="outer", suffixes=("_py", "_wh"), indicator=True
    )
    result.missing_in_warehouse = _describe(merged[merged["_merge"] == "left_only"])
    result.extra_in_warehouse = _describe(merged[merged["_merge"] == "right_only"])
    both = merged[merged["_merge"] == "both"]
    for column in [*MEASURES, "is_available"]:
        result.comparisons += len(both)
        if column == "is_available":
            bad = both[both[f"{column}_py"] != both[f"{column}_wh"]]
        else:
            bad = both[_differs(both[f"{column}_py"], both[f"{column}_wh"])]
        for row in bad.head(5 - len(result.mismatches)).itertuples(index=False):
            row = row._asdict()
            key = " ".join(str(row[k]) for k in KEY)
            result.mismatches.append(
                f"{key} {column}: python {row[f'{column}_py']!r} "
                f"vs warehouse {row[f'{column}_wh']!r}"
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
