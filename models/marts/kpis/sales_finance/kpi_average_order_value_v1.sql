{#- average_order_value v1: revenue / order_count ("average check"): Σ amount / count of completed orders ordered in the period. -#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

completed_orders as (
    select
        ordered_at as event_at,
        amount as numerator,
        1 as denominator,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from orders
    where is_completed
),

{{ kpi_rollup(
    'completed_orders', 'average_order_value', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns()
) }}
