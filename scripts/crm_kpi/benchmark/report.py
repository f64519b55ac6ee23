"""docs/performance.md and docs/performance/time_vs_size.svg from a benchmark's results.json.

The generated part sits between two markers in docs/performance.md, so the hand-written
analysis around it survives a re-run. The plot is drawn as SVG here (matplotlib is not a
dependency of the project).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

START, END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
SERIES = (  # step, legend, colour
    ("pandas", "pandas notebook (10 KPIs)", "#d62728"),
    ("build_full", "dbt build, whole project", "#1f77b4"),
    ("build_subset", "dbt build +10 KPIs (load included)", "#2ca02c"),
    ("sql", "hand-written DuckDB SQL (10 KPIs)", "#9467bd"),
    ("incremental", "incremental dbt build, one new day", "#ff7f0e"),
    ("parse_warm", "dbt start + parse (partial)", "#7f7f7f"),
)


def _s(step: dict[str, Any] | None) -> str:
    if not step or "seconds" not in step:
        return "–"
    if step.get("skipped"):
        return "not run (time box)"
    if step.get("timed_out"):
        return f"stopped at the time box after {step['seconds']:.0f} s"
    if step.get("over_memory_cap_mb"):
        cap = step["over_memory_cap_mb"] / 1024
        return f"stopped at the {cap:.0f} GB memory cap after {step['seconds']:.0f} s"
    if step.get("exit_code"):
        return f"failed ({step['seconds']:.0f} s)"
    return f"{step['seconds']:.1f} s"


def _mb(step: dict[str, Any] | None) -> str:
    if not step or "peak_rss_mb" not in step or step.get("exit_code"):
        return "–"
    return f"{step['peak_rss_mb'] / 1024:.2f} GB"


def _ratio(a: dict | None, b: dict | None) -> str:
    if not a or not b or a.get("exit_code") or b.get("exit_code") or not b.get("seconds"):
        return "–"
    return f"{a['seconds'] / b['seconds']:.2f}×"


def _share(steps: dict[str, Any], part: str, whole: str) -> str:
    a, b = steps.get(part), steps.get(whole)
    if not a or not b or a.get("exit_code") or b.get("exit_code") or not b.get("seconds"):
        return "–"
    return f"{100 * a['seconds'] / b['seconds']:.0f} %"


def _check(step: dict[str, Any] | None) -> str:
    if step and "check" not in step and step.get("seconds") is not None:
        return f"no result to compare ({_s(step)})"
    if not step or "check" not in step:
        return "not run"
    check = step["check"]
    verdict = "equal" if check["equal"] else "DIFFERENT"
    return (
        f"{verdict}: {check['rows_project']:,} rows of kpi_values, {check['missing']} missing, "
        f"{check['extra']} extra, {check['differing']} differing"
    )


def tables(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    labels = list(sizes)
    out = []
    m = results["machine"]
    out.append(
        f"Run `{results['command']}` from {results['started']} to "
        f"{results.get('finished', '(unfinished)')} "
        f"(UTC). Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, {m['os']}; "
        f"Python {m['python']}, DuckDB {m['duckdb']}, dbt-core {m['dbt_core']}, "
        f"pandas {m['pandas']} (pyarrow {m.get('pyarrow', 'not installed')}). "
        f"DuckDB memory limit {results['settings']['memory_limit']}, "
        f"{results['settings']['threads']} "
        f"threads (DuckDB and dbt); as_of_date {results['settings']['as_of_date']}."
    )
    out.append("")
    out.append("| | " + " | ".join(labels) + " |")
    out.append("|---|" + "---|" * len(labels))

    def row(name: str, cell: Callable[[dict[str, Any]], str]) -> None:
        out.append(f"| {name} | " + " | ".join(cell(sizes[label]) for label in labels) + " |")

    def rows(table: str):
        return lambda e: f"{e.get('rows', {}).get(table, 0):,}" if e.get("rows") else "–"

    row("orders", rows("orders"))
    row("customers", rows("customers"))
    row("activities", rows("activities"))
    row("usage events", rows("usage_events"))
    row("tickets", rows("tickets"))
    row("all rows (17 tables)", lambda e: f"{sum(e.get('rows', {}).values()):,}")
    row("Parquet extracts", lambda e: f"{e.get('extract_mb', 0):,.0f} MB")
    st = lambda name: lambda e: _s(e["steps"].get(name))  # noqa: E731
    row("generate (Parquet)", st("generate"))
    row("dbt start + parse, cold", st("parse_cold"))
    row("**dbt start + parse, partial parsing**", st("parse_warm"))
    row("load (17 base models, inside the subset build)", st("load"))
    row("**full `dbt build`** (all models and tests)", st("build_full"))
    row("**incremental `dbt build`**, one new day", st("incremental"))
    row("incremental / full build", lambda e: _share(e["steps"], "incremental", "build_full"))
    row("**project: `dbt build --select +<10 KPIs>`** (load included)", st("build_subset"))
    row("**lower bound: hand-written DuckDB SQL**", st("sql"))
    row("**pandas notebook**", st("pandas"))
    row(
        "project / lower bound",
        lambda e: _ratio(e["steps"].get("build_subset"), e["steps"].get("sql")),
    )
    row(
        "pandas / project",
        lambda e: _ratio(e["steps"].get("pandas"), e["steps"].get("build_subset")),
    )
    memory_steps = (
        ("full build", "build_full"),
        ("incremental", "incremental"),
        ("subset build", "build_subset"),
        ("DuckDB SQL", "sql"),
        ("pandas", "pandas"),
        ("parse", "parse_warm"),
    )
    for name, step in memory_steps:
        row(f"peak memory: {name}", lambda e, step=step: _mb(e["steps"].get(step)))
    row(
        "load average (1 min) after the subset build",
        lambda e: str(e["steps"].get("build_subset", {}).get("load_average", ["–"])[0]),
    )
    row(
        "load average (1 min) after the full build",
        lambda e: str(e["steps"].get("build_full", {}).get("load_average", ["–"])[0]),
    )
    out.append("")
    out.append(
        "Checks before the times above (the references against the project's `kpi_values`, "
        f"{', '.join(results['subset'])}, every grain, period and breakdown; values within "
        "1e-9 relative):"
    )
    out.append("")
    for label in labels:
        steps = sizes[label]["steps"]
        sql, pandas = _check(steps.get("sql")), _check(steps.get("pandas"))
        out.append(f"- {label}: DuckDB SQL {sql}; pandas {pandas}")
        if sizes[label].get("error"):
            out.append(f"  - stopped: {sizes[label]['error']}")
    out.append("")
    for step_name in ("build_subset", "build_full", "incremental"):
        with_nodes = [
            label for label in labels if sizes[label]["steps"].get(step_name, {}).get("nodes")
        ]
        if not with_nodes:
            continue
        largest = with_nodes[-1]
        nodes = sizes[largest]["steps"][step_name]["nodes"]
        kinds = nodes[0].get("by_resource_type", {})
        summary = ", ".join(f"{k} {v:.0f} s" for k, v in kinds.items())
        out.append(
            f"Where the time of `{step_name}` goes at {largest} (dbt's execution time per node, "
            f"summed over its threads; by type: {summary}):"
        )
        out.append("")
        out.append("| node | seconds |")
        out.append("|---|---|")
        for node in nodes[1:]:
            out.append(f"| `{node['node']}` | {node['seconds']:.1f} |")
        out.append("")
    out.append("![time against size](performance/time_vs_size.svg)")
    return "\n".join(out)


def svg(results: dict[str, Any]) -> str:
    """Log-log plot of seconds against orders, one line per step."""
    width, height, left, right, top, bottom = 760, 420, 70, 250, 20, 50
    points = {}
    for step, _, _ in SERIES:
        pts = []
        for entry in results["sizes"].values():
            s = entry["steps"].get(step)
            orders = entry.get("rows", {}).get("orders")
            if s and orders and not s.get("exit_code") and s.get("seconds"):
                pts.append((orders, s["seconds"]))
        points[step] = pts
    xs = [p[0] for pts in points.values() for p in pts] or [1, 10]
    ys = [p[1] for pts in points.values() for p in pts] or [1, 10]
    x0, x1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)

    def px(x: float) -> float:
        return left + (math.log10(x) - x0) / (x1 - x0) * (width - left - right)

    def py(y: float) -> float:
        return height - bottom - (math.log10(y) - y0) / (y1 - y0) * (height - top - bottom)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for e in range(x0, x1 + 1):
        x = px(10**e)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">{10**e:,}</text>'
        )
    for e in range(y0, y1 + 1):
        y = py(10**e)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{10**e:g} s</text>')
    parts.append(
        f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">'
        "orders (other tables in proportion), log scale</text>"
    )
    for i, (step, legend, colour) in enumerate(SERIES):
        pts = sorted(points[step])
        if pts:
            path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            for x, y in pts:
                parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        ly = top + 14 + i * 18
        parts.append(
            f'<line x1="{width - right + 10}" y1="{ly - 4}" x2="{width - right + 30}" '
            f'y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(f'<text x="{width - right + 36}" y="{ly}">{legend}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_doc(results: dict[str, Any], project_dir: Path) -> Path:
    docs = project_dir / "docs"
    (docs / "performance").mkdir(parents=True, exist_ok=True)
    (docs / "performance" / "time_vs_size.svg").write_text(svg(results), encoding="utf-8")
    (docs / "performance" / "results.json").write_text(
        json.dumps(results, indent=1) + "\n", encoding="utf-8"
    )
    doc = docs / "performance.md"
    generated = f"{START}\n{tables(results)}\n{END}"
    if doc.exists() and START in (text := doc.read_text(encoding="utf-8")) and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        doc.write_text(head + generated + tail, encoding="utf-8")
    else:
        doc.write_text("# Performance at scale\n\n" + generated + "\n", encoding="utf-8")
    return doc
