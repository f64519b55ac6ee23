{#- new_customers v1: N, the customers first active during the period (int_customer_periods). -#}
with

customer_periods as (
    select * from {{ ref('int_customer_periods') }}
),

new_in_period as (
    select
        period_grain,
        period_start,
        1 as measure,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from customer_periods
    where is_new
),

{{ kpi_rollup(
    'new_in_period', 'new_customers', 1, 'sum',
    breakdowns=kpi_owner_breakdowns(), time_basis='period'
) }}
