{#-
    open_pipeline_value v1: Σ amount of the opportunities open at the end of the period: created
    before the end instant and not closed before it (int_open_opportunities_at_period_end). The end instant
    is int_periods.end_instant (period_end capped at as_of; as_of for all_time and the open period).
-#}
with

open_opportunities as (
    select * from {{ ref('int_open_opportunities_at_period_end') }}
),

open_at_period_end as (
    select
        period_grain,
        period_start,
        amount as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from open_opportunities
),

{{ kpi_rollup(
    'open_at_period_end', 'open_pipeline_value', 1, 'sum',
    breakdowns=kpi_owner_breakdowns(), time_basis='period'
) }}
