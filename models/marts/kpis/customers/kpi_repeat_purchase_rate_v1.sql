{#-
    repeat_purchase_rate v1: customers with 2 or more completed orders to date / customers with at
    least one, at the end of the period: orders placed before its end instant (period_end, capped
    at as_of). A customer's first order adds 1 to the denominator, the second 1 to the numerator.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

ranked_orders as (
    select
        *,
        row_number() over (partition by customer_id order by ordered_at, order_id) as order_rank
    from orders
    where is_completed
),

first_two_orders_by_end as (
    select
        periods.period_grain,
        periods.period_start,
        case when ranked_orders.order_rank = 2 then 1 else 0 end as numerator,
        case when ranked_orders.order_rank = 1 then 1 else 0 end as denominator,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from periods
    inner join ranked_orders
        on ranked_orders.order_rank <= 2 and ranked_orders.ordered_at < periods.end_instant
),

{{ kpi_rollup(
    'first_two_orders_by_end', 'repeat_purchase_rate', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns(), time_basis='period'
) }}
