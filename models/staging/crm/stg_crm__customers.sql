{#- Clean customers: the rows of base_crm__customers that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__customers') }}
),

staged as (
    select
        -- ids
        customer_id,
        owner_user_id,
        -- attributes
        customer_name,
        email,
        phone,
        phone_normalised,
        segment,
        industry,
        region,
        country,
        acquisition_channel,
        -- flags
        is_email_valid,
        -- timestamps
        created_at,
        updated_at
    from base
    where _quarantine_reasons is null
)

select * from staged
