{#- Clean opportunities: the rows of base_crm__opportunities that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__opportunities') }}
),

staged as (
    select
        -- ids
        opportunity_id,
        customer_id,
        lead_id,
        owner_user_id,
        -- attributes
        coalesce(opportunity_type, 'new_business') as opportunity_type,
        stage,
        currency,
        -- money
        amount,
        amount_original,
        -- timestamps
        created_at,
        closed_at,
        updated_at
    from base
    where _quarantine_reasons is null
)

select * from staged
