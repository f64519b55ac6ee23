"""One command for the whole benchmark: generate, build, time, check, report.

    python -m crm_kpi.benchmark --sizes 0.1M,1M,10M --work /tmp/crm_benchmark

For every size (orders; the other tables in the sample's proportions, crm_kpi.scaled), each step
runs as a child process, timed (wall clock) and measured (peak resident memory of that child:
the high-water mark VmHWM of its own address space, read from /proc every 0.2 s; not wait4's
ru_maxrss, which Linux carries over from the parent across exec, so a child started after the
benchmark itself held a 10M comparison in memory would report the benchmark's peak):

  generate      the Parquet extracts, and the next day's extracts (append_day)
  parse_cold    `dbt parse` without partial parsing state; parse_warm: again, with it
  build_subset  `dbt build --select +<the ten KPI models>` into a fresh file: the project's time
                for the comparison (load included)
  load          inside build_subset: first start to last end of the 17 base models (read, type,
                quarantine) and the exchange rates they convert money with
  sql           reference.sql, the hand-written DuckDB lower bound
  pandas        pandas_reference, the notebook
  build_full    `dbt build` of the whole project (models, data and unit tests) into a fresh file
  incremental   `dbt build` on that file with the next day's extracts (incremental facts)

Both references are compared with the project's KPI rows (the subset build's KPI models, the
rows kpi_values holds) before their times are reported. DuckDB gets the memory limit and
threads of --memory-limit / --threads (profiles.yml reads them from CRM_DUCKDB_MEMORY_LIMIT /
CRM_DUCKDB_THREADS). With --stop-at a step still running at that time is stopped and the rest
is skipped, so a time-boxed run ends on its own. Results go to
<work>/results.json after every step, and with --doc to docs/performance.md plus an SVG plot.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crm_kpi.benchmark.references import SUBSET
from crm_kpi.project import find_project_dir
from crm_kpi.scaled import parse_size

AS_OF = dt.date(2025, 6, 30)  # the last day of the generated data
NEXT_AS_OF = AS_OF + dt.timedelta(days=1)


def resident_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident set (MB) from /proc: VmRSS now, or VmHWM, the peak of its address
    space since exec; 0 when it is gone (or a zombie, whose memory is released)."""
    try:
        with Path(f"/proc/{pid}/status").open(encoding="utf-8") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(
    command: Sequence[str],
    env: dict[str, str],
    cwd: Path,
    log: Path,
    deadline: float | None = None,
    memory_cap_mb: float | None = None,
) -> dict[str, Any]:
    """Run one child process; wall seconds, peak RSS (MB) and exit code. The peak is the
    largest VmHWM read while the child runs (every 0.2 s; the mark only rises, so at most the
    last 0.2 s before it exits are not seen). A child still running at the deadline
    (time.time()) is stopped and reported as timed out; one whose resident set passes
    memory_cap_mb is stopped and reported as over the cap (rather than letting the kernel's OOM
    killer pick a process on a machine without swap)."""
    if deadline is not None and time.time() > deadline:
        return {"seconds": None, "exit_code": -1, "skipped": "time box (--stop-at)"}
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            list(command), env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT
        )
        timed_out = over_cap = False
        peak_mb = 0.0
        while True:
            pid, status, _usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak_mb = max(peak_mb, resident_mb(process.pid, "VmHWM"))
            if deadline is not None and time.time() > deadline and not timed_out:
                process.terminate()
                timed_out = True
            if memory_cap_mb and not over_cap and resident_mb(process.pid) > memory_cap_mb:
                process.kill()
                over_cap = True
            time.sleep(0.2)
    process.returncode = os.waitstatus_to_exitcode(status)
    result = {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "exit_code": process.returncode,
        "log": str(log),
    }
    if timed_out:
        result["timed_out"] = True
    if over_cap:
        result["over_memory_cap_mb"] = memory_cap_mb
    return result


def load_span(target: Path) -> dict[str, Any] | None:
    """Wall time of the load inside a build: first start to last end of the 17 base models
    and the exchange rates they convert with (run_results.json timings)."""
    path = target / "run_results.json"
    if not path.exists():
        return None
    starts, ends = [], []
    for result in json.loads(path.read_text(encoding="utf-8"))["results"]:
        name = result["unique_id"].split(".")[-1]
        if not (name.startswith("base_crm__") or name == "stg_crm__exchange_rates"):
            continue
        if not result["unique_id"].startswith("model."):
            continue
        for timing in result.get("timing", []):
            if timing.get("started_at") and timing.get("completed_at"):
                starts.append(
                    dt.datetime.fromisoformat(timing["started_at"].replace("Z", "+00:00"))
                )
                ends.append(
                    dt.datetime.fromisoformat(timing["completed_at"].replace("Z", "+00:00"))
                )
    if not starts:
        return None
    return {"seconds": round((max(ends) - min(starts)).total_seconds(), 2), "exit_code": 0}


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with Path("/proc/cpuinfo").open(encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with Path("/proc/meminfo").open(encoding="utf-8") as info:
        for line in info:
            if line.startswith("MemTotal"):
                memory_kb = int(line.split()[1])
    import duckdb
    import pandas
    import pyarrow
    from dbt.version import __version__ as dbt_version

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt_core": dbt_version,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
    }


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def node_timings(target: Path, top: int = 12) -> list[dict[str, Any]]:
    path = target / "run_results.json"
    if not path.exists():
        return []
    results = json.loads(path.read_text(encoding="utf-8"))["results"]
    rows = sorted(
        (
            {"node": r["unique_id"].split(".", 2)[-1], "seconds": round(r["execution_time"], 2)}
            for r in results
        ),
        key=lambda r: -r["seconds"],
    )
    by_kind: dict[str, float] = {}
    for r in results:
        kind = r["unique_id"].split(".", 1)[0]
        by_kind[kind] = round(by_kind.get(kind, 0.0) + r["execution_time"], 2)
    return [{"by_resource_type": by_kind}, *rows[:top]]


