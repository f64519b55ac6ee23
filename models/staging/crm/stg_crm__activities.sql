{#- Clean activities: the rows of base_crm__activities that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__activities') }}
),

staged as (
    select
        -- ids
        activity_id,
        user_id,
        customer_id,
        lead_id,
        opportunity_id,
        -- attributes
        activity_type,
        -- flags
        coalesce(is_automated, false) as is_automated,
        -- timestamps
        occurred_at,
        due_at
    from base
    where _quarantine_reasons is null
)

select * from staged
