{#- Every raw row of the holidays extract, typed, with its quarantine reasons. -#}
with

source as (
    {{ crm_extract('holidays') }}
),

parsed as (
    {{ crm_parsed('holidays') }}
),

validated as (
    select
        parsed.*,
        _contract_reasons as _row_reasons
    from parsed
)

select
    *,
    {{ quarantine_reasons_with_duplicates('_row_reasons', ['holiday_date']) }} as _quarantine_reasons
from validated
