"""Generate the KPI documentation from the KPI catalog seed.

The catalog `seeds/reference/kpi_definitions.csv` is the one definition of every KPI. This
module writes, from it,

* `models/marts/kpis/_kpis__docs.md`: a dbt docs block `kpi_<id>_v<version>` per KPI version
  (what an analyst needs to read the numbers: name, description, formula, unit, direction,
  grains, breakdowns, requirements, possible range, sources and the articles' own terms, and,
  for a superseded version, its deprecation date, the reason and the successor), plus a block
  `kpi_col_<column>` per column of the KPI output shape (docs/architecture.md, "KPI layer");
* `docs/kpi_reference.md`: the human-readable KPI reference, one table per category and a
  section per KPI with its names in English, Arabic, Persian and Ukrainian.

Run `python -m crm_kpi.kpi_docs` after editing the catalog (with `PYTHONPATH=scripts` unless the
package is installed). `--check` writes nothing and exits 1, naming the files, when a generated
file differs from what is on disk (run by pytests/test_kpi_docs.py).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
CATALOG = PROJECT_DIR / "seeds" / "reference" / "kpi_definitions.csv"
DOCS_BLOCKS = PROJECT_DIR / "models" / "marts" / "kpis" / "_kpis__docs.md"
REFERENCE = PROJECT_DIR / "docs" / "kpi_reference.md"

COMMAND = "python -m crm_kpi.kpi_docs"
GENERATED_NOTE = (
    f"Generated from seeds/reference/kpi_definitions.csv by `{COMMAND}` "
    "(run from the project root with PYTHONPATH=scripts). Do not edit by hand: edit the catalog "
    "and regenerate."
)

CATEGORY_TITLES: dict[str, str] = {
    "sales_finance": "Sales and finance",
    "leads_marketing": "Leads and marketing",
    "customers": "Customers",
    "service": "Customer perception and service",
    "adoption": "CRM adoption, activity and skills",
    "operations": "Operations",
    "data_quality": "Data quality",
    "roi": "Return on the CRM investment",
}
PERSPECTIVES: dict[str, str] = {
    "business_performance": "business performance",
    "user_adoption": "user adoption",
    "customer_perception": "customer perception",
}
DIRECTIONS: dict[str, str] = {
    "up": "up (higher is better)",
    "down": "down (lower is better)",
    "none": "none (context: neither higher nor lower is better)",
}
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("ar", "Arabic"),
    ("fa", "Persian"),
    ("uk", "Ukrainian"),
)
SOURCE_ARTICLES: dict[str, tuple[str, str]] = {
    "000": ("Arabic", "How can the success of a CRM system in a company be measured?"),
    "001": ("Arabic", "CRM ROI: how to measure the return on a CRM investment"),
    "002": ("Arabic", "CRM KPIs: which matter, who tracks them, when to review them"),
    "003": ("Persian", "4 criteria for evaluating CRM performance and 12 measurable goals"),
    "004": ("Ukrainian", "How to evaluate CRM effectiveness after implementation: key metrics"),
}

# The long output shape shared by every KPI model (docs/architecture.md, "KPI layer").
OUTPUT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kpi_id", "Catalog id of the KPI (`kpi_definitions.kpi_id`)."),
    (
        "kpi_version",
        "Version of the KPI's definition; a changed definition is a new version, never an edit "
        "of an old one. `kpi_values` holds the latest and the older live versions side by side.",
    ),
    (
        "period_grain",
        "`month`, `quarter`, `year` (fiscal, from `fiscal_year_start_month`) or `all_time`. "
        "Quarters and years are computed from the underlying rows (summed numerators and "
        "denominators), never by averaging monthly values. The KPI models also carry the "
        "scorecard's windows (the months before / after go-live) as grains named `window_*`, "
        "which `kpi_values` leaves out.",
    ),
    (
        "period_start",
        "First day of the period; the period runs to the next period's start (exclusive). For "
        "`all_time`, the first day of the reporting calendar.",
    ),
    (
        "breakdown",
        "The dimension the row is broken down by: `overall`, `user_id`, `team`, `segment`, "
        "`region`, `acquisition_channel`, `campaign_id`, `activity_type`, `category`, `table` "
        "or `reason`. Every reported period has one `overall` row.",
    ),
    (
        "breakdown_value",
        "Value of the breakdown dimension; null for `overall`, `(none)` when the attribute is "
        "empty.",
    ),
    (
        "value",
        "The KPI's value, in the KPI's unit; null when it cannot be computed (e.g. a ratio "
        "whose denominator is zero).",
    ),
    (
        "numerator",
        "Numerator of a ratio (the sum of the measure for a mean), so that value = numerator / "
        "denominator (times 100 for NPS); null where the KPI is not a ratio.",
    ),
    (
        "denominator",
        "Denominator of a ratio (the count of measured rows for a mean); null where the KPI is "
        "not a ratio.",
    ),
    ("unit", "Unit of the value, from the catalog (money, ratio, count, hours, days, ...)."),
    (
        "is_available",
        "False when the data the KPI needs (an optional extract or column) is absent; the "
        "value is then null and `reason` says what is missing.",
    ),
    ("reason", "Why the KPI is not available; null when it is."),
    (
        "is_period_complete",
        "False for the period containing `as_of_date` (still in progress: compare with care).",
    ),
)

_JINJA_DELIMITERS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


@dataclass(frozen=True)
class KpiVersion:
    """One row of the catalog: a KPI at one definition version."""

    kpi_id: str
    version: int
    status: str
    deprecation_date: str
    names: dict[str, str]
    category: str
    perspective: str
    unit: str
    direction: str
    formula: str
    sources: tuple[str, ...]
    owner: str
    grains: tuple[str, ...]
    breakdowns: tuple[str, ...]
    requires: tuple[str, ...]
    description: str
    source_terms: tuple[tuple[str, str], ...]
    deprecation_reason: str
    value_min: float | None
    value_max: float | None

    @property
    def block_name(self) -> str:
        return docs_block_name(self.kpi_id, self.version)

    @property
    def is_deprecated(self) -> bool:
        return self.status == "deprecated"


def docs_block_name(kpi_id: str, version: int) -> str:
    """Name of the docs block of a KPI version, e.g. `kpi_revenue_v1`."""
    return f"kpi_{kpi_id}_v{version}"


def _split_list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _bound(text: str) -> float | None:
    return float(text) if text.strip() else None


def parse_source_terms(text: str) -> tuple[tuple[str, str], ...]:
    """`000: term; 004: term` -> ((file number, term), ...)."""
    terms = []
    for item in text.split(";"):
        if not item.strip():
            continue
        number, separator, term = item.partition(":")
        if not separator or not term.strip():
            raise ValueError(f"source term {item.strip()!r} is not '<file number>: <term>'")
        terms.append((number.strip(), term.strip()))
    return tuple(terms)


def _kpi_from_row(row: dict[str, str]) -> KpiVersion:
    return KpiVersion(
        kpi_id=row["kpi_id"],
        version=int(row["kpi_version"]),
        status=row["status"],
        deprecation_date=row["deprecation_date"],
        names={code: row[f"name_{code}"] for code, _ in LANGUAGES},
        category=row["category"],
        perspective=row["perspective"],
        unit=row["unit"],
        direction=row["direction"],
        formula=row["formula"],
        sources=_split_list(row["sources"]),
        owner=row["owner"],
        grains=_split_list(row["grains"]),
        breakdowns=_split_list(row["breakdowns"]),
        requires=_split_list(row["requires"]),
        description=row["description"],
        source_terms=parse_source_terms(row["source_terms"]),
        deprecation_reason=row["deprecation_reason"],
        value_min=_bound(row["value_min"]),
        value_max=_bound(row["value_max"]),
    )


def read_catalog(path: Path = CATALOG) -> list[KpiVersion]:
    """The catalog's rows, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [_kpi_from_row(row) for row in csv.DictReader(handle)]


