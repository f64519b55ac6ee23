"""Generate the KPI models' YAML (versions, enforced contracts, data tests) and the KPI registry.

The catalog seed `seeds/reference/kpi_definitions.csv` is the one definition of every KPI: its
versions, grains, breakdowns and value range. This module writes, from it,

* `models/marts/kpis/<category>/_<category>__models.yml` (one per category): every KPI model with
  its versions (`deprecation_date` on superseded ones), `latest_version`, `access: public`, the
  enforced contract of the long output shape, and the data tests derived from the catalog;
* `macros/kpi/kpi_registry.sql`: the (kpi_id, version) list that `kpi_values` unions.

Run `python -m crm_kpi.kpi_models` after editing the catalog; `--check` fails when a generated
file is out of date (run by the test suite). Hand-written unit tests live in
`_<category>__unit_tests.yml` beside the generated file.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
CATALOG = PROJECT_DIR / "seeds" / "reference" / "kpi_definitions.csv"
KPI_DIR = PROJECT_DIR / "models" / "marts" / "kpis"
REGISTRY = PROJECT_DIR / "macros" / "kpi" / "kpi_registry.sql"
DOCS = KPI_DIR / "_kpis__docs.md"
HEADER = "# Generated from seeds/reference/kpi_definitions.csv by `python -m crm_kpi.kpi_models`.\n"

OUTPUT_COLUMNS: list[tuple[str, str, list]] = [
    ("kpi_id", "string", ["not_null"]),
    ("kpi_version", "integer", ["not_null"]),
    ("period_grain", "string", ["not_null"]),  # calendar grains and scorecard windows
    ("period_start", "date", ["not_null"]),
    ("breakdown", "string", ["not_null"]),
    ("breakdown_value", "string", []),
    ("value", "double", []),
    ("numerator", "double", []),
    ("denominator", "double", []),
    ("unit", "string", ["not_null"]),
    ("is_available", "boolean", ["not_null"]),
    ("reason", "string", []),
    ("is_period_complete", "boolean", ["not_null"]),
]
KEY = ["kpi_id", "kpi_version", "period_grain", "period_start", "breakdown", "breakdown_value"]


def read_catalog(path: Path = CATALOG) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def model_file(row: dict[str, str]) -> Path:
    return KPI_DIR / row["category"] / f"kpi_{row['kpi_id']}_v{row['kpi_version']}.sql"


def documented_blocks(path: Path = DOCS) -> set[str]:
    """Names of the docs blocks that exist (written by `crm_kpi.kpi_docs`)."""
    if not path.exists():
        return set()
    text = path.read_text(encoding="utf-8")
    return {part.split("%}")[0].strip() for part in text.split("{% docs ")[1:]}


def describe(block: str, fallback: str, blocks: set[str]) -> str:
    return f'{{{{ doc("{block}") }}}}' if block in blocks else fallback


def split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def bound(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def column_entry(
    name: str, data_type: str, tests: list, row: dict[str, str], blocks: set[str]
) -> dict:
    entry: dict = {
        "name": name,
        "data_type": data_type,
        "description": describe(f"kpi_col_{name}", f"{name} of the KPI output shape.", blocks),
    }
    checks = list(tests)
    if name == "kpi_id":
        checks.append({"accepted_values": {"arguments": {"values": [row["kpi_id"]]}}})
    if name == "breakdown":
        values = split_list(row["breakdowns"])
        checks.append({"accepted_values": {"arguments": {"values": values}}})
    if name == "unit":
        checks.append({"accepted_values": {"arguments": {"values": [row["unit"]]}}})
    if checks:
        entry["data_tests"] = checks
    return entry


def model_entry(versions: list[dict[str, str]], blocks: set[str]) -> dict:
    latest = max(versions, key=lambda row: int(row["kpi_version"]))
    kpi_id = latest["kpi_id"]
    model_tests: list = [
        {"unique_key": {"arguments": {"columns": KEY}}},
        {
            "kpi_covers_reported_periods": {
                "arguments": {"grains": split_list(latest["grains"])},
            }
        },
    ]
    low, high = bound(latest.get("value_min", "")), bound(latest.get("value_max", ""))
    if low is not None or high is not None:
        model_tests.append(
            {"kpi_value_in_range": {"arguments": {"min_value": low, "max_value": high}}}
        )
    version_entries = []
    for row in sorted(versions, key=lambda r: int(r["kpi_version"])):
        # No version-level description: dbt would show it instead of the model's docs block
        # (and cannot render doc() there at parse time). Each version's own docs block,
        # kpi_<id>_v<n>, is in the manifest's docs and the generated reference page.
        item: dict = {"v": int(row["kpi_version"])}
        if row["deprecation_date"]:
            item["deprecation_date"] = row["deprecation_date"]
        version_entries.append(item)
    return {
        "name": f"kpi_{kpi_id}",
        "description": describe(
            f"kpi_{kpi_id}_v{latest['kpi_version']}", latest["formula"], blocks
        ),
        "latest_version": int(latest["kpi_version"]),
        "config": {
            "access": "public",
            "contract": {"enforced": True},
            "meta": {
                "kpi_id": kpi_id,
                "category": latest["category"],
                "unit": latest["unit"],
                "direction": latest["direction"],
                "owner": latest["owner"],
            },
        },
        "columns": [column_entry(n, t, tests, latest, blocks) for n, t, tests in OUTPUT_COLUMNS],
        "data_tests": model_tests,
        "versions": version_entries,
    }


def render_category(rows: list[dict[str, str]], blocks: set[str]) -> str:
    by_kpi: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_kpi[row["kpi_id"]].append(row)
    models = [model_entry(versions, blocks) for versions in by_kpi.values()]
    body = yaml.safe_dump(
        {"version": 2, "models": models}, sort_keys=False, allow_unicode=True, width=100
    )
    return HEADER + body


def render_registry(rows: list[dict[str, str]]) -> str:
    items = ",\n".join(
        f"        {{'kpi_id': '{row['kpi_id']}', 'version': {int(row['kpi_version'])}, "
        f"'category': '{row['category']}'}}"
        for row in rows
    )
    return (
        "{#- Generated from seeds/reference/kpi_definitions.csv by "
        "`python -m crm_kpi.kpi_models`:\n"
        "    every KPI model version in the catalog. Refs must be known at parse time, so the\n"
        "    list is written out here. -#}\n"
        "{% macro kpi_registry() -%}\n"
        "    {{ return([\n" + items + "\n    ]) }}\n"
        "{%- endmacro %}\n"
    )


def generated_files(rows: list[dict[str, str]]) -> dict[Path, str]:
    """Only KPI versions whose SQL file exists are declared: the catalog may run ahead of the
    models, and `tests/assert_every_catalog_kpi_is_built.sql` reports what is missing."""
    built = [row for row in rows if model_file(row).exists()]
    blocks = documented_blocks()
    by_category: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in built:
        by_category[row["category"]].append(row)
    files = {
        KPI_DIR / category / f"_{category}__models.yml": render_category(category_rows, blocks)
        for category, category_rows in by_category.items()
    }
    files[REGISTRY] = render_registry(built)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in generated_files(read_catalog()).items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(path.relative_to(PROJECT_DIR))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(PROJECT_DIR)}")
    if stale:
        print("out of date (run `python -m crm_kpi.kpi_models`): " + ", ".join(map(str, stale)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
