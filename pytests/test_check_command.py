"""`crm-kpi check DIR`: the staging rules run on a folder without building the warehouse.

Each test runs the real command (dbt builds the staging layer into a temporary DuckDB file that
the command deletes) on a small handmade folder: the clean base of the malformed-extract catalog.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from crm_kpi import cli
from test_malformed_extracts import BASE, drop_column, set_values


@pytest.fixture
def clean_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "extracts"
    folder.mkdir()
    for table, text in BASE.items():
        (folder / f"{table}.csv").write_text(text, encoding="utf-8", newline="")
    return folder


def _check_databases() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("crm-kpi-check-*"))


def test_clean_folder_passes_with_row_counts(
    clean_folder: Path, capsys: pytest.CaptureFixture
) -> None:
    before = _check_databases()
    assert cli.main(["check", str(clean_folder)]) == 0
    out = capsys.readouterr().out
    for table in ("customers", "orders", "users"):
        assert f"{table}.csv: 3 rows, 3 staged, 0 quarantined (0 duplicates)" in out, out
    assert "exchange_rates.csv: 1 rows, 1 staged, 0 quarantined" in out, out
    assert "activities (absent, optional): 0 rows" in out, out
    assert "No blocking problems; 0 rows would be quarantined." in out, out
    assert _check_databases() == before, "the temporary database was not deleted"


def test_missing_required_column_is_blocking(
    clean_folder: Path, capsys: pytest.CaptureFixture
) -> None:
    drop_column("orders", "ordered_at")(clean_folder)
    assert cli.main(["check", str(clean_folder)]) == 1
    captured = capsys.readouterr()
    assert "BLOCKING problems" in captured.out
    assert "[orders.csv]" in captured.out, captured.out
    assert "Extract orders.csv: required column 'ordered_at' is missing" in captured.out
    assert "blocking problem" in captured.err


def test_dirty_rows_are_listed_with_reasons_and_pass(
    clean_folder: Path, capsys: pytest.CaptureFixture
) -> None:
    set_values("orders", "R2", amount="-250.50")(clean_folder)
    set_values("leads", "L3", status="on_hold", created_at="yesterday")(clean_folder)
    assert cli.main(["check", str(clean_folder)]) == 0
    out = capsys.readouterr().out
    assert "orders.csv: 3 rows, 2 staged, 1 quarantined (0 duplicates)" in out, out
    assert "leads.csv: 3 rows, 2 staged, 1 quarantined (0 duplicates)" in out, out
    lines = [line.strip() for line in out.splitlines()]
    assert "out_of_range: 1 rows" in lines and "out_of_range:amount: 1 rows" in lines, out
    assert "unparseable:created_at: 1 rows" in lines, out
    assert "unknown_value:status: 1 rows" in lines, out
    assert "e.g. row 2 (key R2): amount='-250.50'" in lines, out
    assert "e.g. row 3 (key L3): status='on_hold'" in lines, out
    assert "No blocking problems; 2 rows would be quarantined." in out, out


def test_missing_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["check", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
