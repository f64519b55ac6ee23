{#- Every KPI, version, grain, period and breakdown in one long table: where analysts and BI tools start. -#}
with

kpi_models as (
    {{ kpi_union(windows=false) }}
)

select
    kpi_id,
    kpi_version,
    is_latest_version,
    period_grain,
    period_start,
    breakdown,
    breakdown_value,
    value,
    numerator,
    denominator,
    unit,
    is_available,
    reason,
    is_period_complete
from kpi_models
