"""Building on Apache Spark (dbt-spark, session mode): load the extracts, then `dbt build`.

On DuckDB the staging models read the CSV/Parquet files themselves; on Spark a model can only
read tables, so the runner first loads every extract of the input contract into a table of the
`crm_raw` schema, with every column as text (the same contract and quarantine SQL then applies)
and `_source_row_number`, the row's number in file order (what DuckDB's `row_number() over ()`
gives on a file). Then `dbt build --target spark` builds the whole project in the same process,
so dbt-spark's session is the one the loader started (docs/scale-out.md).

Needs the optional dependencies: `pip install -r requirements.lock -r requirements-spark.lock`
(`make spark-setup`) and Java 17.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from crm_kpi.build import BuildOutcome, BuildRequest, ExtractsDirError
from crm_kpi.dbt_invoke import (
    EventCallback,
    InvocationResult,
    dbt_args,
    invocation_env,
    invoke_dbt,
    temporary_environment,
)
from crm_kpi.progress import ProgressPrinter

TARGET = "spark"
RAW_SCHEMA = "crm_raw"  # macro spark_raw_schema() reads the same default
ENV_SPARK_DIR = "CRM_SPARK_DIR"
SOURCES_FILE = Path("models") / "staging" / "crm" / "_crm__sources.yml"
SAMPLE_DIR = Path("seeds") / "crm_sample"
REFERENCE_DIR = Path("seeds") / "reference"
REFERENCE_SCHEMA = "reference"  # the seeds' +schema in dbt_project.yml


class SparkUnavailableError(RuntimeError):
    """PySpark (the optional `spark` dependencies) is not installed."""


def spark_dir(project_dir: Path) -> Path:
    """Folder of the Spark warehouse and metastore (default <project>/target/spark)."""
    configured = os.environ.get(ENV_SPARK_DIR, "").strip()
    path = Path(configured) if configured else Path("target") / "spark"
    return path if path.is_absolute() else project_dir / path


def session_conf(project_dir: Path) -> dict[str, str]:
    """The Spark settings of the `spark` target of profiles.yml (keep both in step).

    Whichever of the loader or dbt-spark starts the session first fixes its static settings
    (master, warehouse, metastore); both use these values.
    """
    base = spark_dir(project_dir)
    return {
        "spark.master": os.environ.get("CRM_SPARK_MASTER", "local[2]"),
        "spark.sql.shuffle.partitions": os.environ.get("CRM_SPARK_SHUFFLE_PARTITIONS", "2"),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": str(base / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={base / 'metastore_db'};create=true"
        ),
        "spark.driver.memory": os.environ.get("CRM_SPARK_DRIVER_MEMORY", "4g"),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={base}",
        "spark.sql.ansi.enabled": "false",  # as dbt-spark sets it
    }


def spark_session(project_dir: Path) -> Any:
    """The process's SparkSession (Hive catalog, as dbt-spark's session mode uses)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailableError(
            "PySpark is not installed: run `make spark-setup` "
            "(pip install -r requirements.lock -r requirements-spark.lock)."
        ) from exc
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in session_conf(project_dir).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def contract_tables(project_dir: Path) -> list[str]:
    """The tables of the input contract, in contract order."""
    content = yaml.safe_load((project_dir / SOURCES_FILE).read_text(encoding="utf-8"))
    source = next(s for s in content["sources"] if s["name"] == "crm")
    return [table["name"] for table in source["tables"]]


