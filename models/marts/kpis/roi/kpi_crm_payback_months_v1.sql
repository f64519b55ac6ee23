{#-
    crm_payback_months v1 (at the end of the period): months from go-live to the first complete month m
    whose cumulative gain (to m's end) >= the CRM cost to date at m's end, m counting 1 for the first
    month after go-live; only months complete by the end instant are searched, so null until paid back.
    The gain has the basis of var roi_gain_basis, as crm_incremental_gain (int_crm_monthly_gain).
-#}
{%- set basis = crm_gain_basis() -%}

with

periods as (
    select * from {{ ref('int_periods') }}
),

monthly_gain as (
    select * from {{ ref('int_crm_monthly_gain') }}
),

payback_at_period_end as (
    select
        periods.period_grain,
        periods.period_start,
        'overall' as breakdown,
        cast(null as {{ dbt.type_string() }}) as breakdown_value,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        min(case
            when monthly_gain.cumulative_{{ basis }}_gain >= monthly_gain.crm_cost_to_date
                then monthly_gain.months_since_go_live
        end) as value
    from periods
    inner join monthly_gain
        on monthly_gain.month_end <= periods.end_instant
    group by periods.period_grain, periods.period_start
),

{{ kpi_finalize('payback_at_period_end', 'crm_payback_months', 1, requires=['crm_costs'] + crm_gain_requires()) }}
