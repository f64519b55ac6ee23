{#-
    The CRM investment month by month since go-live (kpis.md "Return on the CRM investment",
    docs/kpi_design.md): the one place where the incremental gain is computed, on both bases, for
    crm_incremental_gain, crm_roi v1 (revenue) and v2 (gross profit) and crm_payback_months.

    One row per calendar month from the first month starting on or after crm_go_live_date (the go-live
    month when go-live is the 1st) to the month containing as_of_date.
      revenue        Σ amount of the completed orders ordered in the month (status completed, ordered
                     at or before as_of, as fct_orders.is_completed); 0 for a month without orders;
      gross_profit   Σ (amount − cost_amount) of those orders that have cost data; 0 without any;
      baseline_*     Σ of the same over the `baseline_months` complete months before go-live
                     ([first day of the go-live month − baseline_months months, first day of the go-live
                     month)), divided by baseline_months: months without orders count as 0;
      *_gain         the month's value − baseline;
      cumulative_*_gain  Σ *_gain from the first month after go-live to this one, computed as
                     (Σ value × baseline_months − months × Σ baseline months) / baseline_months, so that
                     whole amounts stay exact (the baseline mean, e.g. 2,000,000 / 12, is never rounded
                     before it is summed);
      crm_cost_to_date  Σ amount of the crm_costs incurred before month_end (all history).
    A month's cumulative gain is the gain to date at every instant t with month_end <= t < next_month_end
    (complete months only): the KPIs join a period's end instant to that one row.
-#}
{%- set timestamp_type = dbt.type_timestamp() -%}

with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

crm_costs as (
    select * from {{ ref('stg_crm__crm_costs') }}
),

go_live as (
    select
        settings.as_of_at,
        settings.as_of_date,
        settings.baseline_months,
        cast(
            {{ dbt.dateadd('month', 1, dbt.date_trunc('month', dbt.dateadd('day', -1, 'settings.go_live_date'))) }}
            as date
        ) as first_gain_month,
        cast(
            {{ dbt.dateadd('month', '-settings.baseline_months', dbt.date_trunc('month', 'settings.go_live_date')) }}
            as {{ timestamp_type }}
        ) as baseline_start_at,
        cast({{ dbt.date_trunc('month', 'settings.go_live_date') }} as {{ timestamp_type }}) as baseline_end_at
    from settings
),

completed_orders as (
    select
        orders.ordered_at,
        orders.amount as revenue,
        orders.amount - orders.cost_amount as gross_profit
    from orders
    cross join go_live
    where
        orders.status = 'completed'
        and orders.ordered_at <= go_live.as_of_at
),

baseline as (
    select
        coalesce(sum(completed_orders.revenue), 0) as baseline_revenue_total,
        coalesce(sum(completed_orders.gross_profit), 0) as baseline_gross_profit_total
    from completed_orders
    cross join go_live
    where
        completed_orders.ordered_at >= go_live.baseline_start_at
        and completed_orders.ordered_at < go_live.baseline_end_at
),

months as (
    {{ calendar_spine(
        'month', 'go_live', 'first_gain_month', 'as_of_date', 'month_start',
        step_column='months_since_go_live') }}
),

monthly_orders as (
    select
        cast({{ dbt.date_trunc('month', 'completed_orders.ordered_at') }} as date) as month_start,
        sum(completed_orders.revenue) as revenue,
        sum(completed_orders.gross_profit) as gross_profit
    from completed_orders
    group by cast({{ dbt.date_trunc('month', 'completed_orders.ordered_at') }} as date)
),

monthly_costs as (
    select
        months.month_start,
        sum(crm_costs.amount) as crm_cost_to_date
    from months
    inner join crm_costs
        on
            cast(crm_costs.incurred_on as {{ timestamp_type }})
            < cast({{ dbt.dateadd('month', 1, 'months.month_start') }} as {{ timestamp_type }})
    group by months.month_start
),

cumulative as (
    select
        months.month_start,
        months.months_since_go_live,
        coalesce(monthly_orders.revenue, 0) as revenue,
        coalesce(monthly_orders.gross_profit, 0) as gross_profit,
        sum(coalesce(monthly_orders.revenue, 0)) over (
            order by months.month_start rows between unbounded preceding and current row
        ) as cumulative_revenue,
        sum(coalesce(monthly_orders.gross_profit, 0)) over (
            order by months.month_start rows between unbounded preceding and current row
        ) as cumulative_gross_profit,
        coalesce(monthly_costs.crm_cost_to_date, 0) as crm_cost_to_date
    from months
    left join monthly_orders
        on months.month_start = monthly_orders.month_start
    left join monthly_costs
        on months.month_start = monthly_costs.month_start
),

final as (
    select
        -- key
        cumulative.month_start,
        -- month
        cast({{ dbt.dateadd('month', 1, 'cumulative.month_start') }} as {{ timestamp_type }}) as month_end,
        cast({{ dbt.dateadd('month', 2, 'cumulative.month_start') }} as {{ timestamp_type }}) as next_month_end,
        cumulative.months_since_go_live,
        cast({{ dbt.dateadd('month', 1, 'cumulative.month_start') }} as {{ timestamp_type }})
        <= go_live.as_of_at as is_complete,
        -- revenue basis
        cast(cumulative.revenue as double) as revenue,
        {{ kpi_safe_divide('baseline.baseline_revenue_total', 'go_live.baseline_months') }} as baseline_revenue,
        {{ kpi_safe_divide(
            'cumulative.revenue * go_live.baseline_months - baseline.baseline_revenue_total',
            'go_live.baseline_months'
        ) }} as revenue_gain,
        {{ kpi_safe_divide(
            'cumulative.cumulative_revenue * go_live.baseline_months'
            ~ ' - cumulative.months_since_go_live * baseline.baseline_revenue_total',
            'go_live.baseline_months'
        ) }} as cumulative_revenue_gain,
        -- gross profit basis
        cast(cumulative.gross_profit as double) as gross_profit,
        {{ kpi_safe_divide('baseline.baseline_gross_profit_total', 'go_live.baseline_months') }}
            as baseline_gross_profit,
        {{ kpi_safe_divide(
            'cumulative.gross_profit * go_live.baseline_months - baseline.baseline_gross_profit_total',
            'go_live.baseline_months'
        ) }} as gross_profit_gain,
        {{ kpi_safe_divide(
            'cumulative.cumulative_gross_profit * go_live.baseline_months'
            ~ ' - cumulative.months_since_go_live * baseline.baseline_gross_profit_total',
            'go_live.baseline_months'
        ) }} as cumulative_gross_profit_gain,
        -- cost
        cast(cumulative.crm_cost_to_date as double) as crm_cost_to_date
    from cumulative
    cross join go_live
    cross join baseline
)

select * from final
