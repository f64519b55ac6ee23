{#-
    lead_response_hours v1: mean of (first_contacted_at − created_at) in hours over the leads created in
    the period that were contacted by as_of (fct_leads.response_hours, is_contacted).
-#}
with

leads as (
    select * from {{ ref('fct_leads') }}
),

contacted_leads as (
    select
        created_at as event_at,
        response_hours as measure,
        {{ kpi_lead_breakdowns(with_campaign=false) | join(',\n        ') }}
    from leads
    where is_contacted
),

{{ kpi_rollup(
    'contacted_leads', 'lead_response_hours', 1, 'mean',
    breakdowns=kpi_lead_breakdowns(with_campaign=false)
) }}
