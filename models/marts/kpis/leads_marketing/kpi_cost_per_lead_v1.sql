{#-
    cost_per_lead v1: Σ cost of the campaigns started in the period / Σ their leads (created whenever, but
    known by as_of, counted per campaign before the join); by campaign_id: cost / leads (null without leads).
-#}
with

settings as (
    select * from {{ ref('int_reporting_settings') }}
),

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

leads as (
    select * from {{ ref('fct_leads') }}
),

leads_per_campaign as (
    select
        leads.campaign_id,
        count(*) as lead_count
    from leads
    cross join settings
    where leads.campaign_id is not null and leads.created_at <= settings.as_of_at
    group by leads.campaign_id
),

campaign_costs as (
    select
        campaigns.started_at as event_at,
        campaigns.cost as numerator,
        coalesce(leads_per_campaign.lead_count, 0) as denominator,
        campaigns.campaign_id
    from campaigns
    left join leads_per_campaign
        on campaigns.campaign_id = leads_per_campaign.campaign_id
),

{{ kpi_rollup(
    'campaign_costs', 'cost_per_lead', 1, 'ratio',
    breakdowns=['campaign_id'], requires=['campaigns']
) }}