def load_extracts(session: Any, project_dir: Path, extracts_dir: Path | None) -> dict[str, int]:
    """Load <table>.csv / <table>.parquet of every contract table into crm_raw.<table>.

    Every column becomes text; `_source_row_number` numbers the rows in file order (a CSV file
    read with multiLine is one partition; Parquet partitions follow the file's row groups).
    A table without a file is dropped, so the models see it as an absent optional extract.
    Returns {table: rows loaded}.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    folder = extracts_dir if extracts_dir is not None else project_dir / SAMPLE_DIR
    session.sql(f"create database if not exists {RAW_SCHEMA}")
    loaded: dict[str, int] = {}
    for table in contract_tables(project_dir):
        name = f"{RAW_SCHEMA}.{table}"
        session.sql(f"drop table if exists {name}")
        csv_file, parquet_file = folder / f"{table}.csv", folder / f"{table}.parquet"
        if csv_file.is_file():
            frame = _read_csv(session, csv_file)
        elif parquet_file.is_file():
            frame = session.read.parquet(str(parquet_file))
        else:
            continue
        frame = frame.select([F.col(f"`{c}`").cast("string").alias(c) for c in frame.columns])
        order = Window.orderBy(F.monotonically_increasing_id())
        frame = frame.withColumn("_source_row_number", F.row_number().over(order))
        frame.write.mode("overwrite").format("parquet").saveAsTable(name)
        loaded[table] = session.table(name).count()
    return loaded


def _read_csv(session: Any, path: Path) -> Any:
    """A CSV file with a header row, every column as text (RFC 4180 quoting)."""
    return (
        session.read.option("header", "true")
        .option("inferSchema", "false")
        .option("multiLine", "true")
        .option("escape", '"')
        .option("encoding", "UTF-8")
        .csv(str(path))
    )


def load_reference_seeds(session: Any, project_dir: Path) -> list[str]:
    """Load seeds/reference/*.csv into the reference schema, typed by their column_types.

    dbt-spark's seed loader writes the rows as SQL literals, which breaks on the quotes and
    backslashes of the KPI catalog's texts; the runner loads them with Spark's CSV reader and
    the build leaves the seed nodes out (their data tests still run).
    """
    from pyspark.sql import functions as F

    properties = yaml.safe_load(
        (project_dir / REFERENCE_DIR / "_reference__seeds.yml").read_text(encoding="utf-8")
    )
    session.sql(f"create database if not exists {REFERENCE_SCHEMA}")
    loaded = []
    for seed in properties["seeds"]:
        types = (seed.get("config") or {}).get("column_types") or {}
        frame = _read_csv(session, project_dir / REFERENCE_DIR / f"{seed['name']}.csv")
        frame = frame.select(
            [F.col(f"`{c}`").cast(types.get(c, "string")).alias(c) for c in frame.columns]
        )
        name = f"{REFERENCE_SCHEMA}.{seed['name']}"
        session.sql(f"drop table if exists {name}")
        frame.write.mode("overwrite").format("parquet").saveAsTable(name)
        loaded.append(name)
    return loaded


def build_on_spark(request: BuildRequest, progress: ProgressPrinter | None = None) -> BuildOutcome:
    """Load the extracts and reference seeds into Spark, then `dbt build --target spark`."""
    if request.extracts_dir is not None and not request.extracts_dir.is_dir():
        raise ExtractsDirError(f"Extracts folder {request.extracts_dir} does not exist.")
    started = time.monotonic()
    callbacks: list[EventCallback] = [progress] if progress is not None else []
    env: Mapping[str, str | None] = {
        **invocation_env(request.database, request.extracts_dir),
        "CRM_DBT_TARGET": TARGET,
    }
    invocations: list[InvocationResult] = []
    with temporary_environment(env, cwd=request.project_dir):
        if progress is not None:
            progress.start_phase("load the extracts and reference seeds into Spark")
        session = spark_session(request.project_dir)
        load_extracts(session, request.project_dir, request.extracts_dir)
        load_reference_seeds(session, request.project_dir)
        if progress is not None:
            progress.finish_phase()
        title = f"dbt build --target spark (extracts: {request.extracts_dir or 'bundled sample'})"
        args = dbt_args(
            "build",
            request.project_dir,
            vars=request.vars,
            threads=request.threads,
            select=request.select,
            exclude_resource_types=("seed", *request.exclude_resource_types),
            target_path=request.target_path,
            log_path=request.log_path,
            show_dbt_log=request.show_dbt_log,
        )
        if progress is not None:
            progress.start_phase(title)
        invocations.append(invoke_dbt([*args, "--target", TARGET], callbacks))
        if progress is not None:
            progress.finish_phase()
    return BuildOutcome(
        request=request,
        invocations=invocations,
        row_counts=None,
        row_counts_note="row counts are read from DuckDB builds only",
        elapsed_s=time.monotonic() - started,
    )


def read_table(session: Any, name: str) -> list[dict[str, Any]]:
    """Every row of a Spark table as dicts (small tables: kpi_values of the sample)."""
    return [row.asDict() for row in session.table(name).collect()]
