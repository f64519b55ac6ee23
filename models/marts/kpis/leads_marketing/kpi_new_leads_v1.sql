{#- new_leads v1: count of leads created in the period (fct_leads, event created_at). -#}
with

leads as (
    select * from {{ ref('fct_leads') }}
),

created_leads as (
    select
        created_at as event_at,
        1 as measure,
        {{ kpi_lead_breakdowns() | join(',\n        ') }}
    from leads
),

{{ kpi_rollup(
    'created_leads', 'new_leads', 1, 'sum',
    breakdowns=kpi_lead_breakdowns()
) }}
