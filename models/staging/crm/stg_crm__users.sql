{#- Clean users: the rows of base_crm__users that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__users') }}
),

staged as (
    select
        -- ids
        user_id,
        -- attributes
        full_name,
        email,
        team,
        role,
        region,
        -- flags
        is_email_valid,
        -- timestamps
        licensed_from,
        licensed_to
    from base
    where _quarantine_reasons is null
)

select * from staged
