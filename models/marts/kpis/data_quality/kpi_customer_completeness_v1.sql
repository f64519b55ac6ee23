{#-
    customer_completeness v1 (stock, at the end of the period): among the customers created before the
    end instant (int_periods.end_instant), the share whose profile is complete: e-mail or phone,
    industry, segment and owner all filled (dim_customers.is_profile_complete).
-#}
with

periods as (
    select * from {{ ref('int_periods') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

customers_at_period_end as (
    select
        periods.period_grain,
        periods.period_start,
        case when customers.is_profile_complete then 1 else 0 end as numerator,
        1 as denominator,
        customers.owner_user_id as user_id,
        customers.owner_team as team,
        customers.segment,
        customers.region,
        customers.acquisition_channel
    from periods
    inner join customers
        on customers.created_at < periods.end_instant
),

{{ kpi_rollup(
    'customers_at_period_end', 'customer_completeness', 1, 'ratio',
    breakdowns=kpi_owner_breakdowns(), time_basis='period'
) }}
