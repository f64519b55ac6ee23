{#- Clean sales_targets: the rows of base_crm__sales_targets that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__sales_targets') }}
),

staged as (
    select
        -- ids
        user_id,
        -- attributes
        currency,
        -- money
        target_amount,
        target_amount_original,
        -- timestamps
        period_start
    from base
    where _quarantine_reasons is null
)

select * from staged
