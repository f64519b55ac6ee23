{#- Clean crm_costs: the rows of base_crm__crm_costs that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__crm_costs') }}
),

staged as (
    select
        -- ids
        cost_id,
        -- attributes
        category,
        currency,
        -- money
        amount,
        amount_original,
        -- timestamps
        incurred_on
    from base
    where _quarantine_reasons is null
)

select * from staged