class Benchmark:
    def __init__(
        self,
        work: Path,
        memory_limit: str,
        threads: int,
        deadline: float | None = None,
        pandas_memory_cap_mb: float | None = None,
    ) -> None:
        self.project = find_project_dir()
        self.deadline = deadline
        self.pandas_memory_cap_mb = pandas_memory_cap_mb
        self.work = work
        self.bin = Path(sys.executable).parent
        self.env = dict(os.environ)
        self.env.update(
            CRM_DUCKDB_MEMORY_LIMIT=memory_limit,
            CRM_DUCKDB_THREADS=str(threads),
            CRM_DBT_THREADS=str(threads),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        )
        self.results_path = work / "results.json"
        self.results: dict[str, Any] = {
            "command": " ".join(["python -m crm_kpi.benchmark", *sys.argv[1:]]),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "settings": {
                "memory_limit": memory_limit,
                "threads": threads,
                "as_of_date": str(AS_OF),
                "pandas_memory_cap_mb": pandas_memory_cap_mb,
            },
            "subset": [f"{k}_v{v}" for k, v in SUBSET],
            "sizes": {},
        }

    def save(self) -> None:
        self.results_path.write_text(json.dumps(self.results, indent=1) + "\n", encoding="utf-8")

    def dbt(self, size_dir: Path, name: str, args: Sequence[str], database: Path, extracts: Path,
            as_of: dt.date, target: Path) -> dict[str, Any]:  # fmt: skip
        env = dict(self.env, CRM_DUCKDB_PATH=str(database), CRM_EXTRACTS_DIR=str(extracts))
        command = [
            str(self.bin / "dbt"),
            *args,
            "--vars",
            json.dumps({"as_of_date": str(as_of)}),
            "--target-path",
            str(target),
            "--log-path",
            str(size_dir / "logs"),
        ]
        result = measure(command, env, self.project, size_dir / f"{name}.log", self.deadline)
        result["load_average"] = _load()
        return result

    def python(
        self, size_dir: Path, name: str, args: Sequence[str], memory_cap_mb: float | None = None
    ) -> dict[str, Any]:
        command = [sys.executable, "-m", *args]
        log = size_dir / f"{name}.log"
        result = measure(command, self.env, self.project, log, self.deadline, memory_cap_mb)
        result["load_average"] = _load()
        return result

    def check(self, report: Path, database: Path, reference: Path) -> dict[str, Any]:
        """A reference's rows against the project's, compared in a child process: the runner
        stays small (its memory would otherwise sit beside every later step's)."""
        command = [sys.executable, "-m", "crm_kpi.benchmark.references", "compare"]
        subprocess.run(
            [*command, str(database), str(reference), str(report)],
            env=self.env,
            cwd=self.project,
            check=True,
        )
        return json.loads(report.read_text(encoding="utf-8"))

    def run_size(self, label: str) -> None:
        orders = parse_size(label)
        size_dir = self.work / label
        if size_dir.exists():
            shutil.rmtree(size_dir)
        size_dir.mkdir(parents=True)
        extracts, nxt = size_dir / "extracts", size_dir / "next_day"
        entry: dict[str, Any] = {"orders_requested": orders, "steps": {}}
        self.results["sizes"][label] = entry
        steps = entry["steps"]

        def step(name: str, result: dict[str, Any], fatal: bool = True) -> dict[str, Any]:
            steps[name] = result
            if result.get("timed_out"):
                result["exit_code"] = result["exit_code"] or -1
            self.save()
            print(
                f"[{label}] {name}: {result.get('seconds')} s, peak {result.get('peak_rss_mb')} MB,"
                f" exit {result.get('exit_code')}",
                flush=True,
            )
            if result.get("exit_code") and (fatal or result.get("skipped")):
                raise RuntimeError(f"{label} {name} failed, see {result.get('log')}")
            return result

        step(
            "generate",
            self.python(
                size_dir,
                "generate",
                [
                    "crm_kpi.scaled",
                    "--out",
                    str(extracts),
                    "--orders",
                    str(orders),
                    "--format",
                    "parquet",
                ],
            ),
        )
        scaled = json.loads((extracts / "_scaled.json").read_text(encoding="utf-8"))
        entry["rows"] = scaled["rows"]
        entry["tiles"] = scaled["tiles"]
        entry["extract_mb"] = round(
            sum(p.stat().st_size for p in extracts.glob("*.parquet")) / 2**20, 1
        )
        step(
            "append_day",
            self.python(
                size_dir,
                "append_day",
                ["crm_kpi.scaled", "--append-day", str(extracts), "--out", str(nxt)],
            ),
        )

        target = size_dir / "target"
        (target / "partial_parse.msgpack").unlink(missing_ok=True)
        full_db, subset_db = size_dir / "full.duckdb", size_dir / "subset.duckdb"
        step(
            "parse_cold",
            self.dbt(size_dir, "parse_cold", ["parse"], full_db, extracts, AS_OF, target),
        )
        step(
            "parse_warm",
            self.dbt(size_dir, "parse_warm", ["parse"], full_db, extracts, AS_OF, target),
        )

        # the comparison first: the project's build of what the ten KPIs need, then the references
        # (cautious: only the tests whose every parent is selected, as the runner does)
        select = [f"+kpi_{k}_v{v}" for k, v in SUBSET]
        args = ["build", "--select", *select, "--indirect-selection", "cautious"]
        result = self.dbt(size_dir, "build_subset", args, subset_db, extracts, AS_OF, target)
        result["nodes"] = node_timings(target)
        step("build_subset", result)
        load = load_span(target)
        if load:
            step("load", dict(load, note="inside build_subset: base models and exchange rates"))

        for kind in ("sql", "pandas"):
            out = size_dir / f"{kind}.parquet"
            args = ["crm_kpi.benchmark.references", kind, str(extracts), str(AS_OF), str(out)]
            # pandas holds every table in memory: capped, so that it fails alone and visibly
            cap = self.pandas_memory_cap_mb if kind == "pandas" else None
            result = self.python(size_dir, kind, args, cap)
            if not result["exit_code"]:
                result["check"] = self.check(size_dir / f"{kind}_check.json", subset_db, out)
            step(kind, result, fatal=False)
        subset_db.unlink(missing_ok=True)

        result = self.dbt(size_dir, "build_full", ["build"], full_db, extracts, AS_OF, target)
        result["nodes"] = node_timings(target)
        step("build_full", result)
        result = self.dbt(size_dir, "incremental", ["build"], full_db, nxt, NEXT_AS_OF, target)
        result["nodes"] = node_timings(target)
        step("incremental", result)
        full_db.unlink(missing_ok=True)

    def run(self, sizes: Sequence[str], keep_data: bool) -> None:
        for label in sizes:
            try:
                self.run_size(label)
            except RuntimeError as error:
                self.results["sizes"][label]["error"] = str(error)
                print(error, flush=True)
            if not keep_data:
                shutil.rmtree(self.work / label / "extracts", ignore_errors=True)
                shutil.rmtree(self.work / label / "next_day", ignore_errors=True)
        self.results["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.save()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crm_kpi.benchmark", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", default="0.1M,1M,10M", help="orders per size, comma-separated")
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/crm_benchmark"), help="data and logs"
    )
    parser.add_argument("--memory-limit", default="6GB", help="DuckDB memory limit (default 6GB)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB and dbt threads (default 2)")
    parser.add_argument(
        "--stop-at",
        metavar="HH:MM",
        help="local time at which a running step is stopped and the rest skipped (a time box)",
    )
    parser.add_argument(
        "--pandas-memory-cap",
        type=float,
        default=16.0,
        metavar="GB",
        help="stop the pandas notebook when its resident memory passes this (default 16)",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the generated extracts")
    parser.add_argument("--doc", action="store_true", help="write docs/performance.md and the plot")
    parser.add_argument(
        "--doc-only",
        type=Path,
        metavar="RESULTS",
        help="only write the doc from an earlier results.json",
    )
    return parser


def stop_time(hh_mm: str, now: dt.datetime) -> float:
    """The next HH:MM from now (tomorrow's when today's has passed), as a timestamp."""
    hour, minute = (int(x) for x in hh_mm.split(":"))
    stop = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if stop <= now:
        stop += dt.timedelta(days=1)
    return stop.timestamp()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from crm_kpi.benchmark.report import write_doc

    if args.doc_only:
        write_doc(json.loads(args.doc_only.read_text(encoding="utf-8")), find_project_dir())
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    deadline = stop_time(args.stop_at, dt.datetime.now()) if args.stop_at else None
    benchmark = Benchmark(
        args.work, args.memory_limit, args.threads, deadline, args.pandas_memory_cap * 1024
    )
    benchmark.run([s.strip() for s in args.sizes.split(",") if s.strip()], args.keep_data)
    if args.doc:
        write_doc(benchmark.results, find_project_dir())
    return 0
