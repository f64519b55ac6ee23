"""Guards that a published KPI definition never changes silently.

A KPI version is a contract with its users: changing what `kpi_revenue_v1` computes must be a
new version (`kpi_revenue_v2`), never an edit. Two locks enforce that in the test suite:

* the SQL lock (`models/marts/kpis/kpi_sql.lock.json`): the SHA-256 of every KPI model
  version's SQL file. A locked version whose file changed fails; a new version must be added
  with `python -m crm_kpi.kpi_lock --add-new` (which never rewrites an existing entry).
* the value snapshot (`pytests/snapshots/kpi_values_sample.json`): a fingerprint of every KPI
  version's rows on the bundled sample. It also catches a change in a shared macro or an
  upstream model that moves a published number. After a deliberate change of the sample or of
  the shared mechanics, refresh it with `python -m crm_kpi.kpi_lock --snapshot DATABASE` and
  say why in the commit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[2]
KPI_DIR = PROJECT_DIR / "models" / "marts" / "kpis"
SQL_LOCK = KPI_DIR / "kpi_sql.lock.json"
VALUE_SNAPSHOT = PROJECT_DIR / "pytests" / "snapshots" / "kpi_values_sample.json"


def sql_hashes(kpi_dir: Path = KPI_DIR) -> dict[str, str]:
    """`kpi_<id>_v<n>` → SHA-256 of its SQL (line endings and trailing blanks normalised)."""
    hashes = {}
    for path in sorted(kpi_dir.glob("*/kpi_*_v*.sql")):
        text = "\n".join(line.rstrip() for line in path.read_text(encoding="utf-8").splitlines())
        hashes[path.stem] = hashlib.sha256(text.strip().encode("utf-8")).hexdigest()
    return hashes


def read_json(path: Path) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_json(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(data.items())), indent=2) + "\n", encoding="utf-8")


def sql_lock_problems(locked: dict[str, str], current: dict[str, str]) -> list[str]:
    problems = [
        f"{model}: its SQL changed after it was published; add a new version instead"
        for model, digest in locked.items()
        if model in current and current[model] != digest
    ]
    problems += [
        f"{model}: not in the SQL lock; run `python -m crm_kpi.kpi_lock --add-new`"
        for model in current
        if model not in locked
    ]
    problems += [
        f"{model}: locked but its SQL file is gone" for model in locked if model not in current
    ]
    return problems


def value_fingerprints(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """`kpi_<id>_v<n>` → SHA-256 of its rows in kpi_values, values to 10 significant digits."""
    rows = connection.execute(
        """
        select
            kpi_id, kpi_version, period_grain, cast(period_start as varchar), breakdown,
            coalesce(breakdown_value, ''),
            coalesce(printf('%.10g', value), 'null'),
            coalesce(printf('%.10g', numerator), 'null'),
            coalesce(printf('%.10g', denominator), 'null'),
            cast(is_available as varchar)
        from marts.kpi_values
        order by all
        """
    ).fetchall()
    digests: dict[str, hashlib._Hash] = {}
    for row in rows:
        key = f"kpi_{row[0]}_v{row[1]}"
        digests.setdefault(key, hashlib.sha256()).update(("|".join(map(str, row)) + "\n").encode())
    return {key: digest.hexdigest() for key, digest in digests.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--add-new", action="store_true", help="lock KPI versions not yet locked")
    parser.add_argument("--snapshot", metavar="DATABASE", help="rewrite the value snapshot")
    args = parser.parse_args(argv)
    if args.add_new:
        locked, current = read_json(SQL_LOCK), sql_hashes()
        added = {model: digest for model, digest in current.items() if model not in locked}
        write_json(SQL_LOCK, {**locked, **added})
        print(f"locked {len(added)} new KPI versions: {', '.join(sorted(added)) or '-'}")
    if args.snapshot:
        with duckdb.connect(args.snapshot, read_only=True) as connection:
            write_json(VALUE_SNAPSHOT, value_fingerprints(connection))
        print(f"wrote {VALUE_SNAPSHOT.relative_to(PROJECT_DIR)}")
    if not (args.add_new or args.snapshot):
        problems = sql_lock_problems(read_json(SQL_LOCK), sql_hashes())
        print("\n".join(problems) or "KPI SQL lock: ok")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
