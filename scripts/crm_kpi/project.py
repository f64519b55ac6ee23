"""Where the dbt project and its files are, and the environment variables the project reads."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import yaml

PROJECT_NAME = "crm_kpi"

# Environment variables read by profiles.yml and the models (see README.md).
ENV_PROJECT_DIR = "CRM_PROJECT_DIR"
ENV_DUCKDB_PATH = "CRM_DUCKDB_PATH"
ENV_EXTRACTS_DIR = "CRM_EXTRACTS_DIR"

DEFAULT_DATABASE = Path("target") / "crm_kpi.duckdb"


class ProjectNotFoundError(RuntimeError):
    """The dbt project directory could not be located."""


def is_project_dir(path: Path) -> bool:
    """True when `path` holds this project's dbt_project.yml."""
    project_file = path / "dbt_project.yml"
    if not project_file.is_file():
        return False
    try:
        content = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(content, dict) and content.get("name") == PROJECT_NAME


def project_vars(project_dir: Path) -> dict[str, object]:
    """The `vars:` of dbt_project.yml (the settings the runner's --var can override)."""
    content = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    found = content.get("vars") if isinstance(content, dict) else None
    return dict(found) if isinstance(found, dict) else {}


def _search_upwards(start: Path) -> Path | None:
    for candidate in (start, *start.parents):
        if is_project_dir(candidate):
            return candidate
    return None


def find_project_dir(
    env: Mapping[str, str] | None = None,
    package_file: Path | None = None,
    cwd: Path | None = None,
) -> Path:
    """Locate the project root.

    Order: the `CRM_PROJECT_DIR` environment variable, then the folders above this package
    (an editable install lives in `<root>/scripts/crm_kpi/`), then the folders above `cwd`.
    """
    env = os.environ if env is None else env
    override = env.get(ENV_PROJECT_DIR, "").strip()
    if override:
        path = Path(override).expanduser().resolve()
        if not is_project_dir(path):
            raise ProjectNotFoundError(
                f"{ENV_PROJECT_DIR}={override} does not contain the {PROJECT_NAME} "
                "dbt_project.yml; point it at the project root."
            )
        return path
    here = (package_file or Path(__file__)).resolve().parent
    found = _search_upwards(here) or _search_upwards((cwd or Path.cwd()).resolve())
    if found is None:
        raise ProjectNotFoundError(
            f"Cannot find the {PROJECT_NAME} dbt project. Run from inside the project folder, "
            f"install the package in editable mode (pip install -e .), or set {ENV_PROJECT_DIR}."
        )
    return found


def resolve_database_path(
    database: str | Path | None, project_dir: Path, env: Mapping[str, str] | None = None
) -> Path:
    """The DuckDB file: the explicit value, else `CRM_DUCKDB_PATH`, else target/crm_kpi.duckdb.

    Relative paths from the command line or the environment are taken relative to the current
    directory (as the user typed them); the default is relative to the project root.
    """
    env = os.environ if env is None else env
    chosen = database if database not in (None, "") else env.get(ENV_DUCKDB_PATH, "").strip()
    if not chosen:
        return (project_dir / DEFAULT_DATABASE).resolve()
    return Path(chosen).expanduser().resolve()


def resolve_extracts_dir(
    extracts: str | Path | None, env: Mapping[str, str] | None = None
) -> Path | None:
    """The folder of extracts (absolute), or None for the bundled sample (`dbt seed`).

    The explicit value wins over `CRM_EXTRACTS_DIR`; an empty value means the sample.
    """
    env = os.environ if env is None else env
    chosen = extracts if extracts not in (None, "") else env.get(ENV_EXTRACTS_DIR, "").strip()
    if not chosen:
        return None
    return Path(chosen).expanduser().resolve()
