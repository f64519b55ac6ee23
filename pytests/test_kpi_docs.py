"""The KPI catalog seed is complete and consistent, and the docs generated from it never drift.

The spec (`shared/spec/kpis.md`) and the source articles (`shared/seeds/*.txt`) live beside the
project (`<project>/../shared`, or `CRM_SHARED_DIR`); the tests that read them are skipped when
that folder is not there.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from pathlib import Path

import pytest

from crm_kpi import kpi_docs

LANGUAGE_COLUMNS = ("name_en", "name_ar", "name_fa", "name_uk")
NEW_COLUMNS = ("description", "source_terms", "deprecation_reason", "value_min", "value_max")


def _shared_dir() -> Path | None:
    candidates = [os.environ.get("CRM_SHARED_DIR", "")]
    candidates += [
        str(kpi_docs.PROJECT_DIR.parent / "shared"),
        str(kpi_docs.PROJECT_DIR / "shared"),
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "spec" / "kpis.md").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="module")
def shared_dir() -> Path:
    found = _shared_dir()
    if found is None:
        pytest.skip("shared/spec/kpis.md not found (set CRM_SHARED_DIR)")
    return found


@pytest.fixture(scope="module")
def spec_text(shared_dir: Path) -> str:
    return (shared_dir / "spec" / "kpis.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def catalog() -> list[kpi_docs.KpiVersion]:
    return kpi_docs.read_catalog()


def _markdown_tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table of `text` as a list of rows of cells (separator rows dropped)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = [cell.strip() for cell in stripped.strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", cell) for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def _spec_kpi_ids(spec_text: str) -> set[str]:
    """The ids of the spec's KPI tables (the tables whose first header cell is `id`)."""
    ids: set[str] = set()
    for table in _markdown_tables(spec_text):
        header, *rows = table
        if header[0] == "id":
            ids.update(row[0].strip("`") for row in rows)
    return ids


def _spec_second_versions(spec_text: str) -> set[str]:
    section = spec_text.split("## Known second versions", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([a-z0-9_]+)` v2", section))


def test_generated_docs_are_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    status = kpi_docs.main(["--check"])
    output = capsys.readouterr().out
    assert status == 0, output


def test_check_names_a_stale_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "kpi_reference.md"
    stale.write_text("edited by hand\n", encoding="utf-8")
    monkeypatch.setattr(kpi_docs, "REFERENCE", stale)
    assert kpi_docs.main(["--check"]) == 1
    assert "kpi_reference.md" in capsys.readouterr().out
    assert stale.read_text(encoding="utf-8") == "edited by hand\n"


def test_every_catalog_version_and_output_column_has_a_docs_block(
    catalog: list[kpi_docs.KpiVersion],
) -> None:
    text = kpi_docs.render_docs_blocks(catalog)
    blocks = re.findall(r"\{% docs ([a-z0-9_]+) %\}", text)
    assert len(blocks) == len(set(blocks)), "duplicate docs block names"
    expected = {kpi_docs.docs_block_name(k.kpi_id, k.version) for k in catalog}
    expected |= {f"kpi_col_{name}" for name, _ in kpi_docs.OUTPUT_COLUMNS}
    assert set(blocks) == expected
    assert text.count("{% enddocs %}") == len(blocks)


def test_every_spec_kpi_is_in_the_catalog(
    spec_text: str, catalog: list[kpi_docs.KpiVersion]
) -> None:
    spec_ids = _spec_kpi_ids(spec_text)
    assert len(spec_ids) >= 60, f"parsed only {len(spec_ids)} KPI ids from kpis.md"
    missing = spec_ids - {kpi.kpi_id for kpi in catalog}
    assert not missing, f"KPIs of kpis.md missing from the catalog: {sorted(missing)}"


def test_known_second_versions_are_live_and_their_v1_deprecated(
    spec_text: str, catalog: list[kpi_docs.KpiVersion]
) -> None:
    second = _spec_second_versions(spec_text)
    assert second == {"first_response_hours", "resolution_hours", "lead_conversion_rate", "crm_roi"}
    by_key = {(kpi.kpi_id, kpi.version): kpi for kpi in catalog}
    for kpi_id in sorted(second):
        v1, v2 = by_key.get((kpi_id, 1)), by_key.get((kpi_id, 2))
        assert v2 is not None and v2.status == "live", f"{kpi_id}: no live v2"
        assert v1 is not None and v1.status == "deprecated", f"{kpi_id}: v1 not deprecated"
        assert dt.date.fromisoformat(v1.deprecation_date), f"{kpi_id}: v1 has no deprecation_date"
        assert v1.deprecation_reason, f"{kpi_id}: v1 has no deprecation_reason"
        assert not v2.deprecation_date and not v2.deprecation_reason


def test_only_deprecated_versions_carry_a_deprecation() -> None:
    for kpi in kpi_docs.read_catalog():
        deprecated = kpi.status == "deprecated"
        assert bool(kpi.deprecation_date) == deprecated, (kpi.kpi_id, kpi.version)
        assert bool(kpi.deprecation_reason) == deprecated, (kpi.kpi_id, kpi.version)


def test_names_in_all_four_languages_and_descriptions() -> None:
    with kpi_docs.CATALOG.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames is not None
        assert set(NEW_COLUMNS) <= set(reader.fieldnames)
        rows = list(reader)
    for row in rows:
        key = f"{row['kpi_id']} v{row['kpi_version']}"
        for column in (*LANGUAGE_COLUMNS, "description"):
            assert row[column].strip(), f"{key}: {column} is empty"
        assert re.search(r"[\u0600-\u06ff]", row["name_ar"]), f"{key}: name_ar is not Arabic"
        assert re.search(r"[\u0600-\u06ff]", row["name_fa"]), f"{key}: name_fa is not Persian"
        assert re.search(r"[\u0400-\u04ff]", row["name_uk"]), f"{key}: name_uk is not Cyrillic"


def test_value_ranges_are_consistent(catalog: list[kpi_docs.KpiVersion]) -> None:
    for kpi in catalog:
        if kpi.value_min is not None and kpi.value_max is not None:
            assert kpi.value_min <= kpi.value_max, (kpi.kpi_id, kpi.version)


def test_source_terms_are_quoted_verbatim_from_the_articles(
    shared_dir: Path, catalog: list[kpi_docs.KpiVersion]
) -> None:
    articles = {
        path.name[:3]: path.read_text(encoding="utf-8")
        for path in (shared_dir / "seeds").glob("[0-9][0-9][0-9]_*.txt")
    }
    for kpi in catalog:
        for number, term in kpi.source_terms:
            assert number in articles, f"{kpi.kpi_id}: no article {number}"
            assert term in articles[number], f"{kpi.kpi_id}: {term!r} is not in article {number}"
