{#- Clean subscriptions: the rows of base_crm__subscriptions that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__subscriptions') }}
),

staged as (
    select
        -- ids
        subscription_id,
        customer_id,
        renewed_from_subscription_id,
        -- attributes
        plan,
        currency,
        cancel_reason,
        -- money
        annual_value,
        annual_value_original,
        -- timestamps
        started_at,
        ended_at
    from base
    where _quarantine_reasons is null
)

select * from staged
