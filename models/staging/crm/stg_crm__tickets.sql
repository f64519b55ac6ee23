{#- Clean tickets: the rows of base_crm__tickets that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__tickets') }}
),

staged as (
    select
        -- ids
        ticket_id,
        customer_id,
        assigned_user_id,
        -- attributes
        category,
        channel,
        priority,
        status,
        resolution,
        coalesce(reopened_count, 0) as reopened_count,
        -- timestamps
        created_at,
        first_response_at,
        resolved_at,
        updated_at
    from base
    where _quarantine_reasons is null
)

select * from staged