# --------------------------------------------------------------------------- formatting helpers


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _code_list(items: Iterable[str]) -> str:
    return ", ".join(f"`{item}`" for item in items)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def value_range(kpi: KpiVersion) -> str:
    """The possible range of the value in words."""
    low, high = kpi.value_min, kpi.value_max
    if low is not None and high is not None:
        return f"{_number(low)} to {_number(high)}"
    if low is not None:
        return f"{_number(low)} or more (no upper bound)"
    if high is not None:
        return f"{_number(high)} or less (no lower bound)"
    return "unbounded (can be any value, negative included)"


def format_sources(kpi: KpiVersion) -> str:
    return ", ".join(
        f"{number} ({SOURCE_ARTICLES[number][0]})" if number in SOURCE_ARTICLES else number
        for number in kpi.sources
    )


def format_source_terms(kpi: KpiVersion) -> str:
    if not kpi.source_terms:
        return "none (no article uses a term of its own for this KPI; the names are translations)"
    return "; ".join(f"{number}: «{term}»" for number, term in kpi.source_terms)


def successor(kpi: KpiVersion, catalog: Sequence[KpiVersion]) -> KpiVersion | None:
    """The next version of the same KPI, if any."""
    later = [k for k in catalog if k.kpi_id == kpi.kpi_id and k.version > kpi.version]
    return min(later, key=lambda k: k.version) if later else None


def predecessors(kpi: KpiVersion, catalog: Sequence[KpiVersion]) -> list[KpiVersion]:
    return sorted(
        (k for k in catalog if k.kpi_id == kpi.kpi_id and k.version < kpi.version),
        key=lambda k: k.version,
    )


