# CRM KPI warehouse. The two commands of the README:
#   make sample   set up .venv, build the bundled sample, validate it
#   make test     set up .venv, lint (SQL + Python), run pytest
# Overridable: VENV (virtualenv folder), PYTHON (interpreter that creates it),
# SQLFLUFF_PROCESSES (parallel lint), CRM_DUCKDB_PATH (warehouse file, default
# target/crm_kpi.duckdb).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The stamp is newer than the lock and pyproject.toml once both installs succeeded.
STAMP := $(VENV)/.crm-kpi-installed
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
SQL_LINT_PATHS := $(wildcard models tests analyses)
PY_PATHS := scripts pytests bi

.PHONY: help setup sample test test-superset spark-setup test-spark lint format lock clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(STAMP)  ## create the virtualenv and install the locked dependencies

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required; run with PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(PIP) install --requirement requirements.lock
	$(PIP) install --no-deps --no-build-isolation --editable .
	@touch $@

# Optional Apache Spark target (docs/scale-out.md): dbt-spark + PySpark into the same .venv.
SPARK_STAMP := $(VENV)/.crm-kpi-spark-installed

spark-setup: $(SPARK_STAMP)  ## add the optional Spark packages (dbt-spark, PySpark; needs Java 17)

$(SPARK_STAMP): requirements-spark.lock $(STAMP)
	@command -v java >/dev/null || { echo "Java 17 is required for PySpark (apt-get install openjdk-17-jre-headless)"; exit 1; }
	$(PIP) install --requirement requirements.lock --requirement requirements-spark.lock
	@touch $@

test-spark: $(SPARK_STAMP)  ## KPI parity: the sample built on Spark equals the DuckDB build
	$(BIN)/pytest pytests/test_spark_parity.py -p no:xdist --durations=5

sample: setup  ## build the bundled sample into target/crm_kpi.duckdb and validate it
	$(BIN)/crm-kpi build
	$(BIN)/crm-kpi validate

# The dbt templater compiles every model, and compiling reads the columns of the raw inputs,
# so the SQL is linted against a throw-away database with the bundled sample seeded into it.
LINT_DB := target/lint.duckdb
LINT_ENV := env -u CRM_EXTRACTS_DIR CRM_DUCKDB_PATH=$(LINT_DB)
# sqlfluff compiles every model through dbt, which is slow: one process per core of these
# 2-core machines (about half the wall time of one process)
SQLFLUFF_PROCESSES ?= 2

lint: setup  ## sqlfluff (dbt templater) on the SQL, ruff on the Python
	$(LINT_ENV) $(BIN)/dbt seed --quiet
	$(LINT_ENV) $(BIN)/sqlfluff lint --processes $(SQLFLUFF_PROCESSES) $(SQL_LINT_PATHS)
	$(BIN)/ruff check $(PY_PATHS)
	$(BIN)/ruff format --check $(PY_PATHS)

# One pytest run on two workers, the Spark parity test included (its file runs on one worker
# while the other goes on with the DuckDB tests; the workers share one build of the sample).
# Whole files per worker, taken longest first (pytests/conftest.py, SLOWEST_FILES). The
# Superset test is opt-in (README, "BI tools and analysts").
test: lint spark-setup  ## lint, then pytest with the Spark parity test (not the opt-in Superset test)
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=15 -m "not superset"

# Apache Superset in its own virtualenv: it pins SQLAlchemy 1.4 and dozens of Flask packages
# the project does not use. Opt-in, not part of `make test` (why: README, "BI tools and analysts").
SUPERSET_VENV ?= .venv-superset
SUPERSET_STAMP := $(SUPERSET_VENV)/.crm-kpi-superset-installed

$(SUPERSET_STAMP): requirements-superset.lock
	$(PYTHON) -m venv $(SUPERSET_VENV)
	$(SUPERSET_VENV)/bin/python -m pip --disable-pip-version-check --quiet install \
	  --requirement requirements-superset.lock
	@touch $@

test-superset: setup $(SUPERSET_STAMP)  ## Superset 6.1 reads the warehouse across a rebuild
	CRM_SUPERSET=1 CRM_SUPERSET_VENV=$(abspath $(SUPERSET_VENV)) \
	  $(BIN)/pytest -m superset --durations=5 pytests/test_superset.py

format: setup  ## auto-fix: ruff format + ruff check --fix (SQL: run `sqlfluff fix` by hand)
	$(BIN)/ruff format $(PY_PATHS)
	$(BIN)/ruff check --fix $(PY_PATHS)

# Regenerate requirements.lock from pyproject.toml in a throw-away virtualenv.
LOCK_VENV ?= /tmp/crm-kpi-lock-venv
LOCK_HEADER := \
  '\# Every package of the project environment, pinned exactly (generated; do not edit by hand).' \
  '\# Direct dependencies and the dev group are declared in pyproject.toml.' \
  '\# Regenerate after changing pyproject.toml:  make lock' \
  '\#   (= pip install . --group dev in a clean virtualenv with the newest pip/setuptools,' \
  '\#    then pip freeze --all --exclude crm-kpi --exclude pip; needs access to PyPI)' \
  '\# Installed by `make setup`: pip install -r requirements.lock,' \
  '\#   then pip install --no-deps --no-build-isolation -e . (setuptools comes from this file).'
lock:  ## re-resolve requirements.lock from pyproject.toml (needs access to PyPI)
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip --disable-pip-version-check --quiet install --upgrade pip setuptools
	$(LOCK_VENV)/bin/python -m pip --disable-pip-version-check --quiet install . --group dev
	{ printf '%s\n' $(LOCK_HEADER); \
	  $(LOCK_VENV)/bin/python -m pip freeze --all --exclude crm-kpi --exclude pip; } > requirements.lock.tmp
	mv requirements.lock.tmp requirements.lock
	rm -rf $(LOCK_VENV) build scripts/*.egg-info
	@echo "requirements.lock regenerated; 'make setup' installs it."

clean:  ## remove build outputs (target/, logs/, caches); keeps .venv
	rm -rf target logs dbt_packages build scripts/*.egg-info .pytest_cache .ruff_cache
	find scripts pytests -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean  ## clean, and remove the virtualenvs too
	rm -rf $(VENV) $(SUPERSET_VENV)
