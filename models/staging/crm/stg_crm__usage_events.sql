{#- Clean usage_events: the rows of base_crm__usage_events that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__usage_events') }}
),

staged as (
    select
        -- ids
        event_id,
        user_id,
        -- attributes
        event_type,
        -- timestamps
        occurred_at
    from base
    where _quarantine_reasons is null
)

select * from staged
