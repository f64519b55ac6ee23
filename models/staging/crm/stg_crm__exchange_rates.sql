{#- Clean exchange_rates: the rows of base_crm__exchange_rates that passed every rule, one per key. -#}
with

base as (
    select * from {{ ref('base_crm__exchange_rates') }}
),

staged as (
    select
        -- attributes
        currency,
        rate_to_reporting,
        -- timestamps
        rate_date,
        lead(rate_date) over (partition by currency order by rate_date) as valid_until
    from base
    where _quarantine_reasons is null
)

select * from staged
