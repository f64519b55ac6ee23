"""DuckDB and Spark side by side on one folder of extracts (docs/scale-out.md, "Measured").

    python -m crm_kpi.benchmark.engines --extracts /tmp/crm_1m --work /tmp/crm_engines
    python -m crm_kpi.benchmark.engines --orders 1M --work /tmp/crm_engines   # generate first

Each build is a child process (`crm-kpi build`, then `crm-kpi build --target spark`), timed
and measured like the benchmark's steps (wall clock, peak resident memory of the child). By
default the builds are `--models-only` (every model, no data or unit tests); `--with-tests`
runs the full builds. Load: on DuckDB the span of the base models that read the files
(run_results.json); on Spark the time from the start of the process to dbt's first node (JVM
and session start, the loader reading every extract into a table). Spark needs
`make spark-setup`. The results go to <work>/engines.json and a table to standard output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from crm_kpi.benchmark.run import load_span, machine, measure
from crm_kpi.project import find_project_dir
from crm_kpi.scaled import generate_scaled, parse_size


def first_node_start(target: Path) -> dt.datetime | None:
    """When dbt started its first node (run_results.json), or None without results."""
    path = target / "run_results.json"
    if not path.exists():
        return None
    starts = [
        dt.datetime.fromisoformat(timing["started_at"].replace("Z", "+00:00"))
        for result in json.loads(path.read_text(encoding="utf-8"))["results"]
        for timing in result.get("timing", [])
        if timing.get("started_at")
    ]
    return min(starts) if starts else None


def build_engine(
    engine: str, extracts: Path, work: Path, project_dir: Path, with_tests: bool
) -> dict[str, Any]:
    folder = work / engine
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    target = folder / "target"
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(folder / "logs"),
        "CRM_SPARK_DIR": str(folder / "spark"),
    }
    command = [
        str(Path(sys.executable).with_name("crm-kpi")),
        "build",
        "--extracts",
        str(extracts),
        "--database",
        str(folder / "crm_kpi.duckdb"),
        "--quiet",
    ]
    if engine == "spark":
        command += ["--target", "spark"]
    if not with_tests:
        command.append("--models-only")
    started = dt.datetime.now(dt.UTC)
    step = measure(command, env, project_dir, folder / "build.log")
    if engine == "duckdb":
        step["load"] = load_span(target)
    else:
        first = first_node_start(target)
        step["load"] = (
            {"seconds": round((first - started).total_seconds(), 2), "exit_code": 0}
            if first is not None
            else None
        )
    return step


def _seconds(step: dict[str, Any] | None) -> str:
    if not step or step.get("seconds") is None:
        return "–"
    return f"{step['seconds']:.0f} s" if step.get("exit_code") == 0 else "failed"


def table(results: dict[str, Any]) -> str:
    duckdb, spark = results["steps"].get("duckdb"), results["steps"].get("spark")
    what = "full build (models, data and unit tests)" if results["with_tests"] else "models only"
    rows = [
        "| | DuckDB | Spark (session) |",
        "|---|---|---|",
        f"| load | {_seconds((duckdb or {}).get('load'))} "
        f"| {_seconds((spark or {}).get('load'))} |",
        f"| {what}, load included | {_seconds(duckdb)} | {_seconds(spark)} |",
        # Spark's memory is the JVM's, a child process of the build whose VmHWM is not read
        "| peak memory of the build process | "
        + (f"{duckdb['peak_rss_mb'] / 1024:.2f} GB" if duckdb else "–")
        + " | (in the JVM, not measured) |",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--extracts", type=Path, help="folder of extracts to build")
    source.add_argument("--orders", help="generate extracts of this size first (e.g. 1M)")
    parser.add_argument("--work", type=Path, required=True, help="folder for builds and results")
    parser.add_argument("--with-tests", action="store_true", help="full builds with every test")
    parser.add_argument("--engines", default="duckdb,spark", help="comma-separated")
    args = parser.parse_args(argv)
    project_dir = find_project_dir()
    args.work.mkdir(parents=True, exist_ok=True)
    extracts = args.extracts
    if extracts is None:
        extracts = args.work / f"extracts_{args.orders}"
        if not extracts.exists():
            generate_scaled(extracts, orders=parse_size(args.orders), fmt="parquet")
    results: dict[str, Any] = {
        "extracts": str(extracts.resolve()),
        "with_tests": args.with_tests,
        "machine": machine(),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "steps": {},
    }
    out = args.work / "engines.json"
    for engine in args.engines.split(","):
        print(f"{engine}: building {extracts} ...", flush=True)
        started = time.perf_counter()
        results["steps"][engine] = build_engine(
            engine, extracts.resolve(), args.work, project_dir, args.with_tests
        )
        print(f"{engine}: {time.perf_counter() - started:.0f} s", flush=True)
        out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(table(results))
    return 0 if all(step["exit_code"] == 0 for step in results["steps"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
