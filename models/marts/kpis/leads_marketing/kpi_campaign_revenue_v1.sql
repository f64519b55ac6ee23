{#-
    campaign_revenue v1: Σ amount of the closed_won opportunities closed in the period whose lead came
    from a campaign (fct_opportunities.campaign_id = the lead's campaign); by campaign_id.
-#}
with

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

won_campaign_opportunities as (
    select
        closed_at as event_at,
        amount as measure,
        campaign_id
    from opportunities
    where is_won and campaign_id is not null
),

{{ kpi_rollup(
    'won_campaign_opportunities', 'campaign_revenue', 1, 'sum',
    breakdowns=['campaign_id'], requires=['campaigns']
) }}
