{#-
    lead_conversion_rate v1: among the leads created in the period (the cohort, event created_at), the
    share converted by as_of (fct_leads.is_converted: converted_at <= as_of), however long it took.
-#}
with

leads as (
    select * from {{ ref('fct_leads') }}
),

lead_cohorts as (
    select
        created_at as event_at,
        case when is_converted then 1 else 0 end as numerator,
        1 as denominator,
        {{ kpi_lead_breakdowns() | join(',\n        ') }}
    from leads
),

{{ kpi_rollup(
    'lead_cohorts', 'lead_conversion_rate', 1, 'ratio',
    breakdowns=kpi_lead_breakdowns()
) }}
