"""Registry of the independent KPI implementations: `@kpi(id, version)` on a function taking the
Frame and returning the long shape (see crm_kpi.validator.rollup)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import pandas as pd

from crm_kpi.validator.data import Frame

KpiFunction = Callable[[Frame], pd.DataFrame]
REGISTRY: dict[tuple[str, int], KpiFunction] = {}


def kpi(kpi_id: str, version: int = 1) -> Callable[[KpiFunction], KpiFunction]:
    def register(function: KpiFunction) -> KpiFunction:
        REGISTRY[(kpi_id, version)] = function
        return function

    return register


def load_all() -> dict[tuple[str, int], KpiFunction]:
    """Import every module of this package so their @kpi functions register."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY
