{#- campaign_responses v1: count of the leads attributed to a campaign, created in the period; by campaign_id. -#}
with

leads as (
    select * from {{ ref('fct_leads') }}
),

campaign_leads as (
    select
        created_at as event_at,
        1 as measure,
        campaign_id
    from leads
    where campaign_id is not null
),

{{ kpi_rollup(
    'campaign_leads', 'campaign_responses', 1, 'sum',
    breakdowns=['campaign_id'], requires=['campaigns']
) }}
