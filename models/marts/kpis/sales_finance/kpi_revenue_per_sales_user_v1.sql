{#- revenue_per_sales_user v1: revenue (kpi_revenue v1, overall) / count of users of team `sales` whose licence
    overlaps the period (int_user_periods). Overall only; null when the period has no sales user. -#}
with

revenue as (
    select * from {{ ref('kpi_revenue', v=1) }}
    where breakdown = 'overall'
),

user_periods as (
    select * from {{ ref('int_user_periods') }}
),

sales_users as (
    select
        period_grain,
        period_start,
        count(distinct user_id) as sales_user_count
    from user_periods
    where team = 'sales'
    group by period_grain, period_start
),

per_sales_user as (
    select
        revenue.period_grain,
        revenue.period_start,
        revenue.breakdown,
        revenue.breakdown_value,
        revenue.value as numerator,
        coalesce(sales_users.sales_user_count, 0) as denominator,
        {{ kpi_safe_divide('revenue.value', 'coalesce(sales_users.sales_user_count, 0)') }} as value
    from revenue
    left join sales_users
        on
            revenue.period_grain = sales_users.period_grain
            and revenue.period_start = sales_users.period_start
),

{{ kpi_finalize('per_sales_user', 'revenue_per_sales_user', 1) }}
