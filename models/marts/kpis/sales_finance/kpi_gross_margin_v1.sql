{#- gross_margin v1: Σ (amount − cost_amount) / Σ amount over completed orders with cost data ordered in the period. -#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

completed_orders_with_cost as (
    select
        ordered_at as event_at,
        gross_profit as numerator,
        amount as denominator,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from orders
    where is_completed and has_cost_data
),

{{ kpi_rollup(
    'completed_orders_with_cost', 'gross_margin', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns(), requires=['orders.cost_amount']
) }}
