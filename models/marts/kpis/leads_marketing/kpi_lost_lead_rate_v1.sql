{#-
    lost_lead_rate v1: share of the leads created in the period that were not contacted within
    lead_contact_sla_hours (fct_leads.is_lost_lead: the SLA has passed by as_of and the first contact came
    after it or never). Every lead of the period is in the denominator.
-#}
with

leads as (
    select * from {{ ref('fct_leads') }}
),

lead_contacts as (
    select
        created_at as event_at,
        case when is_lost_lead then 1 else 0 end as numerator,
        1 as denominator,
        {{ kpi_lead_breakdowns(with_campaign=false) | join(',\n        ') }}
    from leads
),

{{ kpi_rollup(
    'lead_contacts', 'lost_lead_rate', 1, 'ratio',
    breakdowns=kpi_lead_breakdowns(with_campaign=false)
) }}