def definition_rows(kpi: KpiVersion, catalog: Sequence[KpiVersion]) -> list[tuple[str, str]]:
    """The definition of one KPI version as (field, value) pairs, shared by both outputs."""
    rows = [
        ("KPI", f"`{kpi.kpi_id}` version {kpi.version} ({kpi.status})"),
        ("Formula", kpi.formula),
        ("Unit", kpi.unit),
        ("Direction", DIRECTIONS.get(kpi.direction, kpi.direction)),
        ("Possible range", value_range(kpi)),
        ("Grains", _code_list(kpi.grains)),
        ("Breakdowns", _code_list(kpi.breakdowns)),
        (
            "Requires",
            _code_list(kpi.requires) if kpi.requires else "the core extracts only",
        ),
        ("Category", CATEGORY_TITLES.get(kpi.category, kpi.category)),
        ("Perspective", PERSPECTIVES.get(kpi.perspective, kpi.perspective)),
        ("Owner", kpi.owner),
        ("Sources", format_sources(kpi)),
        ("Source terms", format_source_terms(kpi)),
    ]
    rows.extend((f"Name ({language})", kpi.names[code]) for code, language in LANGUAGES)
    if kpi.is_deprecated:
        rows.append(("Deprecated", f"built until {kpi.deprecation_date}"))
        nxt = successor(kpi, catalog)
        if nxt is not None:
            rows.append(("Successor", f"`{nxt.kpi_id}` version {nxt.version} (`{nxt.block_name}`)"))
    older = predecessors(kpi, catalog)
    if older:
        rows.append(
            (
                "Supersedes",
                ", ".join(
                    f"version {k.version} ({k.status}"
                    + (f", built until {k.deprecation_date})" if k.deprecation_date else ")")
                    for k in older
                ),
            )
        )
    return rows


def _table(rows: Iterable[tuple[str, str]]) -> list[str]:
    lines = ["| field | value |", "|---|---|"]
    lines.extend(f"| {_cell(field)} | {_cell(value)} |" for field, value in rows)
    return lines


# ------------------------------------------------------------------------------- dbt docs blocks


def _docs_block(name: str, body: Sequence[str]) -> str:
    text = "\n".join(body)
    if _JINJA_DELIMITERS.search(text):
        raise ValueError(f"docs block {name}: the text contains a Jinja delimiter")
    return f"{{% docs {name} %}}\n{text}\n{{% enddocs %}}\n"


def kpi_docs_block(kpi: KpiVersion, catalog: Sequence[KpiVersion]) -> str:
    heading = f"**{kpi.names['en']}** (`{kpi.kpi_id}`, version {kpi.version}"
    heading += ", deprecated)" if kpi.is_deprecated else ")"
    body = [heading, "", kpi.description, ""]
    if kpi.is_deprecated:
        nxt = successor(kpi, catalog)
        target = f"version {nxt.version}" if nxt else "a later version"
        body += [
            f"**Deprecated**: built until {kpi.deprecation_date}; use {target} instead. "
            f"{kpi.deprecation_reason}",
            "",
        ]
    body += _table(definition_rows(kpi, catalog))
    return _docs_block(kpi.block_name, body)


def render_docs_blocks(catalog: Sequence[KpiVersion]) -> str:
    parts = [f"{{# {GENERATED_NOTE} #}}\n"]
    parts.extend(kpi_docs_block(kpi, catalog) for kpi in catalog)
    parts.extend(_docs_block(f"kpi_col_{name}", [text]) for name, text in OUTPUT_COLUMNS)
    return "\n".join(parts)


# ---------------------------------------------------------------------------- reference page


def _anchor(kpi_id: str) -> str:
    return f"kpi-{kpi_id.replace('_', '-')}"


def _category_anchor(category: str) -> str:
    return f"category-{category.replace('_', '-')}"


def _by_category(catalog: Sequence[KpiVersion]) -> dict[str, dict[str, list[KpiVersion]]]:
    """category -> kpi_id -> versions, in catalog order."""
    grouped: dict[str, dict[str, list[KpiVersion]]] = {}
    for kpi in catalog:
        grouped.setdefault(kpi.category, {}).setdefault(kpi.kpi_id, []).append(kpi)
    return grouped


def _latest(versions: Sequence[KpiVersion]) -> KpiVersion:
    return max(versions, key=lambda k: k.version)


def _versions_label(versions: Sequence[KpiVersion]) -> str:
    return ", ".join(
        f"v{k.version}" + (" (deprecated)" if k.is_deprecated else "")
        for k in sorted(versions, key=lambda k: k.version)
    )


