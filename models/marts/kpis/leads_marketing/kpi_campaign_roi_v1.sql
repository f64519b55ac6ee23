{#-
    campaign_roi v1: (campaign_revenue − cost) / cost. Revenue rows: closed_won opportunities of campaign
    leads (event closed_at, numerator +amount); cost rows: campaigns (event started_at, numerator −cost,
    denominator cost). Σ numerator = revenue − cost and Σ denominator = cost within each period and
    campaign_id, so a period without campaign cost has a null ROI.
-#}
with

opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

campaigns as (
    select * from {{ ref('dim_campaigns') }}
),

campaign_revenue_and_cost as (
    select
        closed_at as event_at,
        amount as numerator,
        0 as denominator,
        campaign_id
    from opportunities
    where is_won and campaign_id is not null
    union all
    select
        started_at as event_at,
        -cost as numerator,
        cost as denominator,
        campaign_id
    from campaigns
),

{{ kpi_rollup(
    'campaign_revenue_and_cost', 'campaign_roi', 1, 'ratio',
    breakdowns=['campaign_id'], requires=['campaigns']
) }}
