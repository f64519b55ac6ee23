{#-
    crm_cost_to_date v1 (stock, at the end of the period): Σ amount of the CRM costs incurred before the
    end instant (int_periods.end_instant), all history including before the reporting calendar;
    by category too.
-#}
with

periods as (
    select * from {{ ref('int_periods') }}
),

crm_costs as (
    select * from {{ ref('fct_crm_costs') }}
),

costs_to_period_end as (
    select
        periods.period_grain,
        periods.period_start,
        crm_costs.amount as measure,
        crm_costs.category
    from periods
    inner join crm_costs
        on cast(crm_costs.incurred_on as {{ dbt.type_timestamp() }}) < periods.end_instant
),

{{ kpi_rollup(
    'costs_to_period_end', 'crm_cost_to_date', 1, 'sum',
    breakdowns=['category'], time_basis='period', requires=['crm_costs']
) }}
