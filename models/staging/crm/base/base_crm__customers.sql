{#- Every raw row of the customers extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('customers') }}
),

parsed as (
    {{ crm_parsed('customers') }}
),

validated as (
    select
        parsed.*,
        _contract_reasons as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['customer_id'], 'updated_at') }} as _quarantine_reasons
from validated
