{#-
    churn_rate v1: customers active at the start and not at the end / S (int_customer_periods).
    By `reason` (the churn_reason of the lost customer, '(none)' when unknown): the lost customers
    with that reason / S of the whole period, so the reasons add up to the overall rate.
-#}
with

customer_periods as (
    select * from {{ ref('int_customer_periods') }}
),

customers_at_start as (
    select
        period_grain,
        period_start,
        case when is_lost then 1 else 0 end as numerator,
        1 as denominator,
        churn_reason as reason,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from customer_periods
    where is_active_at_start
),

lost_customers as (
    select * from customers_at_start
    where numerator = 1
),

reason_rows as (
    {{ kpi_breakdown_of_period_total('lost_customers', 'customers_at_start', 'reason') }}
),

{{ kpi_rollup_with_rows(
    'reason_rows', 'customers_at_start', 'churn_rate', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns(), time_basis='period'
) }}
