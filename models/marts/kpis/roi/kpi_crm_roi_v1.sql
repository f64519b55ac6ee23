{#-
    crm_roi v1 (at the end of the period): (crm_incremental_gain − crm_cost_to_date) / crm_cost_to_date
    with the gain on REVENUE whatever var roi_gain_basis says (int_crm_monthly_gain) and the cost of
    kpi_crm_cost_to_date v1. numerator = gain − cost, denominator = cost (null ROI while no cost).
-#}
with

periods as (
    select * from {{ ref('int_periods') }}
),

monthly_gain as (
    select * from {{ ref('int_crm_monthly_gain') }}
),

cost_to_date as (
    select * from {{ ref('kpi_crm_cost_to_date', v=1) }}
    where breakdown = 'overall'
),

gain_and_cost_at_period_end as (
    select
        periods.period_grain,
        periods.period_start,
        monthly_gain.cumulative_revenue_gain as numerator,
        0 as denominator
    from periods
    inner join monthly_gain
        on {{ crm_gain_to_date_at('periods.end_instant', 'monthly_gain') }}
    union all
    select
        period_grain,
        period_start,
        -value as numerator,
        value as denominator
    from cost_to_date
),

{{ kpi_rollup('gain_and_cost_at_period_end', 'crm_roi', 1, 'ratio', time_basis='period', requires=['crm_costs']) }}
