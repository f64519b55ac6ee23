{#-
    open_opportunities v1: count of the opportunities open at the end of the period: created
    before the end instant and not closed before it (macro opportunity_is_open_at). The end instant
    is int_periods.end_instant (period_end capped at as_of; as_of for all_time and the open period).
-#}
with

periods as (
    select * from {{ ref('int_periods') }}
),

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

open_at_period_end as (
    select
        periods.period_grain,
        periods.period_start,
        1 as measure,
        opportunities.{{ kpi_owner_breakdowns() | join(',\n        opportunities.') }}
    from periods
    inner join opportunities
        on {{ opportunity_is_open_at('periods.end_instant', 'opportunities') }}
),

{{ kpi_rollup(
    'open_at_period_end', 'open_opportunities', 1, 'sum',
    breakdowns=kpi_owner_breakdowns(), time_basis='period'
) }}
