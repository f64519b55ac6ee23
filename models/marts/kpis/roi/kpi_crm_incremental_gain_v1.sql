{#-
    crm_incremental_gain v1 (at the end of the period): Σ over the complete months since go-live of
    (month's value − baseline monthly value), on revenue or, with var roi_gain_basis = gross_profit, on
    gross profit: the cumulative gain of int_crm_monthly_gain's latest month complete by the end
    instant; 0 before the first one. On gross profit it needs cost data (unavailable, not 0, without).
-#}
{%- set basis = crm_gain_basis() -%}

with

periods as (
    select * from {{ ref('int_periods') }}
),

monthly_gain as (
    select * from {{ ref('int_crm_monthly_gain') }}
),

gain_at_period_end as (
    select
        periods.period_grain,
        periods.period_start,
        monthly_gain.cumulative_{{ basis }}_gain as measure
    from periods
    inner join monthly_gain
        on {{ crm_gain_to_date_at('periods.end_instant', 'monthly_gain') }}
),

{{ kpi_rollup(
    'gain_at_period_end', 'crm_incremental_gain', 1, 'sum',
    time_basis='period', requires=crm_gain_requires()
) }}
