{#- Clean leads: the rows of base_crm__leads that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__leads') }}
),

staged as (
    select
        -- ids
        lead_id,
        campaign_id,
        owner_user_id,
        converted_customer_id,
        -- attributes
        email,
        source_channel,
        status,
        -- money
        estimated_value,
        estimated_value_original,
        -- flags
        is_email_valid,
        -- timestamps
        created_at,
        first_contacted_at,
        qualified_at,
        converted_at,
        updated_at
    from base
    where _quarantine_reasons is null
)

select * from staged
