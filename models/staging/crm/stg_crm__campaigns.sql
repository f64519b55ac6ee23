{#- Clean campaigns: the rows of base_crm__campaigns that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__campaigns') }}
),

staged as (
    select
        -- ids
        campaign_id,
        -- attributes
        campaign_name,
        channel,
        currency,
        -- money
        cost,
        cost_original,
        -- timestamps
        started_at,
        ended_at
    from base
    where _quarantine_reasons is null
)

select * from staged
