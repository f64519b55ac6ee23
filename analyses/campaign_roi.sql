-- Campaign ROI: which campaigns paid for themselves.
--
-- One row per campaign over all time: its channel, cost and lead count (dim_campaigns) and,
-- from kpi_values (breakdown campaign_id, grain all_time), the revenue attributed to it, its
-- ROI ((revenue − cost) / cost) and the responses it got. Sorted by ROI, best first; a
-- campaign with no attributed revenue has no ROI and sorts last.

with

per_campaign as (
    select
        breakdown_value as campaign_id,
        max(case when kpi_id = 'campaign_revenue' then value end) as campaign_revenue,
        max(case when kpi_id = 'campaign_roi' then value end) as campaign_roi,
        max(case when kpi_id = 'campaign_responses' then value end) as campaign_responses
    from {{ ref('kpi_values') }}
    where
        is_latest_version
        and period_grain = 'all_time'
        and breakdown = 'campaign_id'
        and kpi_id in ('campaign_revenue', 'campaign_roi', 'campaign_responses')
    group by breakdown_value
)

select
    dim_campaigns.campaign_id,
    dim_campaigns.campaign_name,
    dim_campaigns.channel,
    dim_campaigns.started_at,
    dim_campaigns.ended_at,
    dim_campaigns.cost,
    dim_campaigns.lead_count,
    per_campaign.campaign_responses,
    per_campaign.campaign_revenue,
    per_campaign.campaign_roi
from {{ ref('dim_campaigns') }} as dim_campaigns
left join per_campaign on dim_campaigns.campaign_id = per_campaign.campaign_id
order by per_campaign.campaign_roi desc nulls last, dim_campaigns.campaign_id
