{#- revenue v1: sum(amount) of completed orders ordered in the period. -#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

completed_orders as (
    select
        ordered_at as event_at,
        amount as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from orders
    where is_completed
),

{{ kpi_rollup(
    'completed_orders', 'revenue', 1, 'sum',
    breakdowns=kpi_owner_breakdowns()
) }}
