{#-
    customer_lifetime_value v1 (month grain): over the trailing 12 months M−11..M (months before the
    reporting calendar do not exist and are skipped), ARPU × margin / churn with ARPU = Σ revenue / Σ E,
    margin = Σ gross profit / Σ revenue of orders with cost, churn = Σ lost / Σ S; null when a sum in a
    divisor (or churn) is 0. Monthly sums come from the overall rows of revenue, gross_margin,
    active_customers and churn_rate v1. A scorecard window takes the months inside it instead.
-#}
with

{% for kpi in ['revenue', 'gross_margin', 'active_customers', 'churn_rate'] -%}
{{ kpi }} as (
    select * from {{ ref('kpi_' ~ kpi, v=1) }}
    where period_grain = 'month' and breakdown = 'overall'
),

{% endfor -%}

months as (
    select
        revenue.period_start,
        revenue.value as revenue,
        gross_margin.numerator as gross_profit,
        gross_margin.denominator as revenue_with_cost,
        active_customers.value as active_at_end,
        churn_rate.numerator as lost,
        churn_rate.denominator as active_at_start
    from revenue
    inner join gross_margin on revenue.period_start = gross_margin.period_start
    inner join active_customers on revenue.period_start = active_customers.period_start
    inner join churn_rate on revenue.period_start = churn_rate.period_start
),

reported_periods as (
    select
        period_grain,
        period_start,
        period_end,
        case
            when period_grain = 'month' then cast({{ dbt.dateadd('month', -11, 'period_start') }} as date)
            else period_start
        end as months_from
    from {{ ref('int_periods') }}
    where period_grain = 'month' or {{ kpi_is_window_grain('period_grain') }}
),

trailing_sums as (
    select
        reported_periods.period_grain,
        reported_periods.period_start,
        {{ kpi_exact_sum('months.revenue') }} as revenue,
        {{ kpi_exact_sum('months.active_at_end') }} as active_at_end,
        {{ kpi_exact_sum('months.gross_profit') }} as gross_profit,
        {{ kpi_exact_sum('months.revenue_with_cost') }} as revenue_with_cost,
        {{ kpi_exact_sum('months.lost') }} as lost,
        {{ kpi_exact_sum('months.active_at_start') }} as active_at_start
    from reported_periods
    inner join months
        on
            months.period_start >= reported_periods.months_from
            and months.period_start < reported_periods.period_end
    group by reported_periods.period_grain, reported_periods.period_start
),

trailing_months as (
    select
        period_grain,
        period_start,
        'overall' as breakdown,
        cast(null as varchar) as breakdown_value,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        {{ kpi_safe_divide('revenue', 'active_at_end') }}
        * {{ kpi_safe_divide('gross_profit', 'revenue_with_cost') }}
        / nullif({{ kpi_safe_divide('lost', 'active_at_start') }}, 0) as value
    from trailing_sums
),

{{ kpi_finalize(
    'trailing_months', 'customer_lifetime_value', 1, requires=['orders.cost_amount'], grains=['month']
) }}
