{#- Every raw row of the exchange_rates extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('exchange_rates') }}
),

parsed as (
    {{ crm_parsed('exchange_rates') }}
),

validated as (
    select
        parsed.*,
        {{ combine_reasons([
            '_contract_reasons',
            reason_if("rate_to_reporting <= 0", 'out_of_range:rate_to_reporting'),
        ]) }} as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['currency', 'rate_date']) }} as _quarantine_reasons
from validated
