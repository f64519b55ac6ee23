{#- Every raw row of the crm_costs extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('crm_costs') }}
),

parsed as (
    {{ crm_parsed('crm_costs') }}
),

with_rate as (
    select
        parsed.*,
        {{ exchange_rate('parsed.currency') }} as _exchange_rate
    from parsed
    {{ join_exchange_rate('parsed.currency', 'parsed.incurred_on') }}
),

validated as (
    select
        with_rate.*,
        {{ to_reporting_currency('amount_original') }} as amount,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("amount_original is not null and incurred_on is not null and _exchange_rate is null", 'no_exchange_rate:amount'),
        ]) }} as _row_reasons
    from with_rate
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['cost_id']) }} as _quarantine_reasons
from validated