def _category_table(kpis: dict[str, list[KpiVersion]]) -> list[str]:
    lines = [
        "| KPI | name | versions | unit | direction | perspective | sources |",
        "|---|---|---|---|---|---|---|",
    ]
    for kpi_id, versions in kpis.items():
        latest = _latest(versions)
        cells = [
            f"[`{kpi_id}`](#{_anchor(kpi_id)})",
            latest.names["en"],
            _versions_label(versions),
            latest.unit,
            latest.direction,
            PERSPECTIVES.get(latest.perspective, latest.perspective),
            ", ".join(latest.sources),
        ]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines


def _kpi_section(versions: Sequence[KpiVersion], catalog: Sequence[KpiVersion]) -> list[str]:
    latest = _latest(versions)
    lines = [
        f'<a id="{_anchor(latest.kpi_id)}"></a>',
        "",
        f"### {latest.names['en']} (`{latest.kpi_id}`)",
        "",
        "| language | name |",
        "|---|---|",
    ]
    lines.extend(f"| {language} | {_cell(latest.names[code])} |" for code, language in LANGUAGES)
    lines += ["", latest.description, ""]
    if latest.source_terms:
        lines += [f"Source terms: {format_source_terms(latest)}.", ""]
    for kpi in sorted(versions, key=lambda k: k.version):
        title = f"#### Version {kpi.version} ({kpi.status}"
        title += f", built until {kpi.deprecation_date})" if kpi.is_deprecated else ")"
        lines += [title, ""]
        if kpi is not latest:
            lines += [kpi.description, ""]
        if kpi.is_deprecated:
            lines += [f"Why it is superseded: {kpi.deprecation_reason}", ""]
        rows = [
            (field, value)
            for field, value in definition_rows(kpi, catalog)
            if not field.startswith("Name (") and field not in ("Source terms", "Category")
        ]
        lines += [*_table(rows), "", f"dbt docs block: `{kpi.block_name}`.", ""]
    return lines


def render_reference(catalog: Sequence[KpiVersion]) -> str:
    grouped = _by_category(catalog)
    kpi_count = len({kpi.kpi_id for kpi in catalog})
    lines = [
        "# KPI reference",
        "",
        f"_{GENERATED_NOTE}_",
        "",
        f"{kpi_count} KPIs, {len(catalog)} definition versions. The conventions shared by every "
        "KPI (grains, periods, null ratios, breakdowns) are in `shared/spec/kpis.md`; exactly "
        "which rows count and how they are aggregated is in [kpi_design.md](kpi_design.md). The "
        "values are in `marts.kpi_values` (one row per KPI, version, grain, period and "
        "breakdown) and the catalog in `marts.kpi_catalog`.",
        "",
        "## Contents",
        "",
    ]
    lines.extend(
        f"- [{CATEGORY_TITLES.get(category, category)}](#{_category_anchor(category)}) "
        f"({len(kpis)} KPIs)"
        for category, kpis in grouped.items()
    )
    lines += [
        "",
        "## Source articles",
        "",
        "The catalog's `sources` and the quoted source terms refer to these articles "
        "(`shared/seeds/<number>_*.txt`). Names are the articles' own terms where an article "
        "names the KPI, otherwise the usual practitioners' translation.",
        "",
        "| number | language | subject |",
        "|---|---|---|",
    ]
    lines.extend(
        f"| {number} | {language} | {_cell(title)} |"
        for number, (language, title) in SOURCE_ARTICLES.items()
    )
    lines.append("")
    for category, kpis in grouped.items():
        lines += [
            f'<a id="{_category_anchor(category)}"></a>',
            "",
            f"## {CATEGORY_TITLES.get(category, category)}",
            "",
            *_category_table(kpis),
            "",
        ]
        for versions in kpis.values():
            lines += _kpi_section(versions, catalog)
    return "\n".join(lines).rstrip("\n") + "\n"


# ------------------------------------------------------------------------------------- driver


def generated_files(catalog_path: Path = CATALOG) -> dict[Path, str]:
    """Every generated file and its expected content."""
    catalog = read_catalog(catalog_path)
    return {
        DOCS_BLOCKS: render_docs_blocks(catalog),
        REFERENCE: render_reference(catalog),
    }


def stale_files(files: dict[Path, str]) -> list[Path]:
    """The generated files whose content on disk differs from the expected one (or is absent)."""
    stale = []
    for path, text in files.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
    return stale


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=COMMAND, description="Generate the KPI docs from the KPI catalog seed."
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a generated file differs from what is on disk",
    )
    args = parser.parse_args(argv)
    files = generated_files()
    stale = stale_files(files)
    if args.check:
        if stale:
            names = ", ".join(_relative(path) for path in stale)
            print(f"out of date (run `{COMMAND}`): {names}")
            return 1
        print("KPI docs are up to date")
        return 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(files[path])
        print(f"wrote {_relative(path)}")
    if not stale:
        print("KPI docs are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
