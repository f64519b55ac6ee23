{#- customer_retention_rate v1: (E − N) / S = Σ(E_i − N_i) / Σ S_i over the customers of the period. -#}
with

customer_periods as (
    select * from {{ ref('int_customer_periods') }}
),

customer_status as (
    select
        period_grain,
        period_start,
        (case when is_active_at_end then 1 else 0 end) - (case when is_new then 1 else 0 end) as numerator,
        case when is_active_at_start then 1 else 0 end as denominator,
        {{ kpi_owner_breakdowns() | join(',\n        ') }}
    from customer_periods
),

{{ kpi_rollup(
    'customer_status', 'customer_retention_rate', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns(), time_basis='period'
) }}
