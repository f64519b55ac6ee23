{#- Clean web_sessions: the rows of base_crm__web_sessions that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__web_sessions') }}
),

staged as (
    select
        -- ids
        session_id,
        visitor_id,
        customer_id,
        -- attributes
        duration_seconds,
        -- flags
        coalesce(converted, false) as converted,
        -- timestamps
        started_at
    from base
    where _quarantine_reasons is null
)

select * from staged
