"""The parsed-manifest cache of this pytest process (each xdist worker has its own).

The suite builds dozens of database files; with this cache the in-process builds parse the
project once per setting instead of once per file (crm_kpi.dbt_invoke.ManifestCache). Builds
that run `crm-kpi build` as a subprocess parse as a user's build does.
"""

from pathlib import Path

from crm_kpi.build import BuildOutcome, BuildRequest, build_warehouse
from crm_kpi.dbt_invoke import (
    InvocationResult,
    ManifestCache,
    dbt_args,
    invoke_dbt,
    temporary_environment,
)

MANIFESTS = ManifestCache()


def invoke_parsed(
    args: list[str], project_dir: Path, database: Path, work: Path
) -> InvocationResult:
    """`invoke_dbt(args)` with this process's manifest for `database` (parsed if needed).

    Call it inside `temporary_environment(invocation_env(database, ...))`, like invoke_dbt.
    """
    parse_args = dbt_args("parse", project_dir, target_path=work / "target", log_path=work / "logs")
    manifest, failed_parse = MANIFESTS.manifest(project_dir, database, parse_args)
    if failed_parse is not None:
        return failed_parse
    return invoke_dbt(args, manifest=manifest)


# For builds whose dbt artifacts nobody reads: no manifest.json / run_results.json
# (about 1.2 s of a build of the project). dbt reads it from the environment, so the parsed
# manifests above are shared with builds that do write them.
NO_ARTIFACTS = {"DBT_WRITE_JSON": "false"}


def build_without_artifacts(request: BuildRequest) -> BuildOutcome:
    """build_warehouse(request) without writing dbt's JSON artifacts."""
    with temporary_environment(NO_ARTIFACTS, cwd=Path.cwd()):
        return build_warehouse(request)
