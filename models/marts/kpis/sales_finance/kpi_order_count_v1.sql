{#- order_count v1: count of completed orders ordered in the period. -#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

completed_orders as (
    select
        ordered_at as event_at,
        1 as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from orders
    where is_completed
),

{{ kpi_rollup(
    'completed_orders', 'order_count', 1, 'sum',
    breakdowns=kpi_owner_breakdowns()
) }}
