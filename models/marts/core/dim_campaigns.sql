{#- Marketing campaigns with their cost and the number of leads attributed to them. -#}
with

campaigns as (
    select * from {{ ref('stg_crm__campaigns') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

lead_counts as (
    select
        leads.campaign_id,
        count(*) as lead_count
    from leads
    where leads.campaign_id is not null
    group by leads.campaign_id
),

final as (
    select
        -- key
        campaigns.campaign_id,
        -- attributes
        campaigns.campaign_name,
        campaigns.channel,
        campaigns.currency,
        -- money
        campaigns.cost,
        campaigns.cost_original,
        -- measures
        cast(coalesce(lead_counts.lead_count, 0) as integer) as lead_count,
        -- timestamps
        campaigns.started_at,
        campaigns.ended_at
    from campaigns
    left join lead_counts
        on campaigns.campaign_id = lead_counts.campaign_id
)

select * from final
