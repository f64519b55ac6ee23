"""A published KPI version never changes: its SQL is locked and its values on the sample are
snapshotted (see crm_kpi.kpi_lock)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from crm_kpi import kpi_lock


def test_published_kpi_sql_is_unchanged() -> None:
    problems = kpi_lock.sql_lock_problems(
        kpi_lock.read_json(kpi_lock.SQL_LOCK), kpi_lock.sql_hashes()
    )
    assert not problems, "\n".join(problems)


def test_sql_lock_detects_an_edited_version(tmp_path: Path) -> None:
    folder = tmp_path / "kpis" / "sales"
    folder.mkdir(parents=True)
    (folder / "kpi_demo_v1.sql").write_text("select 1 as value\n")
    locked = kpi_lock.sql_hashes(tmp_path / "kpis")
    (folder / "kpi_demo_v1.sql").write_text("select 2 as value\n")
    (folder / "kpi_demo_v2.sql").write_text("select 3 as value\n")
    problems = kpi_lock.sql_lock_problems(locked, kpi_lock.sql_hashes(tmp_path / "kpis"))
    assert any("kpi_demo_v1: its SQL changed" in p for p in problems)
    assert any("kpi_demo_v2: not in the SQL lock" in p for p in problems)


def test_published_kpi_values_on_the_sample_are_unchanged(warehouse: Path) -> None:
    snapshot = kpi_lock.read_json(kpi_lock.VALUE_SNAPSHOT)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        current = kpi_lock.value_fingerprints(connection)
    assert snapshot, "no value snapshot: run `python -m crm_kpi.kpi_lock --snapshot DB`"
    changed = sorted(k for k in snapshot if current.get(k) != snapshot[k])
    unsnapshotted = sorted(set(current) - set(snapshot))
    assert not changed, f"published KPI values changed on the sample: {changed}"
    assert not unsnapshotted, f"KPI versions without a value snapshot: {unsnapshotted}"
