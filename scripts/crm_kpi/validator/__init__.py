"""Independent recomputation of every KPI, compared with `marts.kpi_values`.

The SQL models are one implementation of docs/kpi_design.md; this package is a second one,
written separately in pandas over the *staged* tables only (never the intermediate models, the
facts or the KPI models), so that a mistake has to be made twice, the same way, to go unseen.
`validate_warehouse` recomputes every KPI it knows, for every grain, period and breakdown, and
compares keys and values (relative tolerance 1e-9) with what the warehouse published.
"""

from crm_kpi.validator.compare import Comparison, compare_with_warehouse, validate_warehouse

__all__ = ["Comparison", "compare_with_warehouse", "validate_warehouse"]
