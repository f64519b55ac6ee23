{#-
    profit_per_customer v1: gross profit / distinct customers with a completed order in the period.
    numerator = Σ (amount − cost_amount) over the completed orders that have cost data (orders
    without cost are skipped), denominator = count of distinct customer_id over ALL completed orders
    of the period (counted from the orders at every grain). Known limit: kpi_rollup sums a ratio's
    numerator with nulls as 0, so a period whose orders ALL lack cost shows 0 (gross_profit: null).
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

completed_orders as (
    select
        ordered_at as event_at,
        gross_profit as numerator,
        customer_id,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from orders
    where is_completed
),

{{ kpi_rollup(
    'completed_orders', 'profit_per_customer', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns(), requires=['orders.cost_amount'],
    denominator_distinct='customer_id'
) }}
