{#- Clean holidays: the rows of base_crm__holidays that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__holidays') }}
),

staged as (
    select
        -- attributes
        name,
        -- timestamps
        holiday_date
    from base
    where _quarantine_reasons is null
)

select * from staged
