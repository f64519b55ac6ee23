{#-
    average_customer_tenure_days v1: mean days from first_active_at to the end instant of the
    period (period_end, capped at as_of), over the customers active at that instant.
-#}
with

customer_periods as (
    select * from {{ ref('int_customer_periods') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

active_at_end as (
    select
        customer_periods.period_grain,
        customer_periods.period_start,
        {{ days_between('customer_periods.first_active_at', 'periods.end_instant') }} as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from customer_periods
    inner join periods
        on
            customer_periods.period_grain = periods.period_grain
            and customer_periods.period_start = periods.period_start
    where customer_periods.is_active_at_end
),

{{ kpi_rollup(
    'active_at_end', 'average_customer_tenure_days', 1, 'mean',
    breakdowns=kpi_owner_breakdowns(), time_basis='period'
) }}
