{#-
    gross_profit v1: Σ (amount − cost_amount) of completed orders ordered in the period. An order
    without cost_amount contributes null (skipped); a period whose orders all lack cost is null, a
    period without orders 0. Not available when no order has cost_amount.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

completed_orders as (
    select
        ordered_at as event_at,
        gross_profit as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from orders
    where is_completed
),

{{ kpi_rollup(
    'completed_orders', 'gross_profit', 1, 'sum',
    breakdowns=kpi_owner_breakdowns(), requires=['orders.cost_amount']
) }}
