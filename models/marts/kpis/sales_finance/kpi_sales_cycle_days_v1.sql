{#- sales_cycle_days v1: mean of (closed_at − created_at) in days over closed_won opportunities closed in the period. -#}
with

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

won_opportunities as (
    select
        closed_at as event_at,
        cycle_days as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from opportunities
    where is_won
),

{{ kpi_rollup(
    'won_opportunities', 'sales_cycle_days', 1, 'mean',
    breakdowns=kpi_owner_breakdowns()
) }}
