"""The parsed-manifest cache of this pytest process (each xdist worker has its own).

The suite builds dozens of database files; with this cache the in-process builds parse the
project once per setting instead of once per file (crm_kpi.dbt_invoke.ManifestCache). Builds
that run `crm-kpi build` as a subprocess parse as a user's build does.
"""

from pathlib import Path

from crm_kpi.dbt_invoke import InvocationResult, ManifestCache, dbt_args, invoke_dbt

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
