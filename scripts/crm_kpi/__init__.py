"""CRM KPI warehouse: a thin Python runner around the dbt project (see README.md)."""

__version__ = "0.1.0"
