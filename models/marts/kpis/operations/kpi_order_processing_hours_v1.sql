{#- order_processing_hours v1: mean of (fulfilled_at − ordered_at) in hours over completed orders ordered in the period (with fulfilled_at). -#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

fulfilled_orders as (
    select
        ordered_at as event_at,
        processing_hours as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from orders
    where is_completed and fulfilled_at is not null
),

{{ kpi_rollup(
    'fulfilled_orders', 'order_processing_hours', 1, 'mean',
    breakdowns=kpi_owner_breakdowns(), requires=['orders.fulfilled_at']
) }}
