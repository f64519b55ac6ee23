{#- active_customers v1: E, the customers active at the end of the period (int_customer_periods). -#}
with

customer_periods as (
    select * from {{ ref('int_customer_periods') }}
),

active_at_end as (
    select
        period_grain,
        period_start,
        1 as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from customer_periods
    where is_active_at_end
),

{{ kpi_rollup(
    'active_at_end', 'active_customers', 1, 'sum',
    breakdowns=kpi_owner_breakdowns(), time_basis='period'
) }}
