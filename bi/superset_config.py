"""Superset configuration of the integration test (pytests/test_superset.py).

A throw-away Superset on loopback: its metadata database is SQLite under CRM_SUPERSET_HOME (a
temporary folder the test creates), no example data, no async workers or caches. Start it with
SUPERSET_CONFIG_PATH pointing at this file. Not a production configuration: CSRF protection is
off so the test can call the REST API with a bearer token only, and the secret key is a
test key unless SUPERSET_SECRET_KEY is set.
"""

from __future__ import annotations

import os
from pathlib import Path

_HOME = Path(os.environ.get("CRM_SUPERSET_HOME", "/tmp/crm-kpi-superset"))
_HOME.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SUPERSET_SECRET_KEY", "crm-kpi-superset-integration-test-key")
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_HOME / 'superset.db'}"
DATA_DIR = str(_HOME)

# The REST API is called with a JWT bearer token from /api/v1/security/login.
WTF_CSRF_ENABLED = False
# No example data, no telemetry, no background workers: everything runs in the web process.
SUPERSET_LOAD_EXAMPLES = False
SCARF_ANALYTICS = False
FEATURE_FLAGS: dict[str, bool] = {}
RESULTS_BACKEND = None
# Loopback only; Talisman's HTTPS redirects and CSP are for public deployments.
TALISMAN_ENABLED = False
# Superset opens a new connection to an analytics database for every query (NullPool), so a
# warehouse published by `crm-kpi build` (a new file renamed over the old one) is read at once.
