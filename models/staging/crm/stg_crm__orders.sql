{#- Clean orders: the rows of base_crm__orders that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__orders') }}
),

staged as (
    select
        -- ids
        order_id,
        customer_id,
        opportunity_id,
        -- attributes
        currency,
        status,
        -- money
        amount,
        amount_original,
        cost_amount,
        cost_amount_original,
        -- timestamps
        ordered_at,
        fulfilled_at,
        updated_at
    from base
    where _quarantine_reasons is null
)

select * from staged
